use parallel::parallel;

#[parallel]
fn norms(x: &[f64]) -> (f64, f64) {
    let mut sum = 0.0;
    let mut top = 0.0f64;
    #[simd_reduce(+: sum)]
    for i in 0..x.len() {
        sum += x[i] * x[i];
        top = top.max(x[i].abs());
    }
    (sum, top)
}

fn main() {
    norms(&[1.0]);
}
