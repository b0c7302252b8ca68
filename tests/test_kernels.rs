//! The chunk kernels (arrays cut to a chunk, bodies compiled per CPU level)
//! must not change what a loop does: nested directives, reads guarded by a
//! condition, offsets that the body moves, and arrays of types that cannot
//! be cut, each against the plain loop.

mod common;
use common::THREADS;
use parallel::parallel;
use std::collections::VecDeque;
use std::sync::Arc;

/// Directives nested in each other's bodies, each cutting arrays.
#[parallel]
fn nested(w: &[i64], x: &[i64], threads: usize) -> (Vec<i64>, Vec<i64>, Vec<i64>) {
    let n = w.len();
    let mut a = vec![0i64; n];
    #[parallel_for(num_threads(threads))]
    for i in 0..n {
        let mut t = 0;
        #[parallel_for(num_threads(2), reduction(+: t))]
        for j in 0..x.len() {
            t += w[i] * x[j];
        }
        a[i] = t;
    }
    let mut b = vec![0i64; n];
    #[parallel_for(num_threads(threads))]
    for i in 0..n {
        let mut t = 0;
        #[simd_reduce(+: t)]
        for j in 0..x.len() {
            t += w[i] * x[j] + j as i64;
        }
        b[i] = t;
    }
    let mut c = vec![0i64; n];
    #[simd]
    for i in 0..n {
        let mut t = 0;
        #[simd_reduce(+: t)]
        for j in 0..x.len() {
            t += w[i] - x[j];
        }
        c[i] = t;
    }
    (a, b, c)
}

#[test]
fn nested_directives_keep_their_own_cuts() {
    for (n, m) in [(0, 0), (1, 1), (100, 40), (33, 70)] {
        let w: Vec<i64> = (0..n as i64).collect();
        let x: Vec<i64> = (0..m as i64).map(|v| v % 7 - 3).collect();
        let sx: i64 = x.iter().sum();
        let sj: i64 = (0..m as i64).sum();
        let want_a: Vec<i64> = w.iter().map(|wi| wi * sx).collect();
        let want_b: Vec<i64> = w.iter().map(|wi| wi * sx + sj).collect();
        let want_c: Vec<i64> = w.iter().map(|wi| wi * m as i64 - sx).collect();
        for &threads in THREADS {
            assert_eq!(
                nested(&w, &x, threads),
                (want_a.clone(), want_b.clone(), want_c.clone()),
                "n={n} m={m}"
            );
        }
    }
}

/// A read at an offset that the body guards: the first iteration's index
/// would underflow, and must not be computed unguarded (a debug build
/// would panic).
#[parallel]
fn guarded(x: &[u32], threads: usize) -> (Vec<u32>, Vec<u32>) {
    let mut y = vec![0u32; x.len()];
    #[parallel_for(num_threads(threads))]
    for i in 0..y.len() {
        if i > 0 {
            y[i] = x[i] - x[i - 1];
        }
    }
    let mut z = vec![0u32; x.len()];
    #[simd]
    for i in 0..z.len() {
        if i > 0 {
            z[i] = x[i].wrapping_sub(x[i - 1]);
        }
    }
    (y, z)
}

#[test]
fn guarded_offsets_do_not_panic() {
    for n in [0, 1, 2, 31, 100] {
        let x: Vec<u32> = (0..n as u32).map(|v| v * v).collect();
        let mut want = vec![0u32; n];
        for i in 1..n {
            want[i] = x[i] - x[i - 1];
        }
        for &threads in THREADS {
            assert_eq!(guarded(&x, threads), (want.clone(), want.clone()), "n={n}");
        }
    }
}

struct Cursor {
    off: usize,
}

impl Cursor {
    fn advance(&mut self) {
        self.off += 1;
    }
}

macro_rules! bump {
    ($k:ident) => {
        $k += 1
    };
}

/// An offset the body changes through a method or a macro is not cut
/// once: each iteration reads where the plain loop does.
#[parallel]
fn moving_offsets(x: &[u64], n: usize) -> (Vec<u64>, Vec<u64>) {
    let mut c = Cursor { off: 0 };
    let mut y = vec![0u64; n];
    #[simd]
    for i in 0..n {
        y[i] = x[i + c.off];
        c.advance();
    }
    let mut k = 0usize;
    let mut z = vec![0u64; n];
    #[simd]
    for i in 0..n {
        z[i] = x[i + k];
        bump!(k);
    }
    (y, z)
}

#[test]
fn offsets_changed_by_methods_and_macros_are_not_frozen() {
    let x: Vec<u64> = (0..200).collect();
    for n in [0, 1, 5, 64, 99] {
        let want: Vec<u64> = (0..n as u64).map(|i| 2 * i).collect();
        assert_eq!(moving_offsets(&x, n), (want.clone(), want), "n={n}");
    }
}

/// A 1-based vector: its own `Index`, and `Deref` to the `Vec` inside.
struct OneBased(Vec<f64>);

impl std::ops::Index<usize> for OneBased {
    type Output = f64;
    fn index(&self, i: usize) -> &f64 {
        &self.0[i - 1]
    }
}

impl std::ops::Deref for OneBased {
    type Target = Vec<f64>;
    fn deref(&self) -> &Vec<f64> {
        &self.0
    }
}

/// Arrays read at `i` whose type is not a slice, `Vec` or array: a
/// `parallel_for` reads them as the plain loop does.
#[parallel]
fn other_array_types(
    a: Arc<Vec<f64>>,
    q: &VecDeque<f64>,
    one: &OneBased,
    threads: usize,
) -> Vec<f64> {
    let mut y = vec![0.0; q.len()];
    #[parallel_for(num_threads(threads))]
    for i in 0..y.len() {
        y[i] = 2.0 * a[i] + q[i] + one[i + 1];
    }
    y
}

#[test]
fn arrays_of_other_types_read_as_in_the_plain_loop() {
    for n in [0, 1, 40, 101] {
        let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let q: VecDeque<f64> = v.iter().map(|x| x * 10.0).collect();
        let one = OneBased(v.iter().map(|x| x + 0.5).collect());
        let want: Vec<f64> = (0..n).map(|i| 2.0 * v[i] + q[i] + one[i + 1]).collect();
        for &threads in THREADS {
            assert_eq!(
                other_array_types(Arc::new(v.clone()), &q, &one, threads),
                want,
                "n={n}"
            );
        }
    }
}
