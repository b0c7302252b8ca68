use parallel::parallel;

#[parallel]
fn scan(x: &[u32], out: &mut [u32]) {
    'rows: for _pass in 0..2 {
        #[parallel_for]
        for i in 0..x.len() {
            for j in 0..x.len() {
                if x[j] == 0 {
                    break 'rows;
                }
            }
            out[i] = x[i];
        }
    }
}

fn main() {
    scan(&[1, 0], &mut [0; 2]);
}
