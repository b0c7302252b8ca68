//! # Matrix multiply on ndarray: `C = alpha·A·B + beta·C` on `Array2<f64>`
//!
//! The loops of [`gemm`](gemm.rs), written on ndarray's `Array2` with its
//! own indices, `c[[i, j]]`. Iteration `i` writes row `i` of `C` alone: the
//! macro gives each chunk of rows its own `ArrayViewMut` of them, and any
//! other index `c[[k, j]]` in the body would be a compile error (or, for a
//! `k` only known at run time, a panic before anything races).
//!
//! OpenMP:
//!
//! ```c
//! #pragma omp parallel for
//! for (int i = 0; i < n; i++) { for (j...) C[i][j] *= beta; for (k...) for (j...) C[i][j] += alpha * A[i][k] * B[k][j]; }
//! ```
//!
//! Each element of `C` sees the same operations in the same order as in the
//! plain loop, so the result must match bit for bit; the example checks it
//! on an owned `C` and on a transposed view of one (column-major data).
//!
//! `cargo run --release --features ndarray --example ndarray_gemm [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Pattern, Row, compare, in_place};
use ndarray::{Array2, ArrayViewMut2};
use parallel::parallel;

/// The plain computation, in ndarray's own idiom: row by row, `C[i] *=
/// beta`, then `C[i] += (alpha·A[i][k])·B[k]` for each `k` in order: each
/// element sees the same operations, in the same order, as in the loops
/// below.
pub fn gemm_seq(
    alpha: f64,
    beta: f64,
    a: &Array2<f64>,
    b: &Array2<f64>,
    c: &mut ArrayViewMut2<f64>,
) {
    for (mut crow, arow) in c.rows_mut().into_iter().zip(a.rows()) {
        crow *= beta;
        for (p, &aip) in arow.iter().enumerate() {
            crow.scaled_add(alpha * aip, &b.row(p));
        }
    }
}

/// The loops as a C programmer writes them, the `i` loop annotated.
#[parallel]
pub fn gemm_par(
    alpha: f64,
    beta: f64,
    a: &Array2<f64>,
    b: &Array2<f64>,
    c: &mut ArrayViewMut2<f64>,
) {
    let (n, m) = c.dim();
    let k = a.ncols();
    #[parallel_for]
    for i in 0..n {
        for j in 0..m {
            c[[i, j]] *= beta;
        }
        for p in 0..k {
            for j in 0..m {
                c[[i, j]] += alpha * a[[i, p]] * b[[p, j]];
            }
        }
    }
}

/// PolyBench's initial `n × n` matrix: element (i, j) is `((i * (j + c) + d) % n) / n`.
pub fn matrix(n: usize, c: usize, d: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, n), |(i, j)| ((i * (j + c) + d) % n) as f64 / n as f64)
}

fn same(seq: &Array2<f64>, par: &Array2<f64>) -> Check {
    let (s, p): (Vec<f64>, Vec<f64>) =
        (seq.iter().copied().collect(), par.iter().copied().collect());
    Check::exact(&s, &p)
}

pub fn run(n: usize, reps: usize) -> Row {
    let (alpha, beta) = (1.5, 1.2);
    let (a, b) = (matrix(n, 1, 0), matrix(n, 2, 0));
    let seq = in_place(|c: &mut Array2<f64>| gemm_seq(alpha, beta, &a, &b, &mut c.view_mut()));
    let par = in_place(|c: &mut Array2<f64>| gemm_par(alpha, beta, &a, &b, &mut c.view_mut()));
    // Column-major `C`, seen through a transposed view.
    let mut columns = matrix(n, 0, 1).t().to_owned();
    gemm_par(alpha, beta, &a, &b, &mut columns.view_mut().reversed_axes());
    let transposed_ok = {
        let mut want = matrix(n, 0, 1);
        gemm_seq(alpha, beta, &a, &b, &mut want.view_mut());
        columns.t() == want
    };
    let (mut row, _) = compare(
        &PATTERN,
        format!("n = {n}"),
        reps,
        || matrix(n, 0, 1),
        seq,
        par,
        same,
    );
    if !transposed_ok {
        row.check = Check {
            ok: false,
            detail: "a transposed C differs".to_owned(),
        };
    }
    row
}

pub const PATTERN: Pattern = Pattern {
    name: "ndarray_gemm",
    directive: "parallel_for",
    full: 600,
    quick: 24,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
