use parallel::{Reducer, parallel};

struct Longest;

impl Reducer for Longest {
    type Value = usize;
    fn identity() -> usize {
        0
    }
    fn combine(acc: &mut usize, other: usize) {
        *acc = (*acc).max(other);
    }
}

#[parallel]
fn longest(lens: &[usize]) -> usize {
    let mut best = 0;
    #[parallel_for(simd, reduction(Longest: best))]
    for i in 0..lens.len() {
        Longest::combine(&mut best, lens[i]);
    }
    best
}

fn main() {
    longest(&[3, 1]);
}
