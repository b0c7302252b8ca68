use parallel::parallel;

#[parallel]
fn argmin(x: &[f64]) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut at = 0;
    #[parallel_for]
    for i in 0..x.len() {
        if x[i] < best {
            best = x[i];
            at = i;
        }
    }
    (best, at)
}

fn main() {
    argmin(&[1.0]);
}
