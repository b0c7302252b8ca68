//! Kernels as the sequential loop, idiomatic hand-written rayon, and the
//! macro, on 2 threads (the machine's cores). Ratios between rows of one run
//! are what to read; absolute times vary with the machine's load.
//!
//! `cargo bench --bench kernels`

use criterion::{Criterion, criterion_group, criterion_main};
use parallel::parallel;
use rayon::prelude::*;
use std::hint::black_box;

const THREADS: usize = 2;

fn seq_saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

fn rayon_saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    y.par_iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

#[parallel]
fn macro_saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    #[parallel_for(num_threads(THREADS))]
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

fn seq_pi(steps: usize) -> f64 {
    let step = 1.0 / steps as f64;
    let mut sum = 0.0;
    for i in 0..steps {
        let x = (i as f64 + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    sum * step
}

fn rayon_pi(steps: usize) -> f64 {
    let step = 1.0 / steps as f64;
    let sum: f64 = (0..steps)
        .into_par_iter()
        .map(|i| {
            let x = (i as f64 + 0.5) * step;
            4.0 / (1.0 + x * x)
        })
        .sum();
    sum * step
}

#[parallel]
fn macro_pi(steps: usize) -> f64 {
    let step = 1.0 / steps as f64;
    let mut sum = 0.0;
    #[parallel_for(num_threads(THREADS), reduction(+: sum))]
    for i in 0..steps {
        let x = (i as f64 + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    sum * step
}

fn seq_gemm(n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                c[i * n + j] += aik * b[k * n + j];
            }
        }
    }
}

fn rayon_gemm(n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    c.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        for k in 0..n {
            let aik = a[i * n + k];
            for (cj, bj) in row.iter_mut().zip(&b[k * n..(k + 1) * n]) {
                *cj += aik * bj;
            }
        }
    });
}

#[parallel]
fn macro_gemm(n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    #[parallel_for(num_threads(THREADS))]
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                c[i * n + j] += aik * b[k * n + j];
            }
        }
    }
}

fn kernels(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build()
        .expect("a rayon pool");

    let n = 1 << 24;
    let x = vec![1.5f32; n];
    let mut y = vec![0.5f32; n];
    let mut g = c.benchmark_group("saxpy 16M f32");
    g.bench_function("sequential", |b| {
        b.iter(|| seq_saxpy(2.0, black_box(&x), &mut y))
    });
    g.bench_function("rayon", |b| {
        pool.install(|| b.iter(|| rayon_saxpy(2.0, black_box(&x), &mut y)))
    });
    g.bench_function("parallel_for", |b| {
        b.iter(|| macro_saxpy(2.0, black_box(&x), &mut y))
    });
    g.finish();

    let steps = 10_000_000;
    let mut g = c.benchmark_group("pi 10M steps");
    g.bench_function("sequential", |b| b.iter(|| seq_pi(black_box(steps))));
    g.bench_function("rayon", |b| {
        pool.install(|| b.iter(|| rayon_pi(black_box(steps))))
    });
    g.bench_function("parallel_for", |b| b.iter(|| macro_pi(black_box(steps))));
    g.finish();

    let m = 256;
    let a = vec![1.0; m * m];
    let bm = vec![0.5; m * m];
    let mut cm = vec![0.0; m * m];
    let mut g = c.benchmark_group("gemm 256 f64");
    g.bench_function("sequential", |b| {
        b.iter(|| seq_gemm(m, black_box(&a), &bm, &mut cm))
    });
    g.bench_function("rayon", |b| {
        pool.install(|| b.iter(|| rayon_gemm(m, black_box(&a), &bm, &mut cm)))
    });
    g.bench_function("parallel_for", |b| {
        b.iter(|| macro_gemm(m, black_box(&a), &bm, &mut cm))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = kernels
}
criterion_main!(benches);
