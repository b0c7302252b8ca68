use parallel::parallel;

// The covariance kernel as the C writes it: the upper triangle computed
// and mirrored into the lower one in the same loop.
#[parallel]
fn covariance(cov: &mut Vec<Vec<f64>>, data: &[Vec<f64>], m: usize) {
    #[parallel_for]
    for i in 0..m {
        for j in i..m {
            cov[i][j] = 0.0;
            for k in 0..data.len() {
                cov[i][j] += data[k][i] * data[k][j];
            }
            cov[j][i] = cov[i][j];
        }
    }
}

// The same, flat and row-major.
#[parallel]
fn covariance_flat(cov: &mut [f64], data: &[f64], m: usize) {
    #[parallel_for]
    for i in 0..m {
        for j in i..m {
            cov[i * m + j] = 0.0;
            for k in 0..data.len() / m {
                cov[i * m + j] += data[k * m + i] * data[k * m + j];
            }
            cov[j * m + i] = cov[i * m + j];
        }
    }
}

fn main() {
    covariance(&mut vec![vec![0.0; 2]; 2], &[vec![1.0; 2]], 2);
    covariance_flat(&mut [0.0; 4], &[1.0; 2], 2);
}
