//! # Running maximum: a scan with `max`
//!
//! `out[i] = max(x[0], …, x[i])`: the highest reading so far, at every
//! reading (a record line, a drawdown's peak). A scan like the prefix
//! sum, with `max` for `+`: any reduction operator, and any user
//! [`Reducer`](parallel::Reducer), may be scanned.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for reduction(inscan, max:m)
//! for (long i = 0; i < n; i++) {
//!     m = m > x[i] ? m : x[i];
//!     #pragma omp scan inclusive(m)
//!     out[i] = m;
//! }
//! ```
//!
//! Each block of iterations starts from the maximum of the blocks before
//! it; `max` picks one of the values, so the results must be identical.
//! Like the prefix sum, the two passes read the input twice: memory bounds
//! it at this size (2^24 `i64`s, 128 MiB in and 128 MiB out).
//!
//! `cargo run --release --example running_max [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare};
use parallel::{parallel, scan};

/// The plain loop.
#[allow(clippy::needless_range_loop)]
pub fn running_max_seq(x: &[i64], out: &mut [i64]) {
    let mut m = i64::MIN;
    for i in 0..x.len() {
        m = m.max(x[i]);
        out[i] = m;
    }
}

/// The same loop as a scan.
#[parallel]
pub fn running_max_par(x: &[i64], out: &mut [i64]) {
    let mut m = i64::MIN;
    #[parallel_for(reduction(inscan, max: m))]
    for i in 0..x.len() {
        m = m.max(x[i]);
        scan!(inclusive(m));
        out[i] = m;
    }
}

/// A random walk: a running maximum that changes now and then.
pub fn walk(n: usize) -> Vec<i64> {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut v = 0i64;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            v += (s % 201) as i64 - 100;
            v
        })
        .collect()
}

pub fn run(n: usize, reps: usize) -> Row {
    let x = walk(n);
    let kernel = |f: fn(&[i64], &mut [i64])| {
        let x = &x;
        move |mut out: Vec<i64>| {
            f(x, &mut out);
            out
        }
    };
    compare(
        &PATTERN,
        format!("n = 2^{}", n.ilog2()),
        reps,
        || vec![0i64; n],
        kernel(running_max_seq),
        kernel(running_max_par),
        Check::exact,
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "running_max",
    directive: "parallel_for(reduction(inscan, max: m))",
    full: 1 << 24,
    quick: 1 << 12,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
