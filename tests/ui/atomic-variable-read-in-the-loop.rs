use parallel::parallel;

#[parallel]
fn running(x: &[u64], out: &mut [u64]) -> u64 {
    let mut total = 0;
    #[parallel_for]
    for i in 0..x.len() {
        #[atomic]
        total += x[i];
        out[i] = total;
    }
    total
}

fn main() {
    running(&[1, 2], &mut [0; 2]);
}
