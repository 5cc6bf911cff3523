//! How well a design works, measured on an election taken as the truth: many independent
//! stratified samples are drawn from the frame, each estimates the leader's share with its
//! intervals, and the simulation counts how often the intervals cover the truth (and, when
//! the official protocols have been altered, how often the official share falls outside
//! them, and whether the station-by-station comparison lists every altered station drawn).
//!
//! A trial draws each stratum's stations with its own SplitMix64 generator, started from
//! the SHA-256 of the seed, the trial and the stratum: the same seed gives the same samples,
//! whatever the number of threads, and the strata are drawn one after another over every
//! trial, each stratum's stations staying in the processor's cache while it is drawn. (A
//! design's own sample is drawn by the consistent sampler instead, so that anyone can redraw
//! it; a simulation needs only to be reproducible.)

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_xoshiro::SplitMix64;
use sha2::{Digest, Sha256};

use crate::allocation::Planned;
use crate::compare;
use crate::estimate::{combined_sums, FloatSums, Weights};
use crate::frame::Frame;
use crate::{Confidence, PvtError};

/// What a simulation measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// Trials run.
    pub trials: u32,
    /// Stations in each sample.
    pub sample: u64,
    /// The leader's share of valid votes over every station of the truth.
    pub true_share: f64,
    /// The same share in the official protocols (equal to it unless they were altered).
    pub official_share: f64,
    /// Share of trials whose 95% interval covers the true share.
    pub coverage_95: f64,
    /// Share of trials whose 99% interval covers it.
    pub coverage_99: f64,
    /// Share of trials whose naive 95% interval, the voters of the sampled stations taken as
    /// a simple random sample of voters (no design effect), covers it.
    pub naive_coverage_95: f64,
    /// The median 95% half-width.
    pub median_half_width_95: f64,
    /// Share of trials whose 95% interval leaves out the official share: the alarm.
    pub alarm_95: f64,
    /// The same at 99%.
    pub alarm_99: f64,
    /// Altered stations drawn, over every trial.
    pub altered_drawn: u64,
    /// Of them, those the station-by-station comparison lists.
    pub altered_listed: u64,
    /// Trials in which every altered station drawn is listed.
    pub trials_all_listed: u32,
    /// Each trial's estimate: share and variance.
    pub estimates: Vec<(f64, f64)>,
}

/// The random numbers of `seed` for what is not a trial (the manipulated stations).
pub fn rng(seed: &str) -> ChaCha8Rng {
    ChaCha8Rng::from_seed(Sha256::digest(seed.as_bytes()).into())
}

/// The generator of trial `trial`'s draw in stratum `stratum`: SplitMix64 (Steele, Lea and
/// Flood, OOPSLA 2014; it passes BigCrush) started from the first 8 bytes of the seed's
/// SHA-256 (`base`) mixed with the trial and the stratum, so that every (trial, stratum)
/// draws apart from the others, with no set-up to speak of (a stratum draws a few dozen
/// numbers).
fn stream(base: u64, trial: u32, stratum: u32) -> SplitMix64 {
    let start = SplitMix64::seed_from_u64(base ^ ((u64::from(trial) << 32) | u64::from(stratum)))
        .next_u64();
    SplitMix64::seed_from_u64(start)
}

/// A uniform integer in `0..n` (n > 0) by Lemire's multiply-and-reject ("Fast random
/// integer generation in an interval", ACM TOMACS 2019): one 64-bit draw, a second one only
/// for the fraction `(2^64 mod n) / 2^64` of them, exactly uniform.
fn below(rng: &mut impl RngCore, n: u64) -> u64 {
    let mut m = u128::from(rng.next_u64()) * u128::from(n);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n);
        }
    }
    (m >> 64) as u64
}

/// The frame laid out for drawing: stations stratum by stratum, with the leader's votes and
/// the valid votes side by side.
struct Layout {
    /// The frame index of each position.
    order: Vec<u32>,
    /// The leader's votes and valid votes at each position.
    am: Vec<(u32, u32)>,
    /// The same in 16 bits, when every station's fit (half the memory: a sample's loads
    /// miss the cache less often).
    narrow: Option<Vec<(u16, u16)>>,
    /// Each planned stratum's first position, stations and sample.
    strata: Vec<(usize, u32, u32)>,
}

impl Layout {
    /// `cols`: each frame station's leader votes and valid votes.
    fn of(truth: &Frame, plan: &[Planned], cols: &[(u64, u64)]) -> Result<Layout, PvtError> {
        let lists = crate::select::members(truth, plan)?;
        let mut l = Layout {
            order: Vec::with_capacity(cols.len()),
            am: Vec::with_capacity(cols.len()),
            narrow: None,
            strata: Vec::with_capacity(plan.len()),
        };
        // Every stratum's sums fit in a u64 when sample · (largest valid votes)² does (and
        // then each count fits in a u32).
        let most = cols.iter().map(|c| c.1).max().unwrap_or(0);
        let largest = plan.iter().map(|p| p.sample).max().unwrap_or(0).max(1);
        if u128::from(most) * u128::from(most) * u128::from(largest) > u128::from(u64::MAX) {
            return Err(PvtError::invalid(
                "frame",
                format!(
                    "a station of {most} valid votes is too large to simulate samples of {largest}"
                ),
            ));
        }
        for (list, p) in lists.iter().zip(plan) {
            l.strata
                .push((l.order.len(), list.len() as u32, p.sample as u32));
            for &i in list {
                let (a, m) = cols[i];
                l.order.push(i as u32);
                l.am.push((a as u32, m as u32));
            }
        }
        if most <= u64::from(u16::MAX) {
            l.narrow = Some(l.am.iter().map(|&(a, m)| (a as u16, m as u16)).collect());
        }
        Ok(l)
    }
}

/// Σa, Σm, Σa², Σm², Σam over the positions `picked` of a stratum's `am`, in u64
/// ([`Layout::of`] has checked that they cannot overflow).
#[inline]
fn sums<T: Copy + Into<u64>>(am: &[(T, T)], picked: &[u32]) -> [u64; 5] {
    let mut s = [0u64; 5];
    for &pos in picked {
        let (a, m) = am[pos as usize];
        let (a, m): (u64, u64) = (a.into(), m.into());
        s[0] += a;
        s[1] += m;
        s[2] += a * a;
        s[3] += m * m;
        s[4] += a * m;
    }
    s
}

/// One trial's findings.
#[derive(Clone, Copy, Default)]
struct Trial {
    share: f64,
    variance: f64,
    voters: u64,
    altered_drawn: u32,
    altered_listed: u32,
}

/// Some trials' findings and, if kept, their stations.
type Part = (Vec<Trial>, Vec<u32>);

/// Trials whose strata's sums are kept together before their estimates are computed.
const BLOCK: usize = 64;

/// Runs trials `from..to`; returns their findings and, if `keep`, their stations. Stratum by
/// stratum, every trial draws the stratum's n distinct positions (uniformly: a repeat is
/// drawn again), marked in a bit set cleared after, and sums them; then each trial's
/// estimate is computed from its strata's sums.
fn trials(
    l: &Layout,
    truth: &Frame,
    official: &Frame,
    altered: &[usize],
    base: u64,
    (from, to): (u32, u32),
    keep: bool,
) -> Result<Part, PvtError> {
    let count = (to - from) as usize;
    let strata = l.strata.len();
    let total: usize = l.strata.iter().map(|s| s.2 as usize).sum();
    let widest = l.strata.iter().map(|s| s.1 as usize).max().unwrap_or(0);
    let mut seen = vec![0u64; widest.div_ceil(64)];
    let mut picked: Vec<u32> = Vec::new();
    let mut out = vec![Trial::default(); count];
    let mut kept = if keep {
        vec![0u32; count * total]
    } else {
        Vec::new()
    };
    // Every stratum is sampled with its n of N (n ≥ 2, checked by the allocation).
    let weights: Vec<Weights> = l
        .strata
        .iter()
        .map(|&(_, len, n)| Weights::of(u64::from(len), u64::from(n)))
        .collect();
    // A block of trials at a time: its strata's sums stay in cache until its estimates.
    let mut sums_of = vec![[0u64; 5]; BLOCK * strata];
    for first in (0..count).step_by(BLOCK) {
        let block = first..(first + BLOCK).min(count);
        let mut offset = 0;
        for (h, &(start, len, n)) in l.strata.iter().enumerate() {
            let end = start + len as usize;
            let words = (len as usize).div_ceil(64);
            for t in block.clone() {
                let mut rng = stream(base, from + t as u32, h as u32);
                picked.clear();
                while picked.len() < n as usize {
                    let pos = below(&mut rng, u64::from(len)) as usize;
                    let (word, bit) = (pos / 64, 1u64 << (pos % 64));
                    if seen[word] & bit == 0 {
                        seen[word] |= bit;
                        picked.push(pos as u32);
                    }
                }
                seen[..words].fill(0);
                sums_of[(t - first) * strata + h] = match &l.narrow {
                    Some(am) => sums(&am[start..end], &picked),
                    None => sums(&l.am[start..end], &picked),
                };
                if keep {
                    let row = &mut kept[t * total + offset..][..n as usize];
                    for (k, &pos) in row.iter_mut().zip(&picked) {
                        *k = l.order[start + pos as usize];
                    }
                }
                for &pos in picked.iter().filter(|_| !altered.is_empty()) {
                    let i = l.order[start + pos as usize] as usize;
                    if altered.binary_search(&i).is_ok() {
                        out[t].altered_drawn += 1;
                        let listed = !compare::counts(
                            &truth.choices,
                            &truth.stations[i].counts,
                            &official.stations[i].counts,
                        )
                        .is_empty();
                        out[t].altered_listed += u32::from(listed);
                    }
                }
            }
            offset += n as usize;
        }
        for t in block {
            let row = &sums_of[(t - first) * strata..][..strata];
            let floats = row.iter().zip(&weights).map(|(s, &w)| {
                (
                    w,
                    FloatSums {
                        a: s[0] as f64,
                        m: s[1] as f64,
                        aa: s[2] as f64,
                        mm: s[3] as f64,
                        am: s[4] as f64,
                    },
                )
            });
            let (share, variance) = combined_sums(floats)
                .ok_or_else(|| PvtError::invalid("frame", "a sample without valid votes"))?;
            let trial = &mut out[t];
            trial.share = share;
            trial.variance = variance;
            trial.voters = row.iter().map(|s| s[1]).sum();
        }
    }
    Ok((out, kept))
}

/// Runs `trials` samples of `plan` from `truth` for the `leader`'s share of valid votes,
/// comparing with `official` (the same frame, perhaps altered at the stations `altered`,
/// sorted). Trials run on `threads` threads; the result does not depend on their number.
/// With `keep`, also returns each trial's stations, stratum by stratum, trial by trial.
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    truth: &Frame,
    official: &Frame,
    altered: &[usize],
    plan: &[Planned],
    leader: usize,
    trials_wanted: u32,
    seed: &str,
    threads: usize,
    keep: bool,
) -> Result<(Simulated, Vec<u32>), PvtError> {
    if truth.stations.len() != official.stations.len() {
        return Err(PvtError::invalid("official", "not the truth's stations"));
    }
    if trials_wanted == 0 {
        return Err(PvtError::invalid("trials", "at least 1"));
    }
    // One pass over the frame's counts; the rest reads these columns.
    let column = |f: &Frame, i: usize| {
        let c = &f.stations[i].counts;
        (c.votes.get(leader).copied().unwrap_or(0), c.valid())
    };
    let cols: Vec<(u64, u64)> = (0..truth.stations.len())
        .map(|i| column(truth, i))
        .collect();
    let layout = Layout::of(truth, plan, &cols)?;
    let (a, m) = cols.iter().fold((0u128, 0u128), |(a, m), &(x, y)| {
        (a + u128::from(x), m + u128::from(y))
    });
    let true_share = a as f64 / m as f64;
    // The official counts differ only at the altered stations.
    let (oa, om) = altered.iter().fold((a, m), |(a, m), &i| {
        let (x, y) = cols[i];
        let (ox, oy) = column(official, i);
        (
            a - u128::from(x) + u128::from(ox),
            m - u128::from(y) + u128::from(oy),
        )
    });
    let official_share = oa as f64 / om as f64;
    let digest = Sha256::digest(seed.as_bytes());
    let base = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes of 32"));
    let threads = threads.clamp(1, trials_wanted as usize) as u32;
    let chunks: Vec<(u32, u32)> = (0..threads)
        .map(|k| {
            (
                (u64::from(trials_wanted) * u64::from(k) / u64::from(threads)) as u32,
                (u64::from(trials_wanted) * u64::from(k + 1) / u64::from(threads)) as u32,
            )
        })
        .collect();
    let run = |c: (u32, u32)| trials(&layout, truth, official, altered, base, c, keep);
    let parts: Vec<Result<Part, PvtError>> = if threads == 1 {
        vec![run(chunks[0])]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|&c| scope.spawn(move || run(c)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a simulation thread panicked"))
                .collect()
        })
    };
    let mut all = Vec::with_capacity(trials_wanted as usize);
    let mut samples = Vec::new();
    for part in parts {
        let (t, s) = part?;
        all.extend(t);
        samples.extend(s);
    }
    Ok((
        summarise(&all, true_share, official_share, plan, !altered.is_empty()),
        samples,
    ))
}

/// What the trials found, together.
fn summarise(
    all: &[Trial],
    true_share: f64,
    official_share: f64,
    plan: &[Planned],
    altered: bool,
) -> Simulated {
    let t = all.len() as f64;
    let rate = |f: &dyn Fn(&Trial) -> bool| all.iter().filter(|x| f(x)).count() as f64 / t;
    let inside = |x: &Trial, v: f64, z: f64| (v - x.share).abs() <= z * x.variance.sqrt();
    let (z95, z99) = (Confidence::P95.z(), Confidence::P99.z());
    let mut widths: Vec<f64> = all.iter().map(|x| z95 * x.variance.sqrt()).collect();
    widths.sort_by(f64::total_cmp);
    let mid = widths.len() / 2;
    let median = if widths.len() % 2 == 1 {
        widths[mid]
    } else {
        (widths[mid - 1] + widths[mid]) / 2.0
    };
    Simulated {
        trials: all.len() as u32,
        sample: plan.iter().map(|p| p.sample).sum(),
        true_share,
        official_share,
        coverage_95: rate(&|x| inside(x, true_share, z95)),
        coverage_99: rate(&|x| inside(x, true_share, z99)),
        naive_coverage_95: rate(&|x| {
            let sd = (x.share * (1.0 - x.share) / x.voters as f64).sqrt();
            (true_share - x.share).abs() <= z95 * sd
        }),
        median_half_width_95: median,
        alarm_95: rate(&|x| !inside(x, official_share, z95)),
        alarm_99: rate(&|x| !inside(x, official_share, z99)),
        altered_drawn: all.iter().map(|x| u64::from(x.altered_drawn)).sum(),
        altered_listed: all.iter().map(|x| u64::from(x.altered_listed)).sum(),
        trials_all_listed: all
            .iter()
            .filter(|x| !altered || x.altered_listed == x.altered_drawn)
            .count() as u32,
        estimates: all.iter().map(|x| (x.share, x.variance)).collect(),
    }
}

/// The official protocols altered in favour of the `leader`: a random `percent` of the
/// stations (rounded) each give the leader `points` percentage points of its valid votes
/// more (rounded, and no more than the others have), taken from the other choices in
/// proportion to their votes (largest remainder), so that valid votes and every control
/// relation stay as they were. Returns the altered frame and the stations actually changed,
/// sorted.
pub fn manipulate(
    frame: &Frame,
    leader: usize,
    percent: f64,
    points: f64,
    seed: &str,
) -> Result<(Frame, Vec<usize>), PvtError> {
    if !(0.0..=100.0).contains(&percent) || !(0.0..=100.0).contains(&points) {
        return Err(PvtError::invalid(
            "manipulation",
            "a percentage of stations and of points from 0 to 100",
        ));
    }
    let mut rng = rng(&format!("manipulate:{seed}"));
    let n = frame.stations.len();
    let k = ((n as f64) * percent / 100.0).round() as usize;
    let mut order: Vec<usize> = (0..n).collect();
    for j in 0..k {
        let r = j + below(&mut rng, (n - j) as u64) as usize;
        order.swap(j, r);
    }
    let mut out = frame.clone();
    let mut changed = Vec::new();
    for &i in &order[..k] {
        let votes = &mut out.stations[i].counts.votes;
        let valid: u64 = votes.iter().sum();
        let others = valid - votes[leader];
        let moved = ((valid as f64 * points / 100.0).round() as u64).min(others);
        if moved == 0 {
            continue;
        }
        // Each other choice gives moved · v / others, rounded down, then one more each from
        // the largest remainders until `moved` is reached.
        let mut taken: Vec<(usize, u64, u128)> = votes
            .iter()
            .enumerate()
            .filter(|&(c, _)| c != leader)
            .map(|(c, &v)| {
                let x = u128::from(moved) * u128::from(v);
                (c, (x / u128::from(others)) as u64, x % u128::from(others))
            })
            .collect();
        let mut left = moved - taken.iter().map(|t| t.1).sum::<u64>();
        taken.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        for t in taken.iter_mut() {
            if left == 0 {
                break;
            }
            t.1 += 1;
            left -= 1;
        }
        for (c, give, _) in taken {
            votes[c] -= give;
        }
        votes[leader] += moved;
        changed.push(i);
    }
    changed.sort_unstable();
    Ok((out, changed))
}
