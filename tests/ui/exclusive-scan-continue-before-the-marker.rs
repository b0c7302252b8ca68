use parallel::{parallel, scan};

// An exclusive scan reads first: a `continue` there would skip the
// update, and a local of the reads cannot reach the updates.
#[parallel]
fn positions(keep: &[bool], out: &mut [usize]) -> usize {
    let mut count = 0;
    #[parallel_for(reduction(inscan, +: count))]
    for i in 0..keep.len() {
        let k = keep[i];
        if !k {
            continue;
        }
        out[i] = count;
        scan!(exclusive(count));
        if k {
            count += 1;
        }
    }
    count
}

fn main() {
    positions(&[true], &mut [0]);
}
