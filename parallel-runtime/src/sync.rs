//! `#[atomic]` and `#[critical]`: shared variables that a loop body updates
//! under a directive. The expansion moves the variable into one of these
//! before the loop and back out after it, so no `unsafe` is involved.

use std::cell::Cell;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{
    AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicIsize, AtomicU8, AtomicU16, AtomicU32,
    AtomicU64, AtomicUsize,
};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A scalar that `#[atomic] x op= e` can update: integers natively, floats
/// through their bits with compare-and-exchange.
#[diagnostic::on_unimplemented(
    message = "`#[atomic]` cannot update a `{Self}`",
    label = "updated with `#[atomic]`",
    note = "`#[atomic]` works on integer and float scalars; protect other types with a `#[critical] {{ .. }}` block"
)]
pub trait AtomicScalar: Copy + Send {
    /// The atomic storage.
    #[doc(hidden)]
    type Cell: Send + Sync;
    #[doc(hidden)]
    fn __new(self) -> Self::Cell;
    #[doc(hidden)]
    fn __update(cell: &Self::Cell, f: impl Fn(Self) -> Self);
    #[doc(hidden)]
    fn __into_inner(cell: Self::Cell) -> Self;
}

macro_rules! atomic_scalars {
    ($($t:ty => $a:ty),* $(,)?) => {$(
        impl AtomicScalar for $t {
            type Cell = $a;
            fn __new(self) -> $a {
                <$a>::new(self)
            }
            #[inline]
            fn __update(cell: &$a, f: impl Fn(Self) -> Self) {
                // `fetch_update` retries until no other thread got in between.
                let _ = cell.fetch_update(Relaxed, Relaxed, |v| Some(f(v)));
            }
            fn __into_inner(cell: $a) -> Self {
                cell.into_inner()
            }
        }
    )*};
}

atomic_scalars! {
    i8 => AtomicI8, i16 => AtomicI16, i32 => AtomicI32, i64 => AtomicI64, isize => AtomicIsize,
    u8 => AtomicU8, u16 => AtomicU16, u32 => AtomicU32, u64 => AtomicU64, usize => AtomicUsize,
}

macro_rules! atomic_floats {
    ($($t:ty => $a:ty),* $(,)?) => {$(
        impl AtomicScalar for $t {
            type Cell = $a;
            fn __new(self) -> $a {
                <$a>::new(self.to_bits())
            }
            #[inline]
            fn __update(cell: &$a, f: impl Fn(Self) -> Self) {
                let _ = cell.fetch_update(Relaxed, Relaxed, |bits| {
                    Some(f(<$t>::from_bits(bits)).to_bits())
                });
            }
            fn __into_inner(cell: $a) -> Self {
                <$t>::from_bits(cell.into_inner())
            }
        }
    )*};
}

atomic_floats!(f32 => AtomicU32, f64 => AtomicU64);

/// A shared scalar under `#[atomic]` for the duration of a loop.
///
/// # Examples
///
/// ```
/// use parallel_runtime::AtomicCell;
///
/// let total = AtomicCell::new(1.5f64);
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| (0..100).for_each(|_| total.update(|v| v + 1.0)));
///     }
/// });
/// assert_eq!(total.into_inner(), 401.5);
/// ```
pub struct AtomicCell<T: AtomicScalar>(T::Cell);

impl<T: AtomicScalar> AtomicCell<T> {
    /// Takes the variable's value before the loop.
    ///
    /// # Examples
    ///
    /// See [`AtomicCell`].
    pub fn new(value: T) -> Self {
        AtomicCell(value.__new())
    }

    /// `x = f(x)` as one indivisible step.
    ///
    /// # Examples
    ///
    /// See [`AtomicCell`].
    #[inline]
    pub fn update(&self, f: impl Fn(T) -> T) {
        T::__update(&self.0, f)
    }

    /// The value after the loop.
    ///
    /// # Examples
    ///
    /// See [`AtomicCell`].
    pub fn into_inner(self) -> T {
        T::__into_inner(self.0)
    }
}

/// The variables of one `#[critical(name)]` section, behind one lock.
///
/// # Examples
///
/// ```
/// use parallel_runtime::Critical;
///
/// let log = Critical::new((Vec::new(), 0u32));
/// std::thread::scope(|s| {
///     for k in 0..3 {
///         let log = &log;
///         s.spawn(move || {
///             let mut guard = log.lock();
///             let (items, count) = &mut *guard;
///             items.push(k);
///             *count += 1;
///         });
///     }
/// });
/// let (mut items, count) = log.into_inner();
/// items.sort();
/// assert_eq!((items, count), (vec![0, 1, 2], 3));
/// ```
pub struct Critical<T> {
    lock: Mutex<T>,
    /// The thread inside the section (see [`thread_key`]), 0 when none.
    owner: AtomicUsize,
}

thread_local! {
    /// How many `#[critical]` sections this thread is inside.
    static HELD: Cell<usize> = const { Cell::new(0) };
    /// Its address tells the threads apart.
    static KEY: u8 = const { 0 };
}

/// A number that differs between live threads (never 0).
fn thread_key() -> usize {
    KEY.with(|k| k as *const u8 as usize)
}

/// Whether this thread is inside a `#[critical]` section: a parallel loop
/// started there runs inline, because a worker that waited for its team
/// could pick up another iteration of the outer loop, which would wait for
/// the section this thread holds.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{in_critical, Critical};
///
/// let c = Critical::new(());
/// assert!(!in_critical());
/// let guard = c.lock();
/// assert!(in_critical());
/// drop(guard);
/// assert!(!in_critical());
/// ```
pub fn in_critical() -> bool {
    HELD.with(Cell::get) > 0
}

impl<T> Critical<T> {
    /// Takes the variables before the loop.
    ///
    /// # Examples
    ///
    /// See [`Critical`].
    pub fn new(vars: T) -> Self {
        Critical {
            lock: Mutex::new(vars),
            owner: AtomicUsize::new(0),
        }
    }

    /// Enters the section. A panic inside another section does not lock
    /// the others out: the panic itself reaches the caller.
    ///
    /// # Panics
    ///
    /// If this thread is already inside this section (entered again from a
    /// closure or a function called in the block): the lock is not
    /// re-entrant, so waiting would never end.
    ///
    /// # Examples
    ///
    /// See [`Critical`].
    #[track_caller]
    pub fn lock(&self) -> CriticalGuard<'_, T> {
        let me = thread_key();
        if self.owner.load(Relaxed) == me {
            panic!(
                "a `#[critical]` section was entered again by the thread already inside it \
                 (from a closure or a function called in the block); sections do not nest: \
                 move that code out of the block"
            );
        }
        let guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.owner.store(me, Relaxed);
        HELD.with(|h| h.set(h.get() + 1));
        CriticalGuard {
            guard,
            owner: &self.owner,
        }
    }

    /// The variables after the loop.
    ///
    /// # Examples
    ///
    /// See [`Critical`].
    pub fn into_inner(self) -> T {
        self.lock
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Inside a `#[critical]` section: the section's variables.
pub struct CriticalGuard<'a, T> {
    guard: MutexGuard<'a, T>,
    owner: &'a AtomicUsize,
}

impl<T> Drop for CriticalGuard<'_, T> {
    fn drop(&mut self) {
        // Before the lock is released (the guard field drops after this).
        self.owner.store(0, Relaxed);
        HELD.with(|h| h.set(h.get() - 1));
    }
}

impl<T> core::ops::Deref for CriticalGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> core::ops::DerefMut for CriticalGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

/// What a variable updated with `#[atomic]` is inside the loop body, apart
/// from its `#[atomic]` updates: using it otherwise (in a macro the analysis
/// cannot see into, say) is a type error naming this type, rather than a
/// read of a stale copy.
///
/// # Examples
///
/// ```
/// let _ = parallel_runtime::UpdatedByAtomicInThisLoop;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct UpdatedByAtomicInThisLoop;

/// `v.__parallel_mut()`: a mutable borrow of `v` by method-call syntax, so
/// that a `&mut T` parameter is reborrowed (it needs no `mut` binding) and an
/// owned variable is borrowed.
///
/// # Examples
///
/// ```
/// use parallel_runtime::MutExt;
///
/// fn push(v: &mut Vec<u8>) {
///     v.__parallel_mut().push(1);
/// }
/// let mut v = Vec::new();
/// push(&mut v);
/// let mut n = 1;
/// *n.__parallel_mut() += 1;
/// assert_eq!((v, n), (vec![1], 2));
/// ```
pub trait MutExt {
    /// `&mut self`.
    fn __parallel_mut(&mut self) -> &mut Self {
        self
    }
}

impl<T: ?Sized> MutExt for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entering_a_section_twice_on_one_thread_panics_instead_of_hanging() {
        let c = Critical::new(0);
        let _outer = c.lock();
        let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(c.lock())));
        assert!(again.is_err());
    }

    #[test]
    fn atomic_updates_from_many_threads_are_not_lost() {
        let ints = AtomicCell::new(0u64);
        let floats = AtomicCell::new(0.0f32);
        let signed = AtomicCell::new(100i8);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for k in 0..1000u64 {
                        ints.update(|v| v + k);
                        floats.update(|v| v + 0.5);
                    }
                    signed.update(|v| v - 1);
                });
            }
        });
        assert_eq!(ints.into_inner(), 4 * 999 * 1000 / 2);
        assert_eq!(floats.into_inner(), 2000.0);
        assert_eq!(signed.into_inner(), 96);
    }
}
