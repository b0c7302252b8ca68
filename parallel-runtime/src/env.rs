//! The environment: `OMP_NUM_THREADS`, `RAYON_NUM_THREADS`, `OMP_SCHEDULE`
//! and `OMP_WAIT_POLICY`, each read once. The parsers are pure functions of the string, so they are
//! tested without touching the process environment.

use std::sync::OnceLock;
use std::time::Duration;

use crate::schedule::Schedule;

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

/// Parses `OMP_WAIT_POLICY`: how long a resident team's idle thread spins
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

/// How long an idle resident thread spins: `OMP_WAIT_POLICY`, read once. A
/// malformed value panics.
#[track_caller]
pub(crate) fn wait_policy() -> Duration {
    static POLICY: OnceLock<Duration> = OnceLock::new();
    *POLICY.get_or_init(|| {
        parse_wait_policy(var("OMP_WAIT_POLICY").as_deref()).unwrap_or_else(|e| panic!("{e}"))
    })
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
    fn environment_is_read_once_and_sane() {
        // Whatever the environment of the test run, the values are stable.
        let n = default_num_threads();
        assert!(n >= 1);
        assert_eq!(default_num_threads(), n);
        assert_eq!(runtime_schedule(), runtime_schedule());
        assert_ne!(runtime_schedule().0, Schedule::Runtime);
    }
}
