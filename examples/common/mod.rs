//! What every example shares: the command line, best-of-N timing, the
//! sequential-versus-parallel check and the results table.
//!
//! Each pattern file includes this module as `crate::common` and exposes a
//! [`Pattern`]; its `main` and the tour's `main` both call [`main`], with one
//! pattern or with all of them.

use std::fmt::Write as _;

/// One pattern of the tour: its kernels are run and compared by `run`.
pub struct Pattern {
    /// Short name, also the example's file name.
    pub name: &'static str,
    /// The loop directive the parallel kernel uses, as written in the source.
    pub directive: &'static str,
    /// Problem size for a release run: roughly 0.1–1 s sequentially.
    pub full: usize,
    /// Problem size for `--quick`: a few milliseconds, even in a debug build.
    pub quick: usize,
    /// Runs both kernels at a size, best of `reps` timings each, and checks them.
    pub run: fn(size: usize, reps: usize) -> Row,
}

/// The outcome of one pattern: one line of the table.
pub struct Row {
    pub pattern: &'static str,
    pub directive: &'static str,
    /// The problem size in the pattern's own terms, e.g. `n = 1000`.
    pub size: String,
    /// Best sequential and parallel times, in seconds.
    pub seq: f64,
    pub par: f64,
    pub check: Check,
}

/// Whether the parallel result matches the sequential one, and how closely.
pub struct Check {
    pub ok: bool,
    pub detail: String,
}

impl Check {
    /// Element-for-element equality. Right for integers, and for floats when
    /// each element goes through the same operations in the same order in
    /// both versions (no reduction across iterations).
    pub fn exact<T: PartialEq, V: AsRef<[T]>>(seq: &V, par: &V) -> Check {
        let (seq, par) = (seq.as_ref(), par.as_ref());
        let (ok, detail) = match seq.iter().zip(par).position(|(s, p)| s != p) {
            Some(k) => (false, format!("element {k} differs")),
            None if seq.len() != par.len() => (
                false,
                format!("lengths differ: {} vs {}", seq.len(), par.len()),
            ),
            None => (true, format!("all {} elements identical", seq.len())),
        };
        Check { ok, detail }
    }

    /// Agreement to a relative tolerance, for float reductions: a parallel
    /// reduction adds the partial sums in another order than the sequential
    /// loop, so the last bits may differ.
    pub fn close(seq: f64, par: f64, tol: f64) -> Check {
        let rel = (seq - par).abs() / seq.abs().max(f64::MIN_POSITIVE);
        Check {
            ok: rel <= tol,
            detail: format!(
                "{seq:.15} vs {par:.15}: relative difference {rel:.1e} (tolerance {tol:.0e})"
            ),
        }
    }
}

/// Times `kernel` `reps` times on a fresh `input()` each (building the input
/// is not timed) and returns the best time with the last result.
pub fn best_of<I, O>(reps: usize, input: impl Fn() -> I, kernel: impl Fn(I) -> O) -> (f64, O) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps.max(1) {
        let data = input();
        let start = parallel::wtime();
        let result = kernel(data);
        best = best.min(parallel::wtime() - start);
        out = Some(result);
    }
    (best, out.expect("at least one repetition"))
}

/// A kernel that updates its input in place, as one that returns it.
pub fn in_place<T>(kernel: impl Fn(&mut T)) -> impl Fn(T) -> T {
    move |mut data| {
        kernel(&mut data);
        data
    }
}

/// Runs the sequential and the parallel kernel on the same input, best of
/// `reps` each, and checks the two results against each other.
pub fn compare<I, O>(
    pattern: &Pattern,
    size: String,
    reps: usize,
    input: impl Fn() -> I,
    seq: impl Fn(I) -> O,
    par: impl Fn(I) -> O,
    check: impl Fn(&O, &O) -> Check,
) -> Row {
    let (seq_time, seq_out) = best_of(reps, &input, seq);
    let (par_time, par_out) = best_of(reps, &input, par);
    Row {
        pattern: pattern.name,
        directive: pattern.directive,
        size,
        seq: seq_time,
        par: par_time,
        check: check(&seq_out, &par_out),
    }
}

/// The command line shared by every example: `[--quick] [--threads N]`.
pub struct Args {
    pub quick: bool,
    pub threads: Option<usize>,
}

impl Args {
    fn parse() -> Args {
        let mut args = Args {
            quick: false,
            threads: None,
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--quick" => args.quick = true,
                "--threads" => match it.next().and_then(|n| n.parse().ok()) {
                    Some(n) if n > 0 => args.threads = Some(n),
                    _ => usage("--threads needs a positive number, e.g. --threads 2"),
                },
                "-h" | "--help" => usage(""),
                other => usage(&format!("unknown argument `{other}`")),
            }
        }
        args
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!("usage: cargo run --release --example <name> -- [--quick] [--threads N]");
    eprintln!("  --quick      tiny problem sizes (a smoke test, also fine in a debug build)");
    eprintln!("  --threads N  call parallel::set_num_threads(N) first");
    std::process::exit(if problem.is_empty() { 0 } else { 2 });
}

/// The `main` of every example: runs `patterns` (progress on stderr), prints
/// the table on stdout, and exits with status 1 if any check failed.
pub fn main(patterns: &[Pattern]) {
    let args = Args::parse();
    if let Some(n) = args.threads {
        parallel::set_num_threads(n);
    }
    let reps = if args.quick { 1 } else { 3 };
    let mut rows = Vec::new();
    for (k, p) in patterns.iter().enumerate() {
        let size = if args.quick { p.quick } else { p.full };
        eprint!("[{}/{}] {:<10} ", k + 1, patterns.len(), p.name);
        let row = (p.run)(size, reps);
        eprintln!(
            "{}: sequential {}, parallel {} ({})",
            row.size,
            secs(row.seq),
            secs(row.par),
            row.check.detail
        );
        rows.push(row);
    }
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "{} thread(s), best of {reps}, {build} build{}",
        parallel::max_threads(),
        if args.quick { ", --quick sizes" } else { "" }
    );
    println!();
    print!("{}", table(&rows));
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| !r.check.ok)
        .map(|r| r.pattern)
        .collect();
    if !failed.is_empty() {
        eprintln!(
            "FAILED: the parallel result differs from the sequential one for {}",
            failed.join(", ")
        );
        std::process::exit(1);
    }
}

fn secs(t: f64) -> String {
    match t {
        1.0.. => format!("{t:.2} s"),
        1e-3.. => format!("{:.1} ms", t * 1e3),
        _ => format!("{:.0} µs", t * 1e6),
    }
}

/// The rows as a Markdown table, padded so that it also reads well in a terminal.
fn table(rows: &[Row]) -> String {
    let header = [
        "pattern",
        "directive",
        "size",
        "sequential",
        "parallel",
        "speedup",
        "check",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.pattern.to_owned(),
                format!("`{}`", r.directive),
                r.size.clone(),
                secs(r.seq),
                secs(r.par),
                format!("{:.2}x", r.seq / r.par),
                (if r.check.ok { "ok" } else { "FAILED" }).to_owned(),
            ]
        })
        .collect();
    let width = |c: usize| {
        cells
            .iter()
            .map(|row| row[c].chars().count())
            .chain([header[c].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    // Text columns left-aligned, numbers right-aligned.
    let right = |c: usize| (3..6).contains(&c);
    let line = |row: &[&str]| {
        let mut s = String::from("|");
        for (c, cell) in row.iter().enumerate() {
            let w = widths[c];
            let _ = if right(c) {
                write!(s, " {cell:>w$} |")
            } else {
                write!(s, " {cell:<w$} |")
            };
        }
        s + "\n"
    };
    let mut out = line(&header);
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(c, &w)| {
            if right(c) {
                format!("{}:", "-".repeat(w - 1))
            } else {
                "-".repeat(w)
            }
        })
        .collect();
    out += &line(&rule.iter().map(String::as_str).collect::<Vec<_>>());
    for row in &cells {
        out += &line(&row.iter().map(String::as_str).collect::<Vec<_>>());
    }
    out
}
