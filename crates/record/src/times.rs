//! When acts were made: the `time` of a staff entry (format version 2, `docs/log-format.md`,
//! "staff"), a value the edge reads from its clock and passes in ([`Time`]; this crate reads
//! no clock), and the rules a replay holds staff times to ([`Times`]): once a staff entry
//! carries its time every later one does, and times never decrease. The entries an act logs
//! after its staff entry were made at that entry's time.

use std::fmt;
use std::num::NonZeroU64;

use crate::entry::Entry;
use crate::staff::Act;
use crate::RecordError;

/// A moment in whole seconds since 1970-01-01 00:00:00 UTC (Unix time, without leap
/// seconds), from 2000-01-01 to the end of 9999. Never zero, so an `Option<Time>` takes no
/// more room than the seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(NonZeroU64);

/// 2000-01-01 00:00:00 UTC: the earliest time a log takes.
const EARLIEST: u64 = 946_684_800;
/// 10000-01-01 00:00:00 UTC: every time a log takes is before it.
const END: u64 = 253_402_300_800;

impl Time {
    /// The time `seconds` after 1970-01-01 00:00:00 UTC; refused, naming the field `time`,
    /// before 2000 or after 9999 (a clock that was never set, a number that is no time).
    pub fn from_unix(seconds: u64) -> Result<Time, RecordError> {
        match NonZeroU64::new(seconds).filter(|_| (EARLIEST..END).contains(&seconds)) {
            Some(s) => Ok(Time(s)),
            None => Err(RecordError::Act {
                field: "time".into(),
                message: format!(
                    "{seconds} is not a time from 2000-01-01 to 9999-12-31 (Unix seconds, UTC)"
                ),
            }),
        }
    }

    /// Seconds since 1970-01-01 00:00:00 UTC, as the log writes them.
    pub fn unix(self) -> u64 {
        self.0.get()
    }
}

impl Time {
    /// The time a text gives to the minute, `2020-10-04 21:30` (UTC), or to the hour,
    /// `2020-10-04 21` (its start; `true`: given to the hour); `None` for any other text or a
    /// date that does not exist. What an incident report's `time` is.
    pub fn parse_minute(text: &str) -> Option<(Time, bool)> {
        let b = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<u64> {
            let part = b.get(r)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0, |a, &d| a * 10 + u64::from(d - b'0')))
        };
        let hourly = match b.len() {
            13 => true,
            16 if b[13] == b':' => false,
            _ => return None,
        };
        if b[4] != b'-' || b[7] != b'-' || b[10] != b' ' {
            return None;
        }
        let (y, m, d, h) = (
            digits(0..4)?,
            digits(5..7)?,
            digits(8..10)?,
            digits(11..13)?,
        );
        let min = if hourly { 0 } else { digits(14..16)? };
        if !(1..=12).contains(&m) || d == 0 || h > 23 || min > 59 {
            return None;
        }
        let days = days_from_civil(y, m, d)?;
        let t = Time::from_unix(days * 86_400 + h * 3600 + min * 60).ok()?;
        // A day past its month's end (2021-02-30) comes back as another date.
        (civil(days) == (y, m, d)).then_some((t, hourly))
    }
}

/// Days from 1970-01-01 to the proleptic Gregorian date `y-m-d` (Howard Hinnant's
/// `days_from_civil`), for dates from 1970 on; `None` before.
fn days_from_civil(y: u64, m: u64, d: u64) -> Option<u64> {
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let (era, yoe) = (y / 400, y % 400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// `2026-12-03 06:10:34 UTC`.
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (days, secs) = (self.unix() / 86_400, self.unix() % 86_400);
        let (y, m, d) = civil(days);
        let (h, min, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        write!(f, "{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02} UTC")
    }
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`,
/// for days on or after 1970, where every quantity is non-negative).
fn civil(days: u64) -> (u64, u64, u64) {
    // Days since 0000-03-01, in 400-year eras of 146,097 days.
    let z = days + 719_468;
    let (era, doe) = (z / 146_097, z % 146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    // Months from March: March is 0, February 11.
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The staff times of a replay, fed every entry in order: what the log's entries say about
/// when they were made.
#[derive(Debug, Clone, Default)]
pub(crate) struct Times {
    /// The latest staff time and its entry's index.
    last: Option<(u64, Time)>,
    /// The act whose entries may still follow: its kind, its time, the entries it has logged.
    act: Option<(Act, Option<Time>, u32)>,
    /// When the entry last checked was made, if the log says.
    made: Option<Time>,
}

impl Times {
    /// Checks entry `index`: a staff entry after a timed one must carry its time, and no
    /// earlier one; notes when the entry was made.
    pub(crate) fn check(&mut self, index: u64, entry: &Entry) -> Result<(), RecordError> {
        let field = |message: String| RecordError::Field {
            index,
            field: "time".into(),
            message,
        };
        let Entry::Staff(s) = entry else {
            self.made = match &mut self.act {
                Some((act, time, logged)) if logs_more(*act, *logged, entry) => {
                    *logged += 1;
                    *time
                }
                _ => {
                    self.act = None;
                    None
                }
            };
            return Ok(());
        };
        match (s.time, self.last) {
            (None, Some((k, _))) => {
                return Err(field(format!(
                    "missing, and staff entries carry their time from entry {k} on"
                )))
            }
            (Some(t), Some((k, last))) if t < last => {
                return Err(field(format!(
                    "{} is before {}, the time of entry {k}: times never decrease",
                    t.unix(),
                    last.unix()
                )))
            }
            _ => {}
        }
        if let Some(t) = s.time {
            self.last = Some((index, t));
        }
        self.act = Some((s.act.kind(), s.time, 0));
        self.made = s.time;
        Ok(())
    }

    /// When the entry last checked was made: a staff entry's own time, the time of the staff
    /// entry whose act logged it; none for an entry the log gives no time (an imported
    /// protocol, an act logged before staff entries carried times).
    pub(crate) fn made_at(&self) -> Option<Time> {
        self.made
    }

    /// The latest staff time so far: the log is as of then.
    pub(crate) fn as_of(&self) -> Option<Time> {
        self.last.map(|(_, t)| t)
    }
}

/// Whether `entry` is one more of what `act` logs after its staff entry, `logged` of them
/// having come (`crate::check_act_entries`): one protocol, complaint or decision; the
/// publications and a `keys` entry of a publication act; an audit step's entries.
fn logs_more(act: Act, logged: u32, entry: &Entry) -> bool {
    match (act, entry) {
        (Act::Verify, Entry::Protocol(_))
        | (Act::Complain, Entry::Complaint(_))
        | (Act::Decide, Entry::Decision(_))
        | (Act::Review, Entry::Review(_)) => logged == 0,
        (Act::Certify | Act::Publish, Entry::Publication(_) | Entry::Keys { .. }) => true,
        (Act::Audit, Entry::Audit(_)) | (Act::QuickCount, Entry::Pvt(_)) => true,
        (Act::Incident | Act::IncidentStatus, Entry::Incident(_)) => logged == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_shown_as_its_utc_date_and_time() {
        let shown = |s: u64| Time::from_unix(s).map(|t| t.to_string());
        assert_eq!(shown(1_796_278_234), Ok("2026-12-03 06:10:34 UTC".into()));
        assert_eq!(shown(EARLIEST), Ok("2000-01-01 00:00:00 UTC".into()));
        assert_eq!(shown(951_825_600), Ok("2000-02-29 12:00:00 UTC".into()));
        // 2100 is no leap year: the day after 28 February is 1 March.
        assert_eq!(shown(4_107_542_400), Ok("2100-03-01 00:00:00 UTC".into()));
        assert_eq!(shown(4_107_542_399), Ok("2100-02-28 23:59:59 UTC".into()));
        assert_eq!(shown(END - 1), Ok("9999-12-31 23:59:59 UTC".into()));
    }

    #[test]
    fn a_time_before_2000_or_after_9999_is_refused_naming_the_field() {
        for s in [0, EARLIEST - 1, END, u64::MAX] {
            assert_eq!(
                Time::from_unix(s).unwrap_err().to_string(),
                format!(
                    "time: {s} is not a time from 2000-01-01 to 9999-12-31 (Unix seconds, UTC)"
                )
            );
        }
        assert_eq!(Time::from_unix(EARLIEST).map(Time::unix), Ok(EARLIEST));
        assert_eq!(std::mem::size_of::<Option<Time>>(), 8);
    }
}
