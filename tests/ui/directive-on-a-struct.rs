use parallel::parallel_for;

#[parallel_for(schedule(dynamic))]
struct Grid {
    cells: Vec<u32>,
}

fn main() {
    let _ = Grid { cells: Vec::new() }.cells;
}
