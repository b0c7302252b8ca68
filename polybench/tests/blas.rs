//! The BLAS kernels (gemm, gemver, gesummv, symm, syr2k, syrk, trmm)
//! against their plain loops, flat and nested, at MINI and tiny sizes, on
//! 1, 2, 3 and 7 threads, under two schedules.

mod common;
use common::{changed, jitter, nested, runs, same, same_rows};
use parallel_polybench::linear_algebra::blas::{gemm, gemver, gesummv, symm, syr2k, syrk, trmm};

type Vector<'a> = &'a mut [f64];
type Matrix<'a> = &'a mut [Vec<f64>];
type Rows<'a> = &'a [Vec<f64>];

#[test]
fn gemm_matches_the_plain_loops() {
    type Flat = fn(usize, usize, usize, f64, f64, Vector, &[f64], &[f64], usize);
    type Nested = fn(usize, usize, usize, f64, f64, Matrix, Rows, Rows, usize);
    for (case, (ni, nj, nk)) in [
        gemm::MINI,
        (0, 0, 0),
        (1, 1, 1),
        (3, 5, 2),
        (7, 1, 9),
        (2, 13, 0),
    ]
    .into_iter()
    .enumerate()
    {
        let (alpha, beta, c0, a, b) = gemm::init(ni, nj, nk);
        let (c0, a, b) = (jitter(c0, 1), jitter(a, 2), jitter(b, 3));
        let mut want = c0.clone();
        gemm::flat_seq(ni, nj, nk, alpha, beta, &mut want, &a, &b);
        if (ni, nj, nk) == gemm::MINI {
            changed(&c0, &want, "gemm");
        }
        let (an, bn) = (nested(&a, ni, nk), nested(&b, nk, nj));
        let mut want_n = nested(&c0, ni, nj);
        gemm::nested_seq(ni, nj, nk, alpha, beta, &mut want_n, &an, &bn);
        same(&want_n.concat(), &want, "gemm: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", gemm::flat as Flat),
                ("flat_dynamic", gemm::flat_dynamic),
            ],
        ) {
            let mut c = c0.clone();
            par(ni, nj, nk, alpha, beta, &mut c, &a, &b, t);
            same(&c, &want, &format!("gemm::{name} {ni}x{nj}x{nk} t={t}"));
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", gemm::nested as Nested),
                ("nested_dynamic", gemm::nested_dynamic),
            ],
        ) {
            let mut c = nested(&c0, ni, nj);
            par(ni, nj, nk, alpha, beta, &mut c, &an, &bn, t);
            same_rows(&c, &want_n, &format!("gemm::{name} {ni}x{nj}x{nk} t={t}"));
        }
    }
}

#[test]
fn gemver_matches_the_plain_loops() {
    type Flat = fn(
        usize,
        f64,
        f64,
        Vector,
        &[f64],
        &[f64],
        &[f64],
        &[f64],
        Vector,
        Vector,
        &[f64],
        &[f64],
        usize,
    );
    type Nested = fn(
        usize,
        f64,
        f64,
        Matrix,
        &[f64],
        &[f64],
        &[f64],
        &[f64],
        Vector,
        Vector,
        &[f64],
        &[f64],
        usize,
    );
    for (case, n) in [gemver::MINI, 0, 1, 2, 5, 17].into_iter().enumerate() {
        let mut d = gemver::init(n);
        d.a = jitter(d.a, 1);
        d.w = jitter(d.w, 2);
        d.x = jitter(d.x, 3);
        let (mut a, mut w, mut x) = (d.a.clone(), d.w.clone(), d.x.clone());
        gemver::flat_seq(
            n, d.alpha, d.beta, &mut a, &d.u1, &d.v1, &d.u2, &d.v2, &mut w, &mut x, &d.y, &d.z,
        );
        if n == gemver::MINI {
            changed(&d.w, &w, "gemver");
        }
        let mut an = nested(&d.a, n, n);
        let (mut wn, mut xn) = (d.w.clone(), d.x.clone());
        gemver::nested_seq(
            n, d.alpha, d.beta, &mut an, &d.u1, &d.v1, &d.u2, &d.v2, &mut wn, &mut xn, &d.y, &d.z,
        );
        same(&an.concat(), &a, "gemver: nested_seq against flat_seq");
        same(&wn, &w, "gemver: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", gemver::flat as Flat),
                ("flat_dynamic", gemver::flat_dynamic),
            ],
        ) {
            let (mut a1, mut w1, mut x1) = (d.a.clone(), d.w.clone(), d.x.clone());
            par(
                n, d.alpha, d.beta, &mut a1, &d.u1, &d.v1, &d.u2, &d.v2, &mut w1, &mut x1, &d.y,
                &d.z, t,
            );
            let what = format!("gemver::{name} n={n} t={t}");
            same(&a1, &a, &what);
            same(&w1, &w, &what);
            same(&x1, &x, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", gemver::nested as Nested),
                ("nested_dynamic", gemver::nested_dynamic),
            ],
        ) {
            let (mut a1, mut w1, mut x1) = (nested(&d.a, n, n), d.w.clone(), d.x.clone());
            par(
                n, d.alpha, d.beta, &mut a1, &d.u1, &d.v1, &d.u2, &d.v2, &mut w1, &mut x1, &d.y,
                &d.z, t,
            );
            let what = format!("gemver::{name} n={n} t={t}");
            same_rows(&a1, &an, &what);
            same(&w1, &wn, &what);
            same(&x1, &xn, &what);
        }
    }
}

#[test]
fn gesummv_matches_the_plain_loops() {
    type Flat = fn(usize, f64, f64, &[f64], &[f64], Vector, &[f64], Vector, usize);
    type Nested = fn(usize, f64, f64, Rows, Rows, Vector, &[f64], Vector, usize);
    for (case, n) in [gesummv::MINI, 0, 1, 2, 5, 17].into_iter().enumerate() {
        let (alpha, beta, a, b, x) = gesummv::init(n);
        let (a, b, x) = (jitter(a, 1), jitter(b, 2), jitter(x, 3));
        let (mut tmp, mut y) = (vec![0.0; n], vec![0.0; n]);
        gesummv::flat_seq(n, alpha, beta, &a, &b, &mut tmp, &x, &mut y);
        if n == gesummv::MINI {
            changed(&vec![0.0; n], &y, "gesummv");
        }
        let (an, bn) = (nested(&a, n, n), nested(&b, n, n));
        let (mut tmp_n, mut y_n) = (vec![0.0; n], vec![0.0; n]);
        gesummv::nested_seq(n, alpha, beta, &an, &bn, &mut tmp_n, &x, &mut y_n);
        same(&y_n, &y, "gesummv: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", gesummv::flat as Flat),
                ("flat_dynamic", gesummv::flat_dynamic),
            ],
        ) {
            let (mut tmp1, mut y1) = (vec![0.0; n], vec![0.0; n]);
            par(n, alpha, beta, &a, &b, &mut tmp1, &x, &mut y1, t);
            let what = format!("gesummv::{name} n={n} t={t}");
            same(&tmp1, &tmp, &what);
            same(&y1, &y, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", gesummv::nested as Nested),
                ("nested_dynamic", gesummv::nested_dynamic),
            ],
        ) {
            let (mut tmp1, mut y1) = (vec![0.0; n], vec![0.0; n]);
            par(n, alpha, beta, &an, &bn, &mut tmp1, &x, &mut y1, t);
            let what = format!("gesummv::{name} n={n} t={t}");
            same(&tmp1, &tmp, &what);
            same(&y1, &y, &what);
        }
    }
}

#[test]
fn symm_matches_the_plain_loops() {
    type Flat = fn(usize, usize, f64, f64, Vector, &[f64], &[f64], usize);
    type Nested = fn(usize, usize, f64, f64, Matrix, Rows, Rows, usize);
    for (case, (m, n)) in [symm::MINI, (0, 0), (1, 1), (2, 3), (5, 4), (9, 1)]
        .into_iter()
        .enumerate()
    {
        let (alpha, beta, c0, a, b) = symm::init(m, n);
        let (c0, a, b) = (jitter(c0, 1), jitter(a, 2), jitter(b, 3));
        let mut want = c0.clone();
        symm::flat_seq(m, n, alpha, beta, &mut want, &a, &b);
        if (m, n) == symm::MINI {
            changed(&c0, &want, "symm");
        }
        let (an, bn) = (nested(&a, m, m), nested(&b, m, n));
        let mut want_n = nested(&c0, m, n);
        symm::nested_seq(m, n, alpha, beta, &mut want_n, &an, &bn);
        same(&want_n.concat(), &want, "symm: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", symm::flat as Flat),
                ("flat_dynamic", symm::flat_dynamic),
            ],
        ) {
            let mut c = c0.clone();
            par(m, n, alpha, beta, &mut c, &a, &b, t);
            same(&c, &want, &format!("symm::{name} m={m} n={n} t={t}"));
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", symm::nested as Nested),
                ("nested_dynamic", symm::nested_dynamic),
            ],
        ) {
            let mut c = nested(&c0, m, n);
            par(m, n, alpha, beta, &mut c, &an, &bn, t);
            same_rows(&c, &want_n, &format!("symm::{name} m={m} n={n} t={t}"));
        }
    }
}

#[test]
fn syr2k_matches_the_plain_loops() {
    type Flat = fn(usize, usize, f64, f64, Vector, &[f64], &[f64], usize);
    type Nested = fn(usize, usize, f64, f64, Matrix, Rows, Rows, usize);
    for (case, (m, n)) in [syr2k::MINI, (0, 0), (1, 1), (3, 2), (2, 7), (5, 11)]
        .into_iter()
        .enumerate()
    {
        let (alpha, beta, c0, a, b) = syr2k::init(m, n);
        let (c0, a, b) = (jitter(c0, 1), jitter(a, 2), jitter(b, 3));
        let mut want = c0.clone();
        syr2k::flat_seq(m, n, alpha, beta, &mut want, &a, &b);
        if (m, n) == syr2k::MINI {
            changed(&c0, &want, "syr2k");
        }
        let (an, bn) = (nested(&a, n, m), nested(&b, n, m));
        let mut want_n = nested(&c0, n, n);
        syr2k::nested_seq(m, n, alpha, beta, &mut want_n, &an, &bn);
        same(
            &want_n.concat(),
            &want,
            "syr2k: nested_seq against flat_seq",
        );
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", syr2k::flat as Flat),
                ("flat_dynamic", syr2k::flat_dynamic),
            ],
        ) {
            let mut c = c0.clone();
            par(m, n, alpha, beta, &mut c, &a, &b, t);
            same(&c, &want, &format!("syr2k::{name} m={m} n={n} t={t}"));
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", syr2k::nested as Nested),
                ("nested_dynamic", syr2k::nested_dynamic),
            ],
        ) {
            let mut c = nested(&c0, n, n);
            par(m, n, alpha, beta, &mut c, &an, &bn, t);
            same_rows(&c, &want_n, &format!("syr2k::{name} m={m} n={n} t={t}"));
        }
    }
}

#[test]
fn syrk_matches_the_plain_loops() {
    type Flat = fn(usize, usize, f64, f64, Vector, &[f64], usize);
    type Nested = fn(usize, usize, f64, f64, Matrix, Rows, usize);
    for (case, (m, n)) in [syrk::MINI, (0, 0), (1, 1), (3, 2), (2, 7), (5, 11)]
        .into_iter()
        .enumerate()
    {
        let (alpha, beta, c0, a) = syrk::init(m, n);
        let (c0, a) = (jitter(c0, 1), jitter(a, 2));
        let mut want = c0.clone();
        syrk::flat_seq(m, n, alpha, beta, &mut want, &a);
        if (m, n) == syrk::MINI {
            changed(&c0, &want, "syrk");
        }
        let an = nested(&a, n, m);
        let mut want_n = nested(&c0, n, n);
        syrk::nested_seq(m, n, alpha, beta, &mut want_n, &an);
        same(&want_n.concat(), &want, "syrk: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", syrk::flat as Flat),
                ("flat_dynamic", syrk::flat_dynamic),
            ],
        ) {
            let mut c = c0.clone();
            par(m, n, alpha, beta, &mut c, &a, t);
            same(&c, &want, &format!("syrk::{name} m={m} n={n} t={t}"));
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", syrk::nested as Nested),
                ("nested_dynamic", syrk::nested_dynamic),
            ],
        ) {
            let mut c = nested(&c0, n, n);
            par(m, n, alpha, beta, &mut c, &an, t);
            same_rows(&c, &want_n, &format!("syrk::{name} m={m} n={n} t={t}"));
        }
    }
}

#[test]
fn trmm_matches_the_plain_loops() {
    type Flat = fn(usize, usize, f64, &[f64], Vector, usize);
    type Nested = fn(usize, usize, f64, Rows, Matrix, usize);
    for (case, (m, n)) in [trmm::MINI, (0, 0), (1, 1), (3, 2), (6, 5), (2, 9)]
        .into_iter()
        .enumerate()
    {
        let (alpha, a, b0) = trmm::init(m, n);
        let (a, b0) = (jitter(a, 1), jitter(b0, 2));
        let mut want = b0.clone();
        trmm::flat_seq(m, n, alpha, &a, &mut want);
        if (m, n) == trmm::MINI {
            changed(&b0, &want, "trmm");
        }
        let an = nested(&a, m, m);
        let mut want_n = nested(&b0, m, n);
        trmm::nested_seq(m, n, alpha, &an, &mut want_n);
        same(&want_n.concat(), &want, "trmm: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", trmm::flat as Flat),
                ("flat_dynamic", trmm::flat_dynamic),
            ],
        ) {
            let mut b = b0.clone();
            par(m, n, alpha, &a, &mut b, t);
            same(&b, &want, &format!("trmm::{name} m={m} n={n} t={t}"));
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", trmm::nested as Nested),
                ("nested_dynamic", trmm::nested_dynamic),
            ],
        ) {
            let mut b = nested(&b0, m, n);
            par(m, n, alpha, &an, &mut b, t);
            same_rows(&b, &want_n, &format!("trmm::{name} m={m} n={n} t={t}"));
        }
    }
}
