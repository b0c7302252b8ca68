use parallel::parallel;

#[parallel]
fn running(x: &[u64], out: &mut [u64]) -> u64 {
    let mut sum = 0;
    #[parallel_for(reduction(inscan, +: sum))]
    for i in 0..x.len() {
        sum += x[i];
        out[i] = x[i];
    }
    sum
}

fn main() {
    running(&[1], &mut [0]);
}
