#!/usr/bin/env python3
"""An independent verifier of a published tallyproof log, written from docs/log-format.md,
RFC 6962/9162 and the C2SP signed-note, tlog-checkpoint and tlog-tiles specifications alone
(Python standard library plus the `cryptography` package for Ed25519).

Usage: verify.py DIR LOG_KEY
  DIR      a published directory (checkpoint, tile/...), or its URL (http:// or https://, such
           as a results service's live log https://HOST/elections/NAME/log/)
  LOG_KEY  the log's verifier key text: name+hexid+base64(0x01 || public key)

Checks the checkpoint signature, every entry against its leaf and every tile against the
tiles below, the root, and replays the entries: for every publication, the national totals
(stations counted, votes per choice, valid and invalid) recomputed from the latest protocol of
every station not under an annulled unit. Prints VALID and exits 0, or REJECTED: <why> and
exits 1. Seat allocations are not recomputed here (the Rust verifier does).

Staff entries may carry their time (format version 2): once one does, every later one does,
and times never decrease (docs/log-format.md, "staff").

Every index an entry carries must name something the log has (a unit, a station, a contest,
a choice, an audit and its rounds and draws), 32-bit fields (unit ids, versions, ballot
numbers, audit choices) stay below 2^32, and a publication's stage is preliminary or final:
otherwise REJECTED names the entry and the field, as the Rust verifier's replay does. An
entry of another shape is REJECTED naming it, never a traceback.

Counts are 64-bit: a count above 2^64-1, or a total that does not fit in 64 bits (a station's
own sums, or the sums over the counted stations, of every line and vote), is REJECTED naming
the station and the unit, as the Rust verifier does; Python's unbounded integers would
otherwise accept totals that the publisher's arithmetic could only have wrapped.
"""

import base64
import hashlib
import json
import os
import re
import sys
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from quick_count import QuickCounts, Refused as QuickRefused
from incidents import Incidents, Refused as IncidentRefused


class Rejected(Exception):
    pass


MAX = 2**64 - 1  # counts and their sums are u64 (docs/log-format.md)
LABELS = {  # as reports name the lines (model::Line::label)
    "registered": "registered voters", "received": "ballots received",
    "issued_early": "ballots issued early", "issued_in_station": "ballots issued in the station",
    "issued_outside": "ballots issued outside the station", "issued_total": "ballots issued",
    "cancelled": "ballots cancelled", "found_mobile": "ballots in mobile boxes",
    "found_stationary": "ballots in stationary boxes", "found_total": "ballots in boxes",
    "invalid": "invalid ballots", "valid": "valid ballots", "lost": "lost ballots",
    "unaccounted": "ballots not accounted for on receipt",
}
# A control relation as the definition writes it (model's rules.rs, in its canonical text):
# `error: a + b = c` (or <=, >=), each term a line, `issued`, `found` or `choices`.
RULE = re.compile(r"^(error|warning): (.+) (<=|>=|=) (.+)$")
TERMS = set(LABELS) | {"issued", "found", "choices"}
ISSUED_PARTS = ("issued_early", "issued_in_station", "issued_outside")
FOUND_PARTS = ("found_mobile", "found_stationary")
# The legal count under each law preset (record's counting.rs): the manual count of the
# precinct protocols for every Kyrgyz preset, and where no law is named.
LEGAL_COUNT = {"kg2010": "manual", "kg2015": "manual", "kg2020": "manual", "kg2021": "manual"}
SCORE = re.compile(r"[0-9]+(\.[0-9]+)?")  # a forensic flag's score in a target, decimal text
U32 = 2**32 - 1  # unit ids, versions, ballot numbers and audit choices are 32-bit
STAGES = ("preliminary", "final")
LAWS = ("kg2010", "kg2015", "kg2020", "kg2021")  # seats::preset::KEYS
BASES = ("valid", "participated", "voters-participated", "registered", "listed",
         "sum-of-listed-votes")  # seats::Base::parse, after trimming, lowercasing and _ -> -
METHODS = ("comparison", "polling", "batch")
EARLIEST, END = 946684800, 253402300800  # 2000-01-01 and 10000-01-01 00:00:00 UTC
# Where a protocol of the legal count typed at the service comes with its scan (record's
# counting.rs: CEC notice 4690, 12 April 2021).
SCAN_REQUIRED = ("kg2021",)
UNIT_LEVELS = ("country", "region", "constituency", "district", "station")  # model::UnitLevel
CATEGORIES = ("count", "voter-list", "ballot-stuffing", "vote-buying", "pressure", "procedure", "other")
# A complaint's status moves forward only (record's kinds.rs, ComplaintStatus::may_become).
NEXT_STATUS = {"received": ("under-review", "upheld", "dismissed"),
               "under-review": ("upheld", "dismissed"), "upheld": (), "dismissed": ()}


def field(i, name, message):
    """The refusal of entry i's field `name`, worded as the Rust verifier's
    RecordError::Field: every index an entry carries must name something the log has."""
    return Rejected("entry %d: %s: %s" % (i, name, message))


def is_count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def u32(i, name, v):
    """A 32-bit field: refused above 4294967295, never taken modulo 2^32."""
    if not is_count(v):
        raise field(i, name, "%s is not a whole number" % json.dumps(v))
    if v > U32:
        raise field(i, name, "%d is above 4294967295, the largest this field holds" % v)
    return v


def derived(lines, total, parts):
    """The single total line if present, else the sum of the parts present (None if none)."""
    if total in lines:
        return lines[total]
    present = [lines[k] for k in parts if k in lines]
    return sum(present) if present else None


def own_overflow(p):
    """The first of a protocol's own sums that does not fit in 64 bits, named as Rust does."""
    lines = p["lines"]
    if sum(p["votes"]) > MAX:
        return "the votes for every choice"
    if (derived(lines, "issued_total", ISSUED_PARTS) or 0) > MAX:
        return "the ballots issued (early + in the station + outside)"
    if (derived(lines, "found_total", FOUND_PARTS) or 0) > MAX:
        return "the ballots found (mobile + stationary boxes)"
    if "valid" in lines and "invalid" in lines and lines["valid"] + lines["invalid"] > MAX:
        return "valid + invalid ballots"
    return None


def check_totals(i, counted, path, choices):
    """Refuses totals over the counted protocols that do not fit in 64 bits. The country's sums
    bound every unit's, so checking them finds any unit whose total overflows; when one does,
    the stations are added again in order to name the first that takes a sum beyond 2^64-1."""
    for station, p in counted:
        what = own_overflow(p)
        if what is not None:
            raise Rejected("entry %d: station '%s': %s exceed %d" % (i, path(station), what, MAX))

    class Sums:
        def __init__(self):
            self.lines, self.votes, self.issued, self.registered = {}, [0] * len(choices), 0, 0

        def add(self, p):
            for k, v in p["lines"].items():
                self.lines[k] = self.lines.get(k, 0) + v
            g = derived(p["lines"], "issued_total", ISSUED_PARTS)
            if g is not None and "registered" in p["lines"]:
                self.issued += g
                self.registered += p["lines"]["registered"]
            self.votes = [a + b for a, b in zip(self.votes, p["votes"])]

        def overflow(self):
            sums = [("the %s" % LABELS.get(k, k), v) for k, v in sorted(self.lines.items())]
            sums += [("the votes for '%s'" % c, v) for c, v in zip(choices, self.votes)]
            sums += [("the ballots issued", self.issued), ("the registered voters", self.registered),
                     ("the votes for every choice", sum(self.votes)),
                     ("valid + invalid ballots",
                      self.lines.get("valid", 0) + self.lines.get("invalid", 0))]
            return next((what for what, v in sums if v > MAX), None)

    total = Sums()
    for _, p in counted:
        total.add(p)
    if total.overflow() is None:
        return
    running = Sums()
    for station, p in counted:
        running.add(p)
        what = running.overflow()
        if what is not None:
            raise Rejected("entry %d: the totals of '%s' overflow: with station '%s', %s exceed %d"
                           % (i, path(0), path(station), what, MAX))


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(hashes):
    """RFC 6962 section 2.1 Merkle Tree Hash over leaf hashes."""
    if not hashes:
        return sha256(b"")
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def parse_key(text):
    name, key_id, b64 = text.strip().split("+", 2)
    raw = base64.b64decode(b64)
    if raw[0] != 0x01 or len(raw) != 33:
        raise Rejected("the log key is not an Ed25519 verifier key")
    computed = sha256(name.encode() + b"\n" + raw[:1] + raw[1:])[:4]
    if computed.hex() != key_id:
        raise Rejected("the log key's ID does not match its key")
    return name, computed, Ed25519PublicKey.from_public_bytes(raw[1:])


def open_checkpoint(note, key):
    name, key_id, public = key
    if not note.endswith("\n"):
        raise Rejected("checkpoint: the note does not end with a newline")
    split = note[:-1].rfind("\n\n")
    if split < 0:
        raise Rejected("checkpoint: no blank line before the signatures")
    text, sigs = note[: split + 1], note[split + 2 :]
    verified = False
    for line in sigs.splitlines():
        if not line.startswith("\u2014 "):
            raise Rejected("checkpoint: a signature line does not start with an em dash")
        sig_name, b64 = line[2:].split(" ", 1)
        raw = base64.b64decode(b64)
        if sig_name != name or raw[:4] != key_id:
            continue
        try:
            public.verify(raw[4:], text.encode())
        except InvalidSignature:
            raise Rejected("checkpoint: the log's signature does not verify")
        verified = True
    if not verified:
        raise Rejected("checkpoint: no signature from the log key")
    lines = text.split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    return origin, size, root


def index_path(n):
    parts = ["%03d" % (n % 1000)]
    n //= 1000
    while n > 0:
        parts.append("x%03d" % (n % 1000))
        n //= 1000
    return "/".join(reversed(parts))


def tile_path(level, n, width):
    suffix = "" if width == 256 else ".p/%d" % width
    return "tile/%s/%s%s" % (level, index_path(n), suffix)


def tiles_at(size, level):
    """The tiles of a level, lazily: a checkpoint may claim 2^64 - 1 entries before any tile
    proves it, and the first missing tile is what answers it."""
    count = size >> (8 * level)
    for n in range(count // 256):
        yield n, 256
    if count % 256:
        yield count // 256, count % 256


def read(d, path):
    if d.startswith(("http://", "https://")):
        return fetch(d.rstrip("/") + "/" + path, path)
    p = os.path.join(d, path)
    if not os.path.exists(p):
        raise Rejected("%s is missing" % path)
    with open(p, "rb") as f:
        return f.read()


def fetch(url, path):
    """A file of a log served over HTTP(S): a 404 is a missing file; any other failure names
    the URL (it is never taken for a missing file). Redirects are not followed."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=60) as r:
            return r.read(64 * 1024 * 1024 + 1)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            raise Rejected("%s is missing" % path)
        raise Rejected("%s: HTTP %d" % (url, e.code))
    except (urllib.error.URLError, OSError) as e:
        raise Rejected("%s: %s" % (url, e))


def read_log(d, size):
    entries = []
    for n, width in tiles_at(size, 0):
        path = tile_path("entries", n, width)
        b = read(d, path)
        at = 0
        for c in range(width):
            if at + 2 > len(b):
                raise Rejected("%s: truncated before entry %d" % (path, n * 256 + c))
            ln = int.from_bytes(b[at : at + 2], "big")
            if at + 2 + ln > len(b):
                raise Rejected("%s: entry %d is truncated" % (path, n * 256 + c))
            entries.append(b[at + 2 : at + 2 + ln])
            at += 2 + ln
        if at != len(b):
            raise Rejected("%s: extra bytes after its entries" % path)
    leaves = [leaf_hash(e) for e in entries]
    for n, width in tiles_at(size, 0):
        path = tile_path(0, n, width)
        b = read(d, path)
        if len(b) != 32 * width:
            raise Rejected("%s: %d bytes, expected %d" % (path, len(b), 32 * width))
        for c in range(width):
            i = n * 256 + c
            if b[32 * c : 32 * c + 32] != leaves[i]:
                raise Rejected("%s: leaf %d does not match entry %d" % (path, i, i))
    level = 1
    while level < 8 and size >> (8 * level):
        span = 256**level
        for n, width in tiles_at(size, level):
            path = tile_path(level, n, width)
            b = read(d, path)
            if len(b) != 32 * width:
                raise Rejected("%s: %d bytes, expected %d" % (path, len(b), 32 * width))
            for c in range(width):
                lo = (n * 256 + c) * span
                if b[32 * c : 32 * c + 32] != mth(leaves[lo : lo + span]):
                    raise Rejected("%s: hash %d does not match the leaves below" % (path, c))
        level += 1
    return entries, leaves


def decode(i, b):
    """Entry i: format version 1, or 2 for a staff entry with its time (checked here: present
    exactly in version 2, a whole number of seconds from 2000 to the end of 9999)."""
    if not b or b[0] not in (1, 2):
        raise Rejected("entry %d: not format version 1 or 2" % i)
    e = json.loads(b[1:].decode("utf-8"))
    canonical = json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if canonical != b[1:]:
        raise Rejected("entry %d: not in canonical form" % i)
    if b[0] == 2 and e["type"] != "staff":
        raise field(i, "type", "a '%s' entry is format version 1, not 2" % e["type"])
    if e["type"] == "staff":
        if b[0] == 2 and "time" not in e:
            raise field(i, "time", "a version 2 staff entry needs its time")
        if b[0] == 1 and "time" in e:
            raise field(i, "time", "a version 1 staff entry carries no time")
        if "time" in e:
            if not is_count(e["time"]) or e["time"] > MAX:
                raise field(i, "time", "%s is not a whole number of seconds" % json.dumps(e["time"]))
            if not EARLIEST <= e["time"] < END:
                raise field(i, "time", "%d is not a time from 2000-01-01 to 9999-12-31 "
                            "(Unix seconds, UTC)" % e["time"])
    return e


def term_value(term, lines, votes):
    """A control relation's term on a protocol (model's rules.rs): a line, `issued` and `found`
    (the total line, else the sum of the parts present), `choices`; None if missing."""
    if term == "choices":
        return sum(votes)
    for derived, total, parts in (("issued", "issued_total", ISSUED_PARTS),
                                  ("found", "found_total", FOUND_PARTS)):
        if term == derived:
            if total in lines:
                return lines[total]
            present = [lines[p] for p in parts if p in lines]
            return sum(present) if present else None
    return lines.get(term)


def quarantining(rules, e):
    """The error-level control relations protocol entry e breaks or cannot be checked against
    (a term missing), in declaration order, each as (rule, "breaks" | "cannot check"):
    `error: a + b = c` (and <=, >=). A blank line never lets a protocol past a relation."""
    unmet = []
    for rule in rules:
        severity, relation = rule.split(": ", 1)
        if severity != "error":
            continue
        for op in ("<=", ">=", "="):
            if " %s " % op in relation:
                left, right = relation.split(" %s " % op, 1)
                break
        sides = []
        for side in (left, right):
            values = [term_value(t.strip(), e["lines"], e["votes"]) for t in side.split(" + ")]
            sides.append(None if None in values else sum(values))
        if None in sides:
            unmet.append((rule, "cannot check"))
            continue
        a, b = sides
        holds = {"=": a == b, "<=": a <= b, ">=": a >= b}[op]
        if not holds:
            unmet.append((rule, "breaks"))
    return unmet


def keys_in_order(i, e, fixed, optional):
    """Revision 3's entries carry exactly their keys, in the documented order: `fixed` first,
    then those of `optional` (in that order) that the entry has."""
    want = list(fixed) + [k for k in optional if k in e]
    if list(e) != want:
        raise Rejected("entry %d: not in canonical form (keys %s, expected %s)"
                       % (i, ", ".join(e), ", ".join(want)))


# Each audit step's keys, in the order the log writes them (record's entry.rs).
AUDIT_KEYS = {
    "start": ("type", "step", "audit", "contest", "law", "base", "method", "risk_limit", "seed",
              "ballots", "cvrs"),
    "manifest": ("type", "step", "audit", "batches"),
    "round": ("type", "step", "audit", "round", "size"),
    "readings": ("type", "step", "audit", "round", "readings"),
    "counts": ("type", "step", "audit", "round", "counts"),
    "escalate": ("type", "step", "audit"),
    "target": ("type", "step", "audit", "round", "targets"),
    "targeted-counts": ("type", "step", "audit", "round", "counts"),
    "boards": ("type", "step", "audit", "round", "boards"),
    "board-readings": ("type", "step", "audit", "round", "board", "readings"),
    "board-counts": ("type", "step", "audit", "round", "board", "counts"),
}
STAFF_KEYS = ("type", "act", "role", "user", "subject", "scan")
STAFF_OPTIONAL = ("grants", "unit", "double", "reason", "posted", "time")


def standing_after(standing, i, e):
    """An election's standing after entry i (record::Standing): a final publication certifies
    it and an annulment of the whole election annuls it; both freeze it until a decision
    reopens it. A certified election may still be annulled, an annulled one's units voted
    again; complaints, redactions, audits and user acts go on in every standing."""
    t = e["type"]
    kind = e.get("kind") if t == "decision" else None
    if standing == "open":
        if t == "publication" and e["stage"] == "final":
            return "certified"
        if kind == "annul-election":
            return "annulled"
        if kind == "reopen":
            raise Rejected("entry %d: a reopening of an election that is open" % i)
        return "open"
    if kind == "annul-election" and standing == "certified":
        return "annulled"
    # A certification publishes every contest, the first contest's first: the others' final
    # publications follow it (they restate totals that can no longer change).
    if standing == "certified" and t == "publication" and e["stage"] == "final" \
            and e["contest"] > 0:
        return "certified"
    if kind == "revote" and standing == "annulled":
        return "annulled"
    if kind == "reopen":
        return "open"
    if t in ("protocol", "decision", "publication") or \
            (t == "staff" and e["act"] in ("enter", "verify", "reject", "certify", "publish",
                                           "override", "resolve", "intake")):
        raise Rejected("entry %d: a %s in an election that is %s: a decision must reopen it first"
                       % (i, t, standing))
    return standing


def replay(entries, quick=None, incidents=None):
    """Replays the entries; returns (protocols, publications), and puts in `quick` (a dict, if
    given) each quick count's draw and estimates by name, in `incidents` (a list, if given)
    the incident reports with their statuses. An entry whose shape is not the
    format's (a field missing, a list where a number belongs) is REJECTED naming it, never a
    traceback: the explicit checks below name the field where the Rust verifier does."""
    at = [0]
    try:
        return replay_from(entries, at, {} if quick is None else quick,
                           [] if incidents is None else incidents)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as x:
        raise Rejected("entry %d: malformed (%s: %s)" % (at[0], type(x).__name__, x))


def replay_from(entries, at, quick_out, incidents_out):
    """replay(), noting in at[0] the entry it is at."""
    election = decode(0, entries[0])
    if election["type"] != "election":
        raise Rejected("entry 0 is not the election definition")
    parent = {0: None}
    level = {0: "country"}
    name = {0: election["country"]}
    named = set()  # (parent, name) of every unit

    def path(u):
        names = []
        while parent[u] is not None:
            names.append(name[u])
            u = parent[u]
        return " / ".join(reversed(names)) if names else name[u]

    contests = election["contests"]
    for ci, c in enumerate(contests):
        for k, ch in enumerate(c["choices"]):
            if ch["ballot_number"] is not None:
                u32(0, "contests[%d].choices[%d].ballot_number" % (ci, k), ch["ballot_number"])
    for k, r in enumerate(election["rules"]):
        if not isinstance(r, str):
            raise field(0, "rules[%d]" % k, "%s is not text" % json.dumps(r))
        m = RULE.match(r)
        if m is None or not all(t in TERMS for side in (m.group(2), m.group(4))
                                for t in side.split(" + ")):
            raise field(0, "rules[%d]" % k, "'%s' is not a control relation ('error: a + b = c' "
                        "or 'warning: a <= b', terms: lines, issued, found, choices)" % r)

    def unknown_unit(u):
        if u in parent:
            return None
        return "unit %d does not exist (the election has units 0 to %d)" % (u, len(parent) - 1)

    def not_a_station(u):
        why = unknown_unit(u)
        if why is None and level[u] != "station":
            why = "unit %d ('%s') is a %s, not a station" % (u, path(u), level[u])
        return why

    def no_contest(c):
        return "contest %d does not exist (the election has %d contest(s))" % (c, len(contests))

    quick = QuickCounts(election, parent, level, path, not_a_station)

    audits = {}  # audit name -> (contest, the last draw of each round)
    targeted = {}  # audit name -> {station: the round it was targeted in}
    counted_targets = {}  # audit name -> the targeted stations counted
    boards = {}  # audit name -> {round: [(member, member), ...]} (revision 5)
    unboarded = {}  # audit name -> rounds whose readings or counts came without boards
    boards_signed = {}  # audit name -> {(round, board)} signed off
    read_by_boards = {}  # audit name -> {round: draws (or stations) boards read}
    # audit name -> [start entry, law, contest, the first entry after the start that changed
    # the results it checks] (revision 6)
    audit_results = {}
    signing = [None]  # who signed off the entry being checked: (last, [earlier])
    acting = [None]  # the user of the latest staff entry: who takes the entries after it
    granted_roles = {}  # user commitment -> the roles this log granted them

    def results_changed(i, e):
        """record's changes_audited_results: a protocol of an audit's contest in the count
        its law makes legal, or a decision that takes stations out of the totals or brings
        them back, ends the steps of every audit begun before it (revision 6)."""
        for a in audit_results.values():
            began, law, contest, changed = a
            if changed is not None:
                continue
            if e["type"] == "protocol":
                changes = e["contest"] == contest and e["source"] == LEGAL_COUNT.get(law, "manual")
            else:
                changes = e["kind"] in ("annul-unit", "revote", "annul-election", "reopen")
            if changes:
                a[3] = i

    def audit_step(i, e):
        """record's AuditRules: a started audit, and every index its steps carry."""
        name, step = e["audit"], e["step"]
        if step not in AUDIT_KEYS:
            raise field(i, "step", "unknown audit step '%s'" % step)
        keys_in_order(i, e, AUDIT_KEYS[step], ())
        if step == "start":
            if name in audits:
                raise field(i, "audit", "an audit named '%s' was started earlier in the log" % name)
            if not is_count(e["contest"]) or e["contest"] >= len(contests):
                raise field(i, "contest", no_contest(e["contest"]))
            if e["law"] not in LAWS:
                raise field(i, "law", "unknown law preset '%s', expected one of: %s"
                            % (e["law"], ", ".join(LAWS)))
            if e["base"] is not None and \
                    e["base"].strip().lower().replace("_", "-") not in BASES:
                raise field(i, "base", "unknown threshold base '%s'" % e["base"])
            if e["method"] not in METHODS:
                raise field(i, "method", "'%s', expected one of: %s"
                            % (e["method"], ", ".join(METHODS)))
            audits[name] = (e["contest"], [])
            targeted[name], counted_targets[name] = {}, set()
            boards[name], unboarded[name], boards_signed[name] = {}, set(), set()
            read_by_boards[name] = {}
            audit_results[name] = [i, e["law"], e["contest"], None]
            return
        if name not in audits:
            raise field(i, "audit", "no audit named '%s' was started before this step" % name)
        began, _, _, changed = audit_results[name]
        if changed is not None:
            raise field(i, "audit", "the results changed at entry %d, after audit '%s' began at "
                        "entry %d: it no longer checks them; start a new audit" % (changed, name, began))
        contest, ends = audits[name]
        choices = len(contests[contest]["choices"])

        def drawn(rnd):
            if not is_count(rnd) or not 1 <= rnd <= len(ends):
                raise field(i, "round", "round %s was not drawn (the audit has %d round(s))"
                            % (json.dumps(rnd), len(ends)))
            return (ends[rnd - 2] if rnd >= 2 else 0) + 1, ends[rnd - 1]

        def hand_count(at_k, votes, ballots):
            """A station's hand count: whole numbers within 64 bits, one per choice, adding up
            within 64 bits."""
            if not isinstance(votes, list) or not all(is_count(v) and v <= MAX for v in votes) \
                    or not (is_count(ballots) and ballots <= MAX):
                raise field(i, at_k, "counts are whole numbers from 0 to %d" % MAX)
            if len(votes) != choices:
                raise field(i, at_k + ".votes", "%d counts for %d choice(s)" % (len(votes), choices))
            if sum(votes) > MAX:
                raise field(i, at_k + ".votes", "the votes add up to more than %d" % MAX)

        if step == "manifest":
            if ends:
                raise field(i, "batches",
                            "a manifest after the audit's first round would change what it drew")
            for k, (station, _) in enumerate(e["batches"]):
                why = not_a_station(u32(i, "batches[%d].station" % k, station))
                if why:
                    raise field(i, "batches[%d].station" % k, why)
        elif step == "round":
            if e["round"] != len(ends) + 1:
                raise field(i, "round", "%s, expected %d: rounds follow one another"
                            % (json.dumps(e["round"]), len(ends) + 1))
            end = (ends[-1] if ends else 0) + e["size"]
            if end > MAX:
                raise field(i, "size", "%d: the rounds' draws add up beyond %d" % (e["size"], MAX))
            ends.append(end)
        def reading(k, rnd, first, last, draw, record, paper):
            if not (is_count(draw) and first <= draw <= last):
                raise field(i, "readings[%d].draw" % k,
                            "%s is not one of round %d's draws (%d to %d)"
                            % (json.dumps(draw), rnd, first, last))
            for what, choice in (("record", record), ("paper", paper)):
                name_k = "readings[%d].%s" % (k, what)
                if choice is not None and u32(i, name_k, choice) >= choices:
                    raise field(i, name_k, "choice %d does not exist (the contest has %d choice(s))"
                                % (choice, choices))

        def without_boards(rnd):
            if rnd in boards[name]:
                raise field(i, "round", "round %s has audit boards: its readings come only from "
                            "their sign-offs" % json.dumps(rnd))
            unboarded[name].add(rnd)

        def signed_off(rnd, board):
            """A board's entry follows the second of its two members' sign-offs, once a board."""
            if signing[0] is None:
                raise field(i, "step", "a board's readings or counts follow the second of its two "
                            "members' staff 'sign-off' entries")
            last, earlier = signing[0]
            formed = boards[name].get(rnd, [])
            if not (is_count(board) and 1 <= board <= len(formed)):
                raise field(i, "board", "board %s was not formed for round %d (it has %d board(s))"
                            % (json.dumps(board), rnd, len(formed)))
            a, b = formed[board - 1]
            other = b if last == a else a if last == b else None
            if other is None or other not in earlier:
                raise field(i, "board", "board %d of round %d is signed off by its two members"
                            % (board, rnd))
            if (rnd, board) in boards_signed[name]:
                raise field(i, "board", "board %d of round %d signed off earlier" % (board, rnd))
            boards_signed[name].add((rnd, board))

        def once_by_boards(rnd, at_k, what):
            seen = read_by_boards[name].setdefault(rnd, set())
            if what in seen:
                raise field(i, at_k, "%d was read by a board of round %d earlier" % (what, rnd))
            seen.add(what)

        if step == "readings":
            first, last = drawn(e["round"])
            without_boards(e["round"])
            for k, (draw, record, paper) in enumerate(e["readings"]):
                reading(k, e["round"], first, last, draw, record, paper)
        elif step == "boards":
            drawn(e["round"])
            rnd = e["round"]
            if rnd in boards[name]:
                raise field(i, "round", "round %d has its boards already" % rnd)
            if rnd in unboarded[name]:
                raise field(i, "round", "round %d's readings were logged without boards" % rnd)
            if not isinstance(e["boards"], list) or not e["boards"]:
                raise field(i, "boards", "no board")
            seen = set()
            for k, pair in enumerate(e["boards"]):
                if not (isinstance(pair, list) and len(pair) == 2
                        and all(isinstance(m, str) for m in pair)):
                    raise field(i, "boards[%d]" % k, "a board is two members' commitments")
                if pair[0] == pair[1]:
                    raise field(i, "boards[%d]" % k, "a board is two different members")
                for m in pair:
                    if m == "console":
                        raise field(i, "boards[%d]" % k, "a board member is a person, never the "
                                    "console")
                    if m in seen:
                        raise field(i, "boards[%d]" % k, "%s is on two boards of round %d"
                                    % (m, rnd))
                    seen.add(m)
                    # The auditor who forms the boards sits on none; a member granted in this
                    # log is granted the board member's role (a re-vote's staff are granted
                    # outside it).
                    if m == acting[0]:
                        raise field(i, "boards[%d]" % k, "%s forms the boards: the auditor sits "
                                    "on none" % m)
                    if granted_roles.get(m) and "board-member" not in granted_roles[m]:
                        raise field(i, "boards[%d]" % k, "%s was granted '%s' in this log, not "
                                    "'board-member'" % (m, "', '".join(sorted(granted_roles[m]))))
            boards[name][rnd] = [tuple(p) for p in e["boards"]]
        elif step == "board-readings":
            first, last = drawn(e["round"])
            signed_off(e["round"], e["board"])
            for k, row in enumerate(e["readings"]):
                if not (isinstance(row, list) and len(row) == 4 and isinstance(row[3], bool)):
                    raise field(i, "readings[%d]" % k, "a board's reading is [draw, record, "
                                "paper, found]")
                draw, record, paper, found = row
                reading(k, e["round"], first, last, draw, record, paper)
                if not found and paper is not None:
                    raise field(i, "readings[%d].paper" % k, "a ballot not found has no paper "
                                "choice")
                once_by_boards(e["round"], "readings[%d].draw" % k, draw)
        elif step == "board-counts":
            drawn(e["round"])
            signed_off(e["round"], e["board"])
            for k, (station, votes, ballots) in enumerate(e["counts"]):
                why = not_a_station(u32(i, "counts[%d].station" % k, station))
                if why:
                    raise field(i, "counts[%d].station" % k, why)
                hand_count("counts[%d]" % k, votes, ballots)
                once_by_boards(e["round"], "counts[%d].station" % k, station)
        elif step == "target":
            drawn(e["round"])
            for k, (station, flag, complaint) in enumerate(e["targets"]):
                at_k = "targets[%d]" % k
                why = not_a_station(u32(i, at_k + ".station", station))
                if why:
                    raise field(i, at_k + ".station", why)
                if station in targeted[name]:
                    raise field(i, at_k + ".station", "station %d was targeted earlier in audit '%s'"
                                % (station, name))
                if (flag is None) == (complaint is None):
                    raise field(i, at_k, "a target gives exactly one reason: a forensic flag's "
                                "score or an upheld complaint")
                if flag is not None and not (isinstance(flag, str) and SCORE.fullmatch(flag)):
                    raise field(i, at_k + ".flag", "%s is not a score (decimal text such as "
                                "\"7.41\")" % json.dumps(flag))
                if complaint is not None:
                    if not is_count(complaint) or complaint not in complaints:
                        raise field(i, at_k + ".complaint",
                                    "entry %s is not a complaint of this log" % json.dumps(complaint))
                    if complaints[complaint] != "upheld":
                        raise field(i, at_k + ".complaint", "complaint %d is %s, not upheld"
                                    % (complaint, complaints[complaint]))
                    if not under(station, unit_of[complaint]):
                        raise field(i, at_k + ".complaint", "complaint %d is about a unit that "
                                    "does not contain station %d" % (complaint, station))
                targeted[name][station] = e["round"]
        elif step == "targeted-counts":
            drawn(e["round"])
            for k, (station, votes, ballots) in enumerate(e["counts"]):
                at_k = "counts[%d]" % k
                u32(i, at_k + ".station", station)
                if targeted[name].get(station, e["round"] + 1) > e["round"]:
                    raise field(i, at_k + ".station", "station %d was not targeted in round %d "
                                "or before" % (station, e["round"]))
                if station in counted_targets[name]:
                    raise field(i, at_k + ".station", "station %d is counted twice" % station)
                counted_targets[name].add(station)
                hand_count(at_k, votes, ballots)
        elif step == "counts":
            drawn(e["round"])
            without_boards(e["round"])
            for k, (station, votes, ballots) in enumerate(e["counts"]):
                why = not_a_station(u32(i, "counts[%d].station" % k, station))
                if why:
                    raise field(i, "counts[%d].station" % k, why)
                hand_count("counts[%d]" % k, votes, ballots)

    latest = {}  # the legal count's latest version, by (station, contest)
    other = {}  # the other count's (the machine count where the manual one is legal)
    legal = LEGAL_COUNT.get(election.get("law"), "manual")
    annulled = set()
    publications = 0
    entered = {}  # protocol digest -> the user commitments of who entered it (once per entry)
    granted = {}  # user commitment -> who granted them (a second grant approves the first)
    expect = None  # what a staff entry requires of the next entry: (act, digest)
    roles = {"enter": "operator", "verify": "verifier", "reject": "verifier",
             "complain": "observer", "decide": "commissioner", "certify": "commissioner",
             "publish": "commissioner",
             "redact": "commissioner", "audit": "auditor", "grant": "admin", "assign": "admin",
             "open": "commissioner", "override": "commissioner", "resolve": "commissioner",
             "intake": "commissioner", "review": "commissioner", "sign-off": "board-member",
             "quick-count": "observer", "supervise": "supervisor",
             "incident": "observer", "incident-status": "supervisor"}
    follows = {"verify": "protocol", "complain": "complaint", "decide": "decision",
               "certify": "publication", "publish": "publication", "audit": "audit",
               "review": "complaint-status", "sign-off": "audit", "quick-count": "pvt",
               "supervise": "pvt", "incident": "incident", "incident-status": "incident"}
    signed = {}  # a board's entry's digest -> who signed it off (revision 5)
    last_signer = None  # the user of the latest sign-off
    # Protocol intake (record's intake.rs) and the complaint register (register.rs).
    scanned, overridden, resolved = set(), set(), set()
    double = False
    verifying = None  # what the log says of the protocol being verified
    complaints = {}  # complaint entry index -> status
    decisions = set()  # decision entry indices
    unit_of = {}  # complaint and decision entry index -> its unit
    began = False  # whether a staff act other than a re-vote's `open` came

    def under(x, top):
        """Whether unit x is unit top or under it."""
        while x is not None:
            if x == top:
                return True
            x = parent.get(x)
        return False

    def related(a, b):
        """Whether one of units a and b is the other or under it."""
        return under(a, b) or under(b, a)
    standing = "open"
    last_time = None  # (entry, time) of the latest staff entry with a time
    quick_act = None
    last_act = None  # the latest entry if it is an incident act: (index, time, user, act)
    incidents = Incidents()
    for i, b in enumerate(entries[1:], start=1):
        at[0] = i
        e = decode(i, b)
        t = e["type"]
        standing = standing_after(standing, i, e)
        if t == "staff" and last_time is not None:
            # Once staff entries carry their time, every later one does, never an earlier one.
            k, last = last_time
            if "time" not in e:
                raise field(i, "time", "missing, and staff entries carry their time from entry %d on" % k)
            if e["time"] < last:
                raise field(i, "time", "%d is before %d, the time of entry %d: times never decrease"
                            % (e["time"], last, k))
        if t == "staff" and "time" in e:
            last_time = (i, e["time"])
        # The quick-count or supervise act whose entries these are: (its index, its time or
        # None, its user, its act).
        if t == "staff":
            quick_act = (i, e.get("time"), e["user"], e["act"]) \
                if e["act"] in ("quick-count", "supervise") else None
        elif t != "pvt":
            quick_act = None
        # The incident act whose entry this is (revision 9): the one entry after it.
        incident_act = last_act if t == "incident" else None
        last_act = (i, e.get("time"), e["user"], e["act"]) \
            if t == "staff" and e["act"] in ("incident", "incident-status") else None
        if t == "complaint-status" and (expect is None or expect[0] != "review"):
            raise Rejected("entry %d: a complaint-status entry follows a staff 'review' entry" % i)
        # An import's protocols come before the staff's first act (a re-vote's `open` aside):
        # afterwards a protocol enters only through a `verify` (record's staff.rs).
        if t == "protocol" and expect is None and began:
            raise Rejected("entry %d: a protocol after the staff's first act enters the log only "
                           "after a staff 'verify' entry" % i)
        signing[0] = None
        if expect is not None:
            act, digest = expect
            expect = None
            board_entry = t == "audit" and e.get("step") in ("board-readings", "board-counts")
            if act == "sign-off":
                if not board_entry or hashlib.sha256(b).hexdigest() != digest:
                    raise Rejected("entry %d: a staff 'sign-off' entry is not followed by the "
                                   "board's entry it signs off" % i)
                signing[0] = (last_signer, [u for u in signed.pop(digest, []) if u != last_signer])
            if act == "audit" and board_entry:
                raise Rejected("entry %d: a board's readings or counts follow its members' "
                               "sign-offs, never an auditor's act" % i)
            if act == "verify" and t == "protocol":
                k = verifying
                if k["double"] and not k["resolved"] and k["keyings"] < 2:
                    raise Rejected("entry %d: blind double entry: a second operator must key this "
                                   "protocol" % i)
                law = election.get("law")
                if law in SCAN_REQUIRED and e["source"] == legal and not k["scanned"]:
                    raise Rejected("entry %d: the law (%s) requires the scan of the paper protocol"
                                   % (i, law))
                unmet = quarantining(election["rules"], e)
                if unmet and not k["overridden"]:
                    rule, how = unmet[0]
                    what = ("it breaks the control relation '%s'" % rule if how == "breaks" else
                            "the control relation '%s' cannot be checked: a line it needs is blank"
                            % rule)
                    raise Rejected("entry %d: quarantined: %s" % (i, what))
            if t != follows[act] or (act == "verify" and hashlib.sha256(b).hexdigest() != digest) \
                    or (act == "incident" and e.get("step") != "report") \
                    or (act == "incident-status" and e.get("step") != "status") \
                    or (act == "certify" and e["stage"] != "final") \
                    or (act == "publish" and e["stage"] == "final"):
                raise Rejected("entry %d: a staff '%s' entry is not followed by its entry" % (i, act))
        if t == "staff":
            act = e["act"]
            began = began or act != "open"
            acting[0] = e["user"]
            if roles.get(act) != e["role"]:
                raise Rejected("entry %d: '%s' done by a %s" % (i, act, e["role"]))
            # `grants` and `unit` appear only on the acts that have them.
            if "grants" in e and act != "grant":
                raise field(i, "grants", "a staff '%s' entry grants no role" % act)
            if "unit" in e and act not in ("assign", "open"):
                raise field(i, "unit", "a staff '%s' entry names no unit" % act)
            if ("double" in e) != (act == "intake") or ("double" in e and not isinstance(e["double"], bool)):
                raise field(i, "double", "'double' (true or false) is on an 'intake' entry only")
            keys_in_order(i, e, STAFF_KEYS, STAFF_OPTIONAL)
            # Who acted and what about are text (commitments, digests), as the Rust decoder
            # holds them.
            if not isinstance(e["user"], str):
                raise field(i, "user", "%s is not text" % json.dumps(e["user"]))
            if e["subject"] is not None and not isinstance(e["subject"], str):
                raise field(i, "subject", "%s is not text" % json.dumps(e["subject"]))
            if "reason" in e and not isinstance(e["reason"], str):
                raise field(i, "reason", "a reason is a commitment, not %s" % json.dumps(e["reason"]))
            if "reason" in e and act not in ("reject", "certify", "override", "resolve"):
                raise field(i, "reason", "a staff '%s' entry gives no reason" % act)
            if "reason" not in e and act in ("override", "resolve"):
                raise field(i, "reason", "a staff '%s' entry needs a reason" % act)
            # A subject exactly on the acts that have one, a scan only on an entry.
            has_subject = act not in ("complain", "decide", "certify", "publish", "audit",
                                      "intake", "review", "quick-count", "supervise",
                                      "incident", "incident-status")
            if has_subject and e.get("subject") is None:
                raise field(i, "subject", "a staff '%s' entry needs a subject" % act)
            if not has_subject and e.get("subject") is not None:
                raise field(i, "subject", "a staff '%s' entry names no subject" % act)
            if act != "enter" and e.get("scan") is not None:
                raise field(i, "scan", "a staff '%s' entry cites no scan" % act)
            # An entry made from the posted protocol's QR code records the code's SHA-256
            # (revision 11, docs/protocol-qr.md).
            if "posted" in e and act != "enter":
                raise field(i, "posted", "a staff '%s' entry records no posted code" % act)
            if "posted" in e and not (isinstance(e["posted"], str) and len(e["posted"]) == 64
                                      and set(e["posted"]) <= set("0123456789abcdef")):
                raise field(i, "posted", "the posted code's SHA-256 is 64 lower-case hex digits")
            if "unit" in e:
                u32(i, "unit", e["unit"])
            # An assignment names a unit of this election (an `open`, the annulled one's).
            if act == "assign" and unknown_unit(e["unit"]):
                raise field(i, "unit", unknown_unit(e["unit"]))
            if act == "grant" and (e.get("subject") is None or e.get("grants") not in roles.values()):
                raise Rejected("entry %d: a grant names whom and which role" % i)
            if act == "grant":
                by = granted.setdefault(e["subject"], [])
                if e["user"] != "console" and e["user"] in by:
                    raise Rejected("entry %d: two-person rule: a grant approved by who made it" % i)
                by.append(e["user"])
                granted_roles.setdefault(e["subject"], set()).add(e["grants"])
            if act in ("assign", "open") and (e.get("subject") is None or not isinstance(e.get("unit"), int)):
                raise Rejected("entry %d: an assignment names whom and which unit" % i)
            if act == "enter":
                if e["user"] in entered.get(e["subject"], []):
                    raise Rejected("entry %d: the protocol %s is entered twice by the same person "
                                   "while it waits" % (i, e["subject"]))
                entered.setdefault(e["subject"], []).append(e["user"])
                if e.get("scan") is not None:
                    scanned.add(e["subject"])
            elif act in ("override", "resolve"):
                if not entered.get(e["subject"]):
                    raise Rejected("entry %d: '%s' of a protocol not waiting for verification"
                                   % (i, act))
                (overridden if act == "override" else resolved).add(e["subject"])
            elif act in ("quick-count", "supervise", "incident", "incident-status"):
                # Revision 9: a user this log granted roles acts in a quick count only in its
                # role (observer, supervisor); a group's staff granted outside the log pass.
                mine = granted_roles.get(e["user"])
                if e["user"] != "console" and mine and roles[act] not in mine:
                    raise Rejected("entry %d: a '%s' act by a user this log granted '%s', not '%s'"
                                   % (i, act, "', '".join(sorted(mine)), roles[act]))
            elif act == "intake":
                double = e["double"]
            elif act == "certify":
                still_open = [k for k, st in complaints.items() if st in ("received", "under-review")]
                if still_open and "reason" not in e:
                    raise Rejected("entry %d: a certification with %d complaint(s) still open"
                                   % (i, len(still_open)))
            elif act == "sign-off":
                if e["user"] == "console":
                    raise Rejected("entry %d: a sign-off is a board member's, never the console's" % i)
                # A member's sign-off withdraws their earlier one of any other entry: only the
                # marks a member signed off last can be logged with it.
                for d in [d for d, us in signed.items() if d != e["subject"] and e["user"] in us]:
                    signed[d].remove(e["user"])
                by = signed.setdefault(e["subject"], [])
                if e["user"] in by:
                    raise Rejected("entry %d: the board's entry %s is signed off twice by the same "
                                   "member" % (i, e["subject"]))
                by.append(e["user"])
                last_signer = e["user"]
            elif act in ("verify", "reject"):
                users = entered.get(e["subject"], [])
                if not users:
                    raise Rejected("entry %d: %s of a protocol never entered" % (i, act))
                others = [k for k, u in enumerate(users) if u != e["user"]]
                verifying = {"double": double, "keyings": len(set(users)),
                             "resolved": e["subject"] in resolved,
                             "overridden": e["subject"] in overridden,
                             "scanned": e["subject"] in scanned}
                if others:
                    users.pop(others[0])
                    if double and act == "verify":
                        users.clear()
                else:
                    raise Rejected("entry %d: two-person rule: entered and %s by the same person" % (i, act + "ed" if act == "reject" else "verified"))
            # The first member's sign-off logs nothing more; the second's, the board's entry.
            if act in follows and (act != "sign-off" or len(signed[e["subject"]]) >= 2):
                expect = (act, e.get("subject"))
        elif t == "units":
            for k, (uid, par, lev, unit_name) in enumerate(e["units"]):
                u32(i, "units[%d].id" % k, uid)
                u32(i, "units[%d].parent" % k, par)
                if uid != len(parent):
                    raise field(i, "units[%d].id" % k, "unit id %d, expected %d: ids follow one another"
                                % (uid, len(parent)))
                if unknown_unit(par):
                    raise field(i, "units[%d].parent" % k, unknown_unit(par))
                # model's UnitTree::insert: a level below its parent's, a name once under it.
                if lev not in UNIT_LEVELS or UNIT_LEVELS.index(lev) <= UNIT_LEVELS.index(level[par]):
                    raise field(i, "units[%d].level" % k, "a %s cannot be placed under a %s"
                                % (lev, level[par]))
                if (par, unit_name) in named:
                    raise field(i, "units[%d].name" % k, "%s '%s' appears twice under '%s'"
                                % (lev, unit_name, path(par)))
                named.add((par, unit_name))
                parent[uid], level[uid], name[uid] = par, lev, unit_name
        elif t == "protocol":
            key = (e["station"], e["contest"])
            u32(i, "station", e["station"])
            u32(i, "version", e["version"])
            if not_a_station(e["station"]):
                raise field(i, "station", not_a_station(e["station"]))
            if not is_count(e["contest"]) or e["contest"] >= len(contests):
                raise field(i, "contest", no_contest(e["contest"]))
            n = len(contests[e["contest"]]["choices"])
            if len(e["votes"]) != n:
                raise field(i, "votes", "%d vote counts for %d choices" % (len(e["votes"]), n))
            counts = list(e["lines"].values()) + list(e["votes"])
            if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX for v in counts):
                raise Rejected("entry %d: station '%s': a count is not a whole number from 0 to %d"
                               % (i, path(e["station"]), MAX))
            # One chain of versions per station and contest, whichever count each is; only
            # the legal count is counted, the other is kept beside it (never in its place).
            prev = max(p.get(key, {"version": 0})["version"] for p in (latest, other))
            if e["version"] != prev + 1:
                raise Rejected("entry %d: version %d after %d" % (i, e["version"], prev))
            (latest if e["source"] == legal else other)[key] = e
            results_changed(i, e)
        elif t == "decision":
            what = {"annul-unit": "annulment", "recount": "recount", "revote": "re-vote"}
            if e["kind"] in what:
                u32(i, "unit", e["unit"])
                if unknown_unit(e["unit"]):
                    raise field(i, "unit", "%s of an unknown unit: %s"
                                % (what[e["kind"]], unknown_unit(e["unit"])))
            elif e["unit"] != 0:
                raise Rejected("entry %d: not in canonical form (a '%s' decision has unit 0)"
                               % (i, e["kind"]))
            decisions.add(i)
            unit_of[i] = None if e["kind"] == "reopen" else e["unit"]  # a reopening answers none
            # An annulled unit, and a unit ordered to re-vote, leave the totals.
            if e["kind"] in ("annul-unit", "revote"):
                annulled.add(e["unit"])
            results_changed(i, e)
        elif t == "complaint":
            keys_in_order(i, e, ("type", "unit", "by", "text", "scan"), ("category",))
            if "category" in e and e["category"] not in CATEGORIES:
                raise field(i, "category", "'%s', expected one of: %s"
                            % (e["category"], ", ".join(CATEGORIES)))
            complaints[i] = "received"
            unit_of[i] = e["unit"]
            u32(i, "unit", e["unit"])
            if unknown_unit(e["unit"]):
                raise field(i, "unit", "complaint about an unknown unit: %s" % unknown_unit(e["unit"]))
        elif t == "complaint-status":
            keys_in_order(i, e, ("type", "complaint", "status", "reason", "decision"), ())
            if not is_count(e["complaint"]) or not (e["decision"] is None or is_count(e["decision"])):
                raise field(i, "complaint", "entries are named by whole numbers")
            if not isinstance(e["reason"], str):
                raise field(i, "reason", "a reason is a commitment")
            c = e["complaint"]
            if c not in complaints:
                raise field(i, "complaint", "entry %s is not a complaint of this log" % c)
            if e["status"] not in NEXT_STATUS[complaints[c]]:
                raise field(i, "status", "a complaint that is %s cannot become %s"
                            % (complaints[c], e["status"]))
            if e["decision"] is not None:
                if e["decision"] not in decisions:
                    raise field(i, "decision", "entry %s is not a decision of this log" % e["decision"])
                if e["status"] == "dismissed":
                    raise field(i, "decision", "a dismissed complaint is answered by no decision")
                if unit_of[e["decision"]] is None:
                    raise field(i, "decision", "entry %s reopens the election, which answers no "
                                "complaint" % e["decision"])
                if not related(unit_of[c], unit_of[e["decision"]]):
                    raise field(i, "decision", "entry %s decides about another unit than the "
                                "complaint's (entry %s), a unit above it or one below it"
                                % (e["decision"], c))
            complaints[c] = e["status"]
        elif t == "audit":
            # Audit steps change no totals (tallyproof audit status recomputes their risk from
            # them), so everything they name must exist.
            audit_step(i, e)
        elif t == "pvt":
            # A quick count's steps change no totals; its sample and estimates are recomputed
            # from them (revision 7).
            try:
                quick.step(e, quick_act, i)
            except QuickRefused as r:
                raise Rejected("entry %d: %s" % (i, r))
        elif t == "incident":
            # Incident reports and their statuses change no totals (revision 9).
            try:
                incidents.step(i, e, incident_act, parent, level)
            except IncidentRefused as r:
                raise Rejected("entry %d: %s" % (i, r))
        elif t == "keys":
            pass
        elif t == "publication":
            publications += 1
            contest = e["contest"]
            if not is_count(contest) or contest >= len(contests):
                raise field(i, "contest", no_contest(contest))
            if e["stage"] not in STAGES:
                raise field(i, "stage", "'%s', expected one of: %s" % (e["stage"], ", ".join(STAGES)))
            seats = e["seats"]
            if seats is not None:
                # Seats are allocated from the first contest's votes alone (and recomputed by
                # the Rust verifier only: here the law and base are checked, not the seats).
                if contest != 0:
                    raise field(i, "seats", "contest %d's publication states seats: only the first "
                                "contest's (0) may" % contest)
                if seats["base"].strip().lower().replace("_", "-") not in BASES:
                    raise field(i, "seats.base", "unknown threshold base '%s'" % seats["base"])
                if seats["law"] not in LAWS:
                    raise field(i, "seats", "unknown law preset '%s', expected one of: %s"
                                % (seats["law"], ", ".join(LAWS)))
            n = len(election["contests"][contest]["choices"])
            votes, counted = [0] * n, 0
            valid = invalid = 0
            has_valid = has_invalid = True
            mine = []
            for (station, c), p in sorted(latest.items()):
                if c != contest:
                    continue
                u, out = station, False
                while u is not None:
                    if u in annulled:
                        out = True
                    u = parent[u]
                if out:
                    continue
                mine.append((station, p))
                counted += 1
                votes = [a + b for a, b in zip(votes, p["votes"])]
                if "valid" in p["lines"]:
                    valid += p["lines"]["valid"]
                else:
                    has_valid = False
                if "invalid" in p["lines"]:
                    invalid += p["lines"]["invalid"]
                else:
                    has_invalid = False
            choices = [c["name"] for c in election["contests"][contest]["choices"]]
            check_totals(i, mine, path, choices)
            want = {
                "stations_counted": counted,
                "votes": votes,
                "valid": valid if has_valid and counted else None,
                "invalid": invalid if has_invalid and counted else None,
            }
            for key, value in want.items():
                if e[key] != value:
                    raise Rejected("entry %d (%s publication): %s: logged %s, recomputed %s" % (i, e["stage"], key, e[key], value))
    if expect is not None:
        raise Rejected("the log ends after a staff '%s' entry" % expect[0])
    quick_out.update(quick.finish())
    incidents_out.extend(incidents.finish())
    return len(latest), publications


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    d, key_text = sys.argv[1], sys.argv[2]
    if os.path.exists(key_text):
        key_text = open(key_text).read()
    try:
        key = parse_key(key_text)
        origin, size, root = open_checkpoint(read(d, "checkpoint").decode("utf-8"), key)
        entries, leaves = read_log(d, size)
        if mth(leaves) != root:
            raise Rejected("the tiles' root is not the checkpoint's")
        quick = {}
        protocols, publications = replay(entries, quick)
    except Rejected as r:
        print("REJECTED: %s" % r)
        return 1
    except (KeyError, IndexError, TypeError, ValueError) as x:
        print("REJECTED: malformed (%s: %s)" % (type(x).__name__, x))
        return 1
    print("VALID: %s, %d entries, %d protocols, %d publication(s) recomputed" % (origin, size, protocols, publications))
    for name, q in quick.items():
        print(quick_count_summary(name, q))
    return 0


def quick_count_summary(name, q):
    """What `tallyproof verify` prints of a quick count: its draw and estimates, each share
    with its base and the stations it covers."""
    if q["estimates"] is None:
        return "quick count '%s': %d frame stations, sample not drawn yet (seed not revealed)" \
            % (name, q["frame_stations"])
    a = q["estimates"]["arrival"]
    designed = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(q["designed_at"]))
    if q["vote_day"] is not None:
        designed += (", before the day of the vote" if designed[:10] < q["vote_day"]
                     else ", NOT before the day of the vote")
    out = ["quick count '%s': designed %s; %d of %d sampled stations reported (%d reserves "
           "standing in)%s"
           % (name, designed, a["reported"], a["sample"], a["reserves_used"],
              "; unbalanced, strata missing: %s" % ", ".join(a["missing"]) if a["unbalanced"] else "")]
    if q["conflicts"] or q["quarantined"]:
        out[0] += ("; left out: %d station(s) whose observers disagree, %d in quarantine"
                   % (q["conflicts"], q["quarantined"]))
    if q["revised"]:
        out[0] += ("; %d station(s) once counted with another copy (a correction or a choice)"
                   % q["revised"])
    for label, e in zip(q["names"], q["estimates"]["estimates"]):
        o = e["overall"]
        if o is None:
            why = ("no stratum has 2 reports" if len(a["missing"]) == len(e["strata"]) else
                   "the reports give no registered voters, or fewer than their ballots"
                   if label == "turnout" else "the reports give no valid votes")
            out.append("  %s: no estimate (%s)" % (label, why))
        else:
            out.append("  %s: %.2f%% +/- %.2f (95%%), of %s at %d stations"
                       % (label, o["share_pct"], o["margin_95_pct"],
                          "registered voters" if label == "turnout" else "valid votes",
                          o["stations"]))
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
