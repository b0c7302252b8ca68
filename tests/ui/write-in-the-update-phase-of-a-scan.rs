use parallel::{parallel, scan};
use std::sync::atomic::{AtomicUsize, Ordering};

// The update phase runs twice: it may change only the scan variable.
#[parallel]
fn running(x: &[u64], out: &mut [u64], calls: &AtomicUsize) -> u64 {
    let mut sum = 0;
    #[parallel_for(reduction(inscan, +: sum))]
    for i in 0..x.len() {
        out[i] = x[i] * 2;
        calls.fetch_add(1, Ordering::Relaxed);
        println!("{i}");
        sum += x[i];
        scan!(inclusive(sum));
        out[i] += sum;
    }
    sum
}

fn main() {
    running(&[1], &mut [0], &AtomicUsize::new(0));
}
