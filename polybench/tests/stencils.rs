//! The stencils with a parallel loop (adi, fdtd-2d, heat-3d, jacobi-1d,
//! jacobi-2d) against their plain loops, flat and nested, at MINI and tiny
//! sizes, on 1, 2, 3 and 7 threads, under two schedules.

mod common;
use common::{changed, jitter, nested, runs, same, same_rows};
use parallel_polybench::stencils::{adi, fdtd_2d, heat_3d, jacobi_1d, jacobi_2d};

type Vector<'a> = &'a mut [f64];
type Matrix<'a> = &'a mut [Vec<f64>];
type Cube<'a> = &'a mut [Vec<Vec<f64>>];

#[test]
fn adi_matches_the_plain_loops() {
    type Flat = fn(usize, usize, Vector, Vector, Vector, Vector, usize);
    type Nested = fn(usize, usize, Matrix, Matrix, Matrix, Matrix, usize);
    // `n` of at least 1, as the C's `n - 1` needs.
    for (case, s @ (tsteps, n)) in [adi::MINI, (1, 1), (2, 3), (3, 5), (2, 8)]
        .into_iter()
        .enumerate()
    {
        let u0 = jitter(adi::init(n), 1);
        let zero = vec![0.0; n * n];
        let (mut u, mut v, mut p, mut q) = (u0.clone(), zero.clone(), zero.clone(), zero.clone());
        adi::flat_seq(tsteps, n, &mut u, &mut v, &mut p, &mut q);
        if s == adi::MINI {
            changed(&u0, &u, "adi");
        }
        let rows = |x: &[f64]| nested(x, n, n);
        let (mut un, mut vn, mut pn, mut qn) = (rows(&u0), rows(&zero), rows(&zero), rows(&zero));
        adi::nested_seq(tsteps, n, &mut un, &mut vn, &mut pn, &mut qn);
        same(&un.concat(), &u, "adi: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", adi::flat as Flat),
                ("flat_dynamic", adi::flat_dynamic),
            ],
        ) {
            let (mut u1, mut v1, mut p1, mut q1) =
                (u0.clone(), zero.clone(), zero.clone(), zero.clone());
            par(tsteps, n, &mut u1, &mut v1, &mut p1, &mut q1, t);
            let what = format!("adi::{name} {s:?} t={t}");
            same(&u1, &u, &what);
            same(&v1, &v, &what);
            same(&p1, &p, &what);
            same(&q1, &q, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", adi::nested as Nested),
                ("nested_dynamic", adi::nested_dynamic),
            ],
        ) {
            let (mut u1, mut v1, mut p1, mut q1) =
                (rows(&u0), rows(&zero), rows(&zero), rows(&zero));
            par(tsteps, n, &mut u1, &mut v1, &mut p1, &mut q1, t);
            let what = format!("adi::{name} {s:?} t={t}");
            same_rows(&u1, &un, &what);
            same_rows(&v1, &vn, &what);
            same_rows(&p1, &pn, &what);
            same_rows(&q1, &qn, &what);
        }
    }
}

#[test]
fn fdtd_2d_matches_the_plain_loops() {
    type Flat = fn(usize, usize, usize, Vector, Vector, Vector, &[f64], usize);
    type Nested = fn(usize, usize, usize, Matrix, Matrix, Matrix, &[f64], usize);
    // `nx` and `ny` of at least 1, as the C's `nx - 1` needs.
    for (case, s @ (tmax, nx, ny)) in [
        fdtd_2d::MINI,
        (0, 1, 1),
        (1, 1, 1),
        (2, 2, 3),
        (3, 5, 4),
        (2, 7, 1),
    ]
    .into_iter()
    .enumerate()
    {
        let f = fdtd_2d::init(tmax, nx, ny);
        let (ex0, ey0, hz0) = (jitter(f.ex, 1), jitter(f.ey, 2), jitter(f.hz, 3));
        let (mut ex, mut ey, mut hz) = (ex0.clone(), ey0.clone(), hz0.clone());
        fdtd_2d::flat_seq(tmax, nx, ny, &mut ex, &mut ey, &mut hz, &f.fict);
        if s == fdtd_2d::MINI {
            changed(&hz0, &hz, "fdtd-2d");
        }
        let rows = |x: &[f64]| nested(x, nx, ny);
        let (mut exn, mut eyn, mut hzn) = (rows(&ex0), rows(&ey0), rows(&hz0));
        fdtd_2d::nested_seq(tmax, nx, ny, &mut exn, &mut eyn, &mut hzn, &f.fict);
        same(&hzn.concat(), &hz, "fdtd-2d: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", fdtd_2d::flat as Flat),
                ("flat_dynamic", fdtd_2d::flat_dynamic),
            ],
        ) {
            let (mut ex1, mut ey1, mut hz1) = (ex0.clone(), ey0.clone(), hz0.clone());
            par(tmax, nx, ny, &mut ex1, &mut ey1, &mut hz1, &f.fict, t);
            let what = format!("fdtd-2d::{name} {s:?} t={t}");
            same(&ex1, &ex, &what);
            same(&ey1, &ey, &what);
            same(&hz1, &hz, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", fdtd_2d::nested as Nested),
                ("nested_dynamic", fdtd_2d::nested_dynamic),
            ],
        ) {
            let (mut ex1, mut ey1, mut hz1) = (rows(&ex0), rows(&ey0), rows(&hz0));
            par(tmax, nx, ny, &mut ex1, &mut ey1, &mut hz1, &f.fict, t);
            let what = format!("fdtd-2d::{name} {s:?} t={t}");
            same_rows(&ex1, &exn, &what);
            same_rows(&ey1, &eyn, &what);
            same_rows(&hz1, &hzn, &what);
        }
    }
}

#[test]
fn heat_3d_matches_the_plain_loops() {
    type Flat = fn(usize, usize, Vector, Vector, usize);
    type Nested = fn(usize, usize, Cube, Cube, usize);
    for (case, s @ (tsteps, n)) in [heat_3d::MINI, (1, 1), (2, 3), (3, 5), (1, 6)]
        .into_iter()
        .enumerate()
    {
        let a0 = jitter(heat_3d::init(n), 1);
        let b0 = jitter(heat_3d::init(n), 2);
        let (mut a, mut b) = (a0.clone(), b0.clone());
        heat_3d::flat_seq(tsteps, n, &mut a, &mut b);
        if s == heat_3d::MINI {
            changed(&a0, &a, "heat-3d");
        }
        let (mut an, mut bn) = (heat_3d::planes(&a0, n), heat_3d::planes(&b0, n));
        heat_3d::nested_seq(tsteps, n, &mut an, &mut bn);
        same(
            &an.concat().concat(),
            &a,
            "heat-3d: nested_seq against flat_seq",
        );
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", heat_3d::flat as Flat),
                ("flat_dynamic", heat_3d::flat_dynamic),
            ],
        ) {
            let (mut a1, mut b1) = (a0.clone(), b0.clone());
            par(tsteps, n, &mut a1, &mut b1, t);
            let what = format!("heat-3d::{name} {s:?} t={t}");
            same(&a1, &a, &what);
            same(&b1, &b, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", heat_3d::nested as Nested),
                ("nested_dynamic", heat_3d::nested_dynamic),
            ],
        ) {
            let (mut a1, mut b1) = (heat_3d::planes(&a0, n), heat_3d::planes(&b0, n));
            par(tsteps, n, &mut a1, &mut b1, t);
            let what = format!("heat-3d::{name} {s:?} t={t}");
            same(&a1.concat().concat(), &a, &what);
            same(&b1.concat().concat(), &b, &what);
        }
    }
}

#[test]
fn jacobi_1d_matches_the_plain_loops() {
    type Par = fn(usize, usize, Vector, Vector, usize);
    for (case, s @ (tsteps, n)) in [jacobi_1d::MINI, (1, 1), (2, 3), (3, 7), (1, 18)]
        .into_iter()
        .enumerate()
    {
        let (a0, b0) = jacobi_1d::init(n);
        let (a0, b0) = (jitter(a0, 1), jitter(b0, 2));
        let (mut a, mut b) = (a0.clone(), b0.clone());
        jacobi_1d::seq(tsteps, n, &mut a, &mut b);
        if s == jacobi_1d::MINI {
            changed(&a0, &a, "jacobi-1d");
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("par", jacobi_1d::par as Par),
                ("par_dynamic", jacobi_1d::par_dynamic),
            ],
        ) {
            let (mut a1, mut b1) = (a0.clone(), b0.clone());
            par(tsteps, n, &mut a1, &mut b1, t);
            let what = format!("jacobi-1d::{name} {s:?} t={t}");
            same(&a1, &a, &what);
            same(&b1, &b, &what);
        }
    }
}

#[test]
fn jacobi_2d_matches_the_plain_loops() {
    type Flat = fn(usize, usize, Vector, Vector, usize);
    type Nested = fn(usize, usize, Matrix, Matrix, usize);
    for (case, s @ (tsteps, n)) in [jacobi_2d::MINI, (1, 1), (2, 3), (3, 5), (1, 9)]
        .into_iter()
        .enumerate()
    {
        let (a0, b0) = jacobi_2d::init(n);
        let (a0, b0) = (jitter(a0, 1), jitter(b0, 2));
        let (mut a, mut b) = (a0.clone(), b0.clone());
        jacobi_2d::flat_seq(tsteps, n, &mut a, &mut b);
        if s == jacobi_2d::MINI {
            changed(&a0, &a, "jacobi-2d");
        }
        let (mut an, mut bn) = (nested(&a0, n, n), nested(&b0, n, n));
        jacobi_2d::nested_seq(tsteps, n, &mut an, &mut bn);
        same(&an.concat(), &a, "jacobi-2d: nested_seq against flat_seq");
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", jacobi_2d::flat as Flat),
                ("flat_dynamic", jacobi_2d::flat_dynamic),
            ],
        ) {
            let (mut a1, mut b1) = (a0.clone(), b0.clone());
            par(tsteps, n, &mut a1, &mut b1, t);
            let what = format!("jacobi-2d::{name} {s:?} t={t}");
            same(&a1, &a, &what);
            same(&b1, &b, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", jacobi_2d::nested as Nested),
                ("nested_dynamic", jacobi_2d::nested_dynamic),
            ],
        ) {
            let (mut a1, mut b1) = (nested(&a0, n, n), nested(&b0, n, n));
            par(tsteps, n, &mut a1, &mut b1, t);
            let what = format!("jacobi-2d::{name} {s:?} t={t}");
            same_rows(&a1, &an, &what);
            same_rows(&b1, &bn, &what);
        }
    }
}
