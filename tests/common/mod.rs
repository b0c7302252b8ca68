//! Shared inputs of the behaviour tests.
#![allow(dead_code)]

/// Loop lengths every test covers: empty, tiny, prime, large.
pub const LENGTHS: &[usize] = &[0, 1, 2, 3, 5, 16, 17, 101, 1009, 100_003];

/// Team sizes every test covers (the machine has 2 cores; 7 oversubscribes on purpose).
pub const THREADS: &[usize] = &[1, 2, 3, 7];

/// Deterministic pseudo-random data.
pub fn data(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 2001) as f64 / 1000.0 - 1.0
        })
        .collect()
}

/// Integer data in `0..m`.
pub fn ints(n: usize, m: u64, seed: u64) -> Vec<u64> {
    data(n, seed)
        .iter()
        .map(|x| ((x + 1.0) * 1000.0) as u64 % m)
        .collect()
}

/// `a` and `b` agree to a relative tolerance scaled by the number of terms.
pub fn close(a: f64, b: f64, terms: usize) -> bool {
    let tol = 1e-12 * (terms as f64 + 1.0) * (1.0 + a.abs().max(b.abs()));
    (a - b).abs() <= tol
}

/// The message of the panic `f` must raise.
pub fn panic_message(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    match (
        payload.downcast_ref::<String>(),
        payload.downcast_ref::<&str>(),
    ) {
        (Some(s), _) => s.clone(),
        (_, Some(s)) => s.to_string(),
        _ => panic!("non-string panic payload"),
    }
}
