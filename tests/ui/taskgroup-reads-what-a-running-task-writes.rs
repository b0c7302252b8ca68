use parallel::parallel;

#[parallel]
fn report(x: &[u64]) -> u64 {
    let mut total = 0;
    #[taskgroup]
    {
        #[task]
        {
            total += x.iter().sum::<u64>();
        }
        println!("so far: {total}");
    }
    total
}

fn main() {
    report(&[1, 2]);
}
