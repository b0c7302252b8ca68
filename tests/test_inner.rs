//! Inner loops run over cuts of their arrays (no bounds check inside):
//! every form against the plain loop, and an index past the end in the
//! first, a middle and the last iteration of an inner loop panics as the
//! plain loop does, with the same message and the same writes done before.

#![allow(clippy::needless_range_loop)]

mod common;
use common::{THREADS, data};
use parallel::parallel;
use std::panic::{AssertUnwindSafe, catch_unwind};

const SIZES: &[usize] = &[0, 1, 2, 3, 7, 16, 33];

/// gemm, flat and nested: the row of `c` written, `a` and `b` read.
#[parallel]
fn gemm(c: &mut [f64], a: &[f64], b: &[f64], n: usize, threads: usize) {
    #[parallel_for(num_threads(threads))]
    for i in 0..n {
        for j in 0..n {
            c[i * n + j] *= 0.5;
        }
        for k in 0..n {
            for j in 0..n {
                c[i * n + j] += 1.5 * a[i * n + k] * b[k * n + j];
            }
        }
    }
}

#[parallel]
fn gemm_nested(c: &mut [Vec<f64>], a: &[Vec<f64>], b: &[Vec<f64>], threads: usize) {
    let n = c.len();
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for i in 0..n {
        for k in 0..n {
            for j in 0..n {
                c[i][j] += 1.5 * a[i][k] * b[k][j];
            }
        }
    }
}

fn rows(flat: &[f64], n: usize) -> Vec<Vec<f64>> {
    (0..n).map(|i| flat[i * n..(i + 1) * n].to_vec()).collect()
}

#[test]
fn gemm_flat_and_nested() {
    for &n in SIZES {
        let (a, b, c0) = (data(n * n, 1), data(n * n, 2), data(n * n, 3));
        let mut want = c0.clone();
        for i in 0..n {
            for j in 0..n {
                want[i * n + j] *= 0.5;
            }
            for k in 0..n {
                for j in 0..n {
                    want[i * n + j] += 1.5 * a[i * n + k] * b[k * n + j];
                }
            }
        }
        let mut want_nested = rows(&c0, n);
        for i in 0..n {
            for k in 0..n {
                for j in 0..n {
                    want_nested[i][j] += 1.5 * a[i * n + k] * b[k * n + j];
                }
            }
        }
        for &t in THREADS {
            let mut c = c0.clone();
            gemm(&mut c, &a, &b, n, t);
            assert_eq!(c, want, "n={n} t={t}");
            let mut cn = rows(&c0, n);
            gemm_nested(&mut cn, &rows(&a, n), &rows(&b, n), t);
            assert_eq!(cn, want_nested, "n={n} t={t}");
        }
    }
}

/// Several offsets of one array, offsets on either side of the variable,
/// a local accumulator, `continue` and `break` of the inner loop itself.
#[parallel]
fn stencil(out: &mut [f64], x: &[f64], n: usize, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(guided))]
    for i in 1..n.saturating_sub(1) {
        let mut s = 0.0;
        for k in 1..n - 1 {
            if x[i * n + k] > 0.9 {
                continue;
            }
            s += x[(i - 1) * n + k] + x[i * n + k] + x[k + (i + 1) * n] - x[i * n + k - 1];
            if s > 50.0 {
                break;
            }
        }
        out[i] = s;
    }
}

#[test]
fn offsets_continue_and_break() {
    for &n in SIZES {
        let x = data(n * n, 4);
        let mut want = vec![0.0; n];
        for i in 1..n.saturating_sub(1) {
            let mut s = 0.0;
            for k in 1..n - 1 {
                if x[i * n + k] > 0.9 {
                    continue;
                }
                s += x[(i - 1) * n + k] + x[i * n + k] + x[k + (i + 1) * n] - x[i * n + k - 1];
                if s > 50.0 {
                    break;
                }
            }
            want[i] = s;
        }
        for &t in THREADS {
            let mut out = vec![0.0; n];
            stencil(&mut out, &x, n, t);
            assert_eq!(out, want, "n={n} t={t}");
        }
    }
}

/// One row per iteration, each row's inner loop reading `x[r + k]` for `k`
/// in `0..m`: with `r = i * stride`, the last rows read past the end of `x`
/// when `stride` is too long.
#[parallel]
fn reads_past_the_end(out: &mut [f64], x: &[f64], rows: usize, m: usize, stride: usize) {
    #[parallel_for(num_threads(1))]
    for i in 0..rows {
        for k in 0..m {
            out[i * m + k] = x[i * stride + k] * 2.0;
        }
    }
}

fn plain_reads_past_the_end(out: &mut [f64], x: &[f64], rows: usize, m: usize, stride: usize) {
    for i in 0..rows {
        for k in 0..m {
            out[i * m + k] = x[i * stride + k] * 2.0;
        }
    }
}

fn message(r: Result<(), Box<dyn std::any::Any + Send>>) -> String {
    match r {
        Ok(()) => "no panic".to_owned(),
        Err(e) => e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default(),
    }
}

#[test]
fn an_index_past_the_end_panics_as_the_plain_loop_does() {
    let (rows, m) = (3, 8);
    // The last row's inner loop goes past the end at its first, a middle
    // and its last iteration.
    for x_len in [18, 22, 25] {
        let x = data(x_len, 5);
        let mut want = vec![0.0; rows * m];
        let plain = message(catch_unwind(AssertUnwindSafe(|| {
            plain_reads_past_the_end(&mut want, &x, rows, m, 9)
        })));
        let mut got = vec![0.0; rows * m];
        let annotated = message(catch_unwind(AssertUnwindSafe(|| {
            reads_past_the_end(&mut got, &x, rows, m, 9)
        })));
        assert!(plain.contains("index out of bounds"), "{plain}");
        assert_eq!(annotated, plain, "len {x_len}");
        assert_eq!(got, want, "the writes before the panic, len {x_len}");
    }
}

/// symm's inner loop: the iteration's column of `c` at consecutive rows
/// (a column view), strided reads of `b`, a private accumulator.
#[parallel]
fn symm(c: &mut [f64], a: &[f64], b: &[f64], m: usize, n: usize, threads: usize) {
    let mut temp2 = 0.0;
    for i in 0..m {
        #[parallel_for(num_threads(threads), schedule(dynamic, 3), private(temp2))]
        for j in 0..n {
            temp2 = 0.0;
            for k in 0..i {
                c[k * n + j] += 1.5 * b[i * n + j] * a[i * m + k];
                temp2 += b[k * n + j] * a[i * m + k];
            }
            c[i * n + j] = 0.5 * c[i * n + j] + temp2;
        }
    }
}

#[test]
fn columns_and_strides() {
    for &m in SIZES {
        for n in [1, 5, 16] {
            let (a, b, c0) = (data(m * m, 6), data(m * n, 7), data(m * n, 8));
            let mut want = c0.clone();
            for i in 0..m {
                for j in 0..n {
                    let mut temp2 = 0.0;
                    for k in 0..i {
                        want[k * n + j] += 1.5 * b[i * n + j] * a[i * m + k];
                        temp2 += b[k * n + j] * a[i * m + k];
                    }
                    want[i * n + j] = 0.5 * want[i * n + j] + temp2;
                }
            }
            for &t in THREADS {
                let mut c = c0.clone();
                symm(&mut c, &a, &b, m, n, t);
                assert_eq!(c, want, "m={m} n={n} t={t}");
            }
        }
    }
}

/// A strided read past the end in the first, a middle and the last inner
/// iteration: the same panic and the same writes as the plain loop.
#[parallel]
fn strided_past_the_end(out: &mut [f64], x: &[f64], m: usize, stride: usize) {
    #[parallel_for(num_threads(1))]
    for i in 0..2 {
        for k in 0..m {
            out[i * m + k] = x[k * stride + i] + 1.0;
        }
    }
}

#[test]
fn a_strided_index_past_the_end_panics_as_the_plain_loop_does() {
    let m = 6;
    for x_len in [1, 12, 26] {
        let x = data(x_len, 9);
        let mut want = vec![0.0; 2 * m];
        let plain = message(catch_unwind(AssertUnwindSafe(|| {
            for i in 0..2 {
                for k in 0..m {
                    want[i * m + k] = x[k * 5 + i] + 1.0;
                }
            }
        })));
        let mut got = vec![0.0; 2 * m];
        let annotated = message(catch_unwind(AssertUnwindSafe(|| {
            strided_past_the_end(&mut got, &x, m, 5)
        })));
        assert!(plain.contains("index out of bounds"), "{plain}");
        assert_eq!(annotated, plain, "len {x_len}");
        assert_eq!(got, want, "len {x_len}");
    }
}

/// A stretch read outside the loop's writes is cut once (lu's row `i` at
/// columns `k < i`); one that meets them runs the checked reads, which
/// panic (flat Floyd-Warshall's row `k`).
#[parallel]
fn flat_floyd(path: &mut [u32], n: usize) {
    for k in 0..n {
        #[parallel_for(num_threads(2))]
        for i in 0..n {
            for j in 0..n {
                path[i * n + j] = path[i * n + j].min(path[i * n + k] + path[k * n + j]);
            }
        }
    }
}

#[test]
fn a_stretch_that_meets_the_writes_still_panics() {
    let mut path = vec![1u32; 16];
    let caught = catch_unwind(AssertUnwindSafe(|| flat_floyd(&mut path, 4)));
    let m = message(caught.map(|_| ()));
    assert!(m.contains("while another iteration may write it"), "{m}");
}

/// trmm's and lu's inner loop: one element of the iteration's column
/// updated throughout, beside a view of the same column at the rows `k`;
/// `lo..hi` may cover the element's own row (then the loop reads what it
/// writes, and must run as the plain loop does).
#[parallel]
fn column_beside_its_element(
    b: &mut [f64],
    a: &[f64],
    m: usize,
    n: usize,
    lo: usize,
    hi: usize,
    threads: usize,
) {
    for i in 0..m {
        #[parallel_for(num_threads(threads), schedule(dynamic, 2))]
        for j in 0..n {
            for k in i + lo..hi {
                b[i * n + j] += a[k * m + i] * b[k * n + j];
            }
            b[i * n + j] *= 0.5;
        }
    }
}

#[test]
fn an_element_beside_its_own_column() {
    for &m in SIZES {
        for n in [1, 4, 9] {
            // From past row i (trmm), from row i itself, and past the end.
            for (lo, hi) in [(1, m), (0, m), (1, m + 1)] {
                let (a, b0) = (data(m * m + n, 10), data(m * n, 11));
                let mut want = b0.clone();
                let plain = message(catch_unwind(AssertUnwindSafe(|| {
                    for i in 0..m {
                        for j in 0..n {
                            for k in i + lo..hi {
                                want[i * n + j] += a[k * m + i] * want[k * n + j];
                            }
                            want[i * n + j] *= 0.5;
                        }
                    }
                })));
                for &t in THREADS {
                    let mut b = b0.clone();
                    let got = message(catch_unwind(AssertUnwindSafe(|| {
                        column_beside_its_element(&mut b, &a, m, n, lo, hi, t)
                    })));
                    // One thread panics where the plain loop does, after
                    // the same writes; more panic too, maybe in another
                    // iteration first.
                    if t == 1 || plain == "no panic" {
                        assert_eq!(got, plain, "m={m} n={n} lo={lo} hi={hi} t={t}");
                        assert_eq!(b, want, "m={m} n={n} lo={lo} hi={hi} t={t}");
                    } else {
                        assert!(got.contains("index out of bounds"), "{got}");
                    }
                }
            }
        }
    }
}

/// syrk's inner loop over an inclusive range `0..=i`, reading a strided
/// column; `end` past the rows makes the strided read run past the end.
#[parallel]
fn inclusive_rows(c: &mut [f64], a: &[f64], n: usize, m: usize, end: usize, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(static, 1))]
    for i in 0..n {
        for k in 0..m {
            for j in 0..=(i + end) {
                c[i * (n + 4) + j] += 1.5 * a[i * m + k] * a[j * m + k];
            }
        }
    }
}

#[test]
fn inclusive_inner_ranges() {
    for &n in SIZES {
        for m in [1, 3, 8] {
            for end in [0, 2, 4] {
                let (a, c0) = (data(n * m + 2 * m, 12), data(n * (n + 4), 13));
                let mut want = c0.clone();
                let plain = message(catch_unwind(AssertUnwindSafe(|| {
                    for i in 0..n {
                        for k in 0..m {
                            for j in 0..=(i + end) {
                                want[i * (n + 4) + j] += 1.5 * a[i * m + k] * a[j * m + k];
                            }
                        }
                    }
                })));
                for &t in THREADS {
                    let mut c = c0.clone();
                    let got = message(catch_unwind(AssertUnwindSafe(|| {
                        inclusive_rows(&mut c, &a, n, m, end, t)
                    })));
                    if t == 1 || plain == "no panic" {
                        assert_eq!(got, plain, "n={n} m={m} end={end} t={t}");
                        assert_eq!(c, want, "n={n} m={m} end={end} t={t}");
                    } else {
                        assert!(got.contains("index out of bounds"), "{got}");
                    }
                }
            }
        }
    }
}

/// The same on nested rows: `b[i][j]` beside `b[k][j]`, rows that may be
/// too short for column `j` (a ragged container: the plain loop's panic).
#[parallel]
fn nested_column_beside_its_element(
    b: &mut [Vec<f64>],
    a: &[Vec<f64>],
    lo: usize,
    hi: usize,
    threads: usize,
) {
    let m = b.len();
    let n = b.first().map_or(0, |r| r.len());
    for i in 0..m {
        #[parallel_for(num_threads(threads), schedule(dynamic, 2))]
        for j in 0..n {
            for k in i + lo..hi {
                b[i][j] += a[k][i] * b[k][j];
            }
            b[i][j] *= 0.5;
        }
    }
}

#[test]
fn a_nested_element_beside_its_own_column() {
    for &m in SIZES {
        for n in [1, 4, 9] {
            for (lo, hi, short) in [
                (1, m, false),
                (0, m, false),
                (1, m + 1, false),
                (1, m, true),
            ] {
                let a: Vec<Vec<f64>> = (0..m + 1).map(|r| data(m + 1, 14 + r as u64)).collect();
                let mut b0: Vec<Vec<f64>> = (0..m).map(|r| data(n, 20 + r as u64)).collect();
                if short && m > 1 {
                    b0[m - 1].pop(); // the last row lacks the last column
                }
                let mut want = b0.clone();
                let plain = message(catch_unwind(AssertUnwindSafe(|| {
                    let n = want.first().map_or(0, |r| r.len());
                    for i in 0..m {
                        for j in 0..n {
                            for k in i + lo..hi {
                                want[i][j] += a[k][i] * want[k][j];
                            }
                            want[i][j] *= 0.5;
                        }
                    }
                })));
                for &t in THREADS {
                    let mut b = b0.clone();
                    let got = message(catch_unwind(AssertUnwindSafe(|| {
                        nested_column_beside_its_element(&mut b, &a, lo, hi, t)
                    })));
                    let case = format!("m={m} n={n} lo={lo} hi={hi} short={short} t={t}");
                    if t == 1 || plain == "no panic" {
                        assert_eq!(got, plain, "{case}");
                        assert_eq!(b, want, "{case}");
                    } else {
                        assert!(got.contains("index out of bounds"), "{case}: {got}");
                    }
                }
            }
        }
    }
}

// ---- bodies the inner loops must leave as written (found by review) ----

/// The inner variable bound again in the body: the accesses after the
/// `let` read the new `j`.
#[parallel]
fn rebinds_the_inner_variable(out: &mut [f64], b: &[f64], n: usize, shift: usize, t: usize) {
    let m = n + 1;
    #[parallel_for(num_threads(t))]
    for i in 0..3 {
        for j in 0..n {
            let j = j + shift;
            out[i * m + j] = b[j];
        }
    }
}

/// An index term changed by a destructuring assignment, and by a method
/// of a user's type (whose `len` and `max` may do anything).
struct Counter(std::cell::Cell<usize>);

impl Counter {
    fn len(&self) -> usize {
        let v = self.0.get();
        self.0.set(v + 1);
        v
    }
}

#[parallel]
fn index_terms_that_change(out: &mut [u32], b: &[u32], w: usize, t: usize) -> Vec<u32> {
    let mut second = vec![0u32; out.len()];
    #[parallel_for(num_threads(t))]
    for i in 0..out.len() / w {
        let mut k = 0;
        for j in 0..w {
            out[i * w + j] = b[j + k];
            (k, _) = (k + 1, 0);
        }
    }
    #[parallel_for(num_threads(t))]
    for i in 0..second.len() / w {
        let c = Counter(std::cell::Cell::new(0));
        for j in 0..w {
            second[i * w + j] = b[j + c.len()];
        }
    }
    second
}

/// A term of the index that only a guarded access evaluates (`m / d`
/// with `d == 0`), and one that underflows before the loop variable is
/// added (`j - 1 + k`: a debug build panics at `j = 0`).
// The guarded division is the point: written as a port would write it.
#[allow(clippy::manual_checked_ops)]
#[parallel]
fn guarded_and_ordered_terms(out: &mut [f64], b: &[f64], m: usize, d: usize, k: usize, t: usize) {
    let w = 4;
    #[parallel_for(num_threads(t))]
    for i in 0..out.len() / w {
        for j in 0..w {
            if d != 0 {
                out[i * w + j] = b[j + m / d];
            }
        }
    }
    #[parallel_for(num_threads(t))]
    for i in 0..out.len() / w {
        for j in 0..w {
            out[i * w + j] += b[j - 1 + k];
        }
    }
}

/// A loop whose variable only counts (an `i32` by default) beside a
/// hoisted element.
#[parallel]
fn counting_in_i32(out: &mut [f64], t: usize) {
    #[parallel_for(num_threads(t))]
    for i in 0..out.len() {
        let mut s = [0.0f64; 1];
        for j in 0..4 {
            s[0] += (j - 2) as f64;
        }
        for j in -2i64..2 {
            s[0] += j as f64;
        }
        out[i] = s[0];
    }
}

#[test]
fn bodies_that_change_what_an_index_reads() {
    let b: Vec<f64> = (0..12).map(|v| v as f64).collect();
    // (A shift that leaves the row, `j + shift >= n + 1`, writes another
    // iteration's element: the row's window panics there by design.)
    for shift in [0, 1, 1000] {
        let n = 5;
        let mut want = vec![-1.0; 3 * (n + 1)];
        let plain = message(catch_unwind(AssertUnwindSafe(|| {
            for i in 0..3 {
                for j in 0..n {
                    let j = j + shift;
                    want[i * (n + 1) + j] = b[j];
                }
            }
        })));
        let mut got = vec![-1.0; 3 * (n + 1)];
        let annotated = message(catch_unwind(AssertUnwindSafe(|| {
            rebinds_the_inner_variable(&mut got, &b, n, shift, 1)
        })));
        assert_eq!(annotated, plain, "shift {shift}");
        assert_eq!(got, want, "shift {shift}");
        for &t in THREADS {
            let mut got = vec![-1.0; 3 * (n + 1)];
            let annotated = message(catch_unwind(AssertUnwindSafe(|| {
                rebinds_the_inner_variable(&mut got, &b, n, shift, t)
            })));
            assert_eq!(
                annotated == "no panic",
                plain == "no panic",
                "shift {shift} t={t}"
            );
        }
    }
    let words: Vec<u32> = (0..10).collect();
    for &t in THREADS {
        let mut out = vec![0u32; 8];
        let second = index_terms_that_change(&mut out, &words, 4, t);
        assert_eq!(out, [0, 2, 4, 6, 0, 2, 4, 6], "t={t}");
        assert_eq!(second, [0, 2, 4, 6, 0, 2, 4, 6], "t={t}");
        let mut counted = vec![9.0; 7];
        counting_in_i32(&mut counted, t);
        assert_eq!(counted, [-4.0; 7], "t={t}");
    }
}

#[test]
#[allow(clippy::manual_checked_ops)]
fn terms_are_evaluated_where_and_in_the_order_the_plain_loop_does() {
    let b = vec![1.0; 8];
    for (m, d, k) in [(4, 0, 1), (4, 2, 1), (4, 0, 0), (2, 1, 3)] {
        let mut want = vec![0.0; 8];
        let plain = message(catch_unwind(AssertUnwindSafe(|| {
            for i in 0..2 {
                for j in 0..4 {
                    if d != 0 {
                        want[i * 4 + j] = b[j + m / d];
                    }
                }
            }
            for i in 0..2 {
                for j in 0..4 {
                    want[i * 4 + j] += b[j - 1 + k];
                }
            }
        })));
        let mut got = vec![0.0; 8];
        let annotated = message(catch_unwind(AssertUnwindSafe(|| {
            guarded_and_ordered_terms(&mut got, &b, m, d, k, 1)
        })));
        assert_eq!(annotated, plain, "m={m} d={d} k={k}");
        assert_eq!(got, want, "m={m} d={d} k={k}");
    }
}
