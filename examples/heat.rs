//! # Jacobi 2-D stencil: read one grid, write another (PolyBench `jacobi-2d`)
//!
//! Each point becomes the average of itself and its four neighbours. A point
//! reads its neighbours' old values, so a sweep cannot update its grid in
//! place: each time step, one parallel loop over the inner rows writes `B`
//! from `A`, then a second one writes `A` from `B`. Both grids are `n × n`,
//! row-major; the macro splits the grid a loop writes into rows of `n` and
//! gives row `i` to iteration `i`, while the grid it reads is shared read-only.
//! (Writing and reading the same grid, `a[i * n + j] = .. a[(i - 1) * n + j]`,
//! is rejected: another iteration may be writing row `i - 1`.)
//!
//! OpenMP, for each of the two sweeps:
//!
//! ```c
//! #pragma omp parallel for
//! for (int i = 1; i < n - 1; i++) for (int j = 1; j < n - 1; j++) B[i][j] = 0.2 * (A[i][j] + ...);
//! ```
//!
//! A bare `#[parallel_for]` is `schedule(static)`: every row costs the same,
//! and contiguous blocks keep each thread on the same rows every sweep. There
//! is no reduction, so both versions do the same operations on every point in
//! the same order: the grids must match bit for bit.
//!
//! `cargo run --release --example jacobi [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare};
use parallel::parallel;

/// Time steps (PolyBench's `TSTEPS`).
pub const TSTEPS: usize = 250;

/// The PolyBench initial grids `A` and `B`.
pub fn init(n: usize) -> (Vec<f64>, Vec<f64>) {
    let grid = |c: usize| -> Vec<f64> {
        (0..n * n)
            .map(|k| ((k / n) as f64 * ((k % n + c) as f64) + c as f64) / n as f64)
            .collect()
    };
    (grid(2), grid(3))
}

/// The plain loops.
pub fn jacobi_seq(tsteps: usize, n: usize, a: &mut [f64], b: &mut [f64]) {
    for _ in 0..tsteps {
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                b[i * n + j] = 0.2
                    * (a[i * n + j]
                        + a[i * n + j - 1]
                        + a[i * n + j + 1]
                        + a[(i + 1) * n + j]
                        + a[(i - 1) * n + j]);
            }
        }
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                a[i * n + j] = 0.2
                    * (b[i * n + j]
                        + b[i * n + j - 1]
                        + b[i * n + j + 1]
                        + b[(i + 1) * n + j]
                        + b[(i - 1) * n + j]);
            }
        }
    }
}

/// The same loops, both sweeps annotated.
#[parallel]
pub fn jacobi_par(tsteps: usize, n: usize, a: &mut [f64], b: &mut [f64]) {
    for _ in 0..tsteps {
        #[parallel_for]
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                b[i * n + j] = 0.2
                    * (a[i * n + j]
                        + a[i * n + j - 1]
                        + a[i * n + j + 1]
                        + a[(i + 1) * n + j]
                        + a[(i - 1) * n + j]);
            }
        }
        #[parallel_for]
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                a[i * n + j] = 0.2
                    * (b[i * n + j]
                        + b[i * n + j - 1]
                        + b[i * n + j + 1]
                        + b[(i + 1) * n + j]
                        + b[(i - 1) * n + j]);
            }
        }
    }
}

pub fn run(n: usize, reps: usize) -> Row {
    let kernel = |f: fn(usize, usize, &mut [f64], &mut [f64])| {
        move |(mut a, mut b): (Vec<f64>, Vec<f64>)| {
            f(TSTEPS, n, &mut a, &mut b);
            a
        }
    };
    let size = format!("{n}×{n}, {TSTEPS} steps");
    compare(
        &PATTERN,
        size,
        reps,
        || init(n),
        kernel(jacobi_seq),
        kernel(jacobi_par),
        Check::exact,
    )
}

pub const PATTERN: Pattern = Pattern {
    name: "jacobi",
    directive: "parallel_for",
    full: 1000,
    quick: 32,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
