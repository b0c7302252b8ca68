//! ndarray arrays (feature `ndarray`): two kernels on `Array2<f64>`, each
//! as the plain loop, ndarray's own `Zip::par_for_each` (its `rayon`
//! feature, inside `pool.install` of a pool of 1 or 2 threads), and the
//! macro twice: indexing `c[[i, j]]` in a loop over rows, and walking
//! `c.rows_mut()`, at 1 and 2 threads.
//!
//! - `gemm`: `C += A·B`, in i-k-j order (row `i` of `C` per iteration);
//! - `axpby`: `C = a·X + b·Y`, element-wise.
//!
//! Benchmark ids are `nd_<kernel>/<impl>/<threads>`. Before timing, every
//! version's result is checked against the plain loop's, exactly (each
//! element sees the same operations in the same order), and the bench
//! panics if one differs.
//!
//! `cargo bench --features ndarray --bench ndarray`; `PARALLEL_BENCH_QUICK=1`
//! for small sizes.

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use ndarray::{Array2, Zip};
use parallel::parallel;
use std::hint::black_box;
use std::time::Duration;

const THREADS: [usize; 2] = [1, 2];

/// `PARALLEL_BENCH_QUICK` set to anything but empty or `0`.
fn quick() -> bool {
    std::env::var_os("PARALLEL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

fn matrix(n: usize, m: usize, seed: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, m), |(i, j)| ((i * (j + seed) + 1) % 97) as f64 / 97.0)
}

fn gemm_seq(a: &Array2<f64>, b: &Array2<f64>, c: &mut Array2<f64>) {
    let (n, m) = c.dim();
    for i in 0..n {
        for p in 0..a.ncols() {
            for j in 0..m {
                c[[i, j]] += a[[i, p]] * b[[p, j]];
            }
        }
    }
}

fn gemm_zip(a: &Array2<f64>, b: &Array2<f64>, c: &mut Array2<f64>) {
    Zip::from(c.rows_mut())
        .and(a.rows())
        .par_for_each(|mut crow, arow| {
            for (p, &aip) in arow.iter().enumerate() {
                crow.scaled_add(aip, &b.row(p));
            }
        });
}

#[parallel]
fn gemm_index(a: &Array2<f64>, b: &Array2<f64>, c: &mut Array2<f64>, threads: usize) {
    let (n, m) = c.dim();
    let k = a.ncols();
    #[parallel_for(num_threads(threads))]
    for i in 0..n {
        for p in 0..k {
            for j in 0..m {
                c[[i, j]] += a[[i, p]] * b[[p, j]];
            }
        }
    }
}

#[parallel]
fn gemm_rows(a: &Array2<f64>, b: &Array2<f64>, c: &mut Array2<f64>, threads: usize) {
    #[parallel_for(num_threads(threads))]
    for (i, mut crow) in c.rows_mut().into_iter().enumerate() {
        for (p, &aip) in a.row(i).iter().enumerate() {
            crow.scaled_add(aip, &b.row(p));
        }
    }
}

fn axpby_seq(x: &Array2<f64>, y: &Array2<f64>, c: &mut Array2<f64>) {
    let (n, m) = c.dim();
    for i in 0..n {
        for j in 0..m {
            c[[i, j]] = 1.5 * x[[i, j]] + 0.5 * y[[i, j]];
        }
    }
}

fn axpby_zip(x: &Array2<f64>, y: &Array2<f64>, c: &mut Array2<f64>) {
    Zip::from(c)
        .and(x)
        .and(y)
        .par_for_each(|c, &x, &y| *c = 1.5 * x + 0.5 * y);
}

#[parallel]
fn axpby_index(x: &Array2<f64>, y: &Array2<f64>, c: &mut Array2<f64>, threads: usize) {
    let (n, m) = c.dim();
    #[parallel_for(num_threads(threads))]
    for i in 0..n {
        for j in 0..m {
            c[[i, j]] = 1.5 * x[[i, j]] + 0.5 * y[[i, j]];
        }
    }
}

#[parallel]
fn axpby_rows(x: &Array2<f64>, y: &Array2<f64>, c: &mut Array2<f64>, threads: usize) {
    #[parallel_for(num_threads(threads))]
    for (i, mut crow) in c.rows_mut().into_iter().enumerate() {
        Zip::from(&mut crow)
            .and(x.row(i))
            .and(y.row(i))
            .for_each(|c, &x, &y| *c = 1.5 * x + 0.5 * y);
    }
}

type Kernel = fn(&Array2<f64>, &Array2<f64>, &mut Array2<f64>);
type Macro = fn(&Array2<f64>, &Array2<f64>, &mut Array2<f64>, usize);

/// One kernel: its inputs, output shape and four versions.
struct Case {
    name: &'static str,
    x: Array2<f64>,
    y: Array2<f64>,
    out: (usize, usize),
    seq: Kernel,
    zip: Kernel,
    index: Macro,
    rows: Macro,
}

fn bench_case(c: &mut Criterion, case: &Case, pools: &[(usize, rayon::ThreadPool)]) {
    let fresh = || Array2::<f64>::zeros(case.out);
    let mut want = fresh();
    (case.seq)(&case.x, &case.y, &mut want);
    for (t, pool) in pools {
        let mut zip = fresh();
        pool.install(|| (case.zip)(&case.x, &case.y, &mut zip));
        let (mut index, mut rows) = (fresh(), fresh());
        (case.index)(&case.x, &case.y, &mut index, *t);
        (case.rows)(&case.x, &case.y, &mut rows, *t);
        for (what, got) in [("zip", &zip), ("index", &index), ("rows", &rows)] {
            assert!(
                *got == want,
                "{}: {what}/{t} differs from the plain loop",
                case.name
            );
        }
    }
    let mut g = c.benchmark_group(format!("nd_{}", case.name));
    g.sampling_mode(SamplingMode::Flat);
    let mut out = fresh();
    g.bench_function(BenchmarkId::new("sequential", 1), |b| {
        b.iter(|| (case.seq)(black_box(&case.x), &case.y, &mut out))
    });
    for (t, pool) in pools {
        g.bench_function(BenchmarkId::new("ndarray-zip", t), |b| {
            b.iter(|| pool.install(|| (case.zip)(black_box(&case.x), &case.y, &mut out)))
        });
        g.bench_function(BenchmarkId::new("parallel-index", t), |b| {
            b.iter(|| (case.index)(black_box(&case.x), &case.y, &mut out, *t))
        });
        g.bench_function(BenchmarkId::new("parallel-rows", t), |b| {
            b.iter(|| (case.rows)(black_box(&case.x), &case.y, &mut out, *t))
        });
    }
    g.finish();
}

fn kernels(c: &mut Criterion) {
    let (gemm, axpby) = if quick() { (64, 256) } else { (384, 2048) };
    let pools: Vec<(usize, rayon::ThreadPool)> = THREADS
        .iter()
        .map(|&t| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build();
            (t, pool.expect("a rayon pool"))
        })
        .collect();
    let cases = [
        Case {
            name: "gemm",
            x: matrix(gemm, gemm, 1),
            y: matrix(gemm, gemm, 2),
            out: (gemm, gemm),
            seq: gemm_seq,
            zip: gemm_zip,
            index: gemm_index,
            rows: gemm_rows,
        },
        Case {
            name: "axpby",
            x: matrix(axpby, axpby, 3),
            y: matrix(axpby, axpby, 4),
            out: (axpby, axpby),
            seq: axpby_seq,
            zip: axpby_zip,
            index: axpby_index,
            rows: axpby_rows,
        },
    ];
    for case in &cases {
        bench_case(c, case, &pools);
    }
}

criterion_group! {
    name = benches;
    // 14 benchmarks of milliseconds each: about a minute in all.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = kernels
}
criterion_main!(benches);
