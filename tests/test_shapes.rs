//! The ownership shapes of real OpenMP loops, ported as written: columns
//! of nested and flat arrays, planes, rows the loop does not change, reads
//! outside the loop's writes, fields of other elements, fields as arrays,
//! methods on the iteration's own element, nested parallel loops. Each
//! against the plain loop over several sizes, team sizes and schedules.

#![allow(clippy::needless_range_loop)]
// The updates are written as the C codes write them (`x = x + ..`).
#![allow(clippy::assign_op_pattern, clippy::manual_memcpy)]

mod common;
use common::{THREADS, data};
use parallel::parallel;

const SIZES: &[usize] = &[0, 1, 2, 3, 7, 16, 33];

fn grid(n: usize, m: usize, seed: u64) -> Vec<Vec<f64>> {
    let flat = data(n * m, seed);
    (0..n).map(|i| flat[i * m..(i + 1) * m].to_vec()).collect()
}

/// trmm: `B := A^T B` with the column loop parallel: `b[i][j]` and the
/// column `b[k][j]` of every row are iteration `j`'s.
#[parallel]
fn trmm(a: &[Vec<f64>], b: &mut [Vec<f64>], alpha: f64, threads: usize) {
    let (m, n) = (b.len(), b.first().map_or(0, |r| r.len()));
    for i in 0..m {
        #[parallel_for(num_threads(threads), schedule(dynamic, 2))]
        for j in 0..n {
            for k in i + 1..m {
                b[i][j] += a[k][i] * b[k][j];
            }
            b[i][j] = alpha * b[i][j];
        }
    }
}

fn trmm_seq(a: &[Vec<f64>], b: &mut [Vec<f64>], alpha: f64) {
    let (m, n) = (b.len(), b.first().map_or(0, |r| r.len()));
    for i in 0..m {
        for j in 0..n {
            for k in i + 1..m {
                b[i][j] += a[k][i] * b[k][j];
            }
            b[i][j] = alpha * b[i][j];
        }
    }
}

#[test]
fn trmm_columns_of_a_nested_array() {
    for &m in SIZES {
        for n in [0, 1, 5, 17] {
            let a = grid(m, m, 1);
            let b0 = grid(m, n, 2);
            let mut want = b0.clone();
            trmm_seq(&a, &mut want, 1.5);
            for &t in THREADS {
                let mut b = b0.clone();
                trmm(&a, &mut b, 1.5, t);
                assert_eq!(b, want, "m={m} n={n} t={t}");
            }
        }
    }
}

/// lu: the row `i` at columns `j >= i` (parallel `j`), reading the row at
/// columns `k < i` (which no iteration writes) and the column `j` above.
#[parallel]
fn lu(a: &mut [Vec<f64>], threads: usize) {
    let n = a.len();
    for i in 0..n {
        for j in 0..i {
            for k in 0..j {
                a[i][j] -= a[i][k] * a[k][j];
            }
            a[i][j] /= a[j][j];
        }
        #[parallel_for(num_threads(threads))]
        for j in i..n {
            for k in 0..i {
                a[i][j] -= a[i][k] * a[k][j];
            }
        }
    }
}

fn lu_seq(a: &mut [Vec<f64>]) {
    let n = a.len();
    for i in 0..n {
        for j in 0..i {
            for k in 0..j {
                a[i][j] -= a[i][k] * a[k][j];
            }
            a[i][j] /= a[j][j];
        }
        for j in i..n {
            for k in 0..i {
                a[i][j] -= a[i][k] * a[k][j];
            }
        }
    }
}

fn diagonally_dominant(n: usize) -> Vec<Vec<f64>> {
    let mut a = grid(n, n, 3);
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += n as f64 + 2.0;
    }
    a
}

#[test]
fn lu_reads_outside_the_columns_it_writes() {
    for &n in SIZES {
        let a0 = diagonally_dominant(n);
        let mut want = a0.clone();
        lu_seq(&mut want);
        for &t in THREADS {
            let mut a = a0.clone();
            lu(&mut a, t);
            assert_eq!(a, want, "n={n} t={t}");
        }
    }
}

/// gramschmidt on flat and nested arrays: the row `r[k]` the loop does not
/// change, the columns `a[i][j]`.
#[parallel]
fn gramschmidt(a: &mut [Vec<f64>], r: &mut [Vec<f64>], q: &mut [Vec<f64>], threads: usize) {
    let (m, n) = (a.len(), r.len());
    for k in 0..n {
        let mut nrm = 0.0;
        for i in 0..m {
            nrm += a[i][k] * a[i][k];
        }
        r[k][k] = nrm.sqrt();
        for i in 0..m {
            q[i][k] = a[i][k] / r[k][k];
        }
        #[parallel_for(num_threads(threads), schedule(guided))]
        for j in k + 1..n {
            r[k][j] = 0.0;
            for i in 0..m {
                r[k][j] += q[i][k] * a[i][j];
            }
            for i in 0..m {
                a[i][j] = a[i][j] - q[i][k] * r[k][j];
            }
        }
    }
}

fn gramschmidt_seq(a: &mut [Vec<f64>], r: &mut [Vec<f64>], q: &mut [Vec<f64>]) {
    let (m, n) = (a.len(), r.len());
    for k in 0..n {
        let mut nrm = 0.0;
        for i in 0..m {
            nrm += a[i][k] * a[i][k];
        }
        r[k][k] = nrm.sqrt();
        for i in 0..m {
            q[i][k] = a[i][k] / r[k][k];
        }
        for j in k + 1..n {
            r[k][j] = 0.0;
            for i in 0..m {
                r[k][j] += q[i][k] * a[i][j];
            }
            for i in 0..m {
                a[i][j] = a[i][j] - q[i][k] * r[k][j];
            }
        }
    }
}

#[test]
fn gramschmidt_a_fixed_row_and_columns() {
    for &n in SIZES {
        let m = n + 3;
        let (a0, r0, q0) = (grid(m, n, 4), grid(n, n, 5), grid(m, n, 6));
        let (mut a1, mut r1, mut q1) = (a0.clone(), r0.clone(), q0.clone());
        gramschmidt_seq(&mut a1, &mut r1, &mut q1);
        for &t in THREADS {
            let (mut a, mut r, mut q) = (a0.clone(), r0.clone(), q0.clone());
            gramschmidt(&mut a, &mut r, &mut q, t);
            assert_eq!(
                (a, r, q),
                (a1.clone(), r1.clone(), q1.clone()),
                "n={n} t={t}"
            );
        }
    }
}

/// The column `j` of flat row-major arrays: `b[i * n + j]`, and a fixed
/// row written by element, `ey[0][j]`.
#[parallel]
fn flat_columns(b: &mut [f64], a: &[f64], ey: &mut [Vec<f64>], m: usize, n: usize, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(static, 3))]
    for j in 0..n {
        for i in 1..m {
            b[i * n + j] += 0.5 * b[(i - 1) * n + j] + a[i * n + j];
        }
        ey[0][j] = b[(m - 1) * n + j];
    }
}

#[test]
fn columns_of_flat_arrays_and_a_fixed_row() {
    for &m in &[1, 2, 9] {
        for &n in SIZES {
            let a = data(m * n, 7);
            let b0 = data(m * n, 8);
            let ey0 = grid(2, n, 9);
            let (mut b1, mut ey1) = (b0.clone(), ey0.clone());
            for j in 0..n {
                for i in 1..m {
                    b1[i * n + j] += 0.5 * b1[(i - 1) * n + j] + a[i * n + j];
                }
                ey1[0][j] = b1[(m - 1) * n + j];
            }
            for &t in THREADS {
                let (mut b, mut ey) = (b0.clone(), ey0.clone());
                flat_columns(&mut b, &a, &mut ey, m, n, t);
                assert_eq!((b, ey), (b1.clone(), ey1.clone()), "m={m} n={n} t={t}");
            }
        }
    }
}

/// Planes of flat 3-D arrays: heat-3d's `b[i * n * n + j * n + k]`, and
/// doitgen's `a[r * nq * np + q * np + p]` with a private buffer.
#[parallel]
fn planes(
    a: &[f64],
    b: &mut [f64],
    n: usize,
    d: &mut [f64],
    c4: &[f64],
    dims: (usize, usize, usize),
    threads: usize,
) {
    #[parallel_for(num_threads(threads))]
    for i in 1..n.saturating_sub(1) {
        for j in 1..n - 1 {
            for k in 1..n - 1 {
                b[i * n * n + j * n + k] = 0.125
                    * (a[(i + 1) * n * n + j * n + k] - 2.0 * a[i * n * n + j * n + k]
                        + a[(i - 1) * n * n + j * n + k])
                    + 0.125
                        * (a[i * n * n + (j + 1) * n + k] - 2.0 * a[i * n * n + j * n + k]
                            + a[i * n * n + (j - 1) * n + k])
                    + a[i * n * n + j * n + k];
            }
        }
    }
    let (nr, nq, np) = dims;
    let mut sum = vec![0.0; np];
    #[parallel_for(num_threads(threads), private(sum))]
    for r in 0..nr {
        for q in 0..nq {
            for p in 0..np {
                sum[p] = 0.0;
                for s in 0..np {
                    sum[p] += d[r * nq * np + q * np + s] * c4[s * np + p];
                }
            }
            for p in 0..np {
                d[r * nq * np + q * np + p] = sum[p];
            }
        }
    }
}

#[test]
fn planes_of_flat_arrays() {
    for &n in &[0, 1, 3, 6] {
        let (nr, nq, np) = (n + 1, 3, n + 2);
        let a = data(n * n * n, 10);
        let b0 = data(n * n * n, 11);
        let d0 = data(nr * nq * np, 12);
        let c4 = data(np * np, 13);
        let (mut b1, mut d1) = (b0.clone(), d0.clone());
        for i in 1..n.saturating_sub(1) {
            for j in 1..n - 1 {
                for k in 1..n - 1 {
                    b1[i * n * n + j * n + k] = 0.125
                        * (a[(i + 1) * n * n + j * n + k] - 2.0 * a[i * n * n + j * n + k]
                            + a[(i - 1) * n * n + j * n + k])
                        + 0.125
                            * (a[i * n * n + (j + 1) * n + k] - 2.0 * a[i * n * n + j * n + k]
                                + a[i * n * n + (j - 1) * n + k])
                        + a[i * n * n + j * n + k];
                }
            }
        }
        let mut sum = vec![0.0; np];
        for r in 0..nr {
            for q in 0..nq {
                for p in 0..np {
                    sum[p] = 0.0;
                    for s in 0..np {
                        sum[p] += d1[r * nq * np + q * np + s] * c4[s * np + p];
                    }
                }
                for p in 0..np {
                    d1[r * nq * np + q * np + p] = sum[p];
                }
            }
        }
        for &t in THREADS {
            let (mut b, mut d) = (b0.clone(), d0.clone());
            planes(&a, &mut b, n, &mut d, &c4, (nr, nq, np), t);
            assert_eq!((b, d), (b1.clone(), d1.clone()), "n={n} t={t}");
        }
    }
}

/// Cholesky, right-looking: the rows `i > j` read row `j`, which the loop
/// does not write.
#[parallel]
fn cholesky(a: &mut [Vec<f64>], threads: usize) {
    let n = a.len();
    for j in 0..n {
        let mut d = a[j][j];
        for k in 0..j {
            d -= a[j][k] * a[j][k];
        }
        a[j][j] = d.sqrt();
        #[parallel_for(num_threads(threads), schedule(dynamic))]
        for i in j + 1..n {
            let mut s = a[i][j];
            for k in 0..j {
                s -= a[i][k] * a[j][k];
            }
            a[i][j] = s / a[j][j];
        }
    }
}

#[test]
fn cholesky_reads_a_row_outside_the_loop() {
    for &n in SIZES {
        // A symmetric positive definite matrix: B B^T + n I.
        let b = grid(n, n, 14);
        let a0: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        (0..n).map(|k| b[i][k] * b[j][k]).sum::<f64>()
                            + if i == j { n as f64 } else { 0.0 }
                    })
                    .collect()
            })
            .collect();
        let mut want = a0.clone();
        for j in 0..n {
            let mut d = want[j][j];
            for k in 0..j {
                d -= want[j][k] * want[j][k];
            }
            want[j][j] = d.sqrt();
            for i in j + 1..n {
                let mut s = want[i][j];
                for k in 0..j {
                    s -= want[i][k] * want[j][k];
                }
                want[i][j] = s / want[j][j];
            }
        }
        for &t in THREADS {
            let mut a = a0.clone();
            cholesky(&mut a, t);
            assert_eq!(a, want, "n={n} t={t}");
        }
    }
}

/// Floyd–Warshall with the `i` loop parallel reads row `k` while row `k` is
/// one of those written: a race, which panics with its name.
#[parallel]
fn floyd(path: &mut [Vec<u32>], threads: usize) {
    let n = path.len();
    for k in 0..n {
        #[parallel_for(num_threads(threads))]
        for i in 0..n {
            for j in 0..n {
                path[i][j] = path[i][j].min(path[i][k] + path[k][j]);
            }
        }
    }
}

#[test]
fn floyd_warshall_reading_a_written_row_panics() {
    let mut path = vec![vec![1u32; 4]; 4];
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| floyd(&mut path, 2)));
    let message = caught
        .err()
        .and_then(|e| e.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(
        message.contains("reads `path[k]`")
            && message.contains("while another iteration may write it")
            && message.contains("let copy = path[k].clone();"),
        "{message}"
    );
}

/// The fix the panic names: row `k` does not change in round `k` (its
/// diagonal is 0), so a copy made before the loop reads the same values.
#[parallel]
fn floyd_copied(path: &mut [Vec<u32>], threads: usize) {
    let n = path.len();
    for k in 0..n {
        let row_k = path[k].clone();
        #[parallel_for(num_threads(threads), schedule(guided))]
        for i in 0..n {
            for j in 0..n {
                path[i][j] = path[i][j].min(path[i][k] + row_k[j]);
            }
        }
    }
}

#[test]
fn floyd_warshall_with_the_row_copied() {
    for &n in SIZES {
        let p0: Vec<Vec<u32>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        if i == j {
                            0
                        } else {
                            1 + ((i * 7 + j * 13) % 50) as u32
                        }
                    })
                    .collect()
            })
            .collect();
        let mut want = p0.clone();
        for k in 0..n {
            for i in 0..n {
                for j in 0..n {
                    want[i][j] = want[i][j].min(want[i][k] + want[k][j]);
                }
            }
        }
        for &t in THREADS {
            let mut p = p0.clone();
            floyd_copied(&mut p, t);
            assert_eq!(p, want, "n={n} t={t}");
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Body {
    x: f64,
    y: f64,
    vx: f64,
    vy: f64,
}

/// n-body forces: each iteration writes its own velocity and reads every
/// body's position, which no iteration writes.
#[parallel]
fn forces(bodies: &mut [Body], dt: f64, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(dynamic, 3))]
    for i in 0..bodies.len() {
        for j in 0..bodies.len() {
            if i != j {
                let (dx, dy) = (bodies[j].x - bodies[i].x, bodies[j].y - bodies[i].y);
                let d2 = dx * dx + dy * dy + 0.01;
                bodies[i].vx += dt * dx / d2;
                bodies[i].vy += dt * dy / d2;
            }
        }
    }
}

#[test]
fn fields_of_other_elements_that_no_iteration_writes() {
    for &n in SIZES {
        let xs = data(4 * n, 15);
        let b0: Vec<Body> = (0..n)
            .map(|i| Body {
                x: xs[4 * i],
                y: xs[4 * i + 1],
                vx: xs[4 * i + 2],
                vy: xs[4 * i + 3],
            })
            .collect();
        let mut want = b0.clone();
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let (dx, dy) = (want[j].x - want[i].x, want[j].y - want[i].y);
                    let d2 = dx * dx + dy * dy + 0.01;
                    want[i].vx += 0.1 * dx / d2;
                    want[i].vy += 0.1 * dy / d2;
                }
            }
        }
        for &t in THREADS {
            let mut b = b0.clone();
            forces(&mut b, 0.1, t);
            assert_eq!(b, want, "n={n} t={t}");
        }
    }
}

struct Field {
    v: Vec<f64>,
    scale: f64,
    count: u64,
}

#[parallel]
impl Field {
    /// Fields of `self` as arrays, and an atomic counter in a field.
    fn step(&mut self, x: &[f64], threads: usize) {
        #[parallel_for(num_threads(threads))]
        for i in 0..self.v.len() {
            self.v[i] = self.scale * x[i] + self.v[i];
            if x[i] > 0.0 {
                #[atomic]
                self.count += 1;
            }
        }
    }
}

#[parallel]
fn field_of_a_captured_struct(s: &mut Field, threads: usize) {
    #[parallel_for(num_threads(threads), schedule(guided))]
    for i in 0..s.v.len() {
        s.v[i] *= s.scale;
    }
}

#[test]
fn fields_as_arrays_and_atomic_fields() {
    for &n in SIZES {
        let x = data(n, 16);
        let v0 = data(n, 17);
        let want_v: Vec<f64> = (0..n).map(|i| (2.0 * x[i] + v0[i]) * 2.0).collect();
        let want_count = x.iter().filter(|&&v| v > 0.0).count() as u64;
        for &t in THREADS {
            let mut f = Field {
                v: v0.clone(),
                scale: 2.0,
                count: 5,
            };
            f.step(&x, t);
            field_of_a_captured_struct(&mut f, t);
            assert_eq!(
                (f.v, f.count),
                (want_v.clone(), 5 + want_count),
                "n={n} t={t}"
            );
        }
    }
}

/// Methods on the iteration's own element, in every loop form.
#[parallel]
fn buckets(x: &[u32], threads: usize) -> [Vec<Vec<u32>>; 3] {
    let k = 4;
    let mut a = vec![Vec::new(); k];
    #[parallel_for(num_threads(threads))]
    for b in 0..k {
        for &v in x {
            if v as usize % k == b {
                a[b].push(v);
            }
        }
    }
    let mut c = vec![Vec::new(); k];
    #[parallel_for(num_threads(threads))]
    for (b, part) in c.iter_mut().enumerate() {
        part.extend(x.iter().filter(|&&v| v as usize % k == b));
    }
    let mut d = vec![Vec::new(); k];
    let idx: Vec<usize> = (0..k).collect();
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for (b, _) in idx.iter().enumerate() {
        for &v in x {
            if v as usize % k == b {
                d[b].push(v);
            }
        }
    }
    [a, c, d]
}

#[test]
fn methods_on_the_iterations_own_element() {
    let x: Vec<u32> = (0..50).map(|v| v * 7 % 23).collect();
    let want: Vec<Vec<u32>> = (0..4)
        .map(|b| x.iter().copied().filter(|&v| v as usize % 4 == b).collect())
        .collect();
    for &t in THREADS {
        let [a, c, d] = buckets(&x, t);
        assert_eq!((&a, &c, &d), (&want, &want, &want), "t={t}");
    }
}

/// Nested parallel loops: the inner loop writes the outer loop's row.
#[parallel]
fn nested(n: usize, m: usize, threads: usize) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut g = vec![vec![0; m]; n];
    let mut c = vec![0; n * m];
    #[parallel_for(num_threads(threads))]
    for i in 0..n {
        #[parallel_for(num_threads(threads))]
        for j in 0..m {
            g[i][j] = i * 100 + j;
        }
    }
    #[parallel_for(num_threads(threads))]
    for i in 0..n {
        #[parallel_for(num_threads(threads))]
        for j in 0..m {
            c[i * m + j] = i * 100 + j;
        }
    }
    (g, c)
}

#[test]
fn nested_loops_write_the_outer_row() {
    for &n in &[0, 1, 5] {
        for &m in &[0, 1, 17] {
            let g: Vec<Vec<usize>> = (0..n)
                .map(|i| (0..m).map(|j| i * 100 + j).collect())
                .collect();
            let c: Vec<usize> = g.concat();
            for &t in &[1, 2, 3] {
                assert_eq!(nested(n, m, t), (g.clone(), c.clone()), "n={n} m={m} t={t}");
            }
        }
    }
}

/// covariance with the rewrite its message names: the upper triangle in
/// the parallel loop, mirrored after it in a plain loop, against the C's
/// single loop that mirrors as it goes.
#[parallel]
fn covariance(cov: &mut [Vec<f64>], data: &[Vec<f64>], threads: usize) {
    let m = cov.len();
    #[parallel_for(num_threads(threads), schedule(dynamic))]
    for i in 0..m {
        for j in i..m {
            cov[i][j] = 0.0;
            for k in 0..data.len() {
                cov[i][j] += data[k][i] * data[k][j];
            }
        }
    }
    for i in 0..m {
        for j in i..m {
            cov[j][i] = cov[i][j];
        }
    }
}

#[test]
fn covariance_mirrored_after_the_loop() {
    for &m in SIZES {
        for rows in [0, 1, 4, 9] {
            let data = grid(rows, m, 14);
            let mut want = vec![vec![0.0; m]; m];
            for i in 0..m {
                for j in i..m {
                    want[i][j] = 0.0;
                    for k in 0..rows {
                        want[i][j] += data[k][i] * data[k][j];
                    }
                    want[j][i] = want[i][j];
                }
            }
            for &t in THREADS {
                let mut cov = vec![vec![0.0; m]; m];
                covariance(&mut cov, &data, t);
                assert_eq!(cov, want, "m={m} rows={rows} t={t}");
            }
        }
    }
}

/// Flat rows the loop does not change, as the C writes them: `r[k * n + j]`
/// (gramschmidt), `b[i * n + j]` over the columns `j` with reads of the
/// column `b[k * n + j]` (trmm), `n * i + j` the other way round, and
/// `v[i]` beside the columns `v[j * n + i]` (adi's row 0).
#[parallel]
fn fixed_rows(
    a: &mut [f64],
    r: &mut [f64],
    b: &mut [f64],
    v: &mut [f64],
    n: usize,
    threads: usize,
) {
    for k in 0..n {
        #[parallel_for(num_threads(threads), schedule(dynamic, 2))]
        for j in k + 1..n {
            r[k * n + j] = 0.0;
            for i in 0..n {
                r[k * n + j] += a[i * n + k] * a[i * n + j];
            }
            r[k * n + j] = r[k * n + j] / (1.0 + r[k * n + k].abs());
        }
    }
    for i in 0..n {
        #[parallel_for(num_threads(threads))]
        for j in 0..n {
            for k in i + 1..n {
                b[i * n + j] += a[k * n + i] * b[k * n + j];
            }
            b[n * i + j] = 0.5 * b[n * i + j];
        }
    }
    #[parallel_for(num_threads(threads), schedule(guided))]
    for i in 0..n {
        v[i] = 1.0;
        for j in 1..n {
            v[j * n + i] = v[(j - 1) * n + i] + a[j * n + i];
        }
    }
}

#[test]
fn fixed_rows_of_flat_arrays() {
    for &n in SIZES {
        let a = data(n * n, 15);
        let (r0, b0, v0) = (data(n * n, 16), data(n * n, 17), data(n * n, 18));
        let (mut r, mut b, mut v) = (r0.clone(), b0.clone(), v0.clone());
        for k in 0..n {
            for j in k + 1..n {
                r[k * n + j] = 0.0;
                for i in 0..n {
                    r[k * n + j] += a[i * n + k] * a[i * n + j];
                }
                r[k * n + j] = r[k * n + j] / (1.0 + r[k * n + k].abs());
            }
        }
        for i in 0..n {
            for j in 0..n {
                for k in i + 1..n {
                    b[i * n + j] += a[k * n + i] * b[k * n + j];
                }
                b[n * i + j] = 0.5 * b[n * i + j];
            }
        }
        for i in 0..n {
            v[i] = 1.0;
            for j in 1..n {
                v[j * n + i] = v[(j - 1) * n + i] + a[j * n + i];
            }
        }
        for &t in THREADS {
            let (mut gr, mut gb, mut gv) = (r0.clone(), b0.clone(), v0.clone());
            let mut ga = a.clone();
            fixed_rows(&mut ga, &mut gr, &mut gb, &mut gv, n, t);
            assert_eq!(
                (gr, gb, gv),
                (r.clone(), b.clone(), v.clone()),
                "n={n} t={t}"
            );
        }
    }
}

/// Columns past the row length: a clear panic before the loop runs.
#[parallel]
fn past_the_row(r: &mut [f64], k: usize, n: usize, m: usize) {
    #[parallel_for]
    for j in 0..m {
        r[k * n + j] = 1.0;
    }
}

#[test]
fn columns_past_the_row_length_panic_first() {
    let mut r = vec![0.0; 12];
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        past_the_row(&mut r, 1, 3, 5)
    }));
    let message = caught
        .err()
        .and_then(|e| e.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(
        message.contains("`r[k * n + j]` is written as column 4 of rows of `n` = 3"),
        "{message}"
    );
    assert_eq!(r, vec![0.0; 12], "nothing written");
    past_the_row(&mut r, 1, 3, 3);
    assert_eq!(r[3..6], [1.0; 3]);
}

/// doitgen as its OpenMP ports write it: `private(sum)` of a scratch
/// slice passed in (each thread gets its own copy of its elements).
#[parallel]
fn doitgen_scratch(
    a: &mut [f64],
    c4: &[f64],
    sum: &mut [f64],
    nr: usize,
    np: usize,
    threads: usize,
) {
    #[parallel_for(num_threads(threads), schedule(dynamic), private(sum))]
    for r in 0..nr {
        for p in 0..np {
            sum[p] = 0.0;
            for s in 0..np {
                sum[p] += a[r * np + s] * c4[s * np + p];
            }
        }
        for p in 0..np {
            a[r * np + p] = sum[p];
        }
    }
}

#[test]
fn private_scratch_slice() {
    for &nr in SIZES {
        let np = nr % 5 + 1;
        let a0 = data(nr * np, 19);
        let c4 = data(np * np, 20);
        let mut want = a0.clone();
        let mut s = vec![0.0; np];
        for r in 0..nr {
            for p in 0..np {
                s[p] = 0.0;
                for q in 0..np {
                    s[p] += want[r * np + q] * c4[q * np + p];
                }
            }
            for p in 0..np {
                want[r * np + p] = s[p];
            }
        }
        for &t in THREADS {
            let (mut a, mut sum) = (a0.clone(), vec![7.0; np]);
            doitgen_scratch(&mut a, &c4, &mut sum, nr, np, t);
            assert_eq!(a, want, "nr={nr} t={t}");
            assert_eq!(sum, vec![7.0; np], "the variable itself is untouched");
        }
    }
}

/// A type of the user's own read at a multi-dimensional index, `m[[i, j]]`
/// (as ndarray arrays are read): the chunk reads it as written.
struct Matrix {
    cols: usize,
    data: Vec<f64>,
}

impl std::ops::Index<[usize; 2]> for Matrix {
    type Output = f64;
    fn index(&self, [i, j]: [usize; 2]) -> &f64 {
        &self.data[i * self.cols + j]
    }
}

#[parallel]
fn row_sums_of(m: &Matrix, out: &mut [f64], threads: usize) {
    let cols = m.cols;
    #[parallel_for(num_threads(threads))]
    for i in 0..out.len() {
        for j in 0..cols {
            out[i] += m[[i, j]];
        }
    }
}

#[test]
fn a_users_type_read_at_multi_dimensional_indices() {
    for &n in SIZES {
        let m = Matrix {
            cols: 3,
            data: data(n * 3, 5),
        };
        let want: Vec<f64> = (0..n)
            .map(|i| m.data[i * 3..i * 3 + 3].iter().sum())
            .collect();
        for &t in THREADS {
            let mut out = vec![0.0; n];
            row_sums_of(&m, &mut out, t);
            assert_eq!(out, want, "n={n} t={t}");
        }
    }
}
