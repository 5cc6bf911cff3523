//! The number an observer types for a drawn station (`PVT 1234 ...`): the last run of digits
//! in the station's own name (`УИК №1234` is 1234), or, where two drawn stations share it,
//! the stratum's place in the design (from 1) and that number joined by `-` (`12-345`: the
//! 12th stratum's station 345). The observer's sheet prints it; a message's station is found
//! by it, and by nothing else.

use std::collections::{BTreeMap, HashMap};

use crate::ObserveError;

/// The drawn stations by the numbers typed for them.
#[derive(Debug, Clone, Default)]
pub struct StationNumbers {
    by_number: BTreeMap<String, usize>,
    numbers: Vec<String>,
}

impl StationNumbers {
    /// The numbers of `stations`: each its path (`Region / District / Station`, its own name
    /// last) and its stratum's index. Refused, naming them, where a station's name has no
    /// digits or two stations of a stratum share a number.
    pub fn of(stations: &[(&str, usize)]) -> Result<StationNumbers, ObserveError> {
        let own: Vec<String> = stations
            .iter()
            .map(|&(path, _)| {
                own_number(path).ok_or_else(|| {
                    ObserveError::invalid("station", format!("'{path}': its name has no number"))
                })
            })
            .collect::<Result<_, _>>()?;
        let mut shared: HashMap<&str, usize> = HashMap::new();
        for n in &own {
            *shared.entry(n.as_str()).or_default() += 1;
        }
        let mut out = StationNumbers::default();
        for (k, (&(path, stratum), n)) in stations.iter().zip(&own).enumerate() {
            let number = if shared[n.as_str()] == 1 {
                n.clone()
            } else {
                format!("{}-{n}", stratum + 1)
            };
            if out.by_number.insert(number.clone(), k).is_some() {
                return Err(ObserveError::invalid(
                    "station",
                    format!("'{path}': another drawn station of its stratum is numbered {n}"),
                ));
            }
            out.numbers.push(number);
        }
        Ok(out)
    }

    /// The number of station `k` (in the order given to [`StationNumbers::of`]).
    pub fn number(&self, k: usize) -> &str {
        &self.numbers[k]
    }

    /// The station typed as `typed` (a message's station: digits, or digits joined by `-`
    /// or `/`), by its index; leading zeros are not significant.
    pub fn find(&self, typed: &str) -> Option<usize> {
        let canonical: Vec<String> = typed.split(['-', '/']).map(without_zeros).collect();
        self.by_number.get(&canonical.join("-")).copied()
    }
}

/// The last run of ASCII digits in a path's last component, without leading zeros.
fn own_number(path: &str) -> Option<String> {
    let name = path.rsplit(" / ").next().unwrap_or(path);
    let digits: String = name
        .rsplit(|c: char| !c.is_ascii_digit())
        .find(|run| !run.is_empty())?
        .to_string();
    Some(without_zeros(&digits))
}

/// Digits without their leading zeros (`0` stays `0`).
fn without_zeros(digits: &str) -> String {
    let t = digits.trim_start_matches('0');
    if t.is_empty() { "0" } else { t }.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_station_is_typed_by_its_own_number_or_with_its_stratum() {
        let n = StationNumbers::of(&[
            ("Чуйская / Аламудун / 1234", 0),
            ("Москва / ТИК 5 / УИК №0345", 1),
            ("Тверская / ТИК 2 / УИК №345", 2),
            ("Ошская / Кара-Суу / 7", 3),
        ])
        .unwrap();
        assert_eq!(
            (0..4).map(|k| n.number(k)).collect::<Vec<_>>(),
            ["1234", "2-345", "3-345", "7"]
        );
        assert_eq!(n.find("1234"), Some(0));
        assert_eq!(n.find("01234"), Some(0));
        assert_eq!(n.find("2/345"), Some(1));
        assert_eq!(n.find("3-0345"), Some(2));
        assert_eq!(n.find("345"), None);
        assert_eq!(n.find("7"), Some(3));
        assert_eq!(n.find("8"), None);
    }

    #[test]
    fn numbers_that_cannot_tell_stations_apart_are_refused() {
        let e = StationNumbers::of(&[("A / B / x", 0)]).unwrap_err();
        assert!(e.to_string().contains("has no number"), "{e}");
        let e = StationNumbers::of(&[("A / B / 12", 0), ("A / C / 12", 0)]).unwrap_err();
        assert!(e.to_string().contains("numbered 12"), "{e}");
    }
}
