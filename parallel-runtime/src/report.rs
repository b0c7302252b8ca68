//! What ran: `OMP_DISPLAY_ENV` at the first loop, `PARALLEL_REPORT` and
//! `PARALLEL_TRACE` at exit.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::env::{self, Display};
use crate::site::Site;
use crate::{affinity, crew, schedule::Schedule, simd, trace};

/// Whether chunks note the vector level of their kernels (for the report).
static NOTING: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The site of the loop whose chunk this thread runs (while noting).
    static CURRENT: Cell<*const Site> = const { Cell::new(core::ptr::null()) };
}

/// Whether kernels note their vector level.
#[inline]
pub(crate) fn noting() -> bool {
    NOTING.load(Ordering::Relaxed)
}

/// Notes the level a kernel runs at, for the loop this thread runs.
pub(crate) fn note_vector(level: u8) {
    let site = CURRENT.with(Cell::get);
    if !site.is_null() {
        // SAFETY: sites live in a static table; the pointer came from one.
        unsafe { &*site }.note_vector(level);
    }
}

/// Makes `site` the loop this thread runs chunks of, until dropped.
pub(crate) struct Current(*const Site);

impl Current {
    #[inline]
    pub(crate) fn enter(site: &'static Site) -> Current {
        if !noting() {
            return Current(core::ptr::null());
        }
        Current(CURRENT.with(|c| c.replace(site)))
    }
}

impl Drop for Current {
    #[inline]
    fn drop(&mut self) {
        if noting() {
            CURRENT.with(|c| c.set(self.0));
        }
    }
}

/// Runs once, at the first loop: shows the environment if asked, and
/// arranges for the report and the trace at exit. Reads every variable,
/// so that a malformed one panics here, at the first loop, with its name.
#[track_caller]
#[inline]
pub(crate) fn startup() {
    static ONCE: Once = Once::new();
    if !ONCE.is_completed() {
        start();
    }
    #[cold]
    #[track_caller]
    fn start() {
        ONCE.call_once(|| {
            let display = env::display_env();
            let _ = (env::thread_limit(), env::bind_var(), env::wait_policy());
            affinity::warm();
            if env::bind_var() != affinity::BindVar::False {
                let _ = env::places();
            }
            if display != Display::No {
                eprint!("{}", display_text(display == Display::Verbose));
            }
            let report = env::report();
            let tracing = env::trace_file().is_some();
            if report {
                NOTING.store(true, Ordering::Relaxed);
            }
            if tracing {
                trace::trace_start();
            }
            if report || tracing {
                at_exit();
            }
        });
    }
}

/// `OMP_DISPLAY_ENV`'s text, in libgomp's format.
pub(crate) fn display_text(verbose: bool) -> String {
    let (kind, chunk) = env::runtime_schedule();
    let schedule = match (kind, chunk) {
        (Schedule::Runtime, _) => unreachable!("OMP_SCHEDULE never says runtime"),
        (k, None) => k.to_string().to_ascii_uppercase(),
        (k, Some(c)) => format!("{},{c}", k.to_string().to_ascii_uppercase()),
    };
    let (places, places_set) = env::places();
    let wait = std::env::var("OMP_WAIT_POLICY")
        .map(|v| v.trim().to_ascii_uppercase())
        .unwrap_or_default();
    let mut out = String::from("OPENMP DISPLAY ENVIRONMENT BEGIN\n");
    let mut row = |name: &str, value: &str| {
        let _ = writeln!(out, "  {name} = '{value}'");
    };
    row("OMP_DYNAMIC", "FALSE");
    row("OMP_NESTED", "TRUE");
    row("OMP_NUM_THREADS", &env::default_num_threads().to_string());
    row("OMP_SCHEDULE", &schedule);
    row("OMP_PROC_BIND", env::bind_var().display(*places_set));
    row(
        "OMP_PLACES",
        &if *places_set {
            places.to_string()
        } else {
            String::new()
        },
    );
    row("OMP_WAIT_POLICY", &wait);
    row("OMP_THREAD_LIMIT", &env::thread_limit().to_string());
    if verbose {
        row("PARALLEL_SPIN", &format!("{:?}", env::wait_policy()));
        row("PARALLEL_PLACES", &places.to_string());
        row("PARALLEL_WORKERS", &crew::started().to_string());
        row("PARALLEL_SIMD_LEVEL", &simd::simd_level().to_string());
        row("PARALLEL_REPORT", if env::report() { "1" } else { "0" });
        row("PARALLEL_TRACE", env::trace_file().unwrap_or(""));
        row(
            "RAYON_NUM_THREADS",
            &std::env::var("RAYON_NUM_THREADS").unwrap_or_default(),
        );
    }
    out.push_str("OPENMP DISPLAY ENVIRONMENT END\n");
    out
}

/// Registers [`finish`] to run at exit.
#[cfg(unix)]
fn at_exit() {
    extern "C" fn finish_c() {
        // Nothing may unwind into the C runtime.
        let _ = std::panic::catch_unwind(finish);
    }
    // SAFETY: `finish_c` is an `extern "C" fn()` that never unwinds, as
    // atexit requires.
    unsafe {
        libc::atexit(finish_c);
    }
}

#[cfg(not(unix))]
fn at_exit() {}

/// At exit: the report on stderr, the trace into its file.
fn finish() {
    if env::report() {
        eprint!("{}", crate::site::report());
    }
    trace::write_file();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_looks_like_libgomp() {
        let text = display_text(false);
        assert!(text.starts_with("OPENMP DISPLAY ENVIRONMENT BEGIN\n  OMP_DYNAMIC = 'FALSE'\n"));
        assert!(text.ends_with("OPENMP DISPLAY ENVIRONMENT END\n"));
        assert!(text.contains("  OMP_THREAD_LIMIT = '"), "{text}");
        let verbose = display_text(true);
        assert!(verbose.contains("  PARALLEL_SIMD_LEVEL = '"), "{verbose}");
    }
}
