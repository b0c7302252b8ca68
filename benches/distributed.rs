//! Distributed loops: what splitting a loop among MPI ranks gains, and what
//! a distributed reduction costs beyond a bare `MPI_Allreduce`.
//!
//! A program of its own (`harness = false`): every rank runs it under
//! `mpirun`, which decides the ranks and their binding, and
//! `OMP_NUM_THREADS` each rank's team; `benches/distributed.sh` runs the
//! configurations of BENCHMARKS.md and prints the table. Rank 0 prints one
//! line per measurement:
//!
//! ```text
//! config  kernel  seconds (best of reps)  value
//! ```
//!
//! - `pi`: `reduction(+: sum)` over 4·10⁸ steps, compute-bound;
//! - `sum`: `reduction(+: s)` over 2²⁴ `f64` (128 MiB, every rank holds the
//!   array), bandwidth-bound;
//! - `allreduce`, `loop-reduce`, `loop-reduce-det`: one `f64` summed over the
//!   ranks, per call: a bare `MPI_Allreduce`, and a distributed loop with one
//!   iteration per rank (`reduction(+: s)`, and with `deterministic`), so
//!   that the loop's own cost beyond moving the value shows.
//!
//! Built without the `mpi` feature it measures one process (no allreduce).

use parallel::{distributed, parallel, wtime};
use std::hint::black_box;

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

#[parallel]
fn sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(distributed, reduction(+: s))]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

/// One iteration per rank: the loop's cost around the exchange of one `f64`.
#[parallel]
fn loop_reduce(v: f64, ranks: usize) -> f64 {
    let mut s = 0.0;
    #[parallel_for(distributed, reduction(+: s))]
    for _r in 0..ranks {
        s += v;
    }
    s
}

#[parallel]
fn loop_reduce_det(v: f64, ranks: usize) -> f64 {
    let mut s = 0.0;
    #[parallel_for(distributed, deterministic, reduction(+: s))]
    for _r in 0..ranks {
        s += v;
    }
    s
}

#[cfg(feature = "mpi")]
fn allreduce(v: f64) -> Option<f64> {
    use distributed::mpi::collective::SystemOperation;
    use distributed::mpi::traits::CommunicatorCollectives;
    let world = distributed::world()?;
    let mut out = 0.0f64;
    world.all_reduce_into(&v, &mut out, SystemOperation::sum());
    Some(out)
}

#[cfg(not(feature = "mpi"))]
fn allreduce(_: f64) -> Option<f64> {
    None
}

/// Best of `reps` timings of `f`, every rank starting together.
fn best<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        distributed::barrier();
        let t0 = wtime();
        let v = black_box(f());
        best = best.min(wtime() - t0);
        out = Some(v);
    }
    (best, out.expect("at least one rep"))
}

/// Mean time per call of `f` over `calls` calls, best of `reps` runs.
fn per_call<T>(reps: usize, calls: usize, mut f: impl FnMut() -> T) -> f64 {
    best(reps, || {
        for _ in 0..calls {
            black_box(f());
        }
    })
    .0 / calls as f64
}

fn main() {
    let _mpi = distributed::init();
    let (rank, size) = (distributed::rank(), distributed::size());
    let quick = std::env::args().any(|a| a == "--quick");
    let threads = parallel::max_threads();
    let config = format!("{size}x{threads}");
    let report = |kernel: &str, secs: f64, value: String| {
        if rank == 0 {
            println!("{config}\t{kernel}\t{secs:.9}\t{value}");
        }
    };
    let (steps, len, reps, calls) = if quick {
        (1_000_000, 1 << 16, 3, 1_000)
    } else {
        (400_000_000, 1 << 24, 5, 20_000)
    };

    let (t, p) = best(reps, || pi(steps));
    report("pi", t, format!("{p:.12}"));

    let x: Vec<f64> = (0..len).map(|i| (i % 1000) as f64 * 0.001).collect();
    let (t, s) = best(reps, || sum(&x));
    report("sum", t, format!("{s:.6}"));

    let v = 1.0 + rank as f64;
    if allreduce(v).is_some() {
        // Warm up both paths, then interleave their runs.
        for _ in 0..1000 {
            allreduce(v);
            loop_reduce(v, size);
        }
        let mut bare = f64::INFINITY;
        let mut ours = f64::INFINITY;
        let mut det = f64::INFINITY;
        for _ in 0..reps {
            bare = bare.min(per_call(1, calls, || allreduce(v)));
            ours = ours.min(per_call(1, calls, || loop_reduce(v, size)));
            det = det.min(per_call(1, calls, || loop_reduce_det(v, size)));
        }
        let want = (1..=size).map(|r| r as f64).sum::<f64>();
        assert_eq!(loop_reduce(v, size), want);
        report("allreduce", bare, format!("{want}"));
        report(
            "loop-reduce",
            ours,
            format!("+{:.2} us", (ours - bare) * 1e6),
        );
        report(
            "loop-reduce-det",
            det,
            format!("+{:.2} us", (det - bare) * 1e6),
        );
    }
}
