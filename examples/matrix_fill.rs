//! # Filling a short, wide matrix: `collapse(2)`
//!
//! A matrix with 2 rows and a million columns, each element computed from
//! its row and column. Splitting the outer loop alone gives at most 2 tasks,
//! one per row: with more threads than rows, the rest would idle, and with a
//! row count that does not divide by the thread count, the split is lopsided.
//! `collapse(2)` flattens the two loops into one space of rows × columns
//! iterations and splits that, so every thread gets an equal share.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for collapse(2)
//! for (int i = 0; i < rows; i++)
//!     for (long j = 0; j < cols; j++)
//!         c[i * cols + j] = f(i, j);
//! ```
//!
//! The write `c[i * cols + j]` on the two collapsed variables is each
//! iteration's own element of the flattened space, so it is accepted even
//! where a chunk boundary falls in the middle of a row. No reduction: the
//! check is exact. Run it with `--threads 3` to see the difference.
//!
//! `cargo run --release --example matrix_fill [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, in_place};
use parallel::parallel;

/// Rows of the matrix: fewer than most machines' cores.
pub const ROWS: usize = 2;

/// The element at row `i`, column `j`: a little arithmetic per element.
#[inline]
fn value(i: usize, j: usize) -> f64 {
    let x = j as f64 * 1e-3 + i as f64;
    x.sin() * x.cos() + (x * 0.5).sqrt()
}

/// The plain loops.
pub fn fill_seq(c: &mut [f64], cols: usize) {
    for i in 0..ROWS {
        for j in 0..cols {
            c[i * cols + j] = value(i, j);
        }
    }
}

/// The same loops, collapsed.
#[parallel]
pub fn fill_par(c: &mut [f64], cols: usize) {
    #[parallel_for(collapse(2))]
    for i in 0..ROWS {
        for j in 0..cols {
            c[i * cols + j] = value(i, j);
        }
    }
}

pub fn run(cols: usize, reps: usize) -> Row {
    let size = format!("{ROWS} × {cols}");
    compare(
        &PATTERN,
        size,
        reps,
        || vec![0.0; ROWS * cols],
        in_place(|c: &mut Vec<f64>| fill_seq(c, cols)),
        in_place(|c: &mut Vec<f64>| fill_par(c, cols)),
        Check::exact,
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "matrix_fill",
    directive: "parallel_for(collapse(2))",
    full: 1 << 22,
    quick: 1 << 10,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
