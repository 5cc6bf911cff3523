//! Observers' phone numbers, kept only as pseudonyms. A number is read into its
//! international form ([`Phone::read`]) and stored as HMAC-SHA256 under a key that the
//! service keeps outside the store ([`PhoneKey`]): a salted hash would not do, since there
//! are only about 10^10 numbers to try; without the key nobody can test a number against a
//! pseudonym. A [`Phone`] prints as `Phone(…)`, so that no log line or error carries it.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::ObserveError;

/// What a pseudonym is computed over, before the number.
const DOMAIN: &str = "tallyproof-phone-v1\n";

/// How a deployment's numbers are dialled at home: the country's calling code (`996`,
/// `7`) and the trunk prefix that a national number begins with (`0`, `8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialling {
    /// The country's calling code, digits.
    pub country: String,
    /// The trunk prefix, digits (may be empty).
    pub trunk: String,
}

/// A phone number in its international form: `+`, then 8 to 15 digits (ITU-T E.164).
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Phone(…)")
    }
}

impl Phone {
    /// Reads a number as a gateway or a form gives it: spaces, dots, dashes and brackets
    /// ignored, and a trunk prefix written in brackets after the country's code (`+996 (0)
    /// 555 ...`); `+` or `00` before the country's code, or the country's code itself (as
    /// gateways write numbers), or else the national number after `dialling`'s trunk prefix.
    pub fn read(text: &str, dialling: &Dialling) -> Result<Phone, ObserveError> {
        let bad = || ObserveError::invalid("phone", "not a phone number");
        let text = match dialling.trunk.as_str() {
            "" => text.trim().to_string(),
            t => text.trim().replace(&format!("({t})"), ""),
        };
        let mut digits = String::new();
        let mut plus = false;
        for (i, c) in text.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => plus = true,
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(bad()),
            }
        }
        let international = if plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else if !dialling.country.is_empty() && digits.starts_with(dialling.country.as_str()) {
            digits
        } else if let Some(rest) = digits
            .strip_prefix(dialling.trunk.as_str())
            .filter(|_| !dialling.trunk.is_empty())
        {
            format!("{}{rest}", dialling.country)
        } else {
            return Err(bad());
        };
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(bad());
        }
        Ok(Phone(format!("+{international}")))
    }

    /// The number, `+` and digits: for the SMS reply's address only, never to be stored or
    /// shown.
    pub fn as_dialled(&self) -> &str {
        &self.0
    }
}

/// The key of the phone numbers' pseudonyms (at least 32 bytes), kept outside the store.
#[derive(Clone)]
pub struct PhoneKey(Hmac<Sha256>);

impl std::fmt::Debug for PhoneKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PhoneKey(withheld)")
    }
}

impl PhoneKey {
    /// A key of `bytes` (at least 32).
    pub fn new(bytes: &[u8]) -> Result<PhoneKey, ObserveError> {
        if bytes.len() < 32 {
            return Err(ObserveError::invalid(
                "phone key",
                "at least 32 bytes, kept outside the store",
            ));
        }
        <Hmac<Sha256> as KeyInit>::new_from_slice(bytes)
            .map(PhoneKey)
            .map_err(|e| ObserveError::invalid("phone key", e.to_string()))
    }

    /// The pseudonym of `phone`: HMAC-SHA256 of `tallyproof-phone-v1`, a line feed and the
    /// number's international form, in lower-case hex.
    pub fn pseudonym(&self, phone: &Phone) -> String {
        let mut mac = self.0.clone();
        mac.update(DOMAIN.as_bytes());
        mac.update(phone.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kg() -> Dialling {
        Dialling {
            country: "996".into(),
            trunk: "0".into(),
        }
    }

    #[test]
    fn a_number_reads_the_same_however_it_is_written() {
        let ru = Dialling {
            country: "7".into(),
            trunk: "8".into(),
        };
        for (text, d, want) in [
            ("+996 555 123 456", kg(), "+996555123456"),
            ("00996555123456", kg(), "+996555123456"),
            ("0 (555) 12-34-56", kg(), "+996555123456"),
            ("8 916 123-45-67", ru.clone(), "+79161234567"),
            ("+7 (916) 123 45 67", ru.clone(), "+79161234567"),
            ("996555123456", kg(), "+996555123456"),
            ("+996 (0) 555 123 456", kg(), "+996555123456"),
            ("79161234567", ru, "+79161234567"),
        ] {
            assert_eq!(Phone::read(text, &d).unwrap().as_dialled(), want, "{text}");
        }
        for bad in [
            "",
            "555123456",
            "+996 555 abc",
            "+0123456789",
            "+1234567",
            "1+996555123456",
            "+9965551234567890",
        ] {
            assert!(Phone::read(bad, &kg()).is_err(), "{bad}");
        }
        assert_eq!(
            format!("{:?}", Phone::read("+996555123456", &kg()).unwrap()),
            "Phone(…)"
        );
    }

    #[test]
    fn a_pseudonym_is_the_keyed_hash_of_the_international_form() {
        let key = PhoneKey::new(&[7u8; 32]).unwrap();
        let a = key.pseudonym(&Phone::read("+996 555 123 456", &kg()).unwrap());
        let b = key.pseudonym(&Phone::read("0555123456", &kg()).unwrap());
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        let other = PhoneKey::new(&[8u8; 32]).unwrap();
        assert_ne!(
            a,
            other.pseudonym(&Phone::read("0555123456", &kg()).unwrap())
        );
        assert!(!a.contains("555123456"));
        assert!(PhoneKey::new(&[7u8; 31]).is_err());
    }
}
