/* The PolyBench/C 4.2.1 kernels of the Rust crate polybench/, in C with
 * OpenMP (libgomp): for each kernel the plain loops and `parallel for` on
 * 1 and 2 threads, on PolyBench's MEDIUM_DATASET sizes (--quick: MINI) and
 * PolyBench's init_array data, as polybench/benches/polybench.rs does for
 * the Rust versions. The kernels are in polybench_kernels.inc.
 *
 * Each version runs once, untimed, and its live-out arrays are checked
 * against the plain loops' (bit for bit; within a sum's rounding for the
 * array reductions of atax and bicg). Then the versions are timed in turns
 * (a run of each, then the next turn): the inputs are copied into the
 * working arrays (untimed), the kernel runs, and each time is the median of
 * up to MAX_REPS runs. The checksum, the sum of the plain
 * loops' live-out arrays, is printed so that the Rust side's can be
 * compared with it (same data, same arithmetic: the same bits). Results go
 * to stdout and to polybench-c.csv in $PARALLEL_BENCH_RESULTS (default
 * target/bench-results).
 *
 * Build (benches/compare.sh polybench does this; the flags and their
 * reasons are those of benches/c/kernels.c):
 *
 *     gcc -O3 -march=native -ffp-contract=off -fopenmp \
 *         -o target/c-bench/polybench benches/c/polybench.c -lm
 *
 * Run: target/c-bench/polybench [--quick] */

#include <math.h>
#include <omp.h>

#include "common.h"

#define PRAGMA(x) _Pragma(#x)

#define KERNEL(name) name##_seq
#define PARALLEL_FOR(...)
#include "polybench_kernels.inc"
#undef KERNEL
#undef PARALLEL_FOR

#define KERNEL(name) name##_omp
#define PARALLEL_FOR(...) PRAGMA(omp parallel for num_threads(t) __VA_ARGS__)
#include "polybench_kernels.inc"
#undef KERNEL
#undef PARALLEL_FOR

#define MAX_REPS 11
#define MIN_REPS 5
/* Stop after MIN_REPS turns once a kernel's versions have run this long, in
 * seconds. */
#define BUDGET 3.0

static const int THREADS[2] = {1, 2};

static int quick;
static FILE *csv;
static int failures;

/* ---- a kernel's arrays ---- */

enum kind { F64, F32, I32 };

struct array {
    void *work;       /* what the kernel reads and writes */
    const void *init; /* its contents before each run */
    size_t len;
    enum kind kind;
    int live_out;     /* part of the result (checked, summed) */
};

#define MAX_ARRAYS 12

/* A kernel: its arrays, sizes and scalars, and how to run it. */
struct bench {
    const char *name;
    char size[64];
    struct array a[MAX_ARRAYS];
    int count;
    int p[6];          /* sizes, in the order of the C's parameters */
    double alpha, beta;
    int rounding_terms; /* 0: bit for bit; else a sum of that many terms */
    void (*run)(struct bench *b, int t); /* t = 0: the plain loops */
};

static size_t elem_size(enum kind k) { return k == F64 ? sizeof(double) : k == F32 ? sizeof(float) : sizeof(int); }

/* Adds an array with the given initial contents (taken over), returns its
 * working copy. */
static void *add(struct bench *b, void *init, size_t len, enum kind kind, int live_out) {
    struct array *a = &b->a[b->count++];
    a->init = init;
    a->len = len;
    a->kind = kind;
    a->live_out = live_out;
    a->work = xmalloc(len * elem_size(kind) + 1);
    return a->work;
}

#define D(k) ((double *)b->a[k].work)

static void reset(struct bench *b) {
    for (int k = 0; k < b->count; k++) memcpy(b->a[k].work, b->a[k].init, b->a[k].len * elem_size(b->a[k].kind));
}

static double value(const struct array *a, size_t i) {
    switch (a->kind) {
    case F64: return ((const double *)a->work)[i];
    case F32: return ((const float *)a->work)[i];
    default: return ((const int *)a->work)[i];
    }
}

static double checksum(const struct bench *b) {
    double s = 0.0;
    for (int k = 0; k < b->count; k++)
        if (b->a[k].live_out)
            for (size_t i = 0; i < b->a[k].len; i++) s += value(&b->a[k], i);
    return s;
}

/* The live-out arrays, copied. */
static void **snapshot(const struct bench *b) {
    void **s = xmalloc(MAX_ARRAYS * sizeof *s);
    for (int k = 0; k < b->count; k++) {
        size_t bytes = b->a[k].len * elem_size(b->a[k].kind);
        s[k] = xmalloc(bytes + 1);
        memcpy(s[k], b->a[k].work, bytes);
    }
    return s;
}

static void check(const struct bench *b, void **want, int t) {
    for (int k = 0; k < b->count; k++) {
        const struct array *a = &b->a[k];
        if (!a->live_out) continue;
        if (b->rounding_terms == 0) {
            if (memcmp(a->work, want[k], a->len * elem_size(a->kind)) != 0) {
                fprintf(stderr, "%s: openmp/%d differs from the plain loops (array %d)\n", b->name, t, k);
                failures++;
            }
            continue;
        }
        const double *w = want[k], *g = a->work;
        double scale = 0.0;
        for (size_t i = 0; i < a->len; i++) scale = fmax(scale, fabs(w[i]));
        double tol = 1e-13 * (b->rounding_terms + 1.0) * (1.0 + scale);
        for (size_t i = 0; i < a->len; i++)
            if (!(fabs(g[i] - w[i]) <= tol)) {
                fprintf(stderr, "%s: openmp/%d gives %.17g at %zu, the plain loops %.17g\n", b->name, t, g[i], i, w[i]);
                failures++;
                break;
            }
    }
}

/* The versions: the plain loops (t = 0), OpenMP on THREADS[0], THREADS[1]. */
#define VERSIONS 3

/* Times the versions in turns (a run of each, then the next turn, so that a
 * slow spell of a shared machine lands on all of them); medians into med. */
static int time_turns(struct bench *b, double med[VERSIONS]) {
    static double times[VERSIONS][MAX_REPS];
    const int ts[VERSIONS] = {0, THREADS[0], THREADS[1]};
    double total = 0.0;
    int turns = 0, max = quick ? 3 : MAX_REPS;
    while (turns < max && (turns < MIN_REPS || total < BUDGET)) {
        for (int v = 0; v < VERSIONS; v++) {
            reset(b);
            double start = omp_get_wtime();
            b->run(b, ts[v]);
            times[v][turns] = omp_get_wtime() - start;
            total += times[v][turns];
        }
        turns++;
    }
    for (int v = 0; v < VERSIONS; v++) med[v] = median(times[v], turns);
    return turns;
}

static void report(const struct bench *b, const char *impl, int t, double med, int reps, double sum) {
    printf("%-15s %-10s %d  %12.3f ms  (%s, %d runs)\n", b->name, impl, t, med * 1e3, b->size, reps);
    fflush(stdout);
    fprintf(csv, "%s,%s,%d,\"%s\",%.9f,%d,%.17g\n", b->name, impl, t, b->size, med, reps, sum);
}

/* Checks both versions, times them, frees the arrays. */
static void bench(struct bench *b) {
    reset(b);
    b->run(b, 0);
    double sum = checksum(b);
    void **want = snapshot(b);
    for (int k = 0; k < 2; k++) {
        reset(b);
        b->run(b, THREADS[k]);
        check(b, want, THREADS[k]);
    }
    double med[VERSIONS];
    int turns = time_turns(b, med);
    report(b, "sequential", 1, med[0], turns, sum);
    for (int k = 0; k < 2; k++) report(b, "openmp", THREADS[k], med[k + 1], turns, sum);
    for (int k = 0; k < b->count; k++) {
        free(want[k]);
        free(b->a[k].work);
        free((void *)b->a[k].init);
    }
    free(want);
}

static double *zeros(size_t n) {
    double *x = xmalloc(n * sizeof *x + 1);
    memset(x, 0, n * sizeof *x);
    return x;
}

#include "polybench_data.inc"

int main(int argc, char **argv) {
    quick = quick_mode(argc, argv);
    char path[4200];
    csv = open_results("polybench-c.csv", path, sizeof path);
    fprintf(csv, "kernel,impl,threads,size,median_s,reps,checksum\n");
    printf("PolyBench/C 4.2.1 kernels, C OpenMP (%s sizes, libgomp, OpenMP %d), median of up to %d runs\n",
           quick ? "MINI" : "MEDIUM", _OPENMP, quick ? 3 : MAX_REPS);
    for (size_t k = 0; k < sizeof KERNELS / sizeof KERNELS[0]; k++) {
        struct bench b = {0};
        KERNELS[k](&b, quick);
        bench(&b);
    }
    fclose(csv);
    printf("wrote %s\n", path);
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
