//! `collapse(n)`: perfectly nested range loops as one iteration space, with
//! row-major writes on the flattened index and reductions, against the
//! sequential loops.

mod common;
use common::THREADS;
use parallel::parallel;

/// A short, wide matrix: only collapse gives every thread work.
#[parallel]
fn fill(rows: usize, cols: usize, threads: usize) -> (Vec<u64>, u64) {
    let mut c = vec![0u64; rows * cols];
    let mut sum = 0u64;
    #[parallel_for(collapse(2), num_threads(threads), schedule(dynamic, 7), reduction(+: sum))]
    for i in 0..rows {
        for j in 0..cols {
            c[i * cols + j] = (i * 1000 + j) as u64;
            sum += c[i * cols + j];
        }
    }
    (c, sum)
}

#[test]
fn collapse_two_matches_the_nest() {
    for &(rows, cols) in &[
        (0, 5),
        (5, 0),
        (1, 1),
        (2, 1000),
        (3, 17),
        (17, 3),
        (64, 64),
    ] {
        let mut want = vec![0u64; rows * cols];
        for i in 0..rows {
            for j in 0..cols {
                want[i * cols + j] = (i * 1000 + j) as u64;
            }
        }
        let want_sum: u64 = want.iter().sum();
        for &t in THREADS {
            assert_eq!(
                fill(rows, cols, t),
                (want.clone(), want_sum),
                "{rows}x{cols} t={t}"
            );
        }
    }
}

/// The interior of a grid: loops that do not start at 0, rows of `n`.
#[parallel]
fn interior(n: usize, threads: usize) -> Vec<i32> {
    let mut g = vec![-1i32; n * n];
    #[parallel_for(collapse(2), num_threads(threads), schedule(static, 5))]
    for i in 1..n - 1 {
        for j in 1..n - 1 {
            g[n * i + j] = (i + j) as i32;
        }
    }
    g
}

#[test]
fn collapse_of_an_interior() {
    for n in [2, 3, 4, 9, 33] {
        let mut want = vec![-1i32; n * n];
        for i in 1..n - 1 {
            for j in 1..n - 1 {
                want[n * i + j] = (i + j) as i32;
            }
        }
        for &t in THREADS {
            assert_eq!(interior(n, t), want, "n={n} t={t}");
        }
    }
}

/// Three levels, stepped and reversed, with reductions only.
#[parallel]
fn triple(a: i64, threads: usize) -> (i64, i64, u64) {
    let (mut s, mut m, mut count) = (0i64, i64::MIN, 0u64);
    #[parallel_for(collapse(3), num_threads(threads), schedule(guided), reduction(+: s, count), reduction(max: m))]
    for i in (0..a).rev() {
        for j in (-3..=4).step_by(2) {
            for k in 0..3i64 {
                s += i * 100 + j * 10 + k;
                m = m.max(i * j - k);
                count += 1;
            }
        }
    }
    (s, m, count)
}

#[test]
fn collapse_three_with_steps_and_reversal() {
    for a in [0i64, 1, 2, 7] {
        let (mut s, mut m, mut count) = (0i64, i64::MIN, 0u64);
        for i in (0..a).rev() {
            for j in (-3..=4).step_by(2) {
                for k in 0..3i64 {
                    s += i * 100 + j * 10 + k;
                    m = m.max(i * j - k);
                    count += 1;
                }
            }
        }
        for &t in THREADS {
            assert_eq!(triple(a, t), (s, m, count), "a={a} t={t}");
        }
    }
}

#[parallel]
fn misplaced(rows: usize, cols: usize) -> Vec<u8> {
    let mut c = vec![0u8; rows * cols];
    #[parallel_for(collapse(2), num_threads(2))]
    for i in 0..rows {
        for j in 0..cols + 1 {
            c[i * cols + j] = 1;
        }
    }
    c
}

#[test]
fn a_nest_wider_than_its_rows_is_refused_before_it_runs() {
    let r = std::panic::catch_unwind(|| misplaced(3, 4));
    let msg = r
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(msg.contains("0 <= j < 4"), "{msg}");
}

/// Nested containers under collapse(2): `grid[i][j]`, also with a field.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Cell {
    v: u32,
    w: u32,
}

#[parallel]
fn nested(rows: usize, cols: usize, threads: usize) -> (Vec<Vec<u32>>, Vec<[Cell; 4]>) {
    let mut grid = vec![vec![0u32; cols]; rows];
    let mut cells = vec![[Cell::default(); 4]; rows];
    #[parallel_for(collapse(2), num_threads(threads), schedule(dynamic, 3))]
    for i in 0..rows {
        for j in 0..cols {
            grid[i][j] = (i * 100 + j) as u32;
            if j < 4 {
                cells[i][j].v = grid[i][j];
                cells[i][j].w += 1;
            }
        }
    }
    (grid, cells)
}

#[test]
fn nested_containers_under_collapse() {
    for &(rows, cols) in &[(0, 3), (1, 1), (2, 50), (7, 3), (30, 30)] {
        let mut grid = vec![vec![0u32; cols]; rows];
        let mut cells = vec![[Cell::default(); 4]; rows];
        for i in 0..rows {
            for j in 0..cols {
                grid[i][j] = (i * 100 + j) as u32;
                if j < 4 {
                    cells[i][j] = Cell {
                        v: grid[i][j],
                        w: 1,
                    };
                }
            }
        }
        for &t in THREADS {
            assert_eq!(
                nested(rows, cols, t),
                (grid.clone(), cells.clone()),
                "{rows}x{cols} t={t}"
            );
        }
    }
}
