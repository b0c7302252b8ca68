use parallel::parallel;

#[parallel]
fn halves(x: &[u64]) -> (u64, u64) {
    let (mut a, mut b) = (0, 0);
    #[task]
    {
        a += x[0];
    }
    #[task]
    {
        b += x[1];
    }
    (a, b)
}

fn main() {
    halves(&[1, 2]);
}
