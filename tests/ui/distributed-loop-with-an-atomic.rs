use parallel::parallel;

#[parallel]
fn count(x: &[f64]) -> u64 {
    let mut hits = 0u64;
    #[parallel_for(distributed)]
    for i in 0..x.len() {
        if x[i] > 0.5 {
            #[atomic]
            hits += 1;
        }
    }
    hits
}

fn main() {
    count(&[1.0]);
}
