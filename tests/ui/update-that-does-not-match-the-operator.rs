use parallel::parallel;

#[parallel]
fn horner(x: &[f64]) -> (f64, f64) {
    let mut s = 0.0;
    let mut m = f64::NEG_INFINITY;
    #[parallel_for(reduction(+: s), reduction(max: m))]
    for i in 0..x.len() {
        s = s * 3.0 + x[i];
        m = x[i];
    }
    (s, m)
}

fn main() {
    horner(&[1.0]);
}
