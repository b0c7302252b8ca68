//! The scan (`reduction(inscan, +: sum)` with `scan!(inclusive(sum))`)
//! against the plain loop: a prefix sum of `u32`s into `u64`s at 2^24 and
//! 2^26 elements (64 MiB in and 128 MiB out, then 256 and 512 MiB), far
//! beyond the caches.
//!
//! The rows, as `scan-2^k/<impl>/<threads>`:
//!
//! - `sequential`: the plain loop, `sum += x[i]; out[i] = sum;`;
//! - `parallel`: the same loop as a scan, at 1 and 2 threads; two passes
//!   over one block per thread, the first reading the input to total the
//!   blocks, the second reading it again to write the output;
//! - `rayon`: the same two passes written by hand with rayon (it has no
//!   scan), on a pool of 2: totals of `par_chunks`, a sequential scan of
//!   the totals, then `par_chunks_mut` from each block's start;
//! - `copy`: `out[i] = x[i] as u64` on one thread, no dependence: what
//!   memory allows a pass that reads the input once and writes the output.
//!
//! The plain loop moves 4 bytes in and 8 out per element; the scan moves 4
//! more in (its first pass). When one thread can draw all the memory
//! bandwidth there is, the scan cannot beat the plain loop; where one
//! thread cannot, two threads gain what the second draws.
//!
//! `cargo bench --bench scan`; with `PARALLEL_BENCH_QUICK=1` the sizes are
//! 2^20 and 2^22, for smoke runs.

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use parallel::{parallel, scan};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

fn quick() -> bool {
    std::env::var_os("PARALLEL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

#[allow(clippy::needless_range_loop)]
fn seq_scan(x: &[u32], out: &mut [u64]) -> u64 {
    let mut sum = 0u64;
    for i in 0..x.len() {
        sum += x[i] as u64;
        out[i] = sum;
    }
    sum
}

#[parallel]
fn par_scan(t: usize, x: &[u32], out: &mut [u64]) -> u64 {
    let mut sum = 0u64;
    #[parallel_for(num_threads(t), reduction(inscan, +: sum))]
    for i in 0..x.len() {
        sum += x[i] as u64;
        scan!(inclusive(sum));
        out[i] = sum;
    }
    sum
}

/// The two passes by hand, one block per thread of the current pool.
fn rayon_scan(x: &[u32], out: &mut [u64]) -> u64 {
    let block = x.len().div_ceil(rayon::current_num_threads()).max(1);
    let totals: Vec<u64> = x
        .par_chunks(block)
        .map(|c| c.iter().map(|&v| v as u64).sum())
        .collect();
    let mut starts = Vec::with_capacity(totals.len());
    let mut acc = 0u64;
    for t in &totals {
        starts.push(acc);
        acc += t;
    }
    out.par_chunks_mut(block)
        .zip(x.par_chunks(block))
        .zip(starts)
        .for_each(|((o, c), start)| {
            let mut sum = start;
            for (o, &v) in o.iter_mut().zip(c) {
                sum += v as u64;
                *o = sum;
            }
        });
    acc
}

#[allow(clippy::needless_range_loop)]
fn copy(x: &[u32], out: &mut [u64]) {
    for i in 0..x.len() {
        out[i] = x[i] as u64;
    }
}

fn values(n: usize) -> Vec<u32> {
    (0..n as u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as u32 % 1000)
        .collect()
}

fn scans(c: &mut Criterion) {
    let sizes: &[u32] = if quick() { &[20, 22] } else { &[24, 26] };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("cannot build a rayon pool");
    for &k in sizes {
        let n = 1usize << k;
        let x = values(n);
        let mut want = vec![0u64; n];
        let total = seq_scan(&x, &mut want);
        let mut out = vec![0u64; n];
        for t in [1, 2] {
            out.fill(0);
            assert_eq!(par_scan(t, &x, &mut out), total, "scan/{t}");
            assert!(out == want, "scan/{t} differs from the plain loop");
        }
        out.fill(0);
        assert_eq!(pool.install(|| rayon_scan(&x, &mut out)), total);
        assert!(out == want, "the rayon scan differs from the plain loop");

        let mut g = c.benchmark_group(format!("scan-2^{k}"));
        g.sampling_mode(SamplingMode::Flat);
        g.bench_function(BenchmarkId::new("sequential", 1), |b| {
            b.iter(|| seq_scan(black_box(&x), &mut out))
        });
        for t in [1, 2] {
            g.bench_function(BenchmarkId::new("parallel", t), |b| {
                b.iter(|| par_scan(t, black_box(&x), &mut out))
            });
        }
        g.bench_function(BenchmarkId::new("rayon", 2), |b| {
            pool.install(|| b.iter(|| rayon_scan(black_box(&x), &mut out)))
        });
        g.bench_function(BenchmarkId::new("copy", 1), |b| {
            b.iter(|| copy(black_box(&x), &mut out))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = scans
}
criterion_main!(benches);
