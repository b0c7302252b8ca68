//! Eight kernels, each as the plain sequential loop, idiomatic hand-written
//! rayon (inside `pool.install` of a pool of 1 or 2 threads) and the macro
//! (`#[parallel_for(num_threads(t), ..)]`), at 1 and 2 threads. The same
//! kernels, at the same sizes, are in `benches/c/kernels.c` for C OpenMP;
//! `benches/compare.sh` runs both and prints them side by side.
//!
//! Benchmark ids are `<kernel>/<impl>/<threads>`, with impl one of
//! `sequential`, `rayon`, `parallel`: criterion keeps each median in
//! `target/criterion/<kernel>/<impl>/<threads>/new/estimates.json`.
//! Before timing a kernel, every version's result is checked once against
//! the sequential loop's (exactly for integers and array writes; within the
//! rounding bound `2·n·ε·Σ|x|` for float sums), and the bench panics if one
//! differs.
//!
//! `cargo bench --bench kernels [-- <filter>]`; with `PARALLEL_BENCH_QUICK=1`
//! the sizes are small, for smoke runs (`-- --quick` shortens criterion's
//! sampling too).

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main,
};
use parallel::parallel;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Duration;

/// The team sizes every parallel version runs at.
const THREADS: [usize; 2] = [1, 2];

/// Escape iterations of the Mandelbrot kernel.
const MAX_ITER: u32 = 256;

/// Problem sizes: the full ones, or small ones for a smoke run.
struct Sizes {
    /// Elements of the f32 sum.
    sum: usize,
    /// Elements of each f64 vector of the dot product.
    dot: usize,
    /// Elements of each f32 vector of saxpy.
    saxpy: usize,
    /// Steps of the pi integration.
    pi: usize,
    /// Side of the Mandelbrot image.
    mandelbrot: usize,
    /// Side of the Jacobi grid.
    jacobi: usize,
    /// Side of the gemm matrices.
    gemm: usize,
    /// Bytes of the histogram's input.
    histogram: usize,
}

const FULL: Sizes = Sizes {
    sum: 1 << 24,
    dot: 1 << 23,
    saxpy: 1 << 24,
    pi: 100_000_000,
    mandelbrot: 2048,
    jacobi: 4096,
    gemm: 1024,
    histogram: 1 << 26,
};

/// The sizes of `benches/c/kernels.c --quick`.
const QUICK: Sizes = Sizes {
    sum: 1 << 20,
    dot: 1 << 19,
    saxpy: 1 << 20,
    pi: 4_000_000,
    mandelbrot: 256,
    jacobi: 512,
    gemm: 128,
    histogram: 1 << 22,
};

/// `PARALLEL_BENCH_QUICK` set to anything but empty or `0`.
fn quick() -> bool {
    std::env::var_os("PARALLEL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}

fn pools() -> Vec<(usize, rayon::ThreadPool)> {
    THREADS
        .iter()
        .map(|&t| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .expect("cannot build a rayon pool");
            (t, pool)
        })
        .collect()
}

fn id(implementation: &str, threads: usize) -> BenchmarkId {
    BenchmarkId::new(implementation, threads)
}

/// A group with flat sampling: every kernel call takes milliseconds, so
/// criterion's linear sampling would spend most of the time on large samples.
fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sampling_mode(SamplingMode::Flat);
    g
}

/// Runs the rayon and macro versions of `kernel` once at every team size
/// and panics unless `agrees` accepts each result.
fn check<R: Send>(
    kernel: &str,
    pools: &[(usize, rayon::ThreadPool)],
    agrees: impl Fn(&R) -> Result<(), String>,
    rayon: impl Fn() -> R + Sync,
    parallel: impl Fn(usize) -> R,
) {
    for (t, pool) in pools {
        let results = [("rayon", pool.install(&rayon)), ("parallel", parallel(*t))];
        for (implementation, got) in results {
            if let Err(e) = agrees(&got) {
                panic!("{kernel}: {implementation}/{t} {e}");
            }
        }
    }
}

/// Accepts a float sum within the rounding bound `2·n·ε·Σ|x|` of `want`.
fn close(want: f64, n: usize, eps: f64, abs_sum: f64) -> impl Fn(&f64) -> Result<(), String> {
    let bound = 2.0 * n as f64 * eps * abs_sum;
    move |&got| {
        if (got - want).abs() <= bound {
            Ok(())
        } else {
            Err(format!(
                "gives {got}, the sequential loop {want}: more than the rounding bound {bound} apart"
            ))
        }
    }
}

/// Accepts exactly `want`.
fn exact<T: PartialEq>(want: &T) -> impl Fn(&T) -> Result<(), String> + '_ {
    move |got| {
        if got == want {
            Ok(())
        } else {
            Err("differs from the sequential loop".to_string())
        }
    }
}

// ---- sum: f32, reduction ----

fn seq_sum(x: &[f32]) -> f32 {
    let mut s = 0.0f32;
    for &v in x {
        s += v;
    }
    s
}

fn rayon_sum(x: &[f32]) -> f32 {
    x.par_iter().sum()
}

#[parallel]
fn par_sum(t: usize, x: &[f32]) -> f32 {
    let mut s = 0.0f32;
    #[parallel_for(simd, num_threads(t), reduction(+: s))]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

// ---- dot: f64, reduction ----

fn seq_dot(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

fn rayon_dot(x: &[f64], y: &[f64]) -> f64 {
    x.par_iter().zip(y).map(|(a, b)| a * b).sum()
}

#[parallel]
fn par_dot(t: usize, x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(simd, num_threads(t), reduction(+: s))]
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}

// ---- saxpy: f32, element writes ----

fn seq_saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

fn rayon_saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    y.par_iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

#[parallel]
fn par_saxpy(t: usize, a: f32, x: &[f32], y: &mut [f32]) {
    #[parallel_for(simd, num_threads(t))]
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

// ---- pi: f64, reduction over an index ----

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
fn par_pi(t: usize, steps: usize) -> f64 {
    let step = 1.0 / steps as f64;
    let mut sum = 0.0;
    #[parallel_for(simd, num_threads(t), reduction(+: sum))]
    for i in 0..steps {
        let x = (i as f64 + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    sum * step
}

// ---- mandelbrot: uneven rows, schedule(dynamic) ----

/// Iterations of z ← z² + c, from z = 0, before |z| > 2 (at most `MAX_ITER`).
#[inline]
fn escape(cx: f64, cy: f64) -> u32 {
    let (mut zx, mut zy) = (0.0f64, 0.0f64);
    let mut k = 0;
    while k < MAX_ITER && zx * zx + zy * zy <= 4.0 {
        let t = zx * zx - zy * zy + cx;
        zy = 2.0 * zx * zy + cy;
        zx = t;
        k += 1;
    }
    k
}

/// The view is [-2, 1] × [-1.5, 1.5]; `img` is `w` pixels wide, row-major.
fn seq_mandelbrot(w: usize, img: &mut [u32]) {
    let d = 3.0 / w as f64;
    for y in 0..img.len() / w {
        let cy = -1.5 + y as f64 * d;
        for x in 0..w {
            img[y * w + x] = escape(-2.0 + x as f64 * d, cy);
        }
    }
}

fn rayon_mandelbrot(w: usize, img: &mut [u32]) {
    let d = 3.0 / w as f64;
    img.par_chunks_mut(w).enumerate().for_each(|(y, row)| {
        let cy = -1.5 + y as f64 * d;
        for (x, p) in row.iter_mut().enumerate() {
            *p = escape(-2.0 + x as f64 * d, cy);
        }
    });
}

#[parallel]
fn par_mandelbrot(t: usize, w: usize, img: &mut [u32]) {
    let d = 3.0 / w as f64;
    #[parallel_for(num_threads(t), schedule(dynamic))]
    for y in 0..img.len() / w {
        let cy = -1.5 + y as f64 * d;
        for x in 0..w {
            img[y * w + x] = escape(-2.0 + x as f64 * d, cy);
        }
    }
}

// ---- jacobi: one 5-point sweep from `src` into `dst` ----

fn seq_jacobi(n: usize, src: &[f64], dst: &mut [f64]) {
    for i in 1..n - 1 {
        for j in 1..n - 1 {
            dst[i * n + j] = 0.2
                * (src[i * n + j]
                    + src[i * n + j - 1]
                    + src[i * n + j + 1]
                    + src[(i + 1) * n + j]
                    + src[(i - 1) * n + j]);
        }
    }
}

fn rayon_jacobi(n: usize, src: &[f64], dst: &mut [f64]) {
    dst[n..(n - 1) * n]
        .par_chunks_mut(n)
        .enumerate()
        .for_each(|(r, row)| {
            let i = r + 1;
            let (up, mid, down) = (
                &src[(i - 1) * n..i * n],
                &src[i * n..(i + 1) * n],
                &src[(i + 1) * n..(i + 2) * n],
            );
            for j in 1..n - 1 {
                row[j] = 0.2 * (mid[j] + mid[j - 1] + mid[j + 1] + down[j] + up[j]);
            }
        });
}

/// `#[simd]` on the inner loop cuts the rows of `dst` and `src` once per
/// row, so the sweep runs without bounds checks, vectorized; `simd` on the
/// outer loop compiles each chunk for the CPU's level, as for gemm. (The
/// plain port, `#[parallel_for(num_threads(t))]` alone, keeps the bounds
/// checks: on the AMD machine of BENCHMARKS.md it measured 37.9 ms at 1
/// thread and 22.9 ms at 2 against 27.8 and 17.9 for this form; on an
/// earlier Intel host the two were within 15%.)
#[parallel]
fn par_jacobi(t: usize, n: usize, src: &[f64], dst: &mut [f64]) {
    #[parallel_for(simd, num_threads(t))]
    for i in 1..n - 1 {
        #[simd]
        for j in 1..n - 1 {
            dst[i * n + j] = 0.2
                * (src[i * n + j]
                    + src[i * n + j - 1]
                    + src[i * n + j + 1]
                    + src[(i + 1) * n + j]
                    + src[(i - 1) * n + j]);
        }
    }
}

// ---- gemm: C = A·B, i-k-j order, rows in parallel ----

fn seq_gemm(n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    for i in 0..n {
        for j in 0..n {
            c[i * n + j] = 0.0;
        }
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
        row.fill(0.0);
        for k in 0..n {
            let aik = a[i * n + k];
            for (cj, bj) in row.iter_mut().zip(&b[k * n..(k + 1) * n]) {
                *cj += aik * bj;
            }
        }
    });
}

/// `#[simd]` on the inner loops, as `#pragma omp simd` in C; `simd` on the
/// outer loop compiles each chunk, inner loops included, for the CPU's
/// level, so the inner kernels inline into it instead of being called per
/// row of `b`.
#[parallel]
fn par_gemm(t: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    #[parallel_for(simd, num_threads(t))]
    for i in 0..n {
        #[simd]
        for j in 0..n {
            c[i * n + j] = 0.0;
        }
        for k in 0..n {
            let aik = a[i * n + k];
            #[simd]
            for j in 0..n {
                c[i * n + j] += aik * b[k * n + j];
            }
        }
    }
}

// ---- histogram: 256 bins, reduction over an array ----

fn seq_histogram(data: &[u8]) -> [u64; 256] {
    let mut bins = [0u64; 256];
    for i in 0..data.len() {
        bins[data[i] as usize] += 1;
    }
    bins
}

fn rayon_histogram(data: &[u8]) -> [u64; 256] {
    data.par_chunks(1 << 16)
        .fold(
            || [0u64; 256],
            |mut bins, chunk| {
                for &v in chunk {
                    bins[v as usize] += 1;
                }
                bins
            },
        )
        .reduce(
            || [0u64; 256],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

#[parallel]
fn par_histogram(t: usize, data: &[u8]) -> [u64; 256] {
    let mut bins = [0u64; 256];
    #[parallel_for(num_threads(t), reduction(+: bins))]
    for i in 0..data.len() {
        bins[data[i] as usize] += 1;
    }
    bins
}

// ---- inputs, the same as benches/c/kernels.c ----

fn ramp_f32(n: usize, modulus: usize, scale: f32) -> Vec<f32> {
    (0..n).map(|i| (i % modulus) as f32 * scale).collect()
}

fn ramp_f64(n: usize, modulus: usize, scale: f64) -> Vec<f64> {
    (0..n).map(|i| (i % modulus) as f64 * scale).collect()
}

/// PolyBench's initial `n × n` matrix: element (i, j) is `((i * (j + c)) % n) / n`.
fn matrix(n: usize, c: usize) -> Vec<f64> {
    (0..n * n)
        .map(|k| ((k / n * (k % n + c)) % n) as f64 / n as f64)
        .collect()
}

/// A grid whose element (i, j) is `(i * 7 + j * 3) % 100`.
fn grid(n: usize) -> Vec<f64> {
    (0..n * n)
        .map(|k| ((k / n * 7 + k % n * 3) % 100) as f64)
        .collect()
}

/// `n` bytes from a fixed xorshift sequence, skewed towards small values.
fn bytes(n: usize) -> Vec<u8> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8 & (state >> 48) as u8
        })
        .collect()
}

fn kernels(c: &mut Criterion) {
    let sz = if quick() { &QUICK } else { &FULL };
    let pools = pools();
    println!(
        "kernels: {} sizes, vectorized loops run with {}",
        if quick() { "quick" } else { "full" },
        parallel::simd_level()
    );

    {
        let n = sz.sum;
        let x = ramp_f32(n, 13, 0.25);
        let abs = x.iter().map(|v| f64::from(v.abs())).sum();
        check(
            "sum",
            &pools,
            close(seq_sum(&x).into(), n, f32::EPSILON.into(), abs),
            || rayon_sum(&x).into(),
            |t| par_sum(t, &x).into(),
        );
        let mut g = group(c, "sum");
        g.bench_function(id("sequential", 1), |b| b.iter(|| seq_sum(black_box(&x))));
        for (t, pool) in &pools {
            g.bench_function(id("rayon", *t), |b| {
                pool.install(|| b.iter(|| rayon_sum(black_box(&x))))
            });
            g.bench_function(id("parallel", *t), |b| {
                b.iter(|| par_sum(*t, black_box(&x)))
            });
        }
        g.finish();
    }

    {
        let n = sz.dot;
        let (x, y) = (ramp_f64(n, 13, 0.25), ramp_f64(n, 7, 0.5));
        let abs = x.iter().zip(&y).map(|(a, b)| (a * b).abs()).sum();
        check(
            "dot",
            &pools,
            close(seq_dot(&x, &y), n, f64::EPSILON, abs),
            || rayon_dot(&x, &y),
            |t| par_dot(t, &x, &y),
        );
        let mut g = group(c, "dot");
        g.bench_function(id("sequential", 1), |b| {
            b.iter(|| seq_dot(black_box(&x), &y))
        });
        for (t, pool) in &pools {
            g.bench_function(id("rayon", *t), |b| {
                pool.install(|| b.iter(|| rayon_dot(black_box(&x), &y)))
            });
            g.bench_function(id("parallel", *t), |b| {
                b.iter(|| par_dot(*t, black_box(&x), &y))
            });
        }
        g.finish();
    }

    {
        let n = sz.saxpy;
        let x = ramp_f32(n, 13, 0.25);
        let y0 = ramp_f32(n, 7, 0.5);
        let mut want = y0.clone();
        seq_saxpy(2.0, &x, &mut want);
        check(
            "saxpy",
            &pools,
            exact(&want),
            || {
                let mut y = y0.clone();
                rayon_saxpy(2.0, &x, &mut y);
                y
            },
            |t| {
                let mut y = y0.clone();
                par_saxpy(t, 2.0, &x, &mut y);
                y
            },
        );
        // Each call adds a·x to y again, in place, as a solver's update would.
        let mut y = y0;
        let mut g = group(c, "saxpy");
        g.bench_function(id("sequential", 1), |b| {
            b.iter(|| seq_saxpy(2.0, black_box(&x), &mut y))
        });
        for (t, pool) in &pools {
            g.bench_function(id("rayon", *t), |b| {
                pool.install(|| b.iter(|| rayon_saxpy(2.0, black_box(&x), &mut y)))
            });
            g.bench_function(id("parallel", *t), |b| {
                b.iter(|| par_saxpy(*t, 2.0, black_box(&x), &mut y))
            });
        }
        g.finish();
    }

    {
        let n = sz.pi;
        let want = seq_pi(n);
        // Every term is positive, so Σ|x|·step is the result itself.
        check(
            "pi",
            &pools,
            close(want, n, f64::EPSILON, want),
            || rayon_pi(n),
            |t| par_pi(t, n),
        );
        let mut g = group(c, "pi");
        g.bench_function(id("sequential", 1), |b| b.iter(|| seq_pi(black_box(n))));
        for (t, pool) in &pools {
            g.bench_function(id("rayon", *t), |b| {
                pool.install(|| b.iter(|| rayon_pi(black_box(n))))
            });
            g.bench_function(id("parallel", *t), |b| b.iter(|| par_pi(*t, black_box(n))));
        }
        g.finish();
    }

    {
        let w = sz.mandelbrot;
        let mut want = vec![0u32; w * w];
        seq_mandelbrot(w, &mut want);
        check(
            "mandelbrot",
            &pools,
            exact(&want),
            || {
                let mut img = vec![0u32; w * w];
                rayon_mandelbrot(w, &mut img);
                img
            },
            |t| {
                let mut img = vec![0u32; w * w];
                par_mandelbrot(t, w, &mut img);
                img
            },
        );
        let mut img = want;
        let mut g = group(c, "mandelbrot");
        g.bench_function(id("sequential", 1), |b| {
            b.iter(|| seq_mandelbrot(black_box(w), &mut img))
        });
        for (t, pool) in &pools {
            g.bench_function(id("rayon", *t), |b| {
                pool.install(|| b.iter(|| rayon_mandelbrot(black_box(w), &mut img)))
            });
            g.bench_function(id("parallel", *t), |b| {
                b.iter(|| par_mandelbrot(*t, black_box(w), &mut img))
            });
        }
        g.finish();
    }

    {
        let n = sz.jacobi;
        let src = grid(n);
        let mut want = src.clone();
        seq_jacobi(n, &src, &mut want);
        check(
            "jacobi",
            &pools,
            exact(&want),
            || {
                let mut dst = src.clone();
                rayon_jacobi(n, &src, &mut dst);
                dst
            },
            |t| {
                let mut dst = src.clone();
                par_jacobi(t, n, &src, &mut dst);
                dst
            },
        );
        let mut dst = want;
        let mut g = group(c, "jacobi");
        g.bench_function(id("sequential", 1), |b| {
            b.iter(|| seq_jacobi(n, black_box(&src), &mut dst))
        });
        for (t, pool) in &pools {
            g.bench_function(id("rayon", *t), |b| {
                pool.install(|| b.iter(|| rayon_jacobi(n, black_box(&src), &mut dst)))
            });
            g.bench_function(id("parallel", *t), |b| {
                b.iter(|| par_jacobi(*t, n, black_box(&src), &mut dst))
            });
        }
        g.finish();
    }

    {
        let n = sz.gemm;
        let (a, bm) = (matrix(n, 1), matrix(n, 2));
        let mut want = vec![0.0; n * n];
        seq_gemm(n, &a, &bm, &mut want);
        check(
            "gemm",
            &pools,
            exact(&want),
            || {
                let mut c = vec![0.0; n * n];
                rayon_gemm(n, &a, &bm, &mut c);
                c
            },
            |t| {
                let mut c = vec![0.0; n * n];
                par_gemm(t, n, &a, &bm, &mut c);
                c
            },
        );
        let mut cm = want;
        let mut g = group(c, "gemm");
        g.bench_function(id("sequential", 1), |b| {
            b.iter(|| seq_gemm(n, black_box(&a), &bm, &mut cm))
        });
        for (t, pool) in &pools {
            g.bench_function(id("rayon", *t), |b| {
                pool.install(|| b.iter(|| rayon_gemm(n, black_box(&a), &bm, &mut cm)))
            });
            g.bench_function(id("parallel", *t), |b| {
                b.iter(|| par_gemm(*t, n, black_box(&a), &bm, &mut cm))
            });
        }
        g.finish();
    }

    {
        let data = bytes(sz.histogram);
        check(
            "histogram",
            &pools,
            exact(&seq_histogram(&data)),
            || rayon_histogram(&data),
            |t| par_histogram(t, &data),
        );
        let mut g = group(c, "histogram");
        g.bench_function(id("sequential", 1), |b| {
            b.iter(|| seq_histogram(black_box(&data)))
        });
        for (t, pool) in &pools {
            g.bench_function(id("rayon", *t), |b| {
                pool.install(|| b.iter(|| rayon_histogram(black_box(&data))))
            });
            g.bench_function(id("parallel", *t), |b| {
                b.iter(|| par_histogram(*t, black_box(&data)))
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    // 40 benchmarks of milliseconds to a second per call: about 3 minutes in all.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = kernels
}
criterion_main!(benches);
