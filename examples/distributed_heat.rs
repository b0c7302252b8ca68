//! # Heat over MPI ranks: a stencil whose rows the ranks own
//!
//! The `heat` example's Jacobi sweep, `distributed`: each rank computes a
//! contiguous block of the rows of `dst` on its own team, and after the
//! loop the rows travel, so every rank holds the whole new grid for the
//! next sweep (replicated data: the next sweep of every rank reads its
//! neighbours' boundary rows). The largest change of a sweep is a `max`
//! reduction over all ranks, which every rank uses to decide when to stop,
//! so all ranks stop together.
//!
//! ```c
//! // MPI + OpenMP, the same: rows lo..hi on this rank, then MPI_Allgatherv of the rows
//! #pragma omp parallel for reduction(max:change)
//! for (int i = lo; i < hi; i++) for (int j = 1; j < n - 1; j++) { .. }
//! ```
//!
//! A real MPI code would send only the boundary (halo) rows: every rank
//! receiving the whole grid each sweep costs `n²` values per sweep, so this
//! pays only while a sweep's work outweighs moving the grid (see the
//! guide's page "Beyond one machine"). Every rank checks its grid against
//! the plain loops' bit for bit (a sweep has no reduction over floats that
//! could round differently; the `max` is exact).
//!
//! ```text
//! cargo build --release --features mpi --example distributed_heat
//! mpirun -np 2 target/release/examples/distributed_heat [--quick]
//! ```

use parallel::{distributed, parallel, wtime};

/// One sweep, annotated: rows split among the ranks, and the largest change.
#[parallel]
fn sweep(n: usize, src: &[f64], dst: &mut [f64]) -> f64 {
    let mut change = 0.0f64;
    #[parallel_for(distributed, reduction(max: change))]
    for i in 1..n - 1 {
        for j in 1..n - 1 {
            dst[i * n + j] = 0.2
                * (src[i * n + j]
                    + src[i * n + j - 1]
                    + src[i * n + j + 1]
                    + src[(i + 1) * n + j]
                    + src[(i - 1) * n + j]);
            change = change.max((dst[i * n + j] - src[i * n + j]).abs());
        }
    }
    change
}

/// The plain loops.
fn sweep_seq(n: usize, src: &[f64], dst: &mut [f64]) -> f64 {
    let mut change = 0.0f64;
    for i in 1..n - 1 {
        for j in 1..n - 1 {
            dst[i * n + j] = 0.2
                * (src[i * n + j]
                    + src[i * n + j - 1]
                    + src[i * n + j + 1]
                    + src[(i + 1) * n + j]
                    + src[(i - 1) * n + j]);
            change = change.max((dst[i * n + j] - src[i * n + j]).abs());
        }
    }
    change
}

/// A plate at 20 °C with a hot square, its left edge held at 100 °C.
fn plate(n: usize) -> Vec<f64> {
    let mut a = vec![20.0; n * n];
    for i in 0..n {
        a[i * n] = 100.0;
    }
    for i in n / 3..n / 2 {
        for j in n / 3..n / 2 {
            a[i * n + j] = 100.0;
        }
    }
    a
}

/// Sweeps until the largest change is below `tol` or `max_steps` time steps
/// ran; returns the grid and the number of steps.
fn solve(
    n: usize,
    tol: f64,
    max_steps: usize,
    f: impl Fn(usize, &[f64], &mut [f64]) -> f64,
) -> (Vec<f64>, usize) {
    let mut a = plate(n);
    let mut b = a.clone();
    for step in 1..=max_steps {
        f(n, &a, &mut b);
        let change = f(n, &b, &mut a);
        if change < tol {
            return (a, step);
        }
    }
    (a, max_steps)
}

fn main() {
    let _mpi = distributed::init();
    let quick = std::env::args().any(|a| a == "--quick");
    let (n, max_steps) = if quick { (64, 50) } else { (512, 100) };
    let tol = 1e-3;
    let (rank, size) = (distributed::rank(), distributed::size());

    let t0 = wtime();
    let (grid, steps) = solve(n, tol, max_steps, sweep);
    let t = wtime() - t0;
    let (want, want_steps) = solve(n, tol, max_steps, sweep_seq);
    assert_eq!(
        steps, want_steps,
        "rank {rank}: stopped after {steps} steps, the plain loops after {want_steps}"
    );
    let same = grid
        .iter()
        .zip(&want)
        .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(same, "rank {rank}: the grid differs from the plain loops'");
    let centre = grid[(n / 2) * n + n / 2];
    if rank == 0 {
        println!(
            "{n}x{n} plate, {steps} time steps in {t:.3} s on {size} rank(s) x {} thread(s); centre {centre:.3} °C",
            parallel::max_threads()
        );
        println!(
            "distributed_heat: check passed (every rank's grid equals the plain loops', bit for bit)"
        );
    }
}
