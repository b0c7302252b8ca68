//! The solvers with a parallel loop (durbin, gramschmidt, lu, ludcmp)
//! against their plain loops, flat and nested, at MINI and tiny sizes, on
//! 1, 2, 3 and 7 threads, under two schedules.

mod common;
use common::{changed, jitter, nested, runs, same, same_rows};
use parallel_polybench::linear_algebra::solvers::{durbin, gramschmidt, lu, ludcmp};

type Vector<'a> = &'a mut [f64];
type Matrix<'a> = &'a mut [Vec<f64>];

#[test]
fn durbin_matches_the_plain_loops() {
    type Par = fn(usize, &[f64], Vector, usize);
    // PolyBench's `r` keeps the recursion stable; `n` of at least 1, as in the C.
    for (case, n) in [durbin::MINI, 1, 2, 3, 7, 19].into_iter().enumerate() {
        let r = durbin::init(n);
        let mut want = vec![0.0; n];
        durbin::seq(n, &r, &mut want);
        if n == durbin::MINI {
            changed(&vec![0.0; n], &want, "durbin");
            assert!(want.iter().all(|v| v.is_finite()), "durbin: {want:?}");
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("par", durbin::par as Par),
                ("par_dynamic", durbin::par_dynamic),
            ],
        ) {
            let mut y = vec![0.0; n];
            par(n, &r, &mut y, t);
            same(&y, &want, &format!("durbin::{name} n={n} t={t}"));
        }
    }
}

#[test]
fn gramschmidt_matches_the_plain_loops() {
    type Flat = fn(usize, usize, Vector, Vector, Vector, usize);
    type Nested = fn(usize, usize, Matrix, Matrix, Matrix, usize);
    for (case, s @ (m, n)) in [gramschmidt::MINI, (0, 0), (1, 1), (3, 2), (5, 5), (2, 6)]
        .into_iter()
        .enumerate()
    {
        let (a0, r0, q0) = gramschmidt::init(m, n);
        let a0 = jitter(a0, 1);
        let (mut a, mut r, mut q) = (a0.clone(), r0.clone(), q0.clone());
        gramschmidt::flat_seq(m, n, &mut a, &mut r, &mut q);
        if s == gramschmidt::MINI {
            changed(&r0, &r, "gramschmidt");
        }
        let (mut an, mut rn, mut qn) = (nested(&a0, m, n), nested(&r0, n, n), nested(&q0, m, n));
        gramschmidt::nested_seq(m, n, &mut an, &mut rn, &mut qn);
        same(&rn.concat(), &r, "gramschmidt: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", gramschmidt::flat as Flat),
                ("flat_dynamic", gramschmidt::flat_dynamic),
            ],
        ) {
            let (mut a1, mut r1, mut q1) = (a0.clone(), r0.clone(), q0.clone());
            par(m, n, &mut a1, &mut r1, &mut q1, t);
            let what = format!("gramschmidt::{name} m={m} n={n} t={t}");
            same(&a1, &a, &what);
            same(&r1, &r, &what);
            same(&q1, &q, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", gramschmidt::nested as Nested),
                ("nested_dynamic", gramschmidt::nested_dynamic),
            ],
        ) {
            let (mut a1, mut r1, mut q1) =
                (nested(&a0, m, n), nested(&r0, n, n), nested(&q0, m, n));
            par(m, n, &mut a1, &mut r1, &mut q1, t);
            let what = format!("gramschmidt::{name} m={m} n={n} t={t}");
            same_rows(&a1, &an, &what);
            same_rows(&r1, &rn, &what);
            same_rows(&q1, &qn, &what);
        }
    }
}

#[test]
fn lu_matches_the_plain_loops() {
    type Flat = fn(usize, Vector, usize);
    type Nested = fn(usize, Matrix, usize);
    for (case, n) in [lu::MINI, 0, 1, 2, 5, 13].into_iter().enumerate() {
        // PolyBench's positive semi-definite matrix, off its diagonal
        // jittered a little (the pivots stay away from zero).
        let mut a0 = lu::init(n);
        for (k, v) in jitter(vec![0.0; n * n], 1).iter().enumerate() {
            if k % (n + 1) != 0 {
                a0[k] += v;
            }
        }
        let mut want = a0.clone();
        lu::flat_seq(n, &mut want);
        if n == lu::MINI {
            changed(&a0, &want, "lu");
        }
        let mut want_n = nested(&a0, n, n);
        lu::nested_seq(n, &mut want_n);
        same(&want_n.concat(), &want, "lu: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", lu::flat as Flat),
                ("flat_dynamic", lu::flat_dynamic),
            ],
        ) {
            let mut a = a0.clone();
            par(n, &mut a, t);
            same(&a, &want, &format!("lu::{name} n={n} t={t}"));
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", lu::nested as Nested),
                ("nested_dynamic", lu::nested_dynamic),
            ],
        ) {
            let mut a = nested(&a0, n, n);
            par(n, &mut a, t);
            same_rows(&a, &want_n, &format!("lu::{name} n={n} t={t}"));
        }
    }
}

#[test]
fn ludcmp_matches_the_plain_loops() {
    type Flat = fn(usize, Vector, &[f64], Vector, Vector, usize);
    type Nested = fn(usize, Matrix, &[f64], Vector, Vector, usize);
    for (case, n) in [ludcmp::MINI, 0, 1, 2, 5, 13].into_iter().enumerate() {
        let (mut a0, b) = ludcmp::init(n);
        for (k, v) in jitter(vec![0.0; n * n], 2).iter().enumerate() {
            if k % (n + 1) != 0 {
                a0[k] += v;
            }
        }
        let (mut a, mut x, mut y) = (a0.clone(), vec![0.0; n], vec![0.0; n]);
        ludcmp::flat_seq(n, &mut a, &b, &mut x, &mut y);
        if n == ludcmp::MINI {
            changed(&vec![0.0; n], &x, "ludcmp");
        }
        let (mut an, mut xn, mut yn) = (nested(&a0, n, n), vec![0.0; n], vec![0.0; n]);
        ludcmp::nested_seq(n, &mut an, &b, &mut xn, &mut yn);
        same(&xn, &x, "ludcmp: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", ludcmp::flat as Flat),
                ("flat_dynamic", ludcmp::flat_dynamic),
            ],
        ) {
            let (mut a1, mut x1, mut y1) = (a0.clone(), vec![0.0; n], vec![0.0; n]);
            par(n, &mut a1, &b, &mut x1, &mut y1, t);
            let what = format!("ludcmp::{name} n={n} t={t}");
            same(&a1, &a, &what);
            same(&x1, &x, &what);
            same(&y1, &y, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", ludcmp::nested as Nested),
                ("nested_dynamic", ludcmp::nested_dynamic),
            ],
        ) {
            let (mut a1, mut x1, mut y1) = (nested(&a0, n, n), vec![0.0; n], vec![0.0; n]);
            par(n, &mut a1, &b, &mut x1, &mut y1, t);
            let what = format!("ludcmp::{name} n={n} t={t}");
            same_rows(&a1, &an, &what);
            same(&x1, &xn, &what);
            same(&y1, &yn, &what);
        }
    }
}
