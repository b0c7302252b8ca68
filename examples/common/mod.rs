//! What every example shares: the command line, best-of-N timing, the
//! sequential-versus-parallel check, the results table and the PNG writer.
//!
//! Each pattern file includes this module as `crate::common` and exposes a
//! [`Pattern`]; its `main` and the tour's `main` both call [`main`], with one
//! pattern or with all of them. `tests/test_tour.rs` includes the same files
//! and calls [`run`] and [`report`], the parts of [`main`] that do not exit.

use std::fmt::Write as _;
use std::hint::black_box;
use std::io;
use std::path::{Path, PathBuf};

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
    /// A picture of the result, written as a PNG by [`main`] (not with `--quick`).
    pub image: Option<Image>,
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

    /// Agreement of two float sums of the same `n` terms, added in different
    /// orders: each is within about `n·ε·Σ|xᵢ|` of the exact sum, so they may
    /// differ by twice that, and no more. `abs_sum` is `Σ|xᵢ|`.
    pub fn sums(seq: f64, par: f64, n: usize, abs_sum: f64) -> Check {
        Check::sums_eps(seq, par, n, abs_sum, f64::EPSILON)
    }

    /// [`Check::sums`] of `f32` sums: the bound with `f32::EPSILON`.
    pub fn sums_f32(seq: f32, par: f32, n: usize, abs_sum: f64) -> Check {
        Check::sums_eps(
            f64::from(seq),
            f64::from(par),
            n,
            abs_sum,
            f64::from(f32::EPSILON),
        )
    }

    fn sums_eps(seq: f64, par: f64, n: usize, abs_sum: f64, eps: f64) -> Check {
        let bound = 2.0 * n as f64 * eps * abs_sum;
        let diff = (seq - par).abs();
        Check {
            ok: diff <= bound,
            detail: format!(
                "{seq:.15} vs {par:.15}: differ by {diff:.1e}, bound 2nε·Σ|x| = {bound:.1e}"
            ),
        }
    }
}

/// An RGB picture of a result, 8 bits per channel, row by row from the top.
pub struct Image {
    /// File name, e.g. `mandelbrot.png`.
    pub file: &'static str,
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<[u8; 3]>,
}

impl Image {
    /// Encodes the picture as a PNG (with the `png` crate) into `out`.
    pub fn encode(&self, out: impl io::Write) -> io::Result<()> {
        let size = |v: usize| u32::try_from(v).map_err(io::Error::other);
        let mut encoder = png::Encoder::new(out, size(self.width)?, size(self.height)?);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(io::Error::other)?;
        writer
            .write_image_data(self.rgb.as_flattened())
            .map_err(io::Error::other)?;
        writer.finish().map_err(io::Error::other)
    }

    /// Writes the PNG into `dir` and returns its path.
    pub fn write(&self, dir: &Path) -> io::Result<PathBuf> {
        let path = dir.join(self.file);
        let file = std::fs::File::create(&path)?;
        self.encode(io::BufWriter::new(file))?;
        Ok(path)
    }
}

/// Linear interpolation through evenly spaced colours; `t` is clamped to 0..=1.
pub fn ramp(stops: &[[u8; 3]], t: f64) -> [u8; 3] {
    let x = t.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
    let k = (x as usize).min(stops.len() - 2);
    let f = x - k as f64;
    let mix =
        |c: usize| (stops[k][c] as f64 * (1.0 - f) + stops[k + 1][c] as f64 * f).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// Where the examples write their images: the Cargo target directory (the
/// examples run from `<target>/<profile>/examples/`), else the current one.
pub fn image_dir() -> PathBuf {
    let exe = std::env::current_exe().ok();
    let target = exe.as_deref().and_then(|exe| {
        let examples = exe.parent()?;
        (examples.file_name()? == "examples").then_some(examples.parent()?.parent()?)
    });
    match target {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("."),
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
/// `reps` each, and checks the two results against each other. Returns the
/// row and the parallel result.
pub fn compare<I, O>(
    pattern: &Pattern,
    size: String,
    reps: usize,
    input: impl Fn() -> I,
    seq: impl Fn(I) -> O,
    par: impl Fn(I) -> O,
    check: impl Fn(&O, &O) -> Check,
) -> (Row, O) {
    let (seq_time, seq_out) = best_of(reps, &input, seq);
    let (par_time, par_out) = best_of(reps, &input, par);
    let row = Row {
        pattern: pattern.name,
        directive: pattern.directive,
        size,
        seq: seq_time,
        par: par_time,
        check: check(&seq_out, &par_out),
        image: None,
    };
    (row, par_out)
}

/// Calls `kernel` `times` times and returns the last result, for kernels
/// too quick to time once. Both the kernel and its result pass through
/// `black_box`, so that the optimizer cannot call a kernel without side
/// effects only once.
pub fn repeat<O>(times: usize, kernel: impl Fn() -> O) -> O {
    let mut out = black_box(&kernel)();
    for _ in 1..times {
        out = black_box(black_box(&kernel)());
    }
    out
}

/// The command line shared by every example: `[--quick] [--threads N]
/// [--trace]`.
#[derive(Debug)]
pub struct Options {
    pub quick: bool,
    pub threads: Option<usize>,
    /// Record what ran and write it as a Chrome trace (`target/trace.json`).
    pub trace: bool,
}

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut opts = Options {
            quick: false,
            threads: None,
            trace: false,
        };
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--quick" => opts.quick = true,
                "--trace" => opts.trace = true,
                "--threads" => match it.next().and_then(|n| n.parse().ok()) {
                    Some(n) if n > 0 => opts.threads = Some(n),
                    _ => return Err("--threads needs a positive number, e.g. --threads 2".into()),
                },
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(opts)
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!("usage: cargo run --release --example <name> -- [--quick] [--threads N] [--trace]");
    eprintln!(
        "  --quick      tiny problem sizes, no images (a smoke test, also fine in a debug build)"
    );
    eprintln!("  --threads N  call parallel::set_num_threads(N) first");
    eprintln!(
        "  --trace      record what ran and write it as Chrome trace events to target/trace.json \
         (open it in Perfetto or chrome://tracing)"
    );
    std::process::exit(if problem.is_empty() { 0 } else { 2 });
}

/// Runs `patterns` at the sizes `opts` asks for, with progress on stderr.
pub fn run(patterns: &[Pattern], opts: &Options) -> Vec<Row> {
    if let Some(n) = opts.threads {
        parallel::set_num_threads(n);
    }
    let reps = reps(opts);
    let mut rows = Vec::new();
    for (k, p) in patterns.iter().enumerate() {
        let size = if opts.quick { p.quick } else { p.full };
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
    rows
}

fn reps(opts: &Options) -> usize {
    if opts.quick { 1 } else { 3 }
}

/// What [`main`] prints on stdout: a line on how the rows were measured, then
/// the table.
pub fn report(rows: &[Row], opts: &Options) -> String {
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    format!(
        "{} thread(s), best of {}, {build} build{}\n\n{}",
        parallel::max_threads(),
        reps(opts),
        if opts.quick { ", --quick sizes" } else { "" },
        table(rows)
    )
}

/// The names of the patterns whose check failed.
pub fn failures(rows: &[Row]) -> Vec<&'static str> {
    rows.iter()
        .filter(|r| !r.check.ok)
        .map(|r| r.pattern)
        .collect()
}

/// The `main` of every example: runs `patterns` (progress on stderr), prints
/// the table on stdout, writes the patterns' images (not with `--quick`) and
/// exits with status 1 if any check failed.
pub fn main(patterns: &[Pattern]) -> Options {
    let opts = Options::parse(std::env::args().skip(1)).unwrap_or_else(|e| usage(&e));
    if opts.trace {
        parallel::trace_start();
    }
    let rows = run(patterns, &opts);
    if opts.trace {
        let path = image_dir().join("trace.json");
        let trace = parallel::trace_take();
        match std::fs::write(&path, trace.to_json()) {
            Ok(()) => eprintln!(
                "wrote {} ({} chunks on {} threads)",
                path.display(),
                trace.chunks().count(),
                trace.threads.len()
            ),
            Err(e) => eprintln!("could not write {}: {e}", path.display()),
        }
    }
    print!("{}", report(&rows, &opts));
    let images: Vec<&Image> = rows.iter().filter_map(|r| r.image.as_ref()).collect();
    if !images.is_empty() && !opts.quick {
        let dir = image_dir();
        let cwd = std::env::current_dir().unwrap_or_default();
        println!();
        for image in images {
            match image.write(&dir) {
                Ok(path) => println!(
                    "wrote {} ({}×{})",
                    path.strip_prefix(&cwd).unwrap_or(&path).display(),
                    image.width,
                    image.height
                ),
                Err(e) => eprintln!("could not write {}: {e}", dir.join(image.file).display()),
            }
        }
    }
    let failed = failures(&rows);
    if !failed.is_empty() {
        eprintln!(
            "FAILED: the parallel result differs from the sequential one for {}",
            failed.join(", ")
        );
        std::process::exit(1);
    }
    opts
}

/// A picture of the first loop call in `trace`: a band per thread, time from left to right across `width` pixels, each chunk a bar
/// coloured by where its iterations lie in the loop (blue at the start,
/// through green, to red at the end), idle time light grey.
pub fn timeline(trace: &parallel::Trace, file: &'static str, width: usize) -> Option<Image> {
    const BAND: usize = 22;
    const GAP: usize = 6;
    const HUES: [[u8; 3]; 6] = [
        [49, 99, 176],
        [66, 160, 200],
        [94, 180, 110],
        [214, 190, 60],
        [230, 130, 50],
        [200, 60, 60],
    ];
    let first = trace.chunks().next()?;
    let (name, call) = (first.name.clone(), first.call);
    let chunks: Vec<&parallel::Slice> = trace
        .chunks()
        .filter(|s| s.name == name && s.call == call)
        .collect();
    let len = chunks.iter().map(|s| s.hi).max()?;
    let t0 = chunks.iter().map(|s| s.start_us).fold(f64::MAX, f64::min);
    let t1 = chunks
        .iter()
        .map(|s| s.start_us + s.dur_us)
        .fold(0.0, f64::max);
    // The threads, in the order of the lowest member each ran as.
    let mut threads: Vec<(usize, usize)> = Vec::new();
    for s in &chunks {
        match threads.iter_mut().find(|(t, _)| *t == s.thread) {
            Some((_, m)) => *m = (*m).min(s.member),
            None => threads.push((s.thread, s.member)),
        }
    }
    threads.sort_by_key(|&(_, m)| m);
    let height = threads.len() * (BAND + GAP) + GAP;
    let mut rgb = vec![[255, 255, 255]; width * height];
    let x_of = |t: f64| (((t - t0) / (t1 - t0).max(1e-9)) * width as f64) as usize;
    for (row, &(thread, _)) in threads.iter().enumerate() {
        let top = GAP + row * (BAND + GAP);
        for y in top..top + BAND {
            rgb[y * width..(y + 1) * width].fill([232, 232, 232]);
        }
        for s in chunks.iter().filter(|s| s.thread == thread) {
            let (a, b) = (
                x_of(s.start_us),
                x_of(s.start_us + s.dur_us).max(x_of(s.start_us) + 1),
            );
            let hue = HUES[(s.lo * HUES.len() / len).min(HUES.len() - 1)];
            for y in top..top + BAND {
                for x in a..b.min(width) {
                    // The first column of a chunk darker: chunk boundaries.
                    rgb[y * width + x] = if x == a { hue.map(|c| c / 2) } else { hue };
                }
            }
        }
    }
    Some(Image {
        file,
        width,
        height,
        rgb,
    })
}

/// `bytes` in standard base64 (for pictures inlined in Markdown).
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * k) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn secs(t: f64) -> String {
    match t {
        1.0.. => format!("{t:.2} s"),
        1e-3.. => format!("{:.1} ms", t * 1e3),
        _ => format!("{:.0} µs", t * 1e6),
    }
}

/// The rows as a Markdown table, padded so that it also reads well in a terminal.
pub fn table(rows: &[Row]) -> String {
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
