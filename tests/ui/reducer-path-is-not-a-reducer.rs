use parallel::parallel;

struct Merge;

#[parallel]
fn total(x: &[u64]) -> u64 {
    let mut sum = 0;
    #[parallel_for(reduction(Merge: sum))]
    for i in 0..x.len() {
        Merge::combine(&mut sum, x[i]);
    }
    sum
}

fn main() {
    total(&[1, 2]);
}
