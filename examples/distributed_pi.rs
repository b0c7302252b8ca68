//! # π over MPI ranks: a distributed sum reduction
//!
//! The `pi` example's loop with one more clause: `distributed` gives each
//! MPI rank a contiguous block of the steps, each rank runs its block on its
//! own team, and the ranks' partial sums are combined so that every rank
//! holds the whole sum (the hybrid MPI + OpenMP model).
//!
//! ```c
//! // MPI + OpenMP: each rank its block, then MPI_Allreduce
//! #pragma omp parallel for reduction(+:sum)
//! for (long i = lo; i < hi; i++) { double x = (i + 0.5) * step; sum += 4.0 / (1.0 + x * x); }
//! MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
//! ```
//!
//! Every rank checks its result against π (the midpoint rule's error is far
//! below the rounding bound `2·steps·ε·π` of the sums), and the
//! `deterministic` run's bits against rank 0's: the same on every rank.
//!
//! ```text
//! cargo build --release --features mpi --example distributed_pi
//! mpirun -np 2 target/release/examples/distributed_pi [--quick] [steps]
//! ```
//!
//! Without `--features mpi`, or without `mpirun`, it runs as one process.

use parallel::{distributed, parallel, wtime};

#[parallel]
fn pi(steps: u64) -> f64 {
    let step = 1.0 / steps as f64;
    let mut sum = 0.0;
    #[parallel_for(distributed, reduction(+: sum))]
    for i in 0..steps {
        let x = (i as f64 + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    sum * step
}

/// The same sum, bit-identical for any number of ranks and threads.
#[parallel]
fn pi_deterministic(steps: u64) -> f64 {
    let step = 1.0 / steps as f64;
    let mut sum = 0.0;
    #[parallel_for(distributed, deterministic, reduction(+: sum))]
    for i in 0..steps {
        let x = (i as f64 + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    sum * step
}

/// Every rank's `value`, as seen by every rank (through a distributed
/// loop: iteration `r` runs on rank `r` alone when there are as many
/// iterations as ranks).
#[parallel]
fn on_every_rank(value: f64) -> Vec<u64> {
    let size = distributed::size();
    let mut bits = vec![0u64; size];
    #[parallel_for(distributed)]
    for r in 0..size {
        bits[r] = value.to_bits();
    }
    bits
}

fn main() {
    let _mpi = distributed::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let steps: u64 = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(if quick { 1_000_000 } else { 400_000_000 });
    let (rank, size) = (distributed::rank(), distributed::size());

    let t0 = wtime();
    let p = pi(steps);
    let t = wtime() - t0;
    let d = pi_deterministic(steps);
    let bound = 2.0 * steps as f64 * f64::EPSILON * std::f64::consts::PI;
    let err = (p - std::f64::consts::PI).abs();
    assert!(
        err <= bound,
        "rank {rank}: pi = {p}, off by {err:e} > {bound:e}"
    );
    let seen = on_every_rank(d);
    assert!(
        seen.iter().all(|&b| b == d.to_bits()),
        "rank {rank}: the deterministic sums differ between ranks: {seen:x?}"
    );
    if rank == 0 {
        println!(
            "pi = {p:.15} (error {err:.1e}) in {t:.3} s: {steps} steps on {size} rank(s) x {} thread(s)",
            parallel::max_threads()
        );
        println!("deterministic: {d:.15}, the same bits on every rank");
        println!("distributed_pi: check passed");
    }
}
