use parallel::parallel;
use std::rc::Rc;

#[parallel]
fn scale(factor: Rc<f64>, y: &mut [f64]) {
    #[parallel_for]
    for i in 0..y.len() {
        y[i] *= *factor;
    }
}

fn main() {
    scale(Rc::new(2.0), &mut [1.0; 4]);
}
