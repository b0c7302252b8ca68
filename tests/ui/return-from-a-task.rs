use parallel::parallel;

#[parallel]
fn early(x: &[u64]) -> u64 {
    let mut total = 0;
    #[taskgroup]
    {
        #[task]
        {
            if x.is_empty() {
                return 0;
            }
            total += x.iter().sum::<u64>();
        }
    }
    total
}

fn main() {
    early(&[1, 2]);
}
