use parallel::parallel;

#[parallel]
fn total(x: &[f32]) -> f32 {
    let mut s = 0.0;
    #[simd]
    for i in 0..x.len() {
        s += x[i];
    }
    s
}

fn main() {
    total(&[1.0]);
}
