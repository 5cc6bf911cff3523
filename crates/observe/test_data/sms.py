"""Writes sms.json: messages and what each reads as, or the error it gets, by the default
codes of a contest of 4 choices (lines E, B, X; choices A, C, H, K), written by hand from
docs/sms.md's grammar (python3 sms.py > sms.json)."""

import json

L = "E1520 B901 X12"
V = "A120 C340 H400 K29"
VOTES = [120, 340, 400, 29]
LINES = {"E": 1520, "B": 901, "X": 12}


def ok(station, votes=VOTES, lines=LINES):
    return {"station": station, "votes": votes, "lines": lines}


def err(text):
    return {"error": text}


def character(message, c):
    shown = "U+%04X" % ord(c) if c in INVISIBLE else "'%s'" % c
    return err("character %d (%s) is not read in a report: only letters, the digits 0 to 9, "
               "spaces and = : . - , ; /" % (message.index(c) + 1, shown))


INVISIBLE = {"\u202e", "\u00ad", "\u3164", "\u200b"}
long_msg = "PVT 1234 " + " ".join(["A120"] * 139)

cases = [
    ("every code, Latin", "PVT 1234 %s %s" % (L, V), ok("1234")),
    ("no spaces, lower case", "pvt1234e1520b901x12a120c340h400k29", ok("1234")),
    ("Cyrillic look-alikes for the keyword and the codes",
     "РVТ 1234 Е1520 В901 Х12 А120 С340 Н400 К29", ok("1234")),
    ("the Cyrillic keyword, a separator after each code, № before the station",
     "ПВТ №1234 Е=1520 В:901 Х.12 А=120 С:340 Н.400 К-29", ok("1234")),
    ("# before the station", "PVT #1234 %s %s" % (L, V), ok("1234")),
    ("a region's code before the station's, commas and semicolons",
     "PVT 12-345, E 1520; B 901, X 12, A 120; C 340,H 400 ,K 29", ok("12-345")),
    ("a slash between region and station", "pvt 12/345 e1520 b901 x12 a120 c340 h400 k29",
     ok("12/345")),
    ("full-width digits", "PVT １２３４ E1520 B901 X12 A１２０ C340 H400 K29", ok("1234")),
    ("line breaks and tabs", "  PVT\n1234\tE1520 B901 X12\nA120  C340\nH400 K29  ", ok("1234")),
    ("lines after the choices", "PVT 1234 %s X12 E1520 B901" % V, ok("1234")),
    ("zero votes", "PVT 7 E0 B0 X0 A0 C0 H0 K0", ok("7", [0, 0, 0, 0], {"E": 0, "B": 0, "X": 0})),
    ("nine digits", "PVT 7 E999999999 B999999999 X0 A999999999 C0 H0 K0",
     ok("7", [999999999, 0, 0, 0], {"E": 999999999, "B": 999999999, "X": 0})),
    ("not a report", "Hello the station opened late",
     err("not a quick-count report: a report begins with PVT")),
    ("not a report, Cyrillic", "ПРИВЕТ 1234 А120", err("not a quick-count report: a report begins with PVT")),
    ("a longer keyword", "PVTX 1234 %s %s" % (L, V), err("not a quick-count report: a report begins with PVT")),
    ("empty", "", err("not a quick-count report: a report begins with PVT")),
    ("no station", "PVT %s %s" % (L, V), err("no station number after PVT")),
    ("no station, Cyrillic", "ПВТ", err("no station number after PVT")),
    ("a choice missing", "PVT 1234 %s A120 C340 H400" % L, err("missing: K")),
    ("the lines missing", "PVT 1234 %s" % V, err("missing: E B X")),
    ("two choices missing, Cyrillic", "ПВТ 1234 Е1520 В901 Х12 А120 С340", err("missing: H K")),
    ("an unknown code", "PVT 1234 %s %s Q5" % (L, V), err("item 8: no count has the code Q")),
    ("a code without its number", "PVT 1234 %s A C340 H400 K29" % L, err("item 4: no number after A")),
    ("a code at the end without its number", "PVT 1234 %s A120 C340 H400 K" % L,
     err("item 7: no number after K")),
    ("ten digits", "PVT 1234 %s A1234567890 C340 H400 K29" % L,
     err("item 4: the number after A has more than 9 digits")),
    ("a choice twice", "PVT 1234 %s A120 A121 C340 H400 K29" % L, err("A is given twice")),
    ("a line twice", "PVT 1234 E1520 E1521 B901 X12 %s" % V, err("E is given twice")),
    ("a number without a code", "PVT 1234 120 C340", err("item 1: '120' is not a code followed by a number")),
    ("a number in groups", "PVT 1234 %s A 1 200 C340 H400 K29" % L,
     err("item 5: '200' is not a code followed by a number")),
    ("a Cyrillic letter with no Latin look-alike", "ПВТ 1234 Д120 С340",
     err("item 1: 'Д120' is not a code followed by a number")),
    ("a code too long", "PVT 1234 ABCDE5", err("item 1: 'ABCDE5' is not a code followed by a number")),
    ("a long stray quoted in part", "PVT 1234 " + "Z" * 30 + "1",
     err("item 1: '" + "Z" * 20 + "…' is not a code followed by a number")),
    ("two separators", "PVT 1234 %s A==120 C340 H400 K29" % L, err("item 4: no number after A")),
    ("a dash after the station and no number", "PVT 1234-A120 C340 H400 K29",
     err("item 1: '-A120' is not a code followed by a number")),
    ("longer than ten segments", long_msg, err("the message is longer than 700 characters")),
]
# Characters that would make a number read otherwise than it looks: refused, never dropped.
for name, message, c in [
    ("a superscript digit", "PVT 1234 %s A1²⁰ C340 H400 K29" % L, "²"),
    ("a circled number", "PVT 1234 %s A⑩ C340 H400 K29" % L, "⑩"),
    ("mathematical bold digits", "PVT 1234 %s A𝟏𝟐𝟎 C340 H400 K29" % L, "𝟏"),
    ("Arabic-Indic digits", "PVT 1234 %s A١٢٠ C340 H400 K29" % L, "١"),
    ("a right-to-left override (shows A120, would read 21)",
     "PVT 1234 %s A\u202e021\u202c C340 H400 K29" % L, "\u202e"),
    ("a soft hyphen inside a number", "PVT 1234 %s A1\u00ad20 C340 H400 K29" % L, "\u00ad"),
    ("a zero-width space inside a number", "PVT 1234 %s A1\u200b20 C340 H400 K29" % L, "\u200b"),
    ("a Hangul filler", "PVT 1234 %s A1\u316420 C340 H400 K29" % L, "\u3164"),
    ("an apostrophe between digits", "PVT 1234 %s A1'000 C340 H400 K29" % L, "'"),
    ("punctuation left over", "PVT 1234 %s %s !!" % (L, V), "!"),
]:
    cases.append((name, message, character(message, c)))

assert len(long_msg) > 700
print(json.dumps({
    "source": "crates/observe/test_data/sms.py: written by hand for tallyproof from docs/sms.md's "
              "grammar; each message read with the default codes of a contest of 4 choices "
              "(lines E, B, X; choices A, C, H, K).",
    "choices": 4,
    "cases": [dict(name=n, message=m, **e) for n, m, e in cases],
}, ensure_ascii=False, indent=1))
