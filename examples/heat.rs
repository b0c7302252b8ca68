//! # Heat: a Jacobi 2-D stencil, read one grid and write another (PolyBench `jacobi-2d`)
//!
//! A square plate, `n × n` points, row-major. Each time step, every inner
//! point becomes the average of itself and its four neighbours: heat flows
//! from hot points to cold ones, and the edges keep their temperature. A
//! point reads its neighbours' old values, so a sweep cannot update its grid
//! in place: as in PolyBench's `jacobi-2d`, each time step one sweep writes
//! `b` from `a`, and a second one `a` from `b`.
//!
//! OpenMP, the loop of one sweep:
//!
//! ```c
//! #pragma omp parallel for
//! for (int i = 1; i < n - 1; i++)
//!     for (int j = 1; j < n - 1; j++)
//!         dst[i][j] = 0.2 * (src[i][j] + src[i][j-1] + src[i][j+1] + src[i+1][j] + src[i-1][j]);
//! ```
//!
//! Iteration `i` writes row `i` of `dst` alone, `dst[i * n + j]`: the macro
//! splits `dst` into rows of `n` and gives row `i` to iteration `i`, while
//! `src` is shared, read-only. (Writing and reading the same grid,
//! `a[i * n + j] = .. a[(i - 1) * n + j]`, is rejected: another iteration may
//! be writing row `i - 1` at that moment.) A bare `#[parallel_for]` is
//! `schedule(static)`: every row costs the same, and contiguous blocks keep
//! each thread on the same rows every sweep, so they stay in its cache.
//! There is no reduction, so both versions do the same operations on every
//! point in the same order: the grids must match bit for bit.
//!
//! The kernel is PolyBench's; the starting plate is not (PolyBench's is a
//! smooth slope that the stencil hardly changes): a plate at 20 °C with hot
//! squares of four sizes at 100 °C, and its left edge held at 100 °C.
//! `heat.png`, written into Cargo's target directory (`target/heat.png`; not
//! with `--quick`), shows the plate before (left) and after the [`TSTEPS`]
//! steps (right): the squares blur as their heat spreads, the small ones
//! fade while the large ones keep a hot core, and heat creeps in from the
//! left edge. (Slowly: in 500 sweeps heat spreads about √(0.4 · 500) ≈ 14
//! points.)
//!
//! `cargo run --release --example heat [-- --quick] [-- --threads N]`

#[allow(dead_code)] // `crate::common` when run alone; unused in the tour, which has its own
#[path = "common/mod.rs"]
mod common;
use crate::common::{Check, Image, Pattern, Row, compare, ramp};
use parallel::parallel;

/// Time steps (PolyBench's `TSTEPS`), of two sweeps each.
pub const TSTEPS: usize = 250;

/// The plate's temperature, and that of the hot squares and the left edge, in °C.
pub const COLD: f64 = 20.0;
pub const HOT: f64 = 100.0;

/// One sweep, the plain loop: every inner point of `dst` from `src`.
pub fn sweep_seq(n: usize, src: &[f64], dst: &mut [f64]) {
    for i in 1..n - 1 {
        for j in 1..n - 1 {
            dst[i * n + j] = 0.2
                * (src[i * n + j]
                    + src[i * n + j - 1]
                    + src[i * n + j + 1]
                    + src[(i + 1) * n + j]
                    + src[(i - 1) * n + j]);
        }
    }
}

/// The same sweep, annotated.
#[parallel]
pub fn sweep_par(n: usize, src: &[f64], dst: &mut [f64]) {
    #[parallel_for]
    for i in 1..n - 1 {
        for j in 1..n - 1 {
            dst[i * n + j] = 0.2
                * (src[i * n + j]
                    + src[i * n + j - 1]
                    + src[i * n + j + 1]
                    + src[(i + 1) * n + j]
                    + src[(i - 1) * n + j]);
        }
    }
}

/// PolyBench's time loop: `tsteps` steps of two sweeps, `a` to `b` and back.
pub fn heat(
    sweep: fn(usize, &[f64], &mut [f64]),
    tsteps: usize,
    n: usize,
    a: &mut [f64],
    b: &mut [f64],
) {
    for _ in 0..tsteps {
        sweep(n, a, b);
        sweep(n, b, a);
    }
}

/// The starting plate, in both grids (the edges of `b` are read, never
/// written): 4 × 4 hot squares, their sides `n/125`, `n/62`, `n/31` and
/// `n/15` from left to right, and the left edge hot.
pub fn init(n: usize) -> (Vec<f64>, Vec<f64>) {
    let cell = n / 4;
    let hot = |i: usize, j: usize| {
        let half = (n << (j / cell.max(1)).min(3)) / 250;
        let near = |k: usize| (k % cell.max(1)).abs_diff(cell / 2) <= half;
        j == 0 || (near(i) && near(j))
    };
    let a: Vec<f64> = (0..n * n)
        .map(|k| if hot(k / n, k % n) { HOT } else { COLD })
        .collect();
    (a.clone(), a)
}

pub fn run(n: usize, reps: usize) -> Row {
    let kernel = |sweep: fn(usize, &[f64], &mut [f64])| {
        move |(mut a, mut b): (Vec<f64>, Vec<f64>)| {
            heat(sweep, TSTEPS, n, &mut a, &mut b);
            a
        }
    };
    let size = format!("{n}×{n}, {TSTEPS} steps");
    let (row, a) = compare(
        &PATTERN,
        size,
        reps,
        || init(n),
        kernel(sweep_seq),
        kernel(sweep_par),
        Check::exact,
    );
    Row {
        image: Some(picture(n, &init(n).0, &a)),
        ..row
    }
}

/// The plate before and after, side by side with a grey gap, coloured from
/// black (`COLD`) through purple, red and orange to pale yellow (`HOT`).
pub fn picture(n: usize, before: &[f64], after: &[f64]) -> Image {
    const STOPS: [[u8; 3]; 5] = [
        [0, 0, 4],
        [87, 16, 110],
        [188, 55, 84],
        [249, 142, 9],
        [252, 255, 164],
    ];
    let gap = (n / 50).max(1);
    let colour = |t: f64| ramp(&STOPS, (t - COLD) / (HOT - COLD));
    let mut rgb = Vec::with_capacity(n * (2 * n + gap));
    for i in 0..n {
        rgb.extend(before[i * n..(i + 1) * n].iter().map(|&t| colour(t)));
        rgb.extend(std::iter::repeat_n([128, 128, 128], gap));
        rgb.extend(after[i * n..(i + 1) * n].iter().map(|&t| colour(t)));
    }
    Image {
        file: "heat.png",
        width: 2 * n + gap,
        height: n,
        rgb,
    }
}

pub const PATTERN: Pattern = Pattern {
    name: "heat",
    directive: "parallel_for",
    full: 1000,
    quick: 32,
    run,
};

fn main() {
    crate::common::main(&[PATTERN]);
}
