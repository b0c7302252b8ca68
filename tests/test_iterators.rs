//! Iterator loops over slices and `Vec`s: `iter()`, `iter_mut()`, `&v`,
//! `&mut v`, `chunks(k)`, `chunks_mut(k)`, `enumerate()`, `zip(..)`, with
//! reductions and schedules, against the sequential loop.

mod common;
use common::{LENGTHS, THREADS, close, data};
use parallel::parallel;

#[parallel]
fn dot(x: &[f64], y: &[f64], threads: usize) -> f64 {
    let mut s = 0.0;
    #[parallel_for(num_threads(threads), reduction(+: s))]
    for (a, b) in x.iter().zip(y) {
        s += a * b;
    }
    s
}

#[parallel]
fn scale_in_place(y: &mut Vec<f64>, a: f64, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(dynamic, 5))]
    for v in y.iter_mut() {
        *v *= a;
    }
}

#[parallel]
fn axpy_zip(a: f64, x: &[f64], y: &mut [f64], threads: usize) {
    #[parallel_for(num_threads(threads), schedule(guided))]
    for (yi, xi) in y.iter_mut().zip(x.iter()) {
        *yi += a * xi;
    }
}

#[parallel]
fn indexed(x: &[f64], threads: usize) -> (Vec<f64>, f64) {
    let mut out = vec![0.0; x.len()];
    let mut weighted = 0.0;
    #[parallel_for(num_threads(threads), reduction(+: weighted))]
    for (i, v) in x.iter().enumerate() {
        out[i] = v * i as f64;
        weighted += out[i];
    }
    (out, weighted)
}

#[parallel]
fn enumerate_mut(v: &mut [u64], threads: usize) {
    #[parallel_for(num_threads(threads), schedule(static, 3))]
    for (i, e) in (&mut *v).iter_mut().enumerate() {
        *e = (i * i) as u64;
    }
}

#[parallel]
fn chunk_sums(x: &[f64], k: usize, threads: usize) -> Vec<f64> {
    let mut sums = vec![0.0; x.len().div_ceil(k)];
    #[parallel_for(num_threads(threads))]
    for (c, s) in x.chunks(k).zip(sums.iter_mut()) {
        *s = c.iter().sum();
    }
    sums
}

#[parallel]
fn rows_mut(grid: &mut [u32], width: usize, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for (r, row) in grid.chunks_mut(width).enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            *cell = (r * 1000 + c) as u32;
        }
    }
}

#[parallel]
#[allow(clippy::ptr_arg)] // iterating `&Vec` directly is the form under test
fn by_reference(v: &Vec<u32>, out: &mut Vec<u32>, threads: usize) -> u32 {
    let mut m = 0;
    #[parallel_for(num_threads(threads), reduction(max: m))]
    for (a, b) in (&mut *out).iter_mut().zip(v) {
        *a = b + 1;
        m = m.max(*b);
    }
    m
}

#[test]
fn iterator_loops_match_the_sequential_loop() {
    for &n in LENGTHS {
        let x = data(n, 31);
        let y0 = data(n + 3, 32);
        for &t in THREADS {
            let want: f64 = x.iter().zip(&y0).map(|(a, b)| a * b).sum();
            assert!(close(dot(&x, &y0, t), want, n), "dot n={n} t={t}");

            let mut y = y0.clone();
            scale_in_place(&mut y, 3.0, t);
            assert_eq!(
                y,
                y0.iter().map(|v| v * 3.0).collect::<Vec<_>>(),
                "scale n={n} t={t}"
            );

            let mut y = y0.clone();
            axpy_zip(2.0, &x, &mut y, t);
            let mut want_y = y0.clone();
            for (yi, xi) in want_y.iter_mut().zip(&x) {
                *yi += 2.0 * xi;
            }
            assert_eq!(y, want_y, "axpy n={n} t={t}");

            let (out, w) = indexed(&x, t);
            let want_out: Vec<f64> = x.iter().enumerate().map(|(i, v)| v * i as f64).collect();
            assert_eq!(out, want_out, "indexed n={n} t={t}");
            assert!(close(w, want_out.iter().sum(), n), "weighted n={n} t={t}");

            let mut v = vec![0u64; n];
            enumerate_mut(&mut v, t);
            assert_eq!(
                v,
                (0..n as u64).map(|i| i * i).collect::<Vec<_>>(),
                "enumerate_mut n={n} t={t}"
            );

            for k in [1, 4, 7] {
                let want: Vec<f64> = x.chunks(k).map(|c| c.iter().sum()).collect();
                assert_eq!(chunk_sums(&x, k, t), want, "chunks n={n} k={k} t={t}");
            }

            let width = 7;
            let mut grid = vec![0u32; n];
            rows_mut(&mut grid, width, t);
            let want: Vec<u32> = (0..n)
                .map(|k| ((k / width) * 1000 + k % width) as u32)
                .collect();
            assert_eq!(grid, want, "chunks_mut n={n} t={t}");

            let v: Vec<u32> = (0..n as u32).map(|i| (i * 7919) % 1000).collect();
            let mut out = vec![0u32; n + 2];
            let m = by_reference(&v, &mut out, t);
            assert_eq!(m, v.iter().copied().max().unwrap_or(0), "max n={n} t={t}");
            assert_eq!(
                &out[..n],
                v.iter().map(|b| b + 1).collect::<Vec<_>>(),
                "zip n={n} t={t}"
            );
            assert_eq!(&out[n..], &[0, 0]);
        }
    }
}

#[parallel]
fn zero_chunks(x: &[u8]) -> usize {
    let mut n = 0;
    #[parallel_for(reduction(+: n))]
    for c in x.chunks(0) {
        n += c.len();
    }
    n
}

#[test]
#[should_panic(expected = "chunk size must be non-zero")]
fn chunks_of_zero_panic_like_std() {
    zero_chunks(&[1, 2, 3]);
}

/// The iterated collection is evaluated once, as in the plain loop.
#[parallel]
fn sum_of_fresh(calls: &std::sync::atomic::AtomicUsize, n: usize) -> u64 {
    let make = || {
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (0..n as u64).collect::<Vec<u64>>()
    };
    let mut s = 0;
    #[parallel_for(num_threads(2), reduction(+: s))]
    for v in make().iter() {
        s += v;
    }
    s
}

#[test]
fn the_collection_is_evaluated_once() {
    for &n in LENGTHS {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        assert_eq!(sum_of_fresh(&calls, n), (0..n as u64).sum::<u64>());
        assert_eq!(calls.into_inner(), 1, "n={n}");
    }
}

/// A slice walked with `iter_mut()` and another written by the index
/// `enumerate()` gives: two handles, which must not take each other's name.
#[parallel]
fn walk_and_write(v: &mut [u64], out: &mut [u64], threads: usize) {
    #[parallel_for(num_threads(threads))]
    for (i, x) in v.iter_mut().enumerate() {
        *x *= 2;
        out[i] = *x + 1;
    }
}

#[test]
fn a_walked_slice_beside_a_written_one() {
    for &n in LENGTHS {
        for &t in THREADS {
            let mut v: Vec<u64> = (0..n as u64).collect();
            let mut out = vec![0; n];
            walk_and_write(&mut v, &mut out, t);
            assert!(
                v.iter().enumerate().all(|(i, &x)| x == 2 * i as u64),
                "n={n} t={t}"
            );
            assert!(out.iter().zip(&v).all(|(&o, &x)| o == x + 1), "n={n} t={t}");
        }
    }
}
