//! # Sum: a vectorized reduction
//!
//! `s = Σ x[i]` over 2^24 `f32`s (64 MiB). The plain loop cannot vectorize a
//! float sum (that would add in another order), so it waits for each
//! addition before starting the next: about one element per add latency.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for simd reduction(+:s)
//! for (long i = 0; i < n; i++) s += x[i];
//! ```
//!
//! `simd` splits `s` into 32 lanes within each thread's chunks: the lanes'
//! additions run side by side in vector registers, at the widest level the
//! CPU has (AVX-512, AVX2 or the baseline, chosen at run time), and the
//! threads then add their partial sums. Two threads times a vector unit:
//! the loop runs until memory cannot deliver the data any faster. Each
//! timing covers [`SWEEPS`] calls.
//!
//! The parallel sum adds the same terms in another order; the check allows
//! the bound for two orders of the same `n` terms, `2·n·ε·Σ|x[i]|`.
//!
//! `cargo run --release --example sum [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, repeat};
use parallel::parallel;

/// The plain loop, written as the annotated one is.
#[allow(clippy::needless_range_loop)]
pub fn sum_seq(x: &[f32]) -> f32 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

/// The same loop, annotated.
#[parallel]
pub fn sum_par(x: &[f32]) -> f32 {
    let mut s = 0.0;
    #[parallel_for(simd, reduction(+: s))]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

/// Calls per timing: one plain call over 2^24 elements takes about 15 ms.
pub const SWEEPS: usize = 8;

pub fn run(n: usize, reps: usize) -> Row {
    let x: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 / 1000.0 - 0.25).collect();
    let sweeps = |sum: fn(&[f32]) -> f32| {
        let x = &x;
        move |()| repeat(SWEEPS, || sum(x))
    };
    let abs_sum: f64 = x.iter().map(|v| f64::from(v.abs())).sum();
    let size = format!("n = 2^{} f32, {SWEEPS} sweeps", n.ilog2());
    compare(
        &PATTERN,
        size,
        reps,
        || (),
        sweeps(sum_seq),
        sweeps(sum_par),
        |s, p| Check::sums_f32(*s, *p, n, abs_sum),
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "sum",
    directive: "parallel_for(simd, reduction(+: s))",
    full: 1 << 24,
    quick: 1 << 12,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
