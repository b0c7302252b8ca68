use parallel::parallel;

// Each block writes its `counts[b]` values at `offset[b]`.
#[parallel]
fn fill(out: &mut [u32], offset: &[usize], counts: &[usize]) {
    #[parallel_for]
    for b in 0..counts.len() {
        for c in 0..counts[b] {
            out[offset[b] + c] = b as u32;
        }
    }
}

// A permutation scatter.
#[parallel]
fn permute(out: &mut [f64], perm: &[usize], x: &[f64]) {
    #[parallel_for]
    for j in 0..x.len() {
        out[perm[j]] = x[j];
    }
}

fn main() {
    fill(&mut [0; 3], &[0, 1], &[1, 2]);
    permute(&mut [0.0; 2], &[1, 0], &[1.0, 2.0]);
}
