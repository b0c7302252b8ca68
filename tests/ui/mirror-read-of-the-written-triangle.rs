use parallel::parallel;

// A mirror copy of the upper triangle into the lower one, parallel over
// the columns it writes.
#[parallel]
fn symmetrize(s: &mut Vec<Vec<f64>>, n: usize) {
    #[parallel_for]
    for j1 in 0..n {
        for j2 in j1 + 1..n {
            s[j2][j1] = s[j1][j2];
        }
    }
}

// Flat, parallel over the rows it writes.
#[parallel]
fn symmetrize_flat(s: &mut [f64], n: usize) {
    #[parallel_for]
    for i in 0..n {
        for j in 0..i {
            s[i * n + j] = s[j * n + i];
        }
    }
}

fn main() {
    symmetrize(&mut vec![vec![0.0; 2]; 2], 2);
    symmetrize_flat(&mut [0.0; 4], 2);
}
