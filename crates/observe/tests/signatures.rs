//! Gateway signatures and phone pseudonyms against `test_data/signatures.json`, computed by
//! Python's `hmac` module (`test_data/signatures.py`).

use observe::gateway::Gateway;
use observe::phone::{Dialling, Phone, PhoneKey};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    secret: String,
    phone_key_hex: String,
    gateways: Vec<Signed>,
    phones: Vec<Pseudonym>,
}

#[derive(Deserialize)]
struct Signed {
    gateway: String,
    time: u64,
    path: String,
    body: String,
    signature: String,
}

#[derive(Deserialize)]
struct Pseudonym {
    phone: String,
    pseudonym: String,
}

fn vectors() -> Vectors {
    serde_json::from_str(include_str!("../test_data/signatures.json")).expect("signatures.json")
}

#[test]
fn signatures_are_pythons() {
    let v = vectors();
    assert_eq!(v.gateways.len(), 3);
    for s in &v.gateways {
        let g = Gateway::new(&s.gateway, v.secret.as_bytes()).unwrap();
        assert_eq!(
            g.sign(s.time, &s.path, s.body.as_bytes()),
            s.signature,
            "{}",
            s.gateway
        );
        assert_eq!(
            g.check(s.time, &s.path, s.body.as_bytes(), &s.signature, s.time),
            Ok(())
        );
    }
}

#[test]
fn pseudonyms_are_pythons() {
    let v = vectors();
    let key = PhoneKey::new(&hex::decode(&v.phone_key_hex).unwrap()).unwrap();
    let any = Dialling {
        country: "996".into(),
        trunk: "0".into(),
    };
    assert_eq!(v.phones.len(), 2);
    for p in &v.phones {
        let phone = Phone::read(&p.phone, &any).unwrap();
        assert_eq!(key.pseudonym(&phone), p.pseudonym, "{}", p.phone);
    }
}
