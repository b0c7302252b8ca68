use parallel::parallel;

#[parallel]
fn check(x: &[u32], out: &mut [u32]) -> bool {
    #[parallel_for]
    for i in 0..x.len() {
        if x[i] == 0 {
            return false;
        }
        out[i] = 100 / x[i];
    }
    true
}

fn main() {
    check(&[1, 2], &mut [0; 2]);
}
