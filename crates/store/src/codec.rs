//! The text encodings of the store's compound columns.

use crate::StoreError;

/// Votes as a JSON array of integers: `[12,0,7]`.
pub(crate) fn encode_votes(votes: &[u64], out: &mut String) {
    let mut digits = itoa::Buffer::new();
    out.clear();
    out.push('[');
    for (i, v) in votes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(digits.format(*v));
    }
    out.push(']');
}

/// Parses [`encode_votes`].
pub(crate) fn decode_votes(s: &str) -> Result<Vec<u64>, StoreError> {
    let inner = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(|| StoreError::Corrupt(format!("votes '{s}' are not an array")))?;
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    inner
        .split(',')
        .map(|v| {
            v.trim()
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("vote count '{v}' in '{s}'")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes_round_trip() {
        let mut s = String::new();
        for v in [vec![], vec![0], vec![1, 2, u64::MAX]] {
            encode_votes(&v, &mut s);
            assert_eq!(decode_votes(&s).unwrap(), v);
        }
        assert_eq!(s, "[1,2,18446744073709551615]");
        assert!(decode_votes("1,2").is_err());
    }
}
