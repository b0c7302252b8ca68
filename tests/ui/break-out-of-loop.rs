use parallel::parallel;

#[parallel]
fn find(x: &[u32], out: &mut [bool]) {
    #[parallel_for]
    for i in 0..x.len() {
        if x[i] == 7 {
            break;
        }
        out[i] = true;
    }
}

fn main() {
    find(&[1, 7], &mut [false; 2]);
}
