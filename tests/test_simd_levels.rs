//! Runtime CPU dispatch: a level is chosen, every level the CPU supports
//! can be forced, and vectorized loops give the same bits at each of them
//! (the lane count does not depend on the level). One test in its own
//! binary, since the level is process-wide.

mod common;
use common::data;
use parallel::{SimdLevel, parallel, set_simd_level, simd_level};

#[parallel]
fn kernels(x: &[f64], y: &mut [f64]) -> (f64, f64, f32, u64) {
    let (mut dot, mut hi) = (0.0f64, f64::NEG_INFINITY);
    #[simd_reduce(+: dot, max: hi)]
    for i in 0..x.len() {
        dot += x[i] * (1.0 - x[i]);
        hi = hi.max((x[i] * 3.0).sin());
    }
    #[simd]
    for i in 0..x.len() {
        y[i] = x[i].mul_add(0.5, y[i]) / 3.0;
    }
    let (mut s, mut c) = (0.0f32, 0u64);
    #[parallel_for(simd, deterministic, num_threads(3), reduction(+: s, c))]
    for i in 0..x.len() {
        s += (x[i] * y[i]) as f32;
        c += (x[i] > 0.0) as u64;
    }
    (dot, hi, s, c)
}

#[test]
fn every_level_gives_the_same_bits() {
    let detected = SimdLevel::detected();
    assert_eq!(simd_level(), detected);
    println!("detected level: {detected}");
    for n in [0, 1, 31, 32, 33, 1000, 100_003] {
        let x = data(n, 17);
        let run = || {
            let mut y = data(n, 18);
            let (dot, hi, s, c) = kernels(&x, &mut y);
            let ys: Vec<u64> = y.iter().map(|v| v.to_bits()).collect();
            (dot.to_bits(), hi.to_bits(), s.to_bits(), c, ys)
        };
        let want = run();
        for level in SimdLevel::ALL {
            if level > detected {
                let refused = std::panic::catch_unwind(|| set_simd_level(Some(level)));
                assert!(refused.is_err(), "{level} is not supported here");
                continue;
            }
            set_simd_level(Some(level));
            assert_eq!(simd_level(), level);
            assert!(run() == want, "n={n}: {level} differs from {detected}");
        }
        set_simd_level(None);
    }
    assert_eq!(simd_level(), detected);
}
