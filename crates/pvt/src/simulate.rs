//! How well a design works, measured on an election taken as the truth: many independent
//! stratified samples are drawn from the frame, each estimates the leader's share with its
//! intervals, and the simulation counts how often the intervals cover the truth (and, when
//! the official protocols have been altered, how often the official share falls outside
//! them, and whether the station-by-station comparison lists every altered station drawn).
//!
//! A trial draws its strata's stations one stratum after another from its own generator,
//! started from the SHA-256 of the seed and the trial: the same seed gives the same samples,
//! whatever the number of threads. Trials are run in blocks handed out to the threads as
//! they come free, and a block's trials draw one stratum after another, its stations' votes
//! staying in the processor's cache while it is drawn. (A design's own sample is drawn by
//! the consistent sampler instead, so that anyone can redraw it; a simulation needs only to
//! be reproducible.)

use std::sync::atomic::{AtomicU64, Ordering};

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

/// The generator of trial `trial`: wyrand (Wang Yi's, as `fastrand` implements it: one
/// multiplication per 64 bits; it passes BigCrush and PractRand) started from SplitMix64's
/// first output (Steele, Lea and Flood, OOPSLA 2014) for the first 8 bytes of the seed's
/// SHA-256 (`base`) mixed with the trial, so that every trial draws apart from the others,
/// with no set-up to speak of. A trial draws its strata one after another from its stream.
fn stream(base: u64, trial: u32) -> fastrand::Rng {
    fastrand::Rng::with_seed(SplitMix64::seed_from_u64(base ^ u64::from(trial)).next_u64())
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

/// Lemire's method on 32 random bits: a uniform position in `0..n` (0 < n < 2^32), or
/// `None` for the fraction `(2^32 mod n) / 2^32` of them, which are drawn again. Each
/// 64-bit draw gives two such 32-bit numbers, low half first.
#[inline(always)]
fn position(bits: u32, n: u32) -> Option<u32> {
    let m = u64::from(bits) * u64::from(n);
    if (m as u32) < n && (m as u32) < n.wrapping_neg() % n {
        return None;
    }
    Some((m >> 32) as u32)
}

/// The frame's counts column by column, read once from the frame before any trial (as the
/// numpy reference of `bench/pvt.py` is given its columns), stratum after stratum (in frame
/// order within each): each choice's votes, the valid votes, each choice's total and the
/// strata's sizes. A pass over the frame's stations follows a pointer per station to its
/// votes; a trial reads a stratum's votes from two short columns that stay in the
/// processor's first-level cache.
pub struct Columns {
    /// The frame index of each position.
    order: Vec<u32>,
    /// Each frame stratum's first position, and the end.
    starts: Vec<usize>,
    /// Each choice's votes (as u32: a station of more valid votes than that is refused, see
    /// `largest`).
    votes: Vec<Vec<u32>>,
    /// The valid votes.
    valid: Vec<u32>,
    /// The largest valid votes of a station.
    largest: u64,
    totals: Vec<u128>,
    strata: Vec<crate::allocation::Stratum>,
}

impl Columns {
    /// `frame`'s columns.
    pub fn of(frame: &Frame) -> Columns {
        let n = frame.stations.len();
        let k = frame.choices.len();
        let strata = frame.strata();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(strata.iter().scan(0, |end, s| {
                *end += s.stations as usize;
                Some(*end)
            }))
            .collect();
        let mut next = starts.clone();
        let mut c = Columns {
            order: vec![0; n],
            starts,
            votes: vec![vec![0; n]; k],
            valid: vec![0; n],
            largest: 0,
            totals: vec![0; k],
            strata,
        };
        for (i, s) in frame.stations.iter().enumerate() {
            let pos = next[s.stratum];
            next[s.stratum] += 1;
            c.order[pos] = i as u32;
            for (j, column) in c.votes.iter_mut().enumerate() {
                let v = s.counts.votes.get(j).copied().unwrap_or(0);
                column[pos] = v.min(u64::from(u32::MAX)) as u32;
                c.totals[j] += u128::from(v);
            }
            let valid = s.counts.valid();
            c.valid[pos] = valid.min(u64::from(u32::MAX)) as u32;
            c.largest = c.largest.max(valid);
        }
        c
    }

    /// The choice with the most votes ([`Frame::leader`]).
    pub fn leader(&self) -> Option<usize> {
        crate::frame::most(&self.totals)
    }

    /// The strata's sizes, for the allocation ([`Frame::strata`]).
    pub fn strata(&self) -> &[crate::allocation::Stratum] {
        &self.strata
    }
}

/// The columns laid out for a plan: each planned stratum a run of positions (its frame
/// strata are neighbours: the allocation collapses a stratum only into the next one).
struct Layout<'a> {
    /// The frame index of each position.
    order: &'a [u32],
    /// The leader's votes at each position.
    a: &'a [u32],
    /// The valid votes at each position.
    m: &'a [u32],
    /// At each position whose official protocol was altered, whether the station
    /// comparison lists it (empty: none was altered).
    altered: Vec<Option<bool>>,
    /// Each planned stratum's first position, stations and sample.
    strata: Vec<(usize, u32, u32)>,
    /// The stations of a sample: the strata's samples added up.
    sample: usize,
}

impl<'a> Layout<'a> {
    /// `official` is `truth` altered at the stations `altered`.
    fn of(
        (truth, official): (&Frame, &Frame),
        columns: &'a Columns,
        plan: &[Planned],
        leader: usize,
        altered: &[usize],
    ) -> Result<Layout<'a>, PvtError> {
        let planned_of = crate::select::planned_of(truth, plan)?;
        let a = columns
            .votes
            .get(leader)
            .ok_or_else(|| PvtError::invalid("leader", "not a choice of the frame"))?;
        let m = &columns.valid;
        // Every stratum's sums fit in a u64 when sample · (largest valid votes)² does (and
        // then every count fits in a u32).
        let most = columns.largest;
        let largest = plan.iter().map(|p| p.sample).max().unwrap_or(0).max(1);
        if u128::from(most) * u128::from(most) * u128::from(largest) > u128::from(u64::MAX) {
            return Err(PvtError::invalid(
                "frame",
                format!(
                    "a station of {most} valid votes is too large to simulate samples of {largest}"
                ),
            ));
        }
        let mut strata = Vec::with_capacity(plan.len());
        let mut k = 0;
        for (h, p) in plan.iter().enumerate() {
            let first = k;
            while k < planned_of.len() && planned_of[k] == h {
                k += 1;
            }
            let (start, end) = (columns.starts[first], columns.starts[k]);
            let len = end - start;
            if k == first || len >= 1 << 32 || p.sample > len as u64 {
                return Err(PvtError::invalid(
                    "plan",
                    format!("the planned stratum {h} is not a run of the frame's strata of at least its sample"),
                ));
            }
            strata.push((start, len as u32, p.sample as u32));
        }
        // Each altered station compared once, however often it is drawn.
        let mut flags = Vec::new();
        if !altered.is_empty() {
            flags = columns
                .order
                .iter()
                .map(|&i| {
                    let i = i as usize;
                    altered.binary_search(&i).ok().map(|_| {
                        !compare::counts(
                            &truth.choices,
                            &truth.stations[i].counts,
                            &official.stations[i].counts,
                        )
                        .is_empty()
                    })
                })
                .collect();
        }
        Ok(Layout {
            order: &columns.order,
            a,
            m,
            altered: flags,
            sample: strata.iter().map(|s| s.2 as usize).sum(),
            strata,
        })
    }
}

/// Draws `picked.len()` distinct positions of `0..a.len()` from `rng`, marking each in
/// `marks` with `draw` (a position already marked with it is drawn again), into `picked`;
/// sets `out` to Σa, Σm, Σa², Σm² and Σam over them. The simulation's inner loop.
#[inline(never)]
fn draw_stratum(
    rng: &mut fastrand::Rng,
    (a, m): (&[u32], &[u32]),
    marks: &mut [u32],
    draw: u32,
    picked: &mut [u32],
    out: &mut [u64; 5],
) {
    let len = a.len() as u32;
    let (m, marks) = (&m[..a.len()], &mut marks[..a.len()]);
    let n = picked.len();
    let mut s = [0u64; 5];
    let mut got = 0;
    while got < n {
        let bits = rng.u64(..);
        for half in [bits as u32, (bits >> 32) as u32] {
            let Some(pos) = position(half, len) else {
                continue;
            };
            let pos = pos as usize;
            if got == n || marks[pos] == draw {
                continue;
            }
            marks[pos] = draw;
            let (a, m) = (u64::from(a[pos]), u64::from(m[pos]));
            s[0] += a;
            s[1] += m;
            s[2] += a * a;
            s[3] += m * m;
            s[4] += a * m;
            picked[got] = pos as u32;
            got += 1;
        }
    }
    *out = s;
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

/// Trials drawn together, stratum by stratum, and handed out to the threads one block at a
/// time.
const BLOCK: u32 = 32;

/// A thread's working space, kept from block to block.
struct Scratch {
    /// Each position's last draw (a position marked with the current draw is taken).
    mark: Vec<u32>,
    /// The current draw's number.
    draw: u32,
    /// The positions a draw took.
    picked: Vec<u32>,
    /// Each trial's strata's sums, trial after trial.
    sums: Vec<[u64; 5]>,
    /// Each trial's generator.
    streams: Vec<fastrand::Rng>,
}

/// A block's first trial, its trials' findings and, if kept, their stations.
type Block = (u32, Vec<Trial>, Vec<u32>);

/// What every block reads.
struct Shared<'a> {
    layout: Layout<'a>,
    /// Each planned stratum's weights (n ≥ 2 of N, checked by the allocation).
    weights: Vec<Weights>,
    /// The generators' base.
    base: u64,
    /// Whether the trials' stations are kept.
    keep: bool,
}

/// Takes blocks of trials from `next` until `wanted` are taken, and runs them: every
/// thread, the calling one first, so that a thread that starts late takes fewer.
fn work(sh: &Shared, next: &AtomicU64, wanted: u32) -> Result<Vec<Block>, PvtError> {
    let l = &sh.layout;
    let mut scratch = Scratch {
        mark: vec![0; l.strata.iter().map(|s| s.1 as usize).max().unwrap_or(0)],
        draw: 0,
        picked: vec![0; l.strata.iter().map(|s| s.2 as usize).max().unwrap_or(0)],
        sums: vec![[0; 5]; BLOCK as usize * l.strata.len()],
        streams: Vec::with_capacity(BLOCK as usize),
    };
    let mut done = Vec::new();
    loop {
        let first = next.fetch_add(u64::from(BLOCK), Ordering::Relaxed);
        if first >= u64::from(wanted) {
            return Ok(done);
        }
        let first = first as u32;
        let last = first.saturating_add(BLOCK).min(wanted);
        done.push(block(sh, &mut scratch, first, last)?);
    }
}

/// Runs trials `first..last` (at most [`BLOCK`]). Stratum by stratum (its stations' votes
/// staying in the processor's cache), every trial draws the stratum's n distinct positions
/// from its own stream and adds up their terms; then each trial's estimate is computed from
/// its strata's sums.
fn block(sh: &Shared, sc: &mut Scratch, first: u32, last: u32) -> Result<Block, PvtError> {
    let l = &sh.layout;
    let count = (last - first) as usize;
    let strata = l.strata.len();
    let total = l.sample;
    let mut out = vec![Trial::default(); count];
    let mut kept = if sh.keep {
        vec![0u32; count * total]
    } else {
        Vec::new()
    };
    sc.streams.clear();
    sc.streams.extend((first..last).map(|t| stream(sh.base, t)));
    let mut offset = 0;
    for (h, &(start, len, n)) in l.strata.iter().enumerate() {
        let (a, m) = (&l.a[start..][..len as usize], &l.m[start..][..len as usize]);
        for t in 0..count {
            if sc.draw == u32::MAX {
                sc.mark.fill(0);
                sc.draw = 0;
            }
            sc.draw += 1;
            let picked = &mut sc.picked[..n as usize];
            draw_stratum(
                &mut sc.streams[t],
                (a, m),
                &mut sc.mark[..len as usize],
                sc.draw,
                picked,
                &mut sc.sums[t * strata + h],
            );
            if sh.keep {
                let row = &mut kept[t * total + offset..][..n as usize];
                for (k, &pos) in row.iter_mut().zip(picked.iter()) {
                    *k = l.order[start + pos as usize];
                }
            }
            for &pos in picked.iter().filter(|_| !l.altered.is_empty()) {
                if let Some(listed) = l.altered[start + pos as usize] {
                    out[t].altered_drawn += 1;
                    out[t].altered_listed += u32::from(listed);
                }
            }
        }
        offset += n as usize;
    }
    for (t, trial) in out.iter_mut().enumerate() {
        let row = &sc.sums[t * strata..][..strata];
        let floats = row.iter().zip(&sh.weights).map(|(s, &w)| {
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
        trial.share = share;
        trial.variance = variance;
        trial.voters = row.iter().map(|s| s[1]).sum();
    }
    Ok((first, out, kept))
}

/// Runs `trials` samples of `plan` from `truth` (whose columns are `columns`) for the
/// `leader`'s share of valid votes, comparing with `official` (the same frame, perhaps
/// altered at the stations `altered`, sorted). Trials run on `threads` threads; the result
/// does not depend on their number. With `keep`, also returns each trial's stations,
/// stratum by stratum, trial by trial.
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    truth: &Frame,
    columns: &Columns,
    official: &Frame,
    altered: &[usize],
    plan: &[Planned],
    leader: usize,
    trials_wanted: u32,
    seed: &str,
    threads: usize,
    keep: bool,
) -> Result<(Simulated, Vec<u32>), PvtError> {
    if truth.stations.len() != official.stations.len()
        || columns.valid.len() != truth.stations.len()
    {
        return Err(PvtError::invalid("official", "not the truth's stations"));
    }
    if trials_wanted == 0 {
        return Err(PvtError::invalid("trials", "at least 1"));
    }
    let layout = Layout::of((truth, official), columns, plan, leader, altered)?;
    let a = columns.totals[leader];
    let m: u128 = columns.totals.iter().sum();
    let true_share = a as f64 / m as f64;
    // The official counts differ only at the altered stations.
    let column = |f: &Frame, i: usize| {
        let c = &f.stations[i].counts;
        (c.votes.get(leader).copied().unwrap_or(0), c.valid())
    };
    let (oa, om) = altered.iter().fold((a, m), |(a, m), &i| {
        let (x, y) = column(truth, i);
        let (ox, oy) = column(official, i);
        (
            a - u128::from(x) + u128::from(ox),
            m - u128::from(y) + u128::from(oy),
        )
    });
    let official_share = oa as f64 / om as f64;
    let digest = Sha256::digest(seed.as_bytes());
    let base = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes of 32"));
    let weights = layout
        .strata
        .iter()
        .map(|&(_, len, n)| Weights::of(u64::from(len), u64::from(n)))
        .collect();
    let sh = Shared {
        layout,
        weights,
        base,
        keep,
    };
    let next = AtomicU64::new(0);
    let helpers = threads.clamp(1, trials_wanted.div_ceil(BLOCK) as usize) - 1;
    let parts: Vec<Result<Vec<Block>, PvtError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..helpers)
            .map(|_| scope.spawn(|| work(&sh, &next, trials_wanted)))
            .collect();
        let mut parts = vec![work(&sh, &next, trials_wanted)];
        parts.extend(
            handles
                .into_iter()
                .map(|h| h.join().expect("a simulation thread panicked")),
        );
        parts
    });
    let mut blocks = Vec::new();
    for part in parts {
        blocks.extend(part?);
    }
    blocks.sort_unstable_by_key(|b| b.0);
    let mut all = Vec::with_capacity(trials_wanted as usize);
    let mut samples = Vec::new();
    for (_, t, s) in blocks {
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
