use parallel::parallel;

#[parallel]
fn early(x: &[u64]) -> u64 {
    let mut total = 0;
    #[taskgroup]
    {
        #[task]
        {
            total += x.iter().sum::<u64>();
        }
        if x.len() > 100 {
            return 0;
        }
    }
    total
}

fn main() {
    early(&[1, 2]);
}
