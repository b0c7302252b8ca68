//! # The tour: every pattern, sequential against parallel, in one run
//!
//! ```text
//! cargo run --release --example tour                  # sizes of 0.1–1 s each, sequentially
//! cargo run --release --example tour -- --quick       # tiny sizes, no images: a smoke test
//! cargo run --release --example tour -- --threads 1   # parallel::set_num_threads(1) first
//! cargo run --release --example tour -- --trace       # also target/trace.json and the schedule pictures
//! ```
//!
//! Each pattern lives in its own example file, with both versions of its
//! kernel side by side and a note on the directive it uses; this file only
//! lists them. Progress goes to stderr; the table (Markdown) to stdout, then
//! the paths of the images `mandelbrot` and `heat` draw. The exit status is 1
//! if any parallel result differs from the sequential one. Speedups are
//! bounded by the core count, and by memory bandwidth for loops such as
//! `saxpy` that do little arithmetic per byte.
//!
//! With `--trace`, every chunk of every loop is recorded and written to
//! `target/trace.json` as Chrome trace events (open it in Perfetto or
//! `chrome://tracing`: a track per thread, a slice per chunk, named by the
//! loop's `file:line`); then the Mandelbrot rows run once more under
//! `static`, `dynamic` and `guided` on 4 threads, and each run's trace is
//! drawn into `target/schedule-{static,dynamic,guided}.png`, the pictures of
//! the guide's schedules page.
//!
//! `tests/test_tour.rs` includes this file and runs the patterns at the
//! `--quick` sizes.

// Each pattern file also declares `mod common`, so that it runs on its own;
// included here, those copies (and the files' `main`s) go unused, and every
// file's `crate::common` is the one below.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;

/// Declares each pattern's file as a module and lists its `PATTERN` in
/// [`PATTERNS`]. The paths are relative to this file, also when a test
/// includes it.
macro_rules! patterns {
    ($($name:ident: $file:literal,)*) => {
        $(
            #[allow(dead_code)]
            #[path = $file]
            mod $name;
        )*
        /// Every pattern of the tour, in the order of the table.
        pub const PATTERNS: &[crate::common::Pattern] = &[$($name::PATTERN),*];
    };
}

// One line per pattern: to add one, write `examples/<name>.rs` exposing a
// `PATTERN` (see `dot.rs`) and add its line here.
patterns! {
    pi: "pi.rs",
    saxpy: "saxpy.rs",
    dot: "dot.rs",
    sum: "sum.rs",
    minmax: "minmax.rs",
    mandelbrot: "mandelbrot.rs",
    heat: "heat.rs",
    gemm: "gemm.rs",
    histogram: "histogram.rs",
    stats: "stats.rs",
    matrix_fill: "matrix_fill.rs",
    prefix_sum: "prefix_sum.rs",
    running_max: "running_max.rs",
    compaction: "compaction.rs",
    fib: "fib.rs",
    quicksort: "quicksort.rs",
}

fn main() {
    let opts = crate::common::main(PATTERNS);
    if opts.trace && !opts.quick {
        schedule_pictures();
    }
}

/// With `--trace`: the Mandelbrot rows under `static`, `dynamic` and
/// `guided` on 4 threads, each drawn from its trace into
/// `target/schedule-*.png`, and `target/schedule-pictures.md`, the same
/// pictures inlined for the guide (`src/guide/`).
fn schedule_pictures() {
    let dir = crate::common::image_dir();
    let mut md = String::from(
        "<!-- Written by `cargo run --release --example tour -- --trace` \
         (target/schedule-pictures.md); copy it here to update the pictures. -->\n",
    );
    for (image, kind) in mandelbrot::schedule_pictures(1200)
        .iter()
        .zip(["static", "dynamic", "guided"])
    {
        let mut png = Vec::new();
        if let Err(e) = image
            .encode(&mut png)
            .and_then(|()| image.write(&dir).map(drop))
        {
            eprintln!("could not write {}: {e}", image.file);
            continue;
        }
        println!(
            "wrote {} ({} bytes)",
            dir.join(image.file).display(),
            png.len()
        );
        md.push_str(&format!(
            "\n`schedule({kind})`:\n\n![schedule({kind}) on 4 threads](data:image/png;base64,{})\n",
            crate::common::base64(&png)
        ));
    }
    let path = dir.join("schedule-pictures.md");
    match std::fs::write(&path, md) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}
