//! Constants against `test_data/vectors/forensics.json` (`digit_tests`).

#![allow(clippy::unwrap_used)]

use forensics::digits::benford_second_digit;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test_data/vectors/forensics.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The vector gives the probabilities to five decimals and the mean to four.
#[test]
fn benford_second_digit_law() {
    let v = vectors();
    let d = &v["digit_tests"];
    let want: Vec<f64> = d["benford_second_digit_probabilities_0_to_9"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let p = benford_second_digit();
    for (got, want) in p.iter().zip(&want) {
        assert!((got - want).abs() <= 0.5e-5, "{got} vs {want}");
    }
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let mean: f64 = p.iter().enumerate().map(|(d, x)| d as f64 * x).sum();
    let want_mean = d["benford_second_digit_mean"].as_f64().unwrap();
    assert!((mean - want_mean).abs() <= 0.5e-4, "{mean}");
    let last = forensics::digits::test(&[0, 5, 9], &[0.1; 10]).unwrap();
    // Summing 0.1 * d in binary64 leaves a rounding error of about one ulp.
    let want_last = d["uniform_last_digit_mean"].as_f64().unwrap();
    assert!((last.expected_mean - want_last).abs() < 1e-12);
}
