//! # Dot product: a sum reduction over two arrays
//!
//! `s = Σ x[i]·y[i]`. Each iteration reads its own pair of elements and adds
//! their product into one accumulator, so the loop is a `+` reduction, like
//! `pi`, but over data in memory.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for reduction(+:s)
//! for (long i = 0; i < n; i++) s += x[i] * y[i];
//! ```
//!
//! `reduction(+: s)` gives every task its own `s` starting at 0.0; the
//! partial sums are added when the loop ends. Every iteration costs the same,
//! so the default `schedule(static)` applies. The sequential loop cannot
//! vectorize its float sum (that would add in another order), so it waits
//! for each addition before starting the next; with two threads there are
//! two such chains, and the speedup is about 2x as long as the vectors sit in
//! cache, as they do here (2^20 doubles each: 16 MiB for both). Each timing
//! covers [`SWEEPS`] calls.
//!
//! The parallel sum adds the same terms in another order, so it may differ
//! from the sequential one in the last bits; the check allows the bound for
//! two orders of the same `n` terms, `2·n·ε·Σ|x[i]·y[i]|`.
//!
//! `cargo run --release --example dot [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, repeat};
use parallel::parallel;

/// The plain loop.
pub fn dot_seq(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

/// The same loop, annotated.
#[parallel]
pub fn dot_par(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(reduction(+: s))]
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

/// Calls per timing: one call over 2^20 elements takes about half a millisecond.
pub const SWEEPS: usize = 200;

pub fn run(n: usize, reps: usize) -> Row {
    let x: Vec<f64> = (0..n).map(|i| (i % 1000) as f64 / 1000.0 - 0.5).collect();
    let y: Vec<f64> = (0..n).map(|i| (i % 777) as f64 / 777.0 - 0.3).collect();
    let sweeps = |dot: fn(&[f64], &[f64]) -> f64| {
        let (x, y) = (&x, &y);
        move |()| repeat(SWEEPS, || dot(x, y))
    };
    let abs_sum: f64 = x.iter().zip(&y).map(|(a, b)| (a * b).abs()).sum();
    let size = format!("n = 2^{}, {SWEEPS} sweeps", n.ilog2());
    compare(
        &PATTERN,
        size,
        reps,
        || (),
        sweeps(dot_seq),
        sweeps(dot_par),
        |s, p| Check::sums(*s, *p, n, abs_sum),
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "dot",
    directive: "parallel_for(reduction(+: s))",
    full: 1 << 20,
    quick: 1 << 12,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
