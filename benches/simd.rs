//! Vectorized reductions: the plain loop, `#[simd_reduce]`, and a
//! hand-written 16-accumulator loop (in the default build, and compiled for
//! this CPU's best level, as `-C target-cpu=native` would), on one thread;
//! and on two threads `#[parallel_for(simd, reduction)]` against rayon's
//! `par_iter().sum()` and a STREAM-style read loop that measures what the
//! memory delivers to two threads. Criterion reports each as GB/s of input
//! read; ratios between rows of one run are what to read.
//!
//! `cargo bench --bench simd`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use parallel::parallel;
use rayon::prelude::*;
use std::hint::black_box;

const THREADS: usize = 2;

fn naive_sum(x: &[f32]) -> f32 {
    let mut s = 0.0;
    for v in x {
        s += v;
    }
    s
}

fn naive_dot<T: Copy + Default + std::ops::Add<Output = T> + std::ops::Mul<Output = T>>(
    x: &[T],
    y: &[T],
) -> T {
    let mut s = T::default();
    for (a, b) in x.iter().zip(y) {
        s = s + *a * *b;
    }
    s
}

#[parallel]
fn simd_sum(x: &[f32]) -> f32 {
    let mut s = 0.0f32;
    #[simd_reduce(+: s)]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

#[parallel]
fn simd_dot_f32(x: &[f32], y: &[f32]) -> f32 {
    let mut s = 0.0f32;
    #[simd_reduce(+: s)]
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

#[parallel]
fn simd_dot_f64(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0f64;
    #[simd_reduce(+: s)]
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

/// What a programmer writes by hand to get a vectorized float sum: 16
/// independent accumulators over exact chunks, then the tail.
macro_rules! hand_written {
    ($sum:ident, $dot:ident $(, #[$attr:meta])?) => {
        $(#[$attr])?
        fn $sum(x: &[f32]) -> f32 {
            let mut acc = [0.0f32; 16];
            let chunks = x.chunks_exact(16);
            let rest = chunks.remainder();
            for c in chunks {
                for l in 0..16 {
                    acc[l] += c[l];
                }
            }
            acc.iter().sum::<f32>() + rest.iter().sum::<f32>()
        }

        $(#[$attr])?
        fn $dot<T: Copy + Default + std::ops::Add<Output = T> + std::ops::Mul<Output = T> + std::iter::Sum>(
            x: &[T],
            y: &[T],
        ) -> T {
            let mut acc = [T::default(); 16];
            let (xs, ys) = (x.chunks_exact(16), y.chunks_exact(16));
            let rest = naive_dot(xs.remainder(), ys.remainder());
            for (a, b) in xs.zip(ys) {
                for l in 0..16 {
                    acc[l] = acc[l] + a[l] * b[l];
                }
            }
            acc.iter().copied().sum::<T>() + rest
        }
    };
}

hand_written!(hand_sum, hand_dot);
#[cfg(target_arch = "x86_64")]
hand_written!(
    avx512_sum,
    avx512_dot,
    #[target_feature(enable = "avx,avx2,bmi1,bmi2,f16c,fma,lzcnt,movbe,popcnt,sse3,ssse3,sse4.1,sse4.2,avx512f,avx512bw,avx512cd,avx512dq,avx512vl")]
);
#[cfg(target_arch = "x86_64")]
hand_written!(
    avx2_sum,
    avx2_dot,
    #[target_feature(enable = "avx,avx2,bmi1,bmi2,f16c,fma,lzcnt,movbe,popcnt,sse3,ssse3,sse4.1,sse4.2")]
);

/// The hand-written loop compiled for this CPU's best level, AVX-512 or
/// AVX2 with FMA (what `-C target-cpu=native` gives); `None` on a CPU with
/// neither, or off x86-64.
fn native_sum(x: &[f32]) -> Option<f32> {
    #[cfg(target_arch = "x86_64")]
    match parallel::simd_level() {
        // SAFETY: the CPU supports the level `simd_level` names.
        parallel::SimdLevel::Avx512 => return Some(unsafe { avx512_sum(x) }),
        // SAFETY: as above.
        parallel::SimdLevel::Avx2 => return Some(unsafe { avx2_sum(x) }),
        _ => {}
    }
    let _ = x;
    None
}

fn native_dot<
    T: Copy + Default + std::ops::Add<Output = T> + std::ops::Mul<Output = T> + std::iter::Sum,
>(
    x: &[T],
    y: &[T],
) -> Option<T> {
    #[cfg(target_arch = "x86_64")]
    match parallel::simd_level() {
        // SAFETY: the CPU supports the level `simd_level` names.
        parallel::SimdLevel::Avx512 => return Some(unsafe { avx512_dot(x, y) }),
        // SAFETY: as above.
        parallel::SimdLevel::Avx2 => return Some(unsafe { avx2_dot(x, y) }),
        _ => {}
    }
    let _ = (x, y);
    None
}

#[parallel]
fn parallel_sum(x: &[f32]) -> f32 {
    let mut s = 0.0f32;
    #[parallel_for(simd, num_threads(THREADS), reduction(+: s))]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

/// STREAM-style read: each thread XORs its half of the data as `u64`s, a
/// loop LLVM vectorizes without help, so it runs at the memory's speed.
fn stream_read(pool: &rayon::ThreadPool, x: &[u64]) -> u64 {
    pool.install(|| {
        let (a, b) = x.split_at(x.len() / 2);
        let (p, q) = rayon::join(
            || a.iter().fold(0, |s, v| s ^ v),
            || b.iter().fold(0, |s, v| s ^ v),
        );
        p ^ q
    })
}

const KIB: usize = 1024;
const SIZES: [(usize, &str); 3] = [
    (16 * KIB, "16 KiB"),
    (256 * KIB, "256 KiB"),
    (64 * KIB * KIB, "64 MiB"),
];

fn one_thread(c: &mut Criterion) {
    println!("vectorized loops run with {}", parallel::simd_level());
    let mut g = c.benchmark_group("sum f32, 1 thread");
    for (bytes, label) in SIZES {
        let x: Vec<f32> = (0..bytes / 4).map(|i| (i % 13) as f32 * 0.25).collect();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_with_input(BenchmarkId::new("naive loop", label), &x, |b, x| {
            b.iter(|| naive_sum(black_box(x)))
        });
        g.bench_with_input(BenchmarkId::new("simd_reduce", label), &x, |b, x| {
            b.iter(|| simd_sum(black_box(x)))
        });
        g.bench_with_input(
            BenchmarkId::new("hand-written 16 acc", label),
            &x,
            |b, x| b.iter(|| hand_sum(black_box(x))),
        );
        if native_sum(&x).is_some() {
            g.bench_with_input(
                BenchmarkId::new("hand-written 16 acc, native", label),
                &x,
                |b, x| b.iter(|| native_sum(black_box(x))),
            );
        }
    }
    g.finish();

    dot_group(
        c,
        "dot f32, 1 thread",
        |i| (i % 13) as f32 * 0.25,
        |i| (i % 7) as f32 * 0.5,
        simd_dot_f32,
    );
    dot_group(
        c,
        "dot f64, 1 thread",
        |i| (i % 13) as f64 * 0.25,
        |i| (i % 7) as f64 * 0.5,
        simd_dot_f64,
    );
}

/// A dot product over two arrays of each size in [`SIZES`]: the plain loop,
/// `simd_reduce`, and the hand-written loop (default build and native).
fn dot_group<T>(
    c: &mut Criterion,
    name: &str,
    x_of: impl Fn(usize) -> T,
    y_of: impl Fn(usize) -> T,
    simd_dot: fn(&[T], &[T]) -> T,
) where
    T: Copy + Default + std::ops::Add<Output = T> + std::ops::Mul<Output = T> + std::iter::Sum,
{
    let mut g = c.benchmark_group(name);
    for (bytes, label) in SIZES {
        let n = bytes / size_of::<T>();
        let x: Vec<T> = (0..n).map(&x_of).collect();
        let y: Vec<T> = (0..n).map(&y_of).collect();
        g.throughput(Throughput::Bytes(2 * bytes as u64));
        g.bench_function(BenchmarkId::new("naive loop", label), |b| {
            b.iter(|| naive_dot(black_box(&x), &y))
        });
        g.bench_function(BenchmarkId::new("simd_reduce", label), |b| {
            b.iter(|| simd_dot(black_box(&x), &y))
        });
        g.bench_function(BenchmarkId::new("hand-written 16 acc", label), |b| {
            b.iter(|| hand_dot(black_box(&x), &y))
        });
        if native_dot(&x, &y).is_some() {
            g.bench_function(
                BenchmarkId::new("hand-written 16 acc, native", label),
                |b| b.iter(|| native_dot(black_box(&x), &y)),
            );
        }
    }
    g.finish();
}

fn two_threads(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build()
        .expect("a rayon pool");
    let bytes = 64 * KIB * KIB;
    let x: Vec<f32> = (0..bytes / 4).map(|i| (i % 13) as f32 * 0.25).collect();
    let words: Vec<u64> = (0..bytes as u64 / 8).collect();
    let mut g = c.benchmark_group("sum f32 64 MiB, 2 threads");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("STREAM-style read (u64 xor)", |b| {
        b.iter(|| stream_read(&pool, black_box(&words)))
    });
    g.bench_function("rayon par_iter().sum()", |b| {
        pool.install(|| b.iter(|| black_box(&x).par_iter().sum::<f32>()))
    });
    g.bench_function("parallel_for(simd, reduction)", |b| {
        b.iter(|| parallel_sum(black_box(&x)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = one_thread, two_threads
}
criterion_main!(benches);
