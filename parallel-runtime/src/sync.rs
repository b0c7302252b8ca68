//! `#[atomic]` and `#[critical]`: shared variables that a loop body updates
//! under a directive. The expansion moves the variable into one of these
//! before the loop and back out after it, so no `unsafe` is involved.

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
pub struct Critical<T>(Mutex<T>);

impl<T> Critical<T> {
    /// Takes the variables before the loop.
    ///
    /// # Examples
    ///
    /// See [`Critical`].
    pub fn new(vars: T) -> Self {
        Critical(Mutex::new(vars))
    }

    /// Enters the section. A panic inside another section does not lock
    /// the others out: the panic itself reaches the caller.
    ///
    /// # Examples
    ///
    /// See [`Critical`].
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The variables after the loop.
    ///
    /// # Examples
    ///
    /// See [`Critical`].
    pub fn into_inner(self) -> T {
        self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

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
