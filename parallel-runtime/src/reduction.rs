//! Reduction variables as the macro uses them: a private copy per team
//! member, shaped like the variable (a scalar, an array, a `Vec`, a slice),
//! combined element by element, and folded back into the variable once.
//!
//! Each operator is a marker type in [`op`]. For a variable `v` and an
//! operator `o`, the expansion calls `v.__parallel_private(o)` for the copy
//! (method syntax, so that a `&mut [T]` parameter needs no `mut` binding),
//! [`combine`] to merge two copies, and `v.__parallel_fold(o, copy)` at the
//! end. The element operations are the `Reduce*` traits, whose
//! `on_unimplemented` messages name the operator.

use crate::reduce::{
    ReduceAnd, ReduceBitAnd, ReduceBitOr, ReduceBitXor, ReduceMax, ReduceMin, ReduceOr, ReducePlus,
    ReduceTimes, Reducer, Ty,
};

/// The reduction operators, as types.
pub mod op {
    macro_rules! markers {
        ($($name:ident: $doc:literal,)*) => {$(
            #[doc = concat!("The operator of `reduction(", $doc, ": ..)`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let _ = parallel_runtime::op::", stringify!($name), ";")]
            /// ```
            #[derive(Clone, Copy, Debug, Default)]
            pub struct $name;
        )*};
    }

    markers! {
        Plus: "+ or -",
        Times: "*",
        BitAnd: "&",
        BitOr: "|",
        BitXor: "^",
        And: "&&",
        Or: "||",
        Min: "min",
        Max: "max",
    }
}

/// A variable that `reduction(op: ..)` can privatize: `Private` is the type
/// of a member's copy, filled with the operator's identity.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{op, PrivateOf};
///
/// let bins: &mut [u32] = &mut [5, 6, 7];
/// assert_eq!(bins.__parallel_private(op::Plus), vec![0, 0, 0]);
/// assert_eq!(2.5f64.__parallel_private(op::Times), 1.0);
/// ```
#[diagnostic::on_unimplemented(
    message = "this reduction operator cannot reduce a `{Self}`",
    label = "reduced here",
    note = "the operators apply to: `+ - *` and `min max` numbers; `& | ^` integers and `bool`; `&& ||` `bool`; and to arrays, `Vec`s and slices of those, element by element"
)]
pub trait PrivateOf<Op> {
    /// A member's copy.
    type Private: Send;
    /// A copy shaped like `self`, every element the identity of `Op`.
    fn __parallel_private(&self, op: Op) -> Self::Private;
}

/// Two private copies merged by the operator: element-wise for arrays.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{combine, op};
///
/// assert_eq!(combine(op::Max, 3, 7), 7);
/// assert_eq!(combine(op::Plus, vec![1, 2], vec![10, 20]), vec![11, 22]);
/// ```
pub fn combine<Op, P: Combine<Op>>(op: Op, a: P, b: P) -> P {
    P::combine(op, a, b)
}

/// The merge of two private copies, for [`combine`].
///
/// # Examples
///
/// ```
/// use parallel_runtime::{op, Combine};
///
/// assert_eq!(<[u8; 2]>::combine(op::BitOr, [1, 2], [4, 8]), [5, 10]);
/// ```
pub trait Combine<Op>: Sized {
    /// `a` op `b`.
    fn combine(op: Op, a: Self, b: Self) -> Self;
}

/// Folds a member's copy back into the variable, once, after the loop.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{op, Fold};
///
/// let mut total = 10;
/// total.__parallel_fold(op::Plus, 5);
/// assert_eq!(total, 15);
/// let bins: &mut [u32] = &mut [1, 1];
/// bins.__parallel_fold(op::Plus, vec![2, 3]);
/// assert_eq!(bins, [3, 4]);
/// ```
#[diagnostic::on_unimplemented(
    message = "this reduction operator cannot reduce a `{Self}`",
    label = "reduced here",
    note = "the operators apply to: `+ - *` and `min max` numbers; `& | ^` integers and `bool`; `&& ||` `bool`; and to arrays, `Vec`s and slices of those, element by element"
)]
pub trait Fold<Op, P> {
    /// `self = self op p`.
    fn __parallel_fold(&mut self, op: Op, p: P);
}

/// `*x = x op y`, element by element.
#[inline]
fn merge_into<T, F: Fn(T, T) -> T>(xs: &mut [T], ys: Vec<T>, identity: impl Fn() -> T, f: F) {
    for (x, y) in xs.iter_mut().zip(ys) {
        let old = core::mem::replace(x, identity());
        *x = f(old, y);
    }
}

macro_rules! operators {
    ($($op:ident => $tr:ident,)*) => {$(
        // A scalar or a fixed-size array (arrays are `Reduce*` element-wise).
        impl<T: $tr + Send> PrivateOf<op::$op> for T {
            type Private = T;
            #[inline(always)]
            fn __parallel_private(&self, _: op::$op) -> T {
                T::identity()
            }
        }
        impl<T: $tr> Combine<op::$op> for T {
            #[inline(always)]
            fn combine(_: op::$op, a: T, b: T) -> T {
                T::combine(a, b)
            }
        }
        impl<T: $tr> Fold<op::$op, T> for T {
            #[inline(always)]
            fn __parallel_fold(&mut self, _: op::$op, p: T) {
                let old = core::mem::replace(self, T::identity());
                *self = T::combine(old, p);
            }
        }
        // A `Vec` or a slice: the copy is a `Vec` of the same length.
        impl<T: $tr + Send> PrivateOf<op::$op> for Vec<T> {
            type Private = Vec<T>;
            fn __parallel_private(&self, _: op::$op) -> Vec<T> {
                self.iter().map(|_| T::identity()).collect()
            }
        }
        impl<T: $tr + Send> PrivateOf<op::$op> for [T] {
            type Private = Vec<T>;
            fn __parallel_private(&self, _: op::$op) -> Vec<T> {
                self.iter().map(|_| T::identity()).collect()
            }
        }
        impl<T: $tr> Combine<op::$op> for Vec<T> {
            fn combine(_: op::$op, mut a: Vec<T>, b: Vec<T>) -> Vec<T> {
                merge_into(&mut a, b, T::identity, T::combine);
                a
            }
        }
        impl<T: $tr> Fold<op::$op, Vec<T>> for Vec<T> {
            fn __parallel_fold(&mut self, _: op::$op, p: Vec<T>) {
                merge_into(self, p, T::identity, T::combine);
            }
        }
        impl<T: $tr> Fold<op::$op, Vec<T>> for [T] {
            fn __parallel_fold(&mut self, _: op::$op, p: Vec<T>) {
                merge_into(self, p, T::identity, T::combine);
            }
        }
    )*};
}

operators! {
    Plus => ReducePlus,
    Times => ReduceTimes,
    BitAnd => ReduceBitAnd,
    BitOr => ReduceBitOr,
    BitXor => ReduceBitXor,
    And => ReduceAnd,
    Or => ReduceOr,
    Min => ReduceMin,
    Max => ReduceMax,
}

// A user-defined reducer. Its variable is a plain value, so the expansion
// calls `user_private` and `user_fold` directly (a blanket `PrivateOf` impl
// over every `V` would capture method calls on `&mut [T]` variables).

/// A user-defined [`Reducer`] of a variable of type `V`, as the expansion
/// uses it: checked once (`R: Reducer<Value = V>`), then called through
/// function pointers, so that a reducer that does not fit is one error.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{user_reduction, Reducer};
///
/// struct Concat;
/// impl Reducer for Concat {
///     type Value = String;
///     fn identity() -> String { String::new() }
///     fn combine(acc: &mut String, other: String) { acc.push_str(&other); }
/// }
/// let mut s = "ab".to_owned();
/// let red = user_reduction::<Concat, _>(&s);
/// let part = red.combine(red.private(), "cd".to_owned());
/// red.fold(&mut s, part);
/// assert_eq!(s, "abcd");
/// ```
pub struct UserReduction<V> {
    identity: fn() -> V,
    combine: fn(&mut V, V),
}

impl<V> Clone for UserReduction<V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<V> Copy for UserReduction<V> {}

impl<V> UserReduction<V> {
    /// A member's copy: the reducer's identity.
    ///
    /// # Examples
    ///
    /// See [`UserReduction`].
    #[inline]
    pub fn private(self) -> V {
        (self.identity)()
    }

    /// Two members' copies, combined.
    ///
    /// # Examples
    ///
    /// See [`UserReduction`].
    #[inline]
    pub fn combine(self, mut a: V, b: V) -> V {
        (self.combine)(&mut a, b);
        a
    }

    /// The combined copy folded into the variable.
    ///
    /// # Examples
    ///
    /// See [`UserReduction`].
    #[inline]
    pub fn fold(self, v: &mut V, p: V) {
        (self.combine)(v, p);
    }
}

/// `Self` and `T` are the same type: a reducer's `Value` and the type of
/// the variable it reduces.
///
/// # Examples
///
/// ```
/// use parallel_runtime::SameAs;
///
/// assert_eq!(<u8 as SameAs<u8>>::into_other(3), 3);
/// ```
#[diagnostic::on_unimplemented(
    message = "the reducer's `Value` is `{Self}`, but the reduced variable is a `{T}`",
    label = "reduces a `{T}`",
    note = "a reducer for this variable implements `parallel::Reducer` with `type Value = {T};`"
)]
pub trait SameAs<T> {
    /// `self`, as a `T`.
    fn into_other(self) -> T;
    /// `t`, as a `Self`.
    fn from_other(t: T) -> Self;
    /// `t`, as a `&mut Self`.
    fn from_other_mut(t: &mut T) -> &mut Self;
}

impl<T> SameAs<T> for T {
    #[inline(always)]
    fn into_other(self) -> T {
        self
    }
    #[inline(always)]
    fn from_other(t: T) -> T {
        t
    }
    #[inline(always)]
    fn from_other_mut(t: &mut T) -> &mut T {
        t
    }
}

impl<V> Ty<V> {
    /// The [`UserReduction`] of `reduction(R: v)` for a variable `v: V`
    /// (`Ty::of(&v)` fixes `V` from the variable before `R` is looked at, so
    /// a reducer of another type is reported as such).
    ///
    /// # Examples
    ///
    /// See [`UserReduction`].
    pub fn user_reduction<R: Reducer>(self) -> UserReduction<V>
    where
        R::Value: SameAs<V>,
    {
        UserReduction {
            identity: || R::identity().into_other(),
            combine: |acc, other| {
                R::combine(
                    <R::Value as SameAs<V>>::from_other_mut(acc),
                    <R::Value as SameAs<V>>::from_other(other),
                )
            },
        }
    }
}

/// The [`UserReduction`] of `reduction(R: v)`.
///
/// # Examples
///
/// See [`UserReduction`].
pub fn user_reduction<R: Reducer, V>(v: &V) -> UserReduction<V>
where
    R::Value: SameAs<V>,
{
    Ty::of(v).user_reduction::<R>()
}

/// Of two `lastprivate` copies `(value, mark)`, the one assigned later in
/// the loop's order: the mark is the end of the last chunk that assigned the
/// copy (`None`: never assigned).
///
/// # Examples
///
/// ```
/// use parallel_runtime::later;
///
/// assert_eq!(later((1, Some(10)), (2, Some(20))), (2, Some(20)));
/// assert_eq!(later((1, Some(30)), (2, Some(20))), (1, Some(30)));
/// assert_eq!(later((1, Some(30)), (2, None)), (1, Some(30)));
/// ```
pub fn later<V>(a: (V, Option<usize>), b: (V, Option<usize>)) -> (V, Option<usize>) {
    if b.1 > a.1 { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Concat;
    impl Reducer for Concat {
        type Value = String;
        fn identity() -> String {
            String::new()
        }
        fn combine(acc: &mut String, other: String) {
            acc.push_str(&other);
        }
    }

    #[test]
    fn privates_are_identities_shaped_like_the_variable() {
        let v = vec![3i64; 5];
        assert_eq!(v.__parallel_private(op::Min), vec![i64::MAX; 5]);
        let s: &[f32] = &[1.0, 2.0];
        assert_eq!(s.__parallel_private(op::Max), vec![f32::NEG_INFINITY; 2]);
        assert_eq!([1u8, 2].__parallel_private(op::BitAnd), [u8::MAX; 2]);
        assert!(true.__parallel_private(op::And));
        let name = String::from("x");
        assert_eq!(user_reduction::<Concat, _>(&name).private(), "");
    }

    #[test]
    fn combine_and_fold_match_sequential_folds() {
        let parts = [vec![1u32, 2, 3], vec![10, 20, 30], vec![100, 200, 300]];
        let merged = parts
            .iter()
            .cloned()
            .reduce(|a, b| combine(op::Plus, a, b))
            .unwrap();
        assert_eq!(merged, vec![111, 222, 333]);
        let mut target = vec![1u32, 1, 1];
        target.__parallel_fold(op::Plus, merged.clone());
        assert_eq!(target, vec![112, 223, 334]);
        let slice: &mut [u32] = &mut [0, 0, 0];
        slice.__parallel_fold(op::Max, vec![4, 0, 9]);
        assert_eq!(slice, [4, 0, 9]);
        let mut s = String::from("a");
        let red = user_reduction::<Concat, _>(&s);
        let c = red.combine("b".to_owned(), "c".to_owned());
        red.fold(&mut s, c);
        assert_eq!(s, "abc");
        let mut m = 5.0f64;
        m.__parallel_fold(op::Min, f64::NAN);
        assert_eq!(m, 5.0);
    }
}
