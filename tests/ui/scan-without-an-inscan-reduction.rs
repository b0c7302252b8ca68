use parallel::{parallel, scan};

// `scan!` in a loop whose reduction is not `inscan`.
#[parallel]
fn running(x: &[u64], out: &mut [u64]) -> u64 {
    let mut sum = 0;
    #[parallel_for(reduction(+: sum))]
    for i in 0..x.len() {
        sum += x[i];
        scan!(inclusive(sum));
        out[i] = sum;
    }
    sum
}

// `scan!` outside any loop.
fn outside(sum: u64) -> u64 {
    scan!(inclusive(sum));
    sum
}

fn main() {
    running(&[1], &mut [0]);
    outside(1);
}
