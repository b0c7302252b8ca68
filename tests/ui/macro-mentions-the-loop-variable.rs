use parallel::parallel;

macro_rules! reset {
    ($v:ident) => {
        let $v = 0usize;
    };
}

#[parallel]
fn copy(x: &[f64], y: &mut [f64]) {
    #[parallel_for]
    for i in 0..y.len() {
        reset!(i);
        y[i] = x[i];
    }
}

fn main() {
    copy(&[1.0], &mut [0.0]);
}
