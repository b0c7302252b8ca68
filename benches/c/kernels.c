/* The kernels of benches/kernels.rs in C with OpenMP (libgomp): the same
 * sizes, inputs and loops, the plain sequential loop and `parallel for` with
 * the natural clauses, at 1 and 2 threads. Each time is the median of
 * repeated runs, timed with omp_get_wtime() after one untimed run that is
 * also checked against the sequential result (exactly for integers and
 * array writes, within 2*n*eps*sum|x| for float sums). Results go to
 * stdout and to kernels-c.csv in $PARALLEL_BENCH_RESULTS (default
 * target/bench-results).
 *
 * Build (benches/compare.sh does this):
 *
 *     gcc -O3 -march=native -ffp-contract=off -fopenmp \
 *         -o target/c-bench/kernels benches/c/kernels.c
 *
 * -march=native: the Rust macro's `simd` loops are compiled for several CPU
 * levels and dispatched to the best one at run time (AVX-512 where the CPU
 * has it), so native code is the fair comparison. (The Rust loops without
 * `simd`, and the sequential and rayon versions, run at Rust's default
 * target: keep that in mind for gemm and jacobi.)
 * -ffp-contract=off: GCC fuses a*b + c into an FMA by default, Rust never
 * does; without fusion both sides do the same arithmetic, so the results
 * compare exactly and the times measure the loops, not the rounding.
 *
 * Run: target/c-bench/kernels [--quick]  (or PARALLEL_BENCH_QUICK=1): small
 * sizes and 3 runs, for smoke tests. */

#include <math.h>
#include <omp.h>
#include <stdint.h>

#include "common.h"

#define MAX_ITER 256
#define MAX_REPS 11
#define MIN_REPS 5
/* Stop after MIN_REPS runs once a kernel has run this long, in seconds. */
#define BUDGET 3.0

struct sizes {
    long sum, dot, saxpy, pi;
    int mandelbrot, jacobi, gemm;
    long histogram;
};

static const struct sizes FULL = {1L << 24, 1L << 23, 1L << 24, 100000000L, 2048, 4096, 1024, 1L << 26};
/* The sizes of the Rust benches with PARALLEL_BENCH_QUICK=1. */
static const struct sizes QUICK = {1L << 20, 1L << 19, 1L << 20, 4000000L, 256, 512, 128, 1L << 22};

static const int THREADS[2] = {1, 2};

static int quick;
static FILE *csv;
static int failures;
/* Results land here so the compiler cannot drop the calls. */
static volatile double sink;

/* ---- the kernels: sequential, and OpenMP on t threads ---- */

static float sum_seq(const float *x, long n) {
    float s = 0.0f;
    for (long i = 0; i < n; i++) s += x[i];
    return s;
}

static float sum_omp(const float *x, long n, int t) {
    float s = 0.0f;
#pragma omp parallel for simd num_threads(t) reduction(+ : s)
    for (long i = 0; i < n; i++) s += x[i];
    return s;
}

static double dot_seq(const double *x, const double *y, long n) {
    double s = 0.0;
    for (long i = 0; i < n; i++) s += x[i] * y[i];
    return s;
}

static double dot_omp(const double *x, const double *y, long n, int t) {
    double s = 0.0;
#pragma omp parallel for simd num_threads(t) reduction(+ : s)
    for (long i = 0; i < n; i++) s += x[i] * y[i];
    return s;
}

static void saxpy_seq(float a, const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] += a * x[i];
}

static void saxpy_omp(float a, const float *x, float *y, long n, int t) {
#pragma omp parallel for simd num_threads(t)
    for (long i = 0; i < n; i++) y[i] += a * x[i];
}

static double pi_seq(long steps) {
    double step = 1.0 / (double)steps, sum = 0.0;
    for (long i = 0; i < steps; i++) {
        double x = ((double)i + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    return sum * step;
}

static double pi_omp(long steps, int t) {
    double step = 1.0 / (double)steps, sum = 0.0;
#pragma omp parallel for simd num_threads(t) reduction(+ : sum)
    for (long i = 0; i < steps; i++) {
        double x = ((double)i + 0.5) * step;
        sum += 4.0 / (1.0 + x * x);
    }
    return sum * step;
}

static inline uint32_t escape(double cx, double cy) {
    double zx = 0.0, zy = 0.0;
    uint32_t k = 0;
    while (k < MAX_ITER && zx * zx + zy * zy <= 4.0) {
        double t = zx * zx - zy * zy + cx;
        zy = 2.0 * zx * zy + cy;
        zx = t;
        k++;
    }
    return k;
}

/* The view is [-2, 1] x [-1.5, 1.5]; img is w x w, row-major. */
static void mandelbrot_seq(int w, uint32_t *img) {
    double d = 3.0 / w;
    for (int y = 0; y < w; y++) {
        double cy = -1.5 + y * d;
        for (int x = 0; x < w; x++) img[(long)y * w + x] = escape(-2.0 + x * d, cy);
    }
}

static void mandelbrot_omp(int w, uint32_t *img, int t) {
    double d = 3.0 / w;
#pragma omp parallel for num_threads(t) schedule(dynamic)
    for (int y = 0; y < w; y++) {
        double cy = -1.5 + y * d;
        for (int x = 0; x < w; x++) img[(long)y * w + x] = escape(-2.0 + x * d, cy);
    }
}

static void jacobi_seq(long n, const double *src, double *dst) {
    for (long i = 1; i < n - 1; i++)
        for (long j = 1; j < n - 1; j++)
            dst[i * n + j] = 0.2 * (src[i * n + j] + src[i * n + j - 1] + src[i * n + j + 1] +
                                    src[(i + 1) * n + j] + src[(i - 1) * n + j]);
}

static void jacobi_omp(long n, const double *src, double *dst, int t) {
#pragma omp parallel for num_threads(t)
    for (long i = 1; i < n - 1; i++)
#pragma omp simd
        for (long j = 1; j < n - 1; j++)
            dst[i * n + j] = 0.2 * (src[i * n + j] + src[i * n + j - 1] + src[i * n + j + 1] +
                                    src[(i + 1) * n + j] + src[(i - 1) * n + j]);
}

/* C = A B, i-k-j order. */
static void gemm_seq(long n, const double *a, const double *b, double *c) {
    for (long i = 0; i < n; i++) {
        for (long j = 0; j < n; j++) c[i * n + j] = 0.0;
        for (long k = 0; k < n; k++) {
            double aik = a[i * n + k];
            for (long j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
        }
    }
}

static void gemm_omp(long n, const double *a, const double *b, double *c, int t) {
#pragma omp parallel for num_threads(t)
    for (long i = 0; i < n; i++) {
#pragma omp simd
        for (long j = 0; j < n; j++) c[i * n + j] = 0.0;
        for (long k = 0; k < n; k++) {
            double aik = a[i * n + k];
#pragma omp simd
            for (long j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
        }
    }
}

static void histogram_seq(const uint8_t *data, long n, uint64_t *bins) {
    memset(bins, 0, 256 * sizeof *bins);
    for (long i = 0; i < n; i++) bins[data[i]]++;
}

static void histogram_omp(const uint8_t *data, long n, uint64_t *bins, int t) {
    memset(bins, 0, 256 * sizeof *bins);
#pragma omp parallel for num_threads(t) reduction(+ : bins[0:256])
    for (long i = 0; i < n; i++) bins[data[i]]++;
}

/* ---- timing and checks ---- */

/* Times `stmt` (one untimed run first) and reports the median. */
#define TIME(kernel, impl, threads, size, stmt)                                \
    do {                                                                       \
        double times_[MAX_REPS], total_ = 0.0;                                 \
        int reps_ = 0, max_ = quick ? 3 : MAX_REPS;                            \
        stmt;                                                                  \
        while (reps_ < max_ && (reps_ < MIN_REPS || total_ < BUDGET)) {        \
            double start_ = omp_get_wtime();                                   \
            stmt;                                                              \
            times_[reps_] = omp_get_wtime() - start_;                          \
            total_ += times_[reps_++];                                         \
        }                                                                      \
        report(kernel, impl, threads, size, times_, reps_);                    \
    } while (0)

static void report(const char *kernel, const char *impl, int threads, const char *size,
                   double *times, int reps) {
    double med = median(times, reps);
    printf("%-11s %-11s %d  %12.3f ms  (%s, %d runs)\n", kernel, impl, threads, med * 1e3, size, reps);
    fflush(stdout);
    fprintf(csv, "%s,%s,%d,\"%s\",%.9f,%.9f,%d\n", kernel, impl, threads, size, med, times[0], reps);
}

static void check_close(const char *kernel, int t, double got, double want, long n, double eps,
                        double abs_sum) {
    double bound = 2.0 * (double)n * eps * abs_sum;
    if (!(fabs(got - want) <= bound)) {
        fprintf(stderr, "%s: openmp/%d gives %.17g, the sequential loop %.17g: more than the rounding bound %g apart\n",
                kernel, t, got, want, bound);
        failures++;
    }
}

static void check_exact(const char *kernel, int t, const void *got, const void *want, size_t bytes) {
    if (memcmp(got, want, bytes) != 0) {
        fprintf(stderr, "%s: openmp/%d differs from the sequential loop\n", kernel, t);
        failures++;
    }
}

/* ---- inputs, the same as benches/kernels.rs ---- */

static float *ramp_f32(long n, long modulus, float scale) {
    float *x = xmalloc((size_t)n * sizeof *x);
    for (long i = 0; i < n; i++) x[i] = (float)(i % modulus) * scale;
    return x;
}

static double *ramp_f64(long n, long modulus, double scale) {
    double *x = xmalloc((size_t)n * sizeof *x);
    for (long i = 0; i < n; i++) x[i] = (double)(i % modulus) * scale;
    return x;
}

/* PolyBench's initial matrix: element (i, j) is ((i * (j + c)) % n) / n. */
static double *matrix(long n, long c) {
    double *m = xmalloc((size_t)(n * n) * sizeof *m);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++) m[i * n + j] = (double)((i * (j + c)) % n) / (double)n;
    return m;
}

/* Element (i, j) is (i * 7 + j * 3) % 100. */
static double *grid(long n) {
    double *g = xmalloc((size_t)(n * n) * sizeof *g);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++) g[i * n + j] = (double)((i * 7 + j * 3) % 100);
    return g;
}

/* n bytes from a fixed xorshift sequence, skewed towards small values. */
static uint8_t *bytes(long n) {
    uint8_t *d = xmalloc((size_t)n);
    uint64_t s = 0x2545F4914F6CDD1DULL;
    for (long i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        d[i] = (uint8_t)(s >> 56) & (uint8_t)(s >> 48);
    }
    return d;
}

/* ---- one function per kernel ---- */

static void bench_sum(long n) {
    char size[64];
    snprintf(size, sizeof size, "n = %ld f32", n);
    float *x = ramp_f32(n, 13, 0.25f);
    double want = sum_seq(x, n), abs_sum = 0.0;
    for (long i = 0; i < n; i++) abs_sum += fabs((double)x[i]);
    TIME("sum", "sequential", 1, size, sink = sum_seq(x, n));
    for (int k = 0; k < 2; k++) {
        int t = THREADS[k];
        check_close("sum", t, sum_omp(x, n, t), want, n, 0x1p-23, abs_sum);
        TIME("sum", "openmp", t, size, sink = sum_omp(x, n, t));
    }
    free(x);
}

static void bench_dot(long n) {
    char size[64];
    snprintf(size, sizeof size, "n = %ld f64", n);
    double *x = ramp_f64(n, 13, 0.25), *y = ramp_f64(n, 7, 0.5);
    double want = dot_seq(x, y, n), abs_sum = 0.0;
    for (long i = 0; i < n; i++) abs_sum += fabs(x[i] * y[i]);
    TIME("dot", "sequential", 1, size, sink = dot_seq(x, y, n));
    for (int k = 0; k < 2; k++) {
        int t = THREADS[k];
        check_close("dot", t, dot_omp(x, y, n, t), want, n, 0x1p-52, abs_sum);
        TIME("dot", "openmp", t, size, sink = dot_omp(x, y, n, t));
    }
    free(x);
    free(y);
}

static void bench_saxpy(long n) {
    char size[64];
    snprintf(size, sizeof size, "n = %ld f32", n);
    float *x = ramp_f32(n, 13, 0.25f), *y0 = ramp_f32(n, 7, 0.5f);
    float *want = xmalloc((size_t)n * sizeof *want), *got = xmalloc((size_t)n * sizeof *got);
    memcpy(want, y0, (size_t)n * sizeof *want);
    saxpy_seq(2.0f, x, want, n);
    for (int k = 0; k < 2; k++) {
        memcpy(got, y0, (size_t)n * sizeof *got);
        saxpy_omp(2.0f, x, got, n, THREADS[k]);
        check_exact("saxpy", THREADS[k], got, want, (size_t)n * sizeof *got);
    }
    /* Each call adds a*x to y again, in place, as in the Rust bench. */
    TIME("saxpy", "sequential", 1, size, saxpy_seq(2.0f, x, y0, n));
    for (int k = 0; k < 2; k++) TIME("saxpy", "openmp", THREADS[k], size, saxpy_omp(2.0f, x, y0, n, THREADS[k]));
    free(x);
    free(y0);
    free(want);
    free(got);
}

static void bench_pi(long n) {
    char size[64];
    snprintf(size, sizeof size, "steps = %ld", n);
    double want = pi_seq(n);
    TIME("pi", "sequential", 1, size, sink = pi_seq(n));
    for (int k = 0; k < 2; k++) {
        int t = THREADS[k];
        /* Every term is positive, so sum|x| * step is the result itself. */
        check_close("pi", t, pi_omp(n, t), want, n, 0x1p-52, want);
        TIME("pi", "openmp", t, size, sink = pi_omp(n, t));
    }
}

static void bench_mandelbrot(int w) {
    char size[64];
    snprintf(size, sizeof size, "%dx%d, %d iter", w, w, MAX_ITER);
    size_t bytes_ = (size_t)w * (size_t)w * sizeof(uint32_t);
    uint32_t *want = xmalloc(bytes_), *got = xmalloc(bytes_);
    mandelbrot_seq(w, want);
    for (int k = 0; k < 2; k++) {
        memset(got, 0, bytes_);
        mandelbrot_omp(w, got, THREADS[k]);
        check_exact("mandelbrot", THREADS[k], got, want, bytes_);
    }
    TIME("mandelbrot", "sequential", 1, size, mandelbrot_seq(w, got));
    for (int k = 0; k < 2; k++) TIME("mandelbrot", "openmp", THREADS[k], size, mandelbrot_omp(w, got, THREADS[k]));
    free(want);
    free(got);
}

static void bench_jacobi(long n) {
    char size[64];
    snprintf(size, sizeof size, "%ldx%ld f64", n, n);
    size_t bytes_ = (size_t)(n * n) * sizeof(double);
    double *src = grid(n), *want = xmalloc(bytes_), *got = xmalloc(bytes_);
    memcpy(want, src, bytes_);
    jacobi_seq(n, src, want);
    for (int k = 0; k < 2; k++) {
        memcpy(got, src, bytes_);
        jacobi_omp(n, src, got, THREADS[k]);
        check_exact("jacobi", THREADS[k], got, want, bytes_);
    }
    TIME("jacobi", "sequential", 1, size, jacobi_seq(n, src, got));
    for (int k = 0; k < 2; k++) TIME("jacobi", "openmp", THREADS[k], size, jacobi_omp(n, src, got, THREADS[k]));
    free(src);
    free(want);
    free(got);
}

static void bench_gemm(long n) {
    char size[64];
    snprintf(size, sizeof size, "n = %ld f64", n);
    size_t bytes_ = (size_t)(n * n) * sizeof(double);
    double *a = matrix(n, 1), *b = matrix(n, 2), *want = xmalloc(bytes_), *got = xmalloc(bytes_);
    gemm_seq(n, a, b, want);
    for (int k = 0; k < 2; k++) {
        memset(got, 0, bytes_);
        gemm_omp(n, a, b, got, THREADS[k]);
        check_exact("gemm", THREADS[k], got, want, bytes_);
    }
    TIME("gemm", "sequential", 1, size, gemm_seq(n, a, b, got));
    for (int k = 0; k < 2; k++) TIME("gemm", "openmp", THREADS[k], size, gemm_omp(n, a, b, got, THREADS[k]));
    free(a);
    free(b);
    free(want);
    free(got);
}

static void bench_histogram(long n) {
    char size[64];
    snprintf(size, sizeof size, "n = %ld bytes, 256 bins", n);
    uint8_t *data = bytes(n);
    uint64_t want[256], got[256];
    histogram_seq(data, n, want);
    for (int k = 0; k < 2; k++) {
        histogram_omp(data, n, got, THREADS[k]);
        check_exact("histogram", THREADS[k], got, want, sizeof got);
    }
    TIME("histogram", "sequential", 1, size, histogram_seq(data, n, got); sink = (double)got[0]);
    for (int k = 0; k < 2; k++)
        TIME("histogram", "openmp", THREADS[k], size, histogram_omp(data, n, got, THREADS[k]); sink = (double)got[0]);
    free(data);
}

int main(int argc, char **argv) {
    quick = quick_mode(argc, argv);
    const struct sizes *sz = quick ? &QUICK : &FULL;
    char path[4200];
    csv = open_results("kernels-c.csv", path, sizeof path);
    fprintf(csv, "kernel,impl,threads,size,median_s,min_s,reps\n");
    printf("C OpenMP kernels (%s sizes, libgomp, OpenMP %d), median of up to %d runs\n",
           quick ? "quick" : "full", _OPENMP, quick ? 3 : MAX_REPS);
    bench_sum(sz->sum);
    bench_dot(sz->dot);
    bench_saxpy(sz->saxpy);
    bench_pi(sz->pi);
    bench_mandelbrot(sz->mandelbrot);
    bench_jacobi(sz->jacobi);
    bench_gemm(sz->gemm);
    bench_histogram(sz->histogram);
    fclose(csv);
    printf("wrote %s\n", path);
    if (failures > 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    return 0;
}
