//! The tour (`examples/tour.rs`) at its `--quick` sizes: every pattern runs,
//! appears in the table, and its parallel result agrees with the sequential
//! one. The examples are included as modules, so nothing is built or run
//! apart from this test.

// The tour and each pattern file declare their own copy of `common`; every
// file uses `crate::common`, which is the one below.
#![allow(clippy::duplicate_mod)]

#[allow(dead_code)]
#[path = "../examples/common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "../examples/tour.rs"]
mod tour;

use common::{Check, Options, Pattern, Row};
use std::path::Path;

fn options(args: &[&str]) -> Result<Options, String> {
    Options::parse(args.iter().map(|a| a.to_string()))
}

#[test]
fn quick_tour_passes_and_prints_every_pattern() {
    let opts = options(&["--quick", "--threads", "3"]).unwrap();
    let rows = common::run(tour::PATTERNS, &opts);
    let report = common::report(&rows, &opts);
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    assert!(
        report.starts_with(&format!(
            "3 thread(s), best of 1, {build} build, --quick sizes"
        )),
        "{report}"
    );
    for p in tour::PATTERNS {
        let line = report
            .lines()
            .find(|l| l.starts_with(&format!("| {} ", p.name)))
            .unwrap_or_else(|| panic!("no row for `{}` in\n{report}", p.name));
        assert!(line.contains(&format!("`{}`", p.directive)), "{line}");
        assert!(line.trim_end().ends_with("| ok    |"), "{line}");
    }
    assert_eq!(rows.len(), tour::PATTERNS.len());
    assert!(common::failures(&rows).is_empty(), "{report}");
}

#[test]
fn every_example_is_in_the_tour() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "tour")
        // The distributed examples run under `mpirun` (.ci/mpi-tests), not in the tour.
        .filter(|name| !name.starts_with("distributed_"))
        // The ndarray examples need the feature `ndarray` (.ci/run runs them).
        .filter(|name| !name.starts_with("ndarray_"))
        .collect();
    files.sort();
    let mut names: Vec<&str> = tour::PATTERNS.iter().map(|p| p.name).collect();
    names.sort();
    assert_eq!(files, names);
}

fn failing(_: usize, _: usize) -> Row {
    Row {
        pattern: "broken",
        directive: "parallel_for",
        size: "n = 1".into(),
        seq: 1e-3,
        par: 2e-3,
        check: Check {
            ok: false,
            detail: "element 0 differs".into(),
        },
        image: None,
    }
}

#[test]
fn a_failed_check_fails_the_tour() {
    let broken = Pattern {
        name: "broken",
        directive: "parallel_for",
        full: 1,
        quick: 1,
        run: failing,
    };
    let opts = options(&["--quick"]).unwrap();
    let rows = common::run(&[broken], &opts);
    assert_eq!(common::failures(&rows), ["broken"]);
    let report = common::report(&rows, &opts);
    let line = report.lines().find(|l| l.starts_with("| broken ")).unwrap();
    assert!(line.ends_with("|   0.50x | FAILED |"), "{report}");
}

#[test]
fn images_encode_as_png() {
    for (name, file) in [("mandelbrot", "mandelbrot.png"), ("heat", "heat.png")] {
        let pattern = tour::PATTERNS.iter().find(|p| p.name == name).unwrap();
        let row = (pattern.run)(pattern.quick, 1);
        let image = row.image.expect("the pattern draws a picture");
        assert_eq!(image.file, file);
        assert_eq!(image.rgb.len(), image.width * image.height);
        let mut bytes = Vec::new();
        image.encode(&mut bytes).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(
            (info.width as usize, info.height as usize),
            (image.width, image.height)
        );
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(&pixels[..info.buffer_size()], image.rgb.as_flattened());
    }
}

#[test]
fn command_line() {
    let opts = options(&[]).unwrap();
    assert!(!opts.quick && opts.threads.is_none());
    let opts = options(&["--threads", "4", "--quick"]).unwrap();
    assert!(opts.quick && opts.threads == Some(4));
    assert!(
        options(&["--threads", "0"])
            .unwrap_err()
            .contains("positive number")
    );
    assert!(options(&["--threads"]).is_err());
    assert_eq!(
        options(&["--fast"]).unwrap_err(),
        "unknown argument `--fast`"
    );
}
