//! Loop configuration: the `schedule`, `num_threads`, `if` and `min_len`
//! clauses of `#[parallel_for]`, as the driver receives them.

use core::fmt;

/// How the iterations of a loop are divided among the team, as in OpenMP's
/// `schedule(kind[, chunk])`.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{Config, Schedule};
///
/// let cfg = Config { schedule: Schedule::Dynamic, chunk: Some(64), ..Config::DEFAULT };
/// assert_eq!(cfg.schedule, Schedule::Dynamic);
/// assert_eq!(Schedule::Guided.to_string(), "guided");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Without a chunk: one balanced contiguous block per team member. With
    /// `chunk`: chunks of that size dealt round-robin.
    Static,
    /// Members claim chunks (default size 1) as they finish the previous one.
    Dynamic,
    /// Members claim chunks of `max(chunk, remaining / team)`: large first,
    /// shrinking towards the end.
    Guided,
    /// The runtime's choice: chunks of about `n / (4 · team)` iterations
    /// (at least `chunk` and `min_len`), claimed as with `Dynamic`.
    Auto,
    /// Whatever `OMP_SCHEDULE` says, read once (static when unset).
    Runtime,
}

impl Schedule {
    /// The clause keyword: `"static"`, `"dynamic"`, ...
    fn keyword(self) -> &'static str {
        match self {
            Schedule::Static => "static",
            Schedule::Dynamic => "dynamic",
            Schedule::Guided => "guided",
            Schedule::Auto => "auto",
            Schedule::Runtime => "runtime",
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// The clauses of one `#[parallel_for]` loop.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, Config, Schedule, Seq};
///
/// let cfg = Config {
///     schedule: Schedule::Guided,
///     num_threads: Some(2),
///     min_len: Some(100),
///     ..Config::DEFAULT
/// };
/// let sum = for_range(&cfg, &Seq::range(0u64, 1000), (), |a, b| a + b,
///     |lo, hi, ()| (lo as u64..hi as u64).sum::<u64>());
/// assert_eq!(sum, Some(499_500));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// `schedule(kind, ..)`.
    pub schedule: Schedule,
    /// `schedule(kind, chunk)`; `None` = the schedule's default. `Some(0)`
    /// panics when the loop runs: "schedule chunk must be at least 1". With
    /// `auto`, the chunk is the smallest piece the range is split into.
    pub chunk: Option<usize>,
    /// `num_threads(n)`: an explicit team size, honoured exactly up to the
    /// thread limit (`OMP_THREAD_LIMIT`; larger teams are clamped to it,
    /// with a warning on stderr the first time). `Some(0)` panics:
    /// "num_threads(0): a team needs at least one thread".
    pub num_threads: Option<usize>,
    /// `if(expr)`: `false` runs the loop inline, sequentially, without
    /// touching the pool.
    pub if_: bool,
    /// `min_len(n)`: no task smaller than `n` iterations (unless the whole
    /// loop is).
    pub min_len: Option<usize>,
    /// `deterministic`: the iterations are cut into fixed leaves of
    /// [`DETERMINISTIC_LEAF`](crate::DETERMINISTIC_LEAF) (or `min_len`, if
    /// larger), each reduced from a fresh accumulator, and the leaves'
    /// results are combined in a fixed binary tree: the result is
    /// bit-identical for any team size, schedule and run. The schedule then
    /// only names the team: members claim subtrees of the fixed tree.
    pub deterministic: bool,
}

impl Config {
    /// Every default: `schedule(static)`, the default team, `if(true)`, no
    /// `min_len`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::{Config, Schedule};
    ///
    /// let cfg = Config::DEFAULT;
    /// assert_eq!(cfg.schedule, Schedule::Static);
    /// assert!(cfg.if_ && cfg.chunk.is_none() && cfg.num_threads.is_none());
    /// ```
    pub const DEFAULT: Config = Config {
        schedule: Schedule::Static,
        chunk: None,
        num_threads: None,
        if_: true,
        min_len: None,
        deterministic: false,
    };
}

impl Default for Config {
    /// [`Config::DEFAULT`].
    fn default() -> Self {
        Config::DEFAULT
    }
}

/// The schedule a loop runs with once `runtime` is resolved and the clauses
/// are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Never `Runtime`.
    pub(crate) kind: Schedule,
    pub(crate) chunk: Option<usize>,
    /// At least 1.
    pub(crate) min_len: usize,
    /// `deterministic`: the fixed leaf size of the reduction tree.
    pub(crate) leaf: Option<usize>,
}

impl Plan {
    /// Checks the clauses (panicking with a message naming the clause) and
    /// resolves `schedule(runtime)` through `runtime`.
    #[track_caller]
    pub(crate) fn new(cfg: &Config, runtime: impl FnOnce() -> (Schedule, Option<usize>)) -> Plan {
        if cfg.chunk == Some(0) {
            bad_chunk(cfg.schedule);
        }
        if cfg.num_threads == Some(0) {
            crate::team::no_threads(0);
        }
        let (kind, chunk) = match cfg.schedule {
            Schedule::Runtime => {
                let (kind, chunk) = runtime();
                (kind, chunk.or(cfg.chunk))
            }
            kind => (kind, cfg.chunk),
        };
        let min_len = cfg.min_len.unwrap_or(1).max(1);
        Plan {
            kind,
            chunk,
            min_len,
            leaf: cfg
                .deterministic
                .then(|| min_len.max(crate::DETERMINISTIC_LEAF)),
        }
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn bad_chunk(kind: Schedule) -> ! {
    panic!("schedule({kind}, 0): schedule chunk must be at least 1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_resolves_runtime_and_checks_clauses() {
        let env = || (Schedule::Dynamic, Some(4));
        let p = Plan::new(&Config::DEFAULT, env);
        assert_eq!((p.kind, p.chunk, p.min_len), (Schedule::Static, None, 1));
        let cfg = Config {
            schedule: Schedule::Runtime,
            min_len: Some(0),
            ..Config::DEFAULT
        };
        let p = Plan::new(&cfg, env);
        assert_eq!(
            (p.kind, p.chunk, p.min_len),
            (Schedule::Dynamic, Some(4), 1)
        );
        let p = Plan::new(&cfg, || (Schedule::Guided, None));
        assert_eq!((p.kind, p.chunk), (Schedule::Guided, None));
        let cfg = Config {
            chunk: Some(8),
            min_len: Some(10),
            ..cfg
        };
        let p = Plan::new(&cfg, || (Schedule::Auto, None));
        assert_eq!((p.kind, p.chunk, p.min_len), (Schedule::Auto, Some(8), 10));
        assert_eq!(Config::default().schedule, Schedule::Static);
    }

    #[test]
    #[should_panic(expected = "schedule(dynamic, 0): schedule chunk must be at least 1")]
    fn chunk_zero_panics() {
        let cfg = Config {
            schedule: Schedule::Dynamic,
            chunk: Some(0),
            ..Config::DEFAULT
        };
        Plan::new(&cfg, || unreachable!());
    }

    #[test]
    #[should_panic(expected = "num_threads(0): a team needs at least one thread")]
    fn zero_threads_panics() {
        let cfg = Config {
            num_threads: Some(0),
            ..Config::DEFAULT
        };
        Plan::new(&cfg, || unreachable!());
    }

    #[test]
    fn keywords() {
        let all = [
            Schedule::Static,
            Schedule::Dynamic,
            Schedule::Guided,
            Schedule::Auto,
            Schedule::Runtime,
        ];
        let words: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert_eq!(words, ["static", "dynamic", "guided", "auto", "runtime"]);
    }
}
