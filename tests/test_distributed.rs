//! `#[parallel_for(distributed, ..)]` against the sequential loop, on every
//! rank: every reduction operator, arrays, user reducers, minloc / maxloc,
//! `lastprivate`, element, row, field and iterator writes, `deterministic`
//! bits, uneven splits (fewer iterations than ranks, none).
//!
//! A program of its own (`harness = false`): `cargo test` runs it as one
//! process (the plain `parallel_for`); `.ci/run` builds it with
//! `--features mpi` and runs it under `mpirun -np 1`, `-np 2` and `-np 3`.
//! Every rank checks its own results; rank 0 prints the totals of all
//! ranks, and the program fails if any rank failed.

mod common;
use common::{data, ints};
use parallel::distributed::{self, Wire};
use parallel::{Reducer, parallel};

/// Lengths: none, fewer than the ranks, primes, more than a
/// `deterministic` leaf (4096) in several leaves.
const LENGTHS: &[usize] = &[0, 1, 2, 3, 5, 17, 101, 1009, 12_289];

struct Checks {
    passed: usize,
    failed: usize,
}

impl Checks {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            eprintln!(
                "rank {} of {}: FAILED {}",
                distributed::rank(),
                distributed::size(),
                what()
            );
        }
    }
}

// ---------------------------------------------------------------- reductions

type Ints = (i64, i64, u64, u32, u32, u32, i32, i32);

#[parallel]
fn int_ops(v: &[u64], threads: usize) -> Ints {
    let n = v.len();
    let (mut sum, mut diff, mut prod) = (10i64, 5i64, 3u64);
    let (mut and, mut or, mut xor) = (u32::MAX, 0b1000_0000u32, 1u32);
    let (mut lo, mut hi) = (i32::MAX - 1, -7i32);
    #[parallel_for(distributed, num_threads(threads), reduction(+: sum), reduction(-: diff), reduction(*: prod))]
    for i in 0..n {
        sum += v[i] as i64;
        diff -= v[i] as i64;
        prod = prod.wrapping_mul(v[i] % 3 + 1);
    }
    #[parallel_for(distributed, num_threads(threads), schedule(dynamic, 7), reduction(&: and), reduction(|: or), reduction(^: xor), reduction(min: lo), reduction(max: hi))]
    for i in 0..n {
        and &= v[i] as u32 | 1;
        or |= v[i] as u32;
        xor ^= v[i] as u32;
        lo = lo.min(v[i] as i32 - 500);
        hi = hi.max(v[i] as i32);
    }
    (sum, diff, prod, and, or, xor, lo, hi)
}

fn int_seq(v: &[u64]) -> Ints {
    let (mut sum, mut diff, mut prod) = (10i64, 5i64, 3u64);
    let (mut and, mut or, mut xor) = (u32::MAX, 0b1000_0000u32, 1u32);
    let (mut lo, mut hi) = (i32::MAX - 1, -7i32);
    for &x in v {
        sum += x as i64;
        diff -= x as i64;
        prod = prod.wrapping_mul(x % 3 + 1);
        and &= x as u32 | 1;
        or |= x as u32;
        xor ^= x as u32;
        lo = lo.min(x as i32 - 500);
        hi = hi.max(x as i32);
    }
    (sum, diff, prod, and, or, xor, lo, hi)
}

/// Float operators on values whose sums and products are exact in any
/// order (multiples of 1/8 and powers of two), and bool operators.
#[parallel]
fn float_bool_ops(x: &[f64]) -> (f64, f32, f64, f64, f64, bool, bool) {
    let n = x.len();
    let (mut sum, mut fsum, mut prod) = (0.5f64, 0.25f32, 1.0f64);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NAN);
    let (mut all, mut any) = (true, false);
    #[parallel_for(distributed, schedule(guided), reduction(+: sum, fsum), reduction(*: prod), reduction(min: lo), reduction(max: hi), reduction(&&: all), reduction(||: any))]
    for i in 0..n {
        let q = (x[i] * 8.0).round() / 8.0;
        sum += q;
        fsum += q as f32;
        prod *= if i.is_multiple_of(5) { 2.0 } else { 1.0 };
        lo = lo.min(x[i]);
        hi = hi.max(x[i]);
        all = all && x[i] < 0.99;
        any = any || x[i] > 0.99;
    }
    (sum, fsum, prod, lo, hi, all, any)
}

fn float_bool_seq(x: &[f64]) -> (f64, f32, f64, f64, f64, bool, bool) {
    let (mut sum, mut fsum, mut prod) = (0.5f64, 0.25f32, 1.0f64);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NAN);
    let (mut all, mut any) = (true, false);
    for (i, &v) in x.iter().enumerate() {
        let q = (v * 8.0).round() / 8.0;
        sum += q;
        fsum += q as f32;
        prod *= if i.is_multiple_of(5) { 2.0 } else { 1.0 };
        lo = lo.min(v);
        hi = hi.max(v);
        all = all && v < 0.99;
        any = any || v > 0.99;
    }
    (sum, fsum, prod, lo, hi, all, any)
}

/// `simd`: each rank's chunks in vector lanes.
#[parallel]
fn simd_sum(x: &[f32]) -> (f32, f32) {
    let (mut s, mut m) = (0.0f32, f32::NEG_INFINITY);
    #[parallel_for(distributed, simd, reduction(+: s), reduction(max: m))]
    for i in 0..x.len() {
        s += x[i];
        m = m.max(x[i]);
    }
    (s, m)
}

/// Whole arrays: a fixed array, a `Vec` and a slice parameter.
#[parallel]
fn array_ops(v: &[u64], bins: &mut [u32]) -> ([i64; 4], Vec<u64>) {
    let n = v.len();
    let mut quarter = [1i64, 0, 0, -1];
    let mut hist = vec![2u64; 10];
    #[parallel_for(distributed, reduction(+: quarter, hist, bins))]
    for i in 0..n {
        quarter[i % 4] += v[i] as i64;
        hist[(v[i] % 10) as usize] += 1;
        bins[(v[i] % 3) as usize] += 2;
    }
    (quarter, hist)
}

fn array_seq(v: &[u64], bins: &mut [u32]) -> ([i64; 4], Vec<u64>) {
    let mut quarter = [1i64, 0, 0, -1];
    let mut hist = vec![2u64; 10];
    for (i, &x) in v.iter().enumerate() {
        quarter[i % 4] += x as i64;
        hist[(x % 10) as usize] += 1;
        bins[(x % 3) as usize] += 2;
    }
    (quarter, hist)
}

/// Concatenation: not commutative, so only the loop's order gives the
/// sequential string.
struct Concat;
impl Reducer for Concat {
    type Value = String;
    fn identity() -> String {
        String::new()
    }
    fn combine(acc: &mut String, other: String) {
        acc.push_str(&other);
    }
}

/// A user type, sent between ranks through its own `Wire`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Span {
    first: Option<usize>,
    last: Option<usize>,
    count: u64,
}

impl Wire for Span {
    fn put(&self, out: &mut Vec<u8>) {
        (self.first, self.last, self.count).put(out);
    }
    fn take(input: &mut &[u8]) -> Self {
        let (first, last, count) = Wire::take(input);
        Span { first, last, count }
    }
}

struct Merge;
impl Reducer for Merge {
    type Value = Span;
    fn identity() -> Span {
        Span {
            first: None,
            last: None,
            count: 0,
        }
    }
    fn combine(acc: &mut Span, other: Span) {
        acc.first = acc.first.or(other.first);
        acc.last = other.last.or(acc.last);
        acc.count += other.count;
    }
}

#[parallel]
fn user_ops(v: &[u64], threads: usize) -> (String, Span) {
    let n = v.len();
    let mut text = String::from(">");
    let mut span = Merge::identity();
    #[parallel_for(distributed, num_threads(threads), schedule(dynamic, 3), reduction(Concat: text), reduction(Merge: span))]
    for i in 0..n {
        Concat::combine(&mut text, format!("{},", v[i] % 100));
        if v[i].is_multiple_of(7) {
            Merge::combine(
                &mut span,
                Span {
                    first: Some(i),
                    last: Some(i),
                    count: 1,
                },
            );
        }
    }
    (text, span)
}

fn user_seq(v: &[u64]) -> (String, Span) {
    let mut text = String::from(">");
    let mut span = Merge::identity();
    for (i, &x) in v.iter().enumerate() {
        text.push_str(&format!("{},", x % 100));
        if x.is_multiple_of(7) {
            Merge::combine(
                &mut span,
                Span {
                    first: Some(i),
                    last: Some(i),
                    count: 1,
                },
            );
        }
    }
    (text, span)
}

type Locs = ((i64, usize), (i64, usize), i64, usize);

/// minloc / maxloc (with ties), and `lastprivate`.
#[parallel]
fn loc_ops(v: &[u64]) -> Locs {
    let n = v.len();
    let mut best = (i64::MAX, usize::MAX);
    let mut worst = (i64::MIN, usize::MAX);
    let mut last = -1i64;
    let mut at = 0usize;
    #[parallel_for(distributed, reduction(minloc: best), reduction(maxloc: worst), lastprivate(last, at))]
    for i in 0..n {
        let x = (v[i] % 50) as i64;
        if x < best.0 {
            best = (x, i);
        }
        if x >= worst.0 {
            worst = (x, i);
        }
        last = x * 2;
        at = i;
    }
    (best, worst, last, at)
}

fn loc_seq(v: &[u64]) -> Locs {
    let mut best = (i64::MAX, usize::MAX);
    let mut worst = (i64::MIN, usize::MAX);
    let (mut last, mut at) = (-1i64, 0usize);
    for (i, &x) in v.iter().enumerate() {
        let x = (x % 50) as i64;
        if x < best.0 {
            best = (x, i);
        }
        if x >= worst.0 {
            worst = (x, i);
        }
        last = x * 2;
        at = i;
    }
    (best, worst, last, at)
}

// -------------------------------------------------------------------- writes

#[derive(Clone, Debug, PartialEq)]
struct Particle {
    x: f64,
    v: (f64, f64),
    tag: &'static str,
}

/// Every written shape a distributed loop exchanges, with a sum read back.
#[parallel]
#[allow(clippy::type_complexity)]
fn write_ops(
    x: &[f64],
    w: usize,
) -> (
    Vec<f64>,
    Vec<f64>,
    Vec<u32>,
    Vec<Vec<f64>>,
    Vec<Particle>,
    Vec<f64>,
    Vec<i32>,
    Vec<u16>,
    f64,
) {
    let n = x.len();
    let mut y = vec![-1.0; n];
    let mut odd = vec![-1.0; n + 1];
    let mut rows = vec![0u32; n * w];
    let mut grid = vec![vec![0.0; w]; n];
    let mut p: Vec<Particle> = (0..n)
        .map(|i| Particle {
            x: i as f64,
            v: (0.0, 0.0),
            tag: "p",
        })
        .collect();
    let mut flat = vec![0.0; n * w];
    let mut items = vec![1i32; n];
    let mut pieces = vec![0u16; n * 2 + 1];
    let mut total = 0.0;
    #[parallel_for(distributed, reduction(+: total))]
    for i in 0..n {
        y[i] = x[i] * 2.0;
        total += y[i];
    }
    #[parallel_for(distributed, schedule(dynamic, 2))]
    for i in (1..n + 1).step_by(2).rev() {
        odd[i] = i as f64;
    }
    #[parallel_for(distributed)]
    for i in 0..n {
        for j in 0..w {
            rows[i * w + j] = (i * 10 + j) as u32;
        }
    }
    #[parallel_for(distributed)]
    for i in 0..n {
        for j in 0..w {
            grid[i][j] = x[i] + j as f64;
        }
    }
    #[parallel_for(distributed)]
    for i in 0..n {
        p[i].v.0 = x[i];
        p[i].v.1 = -x[i];
    }
    #[parallel_for(distributed, collapse(2))]
    for i in 0..n {
        for j in 0..w {
            flat[i * w + j] = x[i] * j as f64;
        }
    }
    #[parallel_for(distributed, collapse(2), schedule(dynamic, 2))]
    for i in 0..n {
        for j in 0..w {
            grid[i][j] += 0.5;
        }
    }
    #[parallel_for(distributed)]
    for (k, item) in items.iter_mut().enumerate() {
        *item += k as i32;
    }
    #[parallel_for(distributed)]
    for (k, piece) in pieces.chunks_mut(2).enumerate() {
        for e in piece.iter_mut() {
            *e = k as u16 + 1;
        }
    }
    (y, odd, rows, grid, p, flat, items, pieces, total)
}

#[allow(clippy::type_complexity)]
fn write_seq(
    x: &[f64],
    w: usize,
) -> (
    Vec<f64>,
    Vec<f64>,
    Vec<u32>,
    Vec<Vec<f64>>,
    Vec<Particle>,
    Vec<f64>,
    Vec<i32>,
    Vec<u16>,
    f64,
) {
    let n = x.len();
    let y: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
    let total = y.iter().sum();
    let mut odd = vec![-1.0; n + 1];
    for i in (1..n + 1).step_by(2) {
        odd[i] = i as f64;
    }
    let rows = (0..n * w).map(|k| ((k / w) * 10 + k % w) as u32).collect();
    let grid = x
        .iter()
        .map(|&v| (0..w).map(|j| v + j as f64 + 0.5).collect())
        .collect();
    let p = (0..n)
        .map(|i| Particle {
            x: i as f64,
            v: (x[i], -x[i]),
            tag: "p",
        })
        .collect();
    let flat = (0..n * w).map(|k| x[k / w] * (k % w) as f64).collect();
    let items = (0..n).map(|k| 1 + k as i32).collect();
    let pieces = (0..n * 2 + 1).map(|e| (e / 2) as u16 + 1).collect();
    (y, odd, rows, grid, p, flat, items, pieces, total)
}

/// More shapes: a fixed row of a nested
/// container (`c[k][i]`), a field of `self`, whole struct elements, and
/// `if(false)` (one thread per rank, still split among the ranks).
struct Holder {
    v: Vec<u64>,
}

impl Holder {
    #[parallel]
    fn fill(&mut self, k: u64) {
        #[parallel_for(distributed, schedule(static, 3))]
        for i in 0..self.v.len() {
            self.v[i] = i as u64 * k;
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Cell {
    id: u32,
    name: String,
}

impl Wire for Cell {
    fn put(&self, out: &mut Vec<u8>) {
        self.id.put(out);
        self.name.put(out);
    }
    fn take(input: &mut &[u8]) -> Self {
        let (id, name) = Wire::take(input);
        Cell { id, name }
    }
}

#[parallel]
#[allow(clippy::type_complexity)]
fn more_shapes(n: usize) -> (Vec<Vec<i64>>, Vec<u64>, Vec<Cell>, u64) {
    let mut c = vec![vec![-1i64; n]; 3];
    let k = 1;
    let mut h = Holder { v: vec![0; n] };
    let mut cells = vec![
        Cell {
            id: 0,
            name: String::new()
        };
        n
    ];
    let mut count = 0u64;
    #[parallel_for(distributed, if(false), reduction(+: count))]
    for i in 0..n {
        c[k][i] = i as i64 * 2;
        count += 1;
    }
    h.fill(3);
    #[parallel_for(distributed, schedule(dynamic))]
    for i in 0..n {
        cells[i] = Cell {
            id: i as u32,
            name: format!("c{i}"),
        };
    }
    let src: Vec<i64> = (0..n as i64).collect();
    let mut z = vec![0i64; n];
    #[parallel_for(distributed, schedule(guided))]
    for (a, b) in src.iter().zip(z.iter_mut()) {
        *b = *a * 3;
    }
    let mut q = vec![0u8; n];
    #[parallel_for(distributed)]
    for e in &mut q {
        *e = 5;
    }
    count += z.iter().sum::<i64>() as u64 + q.iter().map(|&e| e as u64).sum::<u64>();
    (c, h.v, cells, count)
}

#[allow(clippy::type_complexity)]
fn more_shapes_seq(n: usize) -> (Vec<Vec<i64>>, Vec<u64>, Vec<Cell>, u64) {
    let mut c = vec![vec![-1i64; n]; 3];
    for (i, x) in c[1].iter_mut().enumerate() {
        *x = i as i64 * 2;
    }
    let v = (0..n as u64).map(|i| i * 3).collect();
    let cells = (0..n)
        .map(|i| Cell {
            id: i as u32,
            name: format!("c{i}"),
        })
        .collect();
    let z: u64 = (0..n as u64).map(|k| k * 3).sum();
    (c, v, cells, n as u64 + z + 5 * n as u64)
}

// ------------------------------------------------------------- deterministic

#[parallel]
fn det_sum(x: &[f64], threads: usize, distribute: bool) -> (f64, [f64; 2]) {
    let n = x.len();
    let mut s = 0.1;
    let mut pair = [0.0, 1e-3];
    if distribute {
        #[parallel_for(distributed, deterministic, num_threads(threads), reduction(+: s, pair))]
        for i in 0..n {
            s += x[i] * 1.000_000_1;
            pair[i % 2] += x[i] / 3.0;
        }
    } else {
        #[parallel_for(deterministic, num_threads(threads), reduction(+: s, pair))]
        for i in 0..n {
            s += x[i] * 1.000_000_1;
            pair[i % 2] += x[i] / 3.0;
        }
    }
    (s, pair)
}

fn bits(r: (f64, [f64; 2])) -> [u64; 3] {
    [r.0.to_bits(), r.1[0].to_bits(), r.1[1].to_bits()]
}

// -------------------------------------------------------------------- blocks

/// Iterations this rank ran (an effect a rank keeps to itself).
static HERE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn ran_here() {
    HERE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// How many iterations of `0..n` this rank runs, and the sum of all.
#[parallel]
fn block_of(n: usize) -> (usize, usize) {
    HERE.store(0, std::sync::atomic::Ordering::Relaxed);
    let mut all = 0;
    #[parallel_for(distributed, num_threads(2), reduction(+: all))]
    for i in 0..n {
        ran_here();
        all += i;
    }
    (HERE.load(std::sync::atomic::Ordering::Relaxed), all)
}

// --------------------------------------------------------------------- main

fn main() {
    let _mpi = distributed::init();
    let (rank, size) = (distributed::rank(), distributed::size());
    let mut c = Checks {
        passed: 0,
        failed: 0,
    };
    c.check(rank < size, || format!("rank {rank} of {size}"));
    for &n in LENGTHS {
        let v = ints(n, 1000, n as u64 + 3);
        let x = data(n, n as u64 + 11);
        for threads in [1, 2] {
            let got = int_ops(&v, threads);
            c.check(got == int_seq(&v), || {
                format!("integer operators n={n} t={threads}: {got:?}")
            });
            let got = user_ops(&v, threads);
            c.check(got == user_seq(&v), || {
                format!("user reducers n={n} t={threads}: {got:?}")
            });
        }
        let (got, want) = (float_bool_ops(&x), float_bool_seq(&x));
        // `max` over NaN: both start from NaN and keep the larger number.
        let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
        c.check(
            got.0 == want.0
                && got.1 == want.1
                && got.2 == want.2
                && same(got.3, want.3)
                && same(got.4, want.4)
                && got.5 == want.5
                && got.6 == want.6,
            || format!("float and bool operators n={n}: {got:?} != {want:?}"),
        );
        // Small integers in f32: exact sums in any order.
        let xf: Vec<f32> = v.iter().map(|&k| (k % 64) as f32).collect();
        let got = simd_sum(&xf);
        let want = (
            xf.iter().sum::<f32>(),
            xf.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)),
        );
        c.check(got == want, || format!("simd n={n}: {got:?} != {want:?}"));
        let (mut b1, mut b2) = ([7u32, 0, 1], [7u32, 0, 1]);
        let got = array_ops(&v, &mut b1);
        c.check(got == array_seq(&v, &mut b2) && b1 == b2, || {
            format!("array reductions n={n}: {got:?} {b1:?}")
        });
        let got = loc_ops(&v);
        c.check(got == loc_seq(&v), || {
            format!("minloc/maxloc/lastprivate n={n}: {got:?}")
        });
        let got = write_ops(&x, 3);
        let want = write_seq(&x, 3);
        let parts = [
            got.0 == want.0,
            got.1 == want.1,
            got.2 == want.2,
            got.3 == want.3,
            got.4 == want.4,
            got.5 == want.5,
            got.6 == want.6,
            got.7 == want.7,
            common::close(got.8, want.8, n),
        ];
        c.check(parts.iter().all(|&ok| ok), || {
            format!(
                "writes n={n}: [y, odd, rows, grid, p, flat, items, pieces, total] equal: {parts:?}"
            )
        });
        let got = more_shapes(n);
        c.check(got == more_shapes_seq(n), || {
            format!("more shapes n={n}: {got:?}")
        });
        // Deterministic: the bits one process gets, for any ranks and threads.
        let one = bits(det_sum(&x, 1, false));
        for threads in [1, 2, 3] {
            let got = bits(det_sum(&x, threads, true));
            c.check(got == one, || {
                format!("deterministic bits n={n} t={threads}: {got:x?} != {one:x?}")
            });
        }
    }
    // Each rank runs its balanced block, the first `n % size` one longer.
    for n in [0, 1, 2, 7, 1000] {
        let (here, all) = block_of(n);
        let want = n / size + usize::from(rank < n % size);
        c.check(here == want && all == n * n.saturating_sub(1) / 2, || {
            format!("block of n={n}: ran {here} iterations here (want {want}), sum {all}")
        });
    }
    distributed::barrier();
    let (passed, failed) = totals(c.passed, c.failed);
    if rank == 0 {
        println!("distributed ({size} ranks): {passed} passed, {failed} failed");
    }
    if failed > 0 {
        drop(_mpi);
        std::process::exit(1);
    }
}

/// Every rank's counts, added up.
#[cfg(feature = "mpi")]
fn totals(passed: usize, failed: usize) -> (usize, usize) {
    use distributed::mpi::collective::SystemOperation;
    use distributed::mpi::traits::CommunicatorCollectives;
    match distributed::world() {
        Some(world) => {
            let mine = [passed as u64, failed as u64];
            let mut all = [0u64; 2];
            world.all_reduce_into(&mine[..], &mut all[..], SystemOperation::sum());
            (all[0] as usize, all[1] as usize)
        }
        None => (passed, failed),
    }
}

#[cfg(not(feature = "mpi"))]
fn totals(passed: usize, failed: usize) -> (usize, usize) {
    (passed, failed)
}
