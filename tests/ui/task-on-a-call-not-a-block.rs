use parallel::parallel;

fn work(v: u64) -> u64 {
    v * 2
}

#[parallel]
fn both(x: &[u64]) {
    #[taskgroup]
    {
        #[task]
        work(x[0]);
        #[task]
        work(x[1]);
    }
}

fn main() {
    both(&[1, 2]);
}
