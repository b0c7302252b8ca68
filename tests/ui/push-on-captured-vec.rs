use parallel::parallel;

#[parallel]
fn evens(n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    #[parallel_for]
    for i in 0..n {
        if i % 2 == 0 {
            out.push(i);
        }
    }
    out
}

fn main() {
    evens(10);
}
