use parallel::parallel;

// correlation as the C writes it: the diagonal, then the upper triangle
// mirrored into the lower one.
#[parallel]
fn correlation(corr: &mut Vec<Vec<f64>>, data: &[Vec<f64>], m: usize) {
    #[parallel_for]
    for i in 0..m - 1 {
        corr[i][i] = 1.0;
        for j in i + 1..m {
            corr[i][j] = 0.0;
            for k in 0..data.len() {
                corr[i][j] += data[k][i] * data[k][j];
            }
            corr[j][i] = corr[i][j];
        }
    }
}

// The same, flat and row-major.
#[parallel]
fn correlation_flat(corr: &mut [f64], data: &[f64], m: usize) {
    #[parallel_for]
    for i in 0..m - 1 {
        corr[i * m + i] = 1.0;
        for j in i + 1..m {
            corr[i * m + j] = 0.0;
            for k in 0..data.len() / m {
                corr[i * m + j] += data[k * m + i] * data[k * m + j];
            }
            corr[j * m + i] = corr[i * m + j];
        }
    }
}

fn main() {
    correlation(&mut vec![vec![0.0; 2]; 2], &[vec![1.0; 2]], 2);
    correlation_flat(&mut [0.0; 4], &[1.0; 2], 2);
}
