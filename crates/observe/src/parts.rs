//! Messages sent in parts. A message longer than one SMS segment (160 Latin characters, 70
//! Cyrillic) travels as several; a gateway passes them on joined, or one by one with the
//! concatenation header's reference, part number and count, and then [`Parts`] keeps the
//! parts until the last arrives and gives the message back joined in part order. Nothing
//! here reads a clock: the caller passes the time, and the parts of a message that stays
//! incomplete for [`PART_WAIT`] seconds are given up ([`Parts::expire`]).

use std::collections::BTreeMap;

use crate::ObserveError;

/// Seconds a message's first part waits for the others.
pub const PART_WAIT: u64 = 600;

/// The most parts a message may have.
pub const MAX_PARTS: u32 = 10;

/// The most messages waiting for parts, from every sender together.
pub const MAX_WAITING: usize = 10_000;

/// The most messages waiting for parts from one sender.
pub const MAX_WAITING_PER_SENDER: usize = 4;

/// One part of a message, as a gateway passes it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// Who sent it: the sender's pseudonym (`crate::phone`), never the number.
    pub sender: &'a str,
    /// The concatenation header's reference, the same in every part of a message.
    pub reference: u32,
    /// This part's number, from 1.
    pub part: u32,
    /// The message's parts.
    pub parts: u32,
    /// This part's text.
    pub text: &'a str,
}

/// A message's parts received so far.
#[derive(Debug, Clone)]
struct Waiting {
    parts: u32,
    got: BTreeMap<u32, String>,
    since: u64,
}

/// The messages waiting for their other parts.
#[derive(Debug, Clone, Default)]
pub struct Parts {
    waiting: BTreeMap<(String, u32), Waiting>,
    /// The messages joined in the last [`PART_WAIT`] seconds, and when: a part of one
    /// received again is passed over, not taken as a new message's.
    joined: BTreeMap<(String, u32), u64>,
}

impl Parts {
    /// Takes a part received at `now`: the whole message once its last part is in
    /// (`Some`), else `None`. A part received again with the same text changes nothing (nor
    /// does a part of a message joined in the last [`PART_WAIT`] seconds); a
    /// part that does not fit the others received (another count of parts, another text for
    /// the same number, a number out of range) is refused and changes nothing.
    pub fn add(&mut self, part: &Part<'_>, now: u64) -> Result<Option<String>, ObserveError> {
        let refuse = |message: &'static str| ObserveError::Part {
            part: part.part,
            parts: part.parts,
            message,
        };
        if part.parts == 0 || part.parts > MAX_PARTS {
            return Err(refuse("a message has 1 to 10 parts"));
        }
        if part.part == 0 || part.part > part.parts {
            return Err(refuse("no such part"));
        }
        if part.parts == 1 {
            return Ok(Some(part.text.to_string()));
        }
        let key = (part.sender.to_string(), part.reference);
        if self
            .joined
            .get(&key)
            .is_some_and(|&at| now.saturating_sub(at) <= PART_WAIT)
        {
            return Ok(None);
        }
        if let Some(w) = self.waiting.get(&key) {
            if w.parts != part.parts {
                return Err(refuse("its other parts announce another count of parts"));
            }
            if let Some(before) = w.got.get(&part.part) {
                if before != part.text {
                    return Err(refuse("received before with another text"));
                }
                return Ok(None);
            }
        } else {
            let from_sender = self
                .waiting
                .range((part.sender.to_string(), 0)..=(part.sender.to_string(), u32::MAX))
                .count();
            if self.waiting.len() >= MAX_WAITING || from_sender >= MAX_WAITING_PER_SENDER {
                return Err(ObserveError::Busy);
            }
        }
        let w = self.waiting.entry(key.clone()).or_insert_with(|| Waiting {
            parts: part.parts,
            got: BTreeMap::new(),
            since: now,
        });
        w.got.insert(part.part, part.text.to_string());
        if w.got.len() < w.parts as usize {
            return Ok(None);
        }
        let whole = self.waiting.remove(&key).expect("waiting");
        self.joined.insert(key, now);
        Ok(Some(whole.got.into_values().collect()))
    }

    /// Gives up the messages whose first part arrived more than [`PART_WAIT`] seconds before
    /// `now`; returns their senders and references, so that each sender can be told.
    pub fn expire(&mut self, now: u64) -> Vec<(String, u32)> {
        let old: Vec<(String, u32)> = self
            .waiting
            .iter()
            .filter(|(_, w)| now.saturating_sub(w.since) > PART_WAIT)
            .map(|(k, _)| k.clone())
            .collect();
        for k in &old {
            self.waiting.remove(k);
        }
        self.joined
            .retain(|_, at| now.saturating_sub(*at) <= PART_WAIT);
        old
    }

    /// Messages waiting for parts.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part<'a>(sender: &'a str, reference: u32, part: u32, parts: u32, text: &'a str) -> Part<'a> {
        Part {
            sender,
            reference,
            part,
            parts,
            text,
        }
    }

    #[test]
    fn parts_are_joined_in_order_whatever_order_they_arrive_in() {
        let mut p = Parts::default();
        assert_eq!(p.add(&part("s", 7, 3, 3, " C5"), 10), Ok(None));
        assert_eq!(p.add(&part("s", 7, 1, 3, "PVT 12 A1"), 11), Ok(None));
        // Another sender's message with the same reference is another message.
        assert_eq!(p.add(&part("t", 7, 1, 2, "PVT 13"), 11), Ok(None));
        assert_eq!(p.add(&part("s", 7, 1, 3, "PVT 12 A1"), 12), Ok(None));
        assert_eq!(
            p.add(&part("s", 7, 2, 3, " H2"), 13),
            Ok(Some("PVT 12 A1 H2 C5".to_string()))
        );
        assert_eq!(p.waiting(), 1);
        assert_eq!(
            p.add(&part("s", 8, 1, 1, "PVT 14"), 13),
            Ok(Some("PVT 14".into()))
        );
    }

    #[test]
    fn a_part_that_does_not_fit_is_refused_and_changes_nothing() {
        let mut p = Parts::default();
        p.add(&part("s", 1, 1, 2, "PVT 12"), 0).unwrap();
        for bad in [
            part("s", 1, 2, 3, " A1"),
            part("s", 1, 1, 2, "PVT 13"),
            part("s", 1, 3, 2, " A1"),
            part("s", 1, 0, 2, " A1"),
            part("s", 2, 1, 11, " A1"),
        ] {
            assert!(
                matches!(p.add(&bad, 1), Err(ObserveError::Part { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(
            p.add(&part("s", 1, 2, 2, " A1"), 2),
            Ok(Some("PVT 12 A1".into()))
        );
    }

    #[test]
    fn waiting_messages_are_bounded_and_given_up_after_a_while() {
        let mut p = Parts::default();
        for r in 0..MAX_WAITING_PER_SENDER as u32 {
            p.add(&part("s", r, 1, 2, "x"), 0).unwrap();
        }
        assert_eq!(p.add(&part("s", 99, 1, 2, "x"), 0), Err(ObserveError::Busy));
        // Another part of a waiting message still comes in.
        assert_eq!(p.add(&part("s", 0, 2, 2, "y"), 0), Ok(Some("xy".into())));
        p.add(&part("t", 0, 1, 2, "x"), PART_WAIT).unwrap();
        let given_up = p.expire(PART_WAIT + 1);
        assert_eq!(given_up.len(), MAX_WAITING_PER_SENDER - 1);
        assert!(given_up.iter().all(|(s, _)| s == "s"));
        assert_eq!(p.waiting(), 1);
    }
}
