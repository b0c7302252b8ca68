use parallel::parallel;

#[parallel]
fn first_negative(x: &[f64]) -> usize {
    let mut first = x.len();
    #[simd_reduce(min: first)]
    for i in 0..x.len() {
        if x[i] < 0.0 {
            first = i;
            break;
        }
    }
    first
}

fn main() {
    first_negative(&[1.0]);
}
