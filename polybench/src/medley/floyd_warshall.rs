//! floyd-warshall: all-pairs shortest paths
//! (`medley/floyd-warshall/floyd-warshall.c`), on `i32` as the C's `int`.
//!
//! The outer loop `k` is sequential; one `#[parallel_for]` on the loop `i`
//! inside it: iteration `i` owns row `i` of `path`, and every iteration
//! reads row `k`, which iteration `k` writes: the parallel versions read it
//! from a copy made before the loop (see REWRITE below).

use parallel::parallel;

/// `MINI_DATASET`: `n`.
pub const MINI: usize = 60;
/// `MEDIUM_DATASET`: `n`.
pub const MEDIUM: usize = 500;

/// PolyBench's `init_array`: `path`, row-major.
pub fn init(n: usize) -> Vec<i32> {
    let mut path = vec![0; n * n];
    for i in 0..n {
        for j in 0..n {
            path[i * n + j] = (i * j % 7 + 1) as i32;
            if (i + j) % 13 == 0 || (i + j) % 7 == 0 || (i + j) % 11 == 0 {
                path[i * n + j] = 999;
            }
        }
    }
    path
}

/// The plain loops, row-major.
pub fn flat_seq(n: usize, path: &mut [i32]) {
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                path[i * n + j] = if path[i * n + j] < path[i * n + k] + path[k * n + j] {
                    path[i * n + j]
                } else {
                    path[i * n + k] + path[k * n + j]
                };
            }
        }
    }
}

/// The plain loops on a nested array.
pub fn nested_seq(n: usize, path: &mut [Vec<i32>]) {
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                path[i][j] = if path[i][j] < path[i][k] + path[k][j] {
                    path[i][j]
                } else {
                    path[i][k] + path[k][j]
                };
            }
        }
    }
}

macro_rules! parallel_versions {
    ($flat:ident, $nested:ident, $($schedule:tt)*) => {
        /// The annotated loops, row-major, on `threads` threads.
        #[parallel]
        pub fn $flat(n: usize, path: &mut [i32], threads: usize) {
            for k in 0..n {
                // REWRITE: row `k` read from a copy, `row_k[j]` for
                // `path[k * n + j]`. As the C writes it, the loop compiles
                // and then panics before any race: "this loop reads
                // `path[k * n + j]` (index 0) while another iteration may
                // write it (the loop writes `path[0]` to `path[3599]`): a
                // data race. If the loop does not change what it reads
                // there, copy it before the loop (`let copy =
                // path[a..b].to_vec();` for the stretch it reads) and read
                // the copy; ..". Iteration `k` rewrites row `k` (with the
                // values it already holds, when no distance is negative).
                let row_k = path[k * n..(k + 1) * n].to_vec();
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..n {
                    for j in 0..n {
                        path[i * n + j] = if path[i * n + j] < path[i * n + k] + row_k[j] {
                            path[i * n + j]
                        } else {
                            path[i * n + k] + row_k[j]
                        };
                    }
                }
            }
        }

        /// The annotated loops on a nested array, on `threads` threads.
        #[parallel]
        pub fn $nested(n: usize, path: &mut [Vec<i32>], threads: usize) {
            for k in 0..n {
                // REWRITE: row `k` read from a copy, `row_k[j]` for
                // `path[k][j]`. As the C writes it, the loop compiles and
                // then panics before any race: "this loop reads `path[k]`
                // (index 0) while another iteration may write it (the loop
                // writes `path[0]` to `path[59]`): a data race. If the loop
                // does not change what it reads there, copy it before the
                // loop (`let copy = path[k].clone();`) and read the copy;
                // ..".
                let row_k = path[k].clone();
                #[parallel_for(num_threads(threads), schedule($($schedule)*))]
                for i in 0..n {
                    for j in 0..n {
                        path[i][j] = if path[i][j] < path[i][k] + row_k[j] {
                            path[i][j]
                        } else {
                            path[i][k] + row_k[j]
                        };
                    }
                }
            }
        }
    };
}

parallel_versions!(flat, nested, static);
parallel_versions!(flat_dynamic, nested_dynamic, dynamic, 3);
