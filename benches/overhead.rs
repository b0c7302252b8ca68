//! Construct overheads in the manner of the EPCC OpenMP micro-benchmarks
//! (syncbench and schedbench): the time of a construct whose iterations each
//! spin in `delay()` for a fixed time, minus the time of the same delays run
//! sequentially (the reference), in microseconds per construct.
//!
//! Measured on a team of 2 threads (`num_threads(2)`, so a team really
//! forks): `parallel_for` and `parallel_for` + `reduction(+: x)` with 1 and
//! 1024 iterations per thread; `parallel_for` over 1024 trivial iterations
//! (a call to `delay(0)`, 512 per thread); the schedules `static`, `static, c`,
//! `dynamic, c` and `guided, c` for c = 1, 2, 4, …, 1024 with 1024
//! iterations per thread; a loop of 8 iterations without `num_threads`,
//! which the runtime runs inline. Tasks, as EPCC's taskbench measures them:
//! a `#[taskgroup]` with one task (a spawn and its wait: `task_wait`), a
//! group of [`GROUP_TASKS`] tasks spawned in a loop (`taskgroup`), and
//! `#[sections]` with two sections (`sections`), each task a delay. The
//! same constructs written with rayon on
//! a 2-thread pool: `par_iter` entered from outside the pool through
//! `pool.install`, `par_iter` from inside the pool, and a bare `rayon::join`
//! inside the pool (`with_min_len(c).with_max_len(c)` stands in for a chunk
//! size); for the tasks, `rayon::join` of the task and nothing (a spawn and
//! its wait), `rayon::scope` with a `spawn` per task, and `rayon::join` of
//! the two sections. `benches/c/overhead.c` measures the same rows with
//! libgomp, where a task needs a parallel region: each task row there is a
//! `parallel` + `single` (or `parallel sections`) per construct, the fork
//! that a top-level group here pays too.
//!
//! The method, as EPCC's: the delay length is calibrated so that one
//! `delay()` takes [`DELAY_US`]; each measurement repeats the construct
//! `inner` times, `inner` doubled until one measurement takes the target
//! time; the first of `outer + 1` measurements is dropped. Two changes for a
//! shared machine: medians rather than means, and the reference is measured
//! in turns with the construct (one measurement of each, `outer + 1` times)
//! rather than once, so that a slow spell of the host, which on these
//! machines moves the reference itself by half, lands on both sides of the
//! difference. The overhead is the median of the `outer` differences.
//!
//! This bench has its own harness (`harness = false`, no criterion):
//! EPCC's result is a difference of two timings, not the time of one
//! closure, and the C side must be measured the same way for the columns to
//! compare, which is easiest with the same small loop on both sides.
//!
//! `cargo bench --bench overhead [-- --quick] [-- <filter>…]`: a filter
//! keeps the rows whose construct or implementation contains it. Results go
//! to the terminal and to `target/bench-results/overhead-rust.csv` (the
//! directory is `$PARALLEL_BENCH_RESULTS` when set). Without `--bench` (as
//! `cargo test --benches` runs it), each construct runs a few times and its
//! result is checked, nothing is timed.

use parallel::parallel;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

/// The team size of every construct (except the inline loop).
const THREADS: usize = 2;
/// Iterations, in all, of the trivial `parallel_for` row.
const TRIVIAL_ITERS: usize = 1024;
/// Iterations per thread of the schedule rows (EPCC's `itersperthr`).
const ITERS_PER_THREAD: usize = 1024;
/// The time one `delay()` takes, in microseconds.
const DELAY_US: f64 = 0.05;
/// The chunk sizes of the schedule rows.
const CHUNKS: [usize; 11] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/// Iterations of the loop that runs inline (below the runtime's threshold).
const INLINE_ITERS: usize = 8;
/// Tasks of the `taskgroup` row.
const GROUP_TASKS: usize = 1000;

/// EPCC's `delay()`: spins for `len` steps of a float add that the compiler
/// cannot remove or vectorize.
#[inline(never)]
fn delay(len: usize) {
    let mut a = 0.0f32;
    for i in 0..len {
        a += black_box(i) as f32;
    }
    black_box(a);
}

/// EPCC's `getdelaylengthfromtime`: the shortest length, grown by 10% at a
/// time, whose delay takes at least `us` microseconds. A warm-up first lets
/// the core reach its clock speed.
fn calibrate(us: f64) -> usize {
    let warm = Instant::now();
    while warm.elapsed().as_millis() < 50 {
        delay(1000);
    }
    let reps = 10_000;
    let mut len = 0usize;
    let mut per_delay = 0.0;
    while per_delay < us {
        len = len + len / 10 + 1;
        // The least of 3 trials: a trial slowed down by another process
        // would stop the search early, at too short a delay.
        per_delay = (0..3)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..reps {
                    delay(len);
                }
                t.elapsed().as_secs_f64() * 1e6 / reps as f64
            })
            .fold(f64::INFINITY, f64::min);
    }
    len
}

// ---- the constructs, written with the macro ----

#[parallel]
fn par_for(n: usize, len: usize) {
    #[parallel_for(num_threads(THREADS))]
    for _ in 0..n {
        delay(len);
    }
}

#[parallel]
fn par_reduction(n: usize, len: usize) -> usize {
    let mut x = 0;
    #[parallel_for(num_threads(THREADS), reduction(+: x))]
    for _ in 0..n {
        delay(len);
        x += 1;
    }
    x
}

#[parallel]
fn par_static(n: usize, len: usize) {
    #[parallel_for(num_threads(THREADS), schedule(static))]
    for _ in 0..n {
        delay(len);
    }
}

#[parallel]
fn par_static_chunk(n: usize, chunk: usize, len: usize) {
    #[parallel_for(num_threads(THREADS), schedule(static, chunk))]
    for _ in 0..n {
        delay(len);
    }
}

#[parallel]
fn par_dynamic(n: usize, chunk: usize, len: usize) {
    #[parallel_for(num_threads(THREADS), schedule(dynamic, chunk))]
    for _ in 0..n {
        delay(len);
    }
}

#[parallel]
fn par_guided(n: usize, chunk: usize, len: usize) {
    #[parallel_for(num_threads(THREADS), schedule(guided, chunk))]
    for _ in 0..n {
        delay(len);
    }
}

/// No `num_threads`: below the inline threshold, the loop runs on the caller.
#[parallel]
fn par_inline(n: usize, len: usize) {
    #[parallel_for]
    for _ in 0..n {
        delay(len);
    }
}

/// A task and its wait.
#[parallel]
fn par_task_wait(len: usize) {
    #[taskgroup(num_threads(THREADS))]
    {
        #[task]
        {
            delay(len);
        }
    }
}

/// A group of `n` tasks, spawned in a loop.
#[parallel]
fn par_taskgroup(n: usize, len: usize) {
    #[taskgroup(num_threads(THREADS))]
    {
        for _ in 0..n {
            #[task]
            {
                delay(len);
            }
        }
    }
}

/// Two sections.
#[parallel]
fn par_sections(len: usize) {
    #[sections(num_threads(THREADS))]
    {
        #[section]
        {
            delay(len);
        }
        #[section]
        {
            delay(len);
        }
    }
}

// ---- the same, written with rayon (run inside the pool) ----

fn rayon_scope(n: usize, len: usize) {
    rayon::scope(|s| {
        for _ in 0..n {
            s.spawn(move |_| delay(len));
        }
    });
}

fn rayon_for(n: usize, len: usize) {
    (0..n).into_par_iter().for_each(|_| delay(len));
}

fn rayon_reduction(n: usize, len: usize) -> usize {
    (0..n)
        .into_par_iter()
        .map(|_| {
            delay(len);
            1
        })
        .sum()
}

fn rayon_chunk(n: usize, chunk: usize, len: usize) {
    (0..n)
        .into_par_iter()
        .with_min_len(chunk)
        .with_max_len(chunk)
        .for_each(|_| delay(len));
}

/// Two halves of `n` delays, one per thread of a 2-thread pool.
fn rayon_join(n: usize, len: usize) {
    let half = |m: usize| {
        for _ in 0..m {
            delay(len);
        }
    };
    rayon::join(|| half(n / 2), || half(n - n / 2));
}

/// How to run and time.
struct Settings {
    /// Timed measurements per row, each of the construct and of its
    /// reference (after one pair dropped). EPCC's default is 20; more give a
    /// steadier median on a shared machine, and a full run still takes under
    /// a minute.
    outer: usize,
    /// The least time of one measurement, in microseconds.
    target_us: f64,
    /// Run each construct a few times and check it, without timing.
    test: bool,
    /// Keep the rows whose name contains one of these (all when empty).
    filters: Vec<String>,
    /// The delay length of `DELAY_US`.
    len: usize,
}

/// What a row measures, and how to run it.
#[derive(Clone, Copy, PartialEq)]
enum Impl {
    /// The macro, called from the main thread.
    Parallel,
    /// Rayon, each construct entered through `pool.install` from outside.
    RayonInstall,
    /// Rayon, the timing loop itself inside `pool.install`.
    RayonInside,
    /// `rayon::join` of two halves, inside the pool.
    RayonJoin,
}

impl Impl {
    fn name(self) -> &'static str {
        match self {
            Impl::Parallel => "parallel",
            Impl::RayonInstall => "rayon-install",
            Impl::RayonInside => "rayon-inside",
            Impl::RayonJoin => "rayon-join",
        }
    }
}

/// What a row measures, apart from the implementation.
#[derive(Clone, Copy, PartialEq)]
struct Key {
    construct: &'static str,
    chunk: Option<usize>,
    /// The team size; 1 for the inline loop.
    threads: usize,
    /// Iterations per thread; for the inline loop, all its iterations. The
    /// reference is this many delays in a row.
    iters_per_thread: usize,
    /// Each iteration calls `delay(0)`, which returns at once, rather than a
    /// delay of [`DELAY_US`].
    trivial: bool,
}

impl Key {
    /// A construct on a team of [`THREADS`].
    fn team(construct: &'static str, chunk: Option<usize>, iters_per_thread: usize) -> Key {
        Key {
            construct,
            chunk,
            threads: THREADS,
            iters_per_thread,
            trivial: false,
        }
    }

    /// The length of each iteration's `delay()`.
    fn delay_len(&self, s: &Settings) -> usize {
        if self.trivial { 0 } else { s.len }
    }

    /// The table's line: the inline loop's rayon rows share the macro's.
    fn line(&self) -> (&'static str, Option<usize>, usize) {
        (self.construct, self.chunk, self.iters_per_thread)
    }
}

/// One row's times, in microseconds per construct.
#[derive(Default)]
struct Timing {
    /// The reference's median.
    reference_us: f64,
    /// The construct's median and least time.
    median_us: f64,
    min_us: f64,
    /// The median of the differences construct - reference, measurement by
    /// measurement.
    overhead_us: f64,
}

/// One measured row.
struct Row {
    key: Key,
    implementation: Impl,
    timing: Timing,
}

/// The microseconds that `reps` calls of `f` take.
fn run(f: &mut dyn FnMut(), reps: usize) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() * 1e6
}

/// EPCC's getinnerreps: the calls of `f`, doubled from 1, that take at
/// least the target time.
fn inner_reps(s: &Settings, f: &mut dyn FnMut()) -> usize {
    let mut inner = 1;
    while run(f, inner) < s.target_us {
        inner *= 2;
    }
    inner
}

/// The median of `v`, which is not empty.
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Times `construct` against `reference`, one measurement of each in turn.
fn measure(s: &Settings, reference: &mut dyn FnMut(), construct: &mut dyn FnMut()) -> Timing {
    if s.test {
        for _ in 0..3 {
            construct();
        }
        return Timing::default();
    }
    let (ri, ci) = (inner_reps(s, reference), inner_reps(s, construct));
    let (mut refs, mut times, mut diffs) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..=s.outer {
        let r = run(reference, ri) / ri as f64;
        let t = run(construct, ci) / ci as f64;
        if k > 0 {
            refs.push(r);
            times.push(t);
            diffs.push(t - r);
        }
    }
    let median_us = median(&mut times);
    Timing {
        reference_us: median(&mut refs),
        median_us,
        min_us: times[0], // sorted by `median`
        overhead_us: median(&mut diffs),
    }
}

/// Collects the rows.
struct Bench<'a> {
    s: &'a Settings,
    pool: &'a rayon::ThreadPool,
    rows: Vec<Row>,
}

impl Bench<'_> {
    fn wanted(&self, construct: &str, implementation: Impl) -> bool {
        self.s.filters.is_empty()
            || self.s.filters.iter().any(|f| {
                construct.contains(f.as_str()) || implementation.name().contains(f.as_str())
            })
    }

    /// Times the construct `f` against `key.iters_per_thread` delays in a
    /// row on the thread that runs the timing loop.
    fn row(&mut self, key: Key, implementation: Impl, f: &mut (dyn FnMut() + Send)) {
        if !self.wanted(key.construct, implementation) {
            return;
        }
        let s = self.s;
        let (k, len) = (key.iters_per_thread, key.delay_len(s));
        let mut reference = || {
            for _ in 0..k {
                delay(len);
            }
        };
        let timing = match implementation {
            Impl::Parallel | Impl::RayonInstall => measure(s, &mut reference, f),
            Impl::RayonInside | Impl::RayonJoin => {
                self.pool.install(|| measure(s, &mut reference, f))
            }
        };
        self.rows.push(Row {
            key,
            implementation,
            timing,
        });
    }
}

/// Panics unless a reduction counted every iteration.
fn check_count(what: &str, got: usize, want: usize) {
    assert!(
        got == want,
        "{what}: the reduction counted {got} iterations, not {want}"
    );
}

fn run_all(b: &mut Bench) {
    use Impl::{Parallel, RayonInside, RayonInstall, RayonJoin};
    let len = b.s.len;
    let pool = b.pool;
    for per in [1, ITERS_PER_THREAD] {
        let (n, key) = (THREADS * per, Key::team("parallel_for", None, per));
        b.row(key, Parallel, &mut || par_for(n, len));
        b.row(key, RayonInstall, &mut || {
            pool.install(|| rayon_for(n, len))
        });
        b.row(key, RayonInside, &mut || rayon_for(n, len));
        b.row(key, RayonJoin, &mut || rayon_join(n, len));
    }
    // 1024 iterations that do next to nothing: what a short loop pays.
    let n = TRIVIAL_ITERS;
    let key = Key {
        trivial: true,
        ..Key::team("trivial_for", None, n / THREADS)
    };
    b.row(key, Parallel, &mut || par_for(n, 0));
    b.row(key, RayonInstall, &mut || pool.install(|| rayon_for(n, 0)));
    b.row(key, RayonInside, &mut || rayon_for(n, 0));
    b.row(key, RayonJoin, &mut || rayon_join(n, 0));

    for per in [1, ITERS_PER_THREAD] {
        let (n, key) = (THREADS * per, Key::team("reduction", None, per));
        b.row(key, Parallel, &mut || {
            check_count("parallel", par_reduction(n, len), n);
        });
        b.row(key, RayonInstall, &mut || {
            check_count("rayon", pool.install(|| rayon_reduction(n, len)), n);
        });
        b.row(key, RayonInside, &mut || {
            check_count("rayon", rayon_reduction(n, len), n);
        });
    }

    let (n, per) = (THREADS * ITERS_PER_THREAD, ITERS_PER_THREAD);
    let key = Key::team("static", None, per);
    b.row(key, Parallel, &mut || par_static(n, len));
    for c in CHUNKS {
        let key = Key::team("static_chunk", Some(c), per);
        b.row(key, Parallel, &mut || par_static_chunk(n, c, len));
    }
    for c in CHUNKS {
        let key = Key::team("dynamic", Some(c), per);
        b.row(key, Parallel, &mut || par_dynamic(n, c, len));
        b.row(key, RayonInstall, &mut || {
            pool.install(|| rayon_chunk(n, c, len));
        });
        b.row(key, RayonInside, &mut || rayon_chunk(n, c, len));
    }
    for c in CHUNKS {
        let key = Key::team("guided", Some(c), per);
        b.row(key, Parallel, &mut || par_guided(n, c, len));
    }

    run_tasks(b);

    // Against the plain loop of all 8 iterations: what the construct costs a
    // loop too small to be worth a team.
    let n = INLINE_ITERS;
    let key = Key {
        construct: "inline",
        chunk: None,
        threads: 1,
        iters_per_thread: n,
        trivial: false,
    };
    b.row(key, Parallel, &mut || par_inline(n, len));
    let key = Key {
        threads: THREADS,
        ..key
    };
    b.row(key, RayonInstall, &mut || {
        pool.install(|| rayon_for(n, len))
    });
    b.row(key, RayonInside, &mut || rayon_for(n, len));
}

/// The task rows: a spawn and its wait, a group of [`GROUP_TASKS`], two
/// sections.
fn run_tasks(b: &mut Bench) {
    use Impl::{Parallel, RayonInside, RayonJoin};
    let len = b.s.len;
    let key = Key::team("task_wait", None, 1);
    b.row(key, Parallel, &mut || par_task_wait(len));
    b.row(key, RayonJoin, &mut || {
        rayon::join(|| delay(len), || ());
    });
    let n = GROUP_TASKS;
    let key = Key::team("taskgroup", None, n / THREADS);
    b.row(key, Parallel, &mut || par_taskgroup(n, len));
    b.row(key, RayonInside, &mut || rayon_scope(n, len));
    let key = Key::team("sections", None, 1);
    b.row(key, Parallel, &mut || par_sections(len));
    b.row(key, RayonJoin, &mut || {
        rayon::join(|| delay(len), || delay(len));
    });
}

fn fmt_us(us: Option<f64>) -> String {
    us.map_or_else(|| "-".to_string(), |us| format!("{us:.2}"))
}

/// The rows as a table: one line per construct, one column per implementation.
fn table(s: &Settings, rows: &[Row]) -> String {
    let impls = [
        Impl::Parallel,
        Impl::RayonInstall,
        Impl::RayonInside,
        Impl::RayonJoin,
    ];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "EPCC-style overheads: team of {THREADS}, delay {DELAY_US} µs (length {}), median of {} runs of >= {} µs",
        s.len, s.outer, s.target_us
    );
    let _ = writeln!(
        out,
        "overhead = median of (time per construct - the same delays run sequentially), µs per construct\n"
    );
    let _ = write!(
        out,
        "{:<14} {:>6} {:>12} {:>10}",
        "construct", "chunk", "iters/thread", "reference"
    );
    for i in impls {
        let _ = write!(out, " {:>13}", i.name());
    }
    out.push('\n');
    let mut seen = Vec::new();
    for r in rows {
        let line = r.key.line();
        if seen.contains(&line) {
            continue;
        }
        seen.push(line);
        let (construct, chunk, iters) = line;
        let chunk = chunk.map_or_else(|| "-".to_string(), |c| c.to_string());
        let _ = write!(
            out,
            "{construct:<14} {chunk:>6} {iters:>12} {:>10.2}",
            r.timing.reference_us
        );
        for i in impls {
            let cell = rows
                .iter()
                .find(|q| q.key.line() == line && q.implementation == i)
                .map(|q| q.timing.overhead_us);
            let _ = write!(out, " {:>13}", fmt_us(cell));
        }
        out.push('\n');
    }
    out
}

fn csv(s: &Settings, rows: &[Row]) -> String {
    let mut out = String::from(
        "impl,construct,chunk,threads,iters_per_thread,delay_us,delay_length,reference_us,median_us,min_us,overhead_us\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{:.4},{:.4},{:.4},{:.4}",
            r.implementation.name(),
            r.key.construct,
            r.key.chunk.map_or_else(String::new, |c| c.to_string()),
            r.key.threads,
            r.key.iters_per_thread,
            if r.key.trivial { 0.0 } else { DELAY_US },
            r.key.delay_len(s),
            r.timing.reference_us,
            r.timing.median_us,
            r.timing.min_us,
            r.timing.overhead_us
        );
    }
    out
}

/// `$PARALLEL_BENCH_RESULTS`, else `bench-results` in Cargo's target
/// directory (`$CARGO_TARGET_DIR`, else `target` under the package root,
/// where `cargo bench` runs benches).
fn results_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PARALLEL_BENCH_RESULTS") {
        return dir.into();
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), PathBuf::from);
    target.join("bench-results")
}

fn main() {
    let mut bench = false;
    let mut quick =
        std::env::var_os("PARALLEL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let mut filters = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--bench" => bench = true,
            "--quick" => quick = true,
            a if a.starts_with('-') => {} // cargo's and libtest's flags, e.g. --nocapture
            a => filters.push(a.to_string()),
        }
    }
    let mut s = Settings {
        outer: if quick { 5 } else { 100 },
        target_us: if quick { 200.0 } else { 1000.0 },
        test: !bench,
        filters,
        len: 1,
    };
    if !s.test {
        s.len = calibrate(DELAY_US);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(THREADS)
        .build()
        .expect("cannot build a rayon pool");
    let mut b = Bench {
        s: &s,
        pool: &pool,
        rows: Vec::new(),
    };
    run_all(&mut b);
    let rows = b.rows;
    if s.test {
        println!(
            "overhead: {} constructs ran and checked (test mode, nothing timed)",
            rows.len()
        );
        return;
    }
    if rows.is_empty() {
        println!("overhead: no construct matches the filter");
        return;
    }
    print!("{}", table(&s, &rows));
    let dir = results_dir();
    let file = dir.join("overhead-rust.csv");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, csv(&s, &rows)))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    println!("\nwrote {}", file.display());
}
