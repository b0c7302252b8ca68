/* The construct overheads of benches/overhead.rs with libgomp, in the
 * manner of the EPCC OpenMP micro-benchmarks (syncbench, schedbench): the
 * time of a construct whose iterations each spin in delay() for DELAY_US,
 * minus the time of the same delays run sequentially (the reference), in
 * microseconds per construct. Same rows, same method, same CSV columns as
 * the Rust side: see benches/overhead.rs. Results go to stdout and to
 * overhead-c.csv in $PARALLEL_BENCH_RESULTS (default target/bench-results).
 *
 * Build (benches/compare.sh does this; why these flags: benches/c/kernels.c):
 *
 *     gcc -O3 -march=native -ffp-contract=off -fopenmp \
 *         -o target/c-bench/overhead benches/c/overhead.c
 *
 * Run: target/c-bench/overhead [--quick]  (or PARALLEL_BENCH_QUICK=1):
 * fewer and shorter runs, for smoke tests. */

#include <math.h>
#include <omp.h>

#include "common.h"

#define THREADS 2
#define ITERS_PER_THREAD 1024
#define DELAY_US 0.05
#define INLINE_ITERS 8
/* The Rust runtime's inline threshold: loops shorter than this run on the
 * caller. The C row spells it as an if() clause. */
#define INLINE_BELOW 16
#define MAX_OUTER 50

static const int CHUNKS[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
#define NCHUNKS (int)(sizeof CHUNKS / sizeof CHUNKS[0])

static int delay_length;
static int outer_reps;
static double target_us;
static int failures;
static FILE *csv;

/* EPCC's delay(): a chain of float adds the compiler can neither remove nor
 * vectorize (no -ffast-math). */
__attribute__((noinline)) static void delay(int len) {
    float a = 0.0f;
    for (int i = 0; i < len; i++) a += (float)i;
    if (a < 0.0f) printf("%f\n", a);
}

/* EPCC's getdelaylengthfromtime, after a warm-up that lets the core reach
 * its clock speed. */
static int calibrate(double us) {
    double warm = omp_get_wtime();
    while (omp_get_wtime() - warm < 0.05) delay(1000);
    int reps = 10000, len = 0;
    double per_delay = 0.0;
    while (per_delay < us) {
        len = len + len / 10 + 1;
        /* The least of 3 trials: a trial slowed down by another process
         * would stop the search early, at too short a delay. */
        per_delay = INFINITY;
        for (int trial = 0; trial < 3; trial++) {
            double start = omp_get_wtime();
            for (int i = 0; i < reps; i++) delay(len);
            double t = (omp_get_wtime() - start) * 1e6 / reps;
            if (t < per_delay) per_delay = t;
        }
    }
    return len;
}

/* ---- the constructs; `n` iterations, `chunk` where the schedule takes one ---- */

static void reference(int n, int chunk) {
    (void)chunk;
    for (int i = 0; i < n; i++) delay(delay_length);
}

static void pfor(int n, int chunk) {
    (void)chunk;
#pragma omp parallel for num_threads(THREADS)
    for (int i = 0; i < n; i++) delay(delay_length);
}

static void preduction(int n, int chunk) {
    (void)chunk;
    int x = 0;
#pragma omp parallel for num_threads(THREADS) reduction(+ : x)
    for (int i = 0; i < n; i++) {
        delay(delay_length);
        x += 1;
    }
    if (x != n) {
        fprintf(stderr, "reduction: counted %d iterations, not %d\n", x, n);
        failures++;
    }
}

static void pstatic(int n, int chunk) {
    (void)chunk;
#pragma omp parallel for num_threads(THREADS) schedule(static)
    for (int i = 0; i < n; i++) delay(delay_length);
}

static void pstatic_chunk(int n, int chunk) {
#pragma omp parallel for num_threads(THREADS) schedule(static, chunk)
    for (int i = 0; i < n; i++) delay(delay_length);
}

static void pdynamic(int n, int chunk) {
#pragma omp parallel for num_threads(THREADS) schedule(dynamic, chunk)
    for (int i = 0; i < n; i++) delay(delay_length);
}

static void pguided(int n, int chunk) {
#pragma omp parallel for num_threads(THREADS) schedule(guided, chunk)
    for (int i = 0; i < n; i++) delay(delay_length);
}

/* No num_threads, and an if() that is false below the threshold: libgomp
 * runs a team of one, the nearest C has to running inline. */
static void pinline(int n, int chunk) {
    (void)chunk;
#pragma omp parallel for if (n >= INLINE_BELOW)
    for (int i = 0; i < n; i++) delay(delay_length);
}

/* ---- EPCC's measurement ---- */

typedef void (*construct)(int n, int chunk);

static double run(construct f, int n, int chunk, long inner) {
    double start = omp_get_wtime();
    for (long r = 0; r < inner; r++) f(n, chunk);
    return (omp_get_wtime() - start) * 1e6;
}

/* Median and least time per construct, in microseconds. */
static void measure(construct f, int n, int chunk, double *med, double *min) {
    long inner = 1;
    while (run(f, n, chunk, inner) < target_us) inner *= 2; /* EPCC's getinnerreps */
    double times[MAX_OUTER + 1];
    for (int k = 0; k <= outer_reps; k++) times[k] = run(f, n, chunk, inner) / (double)inner;
    *med = median(times + 1, outer_reps); /* the first is dropped */
    *min = times[1];
}

/* The median time of k delays in a row, measured next to each row (as on
 * the Rust side) so that a slow spell of a shared machine skews both or
 * neither. */
static double reference_us(int k) {
    double med, min;
    measure(reference, k, 0, &med, &min);
    return med;
}

static void row(const char *name, int chunk, int threads, int iters_per_thread, construct f, int n) {
    double ref = reference_us(iters_per_thread), med, min;
    measure(f, n, chunk, &med, &min);
    char c[16] = "-";
    if (chunk > 0) snprintf(c, sizeof c, "%d", chunk);
    printf("%-14s %6s %12d %10.2f %13.2f\n", name, c, iters_per_thread, ref, med - ref);
    fflush(stdout);
    fprintf(csv, "openmp,%s,%s,%d,%d,%g,%d,%.4f,%.4f,%.4f,%.4f\n", name, chunk > 0 ? c : "", threads,
            iters_per_thread, DELAY_US, delay_length, ref, med, min, med - ref);
}

int main(int argc, char **argv) {
    int quick = quick_mode(argc, argv);
    outer_reps = quick ? 5 : MAX_OUTER;
    target_us = quick ? 200.0 : 1000.0;
    delay_length = calibrate(DELAY_US);
    char path[4200];
    csv = open_results("overhead-c.csv", path, sizeof path);
    fprintf(csv, "impl,construct,chunk,threads,iters_per_thread,delay_us,delay_length,reference_us,median_us,min_us,overhead_us\n");

    printf("EPCC-style overheads, libgomp: team of %d, delay %g us (length %d), median of %d runs of >= %g us\n",
           THREADS, DELAY_US, delay_length, outer_reps, target_us);
    printf("overhead = time per construct - the same delays run sequentially, us per construct\n\n");
    printf("%-14s %6s %12s %10s %13s\n", "construct", "chunk", "iters/thread", "reference", "openmp");

    /* Start the team once, so that the first row does not pay for it. */
    pfor(THREADS, 0);

    row("parallel_for", 0, THREADS, 1, pfor, THREADS);
    row("parallel_for", 0, THREADS, ITERS_PER_THREAD, pfor, THREADS * ITERS_PER_THREAD);
    row("reduction", 0, THREADS, 1, preduction, THREADS);
    row("reduction", 0, THREADS, ITERS_PER_THREAD, preduction, THREADS * ITERS_PER_THREAD);
    int n = THREADS * ITERS_PER_THREAD;
    row("static", 0, THREADS, ITERS_PER_THREAD, pstatic, n);
    for (int i = 0; i < NCHUNKS; i++) row("static_chunk", CHUNKS[i], THREADS, ITERS_PER_THREAD, pstatic_chunk, n);
    for (int i = 0; i < NCHUNKS; i++) row("dynamic", CHUNKS[i], THREADS, ITERS_PER_THREAD, pdynamic, n);
    for (int i = 0; i < NCHUNKS; i++) row("guided", CHUNKS[i], THREADS, ITERS_PER_THREAD, pguided, n);
    /* Against the plain loop of all 8 iterations, as on the Rust side. */
    row("inline", 0, 1, INLINE_ITERS, pinline, INLINE_ITERS);

    fclose(csv);
    printf("\nwrote %s\n", path);
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
