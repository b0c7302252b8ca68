use parallel::parallel;

#[parallel]
fn last(x: &[u64]) -> u64 {
    let mut seen = 0;
    #[parallel_for]
    for i in 0..x.len() {
        #[atomic]
        seen = x[i];
    }
    seen
}

fn main() {
    last(&[1, 2]);
}
