//! A binomial distribution tabulated for exact inversion sampling and exact window sums.
//!
//! The probabilities are computed by the ratio recurrence outward from the mode,
//! `P(k+1)/P(k) = (n-k)/(k+1) · p/q`, and the table stops where a term falls below 2⁻⁶⁴ of
//! the mode's. The mass left out is below 2⁻⁶⁰, finer than the 2⁻⁵³ resolution of the
//! uniform variate that inverts the table, so sampling by inversion (Devroye, *Non-Uniform
//! Random Variate Generation*, 1986, §III.2) draws from the binomial itself, not from an
//! approximation of it. A guide table (Chen & Asau 1974; Devroye §III.2.4) makes each draw
//! take O(1) expected steps.

/// Terms below this fraction of the mode's end the table.
const CUTOFF: f64 = 1.0 / 18_446_744_073_709_551_616.0; // 2^-64

/// The distribution of `Binomial(n, p)` over the values `lo..lo + len` that carry mass.
#[derive(Debug, Default, Clone)]
pub struct Table {
    /// The smallest tabulated value.
    pub lo: u64,
    /// `pmf[i] = P(X = lo + i)`, normalised over the table.
    pub pmf: Vec<f64>,
    /// `cdf[i] = P(X <= lo + i)`; the last entry is exactly 1.
    cdf: Vec<f64>,
    /// `guide[b]`: the first index whose cdf exceeds `b / guide.len()`.
    guide: Vec<u32>,
    /// Scratch space for the terms below the mode.
    below: Vec<f64>,
}

impl Table {
    /// Tabulates `Binomial(n, k / n)`: the redraw of a count `k` out of `n` (`k <= n`,
    /// `n > 0`), reusing this table's buffers. Call [`Table::prepare_sampling`] before
    /// [`Table::invert`].
    pub fn fill(&mut self, n: u64, k: u64) {
        self.pmf.clear();
        if k == 0 || k >= n {
            self.lo = k.min(n);
            self.pmf.push(1.0);
        } else {
            let p = k as f64 / n as f64;
            let q = (n - k) as f64 / n as f64;
            // The mode of Binomial(n, p) is floor((n + 1) p).
            let mode = (((n + 1) as u128 * k as u128) / n as u128) as u64;
            let mode = mode.min(n);
            let (up, down) = (p / q, q / p);
            let below = &mut self.below;
            below.clear();
            // Terms below the mode: P(j-1)/P(j) = j/(n-j+1) · q/p, for j = mode down to 1.
            let mut total = 1.0;
            total += extend_terms(below, mode, |t| {
                let j = mode - t;
                (j as f64 / (n - j + 1) as f64) * down
            });
            self.lo = mode - below.len() as u64;
            self.pmf.extend(below.iter().rev());
            self.pmf.push(1.0);
            // Terms above: P(j+1)/P(j) = (n-j)/(j+1) · p/q, for j = mode up to n-1.
            total += extend_terms(&mut self.pmf, n - mode, |t| {
                let j = mode + t;
                ((n - j) as f64 / (j + 1) as f64) * up
            });
            let scale = 1.0 / total;
            for x in &mut self.pmf {
                *x *= scale;
            }
        }
    }

    /// Builds the cumulative and guide tables that [`Table::invert`] reads.
    pub fn prepare_sampling(&mut self) {
        self.cdf.clear();
        let mut acc = 0.0;
        for &x in &self.pmf {
            acc += x;
            self.cdf.push(acc);
        }
        if let Some(last) = self.cdf.last_mut() {
            *last = 1.0;
        }
        let m = self.cdf.len();
        self.guide.clear();
        let mut i = 0usize;
        let step = 1.0 / m as f64;
        for b in 0..m {
            let edge = b as f64 * step;
            while self.cdf[i] <= edge {
                i += 1;
            }
            self.guide.push(i as u32);
        }
    }

    /// The number of tabulated values.
    pub fn len(&self) -> usize {
        self.pmf.len()
    }

    /// True for an empty (never filled) table.
    pub fn is_empty(&self) -> bool {
        self.pmf.is_empty()
    }

    /// The index (value minus [`Table::lo`]) drawn by the uniform variate `u` in `[0, 1)`.
    #[inline]
    pub fn invert(&self, u: f64) -> usize {
        let b = (u * self.guide.len() as f64) as usize;
        let mut i = self.guide[b.min(self.guide.len() - 1)] as usize;
        // The guide is only a starting point: step back if rounding put it past the answer.
        while i > 0 && self.cdf[i - 1] > u {
            i -= 1;
        }
        while self.cdf[i] <= u {
            i += 1;
        }
        i
    }
}

/// Appends the running products of `ratio(0), ratio(1), ...` (at most `steps` of them),
/// starting from 1, until a product falls below [`CUTOFF`], and returns their sum. The
/// ratios are computed eight at a time so that their divisions overlap instead of waiting
/// on the product chain.
fn extend_terms(out: &mut Vec<f64>, steps: u64, ratio: impl Fn(u64) -> f64) -> f64 {
    let mut w = 1.0;
    let mut sum = 0.0;
    let mut t = 0;
    while t < steps {
        let m = (steps - t).min(8);
        let mut r = [0.0; 8];
        for (i, x) in r.iter_mut().enumerate().take(m as usize) {
            *x = ratio(t + i as u64);
        }
        for &x in &r[..m as usize] {
            w *= x;
            if w < CUTOFF {
                return sum;
            }
            out.push(w);
            sum += w;
        }
        t += m;
    }
    sum
}

/// A uniform variate in `[0, 1)` with 53 random bits, from a 64-bit word.
#[inline]
pub fn unit(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0) // 2^-53
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_distributions() {
        let mut t = Table::default();
        t.fill(10, 0);
        t.prepare_sampling();
        assert_eq!((t.lo, t.len(), t.invert(0.999)), (0, 1, 0));
        t.fill(10, 10);
        t.prepare_sampling();
        assert_eq!((t.lo, t.len(), t.invert(0.0)), (10, 1, 0));
    }

    #[test]
    fn small_table_is_the_binomial() {
        // Binomial(4, 1/2): 1, 4, 6, 4, 1 over 16.
        let mut t = Table::default();
        t.fill(4, 2);
        t.prepare_sampling();
        assert_eq!(t.lo, 0);
        let want = [1.0, 4.0, 6.0, 4.0, 1.0].map(|x| x / 16.0);
        for (a, b) in t.pmf.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{a} {b}");
        }
        assert_eq!(t.invert(0.0), 0);
        assert_eq!(t.invert(1.0 / 16.0 - 1e-12), 0);
        assert_eq!(t.invert(1.0 / 16.0 + 1e-12), 1);
        assert_eq!(t.invert(0.5), 2);
        assert_eq!(t.invert(15.0 / 16.0), 4);
        assert_eq!(t.invert(1.0 - 1e-16), 4);
    }

    #[test]
    fn mean_and_variance_of_a_large_table() {
        let mut t = Table::default();
        t.fill(2000, 1234);
        let (n, p) = (2000.0, 1234.0 / 2000.0);
        let mean: f64 = t
            .pmf
            .iter()
            .enumerate()
            .map(|(i, x)| (t.lo + i as u64) as f64 * x)
            .sum();
        let var: f64 = t
            .pmf
            .iter()
            .enumerate()
            .map(|(i, x)| ((t.lo + i as u64) as f64 - mean).powi(2) * x)
            .sum();
        assert!((mean - n * p).abs() < 1e-9, "{mean}");
        assert!((var - n * p * (1.0 - p)).abs() < 1e-7, "{var}");
    }
}
