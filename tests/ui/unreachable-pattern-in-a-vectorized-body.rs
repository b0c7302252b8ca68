// The user's own code inside a vectorized body keeps its lints.
#![deny(unreachable_patterns)]

use parallel::parallel;

#[parallel]
fn total(x: &[u32]) -> u64 {
    let mut s = 0u64;
    #[parallel_for(simd, reduction(+: s))]
    for i in 0..x.len() {
        s += match x[i] {
            v => u64::from(v),
            _ => 0,
        };
    }
    s
}

fn main() {
    total(&[1, 2, 3]);
}
