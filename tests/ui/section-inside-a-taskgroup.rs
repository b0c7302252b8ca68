use parallel::parallel;

#[parallel]
fn halves(x: &[u64]) -> (u64, u64) {
    let (mut a, mut b) = (0, 0);
    #[taskgroup]
    {
        #[section]
        {
            a += x[0];
        }
        #[section]
        {
            b += x[1];
        }
    }
    (a, b)
}

fn main() {
    halves(&[1, 2]);
}
