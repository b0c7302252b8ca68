//! Under load: the parallel loops against the plain ones while the bench's
//! own competing busy processes (0, 1, 2 and 4 of them) share the CPUs, with
//! the same kernels in C with libgomp run beside them under the same load.
//!
//! Kernels, each on the default team (`--threads`, 2 by default, which is
//! `OMP_NUM_THREADS` for the C side):
//!
//! - `jacobi`: a 1-D Jacobi sweep of 20 000 cells, 1 000 times: 1 000 short
//!   loops (`parallel_for`);
//! - `axpy`: `y[i] = 0.5 * y[i] + x[i]` over 4 096 elements, 20 000 times:
//!   loops of a few microseconds (`parallel_for`);
//! - `sum`: one reduction over 2^24 `f64` (`parallel_for(reduction(+: s))`).
//!
//! Each load level starts its busy processes (copies of this binary that
//! spin), waits a moment, then runs each kernel `runs` times, the plain
//! loop and the parallel one in turns, and then the C binary, which does
//! the same. A cell of the table is the median over the runs of par/seq of
//! one pair of runs (lower is better; 1.0: no gain); the worst pair is
//! shown too. Every parallel result is checked against the plain one.
//!
//! `cargo bench --bench contention [-- --quick] [-- --threads N]`. The C
//! side is built into `target/c-bench/contention` with `gcc` (or `$CC`);
//! without a compiler with OpenMP its column says so. Results: the
//! terminal, and `target/bench-results/contention.md`. Run it on an
//! otherwise idle machine: the point is the load it makes itself. Without
//! `--bench` (as `cargo test --benches` runs it) each kernel runs once at
//! small sizes, checked, nothing timed, no busy process started.

use parallel::parallel;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The loads: how many busy processes compete.
const LOADS: [usize; 4] = [0, 1, 2, 4];

struct Sizes {
    jacobi: usize,
    sweeps: usize,
    axpy: usize,
    loops: usize,
    sum: usize,
    runs: usize,
}

const FULL: Sizes = Sizes {
    jacobi: 20_000,
    sweeps: 1000,
    axpy: 4096,
    loops: 20_000,
    sum: 1 << 24,
    runs: 11,
};

const QUICK: Sizes = Sizes {
    jacobi: 4096,
    sweeps: 100,
    axpy: 4096,
    loops: 1000,
    sum: 1 << 20,
    runs: 3,
};

// ---- the kernels ----

fn jacobi_seq(a: &mut [f64], b: &mut [f64], sweeps: usize) {
    let n = a.len();
    for _ in 0..sweeps / 2 {
        for i in 1..n - 1 {
            b[i] = (a[i - 1] + a[i] + a[i + 1]) * (1.0 / 3.0);
        }
        for i in 1..n - 1 {
            a[i] = (b[i - 1] + b[i] + b[i + 1]) * (1.0 / 3.0);
        }
    }
}

#[parallel]
fn jacobi_step(src: &[f64], dst: &mut [f64]) {
    let n = src.len();
    #[parallel_for]
    for i in 1..n - 1 {
        dst[i] = (src[i - 1] + src[i] + src[i + 1]) * (1.0 / 3.0);
    }
}

fn jacobi_par(a: &mut [f64], b: &mut [f64], sweeps: usize) {
    for _ in 0..sweeps / 2 {
        jacobi_step(a, b);
        jacobi_step(b, a);
    }
}

fn axpy_seq(x: &[f64], y: &mut [f64], loops: usize) {
    for _ in 0..loops {
        for i in 0..y.len() {
            y[i] = 0.5 * y[i] + x[i];
        }
    }
}

#[parallel]
fn axpy_step(x: &[f64], y: &mut [f64]) {
    #[parallel_for]
    for i in 0..y.len() {
        y[i] = 0.5 * y[i] + x[i];
    }
}

fn axpy_par(x: &[f64], y: &mut [f64], loops: usize) {
    for _ in 0..loops {
        axpy_step(x, y);
    }
}

fn sum_seq(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v;
    }
    s
}

#[parallel]
fn sum_par(x: &[f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(reduction(+: s))]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

fn fill(n: usize) -> Vec<f64> {
    (0..n).map(|i| ((i * 7919) % 1000) as f64 * 1e-3).collect()
}

// ---- timing ----

/// Medians of one kernel: seq and par seconds, par/seq, worst par/seq.
#[derive(Clone, Copy, Debug)]
struct Timing {
    seq: f64,
    par: f64,
    ratio: f64,
    worst: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the plain loop (`run(false)`) and the parallel one (`run(true)`,
/// which says whether its result matches) in turns, `runs` times.
fn pairs(runs: usize, mut run: impl FnMut(bool) -> bool) -> Timing {
    let (mut s, mut p, mut r) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let t0 = Instant::now();
        run(false);
        let t1 = Instant::now();
        assert!(run(true), "a parallel result differs from the plain loop's");
        let t2 = Instant::now();
        s.push((t1 - t0).as_secs_f64());
        p.push((t2 - t1).as_secs_f64());
        r.push((t2 - t1).as_secs_f64() / (t1 - t0).as_secs_f64());
    }
    let worst = r.iter().copied().fold(0.0, f64::max);
    Timing {
        seq: median(&mut s),
        par: median(&mut p),
        ratio: median(&mut r),
        worst,
    }
}

fn rust_kernels(z: &Sizes) -> Vec<(&'static str, Timing)> {
    let mut out = Vec::new();
    let (mut a0, mut b0) = (fill(z.jacobi), fill(z.jacobi));
    let (mut a1, mut b1) = (fill(z.jacobi), fill(z.jacobi));
    let start = fill(z.jacobi);
    let jacobi = pairs(z.runs, |par| {
        if !par {
            a0.copy_from_slice(&start);
            b0.copy_from_slice(&start);
            jacobi_seq(&mut a0, &mut b0, z.sweeps);
            return true;
        }
        a1.copy_from_slice(&start);
        b1.copy_from_slice(&start);
        jacobi_par(&mut a1, &mut b1, z.sweeps);
        a0 == a1
    });
    out.push(("jacobi", jacobi));
    let x = fill(z.axpy);
    let (mut y0, mut y1) = (fill(z.axpy), fill(z.axpy));
    let axpy = pairs(z.runs, |par| {
        if !par {
            y0.copy_from_slice(&x);
            axpy_seq(&x, &mut y0, z.loops);
            return true;
        }
        y1.copy_from_slice(&x);
        axpy_par(&x, &mut y1, z.loops);
        y0 == y1
    });
    out.push(("axpy", axpy));
    let x = fill(z.sum);
    let abs: f64 = x.iter().map(|v| v.abs()).sum();
    let bound = 2.0 * z.sum as f64 * f64::EPSILON * abs;
    let mut want = 0.0;
    let sum = pairs(z.runs, |par| {
        if !par {
            want = std::hint::black_box(sum_seq(&x));
            return true;
        }
        (std::hint::black_box(sum_par(&x)) - want).abs() <= bound
    });
    out.push(("sum", sum));
    out
}

// ---- the C side ----

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), PathBuf::from)
}

/// Builds `benches/c/contention.c`; `Err` says why not.
fn build_c() -> Result<PathBuf, String> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    let dir = target_dir().join("c-bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let exe = dir.join("contention");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/c/contention.c");
    let status = Command::new(&cc)
        .args([
            "-O3",
            "-march=native",
            "-ffp-contract=off",
            "-fopenmp",
            "-o",
        ])
        .arg(&exe)
        .arg(&src)
        .arg("-lm")
        .status()
        .map_err(|e| format!("{cc} not found ({e})"))?;
    if !status.success() {
        return Err(format!("{cc} -fopenmp failed on {}", src.display()));
    }
    Ok(exe)
}

/// Runs the C kernels; `None` if they fail.
fn c_kernels(exe: &Path, quick: bool, threads: usize) -> Option<Vec<(String, Timing)>> {
    let mut cmd = Command::new(exe);
    if quick {
        cmd.arg("--quick");
    }
    let out = cmd
        .env("OMP_NUM_THREADS", threads.to_string())
        .stderr(Stdio::inherit())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let rows = text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let n = |i: usize| f.get(i)?.parse::<f64>().ok();
            Some((
                f.first()?.to_string(),
                Timing {
                    seq: n(1)?,
                    par: n(2)?,
                    ratio: n(3)?,
                    worst: n(4)?,
                },
            ))
        })
        .collect();
    Some(rows)
}

// ---- the load ----

/// Busy processes, killed on drop.
struct Busy(Vec<Child>);

impl Busy {
    fn start(n: usize) -> Busy {
        let exe = std::env::current_exe().expect("the bench's own path");
        let children = (0..n)
            .map(|_| {
                Command::new(&exe)
                    .env("PARALLEL_CONTENTION_BUSY", "1")
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("cannot start a busy process")
            })
            .collect();
        // Let the scheduler spread them.
        std::thread::sleep(Duration::from_millis(300));
        Busy(children)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A busy process: spins until killed (or for ten minutes at most).
fn busy() -> ! {
    let start = Instant::now();
    let mut x = 0u64;
    while start.elapsed() < Duration::from_secs(600) {
        for _ in 0..1_000_000 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
    std::process::exit(0);
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn main() {
    if std::env::var_os("PARALLEL_CONTENTION_BUSY").is_some() {
        busy();
    }
    let mut bench = false;
    let mut quick =
        std::env::var_os("PARALLEL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let mut threads = 2;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bench" => bench = true,
            "--quick" => quick = true,
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .filter(|&t| t > 0)
                    .expect("--threads needs a positive number")
            }
            _ => {} // cargo's and libtest's flags
        }
    }
    parallel::set_num_threads(threads);
    if !bench {
        let z = Sizes {
            runs: 1,
            loops: 10,
            sweeps: 10,
            ..QUICK
        };
        let rows = rust_kernels(&z);
        println!(
            "contention: {} kernels ran and checked (test mode, nothing timed)",
            rows.len()
        );
        return;
    }
    let z = if quick { &QUICK } else { &FULL };
    let c = build_c();
    if let Err(why) = &c {
        eprintln!("contention: no C column: {why}");
    }
    println!(
        "contention: {threads} threads, {} CPUs, {} runs per cell; load average before: {}; \
         OMP_PROC_BIND={}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        z.runs,
        loadavg(),
        std::env::var("OMP_PROC_BIND").unwrap_or_else(|_| "(unset)".into())
    );
    let mut table: Vec<Level> = Vec::new();
    for load in LOADS {
        eprintln!("== {load} busy");
        let _busy = Busy::start(load);
        let rust: Vec<(String, Timing)> = rust_kernels(z)
            .into_iter()
            .map(|(k, t)| (k.to_string(), t))
            .collect();
        for (k, t) in &rust {
            eprintln!("   rust {k}: {t:?}");
        }
        let cside = c
            .as_ref()
            .ok()
            .and_then(|exe| c_kernels(exe, quick, threads));
        if let Some(rows) = &cside {
            for (k, t) in rows {
                eprintln!("   C    {k}: {t:?}");
            }
        }
        table.push((load, rust, cside));
    }
    let md = markdown(&table);
    println!("\n{md}");
    let dir = std::env::var_os("PARALLEL_BENCH_RESULTS")
        .map_or_else(|| target_dir().join("bench-results"), PathBuf::from);
    let file = dir.join("contention.md");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, &md))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
    println!(
        "load average after: {}\nwrote {}",
        loadavg(),
        file.display()
    );
}

/// One load level: how many busy processes, the Rust timings, the C ones.
type Level = (usize, Vec<(String, Timing)>, Option<Vec<(String, Timing)>>);
type Table = [Level];

/// The table: a row per kernel and side, a column per load.
fn markdown(table: &Table) -> String {
    let mut out = String::from("| kernel | side |");
    for (load, ..) in table {
        out.push_str(&format!(" {load} busy |"));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---:|".repeat(table.len()));
    out.push('\n');
    let kernels: Vec<String> = table[0].1.iter().map(|(k, _)| k.clone()).collect();
    let cell = |t: Option<&Timing>| match t {
        Some(t) => format!(" {:.2} (worst {:.2}) |", t.ratio, t.worst),
        None => " - |".to_string(),
    };
    for k in &kernels {
        out.push_str(&format!("| {k} | parallel |"));
        for (_, rust, _) in table {
            out.push_str(&cell(rust.iter().find(|(n, _)| n == k).map(|(_, t)| t)));
        }
        out.push_str(&format!("\n| {k} | libgomp |"));
        for (_, _, c) in table {
            let t = c
                .as_ref()
                .and_then(|c| c.iter().find(|(n, _)| n == k).map(|(_, t)| t));
            out.push_str(&cell(t));
        }
        out.push('\n');
    }
    out.push_str(
        "\nmedian par/seq of paired runs (worst pair in parentheses); medians seq / par, \
         Rust, at the first load: ",
    );
    let seqs: Vec<String> = kernels
        .iter()
        .map(|k| match table[0].1.iter().find(|(n, _)| n == k) {
            Some((_, t)) => format!("{k} {:.2} / {:.2} ms", t.seq * 1e3, t.par * 1e3),
            None => format!("{k} -"),
        })
        .collect();
    out.push_str(&seqs.join(", "));
    out.push('\n');
    out
}
