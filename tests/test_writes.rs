//! The accepted write patterns, each against the sequential loop:
//! `y[i]`, `y[i] op= ..`, `grid[i][j]`, `pts[i].x`, `t[b as usize]`,
//! row-major `c[i * n + j]` and `n * i + j`, and `y.len()` in the body.

mod common;
use common::{LENGTHS, THREADS, data};
use parallel::parallel;

#[parallel]
fn saxpy(a: f64, x: &[f64], y: &mut [f64], threads: usize) {
    #[parallel_for(num_threads(threads))]
    for i in 0..y.len() {
        y[i] += a * x[i];
    }
}

#[test]
fn element_writes_through_a_mut_slice_parameter() {
    for &n in LENGTHS {
        let x = data(n, 1);
        let y0 = data(n, 2);
        let want: Vec<f64> = x.iter().zip(&y0).map(|(x, y)| y + 3.0 * x).collect();
        for &t in THREADS {
            let mut y = y0.clone();
            saxpy(3.0, &x, &mut y, t);
            assert_eq!(y, want, "n={n} t={t}");
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Default)]
struct Point {
    x: f64,
    y: f64,
}

#[parallel]
fn nested_and_fields(
    n: usize,
    m: usize,
    threads: usize,
) -> (Vec<Vec<usize>>, Vec<Point>, [u8; 64]) {
    let mut grid = vec![vec![0usize; m]; n];
    let mut pts = vec![Point::default(); n];
    let mut arr = [0u8; 64];
    let len = arr.len();
    #[parallel_for(num_threads(threads), schedule(dynamic, 2))]
    for i in 0..n {
        for j in 0..m {
            grid[i][j] = i * m + j;
        }
        pts[i].x = i as f64;
        pts[i].y = pts[i].x * 2.0;
        if i < len {
            arr[i] = (i % 251) as u8;
        }
    }
    (grid, pts, arr)
}

#[test]
fn nested_containers_fields_and_arrays() {
    for &n in &[0, 1, 3, 17, 101] {
        for &t in THREADS {
            let (grid, pts, arr) = nested_and_fields(n, 5, t);
            for i in 0..n {
                assert_eq!(grid[i], (0..5).map(|j| i * 5 + j).collect::<Vec<_>>());
                assert_eq!(
                    pts[i],
                    Point {
                        x: i as f64,
                        y: 2.0 * i as f64
                    }
                );
            }
            for (i, &a) in arr.iter().enumerate() {
                assert_eq!(a as usize, if i < n { i } else { 0 });
            }
        }
    }
}

struct Shape {
    cols: usize,
}

const WIDTH: usize = 7;

#[parallel]
fn row_major(rows: usize, cols: usize, threads: usize) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let shape = Shape { cols };
    let mut c = vec![0usize; rows * cols];
    let mut d = vec![0usize; rows * WIDTH];
    let mut e = vec![0usize; rows * cols];
    #[parallel_for(num_threads(threads), schedule(guided))]
    for i in 0..rows {
        for j in 0..cols {
            c[i * cols + j] = i + 10 * j;
            e[shape.cols * i + j] = c[i * cols + j] + 1;
        }
        for j in 0..WIDTH {
            d[i * WIDTH + j] = j;
        }
    }
    (c, d, e)
}

#[test]
fn row_major_writes() {
    for &(rows, cols) in &[(0, 0), (1, 1), (3, 2), (17, 13), (101, 3), (1000, 64)] {
        let mut c = vec![0; rows * cols];
        let mut d = vec![0; rows * WIDTH];
        for i in 0..rows {
            for j in 0..cols {
                c[i * cols + j] = i + 10 * j;
            }
            for j in 0..WIDTH {
                d[i * WIDTH + j] = j;
            }
        }
        let e: Vec<usize> = c.iter().map(|v| v + 1).collect();
        for &t in THREADS {
            assert_eq!(
                row_major(rows, cols, t),
                (c.clone(), d.clone(), e.clone()),
                "{rows}x{cols} t={t}"
            );
        }
    }
}

#[parallel]
fn row_past_its_end(rows: usize, cols: usize) -> Vec<usize> {
    let mut c = vec![0usize; rows * cols];
    #[parallel_for(num_threads(2))]
    for i in 0..rows {
        for j in 0..=cols {
            c[i * cols + j] = j;
        }
    }
    c
}

#[test]
fn a_column_past_the_row_panics_instead_of_racing() {
    let r = std::panic::catch_unwind(|| row_past_its_end(4, 3));
    let msg = r.err().map(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    });
    assert!(msg.unwrap_or_default().contains("index out of bounds"));
}

/// Each iteration reads its own element and the shared inputs, and may ask
/// the written array its length.
#[parallel]
fn stencil(a: &[f64], threads: usize) -> Vec<f64> {
    let n = a.len();
    let mut b = vec![0.0; n];
    #[parallel_for(num_threads(threads), schedule(static, 3))]
    for i in 1..n.saturating_sub(1) {
        b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0;
        if i + 2 == b.len() {
            b[i] += 0.0;
        }
    }
    b
}

#[test]
fn stencils_read_one_array_and_write_another() {
    for &n in LENGTHS {
        let a = data(n, 9);
        let mut want = vec![0.0; n];
        for i in 1..n.saturating_sub(1) {
            want[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0;
        }
        for &t in THREADS {
            assert_eq!(stencil(&a, t), want, "n={n} t={t}");
        }
    }
}

/// Stepped and reversed loops write their own elements too.
#[parallel]
fn stepped(n: usize, threads: usize) -> Vec<i32> {
    let mut y = vec![0i32; n];
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for i in (0..n).step_by(3).rev() {
        y[i] = i as i32 + 1;
    }
    #[parallel_for(num_threads(threads))]
    for i in (1..n).rev().step_by(2) {
        y[i] -= 1;
    }
    y
}

#[test]
fn stepped_and_reversed_writes() {
    for &n in LENGTHS {
        let mut want = vec![0i32; n];
        for i in (0..n).step_by(3).rev() {
            want[i] = i as i32 + 1;
        }
        for i in (1..n).rev().step_by(2) {
            want[i] -= 1;
        }
        for &t in THREADS {
            assert_eq!(stepped(n, t), want, "n={n} t={t}");
        }
    }
}

#[parallel]
fn arrays_and_boxes(threads: usize) -> ([u64; 100], Box<[u64]>, Vec<u64>) {
    let mut arr = [0u64; 100];
    let mut boxed: Box<[u64]> = vec![0; 100].into_boxed_slice();
    let mut v = vec![0u64; 100];
    let r = &mut v;
    #[parallel_for(num_threads(threads))]
    for i in 0..100 {
        arr[i] = i as u64;
        boxed[i] = 2 * i as u64;
        r[i] = 3 * i as u64;
    }
    (arr, boxed, v)
}

#[test]
fn arrays_boxes_and_mut_refs_to_vecs() {
    for &t in THREADS {
        let (a, b, v) = arrays_and_boxes(t);
        for i in 0..100u64 {
            assert_eq!(
                (a[i as usize], b[i as usize], v[i as usize]),
                (i, 2 * i, 3 * i)
            );
        }
    }
}

/// Raw identifiers name arrays and critical sections like any other names.
#[parallel]
fn raw_names(r#type: &mut [u32], r#in: &mut [u32], n: usize) -> u32 {
    let mut r#loop = 0;
    #[parallel_for(num_threads(2))]
    for i in 0..n {
        r#type[i] = i as u32;
        r#in[i * 2 + 1] = 7;
        #[critical(r#match)]
        {
            r#loop += 1;
        }
    }
    r#loop
}

#[test]
fn raw_identifiers() {
    for &n in &[0, 1, 5, 1009] {
        let (mut a, mut b) = (vec![0; n], vec![0; 2 * n]);
        assert_eq!(raw_names(&mut a, &mut b, n), n as u32);
        assert_eq!(a, (0..n as u32).collect::<Vec<_>>());
        assert!(
            b.iter()
                .enumerate()
                .all(|(k, &v)| v == if k % 2 == 1 { 7 } else { 0 })
        );
    }
}

/// A raw loop variable is the loop variable: `r#i` and `i` are one name,
/// for the element written, the row written and the element read.
#[parallel]
fn raw_loop_variable(x: &[f64], r#y: &mut [f64], c: &mut [f64], n: usize, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(dynamic, 3))]
    for r#i in 0..x.len() {
        r#y[i] = 2.0 * x[r#i] - y[r#i];
        for j in 0..n {
            c[r#i * n + j] = x[i] + j as f64;
        }
    }
}

#[test]
fn raw_loop_variables_are_the_loop_variable() {
    for &len in LENGTHS {
        let x = data(len, 21);
        let y0 = data(len, 22);
        let n = 3;
        let mut want_y = y0.clone();
        let mut want_c = vec![0.0; len * n];
        for i in 0..len {
            want_y[i] = 2.0 * x[i] - want_y[i];
            for j in 0..n {
                want_c[i * n + j] = x[i] + j as f64;
            }
        }
        for &t in THREADS {
            let (mut y, mut c) = (y0.clone(), vec![0.0; len * n]);
            raw_loop_variable(&x, &mut y, &mut c, n, t);
            assert_eq!((y, c), (want_y.clone(), want_c.clone()), "len={len} t={t}");
        }
    }
}
