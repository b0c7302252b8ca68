//! # Min/max search: `min` and `max` reductions, and a first-match search
//!
//! One pass over an array of readings finds the smallest and the largest, and
//! the index of the first reading above a limit. All three are reductions:
//! `lo` and `first` combine with `min`, `hi` with `max`.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for reduction(min:lo,first) reduction(max:hi)
//! for (long i = 0; i < n; i++) {
//!     lo = fmin(lo, x[i]); hi = fmax(hi, x[i]);
//!     if (x[i] > limit) first = first < i ? first : i;
//! }
//! ```
//!
//! Each task keeps its own `lo`, `hi` and `first`, starting from the
//! identities (`+∞`, `-∞` and `usize::MAX`), and the results are combined
//! when the loop ends. Every iteration costs the same, so the default
//! `schedule(static)` applies.
//!
//! The search is the part to learn: a sequential search would `break` at the
//! first match, but `break` is rejected in a parallel loop (its iterations run
//! at once, so there is no "rest of the loop" to skip). Instead every match
//! offers its index to a `min` reduction, and the smallest wins: the same
//! answer as the `break`, found by looking at every element. Here the pass
//! must look at every element anyway, for `lo` and `hi`.
//!
//! `min` and `max` are exact (they pick one of the values, and ignore NaN as
//! [`f64::min`] does), so the results must be identical. The arrays fit in
//! cache (2^20 doubles); each timing covers [`SWEEPS`] calls.
//!
//! `cargo run --release --example minmax [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, repeat};
use parallel::parallel;

/// The smallest and largest reading, and the index of the first one above
/// `limit` (`usize::MAX` if there is none).
pub type MinMax = (f64, f64, usize);

/// The plain loop, written as the parallel one must be: over the indices.
#[allow(clippy::needless_range_loop)]
pub fn minmax_seq(x: &[f64], limit: f64) -> MinMax {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut first = usize::MAX;
    for i in 0..x.len() {
        lo = lo.min(x[i]);
        hi = hi.max(x[i]);
        if x[i] > limit {
            first = first.min(i);
        }
    }
    (lo, hi, first)
}

/// The same loop, annotated.
#[parallel]
pub fn minmax_par(x: &[f64], limit: f64) -> MinMax {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut first = usize::MAX;
    #[parallel_for(reduction(min: lo, first), reduction(max: hi))]
    for i in 0..x.len() {
        lo = lo.min(x[i]);
        hi = hi.max(x[i]);
        if x[i] > limit {
            first = first.min(i);
        }
    }
    (lo, hi, first)
}

/// Calls per timing.
pub const SWEEPS: usize = 100;

/// `n` readings in `[0, 1)` from a fixed pseudo-random sequence, and two
/// above the limit 1.0: the first at three quarters of the way.
pub fn readings(n: usize) -> Vec<f64> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut x: Vec<f64> = (0..n)
        .map(|_| {
            // xorshift64: 53 random bits, scaled into [0, 1).
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect();
    x[n * 3 / 4] = 1.25;
    x[n - 1] = 1.5;
    x
}

pub fn run(n: usize, reps: usize) -> Row {
    let x = readings(n);
    let sweeps = |minmax: fn(&[f64], f64) -> MinMax| {
        let x = &x;
        move |()| repeat(SWEEPS, || minmax(x, 1.0))
    };
    let size = format!("n = 2^{}, {SWEEPS} sweeps", n.ilog2());
    compare(
        &PATTERN,
        size,
        reps,
        || (),
        sweeps(minmax_seq),
        sweeps(minmax_par),
        |s, p| {
            let (lo, hi, first) = *p;
            let found = format!("lo = {lo:.3e}, hi = {hi}, first above 1.0 at {first}");
            match s == p {
                true => Check {
                    ok: true,
                    detail: format!("{found}: identical"),
                },
                false => Check {
                    ok: false,
                    detail: format!("{found}, but sequentially {s:?}"),
                },
            }
        },
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "minmax",
    directive: "parallel_for(reduction(min: lo, first), reduction(max: hi))",
    full: 1 << 20,
    quick: 1 << 12,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
