use parallel::parallel;
use std::sync::atomic::{AtomicU64, Ordering};

#[parallel]
fn progress(x: &[u64]) -> u64 {
    let done = AtomicU64::new(0);
    #[taskgroup]
    {
        #[task]
        {
            done.fetch_add(x.len() as u64, Ordering::Relaxed);
        }
        println!("done so far: {}", done.load(Ordering::Relaxed));
    }
    done.into_inner()
}

fn main() {
    progress(&[1, 2]);
}
