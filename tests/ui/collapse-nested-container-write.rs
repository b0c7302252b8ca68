use parallel::parallel;

#[parallel]
fn fill(grid: &mut Vec<Vec<f64>>, rows: usize, cols: usize) {
    #[parallel_for(collapse(2))]
    for i in 0..rows {
        for j in 0..cols {
            grid[i][j] = 1.0;
        }
    }
}

fn main() {
    fill(&mut vec![vec![0.0; 3]; 2], 2, 3);
}
