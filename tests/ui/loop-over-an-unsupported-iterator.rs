use parallel::parallel;

#[parallel]
fn rises(x: &[f64]) -> usize {
    let mut n = 0;
    #[parallel_for(reduction(+: n))]
    for w in x.windows(2) {
        if w[1] > w[0] {
            n += 1;
        }
    }
    n
}

fn main() {
    rises(&[1.0, 2.0]);
}
