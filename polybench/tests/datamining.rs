//! correlation and covariance against their plain loops, flat and nested,
//! at MINI and tiny sizes, on 1, 2, 3 and 7 threads, under two schedules.

mod common;
use common::{changed, nested, runs, same, same_rows};
use parallel_polybench::datamining::{correlation, covariance};

type Vector<'a> = &'a mut [f64];
type Matrix<'a> = &'a mut [Vec<f64>];
type CorrelationFlat = fn(usize, usize, f64, Vector, Vector, Vector, Vector, usize);
type CorrelationNested = fn(usize, usize, f64, Matrix, Matrix, Vector, Vector, usize);
type CovarianceFlat = fn(usize, usize, f64, Vector, Vector, Vector, usize);
type CovarianceNested = fn(usize, usize, f64, Matrix, Matrix, Vector, usize);

#[test]
fn correlation_matches_the_plain_loops() {
    // `m` of at least 1, as the C needs; `n = 1` makes every column's
    // deviation 0, which the C replaces by 1.
    for (case, (m, n)) in [
        correlation::MINI,
        (1, 1),
        (1, 4),
        (2, 1),
        (3, 5),
        (7, 2),
        (13, 9),
    ]
    .into_iter()
    .enumerate()
    {
        let (float_n, data0) = correlation::init(m, n);
        let (mut data, mut corr) = (data0.clone(), vec![0.0; m * m]);
        let (mut mean, mut stddev) = (vec![0.0; m], vec![0.0; m]);
        correlation::flat_seq(m, n, float_n, &mut data, &mut corr, &mut mean, &mut stddev);
        let want = [data, corr, mean, stddev];
        changed(&vec![0.0; m * m], &want[1], "correlation");
        let nested_in = nested(&data0, n, m);
        let (mut dn, mut cn) = (nested_in.clone(), vec![vec![0.0; m]; m]);
        let (mut mn, mut sn) = (vec![0.0; m], vec![0.0; m]);
        correlation::nested_seq(m, n, float_n, &mut dn, &mut cn, &mut mn, &mut sn);
        same(
            &cn.concat(),
            &want[1],
            "correlation: nested_seq against flat_seq",
        );
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", correlation::flat as CorrelationFlat),
                ("flat_dynamic", correlation::flat_dynamic),
            ],
        ) {
            let (mut d, mut c, mut mu, mut sd) =
                (data0.clone(), vec![0.0; m * m], vec![0.0; m], vec![0.0; m]);
            par(m, n, float_n, &mut d, &mut c, &mut mu, &mut sd, t);
            for (k, got) in [d, c, mu, sd].iter().enumerate() {
                same(
                    got,
                    &want[k],
                    &format!("correlation::{name} m={m} n={n} t={t} array {k}"),
                );
            }
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", correlation::nested as CorrelationNested),
                ("nested_dynamic", correlation::nested_dynamic),
            ],
        ) {
            let (mut d, mut c, mut mu, mut sd) = (
                nested_in.clone(),
                vec![vec![0.0; m]; m],
                vec![0.0; m],
                vec![0.0; m],
            );
            par(m, n, float_n, &mut d, &mut c, &mut mu, &mut sd, t);
            let what = format!("correlation::{name} m={m} n={n} t={t}");
            same_rows(&d, &dn, &what);
            same_rows(&c, &cn, &what);
            same(&mu, &mn, &what);
            same(&sd, &sn, &what);
        }
    }
}

#[test]
fn covariance_matches_the_plain_loops() {
    // `n = 1` divides by `n - 1 = 0`: infinities and NaNs, compared by bits.
    for (case, (m, n)) in [
        covariance::MINI,
        (0, 0),
        (1, 1),
        (1, 3),
        (3, 5),
        (7, 2),
        (13, 9),
    ]
    .into_iter()
    .enumerate()
    {
        let (float_n, data0) = covariance::init(m, n);
        let (mut data, mut cov, mut mean) = (data0.clone(), vec![0.0; m * m], vec![0.0; m]);
        covariance::flat_seq(m, n, float_n, &mut data, &mut cov, &mut mean);
        if m > 1 && n > 2 {
            changed(&vec![0.0; m * m], &cov, "covariance");
        }
        let nested_in = nested(&data0, n, m);
        let (mut dn, mut cn, mut mn) = (nested_in.clone(), vec![vec![0.0; m]; m], vec![0.0; m]);
        covariance::nested_seq(m, n, float_n, &mut dn, &mut cn, &mut mn);
        same(
            &cn.concat(),
            &cov,
            "covariance: nested_seq against flat_seq",
        );
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", covariance::flat as CovarianceFlat),
                ("flat_dynamic", covariance::flat_dynamic),
            ],
        ) {
            let (mut d, mut c, mut mu) = (data0.clone(), vec![0.0; m * m], vec![0.0; m]);
            par(m, n, float_n, &mut d, &mut c, &mut mu, t);
            let what = format!("covariance::{name} m={m} n={n} t={t}");
            same(&d, &data, &what);
            same(&c, &cov, &what);
            same(&mu, &mean, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", covariance::nested as CovarianceNested),
                ("nested_dynamic", covariance::nested_dynamic),
            ],
        ) {
            let (mut d, mut c, mut mu) = (nested_in.clone(), vec![vec![0.0; m]; m], vec![0.0; m]);
            par(m, n, float_n, &mut d, &mut c, &mut mu, t);
            let what = format!("covariance::{name} m={m} n={n} t={t}");
            same_rows(&d, &dn, &what);
            same_rows(&c, &cn, &what);
            same(&mu, &mn, &what);
        }
    }
}
