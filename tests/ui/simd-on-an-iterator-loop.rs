use parallel::parallel;

#[parallel]
fn total(x: &[f32]) -> f32 {
    let mut s = 0.0;
    #[simd_reduce(+: s)]
    for v in x.iter() {
        s += v;
    }
    s
}

fn main() {
    total(&[1.0]);
}
