use parallel::parallel;

#[parallel]
fn mask(x: &[f64]) -> f64 {
    let mut bits = 0.0;
    #[parallel_for(reduction(&: bits))]
    for i in 0..x.len() {
        // The body may stay empty: the clause alone does not fit.
        let _ = x[i];
    }
    bits
}

fn main() {
    mask(&[1.0]);
}
