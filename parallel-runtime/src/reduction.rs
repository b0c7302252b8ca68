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

use crate::operator::{
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
/// of a member's copy, filled with the operator's identity (for `min` and
/// `max`, a copy of the variable: folding it in again changes nothing).
///
/// # Examples
///
/// ```
/// use parallel_runtime::{op, PrivateOf};
///
/// let bins: &mut [u32] = &mut [5, 6, 7];
/// assert_eq!(bins.__parallel_private(op::Plus), vec![0, 0, 0]);
/// assert_eq!(2.5f64.__parallel_private(op::Times), 1.0);
/// assert_eq!(2.5f64.__parallel_private(op::Max), 2.5);
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

/// `*x = x op y`, element by element, over two ndarray arrays of one shape
/// (a member's copy has the shape of the variable it was made from).
#[cfg(feature = "ndarray")]
fn nd_merge_into<T, S, D, F>(
    xs: &mut ndarray::ArrayBase<S, D>,
    ys: ndarray::Array<T, D>,
    identity: impl Fn() -> T,
    f: F,
) where
    S: ndarray::DataMut<Elem = T>,
    D: ndarray::Dimension,
    F: Fn(T, T) -> T,
{
    assert_eq!(
        xs.shape(),
        ys.shape(),
        "an array reduction's copies have the variable's shape"
    );
    for (x, y) in xs.iter_mut().zip(ys) {
        let old = core::mem::replace(x, identity());
        *x = f(old, y);
    }
}

/// Where a member's copy starts: the operator's identity, or, for `min`
/// and `max` (which may fold a value in any number of times), a copy of the
/// variable itself, so that every update compares with what the plain loop
/// compares with (a `NaN` before the loop stays `NaN` under
/// `if x > m { m = x }`, as it does in the plain loop).
macro_rules! start {
    (identity, $v:expr, $t:ty) => {
        <$t>::identity()
    };
    (copy, $v:expr, $t:ty) => {
        ::core::clone::Clone::clone($v)
    };
}

macro_rules! operators {
    ($($op:ident => $tr:ident, $start:ident;)*) => {$(
        // A scalar or a fixed-size array (arrays are `Reduce*` element-wise).
        impl<T: $tr + Send + Clone> PrivateOf<op::$op> for T {
            type Private = T;
            #[inline(always)]
            fn __parallel_private(&self, _: op::$op) -> T {
                start!($start, self, T)
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
        impl<T: $tr + Send + Clone> PrivateOf<op::$op> for Vec<T> {
            type Private = Vec<T>;
            fn __parallel_private(&self, _: op::$op) -> Vec<T> {
                self.iter().map(|_x| start!($start, _x, T)).collect()
            }
        }
        impl<T: $tr + Send + Clone> PrivateOf<op::$op> for [T] {
            type Private = Vec<T>;
            fn __parallel_private(&self, _: op::$op) -> Vec<T> {
                self.iter().map(|_x| start!($start, _x, T)).collect()
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
        // An ndarray array: the copy is an owned array of the same shape.
        #[cfg(feature = "ndarray")]
        impl<T, S, D> PrivateOf<op::$op> for ndarray::ArrayBase<S, D>
        where
            T: $tr + Send + Clone,
            S: ndarray::Data<Elem = T>,
            D: ndarray::Dimension,
        {
            type Private = ndarray::Array<T, D>;
            fn __parallel_private(&self, _: op::$op) -> ndarray::Array<T, D> {
                self.map(|_x| start!($start, _x, T))
            }
        }
        #[cfg(feature = "ndarray")]
        impl<T: $tr, D: ndarray::Dimension> Combine<op::$op> for ndarray::Array<T, D> {
            fn combine(_: op::$op, mut a: Self, b: Self) -> Self {
                nd_merge_into(&mut a, b, T::identity, T::combine);
                a
            }
        }
        #[cfg(feature = "ndarray")]
        impl<T, S, D> Fold<op::$op, ndarray::Array<T, D>> for ndarray::ArrayBase<S, D>
        where
            T: $tr,
            S: ndarray::DataMut<Elem = T>,
            D: ndarray::Dimension,
        {
            fn __parallel_fold(&mut self, _: op::$op, p: ndarray::Array<T, D>) {
                nd_merge_into(self, p, T::identity, T::combine);
            }
        }
    )*};
}

operators! {
    Plus => ReducePlus, identity;
    Times => ReduceTimes, identity;
    BitAnd => ReduceBitAnd, identity;
    BitOr => ReduceBitOr, identity;
    BitXor => ReduceBitXor, identity;
    And => ReduceAnd, identity;
    Or => ReduceOr, identity;
    Min => ReduceMin, copy;
    Max => ReduceMax, copy;
}

/// A built-in reduction of a variable of type `V` (member copies of type
/// `P`), as the expansion uses it: checked once, where the clause names the
/// variable (`V: PrivateOf<Op>` and the rest), then called through function
/// pointers, so that an operator that does not fit the type is one error.
///
/// # Examples
///
/// ```
/// use parallel_runtime::{builtin_reduction, op};
///
/// let mut bins = vec![1u32, 2];
/// let red = builtin_reduction(op::Plus, &bins);
/// let part = red.combine(red.private(&bins), vec![10, 20]);
/// red.fold(&mut bins, part);
/// assert_eq!(bins, [11, 22]);
/// ```
pub struct BuiltinReduction<V: ?Sized, P> {
    private: fn(&V) -> P,
    combine: fn(P, P) -> P,
    fold: fn(&mut V, P),
}

impl<V: ?Sized, P> Clone for BuiltinReduction<V, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: ?Sized, P> Copy for BuiltinReduction<V, P> {}

impl<V: ?Sized, P> BuiltinReduction<V, P> {
    /// A member's starting copy.
    ///
    /// # Examples
    ///
    /// See [`BuiltinReduction`].
    #[inline(always)]
    pub fn private(self, v: &V) -> P {
        (self.private)(v)
    }

    /// Two members' copies merged.
    ///
    /// # Examples
    ///
    /// See [`BuiltinReduction`].
    #[inline(always)]
    pub fn combine(self, a: P, b: P) -> P {
        (self.combine)(a, b)
    }

    /// The merged copy folded into the variable.
    ///
    /// # Examples
    ///
    /// See [`BuiltinReduction`].
    #[inline(always)]
    pub fn fold(self, v: &mut V, p: P) {
        (self.fold)(v, p)
    }
}

/// The [`BuiltinReduction`] of `reduction(op: v)`.
///
/// # Examples
///
/// See [`BuiltinReduction`].
pub fn builtin_reduction<Op, V>(_op: Op, _v: &V) -> BuiltinReduction<V, V::Private>
where
    Op: Copy + Default,
    V: ?Sized + PrivateOf<Op> + Fold<Op, V::Private>,
    V::Private: Combine<Op>,
{
    BuiltinReduction {
        private: |v| v.__parallel_private(Op::default()),
        combine: |a, b| combine(Op::default(), a, b),
        fold: |v, p| v.__parallel_fold(Op::default(), p),
    }
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

    /// A member's partials in the loop's order, none yet: a reducer's
    /// `combine` need not be commutative (concatenation is not), so each
    /// chunk's partial is kept with its iterations and the partials are
    /// combined in the loop's order at the end.
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
    /// let mut s = ">".to_owned();
    /// let red = user_reduction::<Concat, _>(&s);
    /// // Two members ran chunks 4..6, 0..2 and 2..4, 6..8.
    /// let a = red.push(red.push(red.runs(), 4, 6, "ef".into()), 0, 2, "ab".into());
    /// let b = red.push(red.push(red.runs(), 2, 4, "cd".into()), 6, 8, "gh".into());
    /// red.finish(&mut s, red.merge(b, a));
    /// assert_eq!(s, ">abcdefgh");
    /// ```
    pub fn runs(self) -> Ordered<V> {
        Ordered {
            last: None,
            earlier: Vec::new(),
        }
    }

    /// `acc` with the partial of the chunk `lo..hi` added: folded into the
    /// last run when the chunk continues it (no allocation while a member's
    /// chunks are consecutive, as a static schedule's are).
    ///
    /// # Examples
    ///
    /// See [`UserReduction::runs`].
    #[inline]
    pub fn push(self, mut acc: Ordered<V>, lo: usize, hi: usize, part: V) -> Ordered<V> {
        match &mut acc.last {
            Some((_, end, v)) if *end == lo => {
                (self.combine)(v, part);
                *end = hi;
            }
            last => {
                if let Some(run) = last.replace((lo, hi, part)) {
                    acc.earlier.push(run);
                }
            }
        }
        acc
    }

    /// Two members' partials, together.
    ///
    /// # Examples
    ///
    /// See [`UserReduction::runs`].
    pub fn merge(self, mut a: Ordered<V>, b: Ordered<V>) -> Ordered<V> {
        a.earlier.extend(b.earlier);
        if let Some(run) = b.last {
            a.earlier.push(run);
        }
        a
    }

    /// Every partial folded into the variable, in the loop's order.
    ///
    /// # Examples
    ///
    /// See [`UserReduction::runs`].
    pub fn finish(self, v: &mut V, acc: Ordered<V>) {
        let mut runs = acc.earlier;
        runs.extend(acc.last);
        runs.sort_unstable_by_key(|r| r.0);
        for (_, _, part) in runs {
            (self.combine)(v, part);
        }
    }
}

/// A user reduction's partials with the iterations they cover: the last
/// run, and the runs before it that it did not continue.
pub struct Ordered<V> {
    pub(crate) last: Option<(usize, usize, V)>,
    pub(crate) earlier: Vec<(usize, usize, V)>,
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

/// Holds a variable by `&mut` while a loop runs: the loop works on copies
/// of it, and any other use of the variable during the loop (through a
/// closure made before it, say) is then a borrow error rather than a read
/// of a stale value. Method syntax, so that a `&mut [T]` parameter needs no
/// `mut` binding.
///
/// # Examples
///
/// ```
/// use parallel_runtime::HoldExt;
///
/// let mut total = 1;
/// *total.__parallel_hold() += 1;
/// let bins: &mut [u32] = &mut [0, 0];
/// bins.__parallel_hold()[1] = 5;
/// assert_eq!((total, bins[1]), (2, 5));
/// ```
pub trait HoldExt {
    /// `&mut self`.
    #[inline(always)]
    fn __parallel_hold(&mut self) -> &mut Self {
        self
    }
}

impl<T: ?Sized> HoldExt for T {}

/// A `private` / `firstprivate` / `lastprivate` variable's copy for each
/// thread: a clone; for a slice (`sum: &mut [f64]` held as `[f64]`,
/// OpenMP's `private(sum)` of an array), an owned `Vec` of its elements,
/// which the body indexes alike.
///
/// # Examples
///
/// ```
/// use parallel_runtime::PrivateCopy;
///
/// let scratch: &mut [f64] = &mut [1.0, 2.0];
/// let copy: Vec<f64> = PrivateCopy::__parallel_copy(&*scratch);
/// assert_eq!(copy, [1.0, 2.0]);
/// assert_eq!(PrivateCopy::__parallel_copy(&3u32), 3);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be copied for each thread: `private`, `firstprivate` and `lastprivate` variables need a type that is `Clone`",
    label = "copied for each thread",
    note = "derive or implement `Clone` for it, or, for scratch space, declare an owned buffer before the loop, e.g. `let mut scratch = vec![0.0; n];`"
)]
pub trait PrivateCopy {
    /// The copy's type.
    type Copy;
    /// The copy.
    fn __parallel_copy(&self) -> Self::Copy;
}

impl<T: Clone> PrivateCopy for T {
    type Copy = T;
    #[inline]
    fn __parallel_copy(&self) -> T {
        self.clone()
    }
}

impl<T: Clone> PrivateCopy for [T] {
    type Copy = Vec<T>;
    #[inline]
    fn __parallel_copy(&self) -> Vec<T> {
        self.to_vec()
    }
}

/// A `(value, index)` pair that `reduction(minloc: ..)` / `maxloc` reduces.
///
/// # Examples
///
/// ```
/// use parallel_runtime::LocPair;
///
/// assert_eq!((2.5, 7usize).value(), &2.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`reduction(minloc: ..)` and `maxloc` reduce a `(value, index)` pair, not a `{Self}`",
    label = "reduced here",
    note = "declare the variable as a pair before the loop, as in `let mut best = (f64::INFINITY, 0usize);`, and update it with `if x[i] < best.0 {{ best = (x[i], i); }}`"
)]
pub trait LocPair {
    /// The compared value.
    type Value: PartialOrd;
    /// The location stored with it.
    type Index: PartialOrd;
    /// The value.
    fn value(&self) -> &Self::Value;
    /// The location.
    fn index(&self) -> &Self::Index;
}

impl<V: PartialOrd, I: PartialOrd> LocPair for (V, I) {
    type Value = V;
    type Index = I;
    #[inline(always)]
    fn value(&self) -> &V {
        &self.0
    }
    #[inline(always)]
    fn index(&self) -> &I {
        &self.1
    }
}

/// Checks that a minloc / maxloc variable is a `(value, index)` pair.
///
/// # Examples
///
/// ```
/// parallel_runtime::assert_loc(&(0.5f32, 3u32));
/// ```
#[inline(always)]
pub fn assert_loc<P: LocPair>(_: &P) {}

/// Two members' minloc (`min`) or maxloc results, each with whether the
/// member took a value at all: the better value wins; of equal values, the
/// smaller index, or the larger when `ties_to_larger` (an update with `<=`,
/// or a loop counting down). Every member started from the variable's value
/// before the loop, so a member that took a value beat it.
///
/// # Examples
///
/// ```
/// use parallel_runtime::loc_combine;
///
/// let a = ((1.0, 4usize), true);
/// let b = ((1.0, 2usize), true);
/// assert_eq!(loc_combine(a, b, true, false), b);
/// assert_eq!(loc_combine(a, b, true, true), a);
/// assert_eq!(loc_combine(a, ((0.5, 9), true), true, false).0, (0.5, 9));
/// assert_eq!(loc_combine(((7.0, 0), false), a, false, false), a);
/// ```
pub fn loc_combine<P: LocPair>(
    a: (P, bool),
    b: (P, bool),
    min: bool,
    ties_to_larger: bool,
) -> (P, bool) {
    use core::cmp::Ordering;
    let ((pa, fa), (pb, fb)) = (a, b);
    match (fa, fb) {
        (false, _) => return (pb, fb),
        (_, false) => return (pa, fa),
        _ => {}
    }
    let by_value = pb.value().partial_cmp(pa.value());
    let b_wins = match (by_value, min) {
        (Some(Ordering::Less), true) | (Some(Ordering::Greater), false) => true,
        (Some(Ordering::Equal), _) => {
            (pb.index() > pa.index()) == ties_to_larger && pb.index() != pa.index()
        }
        _ => false,
    };
    if b_wins { (pb, true) } else { (pa, true) }
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
        assert_eq!(v.__parallel_private(op::Plus), vec![0; 5]);
        assert_eq!(v.__parallel_private(op::Min), vec![3; 5]);
        let s: &[f32] = &[1.0, f32::NAN];
        let m = s.__parallel_private(op::Max);
        assert!(m[0] == 1.0 && m[1].is_nan());
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
