//! The linear-algebra kernels (2mm, 3mm, atax, bicg, doitgen, mvt) against
//! their plain loops, flat and nested, at MINI and tiny sizes, on 1, 2, 3
//! and 7 threads, under two schedules. atax and bicg reduce a whole array,
//! so they agree within the rounding of a sum, not bit for bit.

mod common;
use common::{changed, close, jitter, nested, runs, same, same_rows};
use parallel_polybench::linear_algebra::kernels::{atax, bicg, doitgen, mvt, three_mm, two_mm};

type Vector<'a> = &'a mut [f64];
type Matrix<'a> = &'a mut [Vec<f64>];
type Rows<'a> = &'a [Vec<f64>];

#[test]
fn two_mm_matches_the_plain_loops() {
    type Flat =
        fn(usize, usize, usize, usize, f64, f64, Vector, &[f64], &[f64], &[f64], Vector, usize);
    type Nested = fn(usize, usize, usize, usize, f64, f64, Matrix, Rows, Rows, Rows, Matrix, usize);
    for (case, s @ (ni, nj, nk, nl)) in [
        two_mm::MINI,
        (0, 0, 0, 0),
        (1, 1, 1, 1),
        (2, 3, 1, 4),
        (5, 2, 3, 1),
    ]
    .into_iter()
    .enumerate()
    {
        let (alpha, beta, a, b, c, d0) = two_mm::init(ni, nj, nk, nl);
        let (a, b, c, d0) = (jitter(a, 1), jitter(b, 2), jitter(c, 3), jitter(d0, 4));
        let (mut tmp, mut d) = (vec![0.0; ni * nj], d0.clone());
        two_mm::flat_seq(ni, nj, nk, nl, alpha, beta, &mut tmp, &a, &b, &c, &mut d);
        if s == two_mm::MINI {
            changed(&d0, &d, "2mm");
        }
        let (an, bn, cn) = (nested(&a, ni, nk), nested(&b, nk, nj), nested(&c, nj, nl));
        let (mut tmp_n, mut d_n) = (vec![vec![0.0; nj]; ni], nested(&d0, ni, nl));
        two_mm::nested_seq(
            ni, nj, nk, nl, alpha, beta, &mut tmp_n, &an, &bn, &cn, &mut d_n,
        );
        same(&d_n.concat(), &d, "2mm: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", two_mm::flat as Flat),
                ("flat_dynamic", two_mm::flat_dynamic),
            ],
        ) {
            let (mut tmp1, mut d1) = (vec![0.0; ni * nj], d0.clone());
            par(
                ni, nj, nk, nl, alpha, beta, &mut tmp1, &a, &b, &c, &mut d1, t,
            );
            let what = format!("2mm::{name} {s:?} t={t}");
            same(&tmp1, &tmp, &what);
            same(&d1, &d, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", two_mm::nested as Nested),
                ("nested_dynamic", two_mm::nested_dynamic),
            ],
        ) {
            let (mut tmp1, mut d1) = (vec![vec![0.0; nj]; ni], nested(&d0, ni, nl));
            par(
                ni, nj, nk, nl, alpha, beta, &mut tmp1, &an, &bn, &cn, &mut d1, t,
            );
            let what = format!("2mm::{name} {s:?} t={t}");
            same_rows(&tmp1, &tmp_n, &what);
            same_rows(&d1, &d_n, &what);
        }
    }
}

#[test]
fn three_mm_matches_the_plain_loops() {
    type Flat = fn(
        usize,
        usize,
        usize,
        usize,
        usize,
        Vector,
        &[f64],
        &[f64],
        &[f64],
        &[f64],
        Vector,
        Vector,
        usize,
    );
    type Nested = fn(
        usize,
        usize,
        usize,
        usize,
        usize,
        Matrix,
        Rows,
        Rows,
        Rows,
        Rows,
        Matrix,
        Matrix,
        usize,
    );
    for (case, s @ (ni, nj, nk, nl, nm)) in [
        three_mm::MINI,
        (0, 0, 0, 0, 0),
        (1, 1, 1, 1, 1),
        (2, 3, 4, 5, 1),
        (5, 1, 2, 3, 4),
    ]
    .into_iter()
    .enumerate()
    {
        let mut x = three_mm::init(ni, nj, nk, nl, nm);
        (x.a, x.b, x.c, x.d) = (
            jitter(x.a, 1),
            jitter(x.b, 2),
            jitter(x.c, 3),
            jitter(x.d, 4),
        );
        let (mut e, mut f, mut g) = (vec![0.0; ni * nj], vec![0.0; nj * nl], vec![0.0; ni * nl]);
        three_mm::flat_seq(
            ni, nj, nk, nl, nm, &mut e, &x.a, &x.b, &x.c, &x.d, &mut f, &mut g,
        );
        if s == three_mm::MINI {
            changed(&vec![0.0; ni * nl], &g, "3mm");
        }
        let (an, bn, cn, dn) = (
            nested(&x.a, ni, nk),
            nested(&x.b, nk, nj),
            nested(&x.c, nj, nm),
            nested(&x.d, nm, nl),
        );
        let (mut en, mut fn_, mut gn) = (
            vec![vec![0.0; nj]; ni],
            vec![vec![0.0; nl]; nj],
            vec![vec![0.0; nl]; ni],
        );
        three_mm::nested_seq(
            ni, nj, nk, nl, nm, &mut en, &an, &bn, &cn, &dn, &mut fn_, &mut gn,
        );
        same(&gn.concat(), &g, "3mm: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", three_mm::flat as Flat),
                ("flat_dynamic", three_mm::flat_dynamic),
            ],
        ) {
            let (mut e1, mut f1, mut g1) =
                (vec![0.0; ni * nj], vec![0.0; nj * nl], vec![0.0; ni * nl]);
            par(
                ni, nj, nk, nl, nm, &mut e1, &x.a, &x.b, &x.c, &x.d, &mut f1, &mut g1, t,
            );
            let what = format!("3mm::{name} {s:?} t={t}");
            same(&e1, &e, &what);
            same(&f1, &f, &what);
            same(&g1, &g, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", three_mm::nested as Nested),
                ("nested_dynamic", three_mm::nested_dynamic),
            ],
        ) {
            let (mut e1, mut f1, mut g1) = (
                vec![vec![0.0; nj]; ni],
                vec![vec![0.0; nl]; nj],
                vec![vec![0.0; nl]; ni],
            );
            par(
                ni, nj, nk, nl, nm, &mut e1, &an, &bn, &cn, &dn, &mut f1, &mut g1, t,
            );
            let what = format!("3mm::{name} {s:?} t={t}");
            same_rows(&e1, &en, &what);
            same_rows(&f1, &fn_, &what);
            same_rows(&g1, &gn, &what);
        }
    }
}

#[test]
fn atax_matches_the_plain_loops_within_rounding() {
    type Flat = fn(usize, usize, &[f64], &[f64], Vector, Vector, usize);
    type Nested = fn(usize, usize, Rows, &[f64], Vector, Vector, usize);
    for (case, s @ (m, n)) in [atax::MINI, (0, 0), (1, 1), (3, 2), (2, 5), (17, 3)]
        .into_iter()
        .enumerate()
    {
        let (a, x) = atax::init(m, n);
        let (a, x) = (jitter(a, 1), jitter(x, 2));
        let (mut y, mut tmp) = (vec![0.0; n], vec![0.0; m]);
        atax::flat_seq(m, n, &a, &x, &mut y, &mut tmp);
        if s == atax::MINI {
            changed(&vec![0.0; n], &y, "atax");
        }
        let an = nested(&a, m, n);
        let (mut y_n, mut tmp_n) = (vec![0.0; n], vec![0.0; m]);
        atax::nested_seq(m, n, &an, &x, &mut y_n, &mut tmp_n);
        same(&y_n, &y, "atax: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", atax::flat as Flat),
                ("flat_dynamic", atax::flat_dynamic),
            ],
        ) {
            let (mut y1, mut tmp1) = (vec![7.0; n], vec![0.0; m]);
            par(m, n, &a, &x, &mut y1, &mut tmp1, t);
            let what = format!("atax::{name} m={m} n={n} t={t}");
            same(&tmp1, &tmp, &what);
            close(&y1, &y, m, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", atax::nested as Nested),
                ("nested_dynamic", atax::nested_dynamic),
            ],
        ) {
            let (mut y1, mut tmp1) = (vec![7.0; n], vec![0.0; m]);
            par(m, n, &an, &x, &mut y1, &mut tmp1, t);
            let what = format!("atax::{name} m={m} n={n} t={t}");
            same(&tmp1, &tmp, &what);
            close(&y1, &y, m, &what);
        }
    }
}

#[test]
fn bicg_matches_the_plain_loops_within_rounding() {
    type Flat = fn(usize, usize, &[f64], Vector, Vector, &[f64], &[f64], usize);
    type Nested = fn(usize, usize, Rows, Vector, Vector, &[f64], &[f64], usize);
    for (case, s @ (m, n)) in [bicg::MINI, (0, 0), (1, 1), (3, 2), (2, 5), (3, 17)]
        .into_iter()
        .enumerate()
    {
        let (a, r, p) = bicg::init(m, n);
        let (a, r, p) = (jitter(a, 1), jitter(r, 2), jitter(p, 3));
        let (mut sv, mut q) = (vec![0.0; m], vec![0.0; n]);
        bicg::flat_seq(m, n, &a, &mut sv, &mut q, &p, &r);
        if s == bicg::MINI {
            changed(&vec![0.0; m], &sv, "bicg");
        }
        let an = nested(&a, n, m);
        let (mut s_n, mut q_n) = (vec![0.0; m], vec![0.0; n]);
        bicg::nested_seq(m, n, &an, &mut s_n, &mut q_n, &p, &r);
        same(&s_n, &sv, "bicg: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", bicg::flat as Flat),
                ("flat_dynamic", bicg::flat_dynamic),
            ],
        ) {
            let (mut s1, mut q1) = (vec![7.0; m], vec![0.0; n]);
            par(m, n, &a, &mut s1, &mut q1, &p, &r, t);
            let what = format!("bicg::{name} m={m} n={n} t={t}");
            same(&q1, &q, &what);
            close(&s1, &sv, n, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", bicg::nested as Nested),
                ("nested_dynamic", bicg::nested_dynamic),
            ],
        ) {
            let (mut s1, mut q1) = (vec![7.0; m], vec![0.0; n]);
            par(m, n, &an, &mut s1, &mut q1, &p, &r, t);
            let what = format!("bicg::{name} m={m} n={n} t={t}");
            same(&q1, &q, &what);
            close(&s1, &s_n, n, &what);
        }
    }
}

#[test]
fn doitgen_matches_the_plain_loops() {
    type Flat = fn(usize, usize, usize, Vector, &[f64], Vector, usize);
    type Nested = fn(usize, usize, usize, &mut [Vec<Vec<f64>>], Rows, Vector, usize);
    for (case, s @ (nr, nq, np)) in [doitgen::MINI, (0, 0, 0), (1, 1, 1), (3, 2, 4), (2, 5, 3)]
        .into_iter()
        .enumerate()
    {
        let (a0, c4) = doitgen::init(nr, nq, np);
        let (a0, c4) = (jitter(a0, 1), jitter(c4, 2));
        let mut want = a0.clone();
        doitgen::flat_seq(nr, nq, np, &mut want, &c4, &mut vec![0.0; np]);
        if s == doitgen::MINI {
            changed(&a0, &want, "doitgen");
        }
        let c4n = nested(&c4, np, np);
        let mut want_n = doitgen::planes(&a0, nr, nq, np);
        doitgen::nested_seq(nr, nq, np, &mut want_n, &c4n, &mut vec![0.0; np]);
        same(
            &want_n.concat().concat(),
            &want,
            "doitgen: nested_seq against flat_seq",
        );
        // `sum` is scratch space: what it holds afterwards is not part of the result.
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", doitgen::flat as Flat),
                ("flat_dynamic", doitgen::flat_dynamic),
            ],
        ) {
            let mut a = a0.clone();
            par(nr, nq, np, &mut a, &c4, &mut vec![0.0; np], t);
            same(&a, &want, &format!("doitgen::{name} {s:?} t={t}"));
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", doitgen::nested as Nested),
                ("nested_dynamic", doitgen::nested_dynamic),
            ],
        ) {
            let mut a = doitgen::planes(&a0, nr, nq, np);
            par(nr, nq, np, &mut a, &c4n, &mut vec![0.0; np], t);
            same(
                &a.concat().concat(),
                &want,
                &format!("doitgen::{name} {s:?} t={t}"),
            );
        }
    }
}

#[test]
fn mvt_matches_the_plain_loops() {
    type Flat = fn(usize, Vector, Vector, &[f64], &[f64], &[f64], usize);
    type Nested = fn(usize, Vector, Vector, &[f64], &[f64], Rows, usize);
    for (case, n) in [mvt::MINI, 0, 1, 2, 5, 17].into_iter().enumerate() {
        let (x1, x2, y_1, y_2, a) = mvt::init(n);
        let (x1, x2, y_1, y_2, a) = (
            jitter(x1, 1),
            jitter(x2, 2),
            jitter(y_1, 3),
            jitter(y_2, 4),
            jitter(a, 5),
        );
        let (mut w1, mut w2) = (x1.clone(), x2.clone());
        mvt::flat_seq(n, &mut w1, &mut w2, &y_1, &y_2, &a);
        if n == mvt::MINI {
            changed(&x2, &w2, "mvt");
        }
        let an = nested(&a, n, n);
        let (mut n1, mut n2) = (x1.clone(), x2.clone());
        mvt::nested_seq(n, &mut n1, &mut n2, &y_1, &y_2, &an);
        same(&n1, &w1, "mvt: nested_seq against flat_seq");
        same(&n2, &w2, "mvt: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", mvt::flat as Flat),
                ("flat_dynamic", mvt::flat_dynamic),
            ],
        ) {
            let (mut g1, mut g2) = (x1.clone(), x2.clone());
            par(n, &mut g1, &mut g2, &y_1, &y_2, &a, t);
            let what = format!("mvt::{name} n={n} t={t}");
            same(&g1, &w1, &what);
            same(&g2, &w2, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", mvt::nested as Nested),
                ("nested_dynamic", mvt::nested_dynamic),
            ],
        ) {
            let (mut g1, mut g2) = (x1.clone(), x2.clone());
            par(n, &mut g1, &mut g2, &y_1, &y_2, &an, t);
            let what = format!("mvt::{name} n={n} t={t}");
            same(&g1, &w1, &what);
            same(&g2, &w2, &what);
        }
    }
}
