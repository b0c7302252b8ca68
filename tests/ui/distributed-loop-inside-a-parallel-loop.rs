use parallel::parallel;

#[parallel]
fn nested(a: &mut [f64], n: usize) {
    #[parallel_for]
    for i in 0..n {
        let mut s = 0.0;
        #[parallel_for(distributed, reduction(+: s))]
        for j in 0..n {
            s += j as f64;
        }
        a[i] = s;
    }
}

fn main() {
    nested(&mut [0.0; 4], 4);
}
