//! Reductions: an identity and an associative, commutative `combine` per
//! operator of `reduction(op: ..)`, plus [`Reducer`] for user types.
//!
//! Every operator also reduces arrays `[T; N]` of a type it reduces,
//! element-wise.
//!
//! Each task of a loop starts its partial value from the identity; the driver
//! combines the partials, and the generated code folds the value the variable
//! had before the loop in once. Integer `+` and `*` wrap: a parallel sum's
//! partials may overflow where the sequential sum does not, and wrapping keeps
//! the final result equal to the sequential one whenever that does not overflow.

use core::fmt;
use core::marker::PhantomData;

macro_rules! reduce_trait {
    (
        $(#[$attr:meta])*
        $name:ident, $msg:literal, $note:literal, $ty:ty, $id:expr, $a:expr, $b:expr, $r:expr
    ) => {
        $(#[$attr])*
        #[doc = ""]
        #[doc = "# Examples"]
        #[doc = ""]
        #[doc = "```"]
        #[doc = concat!("use parallel_runtime::", stringify!($name), ";")]
        #[doc = ""]
        #[doc = concat!("assert_eq!(<", stringify!($ty), " as ", stringify!($name), ">::identity(), ", stringify!($id), ");")]
        #[doc = concat!("assert_eq!(", stringify!($ty), "::combine(", stringify!($a), ", ", stringify!($b), "), ", stringify!($r), ");")]
        #[doc = "```"]
        #[diagnostic::on_unimplemented(
            message = $msg,
            note = $note
        )]
        pub trait $name: Sized {
            /// The identity: `combine(identity(), x) == x`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use parallel_runtime::", stringify!($name), ";")]
            ///
            #[doc = concat!("assert_eq!(<", stringify!($ty), " as ", stringify!($name), ">::identity(), ", stringify!($id), ");")]
            /// ```
            fn identity() -> Self;

            /// Combines two partial values (associative and commutative).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use parallel_runtime::", stringify!($name), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($ty), "::combine(", stringify!($a), ", ", stringify!($b), "), ", stringify!($r), ");")]
            /// ```
            fn combine(a: Self, b: Self) -> Self;
        }
    };
}

reduce_trait!(
    /// `reduction(+: ..)`, also used for `reduction(-: ..)` (OpenMP sums the
    /// partials of `-` too): wrapping addition for integers, `+` for floats,
    /// whose identity is `-0.0` (the exact identity, which keeps a `-0.0` sum).
    ReducePlus, "`reduction(+: ..)` or `reduction(-: ..)` cannot combine a `{Self}`", "`+` and `-` reduce integers, floats and arrays of them", i32, 0, i32::MAX, 1, i32::MIN
);
reduce_trait!(
    /// `reduction(*: ..)`: wrapping multiplication for integers, `*` for floats.
    ReduceTimes, "`reduction(*: ..)` cannot combine a `{Self}`", "`*` reduces integers, floats and arrays of them", u8, 1, 16, 17, 16
);
reduce_trait!(
    /// `reduction(&: ..)`: bitwise and, for integers and `bool`.
    ReduceBitAnd, "`reduction(&: ..)` cannot combine a `{Self}`", "`&` reduces integers, `bool` and arrays of them", u8, u8::MAX, 0b1100, 0b1010, 0b1000
);
reduce_trait!(
    /// `reduction(|: ..)`: bitwise or, for integers and `bool`.
    ReduceBitOr, "`reduction(|: ..)` cannot combine a `{Self}`", "`|` reduces integers, `bool` and arrays of them", u8, 0, 0b1100, 0b1010, 0b1110
);
reduce_trait!(
    /// `reduction(^: ..)`: bitwise exclusive or, for integers and `bool`.
    ReduceBitXor, "`reduction(^: ..)` cannot combine a `{Self}`", "`^` reduces integers, `bool` and arrays of them", u8, 0, 0b1100, 0b1010, 0b0110
);
reduce_trait!(
    /// `reduction(&&: ..)`: logical and, for `bool`.
    ReduceAnd, "`reduction(&&: ..)` cannot combine a `{Self}`", "`&&` reduces `bool` and arrays of it", bool, true, true, false, false
);
reduce_trait!(
    /// `reduction(||: ..)`: logical or, for `bool`.
    ReduceOr, "`reduction(||: ..)` cannot combine a `{Self}`", "`||` reduces `bool` and arrays of it", bool, false, true, false, true
);
reduce_trait!(
    /// `reduction(min: ..)`: the minimum, for integers and floats (floats as
    /// [`f64::min`]: a NaN loses to any number).
    ReduceMin, "`reduction(min: ..)` cannot combine a `{Self}`", "`min` reduces integers, floats and arrays of them", f64, f64::INFINITY, f64::NAN, 2.0, 2.0
);
reduce_trait!(
    /// `reduction(max: ..)`: the maximum, for integers and floats (floats as
    /// [`f64::max`]: a NaN loses to any number).
    ReduceMax, "`reduction(max: ..)` cannot combine a `{Self}`", "`max` reduces integers, floats and arrays of them", i8, i8::MIN, -3, 5, 5
);

macro_rules! impl_int {
    ($($t:ty)*) => {$(
        impl ReducePlus for $t {
            #[inline(always)]
            fn identity() -> Self { 0 }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a.wrapping_add(b) }
        }
        impl ReduceTimes for $t {
            #[inline(always)]
            fn identity() -> Self { 1 }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a.wrapping_mul(b) }
        }
        impl ReduceBitAnd for $t {
            #[inline(always)]
            fn identity() -> Self { !0 }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a & b }
        }
        impl ReduceBitOr for $t {
            #[inline(always)]
            fn identity() -> Self { 0 }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a | b }
        }
        impl ReduceBitXor for $t {
            #[inline(always)]
            fn identity() -> Self { 0 }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a ^ b }
        }
        impl ReduceMin for $t {
            #[inline(always)]
            fn identity() -> Self { <$t>::MAX }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { Ord::min(a, b) }
        }
        impl ReduceMax for $t {
            #[inline(always)]
            fn identity() -> Self { <$t>::MIN }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { Ord::max(a, b) }
        }
    )*};
}

impl_int!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

macro_rules! impl_float {
    ($($t:ty)*) => {$(
        impl ReducePlus for $t {
            #[inline(always)]
            fn identity() -> Self { -0.0 }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a + b }
        }
        impl ReduceTimes for $t {
            #[inline(always)]
            fn identity() -> Self { 1.0 }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a * b }
        }
        impl ReduceMin for $t {
            #[inline(always)]
            fn identity() -> Self { <$t>::INFINITY }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a.min(b) }
        }
        impl ReduceMax for $t {
            #[inline(always)]
            fn identity() -> Self { <$t>::NEG_INFINITY }
            #[inline(always)]
            fn combine(a: Self, b: Self) -> Self { a.max(b) }
        }
    )*};
}

impl_float!(f32 f64);

impl ReduceBitAnd for bool {
    #[inline(always)]
    fn identity() -> Self {
        true
    }
    #[inline(always)]
    fn combine(a: Self, b: Self) -> Self {
        a & b
    }
}

impl ReduceBitOr for bool {
    #[inline(always)]
    fn identity() -> Self {
        false
    }
    #[inline(always)]
    fn combine(a: Self, b: Self) -> Self {
        a | b
    }
}

impl ReduceBitXor for bool {
    #[inline(always)]
    fn identity() -> Self {
        false
    }
    #[inline(always)]
    fn combine(a: Self, b: Self) -> Self {
        a ^ b
    }
}

impl ReduceAnd for bool {
    #[inline(always)]
    fn identity() -> Self {
        true
    }
    #[inline(always)]
    fn combine(a: Self, b: Self) -> Self {
        a && b
    }
}

impl ReduceOr for bool {
    #[inline(always)]
    fn identity() -> Self {
        false
    }
    #[inline(always)]
    fn combine(a: Self, b: Self) -> Self {
        a || b
    }
}

// Arrays reduce element-wise, as OpenMP's array sections do.
macro_rules! impl_array {
    ($($trait:ident)*) => {$(
        impl<T: $trait, const N: usize> $trait for [T; N] {
            #[inline]
            fn identity() -> Self {
                core::array::from_fn(|_| T::identity())
            }
            #[inline]
            fn combine(a: Self, b: Self) -> Self {
                let mut b = b.into_iter();
                a.map(|x| T::combine(x, b.next().expect("arrays of the same length")))
            }
        }
    )*};
}

impl_array!(ReducePlus ReduceTimes ReduceBitAnd ReduceBitOr ReduceBitXor ReduceAnd ReduceOr ReduceMin ReduceMax);

/// A user-defined reduction, OpenMP's `declare reduction`:
/// `#[parallel_for(reduction(Merge: stats))]` with `Merge: Reducer<Value = Stats>`.
///
/// `combine` must be associative, and `identity()` neutral for it; it need
/// not be commutative: the loop combines its chunks' partials in iteration
/// order, whichever thread ran them.
///
/// # Examples
///
/// ```
/// use parallel::Reducer;
///
/// /// Count and total of some samples.
/// struct Merge;
/// impl Reducer for Merge {
///     type Value = (usize, f64);
///     fn identity() -> (usize, f64) { (0, 0.0) }
///     fn combine(acc: &mut (usize, f64), other: (usize, f64)) {
///         acc.0 += other.0;
///         acc.1 += other.1;
///     }
/// }
///
/// let mut acc = Merge::identity();
/// Merge::combine(&mut acc, (2, 3.5));
/// Merge::combine(&mut acc, (1, 0.5));
/// assert_eq!(acc, (3, 4.0));
/// ```
#[doc(alias = "omp declare reduction")]
#[doc(alias = "declare reduction")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Reducer`, so it cannot name a reduction",
    label = "used as `reduction({Self}: ..)`",
    note = "implement `parallel::Reducer` for it: `type Value` (the variable's type), `fn identity() -> Value` and `fn combine(acc: &mut Value, other: Value)`; or use one of the operators + * - & | ^ && || min max"
)]
pub trait Reducer {
    /// The type of the reduced variable.
    type Value;

    /// The neutral value each task starts from.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::Reducer;
    ///
    /// struct Longest;
    /// impl Reducer for Longest {
    ///     type Value = String;
    ///     fn identity() -> String { String::new() }
    ///     fn combine(acc: &mut String, other: String) {
    ///         if other.len() > acc.len() { *acc = other; }
    ///     }
    /// }
    /// assert_eq!(Longest::identity(), "");
    /// ```
    fn identity() -> Self::Value;

    /// Folds `other` into `acc`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::Reducer;
    ///
    /// struct Concat;
    /// impl Reducer for Concat {
    ///     type Value = Vec<u32>;
    ///     fn identity() -> Vec<u32> { Vec::new() }
    ///     fn combine(acc: &mut Vec<u32>, other: Vec<u32>) { acc.extend(other); }
    /// }
    /// let mut acc = vec![1];
    /// Concat::combine(&mut acc, vec![2, 3]);
    /// assert_eq!(acc, [1, 2, 3]);
    /// ```
    fn combine(acc: &mut Self::Value, other: Self::Value);
}

/// The type of a reduction variable, named without naming it: generated code
/// writes `Ty::of(&stats).user_reduction::<Merge>()`, so that the variable
/// fixes the type before the reducer is checked against it.
///
/// `Send + Sync + Copy` for every `T`.
///
/// # Examples
///
/// ```
/// use parallel_runtime::Ty;
///
/// let sum = 10u64;
/// let ty = Ty::of(&sum);
/// assert_eq!(format!("{ty:?}"), "Ty<u64>");
/// ```
pub struct Ty<T>(PhantomData<fn() -> T>);

impl<T> Clone for Ty<T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Ty<T> {}

impl<T> fmt::Debug for Ty<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ty<{}>", core::any::type_name::<T>())
    }
}

impl<T> Ty<T> {
    /// The type of `_value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel_runtime::Ty;
    ///
    /// let ty = Ty::of(&1.5f32);
    /// assert_eq!(format!("{ty:?}"), "Ty<f32>");
    /// ```
    #[inline(always)]
    pub fn of(_value: &T) -> Self {
        Ty(PhantomData)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Combine, PrivateOf, combine, op};

    /// `combine(op, identity, v)`, through the path the expansion uses.
    fn neutral<Op: Copy, T: PrivateOf<Op, Private = T> + Combine<Op>>(o: Op, v: T) -> T {
        combine(o, v.__parallel_private(o), v)
    }

    fn assert_send_sync_copy<X: Send + Sync + Copy>() {}

    #[test]
    fn ty_is_send_sync_copy_for_any_t() {
        assert_send_sync_copy::<Ty<std::rc::Rc<String>>>();
        assert_send_sync_copy::<Ty<std::cell::Cell<u8>>>();
        assert_eq!(format!("{:?}", Ty::of(&1u8)), "Ty<u8>");
    }

    /// Every operator's identity is neutral, and folding a list of values in
    /// two halves equals the sequential fold.
    macro_rules! check_ints {
        ($($t:ty)*) => {$({
            let values: Vec<$t> = vec![0, 1, 2, 3, 5, 7, 11, 100, <$t>::MAX, <$t>::MIN, <$t>::MAX / 3];
            for &v in &values {
                assert_eq!(neutral(op::Plus, v), v);
                assert_eq!(neutral(op::Times, v), v);
                assert_eq!(neutral(op::BitAnd, v), v);
                assert_eq!(neutral(op::BitOr, v), v);
                assert_eq!(neutral(op::BitXor, v), v);
                assert_eq!(neutral(op::Min, v), v);
                assert_eq!(neutral(op::Max, v), v);
            }
            let seq_sum = values.iter().fold(0 as $t, |a, &b| a.wrapping_add(b));
            let seq_prod = values.iter().fold(1 as $t, |a, &b| a.wrapping_mul(b));
            let (l, r) = values.split_at(4);
            let fold = |xs: &[$t], id: $t, f: fn($t, $t) -> $t| xs.iter().fold(id, |a, &b| f(a, b));
            let halves = |id: $t, f: fn($t, $t) -> $t| f(fold(l, id, f), fold(r, id, f));
            assert_eq!(halves(<$t as ReducePlus>::identity(), <$t as ReducePlus>::combine), seq_sum);
            assert_eq!(halves(<$t as ReduceTimes>::identity(), <$t as ReduceTimes>::combine), seq_prod);
            assert_eq!(halves(<$t as ReduceMin>::identity(), <$t as ReduceMin>::combine), *values.iter().min().unwrap());
            assert_eq!(halves(<$t as ReduceMax>::identity(), <$t as ReduceMax>::combine), *values.iter().max().unwrap());
            assert_eq!(halves(<$t as ReduceBitAnd>::identity(), <$t as ReduceBitAnd>::combine), values.iter().fold(!0, |a, &b| a & b));
            assert_eq!(halves(<$t as ReduceBitOr>::identity(), <$t as ReduceBitOr>::combine), values.iter().fold(0, |a, &b| a | b));
            assert_eq!(halves(<$t as ReduceBitXor>::identity(), <$t as ReduceBitXor>::combine), values.iter().fold(0, |a, &b| a ^ b));
        })*};
    }

    #[test]
    fn integers() {
        check_ints!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);
        // Wrapping: partials may overflow where the whole does not.
        assert_eq!(
            <i8 as ReducePlus>::combine(<i8 as ReducePlus>::combine(100, 100), -100),
            100
        );
        assert_eq!(<u8 as ReduceTimes>::combine(16, 16), 0);
    }

    macro_rules! check_floats {
        ($($t:ty)*) => {$({
            let zero: $t = 0.0;
            for v in [0.0, -0.0, 1.5, -2.25, <$t>::MAX, <$t>::MIN_POSITIVE, <$t>::INFINITY, <$t>::NEG_INFINITY] {
                let v: $t = v;
                assert_eq!(neutral(op::Plus, v).to_bits(), v.to_bits());
                assert_eq!(neutral(op::Times, v).to_bits(), v.to_bits());
                assert_eq!(neutral(op::Min, v).to_bits(), v.to_bits());
                assert_eq!(neutral(op::Max, v).to_bits(), v.to_bits());
            }
            // NaN is ignored by min and max, like f64::min / f64::max.
            assert_eq!(combine(op::Min, <$t>::NAN, 3.0), 3.0);
            assert_eq!(combine(op::Min, 3.0, <$t>::NAN), 3.0);
            assert_eq!(combine(op::Max, <$t>::NAN, -3.0), -3.0);
            // A member's copy of a min or max starts as the variable, NaN
            // included: the updates then compare as the plain loop's do.
            assert!(neutral(op::Min, <$t>::NAN).is_nan());
            let xs: Vec<$t> = (1..=100).map(|i| i as $t * 0.5).collect();
            let seq: $t = xs.iter().sum();
            let (l, r) = xs.split_at(37);
            let part = |s: &[$t]| s.iter().fold(zero.__parallel_private(op::Plus), |a, &b| combine(op::Plus, a, b));
            assert_eq!(combine(op::Plus, part(l), part(r)), seq);
        })*};
    }

    #[test]
    fn floats() {
        check_floats!(f32 f64);
    }

    #[test]
    fn arrays_reduce_element_wise() {
        let a = [1i32, -2, 3];
        assert_eq!(a.__parallel_private(op::Plus), [0; 3]);
        assert_eq!(combine(op::Plus, a, [10, 20, 30]), [11, 18, 33]);
        assert_eq!(combine(op::Min, a, [0, 0, 5]), [0, -2, 3]);
        assert_eq!(neutral(op::Max, a), a);
        assert_eq!(neutral(op::Times, a), a);
        let grid = [[1.5f64, 2.0], [3.0, -1.0]];
        assert_eq!(neutral(op::Plus, grid), grid);
        assert_eq!(combine(op::Plus, grid, grid), [[3.0, 4.0], [6.0, -2.0]]);
        let flags = [true, false];
        assert_eq!(neutral(op::And, flags), flags);
        assert_eq!(combine(op::Or, flags, [false, true]), [true, true]);
        assert_eq!(combine(op::BitXor, flags, [true, true]), [false, true]);
        let empty: [u8; 0] = [];
        assert_eq!(empty.__parallel_private(op::BitAnd), []);
    }

    #[test]
    fn booleans() {
        for v in [false, true] {
            assert_eq!(neutral(op::And, v), v);
            assert_eq!(neutral(op::Or, v), v);
            assert_eq!(neutral(op::BitAnd, v), v);
            assert_eq!(neutral(op::BitOr, v), v);
            assert_eq!(neutral(op::BitXor, v), v);
            for w in [false, true] {
                assert_eq!(combine(op::And, v, w), v && w);
                assert_eq!(combine(op::Or, v, w), v || w);
                assert_eq!(combine(op::BitAnd, v, w), v & w);
                assert_eq!(combine(op::BitOr, v, w), v | w);
                assert_eq!(combine(op::BitXor, v, w), v ^ w);
            }
        }
    }
}
