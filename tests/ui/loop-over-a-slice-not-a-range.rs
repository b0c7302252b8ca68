use parallel::parallel;

#[parallel]
fn total(x: &[f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(reduction(+: s))]
    for v in x {
        s += v;
    }
    s
}

fn main() {
    total(&[1.0]);
}
