//! # Prefix sum: a scan
//!
//! `out[i] = x[0] + x[1] + … + x[i]`: every element of the result depends
//! on every element before it, the loop every parallel programmer meets
//! early and every parallel library has to answer. Rayon has no scan
//! (issues #393 and #329); OpenMP 5 has `inscan` reductions, and so do we.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for reduction(inscan, +:sum)
//! for (long i = 0; i < n; i++) {
//!     sum += x[i];
//!     #pragma omp scan inclusive(sum)
//!     out[i] = sum;
//! }
//! ```
//!
//! The statement `scan!(inclusive(sum));` splits the body: the statements
//! before it update `sum`, those after it read the running total up to and
//! including the iteration. The loop runs in two passes over one block of
//! iterations per thread: the first adds up each block (the update phase
//! alone), a sequential scan of the block totals gives each block its
//! starting value, and the second pass runs the whole body from it. So the
//! input is read twice and the output written once: at 2^24 elements
//! (64 MiB in, 128 MiB out) memory, not arithmetic, bounds both passes,
//! and two threads gain little over one (see BENCHMARKS.md).
//!
//! The sums are integers (`u32` in, `u64` out): they must be identical.
//!
//! `cargo run --release --example prefix_sum [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare};
use parallel::{parallel, scan};

/// The plain loop.
#[allow(clippy::needless_range_loop)]
pub fn prefix_sum_seq(x: &[u32], out: &mut [u64]) -> u64 {
    let mut sum = 0u64;
    for i in 0..x.len() {
        sum += x[i] as u64;
        out[i] = sum;
    }
    sum
}

/// The same loop as a scan.
#[parallel]
pub fn prefix_sum_par(x: &[u32], out: &mut [u64]) -> u64 {
    let mut sum = 0u64;
    #[parallel_for(reduction(inscan, +: sum))]
    for i in 0..x.len() {
        sum += x[i] as u64;
        scan!(inclusive(sum));
        out[i] = sum;
    }
    sum
}

/// `n` pseudo-random values below 1000.
pub fn values(n: usize) -> Vec<u32> {
    (0..n as u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as u32 % 1000)
        .collect()
}

pub fn run(n: usize, reps: usize) -> Row {
    let x = values(n);
    let kernel = |f: fn(&[u32], &mut [u64]) -> u64| {
        let x = &x;
        move |mut out: Vec<u64>| {
            let total = f(x, &mut out);
            (total, out)
        }
    };
    compare(
        &PATTERN,
        format!("n = 2^{}", n.ilog2()),
        reps,
        || vec![0u64; n],
        kernel(prefix_sum_seq),
        kernel(prefix_sum_par),
        |s, p| {
            let mut check = Check::exact(&s.1, &p.1);
            check.ok &= s.0 == p.0;
            check
        },
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "prefix_sum",
    directive: "parallel_for(reduction(inscan, +: sum))",
    full: 1 << 24,
    quick: 1 << 12,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
