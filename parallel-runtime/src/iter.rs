//! Helpers for iterator loops: `for c in v.chunks(k)` and friends, run as a
//! loop over chunk numbers.

/// How many chunks of `k` elements `len` elements make (the last one may be
/// shorter): the trip count of `v.chunks(k)`.
///
/// # Panics
///
/// If `k == 0`, with std's message for `chunks(0)`.
///
/// # Examples
///
/// ```
/// assert_eq!(parallel_runtime::chunk_count(10, 4), 3);
/// assert_eq!(parallel_runtime::chunk_count(0, 4), 0);
/// ```
#[track_caller]
#[inline]
pub fn chunk_count(len: usize, k: usize) -> usize {
    assert!(k != 0, "chunk size must be non-zero");
    len.div_ceil(k)
}

/// Chunk `t` of `s` in chunks of `k`: `s.chunks(k).nth(t)`.
///
/// # Examples
///
/// ```
/// let s = [1, 2, 3, 4, 5];
/// assert_eq!(parallel_runtime::chunk(&s, 2, 2), &[5]);
/// assert_eq!(parallel_runtime::chunk(&s, 2, 0), &[1, 2]);
/// ```
#[inline(always)]
#[track_caller]
pub fn chunk<T>(s: &[T], k: usize, t: usize) -> &[T] {
    let lo = t * k;
    &s[lo..s.len().min(lo + k)]
}

/// The trip count of a `collapse(n)` nest: the product of the loops' trip
/// counts.
///
/// # Panics
///
/// If the product exceeds `usize::MAX`.
///
/// # Examples
///
/// ```
/// assert_eq!(parallel_runtime::nest_len(&[3, 4, 5]), 60);
/// assert_eq!(parallel_runtime::nest_len(&[3, 0, 5]), 0);
/// ```
#[track_caller]
pub fn nest_len(lens: &[usize]) -> usize {
    lens.iter()
        .try_fold(1usize, |a, &n| a.checked_mul(n))
        .unwrap_or_else(|| {
            panic!("collapse: the nest has more than usize::MAX iterations ({lens:?} per loop)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_match_std() {
        let v: Vec<u32> = (0..23).collect();
        for k in 1..30 {
            let ours: Vec<&[u32]> = (0..chunk_count(v.len(), k))
                .map(|t| chunk(&v, k, t))
                .collect();
            let std: Vec<&[u32]> = v.chunks(k).collect();
            assert_eq!(ours, std, "k={k}");
        }
    }

    #[test]
    #[should_panic(expected = "chunk size must be non-zero")]
    fn zero_chunks_panic_like_std() {
        chunk_count(3, 0);
    }
}
