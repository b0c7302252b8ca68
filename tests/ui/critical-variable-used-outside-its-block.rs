use parallel::parallel;

#[parallel]
fn collect(x: &[u64]) -> Vec<u64> {
    let mut out = Vec::new();
    #[parallel_for]
    for i in 0..x.len() {
        if out.len() < 10 {
            #[critical]
            {
                out.push(x[i]);
            }
        }
    }
    out
}

fn main() {
    collect(&[1, 2]);
}
