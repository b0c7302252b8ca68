use parallel::parallel;

#[parallel]
fn wrapped(x: &[u64]) -> u64 {
    let mut a = 0;
    #[taskgroup]
    {
        let _ = Some(
            #[task]
            {
                a += x[0];
            },
        );
    }
    a
}

fn main() {
    wrapped(&[1]);
}
