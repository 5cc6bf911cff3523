"""Incident reports in the log (docs/log-format.md, "incident", revision 9), as record's
incidents.rs checks them: a report logged by its reporter's `incident` act (a category key, a
unit below the country, a time to the minute or the hour not after the act's, a commitment to
the exact place and time only where coarsened, the text and at most 5 photos as commitments);
a supervisor's `incident-status` act giving a report of this log another status, with a
reason."""

import calendar
import re

from quick_count import MAX_REASON, blank, text_fault

MAX_PHOTOS = 5
COMMITMENT = re.compile(r"[0-9a-f]{64}\Z")
CATEGORY = re.compile(r"[a-z0-9-]{1,40}\Z")
MINUTE = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2})(?::(\d{2}))?\Z")
STATUSES = ("citizen", "confirmed", "rejected")
REPORT_KEYS = ("type", "step", "category", "unit", "time", "exact", "text", "photos")
STATUS_KEYS = ("type", "step", "incident", "status", "reason")
EARLIEST, END = 946684800, 253402300800


class Refused(Exception):
    pass


def parse_minute(text):
    """record's Time::parse_minute: (Unix seconds, given to the hour) or None."""
    m = MINUTE.match(text) if isinstance(text, str) else None
    if not m:
        return None
    y, mo, d, h = (int(m.group(k)) for k in range(1, 5))
    hourly = m.group(5) is None
    mi = 0 if hourly else int(m.group(5))
    if not 1 <= mo <= 12 or d == 0 or h > 23 or mi > 59 or y < 1970:
        return None
    if d > calendar.monthrange(y, mo)[1]:
        return None
    t = calendar.timegm((y, mo, d, h, mi, 0))
    if not EARLIEST <= t < END:
        return None
    return t, hourly


class Incidents:
    def __init__(self):
        self.status = {}  # report entry index -> status
        self.reports = {}  # report entry index -> what the log says of it

    def finish(self):
        """Every incident, in log order: its entry, category, unit, time, whether coarsened
        and its status now."""
        return [dict(self.reports[k], status=self.status[k]) for k in sorted(self.reports)]

    def step(self, i, e, act, units, level):
        """Takes entry i, an incident step, logged by act (index, time, user, act) or None."""
        step = e.get("step")
        if step not in ("report", "status"):
            raise Refused("field 'step': unknown incident step '%s'" % step)
        keys = REPORT_KEYS if step == "report" else STATUS_KEYS
        if list(e) != list(keys):
            raise Refused("not in canonical form (keys %s, expected %s)"
                          % (", ".join(e), ", ".join(keys)))
        wanted = "incident" if step == "report" else "incident-status"
        if act is None or act[3] != wanted:
            raise Refused("field 'step': an incident's %s is logged by an '%s' act"
                          % (step, wanted))
        if step == "report":
            self.report(i, e, act, units, level)
        else:
            self.give(i, e)

    def report(self, i, e, act, units, level):
        if not isinstance(e["category"], str) or not CATEGORY.match(e["category"]):
            raise Refused("field 'category': 1 to 40 lower-case letters, digits and '-'")
        u = e["unit"]
        if not isinstance(u, int) or isinstance(u, bool) or u not in units or u == 0:
            raise Refused("field 'unit': no unit of the election below the country")
        at = parse_minute(e["time"])
        if at is None:
            raise Refused("field 'time': a time 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH' (UTC)")
        t, hourly = at
        if act[1] is not None and t > act[1]:
            raise Refused("field 'time': after the report itself")
        coarse = hourly or level[u] != "station"
        x = e["exact"]
        if x is not None:
            if not isinstance(x, str) or not COMMITMENT.match(x):
                raise Refused("field 'exact': a commitment: 64 lower-case hex digits")
            if not coarse:
                raise Refused("field 'exact': only a report coarsened commits to the exact "
                              "place and time")
        if not isinstance(e["text"], str) or not COMMITMENT.match(e["text"]):
            raise Refused("field 'text': a commitment: 64 lower-case hex digits")
        photos = e["photos"]
        if not isinstance(photos, list) or len(photos) > MAX_PHOTOS:
            raise Refused("field 'photos': at most %d" % MAX_PHOTOS)
        for k, p in enumerate(photos):
            if not isinstance(p, str) or not COMMITMENT.match(p) or p in photos[:k]:
                raise Refused("field 'photos[%d]': a commitment, each once" % k)
        self.status[i] = "citizen"
        self.reports[i] = {"index": i, "category": e["category"], "unit": u, "time": e["time"],
                           "coarsened": x is not None}

    def give(self, i, e):
        k = e["incident"]
        if k not in self.status:
            raise Refused("field 'incident': entry %s is no incident report of this log" % k)
        if e["status"] not in STATUSES:
            raise Refused("field 'status': '%s', expected one of: %s"
                          % (e["status"], ", ".join(STATUSES)))
        r = e["reason"]
        if not isinstance(r, str) or blank(r) or len(r) > MAX_REASON or text_fault(r):
            raise Refused("field 'reason': a reason is text of 1 to %d characters, with no "
                          "control characters" % MAX_REASON)
        if self.status[k] == e["status"]:
            raise Refused("field 'status': the incident is '%s' already" % e["status"])
        self.status[k] = e["status"]
