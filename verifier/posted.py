"""A posted protocol's QR code text (docs/protocol-qr.md, format TPQ1), read independently of
tallyproof's crates/postedqr: what an observer's quick-count report read from the code must
hold (docs/log-format.md, "pvt", revision 10). Python's standard library only."""

import base64
import hashlib

# A protocol's lines, in the order the code's mask numbers them (model::Line::ALL).
LINES = ("registered", "received", "issued_early", "issued_in_station", "issued_outside",
         "issued_total", "cancelled", "found_mobile", "found_stationary", "found_total",
         "invalid", "valid", "lost", "unaccounted")
DIGITS = set("0123456789")
HEX_UPPER = set("0123456789ABCDEF")


class Unreadable(Exception):
    """The text is not a posted protocol's code: the field at fault, and why."""

    def __init__(self, field, why):
        super().__init__("the QR code's %s: %s" % (field, why))
        self.field = field


def count(field, text):
    """A count as written: decimal digits, no sign, no leading zero (but 0), at most 19."""
    if not text or len(text) > 19 or not set(text) <= DIGITS or (text != "0" and text[0] == "0"):
        raise Unreadable(field, "'%s' is not a count" % text)
    value = int(text)
    if value > 2**64 - 1:
        raise Unreadable(field, "'%s' is not a count" % text)
    return value


def counts(field, text):
    return [] if text == "-" else [count(field, c) for c in text.split(".")]


def election_name(text):
    """RFC 4648 base32, upper case, no padding, canonical (zero padding bits); UTF-8."""
    if not text or not set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"):
        raise Unreadable("election", "not a name in base32")
    padded = text + "=" * (-len(text) % 8)
    try:
        raw = base64.b32decode(padded)
        name = raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise Unreadable("election", "not a name in base32") from None
    if base64.b32encode(raw).decode("ascii").rstrip("=") != text or not name:
        raise Unreadable("election", "not a name in base32")
    return name


def in_range(t):
    return 1 <= int(t[4:6]) <= 12 and 1 <= int(t[6:8]) <= 31 and int(t[8:10]) < 24 and \
        int(t[10:12]) < 60


def decode(text):
    """The code's station, lines ({key: count}, in LINES order) and votes; Unreadable if it
    is no TPQ1 text, its check digits do not match, or a field is malformed."""
    fields = text.split("/")
    if fields[0] != "TPQ1":
        raise Unreadable("format", "not TPQ1")
    if len(fields) != 10:
        raise Unreadable("format", "%d fields, TPQ1 has 10" % len(fields))
    _, election, station, contest, source, time, key, lines, votes, check = fields
    body = text[:len(text) - len(check)]
    if check != hashlib.sha256(body.encode("utf-8")).hexdigest()[:8].upper():
        raise Unreadable("check", "the check digits do not match the rest")
    election_name(election)
    unit = count("station", station)
    if unit > 2**32 - 1:
        raise Unreadable("station", "beyond any unit id")
    if count("contest", contest) >= 1000:
        raise Unreadable("contest", "beyond any contest")
    if source not in ("M", "A"):
        raise Unreadable("source", "M or A")
    if len(time) != 12 or not set(time) <= DIGITS or not in_range(time):
        raise Unreadable("time", "YYYYMMDDHHMM")
    if len(key) != 32 or not set(key) <= HEX_UPPER:
        raise Unreadable("key", "32 upper-case hex digits")
    mask, _, values = lines.partition(".")
    if not mask or len(mask) > 4 or not set(mask) <= set("0123456789ABCDEFabcdef") or \
            int(mask, 16) >> len(LINES):
        raise Unreadable("lines", "'%s': a mask of lines" % mask)
    given = [k for i, k in enumerate(LINES) if int(mask, 16) & (1 << i)]
    numbers = counts("lines", values) if values else []
    if len(given) != len(numbers):
        raise Unreadable("lines", "%d lines marked, %d counts" % (len(given), len(numbers)))
    return unit, dict(zip(given, numbers)), counts("votes", votes)


def not_read_from(code, station, lines, votes):
    """Why a report of `station` with `lines` and `votes` is not what `code` holds, or None."""
    if not isinstance(code, str):
        return "the code is a text"
    try:
        unit, code_lines, code_votes = decode(code)
    except Unreadable as e:
        return str(e)
    if unit != station:
        return "the code names station %d, the report station %d" % (unit, station)
    if code_lines != lines or list(code_lines) != list(lines) or code_votes != votes:
        return "the code's figures are not the report's lines and votes"
    return None
