/* What kernels.c and overhead.c share: quick mode, the results directory,
 * medians, allocation. See benches/c/kernels.c for how to build. */

#ifndef PARALLEL_BENCH_COMMON_H
#define PARALLEL_BENCH_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Quick mode: `--quick` on the command line, or PARALLEL_BENCH_QUICK set to
 * anything but empty or "0" (as the Rust benches read it). */
static inline int quick_mode(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) return 1;
        fprintf(stderr, "unknown argument '%s'; the only option is --quick\n", argv[i]);
        exit(2);
    }
    const char *q = getenv("PARALLEL_BENCH_QUICK");
    return q != NULL && q[0] != '\0' && strcmp(q, "0") != 0;
}

/* mkdir -p */
static inline void make_dirs(const char *path) {
    char buf[4096];
    if (strlen(path) >= sizeof buf) {
        fprintf(stderr, "results path too long: %s\n", path);
        exit(1);
    }
    strcpy(buf, path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                fprintf(stderr, "cannot create %s: %s\n", buf, strerror(errno));
                exit(1);
            }
            *p = c;
            if (c == '\0') break;
        }
    }
}

/* Opens `name` for writing in $PARALLEL_BENCH_RESULTS, else in
 * target/bench-results under the current directory. */
static inline FILE *open_results(const char *name, char *path, size_t cap) {
    const char *dir = getenv("PARALLEL_BENCH_RESULTS");
    if (dir == NULL || dir[0] == '\0') dir = "target/bench-results";
    make_dirs(dir);
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

static inline int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts `t` and returns its median (the upper one of an even count, as the
 * Rust harness does). */
static inline double median(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return t[n / 2];
}

static inline void *xmalloc(size_t bytes) {
    void *p = malloc(bytes);
    if (p == NULL) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

#endif
