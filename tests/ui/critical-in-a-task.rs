use parallel::parallel;

#[parallel]
fn collect(x: &[u64]) -> Vec<u64> {
    let mut big = Vec::new();
    #[taskgroup]
    {
        for v in x {
            #[task]
            {
                if *v > 10 {
                    #[critical]
                    {
                        big.push(*v);
                    }
                }
            }
        }
    }
    big
}

fn main() {
    collect(&[1, 20]);
}
