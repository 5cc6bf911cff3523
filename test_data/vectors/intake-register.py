"""Writes intake-register.json: the logs of protocol intake and the complaint register
(docs/log-format.md, revision 3) that both verifiers must take or refuse at the same entry.
Run from this directory: python3 intake-register.py > intake-register.json"""

import hashlib
import json


def text(e):
    return json.dumps(e, ensure_ascii=False, separators=(",", ":"))


def sha(e):
    return hashlib.sha256(b"\x01" + text(e).encode("utf-8")).hexdigest()


def hexid(n):
    return "%064x" % n


A, B, V, CHAIR, OBS = (hexid(n) for n in (1, 2, 3, 4, 5))


def election(law, rules=("error: choices = valid",)):
    return {"type": "election", "name": "t", "date": None, "country": "KG",
            "contests": [{"name": "c", "kind": "party-list", "choices": [
                {"name": "A", "kind": "party", "ballot_number": None},
                {"name": "B", "kind": "party", "ballot_number": None}]}],
            "rules": list(rules), "law": law}


UNITS = {"type": "units", "units": [[1, 0, "region", "R"], [2, 1, "station", "1"], [3, 1, "station", "2"]]}


def protocol(station, votes):
    return {"type": "protocol", "station": station, "contest": 0, "version": 1, "source": "manual",
            "lines": {"valid": 10}, "votes": votes, "reference": None}


BAD, GOOD = protocol(2, [9, 4]), protocol(3, [6, 4])  # 13 votes for 10 valid ballots; 10 for 10
BLANK = dict(GOOD, lines={})  # no valid ballots line: `choices = valid` cannot be checked


def staff(act, role, user, subject=None, scan=None, **more):
    e = {"type": "staff", "act": act, "role": role, "user": user, "subject": subject, "scan": scan}
    e.update(more)
    return e


def enter(p, user, scan=None):
    return staff("enter", "operator", user, sha(p), scan)


def verify(p):
    return staff("verify", "verifier", V, sha(p))


def ruling(act, p, n):
    return staff(act, "commissioner", CHAIR, sha(p), reason=hexid(100 + n))


def intake(double):
    return staff("intake", "commissioner", CHAIR, double=double)


COMPLAIN = staff("complain", "observer", OBS)
COMPLAINT = {"type": "complaint", "unit": 2, "by": hexid(6), "text": hexid(7), "scan": None,
             "category": "count"}
DECIDE = staff("decide", "commissioner", CHAIR)
RECOUNT = {"type": "decision", "kind": "recount", "unit": 2, "reason": hexid(8)}
REVIEW = staff("review", "commissioner", CHAIR)
FINAL = {"type": "publication", "stage": "final", "contest": 0, "stations_counted": 0,
         "votes": [0, 0], "valid": None, "invalid": None, "seats": None}


def status(complaint, s, decision=None, n=0):
    return {"type": "complaint-status", "complaint": complaint, "status": s,
            "reason": hexid(200 + n), "decision": decision}


def certify(reason=None):
    more = {} if reason is None else {"reason": reason}
    return staff("certify", "commissioner", CHAIR, **more)


E, E21 = election(None), election("kg2021")
CASES = [
    ("a protocol breaking an error-level relation is quarantined", [E, UNITS, enter(BAD, A), verify(BAD), BAD], 4),
    ("a commissioner's override lifts the quarantine", [E, UNITS, enter(BAD, A), ruling("override", BAD, 1), verify(BAD), BAD], None),
    ("a blank line quarantines a protocol too", [E, UNITS, enter(BLANK, A), verify(BLANK), BLANK], 4),
    ("an override lifts the quarantine of a blank line", [E, UNITS, enter(BLANK, A), ruling("override", BLANK, 1), verify(BLANK), BLANK], None),
    ("an override names a protocol waiting", [E, UNITS, ruling("override", BAD, 1)], 2),
    ("under double entry one keying is not enough", [E, UNITS, intake(True), enter(GOOD, A), verify(GOOD), GOOD], 5),
    ("two operators' matching keyings", [E, UNITS, intake(True), enter(GOOD, A), enter(GOOD, B), verify(GOOD), GOOD], None),
    ("one operator keys a waiting protocol once", [E, UNITS, intake(True), enter(GOOD, A), enter(GOOD, A), verify(GOOD), GOOD], 4),
    ("a second keying by a second operator, then one twice", [E, UNITS, intake(True), enter(GOOD, A), enter(GOOD, B), enter(GOOD, B)], 5),
    ("a commissioner resolves a double entry", [E, UNITS, intake(True), enter(GOOD, A), ruling("resolve", GOOD, 2), verify(GOOD), GOOD], None),
    ("double entry switched off again", [E, UNITS, intake(True), intake(False), enter(GOOD, A), verify(GOOD), GOOD], None),
    ("kg2021: the legal count is entered with its scan", [E21, UNITS, enter(GOOD, A), verify(GOOD), GOOD], 4),
    ("kg2021: with its scan", [E21, UNITS, enter(GOOD, A, "sha256:" + hexid(9)), verify(GOOD), GOOD], None),
    ("a complaint upheld, answered by a decision, then certification",
     [E, UNITS, COMPLAIN, COMPLAINT, DECIDE, RECOUNT, REVIEW, status(3, "upheld", 5), certify(), FINAL], None),
    ("a complaint is answered by a decision about a unit above it",
     [E, UNITS, COMPLAIN, COMPLAINT, DECIDE, dict(RECOUNT, unit=1), REVIEW, status(3, "upheld", 5)], None),
    ("a complaint is answered by no decision about another station",
     [E, UNITS, COMPLAIN, COMPLAINT, DECIDE, dict(RECOUNT, unit=3), REVIEW, status(3, "upheld", 5)], 7),
    ("an import's protocols come before any staff act", [E, UNITS, GOOD, BAD, intake(False)], None),
    ("after a staff act a protocol needs a verify", [E, UNITS, GOOD, intake(False), BAD], 4),
    ("a reopening answers no complaint",
     [E, UNITS, COMPLAIN, COMPLAINT, certify(hexid(10)), FINAL, DECIDE,
      {"type": "decision", "kind": "reopen", "unit": 0, "reason": hexid(12)}, REVIEW, status(3, "upheld", 7)], 9),
    ("a rule's severity is error or warning", [election(None, ["err: choices = valid"]), UNITS], 0),
    ("a rule's terms are lines, issued, found or choices", [election(None, ["error: choices = vaild"]), UNITS], 0),
    ("a rule is written in its canonical text", [election(None, ["error: choices=valid"]), UNITS], 0),
    ("certification while a complaint is open needs a reason", [E, UNITS, COMPLAIN, COMPLAINT, certify(), FINAL], 4),
    ("certification while a complaint is open, with a reason", [E, UNITS, COMPLAIN, COMPLAINT, certify(hexid(10)), FINAL], None),
    ("a status of an entry that is no complaint", [E, UNITS, REVIEW, status(1, "dismissed")], 3),
    ("a final status never changes",
     [E, UNITS, COMPLAIN, COMPLAINT, REVIEW, status(3, "dismissed"), REVIEW, status(3, "upheld", n=1)], 7),
    ("a status follows a staff review", [E, UNITS, COMPLAIN, COMPLAINT, status(3, "dismissed")], 4),
    ("a dismissed complaint is answered by no decision",
     [E, UNITS, COMPLAIN, COMPLAINT, DECIDE, RECOUNT, REVIEW, status(3, "dismissed", 5)], 7),
    ("a reason only on the acts that give one", [E, UNITS, staff("enter", "operator", A, sha(GOOD), reason=hexid(11))], 2),
    ("an override needs its reason", [E, UNITS, enter(BAD, A), staff("override", "commissioner", CHAIR, sha(BAD))], 3),
    ("a null reason is no reason", [E, UNITS, COMPLAIN, COMPLAINT, staff("certify", "commissioner", CHAIR, reason=None), FINAL], 4),
    ("an entry is named by a whole number", [E, UNITS, COMPLAIN, COMPLAINT, REVIEW, status(3.0, "dismissed")], 5),
    ("a complaint's category comes last", [E, UNITS, COMPLAIN, {"type": "complaint", "unit": 2, "category": "count", "by": hexid(6), "text": hexid(7), "scan": None}], 3),
    ("a complaint's status has its keys in order", [E, UNITS, COMPLAIN, COMPLAINT, REVIEW, {"type": "complaint-status", "status": "dismissed", "complaint": 3, "reason": hexid(200), "decision": None}], 5),
]

# Revision 4 (issue 18): targeted hand counts beside an audit's random sample. Entry 3 is a
# complaint about station 2, upheld at entry 5 (UPHELD); entries 6 to 9 start an audit and draw
# its first round (AUDITED); a target or a count follows at entry 11.
AUDIT = staff("audit", "auditor", hexid(13))
START = {"type": "audit", "step": "start", "audit": "a", "contest": 0, "law": "kg2020", "base": None,
         "method": "batch", "risk_limit": "5", "seed": "1", "ballots": 20, "cvrs": None}
ROUND = {"type": "audit", "step": "round", "audit": "a", "round": 1, "size": 1}
UPHELD = [E, UNITS, COMPLAIN, COMPLAINT, REVIEW, status(3, "upheld")]
AUDITED = [AUDIT, START, AUDIT, ROUND]


def target(*targets, rnd=1):
    return [AUDIT, {"type": "audit", "step": "target", "audit": "a", "round": rnd, "targets": list(targets)}]


def counted(*counts, rnd=1):
    return [AUDIT, {"type": "audit", "step": "targeted-counts", "audit": "a", "round": rnd, "counts": list(counts)}]


CASES += [
    ("a flagged station targeted, then counted", UPHELD + AUDITED + target([3, "7.41", None]) + counted([3, [6, 4], 10]), None),
    ("a station of an upheld complaint targeted", UPHELD + AUDITED + target([2, None, 3]), None),
    ("a complaint about a unit above the station targets it",
     [E, UNITS, COMPLAIN, dict(COMPLAINT, unit=1), REVIEW, status(3, "upheld")] + AUDITED + target([3, None, 3]), None),
    ("a target comes after a round is drawn", UPHELD + [AUDIT, START] + target([3, "7.41", None]), 9),
    ("a target's round was drawn", UPHELD + AUDITED + target([3, "7.41", None], rnd=2), 11),
    ("a target's complaint is upheld",
     [E, UNITS, COMPLAIN, COMPLAINT, REVIEW, status(3, "under-review")] + AUDITED + target([2, None, 3]), 11),
    ("a target's complaint is about the station or a unit above it", UPHELD + AUDITED + target([3, None, 3]), 11),
    ("a target's complaint is a complaint", UPHELD + AUDITED + target([2, None, 4]), 11),
    ("a target gives one reason, not two", UPHELD + AUDITED + target([2, "7.41", 3]), 11),
    ("a target gives a reason", UPHELD + AUDITED + target([2, None, None]), 11),
    ("a flag's score is decimal text", UPHELD + AUDITED + target([2, "7,41", None]), 11),
    ("a target is a station", UPHELD + AUDITED + target([1, "7.41", None]), 11),
    ("a station is targeted once", UPHELD + AUDITED + target([3, "7.41", None], [3, "2.00", None]), 11),
    ("a targeted count is of a targeted station", UPHELD + AUDITED + target([3, "7.41", None]) + counted([2, [6, 4], 10]), 13),
    ("a targeted station is counted once",
     UPHELD + AUDITED + target([3, "7.41", None]) + counted([3, [6, 4], 10]) + counted([3, [6, 4], 10]), 15),
    ("a targeted count has a vote per choice", UPHELD + AUDITED + target([3, "7.41", None]) + counted([3, [6], 10]), 13),
    ("a targeted count's votes are whole numbers from 0", UPHELD + AUDITED + target([3, "7.41", None]) + counted([3, [-1, 11], 10]), 13),
    ("a targeted count's votes are not fractions", UPHELD + AUDITED + target([3, "7.41", None]) + counted([3, [1.5, 8.5], 10]), 13),
    ("a targeted count's ballots are a whole number", UPHELD + AUDITED + target([3, "7.41", None]) + counted([3, [6, 4], -1]), 13),
    ("a station targeted in round 1 is counted in round 2",
     UPHELD + AUDITED + target([3, "7.41", None]) + [AUDIT, dict(ROUND, round=2)] + counted([3, [6, 4], 10], rnd=2), None),
    ("a station targeted in round 2 is not counted in round 1",
     UPHELD + AUDITED + [AUDIT, dict(ROUND, round=2)] + target([3, "7.41", None], rnd=2) + counted([3, [6, 4], 10]), 15),
    ("an audit step has its keys and no other", UPHELD + AUDITED + [AUDIT, dict(target([3, "7.41", None])[1], note="x")], 11),
    ("an audit step's keys are in order",
     UPHELD + AUDITED + [AUDIT, {"type": "audit", "step": "target", "audit": "a", "targets": [[3, "7.41", None]], "round": 1}], 11),
]

# Revision 5 (issue 18): audit boards. Entries 2 to 5 start a comparison audit and draw its
# first round of 2 ballots (DRAWN); the auditor forms board 1 (members M1 and M2) at entry 7;
# each member's sign-off names the SHA-256 of the board's entry, which follows the second.
M1, M2, M3, M4 = (hexid(n) for n in (20, 21, 22, 23))
COMPARISON = dict(START, method="comparison")
DRAWN = [E, UNITS, AUDIT, COMPARISON, AUDIT, dict(ROUND, size=2)]


def boards(*pairs, rnd=1):
    return [AUDIT, {"type": "audit", "step": "boards", "audit": "a", "round": rnd, "boards": [list(p) for p in pairs]}]


def board_readings(*readings, board=1):
    return {"type": "audit", "step": "board-readings", "audit": "a", "round": 1, "board": board,
            "readings": [list(r) for r in readings]}


def sign_off(user, entry):
    return staff("sign-off", "board-member", user, sha(entry))


BR = board_readings([1, 0, 0, True], [2, 1, None, True])
BR2 = board_readings([1, 1, 1, True])
BOARD1 = boards((M1, M2))
READINGS = {"type": "audit", "step": "readings", "audit": "a", "round": 1, "readings": [[1, 0, 0]]}
BC = {"type": "audit", "step": "board-counts", "audit": "a", "round": 1, "board": 1, "counts": [[3, [6, 4], 10]]}
CASES += [
    ("two members sign off their board's readings", DRAWN + BOARD1 + [sign_off(M1, BR), sign_off(M2, BR), BR], None),
    ("a ballot the board did not find", DRAWN + BOARD1 + [sign_off(M1, BR2), sign_off(M2, BR2), BR2], None),
    ("a batch audit's board signs off its hand counts",
     [E, UNITS] + AUDITED + BOARD1 + [sign_off(M2, BC), sign_off(M1, BC), BC], None),
    ("a board's readings follow its second member's sign-off", DRAWN + BOARD1 + [sign_off(M1, BR), BR], 9),
    ("a board's readings never follow an auditor's act", DRAWN + BOARD1 + [AUDIT, BR], 9),
    ("a member signs off an entry once", DRAWN + BOARD1 + [sign_off(M1, BR), sign_off(M1, BR)], 9),
    ("a board is signed off by its own two members", DRAWN + BOARD1 + [sign_off(M1, BR), sign_off(M3, BR), BR], 10),
    ("the console signs off no board", DRAWN + BOARD1 + [sign_off("console", BR)], 8),
    ("the entry after the second sign-off is the one signed off", DRAWN + BOARD1 + [sign_off(M1, BR), sign_off(M2, BR), BR2], 10),
    ("a board is two different members", DRAWN + boards((M1, M1)), 7),
    ("a member sits on one board of a round", DRAWN + boards((M1, M2), (M2, M3)), 7),
    ("the console sits on no board", DRAWN + boards((M1, "console")), 7),
    ("boards are formed for a drawn round", DRAWN + boards((M1, M2), rnd=2), 7),
    ("a round has its boards once", DRAWN + BOARD1 + boards((M3, M4)), 9),
    ("a round with boards takes no readings from the auditor", DRAWN + BOARD1 + [AUDIT, READINGS], 9),
    ("no boards after a round's readings", DRAWN + [AUDIT, READINGS] + BOARD1, 9),
    ("a board signs off once",
     DRAWN + BOARD1 + [sign_off(M1, BR), sign_off(M2, BR), BR, sign_off(M1, BR2), sign_off(M2, BR2), BR2], 13),
    ("a board that was formed", DRAWN + BOARD1 + [sign_off(M1, dict(BR, board=2)), sign_off(M2, dict(BR, board=2)), dict(BR, board=2)], 10),
    ("a ballot not found has no paper choice",
     DRAWN + BOARD1 + [sign_off(M1, board_readings([1, 0, 0, False])), sign_off(M2, board_readings([1, 0, 0, False])),
                       board_readings([1, 0, 0, False])], 10),
    ("a draw is read by one board of a round",
     DRAWN + boards((M1, M2), (M3, M4)) + [sign_off(M1, BR2), sign_off(M2, BR2), BR2]
     + [sign_off(M3, dict(BR2, board=2)), sign_off(M4, dict(BR2, board=2)), dict(BR2, board=2)], 13),
    ("a staff entry's user is text", DRAWN + BOARD1 + [dict(sign_off(M1, BR), user=5)], 8),
    ("a staff entry's subject is text", DRAWN + BOARD1 + [dict(sign_off(M1, BR), subject=["x"])], 8),
    ("a member's later sign-off withdraws their earlier one",
     DRAWN + BOARD1 + [sign_off(M1, BR), sign_off(M1, BR2), sign_off(M2, BR), BR], 11),
    ("the board's entry is the one both members signed off last",
     DRAWN + BOARD1 + [sign_off(M1, BR), sign_off(M1, BR2), sign_off(M2, BR2), BR2], None),
    ("a board's reading says whether the ballot was found",
     DRAWN + BOARD1 + [sign_off(M1, board_readings([1, 0, 0])), sign_off(M2, board_readings([1, 0, 0])),
                       board_readings([1, 0, 0])], 10),
]

# Revision 6 (issue 18): the auditor who forms a round's boards sits on none of them, and a
# member the log granted a role is granted the board member's.
GRANT_M1 = staff("grant", "admin", "console", M1, grants="board-member")
GRANT_M2_OPERATOR = staff("grant", "admin", "console", M2, grants="operator")
AUDITOR = hexid(13)
CASES += [
    ("the auditor who forms the boards sits on none", DRAWN + boards((M1, AUDITOR)), 7),
    ("a member granted here is granted the board member's role",
     DRAWN[:2] + [GRANT_M1, GRANT_M2_OPERATOR] + DRAWN[2:] + boards((M1, M2)), 9),
    ("members granted the board member's role here, or elsewhere",
     DRAWN[:2] + [GRANT_M1] + DRAWN[2:] + boards((M1, M2)), None),
]

# Revision 6 (issue 18): an audit checks the results as they stood when it began. Station 3's
# protocol is imported at entry 2 and an audit begins at entry 4 (BEGUN); the first entry after
# that changes the results it checks (a protocol of the count its law makes legal, an annulment,
# a re-vote, an election annulled or reopened) ends its steps.
GOOD2 = dict(GOOD, version=2, votes=[5, 5])
MACHINE = dict(GOOD, version=2, source="machine")
BEGUN = [E, UNITS, GOOD, AUDIT, START, AUDIT, ROUND]
ROUND2 = [AUDIT, dict(ROUND, round=2)]
CASES += [
    ("a correction after an audit began ends its steps", BEGUN + [enter(GOOD2, A), verify(GOOD2), GOOD2] + ROUND2, 11),
    ("the other count changes no result an audit checks", BEGUN + [enter(MACHINE, A), verify(MACHINE), MACHINE] + ROUND2, None),
    ("an annulment after an audit began ends its steps",
     BEGUN + [DECIDE, {"type": "decision", "kind": "annul-unit", "unit": 3, "reason": hexid(8)}] + ROUND2, 10),
    ("a recount order changes no result", BEGUN + [DECIDE, RECOUNT] + ROUND2, None),
    ("an audit begun after a correction takes its steps",
     BEGUN + [enter(GOOD2, A), verify(GOOD2), GOOD2, AUDIT, dict(START, audit="b"), AUDIT, dict(ROUND, audit="b")], None),
]

# Revision 11 (issue 22): an operator's entry made from the posted protocol's QR code records
# the code's SHA-256 (`posted`, 64 lower-case hex digits), on an `enter` only.
POSTED = hexid(42)
CASES += [
    ("an entry that records its posted code's digest",
     [E, UNITS, dict(enter(GOOD, A), posted=POSTED), verify(GOOD), GOOD], None),
    ("a posted code's digest in capitals", [E, UNITS, dict(enter(GOOD, A), posted=POSTED.upper())], 2),
    ("a posted code's digest too short", [E, UNITS, dict(enter(GOOD, A), posted=POSTED[:63])], 2),
    ("a posted code's digest on a verify",
     [E, UNITS, enter(GOOD, A), dict(verify(GOOD), posted=POSTED), GOOD], 3),
]

print(json.dumps({
    "about": "Protocol intake and the complaint register (docs/log-format.md, revision 3), targeted "
    "hand counts beside an audit (revision 4), audit boards' sign-offs (revision 5) and audits that "
    "end when the results they check change, with boards the auditor does not sit on (revision 6), and "
    "an entry's record of the posted protocol's QR code it was typed from (revision 11): logs that "
             "both verifiers, record's replay (crates/record/tests/intake.rs) and verifier/verify.py "
             "(verifier/test_verify.py), must accept, or refuse at the entry given (refused_at; the "
             "messages differ). Each entry is [format version, JSON text]. Written by "
             "intake-register.py.",
    "cases": [{"name": n, "entries": [[1, text(e)] for e in es], "refused_at": r} for n, es, r in CASES],
}, ensure_ascii=False, indent=1))
