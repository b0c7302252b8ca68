use parallel::parallel;

fn fill(v: &mut [u64], with: u64) {
    v.fill(with);
}

#[parallel]
fn twice(v: &mut [u64]) {
    #[taskgroup]
    {
        #[task]
        {
            fill(v, 1);
        }
        #[task]
        {
            fill(v, 2);
        }
    }
}

fn main() {
    twice(&mut [0; 4]);
}
