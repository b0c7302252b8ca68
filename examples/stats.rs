//! # Statistics in one pass: a user-defined reduction
//!
//! Count, mean, minimum and maximum of a data set, in one loop. No built-in
//! operator combines four values at once, so the loop declares its own: a
//! [`Reducer`] says what a fresh partial result is (`identity`) and how two
//! partials merge (`combine`). Each thread folds its share of the data into
//! its own `Stats`, and the partials are merged when the loop ends.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp declare reduction(merge : struct stats : omp_out = merge(omp_out, omp_in)) \
//!         initializer(omp_priv = stats_identity())
//! #pragma omp parallel for reduction(merge: s)
//! for (long i = 0; i < n; i++) s = merge(s, one(x[i]));
//! ```
//!
//! The loop walks the slice with `x.iter()`, which `parallel_for` splits like
//! an index range.
//!
//! Every element costs the same, so the default `schedule(static)` applies.
//! The sum inside `Stats` is a float sum in another grouping, so the mean is
//! checked to the reduction's error bound; count, min and max are exact.
//!
//! `cargo run --release --example stats [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, repeat};
use parallel::{Reducer, parallel};

/// What the loop computes: count, sum, min and max.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    pub count: u64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    /// The statistics of one value.
    pub fn one(x: f64) -> Stats {
        Stats {
            count: 1,
            sum: x,
            min: x,
            max: x,
        }
    }

    pub fn mean(&self) -> f64 {
        self.sum / self.count as f64
    }
}

/// OpenMP's `declare reduction`: how partial `Stats` merge.
pub struct Merge;

impl Reducer for Merge {
    type Value = Stats;
    fn identity() -> Stats {
        Stats {
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
    fn combine(acc: &mut Stats, other: Stats) {
        acc.count += other.count;
        acc.sum += other.sum;
        acc.min = acc.min.min(other.min);
        acc.max = acc.max.max(other.max);
    }
}

/// The plain loop.
pub fn stats_seq(x: &[f64]) -> Stats {
    let mut s = Merge::identity();
    for v in x.iter() {
        Merge::combine(&mut s, Stats::one(*v));
    }
    s
}

/// The same loop, annotated.
#[parallel]
pub fn stats_par(x: &[f64]) -> Stats {
    let mut s = Merge::identity();
    #[parallel_for(reduction(Merge: s))]
    for v in x.iter() {
        Merge::combine(&mut s, Stats::one(*v));
    }
    s
}

/// Calls per timing.
pub const SWEEPS: usize = 8;

pub fn run(n: usize, reps: usize) -> Row {
    let x: Vec<f64> = (0..n)
        .map(|i| ((i * 7919) % 10_007) as f64 / 100.0 - 20.0)
        .collect();
    let sweeps = |stats: fn(&[f64]) -> Stats| {
        let x = &x;
        move |()| repeat(SWEEPS, || stats(x))
    };
    let abs_sum: f64 = x.iter().map(|v| v.abs()).sum();
    let size = format!("n = 2^{}, {SWEEPS} sweeps", n.ilog2());
    let (row, _) = compare(
        &PATTERN,
        size,
        reps,
        || (),
        sweeps(stats_seq),
        sweeps(stats_par),
        |s, p| {
            let exact = (s.count, s.min, s.max) == (p.count, p.min, p.max);
            let sum = Check::sums(s.sum, p.sum, n, abs_sum);
            Check {
                ok: exact && sum.ok,
                detail: format!(
                    "count {} / {}, min {} / {}, max {} / {}, mean {:.9} / {:.9}; {}",
                    s.count,
                    p.count,
                    s.min,
                    p.min,
                    s.max,
                    p.max,
                    s.mean(),
                    p.mean(),
                    sum.detail
                ),
            }
        },
    );
    row
}

pub const PATTERN: Pattern = Pattern {
    name: "stats",
    directive: "parallel_for(reduction(Merge: s))",
    full: 1 << 24,
    quick: 1 << 12,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
