//! The OpenMP runtime routines: `omp_get_thread_num` and friends.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::{env, team};

/// Set by [`set_num_threads`]; 0 = not set, use the environment.
static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);

/// The index of the calling thread in its team, `0 ..num_threads()`; 0 outside
/// any loop (OpenMP's `omp_get_thread_num`). Under `schedule(auto)` it is the
/// index of the worker thread running the piece.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, thread_num, Config, Seq};
/// use std::sync::Mutex;
///
/// assert_eq!(thread_num(), 0);
/// let seen = Mutex::new(Vec::new());
/// let cfg = Config { num_threads: Some(3), ..Config::DEFAULT };
/// for_range(&cfg, &Seq::range(0, 3), (), |(), ()| (), |_, _, ()| {
///     seen.lock().unwrap().push(thread_num());
/// });
/// let mut seen = seen.into_inner().unwrap();
/// seen.sort();
/// assert_eq!(seen, [0, 1, 2]);
/// ```
#[inline]
pub fn thread_num() -> usize {
    team::current().thread_num
}

/// The size of the calling thread's team; 1 outside any loop (OpenMP's
/// `omp_get_num_threads`).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, num_threads, Config, Seq};
///
/// assert_eq!(num_threads(), 1);
/// let cfg = Config { num_threads: Some(2), ..Config::DEFAULT };
/// let sizes = for_range(&cfg, &Seq::range(0, 2), (), |a: usize, b| a.max(b), |_, _, ()| num_threads());
/// assert_eq!(sizes, Some(2));
/// ```
#[inline]
pub fn num_threads() -> usize {
    team::current().num_threads
}

/// The team size a loop without `num_threads` would get here (OpenMP's
/// `omp_get_max_threads`): inside a loop, the size of the pool the current
/// team runs on; outside, the value of [`set_num_threads`], else
/// `OMP_NUM_THREADS` (the first of a list), else `RAYON_NUM_THREADS` (0 =
/// unset), else the number of CPUs. The environment is read once.
///
/// # Panics
///
/// If `OMP_NUM_THREADS` or `RAYON_NUM_THREADS` is set to something other than
/// a positive integer, with a message naming the variable.
///
/// # Examples
///
/// ```
/// use parallel_runtime::max_threads;
///
/// assert!(max_threads() >= 1);
/// ```
#[track_caller]
pub fn max_threads() -> usize {
    let state = team::current();
    if state.pool != 0 {
        return state.pool;
    }
    match NUM_THREADS.load(Ordering::Relaxed) {
        0 => env::default_num_threads(),
        n => n,
    }
}

/// Sets the team size of later loops that have no `num_threads` clause and
/// start outside any loop (OpenMP's `omp_set_num_threads`, process-wide here).
///
/// # Panics
///
/// If `n == 0`: "set_num_threads(0): a team needs at least one thread".
///
/// # Examples
///
/// ```
/// use parallel_runtime::{max_threads, set_num_threads};
///
/// let before = max_threads();
/// set_num_threads(3);
/// assert_eq!(max_threads(), 3);
/// set_num_threads(before);
/// ```
#[track_caller]
pub fn set_num_threads(n: usize) {
    if n == 0 {
        panic!("set_num_threads(0): a team needs at least one thread");
    }
    NUM_THREADS.store(n, Ordering::Relaxed);
}

/// Whether the caller runs inside a team of more than one member, directly or
/// through an enclosing loop (OpenMP's `omp_in_parallel`).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{for_range, in_parallel, Config, Seq};
///
/// assert!(!in_parallel());
/// let cfg = Config { num_threads: Some(2), ..Config::DEFAULT };
/// let inside = for_range(&cfg, &Seq::range(0, 2), (), |a, b| a && b, |_, _, ()| in_parallel());
/// assert_eq!(inside, Some(true));
/// let cfg = Config { if_: false, ..Config::DEFAULT };
/// let inside = for_range(&cfg, &Seq::range(0, 2), (), |a, b| a || b, |_, _, ()| in_parallel());
/// assert_eq!(inside, Some(false));
/// ```
#[inline]
pub fn in_parallel() -> bool {
    team::current().active
}

/// Seconds elapsed since a fixed instant of this process (the first call of
/// `wtime`), from a monotonic clock (OpenMP's `omp_get_wtime`).
///
/// # Examples
///
/// ```
/// use parallel_runtime::wtime;
///
/// let start = wtime();
/// let work: u64 = (0..1000u64).sum();
/// assert!(wtime() - start >= 0.0 && work > 0);
/// ```
pub fn wtime() -> f64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_any_loop() {
        assert_eq!(thread_num(), 0);
        assert_eq!(num_threads(), 1);
        assert!(!in_parallel());
        assert!(max_threads() >= 1);
    }

    #[test]
    fn wtime_is_monotonic() {
        let a = wtime();
        let b = wtime();
        assert!(a >= 0.0 && b >= a);
    }

    #[test]
    #[should_panic(expected = "set_num_threads(0): a team needs at least one thread")]
    fn set_num_threads_zero_panics() {
        set_num_threads(0);
    }

    #[test]
    fn max_threads_inside_a_team_is_its_pool_size() {
        let _g = team::Enter::new(team::State::member(team::State::OUTSIDE, 1, 5), None);
        assert_eq!(max_threads(), 5);
        assert_eq!((thread_num(), num_threads()), (1, 5));
        assert!(in_parallel());
    }
}
