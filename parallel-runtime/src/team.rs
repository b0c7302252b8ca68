//! Teams: the per-thread team state behind `thread_num()` and friends, and
//! the conversion of `num_threads(expr)` to a team size. The threads
//! themselves are the crew's (see `crew`).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::sealed::Sealed;

/// What the current thread is doing, as far as teams are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct State {
    /// This member's index in its team.
    pub(crate) thread_num: usize,
    /// The team's size.
    pub(crate) num_threads: usize,
    /// How many loops enclose this code (inline ones included).
    pub(crate) level: usize,
    /// The size of the innermost forked team; 0 outside any.
    pub(crate) pool: usize,
    /// Whether some enclosing team has more than one member.
    pub(crate) active: bool,
}

impl State {
    /// Outside every loop.
    pub(crate) const OUTSIDE: State = State {
        thread_num: 0,
        num_threads: 1,
        level: 0,
        pool: 0,
        active: false,
    };

    /// The single member of a loop that `parent` runs inline.
    pub(crate) fn inline(parent: State) -> State {
        State {
            thread_num: 0,
            num_threads: 1,
            level: parent.level + 1,
            pool: parent.pool,
            active: parent.active,
        }
    }

    /// Member `thread_num` of a team of `team` forked by `parent`.
    pub(crate) fn member(parent: State, thread_num: usize, team: usize) -> State {
        State {
            thread_num,
            num_threads: team,
            level: parent.level + 1,
            pool: team,
            active: true,
        }
    }
}

thread_local! {
    static STATE: Cell<State> = const { Cell::new(State::OUTSIDE) };
}

/// The current thread's team state.
#[inline]
pub(crate) fn current() -> State {
    STATE.with(Cell::get)
}

/// Makes the current thread member `k` of its team (a static unit runs as
/// the member that owns it, whoever runs it).
#[inline]
pub(crate) fn set_thread_num(k: usize) {
    STATE.with(|s| {
        let mut state = s.get();
        if state.thread_num != k {
            state.thread_num = k;
            s.set(state);
        }
    });
}

/// Puts `state` in place until dropped, then restores the previous state,
/// also when unwinding; on unwinding it also raises `stop`, so the rest of the
/// team stops at its next chunk.
pub(crate) struct Enter<'a> {
    saved: State,
    stop: Option<&'a AtomicBool>,
}

impl<'a> Enter<'a> {
    #[inline]
    pub(crate) fn new(state: State, stop: Option<&'a AtomicBool>) -> Self {
        Enter {
            saved: STATE.with(|s| s.replace(state)),
            stop,
        }
    }
}

impl Drop for Enter<'_> {
    #[inline]
    fn drop(&mut self) {
        if let Some(stop) = self.stop
            && std::thread::panicking()
        {
            stop.store(true, Ordering::Relaxed);
        }
        STATE.with(|s| s.set(self.saved));
    }
}

#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn no_threads(n: impl core::fmt::Display) -> ! {
    panic!("num_threads({n}): a team needs at least one thread")
}

/// An integer type `num_threads(expr)` accepts: every primitive integer type.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{team_size, TeamSize};
///
/// fn size<N: TeamSize>(n: N) -> usize { team_size(n) }
/// assert_eq!(size(4u8) + size(4i64), 8);
/// ```
pub trait TeamSize: Copy + Sealed {
    #[doc(hidden)]
    fn __team_size(self) -> usize;
}

macro_rules! impl_team_size {
    ($($t:ty)*) => {$(
        impl TeamSize for $t {
            #[inline]
            #[track_caller]
            #[allow(unused_comparisons)]
            fn __team_size(self) -> usize {
                if self <= 0 {
                    no_threads(self);
                }
                match usize::try_from(self) {
                    Ok(n) => n,
                    Err(_) => panic!(
                        "num_threads({self}): a team of more than usize::MAX threads is impossible"
                    ),
                }
            }
        }
    )*};
}

impl_team_size!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

/// The team size of `num_threads(n)`, for `n` of any integer type.
///
/// # Panics
///
/// If `n` is zero or negative: "num_threads(-2): a team needs at least one
/// thread".
///
/// # Examples
///
/// ```
/// use parallel_runtime::team_size;
///
/// assert_eq!(team_size(3i32), 3);
/// assert_eq!(team_size(8usize), 8);
/// assert!(std::panic::catch_unwind(|| team_size(0u8)).is_err());
/// ```
#[inline]
#[track_caller]
pub fn team_size<N: TeamSize>(n: N) -> usize {
    n.__team_size()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_sizes_of_every_integer_type() {
        assert_eq!(team_size(1i8), 1);
        assert_eq!(team_size(127i8), 127);
        assert_eq!(team_size(3u16), 3);
        assert_eq!(team_size(5i128), 5);
        assert_eq!(team_size(7u128), 7);
        assert_eq!(team_size(usize::MAX), usize::MAX);
        assert_eq!(team_size(2isize), 2);
    }

    fn message(f: impl FnOnce() -> usize + std::panic::UnwindSafe) -> String {
        let e = std::panic::catch_unwind(f).unwrap_err();
        e.downcast_ref::<String>().cloned().unwrap()
    }

    #[test]
    fn bad_team_sizes_panic_clearly() {
        assert_eq!(
            message(|| team_size(0u32)),
            "num_threads(0): a team needs at least one thread"
        );
        assert_eq!(
            message(|| team_size(-2i64)),
            "num_threads(-2): a team needs at least one thread"
        );
        assert_eq!(
            message(|| team_size(i128::MIN)),
            format!(
                "num_threads({}): a team needs at least one thread",
                i128::MIN
            )
        );
        if usize::BITS < 128 {
            let msg = message(|| team_size(u128::MAX));
            assert!(msg.contains("more than usize::MAX threads"), "{msg}");
        }
    }

    #[test]
    fn enter_restores_state_and_raises_stop_on_unwind() {
        assert_eq!(current(), State::OUTSIDE);
        let stop = AtomicBool::new(false);
        {
            let _g = Enter::new(State::member(State::OUTSIDE, 2, 3), Some(&stop));
            assert_eq!(current().thread_num, 2);
            {
                let _h = Enter::new(State::inline(current()), None);
                assert_eq!((current().thread_num, current().level), (0, 2));
                assert!(current().active);
            }
            assert_eq!((current().thread_num, current().num_threads), (2, 3));
        }
        assert_eq!(current(), State::OUTSIDE);
        assert!(!stop.load(Ordering::Relaxed));
        let r = std::panic::catch_unwind(|| {
            let _g = Enter::new(State::member(State::OUTSIDE, 1, 2), Some(&stop));
            panic!("inside");
        });
        assert!(r.is_err());
        assert!(stop.load(Ordering::Relaxed));
        assert_eq!(current(), State::OUTSIDE);
    }
}
