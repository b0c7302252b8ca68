//! ndarray's arrays in `parallel_for` loops (feature `ndarray`): `y[i]`,
//! rows `c[[i, j]]`, columns `c[[k, j]]`, planes `a[[i, j, k]]`, tuple
//! indices, reads outside the writes, element-wise reductions into
//! `Array1` / `Array2`, and `rows_mut()` / `axis_iter_mut(Axis(k))` loops,
//! each against the plain loop over empty, tiny, odd and large shapes,
//! several team sizes and schedules, and through transposed, strided and
//! reversed views as well as owned arrays.

#![cfg(feature = "ndarray")]
#![allow(clippy::needless_range_loop)]

mod common;
use common::{LENGTHS, THREADS, data, panic_message};
use ndarray::{
    Array1, Array2, Array3, ArrayView2, ArrayViewMut1, ArrayViewMut2, ArrayViewMut3, Axis, s,
};
use parallel::parallel;

/// Shapes `(rows, cols)`: empty both ways, tiny, odd, large.
const SHAPES: &[(usize, usize)] = &[
    (0, 0),
    (0, 3),
    (3, 0),
    (1, 1),
    (2, 3),
    (7, 5),
    (33, 17),
    (257, 129),
];

fn matrix(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
    Array2::from_shape_vec((rows, cols), data(rows * cols, seed)).expect("shape")
}

/// Runs `f` on an owned copy of `c0`, on a transposed view of one (the
/// data column-major), on a strided view (every other row of a taller
/// array) and on a view with its rows reversed; each must equal `want`.
fn every_layout(c0: &Array2<f64>, want: &Array2<f64>, what: &str, f: &dyn Fn(ArrayViewMut2<f64>)) {
    let (rows, cols) = c0.dim();
    let mut owned = c0.clone();
    f(owned.view_mut());
    assert_eq!(&owned, want, "{what}: owned");
    let mut transposed = c0.t().to_owned();
    f(transposed.view_mut().reversed_axes());
    assert_eq!(&transposed.t(), want, "{what}: transposed");
    let mut tall = Array2::from_elem((2 * rows, cols), f64::NAN);
    tall.slice_mut(s![..;2, ..]).assign(c0);
    f(tall.slice_mut(s![..;2, ..]));
    assert_eq!(&tall.slice(s![..;2, ..]), want, "{what}: strided");
    let gaps = tall.iter().skip(cols).step_by(2 * cols.max(1));
    assert!(
        rows == 0 || gaps.take(rows).all(|x| x.is_nan()),
        "{what}: strided, gaps written"
    );
    let mut reversed = c0.slice(s![..;-1, ..]).to_owned();
    f(reversed.slice_mut(s![..;-1, ..]));
    assert_eq!(&reversed.slice(s![..;-1, ..]), want, "{what}: reversed");
}

// ---------------------------------------------------------------- y[i]

macro_rules! axpy_schedules {
    ($($name:ident => ($($sched:tt)*);)*) => {$(
        #[parallel]
        fn $name(a: f64, x: &Array1<f64>, mut y: ArrayViewMut1<f64>, threads: usize) {
            #[parallel_for(schedule($($sched)*), num_threads(threads))]
            for i in 0..y.len() {
                y[i] += a * x[i];
            }
        }
    )*
        #[test]
        fn axpy_on_one_dimensional_arrays() {
            for &n in LENGTHS {
                let x = Array1::from(data(n, 1));
                let y0 = Array1::from(data(n, 2));
                let want = 2.5 * &x + &y0;
                for &t in THREADS {
                    $(
                        let what = format!("{} n={n} t={t}", stringify!($name));
                        let mut y = y0.clone();
                        $name(2.5, &x, y.view_mut(), t);
                        assert_eq!(y, want, "{what}: contiguous");
                        // Reversed: a negative stride.
                        let mut r = y0.slice(s![..;-1]).to_owned();
                        $name(2.5, &x, r.slice_mut(s![..;-1]), t);
                        assert_eq!(r.slice(s![..;-1]), want, "{what}: reversed");
                        // A column of a 2-D array: stride 2.
                        let mut m = Array2::zeros((n, 2));
                        m.column_mut(1).assign(&y0);
                        $name(2.5, &x, m.column_mut(1), t);
                        assert_eq!(m.column(1), want, "{what}: a column");
                        assert!(m.column(0).iter().all(|&v| v == 0.0), "{what}");
                    )*
                }
            }
        }
    };
}

axpy_schedules! {
    axpy_static => (static);
    axpy_static_3 => (static, 3);
    axpy_dynamic => (dynamic, 7);
    axpy_guided => (guided);
    axpy_auto => (auto);
}

/// An owned `Array1` parameter and a `&mut` one.
#[parallel]
fn squares(y: &mut Array1<u64>, mut z: Array1<u64>) -> Array1<u64> {
    #[parallel_for(num_threads(3))]
    for i in 0..y.len() {
        y[i] = (i * i) as u64;
        z[i] += y[i];
    }
    z
}

#[test]
fn owned_and_borrowed_one_dimensional_arrays() {
    for &n in LENGTHS {
        let mut y = Array1::zeros(n);
        let z = squares(&mut y, Array1::from_elem(n, 1));
        let want = Array1::from_shape_fn(n, |i| (i * i) as u64);
        assert_eq!(y, want);
        assert_eq!(z, want + 1);
    }
}

// ---------------------------------------------------------------- rows

macro_rules! gemm_schedules {
    ($($name:ident => ($($sched:tt)*);)*) => {$(
        /// `C += A B`, row `i` of `c` iteration `i`'s.
        #[parallel]
        fn $name(a: &Array2<f64>, b: &Array2<f64>, mut c: ArrayViewMut2<f64>, threads: usize) {
            let (n, m) = c.dim();
            let k = a.ncols();
            #[parallel_for(schedule($($sched)*), num_threads(threads))]
            for i in 0..n {
                for j in 0..m {
                    for p in 0..k {
                        c[[i, j]] += a[[i, p]] * b[[p, j]];
                    }
                }
            }
        }
    )*
        #[test]
        fn gemm_rows_in_every_layout() {
            for &(n, m) in SHAPES {
                for k in [0, 1, 4, 9] {
                    let (a, b, c0) = (matrix(n, k, 1), matrix(k, m, 2), matrix(n, m, 3));
                    let mut want = c0.clone();
                    for i in 0..n {
                        for j in 0..m {
                            for p in 0..k {
                                want[[i, j]] += a[[i, p]] * b[[p, j]];
                            }
                        }
                    }
                    for &t in THREADS {
                        $(
                            let what = format!("{} {n}x{k}x{m} t={t}", stringify!($name));
                            every_layout(&c0, &want, &what, &|c| $name(&a, &b, c, t));
                        )*
                    }
                }
            }
        }
    };
}

gemm_schedules! {
    gemm_static => (static);
    gemm_dynamic => (dynamic, 2);
    gemm_guided => (guided, 3);
}

/// A row written whole (`=`), with the index as a tuple, an owned array
/// returned, and `c.ncols()` / `c.dim()` / `c.len()` read in the body.
#[parallel]
fn outer(x: &[f64], y: &[f64], threads: usize) -> Array2<f64> {
    let mut c = Array2::zeros((x.len(), y.len()));
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for i in 0..x.len() {
        for j in 0..c.ncols() {
            c[(i, j)] = x[i] * y[j] + (c.dim().0 + c.len()) as f64;
        }
    }
    c
}

#[test]
fn tuple_indices_and_shape_reads() {
    for &(n, m) in SHAPES {
        let (x, y) = (data(n, 4), data(m, 5));
        let want = Array2::from_shape_fn((n, m), |(i, j)| x[i] * y[j] + (n + n * m) as f64);
        for &t in THREADS {
            assert_eq!(outer(&x, &y, t), want, "{n}x{m} t={t}");
        }
    }
}

// ---------------------------------------------------------------- columns

/// Column prefix sums: column `j` iteration `j`'s, read above the element
/// written (its own column).
#[parallel]
fn column_prefix(mut c: ArrayViewMut2<f64>, threads: usize) {
    let (n, m) = c.dim();
    #[parallel_for(num_threads(threads), schedule(static, 2))]
    for j in 0..m {
        for k in 1..n {
            c[[k, j]] += c[[k - 1, j]];
        }
    }
}

#[test]
fn columns_in_every_layout() {
    for &(n, m) in SHAPES {
        let c0 = matrix(n, m, 6);
        let mut want = c0.clone();
        for j in 0..m {
            for k in 1..n {
                want[[k, j]] += want[[k - 1, j]];
            }
        }
        for &t in THREADS {
            every_layout(&c0, &want, &format!("{n}x{m} t={t}"), &|c| {
                column_prefix(c, t)
            });
        }
    }
}

// ---------------------------------------------------------------- planes

/// The mean of `src[[i, j, k]]` and its neighbours along the last axis
/// (zero past the ends).
fn smoothed(src: &Array3<f64>, i: usize, j: usize, k: usize) -> f64 {
    let r = src.len_of(Axis(2));
    let left = if k > 0 { src[[i, j, k - 1]] } else { 0.0 };
    let right = if k + 1 < r { src[[i, j, k + 1]] } else { 0.0 };
    (left + src[[i, j, k]] + right) / 3.0
}

/// A 3-D smoothing along the last axis: plane `i` iteration `i`'s.
#[parallel]
fn smooth(src: &Array3<f64>, mut dst: ArrayViewMut3<f64>, threads: usize) {
    let (p, q, r) = src.dim();
    #[parallel_for(num_threads(threads), schedule(guided))]
    for i in 0..p {
        for j in 0..q {
            for k in 0..r {
                dst[[i, j, k]] = smoothed(src, i, j, k);
            }
        }
    }
}

#[test]
fn planes_of_three_dimensional_arrays() {
    for (p, q, r) in [(0, 2, 2), (1, 1, 1), (3, 4, 5), (17, 9, 13)] {
        let src = Array3::from_shape_vec((p, q, r), data(p * q * r, 7)).expect("shape");
        let mut want = Array3::zeros((p, q, r));
        for i in 0..p {
            for j in 0..q {
                for k in 0..r {
                    want[[i, j, k]] = smoothed(&src, i, j, k);
                }
            }
        }
        for &t in THREADS {
            let mut dst = Array3::zeros((p, q, r));
            smooth(&src, dst.view_mut(), t);
            assert_eq!(dst, want, "{p}x{q}x{r} t={t}");
            // Axes permuted: the planes are strided.
            let mut permuted = Array3::zeros((r, q, p));
            smooth(&src, permuted.view_mut().permuted_axes([2, 1, 0]), t);
            assert_eq!(
                permuted.view().permuted_axes([2, 1, 0]),
                want,
                "{p}x{q}x{r} t={t}"
            );
        }
    }
}

// ---------------------------------------------------------------- reads outside

/// Rows `1..n` scaled by row 0, which no iteration writes; `k` may name a
/// written row, which panics.
#[parallel]
fn scale_by_row(c: &mut Array2<f64>, k: usize, threads: usize) {
    let (n, m) = c.dim();
    #[parallel_for(num_threads(threads))]
    for i in 1..n {
        for j in 0..m {
            c[[i, j]] *= c[[k, j]];
        }
    }
}

#[test]
fn reads_outside_the_written_rows() {
    for &(n, m) in SHAPES {
        let c0 = matrix(n, m, 8);
        let mut want = c0.clone();
        for i in 1..n {
            for j in 0..m {
                want[[i, j]] *= c0[[0, j]];
            }
        }
        for &t in THREADS {
            let mut c = c0.clone();
            scale_by_row(&mut c, 0, t);
            assert_eq!(c, want, "{n}x{m} t={t}");
        }
    }
    let mut c = matrix(5, 3, 9);
    let msg = panic_message(|| scale_by_row(&mut c, 2, 2));
    assert!(
        msg.contains("reads `c[[k, j]]`") && msg.contains("data race"),
        "{msg}"
    );
}

#[test]
fn an_index_outside_the_array_panics_as_ndarray_does() {
    #[parallel]
    fn past_the_end(c: &mut Array2<u8>) {
        let n = c.nrows();
        #[parallel_for(num_threads(2))]
        for i in 0..n {
            c[[i, 3]] = 1;
        }
    }
    let msg = panic_message(|| past_the_end(&mut Array2::zeros((4, 3))));
    assert!(
        msg.contains("out of bounds for an array of shape [4, 3]"),
        "{msg}"
    );
}

// ---------------------------------------------------------------- reductions

#[parallel]
fn histogram(x: &[f64], bins: usize, threads: usize) -> (Array1<u64>, Array2<f64>, Array1<f64>) {
    let mut counts = Array1::<u64>::zeros(bins);
    let mut sums = Array2::<f64>::zeros((bins, 2));
    let mut top = Array1::from_elem(bins, f64::NEG_INFINITY);
    #[parallel_for(num_threads(threads), schedule(dynamic, 5), reduction(+: counts, sums), reduction(max: top))]
    for i in 0..x.len() {
        let b = ((x[i] + 1.0) / 2.0 * bins as f64).min(bins as f64 - 1.0) as usize;
        counts[b] += 1;
        sums[[b, 0]] += x[i];
        sums[[b, 1]] += x[i] * x[i];
        top[b] = top[b].max(x[i]);
    }
    (counts, sums, top)
}

#[test]
fn element_wise_reductions_into_arrays() {
    for &n in LENGTHS {
        let x = data(n, 10);
        let bins = 7;
        let mut counts = Array1::<u64>::zeros(bins);
        let mut sums = Array2::<f64>::zeros((bins, 2));
        let mut top = Array1::from_elem(bins, f64::NEG_INFINITY);
        for &v in &x {
            let b = ((v + 1.0) / 2.0 * bins as f64).min(bins as f64 - 1.0) as usize;
            counts[b] += 1;
            sums[[b, 0]] += v;
            sums[[b, 1]] += v * v;
            top[b] = top[b].max(v);
        }
        for &t in THREADS {
            let (c, s, m) = histogram(&x, bins, t);
            assert_eq!(c, counts, "n={n} t={t}");
            assert_eq!(m, top, "n={n} t={t}");
            for (a, b) in s.iter().zip(&sums) {
                assert!(common::close(*a, *b, n), "n={n} t={t}: {a} vs {b}");
            }
        }
    }
}

/// A reduction into a `&mut Array2` parameter, folded into what it held.
#[parallel]
fn accumulate(acc: &mut Array2<i64>, n: usize, threads: usize) {
    let (r, c) = acc.dim();
    #[parallel_for(num_threads(threads), reduction(+: acc))]
    for i in 0..n {
        acc[[i % r, i % c]] += i as i64;
    }
}

#[test]
fn reductions_fold_into_a_borrowed_array() {
    for &n in LENGTHS {
        let mut want = Array2::from_elem((3, 4), 1i64);
        for i in 0..n {
            want[[i % 3, i % 4]] += i as i64;
        }
        for &t in THREADS {
            let mut acc = Array2::from_elem((3, 4), 1i64);
            accumulate(&mut acc, n, t);
            assert_eq!(acc, want, "n={n} t={t}");
        }
    }
}

/// Read-only arrays, any element: a transposed view read at `[[j, i]]`.
#[parallel]
fn transpose_into(a: ArrayView2<f64>, out: &mut Array2<f64>) {
    let (n, m) = out.dim();
    #[parallel_for(num_threads(3))]
    for i in 0..n {
        for j in 0..m {
            out[[i, j]] = a[[j, i]];
        }
    }
}

#[test]
fn reads_of_read_only_arrays_anywhere() {
    for &(n, m) in SHAPES {
        let a = matrix(m, n, 11);
        let mut out = Array2::zeros((n, m));
        transpose_into(a.view(), &mut out);
        assert_eq!(out, a.t());
        let mut out2 = Array2::zeros((n, m));
        transpose_into(a.t().t(), &mut out2);
        assert_eq!(out2, a.t());
    }
}

// ---------------------------------------------------------------- loop forms

/// `for mut row in c.rows_mut()`: each row scaled by its own sum.
#[parallel]
fn normalize_rows(mut c: ArrayViewMut2<f64>, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(dynamic, 3))]
    for mut row in c.rows_mut() {
        let sum: f64 = row.iter().map(|x| x.abs()).sum::<f64>() + 1.0;
        for x in row.iter_mut() {
            *x /= sum;
        }
    }
}

#[test]
fn rows_mut_in_every_layout() {
    for &(n, m) in SHAPES {
        let c0 = matrix(n, m, 12);
        let mut want = c0.clone();
        for mut row in want.rows_mut() {
            let sum: f64 = row.iter().map(|x| x.abs()).sum::<f64>() + 1.0;
            row /= sum;
        }
        for &t in THREADS {
            every_layout(&c0, &want, &format!("{n}x{m} t={t}"), &|c| {
                normalize_rows(c, t)
            });
        }
    }
}

/// `axis_iter_mut(Axis(k))` enumerated and zipped with a read-only
/// `axis_iter` and `rows()`: sub-view `i` of `c` iteration `i`'s.
#[parallel]
fn along_axis(mut c: ArrayViewMut3<f64>, a: &Array3<f64>, k: usize, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(guided))]
    for (i, (mut plane, src)) in c
        .axis_iter_mut(Axis(k))
        .zip(a.axis_iter(Axis(k)))
        .enumerate()
    {
        plane.assign(&src);
        plane *= i as f64 + 1.0;
    }
}

#[test]
fn axis_iter_mut_along_every_axis() {
    for (p, q, r) in [(0, 2, 3), (1, 1, 1), (3, 4, 5), (9, 2, 7)] {
        let a = Array3::from_shape_vec((p, q, r), data(p * q * r, 13)).expect("shape");
        for k in 0..3 {
            let mut want = a.clone();
            for (i, mut plane) in want.axis_iter_mut(Axis(k)).enumerate() {
                plane *= i as f64 + 1.0;
            }
            for &t in THREADS {
                let mut c = Array3::zeros((p, q, r));
                along_axis(c.view_mut(), &a, k, t);
                assert_eq!(c, want, "{p}x{q}x{r} axis {k} t={t}");
                let mut permuted = Array3::zeros((r, q, p));
                along_axis(permuted.view_mut().permuted_axes([2, 1, 0]), &a, k, t);
                assert_eq!(permuted.view().permuted_axes([2, 1, 0]), want, "{k} t={t}");
            }
        }
    }
}

/// `rows_mut().into_iter().enumerate()` beside `outer_iter()` and an index
/// write into another array: out[i] is row i's dot product with x.
#[parallel]
fn matvec(a: &Array2<f64>, x: &Array1<f64>, out: &mut Array1<f64>, scratch: &mut Array2<f64>) {
    #[parallel_for(num_threads(3))]
    for (i, (mut s, row)) in scratch
        .rows_mut()
        .into_iter()
        .zip(a.outer_iter())
        .enumerate()
    {
        s.assign(&(&row * x));
        out[i] = s.sum();
    }
}

#[test]
fn rows_zipped_and_enumerated() {
    for &(n, m) in SHAPES {
        let (a, x) = (matrix(n, m, 14), Array1::from(data(m, 15)));
        let mut out = Array1::zeros(n);
        let mut scratch = Array2::zeros((n, m));
        matvec(&a, &x, &mut out, &mut scratch);
        assert_eq!(scratch, &a * &x);
        assert_eq!(out, scratch.sum_axis(Axis(1)));
    }
}

/// Misuse with ndarray arrays is a compile error that points at the
/// user's code and names the fix.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/ndarray/*.rs");
}

/// `deterministic`: the same bits at every team size and schedule.
#[parallel]
fn sums_by_class(x: &[f64], threads: usize) -> Array1<f64> {
    let mut sums = Array1::<f64>::zeros(3);
    #[parallel_for(num_threads(threads), schedule(dynamic, 3), deterministic, reduction(+: sums))]
    for i in 0..x.len() {
        sums[i % 3] += x[i];
    }
    sums
}

#[test]
fn deterministic_array_reductions() {
    for &n in LENGTHS {
        let x = data(n, 16);
        let first = sums_by_class(&x, 1);
        for &t in THREADS {
            let got = sums_by_class(&x, t);
            let bits = |a: &Array1<f64>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&first), "n={n} t={t}");
        }
    }
}

/// An array that is a field of `self`, and a 1-D array read outside the
/// elements the loop writes (`y[0]`, before the loop's range).
struct Grid {
    c: Array2<f64>,
    y: Array1<f64>,
}

#[parallel]
impl Grid {
    fn relax(&mut self, threads: usize) {
        let (n, m) = self.c.dim();
        #[parallel_for(num_threads(threads))]
        for i in 0..n {
            for j in 0..m {
                self.c[[i, j]] = 0.5 * self.c[[i, j]] + 0.25;
            }
        }
        #[parallel_for(num_threads(threads), schedule(static, 1))]
        for i in 1..self.y.len() {
            self.y[i] += self.y[0];
        }
    }
}

#[test]
fn fields_of_self_and_reads_before_the_range() {
    for &(n, m) in SHAPES {
        for &t in THREADS {
            let mut g = Grid {
                c: matrix(n, m, 17),
                y: Array1::from(data(n, 18)),
            };
            let want_c = g.c.mapv(|v| 0.5 * v + 0.25);
            let mut want_y = g.y.clone();
            for i in 1..n {
                want_y[i] += want_y[0];
            }
            g.relax(t);
            assert_eq!(g.c, want_c, "{n}x{m} t={t}");
            assert_eq!(g.y, want_y, "{n} t={t}");
        }
    }
}
