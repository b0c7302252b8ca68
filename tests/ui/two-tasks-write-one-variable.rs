use parallel::parallel;

#[parallel]
fn count(x: &[u64]) -> u64 {
    let mut total = 0;
    #[taskgroup]
    {
        #[task]
        {
            total += x[0];
        }
        #[task]
        {
            total += x[1];
        }
    }
    total
}

fn main() {
    count(&[1, 2]);
}
