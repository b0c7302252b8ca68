//! The PolyBench kernels of this crate timed as the plain loops and as the
//! annotated loops on 1 and 2 threads, on PolyBench's MEDIUM_DATASET sizes
//! (`--quick` or `PARALLEL_BENCH_QUICK=1`: MINI) and PolyBench's
//! `init_array` data, flat row-major layout (the C's). The same kernels, on
//! the same sizes and data, are in `benches/c/polybench.c` for C OpenMP;
//! `benches/compare.sh polybench` runs both and prints them side by side.
//!
//! Each annotated version runs once, untimed, at every team size and its
//! live-out arrays are checked against the plain loops' (bit for bit;
//! within a sum's rounding for the array reductions of atax and bicg): the
//! bench panics if one differs. Then the versions are timed in turns (a run
//! of each, then the next turn, so that a slow spell of a shared machine
//! lands on all of them): the inputs are cloned (untimed), the kernel runs,
//! and each time is the median of up to 11 runs. The checksum, the sum of
//! the plain loops' live-out arrays, goes with the times into
//! `polybench-rust.csv` in `$PARALLEL_BENCH_RESULTS` (else
//! `target/bench-results`), so that `compare.sh` can check that both sides
//! computed the same thing.
//!
//! `cargo bench -p parallel-polybench --bench polybench [-- --quick] [-- <filter>…]`.
//! Without `--bench` (as `cargo test --benches` runs it), each kernel runs
//! once at MINI size and is checked, nothing is timed.

use parallel_polybench::datamining::{correlation, covariance};
use parallel_polybench::linear_algebra::blas::{gemm, gemver, gesummv, symm, syr2k, syrk, trmm};
use parallel_polybench::linear_algebra::kernels::{atax, bicg, doitgen, mvt, three_mm, two_mm};
use parallel_polybench::linear_algebra::solvers::{durbin, gramschmidt, lu, ludcmp};
use parallel_polybench::medley::{deriche, floyd_warshall};
use parallel_polybench::stencils::{adi, fdtd_2d, heat_3d, jacobi_1d, jacobi_2d};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

/// The team sizes of the annotated versions.
const THREADS: [usize; 2] = [1, 2];
/// Runs per version at most, and at least.
const MAX_REPS: usize = 11;
const MIN_REPS: usize = 5;
/// Stop after `MIN_REPS` turns once a kernel's versions have run this long,
/// in seconds.
const BUDGET: f64 = 3.0;

struct Settings {
    /// MINI sizes and 3 runs.
    quick: bool,
    /// Time (`--bench`), or only run and check.
    timed: bool,
    filters: Vec<String>,
}

/// One row of results.
struct Row {
    kernel: &'static str,
    implementation: &'static str,
    threads: usize,
    size: String,
    median_s: f64,
    reps: usize,
    checksum: f64,
}

/// A kernel: its state (every array, as the inputs), the live-out arrays
/// of a state as numbers, the plain loops and the annotated ones.
struct Kernel<S, L, Q, P> {
    name: &'static str,
    size: String,
    /// 0: bit for bit; else each live-out element is a sum of this many terms.
    rounding_terms: usize,
    state: S,
    live_out: L,
    seq: Q,
    par: P,
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// The median time of each version, measured in turns (one run of each
/// version, then the next turn), so that a slow spell of a shared machine
/// lands on all of them; and the number of turns.
fn time<S: Clone>(s: &Settings, state: &S, versions: &[&dyn Fn(&mut S)]) -> (Vec<f64>, usize) {
    let max = if s.quick { 3 } else { MAX_REPS };
    let (mut times, mut total, mut turns) = (vec![Vec::new(); versions.len()], 0.0, 0);
    while turns < max && (turns < MIN_REPS || total < BUDGET) {
        for (k, run) in versions.iter().enumerate() {
            let mut work = state.clone();
            let start = Instant::now();
            run(&mut work);
            let t = start.elapsed().as_secs_f64();
            std::hint::black_box(&work);
            times[k].push(t);
            total += t;
        }
        turns += 1;
    }
    (times.into_iter().map(median).collect(), turns)
}

/// Panics unless `got` is `want` (bit for bit, or within the rounding of a
/// sum of `terms` terms).
fn check(kernel: &str, threads: usize, got: &[f64], want: &[f64], terms: usize) {
    assert_eq!(
        got.len(),
        want.len(),
        "{kernel}: parallel/{threads}: live-out lengths differ"
    );
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let tol = 1e-13 * (terms as f64 + 1.0) * (1.0 + scale);
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = if terms == 0 {
            g.to_bits() == w.to_bits()
        } else {
            (g - w).abs() <= tol
        };
        assert!(
            ok,
            "{kernel}: parallel/{threads} gives {g} at {k}, the plain loops {w}"
        );
    }
}

impl<S, L, Q, P> Kernel<S, L, Q, P>
where
    S: Clone,
    L: Fn(&S) -> Vec<f64>,
    Q: Fn(&mut S),
    P: Fn(&mut S, usize),
{
    fn run(self, s: &Settings, rows: &mut Vec<Row>) {
        if !s.filters.is_empty() && !s.filters.iter().any(|f| self.name.contains(f.as_str())) {
            return;
        }
        let mut want = self.state.clone();
        (self.seq)(&mut want);
        let want = (self.live_out)(&want);
        let checksum = want.iter().sum::<f64>();
        for t in THREADS {
            let mut got = self.state.clone();
            (self.par)(&mut got, t);
            check(
                self.name,
                t,
                &(self.live_out)(&got),
                &want,
                self.rounding_terms,
            );
        }
        if !s.timed {
            return;
        }
        let (q, p) = (&self.seq, &self.par);
        let seq = |w: &mut S| q(w);
        let par = |t: usize| move |w: &mut S| p(w, t);
        let (par1, par2) = (par(THREADS[0]), par(THREADS[1]));
        let (medians, reps) = time(s, &self.state, &[&seq, &par1, &par2]);
        let mut row = |implementation, threads, median_s: f64| {
            println!(
                "{:<15} {:<10} {threads}  {:>12.3} ms  ({}, {reps} runs)",
                self.name,
                implementation,
                median_s * 1e3,
                self.size
            );
            rows.push(Row {
                kernel: self.name,
                implementation,
                threads,
                size: self.size.clone(),
                median_s,
                reps,
                checksum,
            });
        };
        row("sequential", 1, medians[0]);
        row("parallel", THREADS[0], medians[1]);
        row("parallel", THREADS[1], medians[2]);
    }
}

/// Every array of a kernel, inputs and outputs, in the order of the C's
/// parameters.
type Arrays = Vec<Vec<f64>>;

/// The arrays at `picks`, one after the other: a kernel's live-out arrays.
fn pick(x: &Arrays, picks: &[usize]) -> Vec<f64> {
    picks.iter().flat_map(|&k| x[k].iter().copied()).collect()
}

/// Splits the arrays into `&mut` references, one per array.
macro_rules! arrays {
    ($x:expr, [$($name:ident),+]) => {
        let [$($name),+] = &mut $x[..] else {
            unreachable!("the arrays of this kernel")
        };
    };
}

fn datamining(s: &Settings, rows: &mut Vec<Row>) {
    let (m, n) = if s.quick {
        correlation::MINI
    } else {
        correlation::MEDIUM
    };
    let (float_n, data) = correlation::init(m, n);
    Kernel {
        name: "correlation",
        size: format!("m={m} n={n}"),
        rounding_terms: 0,
        state: vec![data, vec![0.0; m * m], vec![0.0; m], vec![0.0; m]],
        live_out: |x: &Arrays| pick(x, &[0, 1, 2, 3]),
        seq: |x: &mut Arrays| {
            arrays!(x, [data, corr, mean, stddev]);
            correlation::flat_seq(m, n, float_n, data, corr, mean, stddev)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [data, corr, mean, stddev]);
            correlation::flat(m, n, float_n, data, corr, mean, stddev, t)
        },
    }
    .run(s, rows);
    let (m, n) = if s.quick {
        covariance::MINI
    } else {
        covariance::MEDIUM
    };
    let (float_n, data) = covariance::init(m, n);
    Kernel {
        name: "covariance",
        size: format!("m={m} n={n}"),
        rounding_terms: 0,
        state: vec![data, vec![0.0; m * m], vec![0.0; m]],
        live_out: |x: &Arrays| pick(x, &[0, 1, 2]),
        seq: |x: &mut Arrays| {
            arrays!(x, [data, cov, mean]);
            covariance::flat_seq(m, n, float_n, data, cov, mean)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [data, cov, mean]);
            covariance::flat(m, n, float_n, data, cov, mean, t)
        },
    }
    .run(s, rows);
}

fn blas(s: &Settings, rows: &mut Vec<Row>) {
    let (ni, nj, nk) = if s.quick { gemm::MINI } else { gemm::MEDIUM };
    let (alpha, beta, c, a, b) = gemm::init(ni, nj, nk);
    Kernel {
        name: "gemm",
        size: format!("{ni}x{nj}x{nk}"),
        rounding_terms: 0,
        state: vec![c, a, b],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [c, a, b]);
            gemm::flat_seq(ni, nj, nk, alpha, beta, c, a, b)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [c, a, b]);
            gemm::flat(ni, nj, nk, alpha, beta, c, a, b, t)
        },
    }
    .run(s, rows);
    let n = if s.quick {
        gemver::MINI
    } else {
        gemver::MEDIUM
    };
    let d = gemver::init(n);
    Kernel {
        name: "gemver",
        size: format!("n={n}"),
        rounding_terms: 0,
        state: vec![d.a, d.u1, d.v1, d.u2, d.v2, d.w, d.x, d.y, d.z],
        live_out: |x: &Arrays| pick(x, &[5]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, u1, v1, u2, v2, w, xs, y, z]);
            gemver::flat_seq(n, d.alpha, d.beta, a, u1, v1, u2, v2, w, xs, y, z)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, u1, v1, u2, v2, w, xs, y, z]);
            gemver::flat(n, d.alpha, d.beta, a, u1, v1, u2, v2, w, xs, y, z, t)
        },
    }
    .run(s, rows);
    let n = if s.quick {
        gesummv::MINI
    } else {
        gesummv::MEDIUM
    };
    let (alpha, beta, a, b, xv) = gesummv::init(n);
    Kernel {
        name: "gesummv",
        size: format!("n={n}"),
        rounding_terms: 0,
        state: vec![a, b, vec![0.0; n], xv, vec![0.0; n]],
        live_out: |x: &Arrays| pick(x, &[4]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, b, tmp, xv, y]);
            gesummv::flat_seq(n, alpha, beta, a, b, tmp, xv, y)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, b, tmp, xv, y]);
            gesummv::flat(n, alpha, beta, a, b, tmp, xv, y, t)
        },
    }
    .run(s, rows);
    let (m, n) = if s.quick { symm::MINI } else { symm::MEDIUM };
    let (alpha, beta, c, a, b) = symm::init(m, n);
    Kernel {
        name: "symm",
        size: format!("m={m} n={n}"),
        rounding_terms: 0,
        state: vec![c, a, b],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [c, a, b]);
            symm::flat_seq(m, n, alpha, beta, c, a, b)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [c, a, b]);
            symm::flat(m, n, alpha, beta, c, a, b, t)
        },
    }
    .run(s, rows);
    blas_triangular(s, rows);
}

fn blas_triangular(s: &Settings, rows: &mut Vec<Row>) {
    let (m, n) = if s.quick { syr2k::MINI } else { syr2k::MEDIUM };
    let (alpha, beta, c, a, b) = syr2k::init(m, n);
    Kernel {
        name: "syr2k",
        size: format!("m={m} n={n}"),
        rounding_terms: 0,
        state: vec![c, a, b],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [c, a, b]);
            syr2k::flat_seq(m, n, alpha, beta, c, a, b)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [c, a, b]);
            syr2k::flat(m, n, alpha, beta, c, a, b, t)
        },
    }
    .run(s, rows);
    let (m, n) = if s.quick { syrk::MINI } else { syrk::MEDIUM };
    let (alpha, beta, c, a) = syrk::init(m, n);
    Kernel {
        name: "syrk",
        size: format!("m={m} n={n}"),
        rounding_terms: 0,
        state: vec![c, a],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [c, a]);
            syrk::flat_seq(m, n, alpha, beta, c, a)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [c, a]);
            syrk::flat(m, n, alpha, beta, c, a, t)
        },
    }
    .run(s, rows);
    let (m, n) = if s.quick { trmm::MINI } else { trmm::MEDIUM };
    let (alpha, a, b) = trmm::init(m, n);
    Kernel {
        name: "trmm",
        size: format!("m={m} n={n}"),
        rounding_terms: 0,
        state: vec![a, b],
        live_out: |x: &Arrays| pick(x, &[1]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, b]);
            trmm::flat_seq(m, n, alpha, a, b)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, b]);
            trmm::flat(m, n, alpha, a, b, t)
        },
    }
    .run(s, rows);
}

fn kernels(s: &Settings, rows: &mut Vec<Row>) {
    let (ni, nj, nk, nl) = if s.quick {
        two_mm::MINI
    } else {
        two_mm::MEDIUM
    };
    let (alpha, beta, a, b, c, d) = two_mm::init(ni, nj, nk, nl);
    Kernel {
        name: "2mm",
        size: format!("{ni}x{nj}x{nk}x{nl}"),
        rounding_terms: 0,
        state: vec![vec![0.0; ni * nj], a, b, c, d],
        live_out: |x: &Arrays| pick(x, &[4]),
        seq: |x: &mut Arrays| {
            arrays!(x, [tmp, a, b, c, d]);
            two_mm::flat_seq(ni, nj, nk, nl, alpha, beta, tmp, a, b, c, d)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [tmp, a, b, c, d]);
            two_mm::flat(ni, nj, nk, nl, alpha, beta, tmp, a, b, c, d, t)
        },
    }
    .run(s, rows);
    let (ni, nj, nk, nl, nm) = if s.quick {
        three_mm::MINI
    } else {
        three_mm::MEDIUM
    };
    let i = three_mm::init(ni, nj, nk, nl, nm);
    Kernel {
        name: "3mm",
        size: format!("{ni}x{nj}x{nk}x{nl}x{nm}"),
        rounding_terms: 0,
        state: vec![
            vec![0.0; ni * nj],
            i.a,
            i.b,
            i.c,
            i.d,
            vec![0.0; nj * nl],
            vec![0.0; ni * nl],
        ],
        live_out: |x: &Arrays| pick(x, &[6]),
        seq: |x: &mut Arrays| {
            arrays!(x, [e, a, b, c, d, f, g]);
            three_mm::flat_seq(ni, nj, nk, nl, nm, e, a, b, c, d, f, g)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [e, a, b, c, d, f, g]);
            three_mm::flat(ni, nj, nk, nl, nm, e, a, b, c, d, f, g, t)
        },
    }
    .run(s, rows);
    let (m, n) = if s.quick { atax::MINI } else { atax::MEDIUM };
    let (a, xv) = atax::init(m, n);
    Kernel {
        name: "atax",
        size: format!("m={m} n={n}"),
        rounding_terms: m,
        state: vec![a, xv, vec![0.0; n], vec![0.0; m]],
        live_out: |x: &Arrays| pick(x, &[2]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, xv, y, tmp]);
            atax::flat_seq(m, n, a, xv, y, tmp)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, xv, y, tmp]);
            atax::flat(m, n, a, xv, y, tmp, t)
        },
    }
    .run(s, rows);
    let (m, n) = if s.quick { bicg::MINI } else { bicg::MEDIUM };
    let (a, r, p) = bicg::init(m, n);
    Kernel {
        name: "bicg",
        size: format!("m={m} n={n}"),
        rounding_terms: n,
        state: vec![a, vec![0.0; m], vec![0.0; n], p, r],
        live_out: |x: &Arrays| pick(x, &[1, 2]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, sv, q, p, r]);
            bicg::flat_seq(m, n, a, sv, q, p, r)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, sv, q, p, r]);
            bicg::flat(m, n, a, sv, q, p, r, t)
        },
    }
    .run(s, rows);
    kernels_other(s, rows);
}

fn kernels_other(s: &Settings, rows: &mut Vec<Row>) {
    let (nr, nq, np) = if s.quick {
        doitgen::MINI
    } else {
        doitgen::MEDIUM
    };
    let (a, c4) = doitgen::init(nr, nq, np);
    Kernel {
        name: "doitgen",
        size: format!("{nr}x{nq}x{np}"),
        rounding_terms: 0,
        state: vec![a, c4, vec![0.0; np]],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, c4, sum]);
            doitgen::flat_seq(nr, nq, np, a, c4, sum)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, c4, sum]);
            doitgen::flat(nr, nq, np, a, c4, sum, t)
        },
    }
    .run(s, rows);
    let n = if s.quick { mvt::MINI } else { mvt::MEDIUM };
    let (x1, x2, y_1, y_2, a) = mvt::init(n);
    Kernel {
        name: "mvt",
        size: format!("n={n}"),
        rounding_terms: 0,
        state: vec![x1, x2, y_1, y_2, a],
        live_out: |x: &Arrays| pick(x, &[0, 1]),
        seq: |x: &mut Arrays| {
            arrays!(x, [x1, x2, y_1, y_2, a]);
            mvt::flat_seq(n, x1, x2, y_1, y_2, a)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [x1, x2, y_1, y_2, a]);
            mvt::flat(n, x1, x2, y_1, y_2, a, t)
        },
    }
    .run(s, rows);
}

fn solvers(s: &Settings, rows: &mut Vec<Row>) {
    let n = if s.quick {
        durbin::MINI
    } else {
        durbin::MEDIUM
    };
    Kernel {
        name: "durbin",
        size: format!("n={n}"),
        rounding_terms: 0,
        state: vec![durbin::init(n), vec![0.0; n]],
        live_out: |x: &Arrays| pick(x, &[1]),
        seq: |x: &mut Arrays| {
            arrays!(x, [r, y]);
            durbin::seq(n, r, y)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [r, y]);
            durbin::par(n, r, y, t)
        },
    }
    .run(s, rows);
    let (m, n) = if s.quick {
        gramschmidt::MINI
    } else {
        gramschmidt::MEDIUM
    };
    let (a, r, q) = gramschmidt::init(m, n);
    Kernel {
        name: "gramschmidt",
        size: format!("m={m} n={n}"),
        rounding_terms: 0,
        state: vec![a, r, q],
        live_out: |x: &Arrays| pick(x, &[1, 2]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, r, q]);
            gramschmidt::flat_seq(m, n, a, r, q)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, r, q]);
            gramschmidt::flat(m, n, a, r, q, t)
        },
    }
    .run(s, rows);
    let n = if s.quick { lu::MINI } else { lu::MEDIUM };
    Kernel {
        name: "lu",
        size: format!("n={n}"),
        rounding_terms: 0,
        state: vec![lu::init(n)],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| lu::flat_seq(n, &mut x[0]),
        par: |x: &mut Arrays, t| lu::flat(n, &mut x[0], t),
    }
    .run(s, rows);
    let n = if s.quick {
        ludcmp::MINI
    } else {
        ludcmp::MEDIUM
    };
    let (a, b) = ludcmp::init(n);
    Kernel {
        name: "ludcmp",
        size: format!("n={n}"),
        rounding_terms: 0,
        state: vec![a, b, vec![0.0; n], vec![0.0; n]],
        live_out: |x: &Arrays| pick(x, &[2]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, b, xs, y]);
            ludcmp::flat_seq(n, a, b, xs, y)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, b, xs, y]);
            ludcmp::flat(n, a, b, xs, y, t)
        },
    }
    .run(s, rows);
}

fn medley(s: &Settings, rows: &mut Vec<Row>) {
    type Images = Vec<Vec<f32>>;
    let (w, h) = if s.quick {
        deriche::MINI
    } else {
        deriche::MEDIUM
    };
    let (alpha, img_in) = deriche::init(w, h);
    Kernel {
        name: "deriche",
        size: format!("{w}x{h} f32"),
        rounding_terms: 0,
        state: vec![img_in, vec![0.0; w * h], vec![0.0; w * h], vec![0.0; w * h]],
        live_out: |x: &Images| x[1].iter().map(|&v| f64::from(v)).collect(),
        seq: |x: &mut Images| {
            arrays!(x, [img_in, img_out, y1, y2]);
            deriche::flat_seq(w, h, alpha, img_in, img_out, y1, y2)
        },
        par: |x: &mut Images, t| {
            arrays!(x, [img_in, img_out, y1, y2]);
            deriche::flat(w, h, alpha, img_in, img_out, y1, y2, t)
        },
    }
    .run(s, rows);
    let n = if s.quick {
        floyd_warshall::MINI
    } else {
        floyd_warshall::MEDIUM
    };
    Kernel {
        name: "floyd-warshall",
        size: format!("n={n} i32"),
        rounding_terms: 0,
        state: floyd_warshall::init(n),
        live_out: |x: &Vec<i32>| x.iter().map(|&v| f64::from(v)).collect(),
        seq: |x: &mut Vec<i32>| floyd_warshall::flat_seq(n, x),
        par: |x: &mut Vec<i32>, t| floyd_warshall::flat(n, x, t),
    }
    .run(s, rows);
}

fn stencils(s: &Settings, rows: &mut Vec<Row>) {
    let (tsteps, n) = if s.quick { adi::MINI } else { adi::MEDIUM };
    Kernel {
        name: "adi",
        size: format!("{tsteps} steps, n={n}"),
        rounding_terms: 0,
        state: vec![
            adi::init(n),
            vec![0.0; n * n],
            vec![0.0; n * n],
            vec![0.0; n * n],
        ],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [u, v, p, q]);
            adi::flat_seq(tsteps, n, u, v, p, q)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [u, v, p, q]);
            adi::flat(tsteps, n, u, v, p, q, t)
        },
    }
    .run(s, rows);
    let (tmax, nx, ny) = if s.quick {
        fdtd_2d::MINI
    } else {
        fdtd_2d::MEDIUM
    };
    let f = fdtd_2d::init(tmax, nx, ny);
    Kernel {
        name: "fdtd-2d",
        size: format!("{tmax} steps, {nx}x{ny}"),
        rounding_terms: 0,
        state: vec![f.ex, f.ey, f.hz, f.fict],
        live_out: |x: &Arrays| pick(x, &[0, 1, 2]),
        seq: |x: &mut Arrays| {
            arrays!(x, [ex, ey, hz, fict]);
            fdtd_2d::flat_seq(tmax, nx, ny, ex, ey, hz, fict)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [ex, ey, hz, fict]);
            fdtd_2d::flat(tmax, nx, ny, ex, ey, hz, fict, t)
        },
    }
    .run(s, rows);
    stencils_jacobi(s, rows);
}

fn stencils_jacobi(s: &Settings, rows: &mut Vec<Row>) {
    let (tsteps, n) = if s.quick {
        heat_3d::MINI
    } else {
        heat_3d::MEDIUM
    };
    Kernel {
        name: "heat-3d",
        size: format!("{tsteps} steps, n={n}"),
        rounding_terms: 0,
        state: vec![heat_3d::init(n), heat_3d::init(n)],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, b]);
            heat_3d::flat_seq(tsteps, n, a, b)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, b]);
            heat_3d::flat(tsteps, n, a, b, t)
        },
    }
    .run(s, rows);
    let (tsteps, n) = if s.quick {
        jacobi_1d::MINI
    } else {
        jacobi_1d::MEDIUM
    };
    let (a, b) = jacobi_1d::init(n);
    Kernel {
        name: "jacobi-1d",
        size: format!("{tsteps} steps, n={n}"),
        rounding_terms: 0,
        state: vec![a, b],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, b]);
            jacobi_1d::seq(tsteps, n, a, b)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, b]);
            jacobi_1d::par(tsteps, n, a, b, t)
        },
    }
    .run(s, rows);
    let (tsteps, n) = if s.quick {
        jacobi_2d::MINI
    } else {
        jacobi_2d::MEDIUM
    };
    let (a, b) = jacobi_2d::init(n);
    Kernel {
        name: "jacobi-2d",
        size: format!("{tsteps} steps, n={n}"),
        rounding_terms: 0,
        state: vec![a, b],
        live_out: |x: &Arrays| pick(x, &[0]),
        seq: |x: &mut Arrays| {
            arrays!(x, [a, b]);
            jacobi_2d::flat_seq(tsteps, n, a, b)
        },
        par: |x: &mut Arrays, t| {
            arrays!(x, [a, b]);
            jacobi_2d::flat(tsteps, n, a, b, t)
        },
    }
    .run(s, rows);
}

fn csv(rows: &[Row]) -> String {
    let mut out = String::from("kernel,impl,threads,size,median_s,reps,checksum\n");
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},\"{}\",{:.9},{},{:?}",
            r.kernel, r.implementation, r.threads, r.size, r.median_s, r.reps, r.checksum
        );
    }
    out
}

/// `$PARALLEL_BENCH_RESULTS`, else `bench-results` in Cargo's target
/// directory (`$CARGO_TARGET_DIR`, else `target` under the workspace root).
fn results_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PARALLEL_BENCH_RESULTS") {
        return dir.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    );
    target.join("bench-results")
}

fn main() {
    let mut s = Settings {
        quick: std::env::var_os("PARALLEL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0"),
        timed: false,
        filters: Vec::new(),
    };
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--bench" => s.timed = true,
            "--quick" => s.quick = true,
            a if a.starts_with('-') => {} // cargo's and libtest's flags
            a => s.filters.push(a.to_string()),
        }
    }
    if !s.timed {
        s.quick = true;
    }
    if s.timed {
        println!(
            "PolyBench/C 4.2.1 kernels, Rust ({} sizes), median of up to {} runs",
            if s.quick { "MINI" } else { "MEDIUM" },
            if s.quick { 3 } else { MAX_REPS }
        );
    }
    let mut rows = Vec::new();
    for group in [datamining, blas, kernels, solvers, medley, stencils] {
        group(&s, &mut rows);
    }
    if !s.timed {
        println!("polybench: every kernel ran and was checked (test mode, nothing timed)");
        return;
    }
    let dir = results_dir();
    let file = dir.join("polybench-rust.csv");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, csv(&rows)))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    println!("wrote {}", file.display());
}
