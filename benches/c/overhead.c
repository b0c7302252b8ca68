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
/* Iterations, in all, of the trivial parallel for row. */
#define TRIVIAL_ITERS 1024
/* The Rust runtime's inline threshold: loops shorter than this run on the
 * caller. The C row spells it as an if() clause. */
#define INLINE_BELOW 16
#define MAX_OUTER 100
/* Tasks of the taskgroup row. */
#define GROUP_TASKS 1000

static const int CHUNKS[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
#define NCHUNKS (int)(sizeof CHUNKS / sizeof CHUNKS[0])

static int delay_length;
/* The delay length of the row being measured: delay_length, or 0 for the
 * trivial row (delay(0) returns at once). */
static int body_length;
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
    for (int i = 0; i < n; i++) delay(body_length);
}

static void pfor(int n, int chunk) {
    (void)chunk;
#pragma omp parallel for num_threads(THREADS)
    for (int i = 0; i < n; i++) delay(body_length);
}

static void preduction(int n, int chunk) {
    (void)chunk;
    int x = 0;
#pragma omp parallel for num_threads(THREADS) reduction(+ : x)
    for (int i = 0; i < n; i++) {
        delay(body_length);
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
    for (int i = 0; i < n; i++) delay(body_length);
}

static void pstatic_chunk(int n, int chunk) {
#pragma omp parallel for num_threads(THREADS) schedule(static, chunk)
    for (int i = 0; i < n; i++) delay(body_length);
}

static void pdynamic(int n, int chunk) {
#pragma omp parallel for num_threads(THREADS) schedule(dynamic, chunk)
    for (int i = 0; i < n; i++) delay(body_length);
}

static void pguided(int n, int chunk) {
#pragma omp parallel for num_threads(THREADS) schedule(guided, chunk)
    for (int i = 0; i < n; i++) delay(body_length);
}

/* No num_threads, and an if() that is false below the threshold: libgomp
 * runs a team of one, the nearest C has to running inline. */
static void pinline(int n, int chunk) {
    (void)chunk;
#pragma omp parallel for if (n >= INLINE_BELOW)
    for (int i = 0; i < n; i++) delay(body_length);
}

/* Tasks need a parallel region: each construct opens one, as a top-level
 * #[taskgroup] reserves its team. A task and its wait. */
static void ptask_wait(int n, int chunk) {
    (void)n;
    (void)chunk;
#pragma omp parallel num_threads(THREADS)
#pragma omp single
    {
#pragma omp task
        delay(body_length);
#pragma omp taskwait
    }
}

/* A group of n tasks, spawned in a loop by one thread. */
static void ptaskgroup(int n, int chunk) {
    (void)chunk;
#pragma omp parallel num_threads(THREADS)
#pragma omp single
#pragma omp taskgroup
    for (int i = 0; i < n; i++) {
#pragma omp task
        delay(body_length);
    }
}

/* Two sections. */
static void psections(int n, int chunk) {
    (void)n;
    (void)chunk;
#pragma omp parallel sections num_threads(THREADS)
    {
#pragma omp section
        delay(body_length);
#pragma omp section
        delay(body_length);
    }
}

/* ---- EPCC's measurement ---- */

typedef void (*construct)(int n, int chunk);

static double run(construct f, int n, int chunk, long inner) {
    double start = omp_get_wtime();
    for (long r = 0; r < inner; r++) f(n, chunk);
    return (omp_get_wtime() - start) * 1e6;
}

/* EPCC's getinnerreps: the calls, doubled from 1, that take the target time. */
static long inner_reps(construct f, int n, int chunk) {
    long inner = 1;
    while (run(f, n, chunk, inner) < target_us) inner *= 2;
    return inner;
}

/* One row's times, in microseconds per construct. */
typedef struct {
    double ref;      /* the reference's median */
    double med, min; /* the construct's median and least time */
    double overhead; /* the median of the differences construct - reference */
} timing;

/* Times the construct against k delays in a row, one measurement of each in
 * turn (as on the Rust side, see benches/overhead.rs): a slow spell of a
 * shared machine lands on both sides of each difference. */
static timing measure(int k, construct f, int n, int chunk) {
    long ri = inner_reps(reference, k, 0), ci = inner_reps(f, n, chunk);
    double refs[MAX_OUTER + 1], times[MAX_OUTER + 1], diffs[MAX_OUTER + 1];
    for (int j = 0; j <= outer_reps; j++) {
        refs[j] = run(reference, k, 0, ri) / (double)ri;
        times[j] = run(f, n, chunk, ci) / (double)ci;
        diffs[j] = times[j] - refs[j];
    }
    timing t; /* the first measurement of each is dropped */
    t.ref = median(refs + 1, outer_reps);
    t.med = median(times + 1, outer_reps);
    t.min = times[1]; /* sorted by median() */
    t.overhead = median(diffs + 1, outer_reps);
    return t;
}

static void row(const char *name, int chunk, int threads, int iters_per_thread, construct f, int n, int trivial) {
    body_length = trivial ? 0 : delay_length;
    timing t = measure(iters_per_thread, f, n, chunk);
    char c[16] = "-";
    if (chunk > 0) snprintf(c, sizeof c, "%d", chunk);
    printf("%-14s %6s %12d %10.2f %13.2f\n", name, c, iters_per_thread, t.ref, t.overhead);
    fflush(stdout);
    fprintf(csv, "openmp,%s,%s,%d,%d,%g,%d,%.4f,%.4f,%.4f,%.4f\n", name, chunk > 0 ? c : "", threads,
            iters_per_thread, trivial ? 0.0 : DELAY_US, body_length, t.ref, t.med, t.min, t.overhead);
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
    printf("overhead = median of (time per construct - the same delays run sequentially), us per construct\n\n");
    printf("%-14s %6s %12s %10s %13s\n", "construct", "chunk", "iters/thread", "reference", "openmp");

    /* Start the team once, so that the first row does not pay for it. */
    body_length = delay_length;
    pfor(THREADS, 0);

    row("parallel_for", 0, THREADS, 1, pfor, THREADS, 0);
    row("parallel_for", 0, THREADS, ITERS_PER_THREAD, pfor, THREADS * ITERS_PER_THREAD, 0);
    /* 1024 iterations that do next to nothing: what a short loop pays. */
    row("trivial_for", 0, THREADS, TRIVIAL_ITERS / THREADS, pfor, TRIVIAL_ITERS, 1);
    row("reduction", 0, THREADS, 1, preduction, THREADS, 0);
    row("reduction", 0, THREADS, ITERS_PER_THREAD, preduction, THREADS * ITERS_PER_THREAD, 0);
    int n = THREADS * ITERS_PER_THREAD;
    row("static", 0, THREADS, ITERS_PER_THREAD, pstatic, n, 0);
    for (int i = 0; i < NCHUNKS; i++) row("static_chunk", CHUNKS[i], THREADS, ITERS_PER_THREAD, pstatic_chunk, n, 0);
    for (int i = 0; i < NCHUNKS; i++) row("dynamic", CHUNKS[i], THREADS, ITERS_PER_THREAD, pdynamic, n, 0);
    for (int i = 0; i < NCHUNKS; i++) row("guided", CHUNKS[i], THREADS, ITERS_PER_THREAD, pguided, n, 0);
    /* Tasks (EPCC's taskbench): a task and its wait, a group of 1000, two sections. */
    row("task_wait", 0, THREADS, 1, ptask_wait, 1, 0);
    row("taskgroup", 0, THREADS, GROUP_TASKS / THREADS, ptaskgroup, GROUP_TASKS, 0);
    row("sections", 0, THREADS, 1, psections, 2, 0);
    /* Against the plain loop of all 8 iterations, as on the Rust side. */
    row("inline", 0, 1, INLINE_ITERS, pinline, INLINE_ITERS, 0);

    fclose(csv);
    printf("\nwrote %s\n", path);
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
