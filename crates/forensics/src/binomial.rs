//! A binomial distribution tabulated for exact inversion sampling and exact window sums.
//!
//! The probabilities are computed by the ratio recurrence outward from the mode,
//! `P(k+1)/P(k) = (n-k)/(k+1) · p/q`, and the table stops where a term falls below 2⁻⁶⁴ of
//! the mode's. The mass left out is below 2⁻⁶⁰, finer than the 2⁻⁵³ resolution of the
//! uniform variate that inverts the table, so sampling by inversion (Devroye, *Non-Uniform
//! Random Variate Generation*, 1986, §III.2) draws from the binomial itself, not from an
//! approximation of it. A guide table (Chen & Asau 1974; Devroye §III.2.4) makes each draw
//! take O(1) expected steps. A table that only sums probabilities (the exact null) stops at
//! 2⁻⁵³ of the mode instead ([`Table::fill_for_sums`]).

/// Terms below this fraction of the mode's end a table for sampling.
const CUTOFF: f64 = 1.0 / 18_446_744_073_709_551_616.0; // 2^-64
/// Terms below this fraction of the mode's end a table for sums ([`Table::fill_for_sums`]).
const SUM_CUTOFF: f64 = 1.0 / 9_007_199_254_740_992.0; // 2^-53

/// The distribution of `Binomial(n, p)` over the values `lo..lo + len` that carry mass.
#[derive(Debug, Default, Clone)]
pub struct Table {
    /// The smallest tabulated value.
    pub lo: u64,
    /// `weight[i]` is proportional to `P(X = lo + i)`; the mode's weight is 1.
    pub weight: Vec<f64>,
    /// The sum of the weights, so that `P(X = lo + i) = weight[i] / total`.
    pub total: f64,
    /// `cdf[i] = P(X <= lo + i)`; the last entry is exactly 1.
    cdf: Vec<f64>,
    /// `guide[b]`: the first index whose cdf exceeds `b / guide.len()`.
    guide: Vec<u32>,
    /// Scratch space for the terms below the mode.
    below: Vec<f64>,
    /// `recip[i] = 1 / i` (and `recip[0] = 0`), grown as larger `n` arrive, so that the
    /// ratio recurrence multiplies instead of dividing.
    recip: Vec<f64>,
}

impl Table {
    /// Tabulates `Binomial(n, k / n)`: the redraw of a count `k` out of `n` (`k <= n`,
    /// `n > 0`), reusing this table's buffers. Call [`Table::prepare_sampling`] before
    /// [`Table::invert`].
    pub fn fill(&mut self, n: u64, k: u64) {
        self.fill_to(n, k, CUTOFF);
    }

    /// Tabulates `Binomial(n, k / n)` for sums of probabilities, not for sampling: the
    /// table stops at 2⁻⁵³ of the mode. The terms fall geometrically beyond that point, so
    /// what is left out changes any sum of the table's probabilities by no more than a few
    /// units in the last place of the mode's probability (and the table is 9% shorter).
    pub fn fill_for_sums(&mut self, n: u64, k: u64) {
        self.fill_to(n, k, SUM_CUTOFF);
    }

    fn fill_to(&mut self, n: u64, k: u64, cutoff: f64) {
        self.weight.clear();
        if k == 0 || k >= n {
            self.lo = k.min(n);
            self.weight.push(1.0);
            self.total = 1.0;
            return;
        }
        if self.recip.len() < n as usize + 2 {
            let from = self.recip.len();
            self.recip
                .extend((from..n as usize + 2).map(|i| 1.0 / i as f64));
            self.recip[0] = 0.0;
        }
        let recip = &self.recip;
        let p = k as f64 / n as f64;
        let q = (n - k) as f64 / n as f64;
        // The mode of Binomial(n, p) is floor((n + 1) p).
        let mode = match (n + 1).checked_mul(k) {
            Some(x) => x / n,
            None => (((n + 1) as u128 * k as u128) / n as u128) as u64,
        };
        let mode = mode.min(n);
        let (up, down) = (p / q, q / p);
        let below = &mut self.below;
        below.clear();
        // Terms below the mode: P(j-1)/P(j) = j/(n-j+1) · q/p, for j = mode down to 1, so
        // for t = mode - j = 0, 1, ...: (mode - t) · recip[n - mode + 1 + t] · q/p.
        let mut total = 1.0;
        let (n_us, mode_us) = (n as usize, mode as usize);
        total += extend_terms(
            below,
            mode as f64,
            &recip[n_us - mode_us + 1..=n_us],
            down,
            cutoff,
        );
        self.lo = mode - below.len() as u64;
        self.weight.extend(below.iter().rev());
        self.weight.push(1.0);
        // Terms above: P(j+1)/P(j) = (n-j)/(j+1) · p/q, for j = mode up to n-1, so for
        // t = j - mode = 0, 1, ...: (n - mode - t) · recip[mode + 1 + t] · p/q.
        total += extend_terms(
            &mut self.weight,
            (n - mode) as f64,
            &recip[mode_us + 1..=n_us],
            up,
            cutoff,
        );
        self.total = total;
    }

    /// `P(X = lo + i)`.
    pub fn pmf(&self, i: usize) -> f64 {
        self.weight[i] / self.total
    }

    /// Builds the cumulative and guide tables that [`Table::invert`] reads.
    pub fn prepare_sampling(&mut self) {
        self.cdf.clear();
        let scale = 1.0 / self.total;
        let mut acc = 0.0;
        for &x in &self.weight {
            acc += x;
            self.cdf.push(acc * scale);
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
        self.weight.len()
    }

    /// True for an empty (never filled) table.
    pub fn is_empty(&self) -> bool {
        self.weight.is_empty()
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

/// Appends the running products of the ratios `(top - t) · recip[t] · factor` for
/// `t = 0, 1, ...` (at most `recip.len()` of them), starting from 1, until a product falls
/// below `cutoff`, and returns their sum.
///
/// The ratios come eight at a time, and each block's prefix products are formed in three
/// rounds of independent multiplications (Hillis & Steele, "Data parallel algorithms",
/// CACM 29(12), 1986), so that the only serial dependency is one multiplication per block
/// instead of one per term. The terms fall monotonically away from the mode, so the first
/// term below the cutoff ends the table.
fn extend_terms(out: &mut Vec<f64>, top: f64, recip: &[f64], factor: f64, cutoff: f64) -> f64 {
    let mut w = 1.0;
    // Eight running sums, one per lane, so that the additions do not wait on each other.
    let mut sums = [0.0; 8];
    let mut blocks = recip.chunks_exact(8);
    let mut t = 0.0;
    for block in blocks.by_ref() {
        let r: [f64; 8] = std::array::from_fn(|i| (top - t - i as f64) * block[i] * factor);
        let r: [f64; 8] = std::array::from_fn(|i| if i >= 1 { r[i] * r[i - 1] } else { r[i] });
        let r: [f64; 8] = std::array::from_fn(|i| if i >= 2 { r[i] * r[i - 2] } else { r[i] });
        let r: [f64; 8] = std::array::from_fn(|i| if i >= 4 { r[i] * r[i - 4] } else { r[i] });
        let v = r.map(|x| x * w);
        if v[7] < cutoff {
            // The table ends inside this block: finish it one term at a time.
            return sums.iter().sum::<f64>()
                + extend_one_by_one(out, top - t, block, factor, cutoff, w);
        }
        out.extend_from_slice(&v); // a fixed-size copy, not a call to memmove
        for (s, x) in sums.iter_mut().zip(v) {
            *s += x;
        }
        w = v[7];
        t += 8.0;
    }
    sums.iter().sum::<f64>()
        + extend_one_by_one(out, top - t, blocks.remainder(), factor, cutoff, w)
}

/// [`extend_terms`] for a last, short block, starting from the term `w`.
fn extend_one_by_one(
    out: &mut Vec<f64>,
    top: f64,
    recip: &[f64],
    factor: f64,
    cutoff: f64,
    mut w: f64,
) -> f64 {
    let mut sum = 0.0;
    for (i, r) in recip.iter().enumerate() {
        w *= (top - i as f64) * r * factor;
        if w < cutoff {
            break;
        }
        out.push(w);
        sum += w;
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
        for (i, b) in want.into_iter().enumerate() {
            let a = t.pmf(i);
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
        let mean: f64 = (0..t.len())
            .map(|i| (t.lo + i as u64) as f64 * t.pmf(i))
            .sum();
        let var: f64 = (0..t.len())
            .map(|i| ((t.lo + i as u64) as f64 - mean).powi(2) * t.pmf(i))
            .sum();
        assert!((mean - n * p).abs() < 1e-9, "{mean}");
        assert!((var - n * p * (1.0 - p)).abs() < 1e-7, "{var}");
    }
}
