use parallel::parallel;
use std::rc::Rc;

#[parallel]
fn fill(cells: &mut Vec<Option<Box<u8>>>) {
    #[parallel_for(distributed)]
    for i in 0..cells.len() {
        cells[i] = Some(Box::new(i as u8));
    }
}

fn main() {
    let _ = Rc::new(0);
    fill(&mut vec![None; 3]);
}
