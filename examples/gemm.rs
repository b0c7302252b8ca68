//! # Matrix multiply: `C = alpha·A·B + beta·C` (PolyBench `gemm`)
//!
//! Square `n × n` matrices, row-major, in PolyBench's i-k-j loop order: for
//! row `i` of `C`, scale it by `beta`, then for each `k` add `alpha·A[i][k]`
//! times row `k` of `B`. The innermost loop runs along rows of `B` and `C`,
//! with unit stride, so it vectorizes. Iteration `i` writes row `i` of `C`
//! alone, `c[i * n + j]`: the macro splits `c` into rows of `n`.
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for
//! for (int i = 0; i < n; i++) { for (j...) C[i][j] *= beta; for (k...) for (j...) C[i][j] += alpha * A[i][k] * B[k][j]; }
//! ```
//!
//! Rows cost the same, so the default `schedule(static)` applies: one block
//! of rows per thread. Each thread reads all of `B`, and each element of `C`
//! sees the same operations in the same order as in the plain loop (the `k`
//! sum stays inside one iteration), so the result must match bit for bit.
//!
//! `cargo run --release --example gemm [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, in_place};
use parallel::parallel;

/// The plain loops.
pub fn gemm_seq(n: usize, alpha: f64, beta: f64, a: &[f64], b: &[f64], c: &mut [f64]) {
    for i in 0..n {
        for j in 0..n {
            c[i * n + j] *= beta;
        }
        for k in 0..n {
            for j in 0..n {
                c[i * n + j] += alpha * a[i * n + k] * b[k * n + j];
            }
        }
    }
}

/// The same loops, the `i` loop annotated.
#[parallel]
pub fn gemm_par(n: usize, alpha: f64, beta: f64, a: &[f64], b: &[f64], c: &mut [f64]) {
    #[parallel_for]
    for i in 0..n {
        for j in 0..n {
            c[i * n + j] *= beta;
        }
        for k in 0..n {
            for j in 0..n {
                c[i * n + j] += alpha * a[i * n + k] * b[k * n + j];
            }
        }
    }
}

/// PolyBench's initial `n × n` matrix: element (i, j) is `((i * (j + c) + d) % n) / n`.
pub fn matrix(n: usize, c: usize, d: usize) -> Vec<f64> {
    (0..n * n)
        .map(|k| ((k / n * (k % n + c) + d) % n) as f64 / n as f64)
        .collect()
}

pub fn run(n: usize, reps: usize) -> Row {
    let (alpha, beta) = (1.5, 1.2);
    let (a, b) = (matrix(n, 1, 0), matrix(n, 2, 0));
    let seq = in_place(|c: &mut Vec<f64>| gemm_seq(n, alpha, beta, &a, &b, c));
    let par = in_place(|c: &mut Vec<f64>| gemm_par(n, alpha, beta, &a, &b, c));
    let size = format!("n = {n}");
    compare(
        &PATTERN,
        size,
        reps,
        || matrix(n, 0, 1),
        seq,
        par,
        Check::exact,
    )
    .0
}

pub const PATTERN: Pattern = Pattern {
    name: "gemm",
    directive: "parallel_for",
    full: 1200,
    quick: 24,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
