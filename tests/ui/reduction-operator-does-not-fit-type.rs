use parallel::parallel;

#[parallel]
fn mask(x: &[f64]) -> f64 {
    let mut bits = 0.0;
    #[parallel_for(reduction(&: bits))]
    for i in 0..x.len() {
        bits = x[i];
    }
    bits
}

fn main() {
    mask(&[1.0]);
}
