//! deriche and floyd-warshall against their plain loops, flat and nested,
//! at MINI and tiny sizes, on 1, 2, 3 and 7 threads, under two schedules.

mod common;
use common::{changed, nested, runs, same, same_rows};
use parallel_polybench::medley::{deriche, floyd_warshall};

type Image<'a> = &'a mut [f32];
type Rows<'a> = &'a mut [Vec<f32>];

#[test]
fn deriche_matches_the_plain_loops() {
    type Flat = fn(usize, usize, f32, &[f32], Image, Image, Image, usize);
    type Nested = fn(usize, usize, f32, &[Vec<f32>], Rows, Rows, Rows, usize);
    for (case, s @ (w, h)) in [deriche::MINI, (0, 0), (1, 1), (2, 3), (5, 4), (1, 9)]
        .into_iter()
        .enumerate()
    {
        let (alpha, img_in) = deriche::init(w, h);
        let (mut out, mut y1, mut y2) = (vec![0.0; w * h], vec![0.0; w * h], vec![0.0; w * h]);
        deriche::flat_seq(w, h, alpha, &img_in, &mut out, &mut y1, &mut y2);
        if s == deriche::MINI {
            changed(&vec![0.0; w * h], &out, "deriche");
        }
        let in_n = nested(&img_in, w, h);
        let zero = || vec![vec![0.0f32; h]; w];
        let (mut out_n, mut y1_n, mut y2_n) = (zero(), zero(), zero());
        deriche::nested_seq(w, h, alpha, &in_n, &mut out_n, &mut y1_n, &mut y2_n);
        same(
            &out_n.concat(),
            &out,
            "deriche: nested_seq against flat_seq",
        );
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", deriche::flat as Flat),
                ("flat_dynamic", deriche::flat_dynamic),
            ],
        ) {
            let (mut o, mut a, mut b) = (vec![0.0; w * h], vec![0.0; w * h], vec![0.0; w * h]);
            par(w, h, alpha, &img_in, &mut o, &mut a, &mut b, t);
            let what = format!("deriche::{name} w={w} h={h} t={t}");
            same(&o, &out, &what);
            same(&a, &y1, &what);
            same(&b, &y2, &what);
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", deriche::nested as Nested),
                ("nested_dynamic", deriche::nested_dynamic),
            ],
        ) {
            let (mut o, mut a, mut b) = (zero(), zero(), zero());
            par(w, h, alpha, &in_n, &mut o, &mut a, &mut b, t);
            let what = format!("deriche::{name} w={w} h={h} t={t}");
            same_rows(&o, &out_n, &what);
            same_rows(&a, &y1_n, &what);
            same_rows(&b, &y2_n, &what);
        }
    }
}

/// Distances in `1..=20`, and 999 (no edge) where PolyBench puts it.
fn graph(n: usize) -> Vec<i32> {
    let mut path = floyd_warshall::init(n);
    for (k, p) in path.iter_mut().enumerate() {
        if *p != 999 || k % 5 == 0 {
            *p = (k * 7919 % 20 + 1) as i32;
        }
    }
    path
}

#[test]
fn floyd_warshall_matches_the_plain_loops() {
    type Flat = fn(usize, &mut [i32], usize);
    type Nested = fn(usize, &mut [Vec<i32>], usize);
    for (case, n) in [floyd_warshall::MINI, 0, 1, 2, 5, 13]
        .into_iter()
        .enumerate()
    {
        let p0 = graph(n);
        let mut want = p0.clone();
        floyd_warshall::flat_seq(n, &mut want);
        if n == floyd_warshall::MINI {
            assert_ne!(
                p0, want,
                "floyd-warshall: the plain loop found no shorter path"
            );
        }
        let mut want_n = nested(&p0, n, n);
        floyd_warshall::nested_seq(n, &mut want_n);
        assert_eq!(
            want_n.concat(),
            want,
            "floyd-warshall: nested_seq against flat_seq"
        );
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("flat", floyd_warshall::flat as Flat),
                ("flat_dynamic", floyd_warshall::flat_dynamic),
            ],
        ) {
            let mut p = p0.clone();
            par(n, &mut p, t);
            assert_eq!(p, want, "floyd-warshall::{name} n={n} t={t}");
        }
        for (t, (name, par)) in runs(
            case == 0,
            [
                ("nested", floyd_warshall::nested as Nested),
                ("nested_dynamic", floyd_warshall::nested_dynamic),
            ],
        ) {
            let mut p = nested(&p0, n, n);
            par(n, &mut p, t);
            assert_eq!(p, want_n, "floyd-warshall::{name} n={n} t={t}");
        }
    }
}
