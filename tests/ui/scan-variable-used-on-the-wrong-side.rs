use parallel::{parallel, scan};

// Read in the update phase, and changed in the read phase.
#[parallel]
fn running(x: &[u64], out: &mut [u64], before: &mut [u64]) -> u64 {
    let mut sum = 0;
    #[parallel_for(reduction(inscan, +: sum))]
    for i in 0..x.len() {
        before[i] = sum;
        sum += x[i];
        scan!(inclusive(sum));
        out[i] = sum;
        sum += 1;
    }
    sum
}

fn main() {
    running(&[1], &mut [0], &mut [0]);
}
