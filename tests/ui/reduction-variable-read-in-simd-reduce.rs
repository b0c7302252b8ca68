use parallel::parallel;

#[parallel]
fn total(x: &[f64]) -> f64 {
    let mut s = 0.0;
    #[simd_reduce(+: s)]
    for i in 0..x.len() {
        if s < 100.0 {
            s += x[i];
        }
    }
    s
}

fn main() {
    total(&[1.0]);
}
