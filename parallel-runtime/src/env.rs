//! The environment: `OMP_NUM_THREADS`, `RAYON_NUM_THREADS`, `OMP_SCHEDULE`,
//! `OMP_WAIT_POLICY`, `OMP_THREAD_LIMIT`, `OMP_PROC_BIND`, `OMP_PLACES`,
//! `OMP_DISPLAY_ENV`, `PARALLEL_REPORT` and `PARALLEL_TRACE`, each read
//! once. The parsers are pure functions of the string, so they are tested
//! without touching the process environment.

use std::sync::OnceLock;
use std::time::Duration;

use crate::affinity::{self, BindVar, Places, Topology};
use crate::schedule::Schedule;

/// The largest `OMP_THREAD_LIMIT` honoured.
pub(crate) const MAX_THREAD_LIMIT: usize = 1 << 16;

/// Parses a thread-count variable such as `OMP_NUM_THREADS`: a positive
/// integer, or a comma-separated list of them (OpenMP's per-nesting-level
/// form), of which the first is used. Spaces around the numbers are fine.
pub(crate) fn parse_num_threads_var(name: &str, value: &str) -> Result<usize, String> {
    let mut first = None;
    for item in value.split(',') {
        match item.trim().parse::<usize>() {
            Ok(n) if n > 0 => {
                first.get_or_insert(n);
            }
            _ => {
                return Err(format!(
                    "{name}={value:?} is not a positive integer; set it to the number of \
                     threads, e.g. {name}=4, or unset it"
                ));
            }
        }
    }
    Ok(first.expect("split yields at least one item"))
}

/// Parses `OMP_SCHEDULE`: `kind[,chunk]` with kind one of `static`, `dynamic`,
/// `guided`, `auto`, an optional `monotonic:` or `nonmonotonic:` modifier,
/// case-insensitive, spaces allowed around every part.
pub(crate) fn parse_schedule_var(value: &str) -> Result<(Schedule, Option<usize>), String> {
    let bad = || {
        format!(
            "OMP_SCHEDULE={value:?} is not a valid schedule; set it to static, dynamic, guided \
             or auto, optionally with a chunk size of at least 1 and a monotonic: or \
             nonmonotonic: modifier, e.g. OMP_SCHEDULE=\"dynamic,4\" or \
             OMP_SCHEDULE=\"nonmonotonic:guided\", or unset it"
        )
    };
    let lower = value.to_ascii_lowercase();
    let rest = match lower.split_once(':') {
        Some((modifier, rest)) => match modifier.trim() {
            "monotonic" | "nonmonotonic" => rest,
            _ => return Err(bad()),
        },
        None => &lower,
    };
    let (kind, chunk) = match rest.split_once(',') {
        Some((kind, chunk)) => (kind, Some(chunk)),
        None => (rest, None),
    };
    let kind = match kind.trim() {
        "static" => Schedule::Static,
        "dynamic" => Schedule::Dynamic,
        "guided" => Schedule::Guided,
        "auto" => Schedule::Auto,
        _ => return Err(bad()),
    };
    let chunk = match chunk.map(|c| c.trim().parse::<usize>()) {
        None => None,
        Some(Ok(c)) if c > 0 => Some(c),
        Some(_) => return Err(bad()),
    };
    Ok((kind, chunk))
}

/// Parses `OMP_WAIT_POLICY`: how long an idle worker spins
/// before it sleeps. `passive`: not at all; `active`: a second; unset: 3 ms,
/// about what libgomp spins by default, and longer than a thread parked on a
/// virtual machine may take to wake.
pub(crate) fn parse_wait_policy(value: Option<&str>) -> Result<Duration, String> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None => Ok(Duration::from_millis(3)),
        Some("passive") => Ok(Duration::ZERO),
        Some("active") => Ok(Duration::from_secs(1)),
        Some(_) => Err(format!(
            "OMP_WAIT_POLICY={:?} is not a wait policy; set it to active (idle threads spin) or passive (idle threads sleep at once), or unset it",
            value.unwrap_or_default()
        )),
    }
}

/// How long an idle worker spins: `OMP_WAIT_POLICY`, read once. A
/// malformed value panics.
#[track_caller]
pub(crate) fn wait_policy() -> Duration {
    static POLICY: OnceLock<Duration> = OnceLock::new();
    *POLICY.get_or_init(|| {
        parse_wait_policy(var("OMP_WAIT_POLICY").as_deref()).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Parses `OMP_THREAD_LIMIT`: a positive integer, the most threads the
/// process runs loops on, the calling threads included.
pub(crate) fn parse_thread_limit(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n.min(MAX_THREAD_LIMIT)),
        _ => Err(format!(
            "OMP_THREAD_LIMIT={value:?} is not a positive integer; set it to the most threads \
             the program may use, e.g. OMP_THREAD_LIMIT=8, or unset it"
        )),
    }
}

/// The default thread limit: four per CPU, at least 64. Far below what a
/// process can start, far above what a loop can use.
pub(crate) fn default_thread_limit() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_mul(4)
        .clamp(64, MAX_THREAD_LIMIT)
}

/// The thread limit: `OMP_THREAD_LIMIT`, read once, else
/// [`default_thread_limit`]. A malformed value panics.
#[track_caller]
pub(crate) fn thread_limit() -> usize {
    static LIMIT: OnceLock<usize> = OnceLock::new();
    *LIMIT.get_or_init(|| match var("OMP_THREAD_LIMIT") {
        None => default_thread_limit(),
        Some(v) => parse_thread_limit(&v).unwrap_or_else(|e| panic!("{e}")),
    })
}

/// `OMP_PROC_BIND`, read once. A malformed value panics.
#[track_caller]
pub(crate) fn bind_var() -> BindVar {
    static BIND: OnceLock<BindVar> = OnceLock::new();
    *BIND.get_or_init(|| match var("OMP_PROC_BIND") {
        None => BindVar::Unset,
        Some(v) => affinity::parse_proc_bind(&v).unwrap_or_else(|e| panic!("{e}")),
    })
}

/// The places: `OMP_PLACES` if set (`true` in the second field), else one
/// place per core. Read once; a malformed value panics.
#[track_caller]
pub(crate) fn places() -> &'static (Places, bool) {
    static PLACES: OnceLock<(Places, bool)> = OnceLock::new();
    PLACES.get_or_init(|| {
        let topo = Topology::here();
        match var("OMP_PLACES") {
            Some(v) => (
                affinity::parse_places(&v, &topo).unwrap_or_else(|e| panic!("{e}")),
                true,
            ),
            None => (
                affinity::parse_places("cores", &topo).expect("cores always parses"),
                false,
            ),
        }
    })
}

/// Whether `OMP_PLACES` is set (read once, without parsing it).
pub(crate) fn places_given() -> bool {
    static GIVEN: OnceLock<bool> = OnceLock::new();
    *GIVEN.get_or_init(|| var("OMP_PLACES").is_some())
}

/// What `OMP_DISPLAY_ENV` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Display {
    No,
    Yes,
    Verbose,
}

/// Parses `OMP_DISPLAY_ENV`: `true`, `false` or `verbose`.
pub(crate) fn parse_display_env(value: Option<&str>) -> Result<Display, String> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false") => Ok(Display::No),
        Some("true") => Ok(Display::Yes),
        Some("verbose") => Ok(Display::Verbose),
        Some(_) => Err(format!(
            "OMP_DISPLAY_ENV={:?} is not valid; set it to true, verbose or false, or unset it",
            value.unwrap_or_default()
        )),
    }
}

/// `OMP_DISPLAY_ENV`, read once. A malformed value panics.
#[track_caller]
pub(crate) fn display_env() -> Display {
    static DISPLAY: OnceLock<Display> = OnceLock::new();
    *DISPLAY.get_or_init(|| {
        parse_display_env(var("OMP_DISPLAY_ENV").as_deref()).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Parses a switch such as `PARALLEL_REPORT`: `1`/`true`/`yes`/`on` or
/// `0`/`false`/`no`/`off`.
pub(crate) fn parse_switch(name: &str, value: Option<&str>) -> Result<bool, String> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(_) => Err(format!(
            "{name}={:?} is not valid; set it to 1 (on) or 0 (off), or unset it",
            value.unwrap_or_default()
        )),
    }
}

/// `PARALLEL_REPORT`, read once. A malformed value panics.
#[track_caller]
pub(crate) fn report() -> bool {
    static REPORT: OnceLock<bool> = OnceLock::new();
    *REPORT.get_or_init(|| {
        parse_switch("PARALLEL_REPORT", var("PARALLEL_REPORT").as_deref())
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// `PARALLEL_TRACE`: the file to write the trace to at exit, read once.
pub(crate) fn trace_file() -> Option<&'static str> {
    static TRACE: OnceLock<Option<String>> = OnceLock::new();
    TRACE.get_or_init(|| var("PARALLEL_TRACE")).as_deref()
}

/// The value of variable `name`: `None` when unset or blank.
#[track_caller]
fn var(name: &str) -> Option<String> {
    let value = std::env::var_os(name)?;
    match value.into_string() {
        Ok(s) if s.trim().is_empty() => None,
        Ok(s) => Some(s),
        Err(raw) => {
            panic!("{name}={raw:?} is not valid UTF-8; set it to a plain ASCII value or unset it")
        }
    }
}

/// The default team size: `OMP_NUM_THREADS`, else `RAYON_NUM_THREADS` (0 means
/// "not set"), else the number of CPUs. Read once; a malformed value panics.
#[track_caller]
pub(crate) fn default_num_threads() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        if let Some(v) = var("OMP_NUM_THREADS") {
            return parse_num_threads_var("OMP_NUM_THREADS", &v).unwrap_or_else(|e| panic!("{e}"));
        }
        if let Some(v) = var("RAYON_NUM_THREADS")
            && v.trim() != "0"
        {
            return parse_num_threads_var("RAYON_NUM_THREADS", &v)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        std::thread::available_parallelism().map_or(1, |n| n.get())
    })
}

/// The schedule of `schedule(runtime)`: `OMP_SCHEDULE`, read once; static
/// when unset. A malformed value panics.
#[track_caller]
pub(crate) fn runtime_schedule() -> (Schedule, Option<usize>) {
    static SCHEDULE: OnceLock<(Schedule, Option<usize>)> = OnceLock::new();
    *SCHEDULE.get_or_init(|| match var("OMP_SCHEDULE") {
        None => (Schedule::Static, None),
        Some(v) => parse_schedule_var(&v).unwrap_or_else(|e| panic!("{e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_threads_values() {
        let p = |v| parse_num_threads_var("OMP_NUM_THREADS", v);
        assert_eq!(p("4"), Ok(4));
        assert_eq!(p("4,2"), Ok(4));
        assert_eq!(p(" 8 "), Ok(8));
        assert_eq!(p("3 , 2,1"), Ok(3));
        for bad in ["0", "abc", "-3", "", "4,", "4,x", "2.5", "0,4"] {
            let err = p(bad).unwrap_err();
            assert_eq!(
                err,
                format!(
                    "OMP_NUM_THREADS={bad:?} is not a positive integer; set it to the number of \
                     threads, e.g. OMP_NUM_THREADS=4, or unset it"
                )
            );
        }
        assert_eq!(
            p("abc").unwrap_err(),
            "OMP_NUM_THREADS=\"abc\" is not a positive integer; set it to the number of threads, \
             e.g. OMP_NUM_THREADS=4, or unset it"
        );
        let err = parse_num_threads_var("RAYON_NUM_THREADS", "x").unwrap_err();
        assert!(err.starts_with("RAYON_NUM_THREADS=\"x\""), "{err}");
        assert!(err.contains("e.g. RAYON_NUM_THREADS=4"), "{err}");
    }

    #[test]
    fn schedule_values() {
        use Schedule::*;
        let p = parse_schedule_var;
        assert_eq!(p("static"), Ok((Static, None)));
        assert_eq!(p("dynamic,4"), Ok((Dynamic, Some(4))));
        assert_eq!(p("guided"), Ok((Guided, None)));
        assert_eq!(p("auto"), Ok((Auto, None)));
        assert_eq!(p("monotonic:static , 2"), Ok((Static, Some(2))));
        assert_eq!(p(" NonMonotonic : Dynamic,16 "), Ok((Dynamic, Some(16))));
        assert_eq!(p("GUIDED, 7"), Ok((Guided, Some(7))));
        for bad in [
            "bogus",
            "dynamic,0",
            "dynamic,",
            "dynamic,-1",
            "runtime",
            "static,4,5",
            "sometimes:static",
            "",
            ":static",
            "dynamic 4",
        ] {
            let err = p(bad).unwrap_err();
            assert!(
                err.starts_with(&format!("OMP_SCHEDULE={bad:?} is not a valid schedule")),
                "{err}"
            );
            assert!(err.contains("static, dynamic, guided or auto"), "{err}");
        }
    }

    #[test]
    fn wait_policy_values() {
        let p = parse_wait_policy;
        assert_eq!(p(None), Ok(Duration::from_millis(3)));
        assert_eq!(p(Some("PASSIVE")), Ok(Duration::ZERO));
        assert_eq!(p(Some(" active ")), Ok(Duration::from_secs(1)));
        let err = p(Some("eager")).unwrap_err();
        assert!(
            err.starts_with("OMP_WAIT_POLICY=\"eager\" is not a wait policy"),
            "{err}"
        );
        assert!(wait_policy() <= Duration::from_secs(1));
    }

    #[test]
    fn thread_limit_values() {
        assert_eq!(parse_thread_limit("8"), Ok(8));
        assert_eq!(parse_thread_limit(" 1 "), Ok(1));
        assert_eq!(parse_thread_limit("99999999999"), Ok(MAX_THREAD_LIMIT));
        for bad in ["0", "-1", "x", "4,2", ""] {
            let err = parse_thread_limit(bad).unwrap_err();
            assert!(
                err.starts_with(&format!(
                    "OMP_THREAD_LIMIT={bad:?} is not a positive integer"
                )),
                "{err}"
            );
        }
        assert!(default_thread_limit() >= 64);
        assert!(thread_limit() >= 1);
    }

    #[test]
    fn display_and_switch_values() {
        assert_eq!(parse_display_env(None), Ok(Display::No));
        assert_eq!(parse_display_env(Some("TRUE")), Ok(Display::Yes));
        assert_eq!(parse_display_env(Some(" verbose")), Ok(Display::Verbose));
        let err = parse_display_env(Some("loud")).unwrap_err();
        assert!(
            err.starts_with("OMP_DISPLAY_ENV=\"loud\" is not valid"),
            "{err}"
        );
        let p = |v| parse_switch("PARALLEL_REPORT", v);
        assert_eq!(p(Some("1")), Ok(true));
        assert_eq!(p(Some("Off")), Ok(false));
        assert_eq!(p(None), Ok(false));
        let err = p(Some("2")).unwrap_err();
        assert!(
            err.starts_with("PARALLEL_REPORT=\"2\" is not valid"),
            "{err}"
        );
    }

    #[test]
    fn environment_is_read_once_and_sane() {
        // Whatever the environment of the test run, the values are stable.
        let n = default_num_threads();
        assert!(n >= 1);
        assert_eq!(default_num_threads(), n);
        assert_eq!(runtime_schedule(), runtime_schedule());
        assert_ne!(runtime_schedule().0, Schedule::Runtime);
    }
}
