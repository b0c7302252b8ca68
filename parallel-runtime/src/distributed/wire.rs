//! [`Wire`]: values that travel between ranks as bytes.
//!
//! Every rank runs the same binary on the same architecture, so numbers
//! travel in the machine's own byte order and sizes (`usize` as 8 bytes on
//! a 64-bit machine). Decoding is safe code over `&[u8]`: bytes that were
//! not made by [`Wire::put`] give a panic or a wrong value, never undefined
//! behaviour.

use crate::reduction::Ordered;

/// A value that a `distributed` loop can send to other ranks: reductions'
/// partial values, `lastprivate` values and the elements the loop writes.
///
/// Implemented for the numbers, `bool`, `char`, `()`, `String`, and for
/// tuples (up to 12), arrays, `Vec`, `Box<[T]>` and `Option` of `Wire`
/// types. A type of your own implements [`put`](Wire::put) and
/// [`take`](Wire::take), usually through those of its fields:
///
/// # Examples
///
/// ```
/// use parallel::distributed::Wire;
///
/// #[derive(Debug, PartialEq)]
/// struct Stats { n: u64, mean: f64, m2: f64 }
///
/// impl Wire for Stats {
///     fn put(&self, out: &mut Vec<u8>) {
///         (self.n, self.mean, self.m2).put(out);
///     }
///     fn take(input: &mut &[u8]) -> Self {
///         let (n, mean, m2) = Wire::take(input);
///         Stats { n, mean, m2 }
///     }
/// }
///
/// let mut bytes = Vec::new();
/// Stats { n: 3, mean: 1.5, m2: 0.25 }.put(&mut bytes);
/// assert_eq!(Stats::take(&mut &bytes[..]), Stats { n: 3, mean: 1.5, m2: 0.25 });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent to other ranks: it does not implement `parallel::distributed::Wire`",
    label = "sent between ranks by this `distributed` loop",
    note = "a `distributed` loop sends its reductions' partial values, its `lastprivate` values and the elements it writes between ranks; numbers, `bool`, `char`, `String`, and tuples, arrays, `Vec`s and `Option`s of those are `Wire`",
    note = "for a type of your own, implement `parallel::distributed::Wire` through its fields: `fn put(&self, out: &mut Vec<u8>) {{ self.a.put(out); self.b.put(out); }}` and `fn take(input: &mut &[u8]) -> Self {{ Self {{ a: Wire::take(input), b: Wire::take(input) }} }}`"
)]
pub trait Wire: Sized {
    /// Appends the value's bytes to `out`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::distributed::Wire;
    ///
    /// let mut out = Vec::new();
    /// 7u16.put(&mut out);
    /// assert_eq!(out.len(), 2);
    /// ```
    fn put(&self, out: &mut Vec<u8>);

    /// Reads a value that [`put`](Wire::put) wrote from the front of
    /// `input`, and moves `input` past it.
    ///
    /// # Panics
    ///
    /// If `input` is too short.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::distributed::Wire;
    ///
    /// let mut out = Vec::new();
    /// (1u8, String::from("ab")).put(&mut out);
    /// let mut input = &out[..];
    /// assert_eq!(<(u8, String)>::take(&mut input), (1, "ab".to_owned()));
    /// assert!(input.is_empty());
    /// ```
    fn take(input: &mut &[u8]) -> Self;

    /// Reads a value into `self` (by default `*self = take(input)`; a
    /// `Vec` keeps its allocation when the length is unchanged).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::distributed::Wire;
    ///
    /// let mut out = Vec::new();
    /// vec![1.5f64, 2.5].put(&mut out);
    /// let mut v = vec![0.0f64; 2];
    /// v.take_into(&mut &out[..]);
    /// assert_eq!(v, [1.5, 2.5]);
    /// ```
    fn take_into(&mut self, input: &mut &[u8]) {
        *self = Self::take(input);
    }

    /// Appends the values of `items`, one after another (numbers copy their
    /// bytes at once).
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::distributed::Wire;
    ///
    /// let mut out = Vec::new();
    /// u32::put_slice(&[1, 2, 3], &mut out);
    /// assert_eq!(out.len(), 12);
    /// ```
    fn put_slice(items: &[Self], out: &mut Vec<u8>) {
        for x in items {
            x.put(out);
        }
    }

    /// Reads `items.len()` values into `items`.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::distributed::Wire;
    ///
    /// let mut out = Vec::new();
    /// u32::put_slice(&[1, 2, 3], &mut out);
    /// let mut back = [0u32; 3];
    /// u32::take_slice(&mut back, &mut &out[..]);
    /// assert_eq!(back, [1, 2, 3]);
    /// ```
    fn take_slice(items: &mut [Self], input: &mut &[u8]) {
        for x in items {
            x.take_into(input);
        }
    }

    /// `items` as the bytes that [`put_slice`](Wire::put_slice) writes and
    /// [`take_slice`](Wire::take_slice) reads, when they are the values'
    /// own memory and any bytes are valid values (numbers): the exchange of
    /// written elements then moves them in place. `None` by default.
    ///
    /// # Examples
    ///
    /// ```
    /// use parallel::distributed::Wire;
    ///
    /// let mut xs = [1u16, 2];
    /// assert_eq!(u16::raw_bytes(&mut xs).map(|b| b.len()), Some(4));
    /// assert!(String::raw_bytes(&mut [String::new()]).is_none());
    /// ```
    fn raw_bytes(items: &mut [Self]) -> Option<&mut [u8]> {
        let _ = items;
        None
    }
}

/// The first `n` bytes of `input`, which then moves past them.
#[inline]
#[track_caller]
fn bytes<'a>(input: &mut &'a [u8], n: usize) -> &'a [u8] {
    if input.len() < n {
        short(n, input.len());
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    head
}

#[cold]
#[track_caller]
fn short(n: usize, have: usize) -> ! {
    panic!(
        "parallel: a message between ranks ended early ({have} bytes left, {n} needed): the ranks disagree on what this loop sends"
    )
}

macro_rules! numbers {
    ($($t:ty)*) => {$(
        impl Wire for $t {
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_ne_bytes());
            }
            #[inline]
            fn take(input: &mut &[u8]) -> Self {
                let b = bytes(input, size_of::<$t>());
                <$t>::from_ne_bytes(b.try_into().expect("the length was checked"))
            }
            fn put_slice(items: &[Self], out: &mut Vec<u8>) {
                // SAFETY: a number type has no padding and no invalid bit
                // pattern, so its slice's memory reads as `size_of_val`
                // initialized bytes, borrowed from `items` for this call.
                let raw = unsafe {
                    core::slice::from_raw_parts(items.as_ptr().cast::<u8>(), size_of_val(items))
                };
                out.extend_from_slice(raw);
            }
            fn take_slice(items: &mut [Self], input: &mut &[u8]) {
                let b = bytes(input, size_of_val(items));
                // SAFETY: `b` holds exactly `size_of_val(items)` bytes, and
                // any bytes are a valid value of a number type; the copy
                // goes byte by byte, so `b` needs no alignment, and `items`
                // (a `&mut`) cannot overlap the shared `b`.
                unsafe {
                    core::ptr::copy_nonoverlapping(
                        b.as_ptr(),
                        items.as_mut_ptr().cast::<u8>(),
                        b.len(),
                    );
                }
            }
            fn raw_bytes(items: &mut [Self]) -> Option<&mut [u8]> {
                let len = size_of_val(items);
                // SAFETY: a number type has no padding and no invalid bit
                // pattern: its slice's memory is `len` initialized bytes,
                // and any bytes written through the view are valid values.
                // The view borrows `items` mutably for its lifetime.
                Some(unsafe { core::slice::from_raw_parts_mut(items.as_mut_ptr().cast::<u8>(), len) })
            }
        }
    )*};
}

numbers!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64);

impl Wire for bool {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    #[inline]
    fn take(input: &mut &[u8]) -> Self {
        bytes(input, 1)[0] != 0
    }
}

impl Wire for char {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        u32::from(*self).put(out);
    }
    #[inline]
    fn take(input: &mut &[u8]) -> Self {
        char::from_u32(u32::take(input)).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

impl Wire for () {
    #[inline]
    fn put(&self, _: &mut Vec<u8>) {}
    #[inline]
    fn take(_: &mut &[u8]) -> Self {}
}

impl Wire for String {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        out.extend_from_slice(self.as_bytes());
    }
    fn take(input: &mut &[u8]) -> Self {
        let n = usize::take(input);
        String::from_utf8_lossy(bytes(input, n)).into_owned()
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        T::put_slice(self, out);
    }
    fn take(input: &mut &[u8]) -> Self {
        let n = usize::take(input);
        // Not `with_capacity(n)`: `n` came from outside.
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(T::take(input));
        }
        v
    }
    fn take_into(&mut self, input: &mut &[u8]) {
        let n = usize::take(input);
        if n == self.len() {
            T::take_slice(self, input);
        } else {
            self.clear();
            for _ in 0..n {
                self.push(T::take(input));
            }
        }
    }
}

impl<T: Wire> Wire for Box<[T]> {
    fn put(&self, out: &mut Vec<u8>) {
        self.len().put(out);
        T::put_slice(self, out);
    }
    fn take(input: &mut &[u8]) -> Self {
        Vec::<T>::take(input).into_boxed_slice()
    }
}

impl<T: Wire, const N: usize> Wire for [T; N] {
    fn put(&self, out: &mut Vec<u8>) {
        T::put_slice(self, out);
    }
    fn take(input: &mut &[u8]) -> Self {
        core::array::from_fn(|_| T::take(input))
    }
    fn take_into(&mut self, input: &mut &[u8]) {
        T::take_slice(self, input);
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(x) => {
                out.push(1);
                x.put(out);
            }
        }
    }
    fn take(input: &mut &[u8]) -> Self {
        match bytes(input, 1)[0] {
            0 => None,
            _ => Some(T::take(input)),
        }
    }
}

macro_rules! tuples {
    ($(($($t:ident $v:ident),+))*) => {$(
        impl<$($t: Wire),+> Wire for ($($t,)+) {
            fn put(&self, out: &mut Vec<u8>) {
                let ($($v,)+) = self;
                $($v.put(out);)+
            }
            fn take(input: &mut &[u8]) -> Self {
                ($($t::take(input),)+)
            }
            fn take_into(&mut self, input: &mut &[u8]) {
                let ($($v,)+) = self;
                $($v.take_into(input);)+
            }
        }
    )*};
}

tuples! {
    (A a)
    (A a, B b)
    (A a, B b, C c)
    (A a, B b, C c, D d)
    (A a, B b, C c, D d, E e)
    (A a, B b, C c, D d, E e, F f)
    (A a, B b, C c, D d, E e, F f, G g)
    (A a, B b, C c, D d, E e, F f, G g, H h)
    (A a, B b, C c, D d, E e, F f, G g, H h, I i)
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j)
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k)
    (A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l)
}

// A user reducer's partials with the iterations they cover: the ranks'
// partials are put in the loop's order at the end, as the members' are.
impl<V: Wire> Wire for Ordered<V> {
    fn put(&self, out: &mut Vec<u8>) {
        self.earlier.put(out);
        self.last.put(out);
    }
    fn take(input: &mut &[u8]) -> Self {
        Ordered {
            earlier: Wire::take(input),
            last: Wire::take(input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round<T: Wire>(x: &T) -> T {
        let mut out = Vec::new();
        x.put(&mut out);
        let mut input = &out[..];
        let back = T::take(&mut input);
        assert!(input.is_empty(), "{} bytes left", input.len());
        back
    }

    #[test]
    fn values_come_back_equal() {
        assert_eq!(round(&-5i8), -5);
        assert_eq!(round(&u128::MAX), u128::MAX);
        assert_eq!(round(&f64::NAN).to_bits(), f64::NAN.to_bits());
        assert_eq!(round(&-0.0f32).to_bits(), (-0.0f32).to_bits());
        assert_eq!(round(&'é'), 'é');
        assert_eq!(
            round(&(true, 3usize, String::from("ab"))),
            (true, 3, "ab".into())
        );
        assert_eq!(round(&vec![vec![1u8], vec![]]), vec![vec![1u8], vec![]]);
        assert_eq!(round(&[[1.5f64; 3]; 2]), [[1.5; 3]; 2]);
        assert_eq!(round(&Some((1i64, None::<u8>))), Some((1, None)));
        assert_eq!(&*round(&vec![7u16; 3].into_boxed_slice()), &[7, 7, 7]);
    }

    /// The bulk copies of number slices (the `unsafe` casts), both ways,
    /// at an unaligned position of the buffer.
    #[test]
    fn number_slices_copy_their_bytes() {
        let xs: Vec<f64> = (0..100).map(|i| i as f64 * 0.25 - 3.0).collect();
        let mut out = vec![0xAAu8];
        f64::put_slice(&xs, &mut out);
        assert_eq!(out.len(), 1 + 800);
        let mut input = &out[1..];
        let mut back = vec![0.0f64; 100];
        f64::take_slice(&mut back, &mut input);
        assert_eq!(back, xs);
        assert!(input.is_empty());
        let mut raw = [0u32; 2];
        let bytes = u32::raw_bytes(&mut raw).unwrap();
        bytes.copy_from_slice(&[1, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(
            raw,
            [
                u32::from_ne_bytes([1, 0, 0, 0]),
                u32::from_ne_bytes([0, 0, 0, 2])
            ]
        );
        let mut v = vec![0i32; 3];
        let mut out = Vec::new();
        vec![-1i32, 2, -3].put(&mut out);
        v.take_into(&mut &out[..]);
        assert_eq!(v, [-1, 2, -3]);
    }

    #[test]
    #[should_panic(expected = "ended early")]
    fn short_input_panics() {
        let mut out = Vec::new();
        vec![1u64, 2].put(&mut out);
        let _ = Vec::<u64>::take(&mut &out[..10]);
    }
}
