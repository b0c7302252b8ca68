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
/// use parallel::{parallel, thread_num};
///
/// /// Which member of a team of three ran each iteration.
/// #[parallel]
/// fn owners(n: usize) -> Vec<usize> {
///     let mut who = vec![0; n];
///     #[parallel_for(num_threads(3))]
///     for i in 0..n {
///         who[i] = thread_num();
///     }
///     who
/// }
///
/// assert_eq!(thread_num(), 0); // outside any loop
/// assert_eq!(owners(3), [0, 1, 2]); // schedule(static): one block each
/// ```
#[doc(alias = "omp_get_thread_num")]
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
/// use parallel::{num_threads, parallel};
///
/// #[parallel]
/// fn team_sizes(n: usize) -> Vec<usize> {
///     let mut sizes = vec![0; n];
///     #[parallel_for(num_threads(2))]
///     for i in 0..n {
///         sizes[i] = num_threads();
///     }
///     sizes
/// }
///
/// assert_eq!(num_threads(), 1); // outside any loop
/// assert_eq!(team_sizes(4), [2; 4]);
/// ```
#[doc(alias = "omp_get_num_threads")]
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
/// use parallel::max_threads;
///
/// assert!(max_threads() >= 1);
/// ```
#[doc(alias = "omp_get_max_threads")]
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
/// use parallel::{max_threads, set_num_threads};
///
/// let before = max_threads();
/// set_num_threads(3);
/// assert_eq!(max_threads(), 3);
/// set_num_threads(before);
/// ```
#[doc(alias = "omp_set_num_threads")]
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
/// use parallel::{in_parallel, parallel};
///
/// /// Whether every iteration ran inside a team, on `threads` threads.
/// #[parallel]
/// fn inside(n: usize, threads: usize) -> bool {
///     let mut all = true;
///     #[parallel_for(num_threads(threads), reduction(&&: all))]
///     for i in 0..n {
///         all = all && in_parallel() && i < n;
///     }
///     all
/// }
///
/// assert!(!in_parallel()); // outside any loop
/// assert!(inside(4, 2));
/// assert!(!inside(4, 1)); // a team of one is not parallel
/// ```
#[doc(alias = "omp_in_parallel")]
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
/// use parallel::wtime;
///
/// let start = wtime();
/// let work: u64 = (0..1000u64).sum();
/// assert!(wtime() - start >= 0.0 && work > 0);
/// ```
#[doc(alias = "omp_get_wtime")]
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
