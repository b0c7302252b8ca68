/* The kernels of benches/contention.rs in C with OpenMP (libgomp): the
 * plain loop and `parallel for` on the default team (OMP_NUM_THREADS), run
 * in turns, each `runs` times. benches/contention.rs builds this file,
 * starts its competing busy processes, and runs it beside its own kernels
 * under the same load.
 *
 * Build (benches/contention.rs does this):
 *
 *     gcc -O3 -march=native -ffp-contract=off -fopenmp \
 *         -o target/c-bench/contention benches/c/contention.c -lm
 *
 * Run: target/c-bench/contention [--quick]. Prints, per kernel, one line
 * `kernel median_seq_s median_par_s median_ratio max_ratio`, where each
 * ratio is par/seq of one pair of runs. Exit status 1 if a parallel result
 * differs from the sequential one. */

#include <math.h>
#include <omp.h>

#include "common.h"

/* Results land here so the compiler cannot drop the calls. */
static volatile double sink;
static int failures;

/* ---- jacobi-1d: `sweeps` short loops over n cells ---- */

static void jacobi_seq(long n, double *a, double *b, int sweeps) {
    for (int s = 0; s < sweeps; s += 2) {
        for (long i = 1; i < n - 1; i++) b[i] = (a[i - 1] + a[i] + a[i + 1]) * (1.0 / 3.0);
        for (long i = 1; i < n - 1; i++) a[i] = (b[i - 1] + b[i] + b[i + 1]) * (1.0 / 3.0);
    }
}

static void jacobi_omp(long n, double *a, double *b, int sweeps) {
    for (int s = 0; s < sweeps; s += 2) {
#pragma omp parallel for
        for (long i = 1; i < n - 1; i++) b[i] = (a[i - 1] + a[i] + a[i + 1]) * (1.0 / 3.0);
#pragma omp parallel for
        for (long i = 1; i < n - 1; i++) a[i] = (b[i - 1] + b[i] + b[i + 1]) * (1.0 / 3.0);
    }
}

/* ---- axpy: `loops` loops of n multiply-adds ---- */

static void axpy_seq(long n, const double *x, double *y, int loops) {
    for (int l = 0; l < loops; l++)
        for (long i = 0; i < n; i++) y[i] = 0.5 * y[i] + x[i];
}

static void axpy_omp(long n, const double *x, double *y, int loops) {
    for (int l = 0; l < loops; l++) {
#pragma omp parallel for
        for (long i = 0; i < n; i++) y[i] = 0.5 * y[i] + x[i];
    }
}

/* ---- one reduction ---- */

static double sum_seq(long n, const double *x) {
    double s = 0.0;
    for (long i = 0; i < n; i++) s += x[i];
    return s;
}

static double sum_omp(long n, const double *x) {
    double s = 0.0;
#pragma omp parallel for reduction(+ : s)
    for (long i = 0; i < n; i++) s += x[i];
    return s;
}

/* ---- timing ---- */

struct result {
    double seq, par, ratio, worst;
};

static void report(const char *name, double *seq, double *par, int runs) {
    double ratio[64];
    double worst = 0.0;
    for (int r = 0; r < runs; r++) {
        ratio[r] = par[r] / seq[r];
        if (ratio[r] > worst) worst = ratio[r];
    }
    printf("%s %.9f %.9f %.4f %.4f\n", name, median(seq, runs), median(par, runs),
           median(ratio, runs), worst);
    fflush(stdout);
}

static void fill(double *x, long n, double scale) {
    for (long i = 0; i < n; i++) x[i] = (double)((i * 7919) % 1000) * scale;
}

int main(int argc, char **argv) {
    int q = quick_mode(argc, argv);
    int runs = q ? 3 : 11;
    long jn = q ? 4096 : 20000, an = 4096, sn = q ? 1L << 20 : 1L << 24;
    int sweeps = q ? 100 : 1000, loops = q ? 1000 : 20000;
    double seq[64], par[64];

    /* jacobi-1d */
    double *a0 = xmalloc(jn * sizeof *a0), *b0 = xmalloc(jn * sizeof *b0);
    double *a1 = xmalloc(jn * sizeof *a1), *b1 = xmalloc(jn * sizeof *b1);
    for (int r = 0; r < runs; r++) {
        fill(a0, jn, 1e-3), fill(b0, jn, 1e-3), fill(a1, jn, 1e-3), fill(b1, jn, 1e-3);
        double t0 = omp_get_wtime();
        jacobi_seq(jn, a0, b0, sweeps);
        double t1 = omp_get_wtime();
        jacobi_omp(jn, a1, b1, sweeps);
        double t2 = omp_get_wtime();
        seq[r] = t1 - t0, par[r] = t2 - t1;
        if (memcmp(a0, a1, jn * sizeof *a0) != 0) failures++;
    }
    report("jacobi", seq, par, runs);

    /* axpy */
    double *x = xmalloc(an * sizeof *x), *y0 = xmalloc(an * sizeof *y0), *y1 = xmalloc(an * sizeof *y1);
    fill(x, an, 1e-3);
    for (int r = 0; r < runs; r++) {
        fill(y0, an, 1e-3), fill(y1, an, 1e-3);
        double t0 = omp_get_wtime();
        axpy_seq(an, x, y0, loops);
        double t1 = omp_get_wtime();
        axpy_omp(an, x, y1, loops);
        double t2 = omp_get_wtime();
        seq[r] = t1 - t0, par[r] = t2 - t1;
        if (memcmp(y0, y1, an * sizeof *y0) != 0) failures++;
    }
    report("axpy", seq, par, runs);

    /* one reduction */
    double *s = xmalloc(sn * sizeof *s);
    fill(s, sn, 1e-3);
    double abs = sum_seq(sn, s);
    for (int r = 0; r < runs; r++) {
        double t0 = omp_get_wtime();
        double v0 = sum_seq(sn, s);
        double t1 = omp_get_wtime();
        double v1 = sum_omp(sn, s);
        double t2 = omp_get_wtime();
        seq[r] = t1 - t0, par[r] = t2 - t1;
        sink = v0 + v1;
        if (fabs(v0 - v1) > 2.0 * (double)sn * 2.220446049250313e-16 * abs) failures++;
    }
    report("sum", seq, par, runs);
    if (failures) fprintf(stderr, "contention.c: %d parallel results differ\n", failures);
    return failures != 0;
}
