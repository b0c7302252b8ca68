#!/usr/bin/env bash
# Benchmarks side by side: the kernels as sequential, rayon, the `parallel`
# macros and C OpenMP (libgomp), at 1 and 2 threads; and the EPCC-style
# construct overheads of the macros, rayon and libgomp. With `polybench`,
# the PolyBench/C 4.2.1 kernels of polybench/ instead: the plain loops and
# the annotated ones against their C OpenMP twins. See BENCHMARKS.md.
#
# Usage: benches/compare.sh [polybench] [--quick] [--report]
#
#   (no flag)  build the C code into target/c-bench/, run it, run
#              `cargo bench --bench kernels` and `--bench overhead`, print the
#              tables (a full run takes several minutes; run it on an idle machine)
#   polybench  build benches/c/polybench.c, run it, run
#              `cargo bench -p parallel-polybench --bench polybench`, print the
#              PolyBench table (MEDIUM_DATASET sizes; a few minutes)
#   --quick    the same with small sizes and short runs (PolyBench: MINI): a
#              smoke test, not a measurement
#   --report   run nothing; print the tables from the results already in target/
#
# Results: target/bench-results/{kernels,overhead}-{rust,c}.csv and compare.md
# (the tables in Markdown); criterion's own in target/criterion/. PolyBench:
# target/bench-results/polybench-{rust,c}.csv and polybench.md.
# CC picks the compiler (default gcc); it must support -fopenmp.

set -euo pipefail

die() {
    echo "compare.sh: $*" >&2
    exit 1
}

quick=0
report_only=0
mode=kernels
for arg in "$@"; do
    case "$arg" in
    polybench) mode=polybench ;;
    --quick) quick=1 ;;
    --report) report_only=1 ;;
    -h | --help)
        sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) die "unknown argument '$arg'; the mode is polybench (or none), the options --quick and --report" ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v cargo >/dev/null || die "cargo not found"
command -v python3 >/dev/null || die "python3 not found; it assembles the tables"

target="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
results="$target/bench-results"
cbench="$target/c-bench"
mkdir -p "$results" "$cbench"
export PARALLEL_BENCH_RESULTS="$results"

# The PolyBench table, from polybench-{rust,c}.csv (runs nothing).
polybench_report() {
    echo "== PolyBench side by side" >&2
    python3 - "$results" "$since" "$quick" <<'EOF'
"""The PolyBench table: the Rust plain and annotated loops against C OpenMP."""

import csv
import os
import sys

results, since, quick = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
problems = []


def read(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        problems.append(f"missing {path}")
        return []
    if since and os.path.getmtime(path) < since:
        problems.append(f"{path} is older than this run; ignored")
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fmt(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


rust, c = read("polybench-rust.csv"), read("polybench-c.csv")
rt = {(r["kernel"], r["impl"], int(r["threads"])): float(r["median_s"]) for r in rust}
ct = {(r["kernel"], r["impl"], int(r["threads"])): float(r["median_s"]) for r in c}
sums = {}
for side, rows in (("rust", rust), ("c", c)):
    for r in rows:
        sums.setdefault(r["kernel"], {})[side] = float(r["checksum"])
sizes = {r["kernel"]: r["size"] for r in c + rust}
kernels = list(dict.fromkeys([r["kernel"] for r in c] + [r["kernel"] for r in rust]))

header = ["kernel", "size", "Rust seq", "annotated 1t", "annotated 2t", "C seq", "C OpenMP 1t",
          "C OpenMP 2t", "annotated/OpenMP 2t", "checksums"]
rows = []
for k in kernels:
    par2, omp2 = rt.get((k, "parallel", 2)), ct.get((k, "openmp", 2))
    s = sums.get(k, {})
    if "rust" in s and "c" in s:
        a, b = s["rust"], s["c"]
        check = "equal" if a == b else f"differ by {abs(a - b) / max(abs(a), abs(b), 1e-300):.1e}"
        if a != b:
            problems.append(f"{k}: the checksums differ (Rust {a!r}, C {b!r})")
    else:
        check = "-"
    rows.append([k, sizes.get(k, ""), fmt(rt.get((k, "sequential", 1))), fmt(rt.get((k, "parallel", 1))),
                 fmt(par2), fmt(ct.get((k, "sequential", 1))), fmt(ct.get((k, "openmp", 1))), fmt(omp2),
                 "-" if par2 is None or not omp2 else f"{par2 / omp2:.2f}", check])

widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
right = [False, False] + [True] * 7 + [False]


def line(r):
    cells = [str(v).rjust(w) if right[i] else str(v).ljust(w) for i, (v, w) in enumerate(zip(r, widths))]
    return "  ".join(cells).rstrip()


print("\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]))
md = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if r else "---" for r in right) + "|"]
md += ["| " + " | ".join(str(v) for v in r) + " |" for r in rows]
mode = "MINI sizes, 3 runs (a smoke test, not a measurement)" if quick else "MEDIUM_DATASET sizes"
note = (f"{mode}; medians. annotated/OpenMP above 1: the macro's loops are slower than libgomp's. "
        "Rust: polybench/benches/polybench.rs, flat row-major arrays; "
        "C: benches/c/polybench.c, gcc -O3 -march=native -ffp-contract=off -fopenmp. "
        "checksums: the sums of the plain loops' live-out arrays on both sides.")
print("\n" + note)
if problems:
    print("\nwarnings:\n" + "\n".join(f"  {p}" for p in problems))
with open(os.path.join(results, "polybench.md"), "w") as f:
    f.write("\n".join(md) + "\n\n" + note + "\n")
print(f"\nwrote {os.path.join(results, 'polybench.md')}")
EOF
}

# Builds and runs both sides of the PolyBench table, then prints it.
polybench() {
    echo "== building: C (${cflags[*]}) and the Rust bench" >&2
    "$cc" "${cflags[@]}" -o "$cbench/polybench" benches/c/polybench.c -lm ||
        die "cannot build benches/c/polybench.c"
    cargo bench --no-run -p parallel-polybench --bench polybench
    local args=()
    if [ "$quick" = 1 ]; then
        export PARALLEL_BENCH_QUICK=1
        args=(--quick)
    else
        unset PARALLEL_BENCH_QUICK
    fi
    since="$(date +%s)"
    echo "== C OpenMP PolyBench" >&2
    "$cbench/polybench" "${args[@]}"
    echo "== cargo bench -p parallel-polybench --bench polybench" >&2
    cargo bench -p parallel-polybench --bench polybench -- "${args[@]}"
    polybench_report
}

since=0
if [ "$report_only" = 0 ]; then
    cc="${CC:-gcc}"
    cflags=(-O3 -march=native -ffp-contract=off -fopenmp) # why: benches/c/kernels.c
    command -v "$cc" >/dev/null || die "$cc not found; the C side needs gcc with OpenMP"

    # Does the compiler build and run an OpenMP program with a team of 2?
    cat >"$cbench/omp-probe.c" <<'EOF'
#include <omp.h>
int main(void) {
    int n = 0;
#pragma omp parallel num_threads(2)
#pragma omp single
    n = omp_get_num_threads();
    return n == 2 ? 0 : 1;
}
EOF
    "$cc" -fopenmp -o "$cbench/omp-probe" "$cbench/omp-probe.c" 2>"$cbench/omp-probe.log" ||
        die "$cc cannot build OpenMP programs (-fopenmp failed, see $cbench/omp-probe.log); install GCC's OpenMP runtime (Debian/Ubuntu: apt-get install libgomp1 libgcc-12-dev)"
    "$cbench/omp-probe" ||
        die "an OpenMP program built by $cc did not run a team of 2 threads (is OMP_THREAD_LIMIT or OMP_NUM_THREADS set?)"

    if [ "$mode" = polybench ]; then
        polybench
        exit 0
    fi

    echo "== building: C (${cflags[*]}) and the Rust benches" >&2
    for prog in kernels overhead; do
        "$cc" "${cflags[@]}" -o "$cbench/$prog" "benches/c/$prog.c" -lm ||
            die "cannot build benches/c/$prog.c"
    done
    cargo bench --no-run --bench kernels --bench overhead

    c_args=()
    criterion_args=()
    overhead_args=()
    if [ "$quick" = 1 ]; then
        export PARALLEL_BENCH_QUICK=1
        c_args=(--quick)
        criterion_args=(--quick --measurement-time 0.3)
        overhead_args=(--quick)
    else
        unset PARALLEL_BENCH_QUICK
    fi

    since="$(date +%s)"
    echo "== C OpenMP kernels" >&2
    "$cbench/kernels" "${c_args[@]}"
    echo "== C OpenMP overheads" >&2
    "$cbench/overhead" "${c_args[@]}"
    echo "== cargo bench --bench kernels" >&2
    cargo bench --bench kernels -- "${criterion_args[@]}"
    echo "== cargo bench --bench overhead" >&2
    cargo bench --bench overhead -- "${overhead_args[@]}"
fi

if [ "$mode" = polybench ]; then
    polybench_report
    exit 0
fi

echo "== side by side" >&2
python3 - "$target" "$results" "$since" "$quick" <<'EOF'
"""Assembles the tables from criterion's estimates and the CSV files."""

import csv
import json
import os
import platform
import subprocess
import sys

target, results, since, quick = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4] == "1"
KERNELS = ["sum", "dot", "saxpy", "pi", "mandelbrot", "jacobi", "gemm", "histogram"]
IMPLS = ["sequential", "rayon", "parallel"]
THREADS = [1, 2]
problems = []


def read_csv(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        problems.append(f"missing {path}")
        return []
    if since and os.path.getmtime(path) < since:
        problems.append(f"{path} is older than this run; ignored")
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def criterion_medians():
    """(kernel, impl, threads) -> median seconds, from target/criterion."""
    medians = {}
    stale = 0
    base = os.path.join(target, "criterion")
    for kernel in KERNELS:
        for dirpath, _, files in os.walk(os.path.join(base, kernel)):
            if os.path.basename(dirpath) != "new" or "benchmark.json" not in files:
                continue
            with open(os.path.join(dirpath, "benchmark.json")) as f:
                bench = json.load(f)
            estimates = os.path.join(dirpath, "estimates.json")
            if bench.get("group_id") != kernel or not os.path.exists(estimates):
                continue
            if since and os.path.getmtime(estimates) < since:
                stale += 1
                continue
            with open(estimates) as f:
                median_ns = json.load(f)["median"]["point_estimate"]
            key = (kernel, bench.get("function_id"), int(bench.get("value_str") or 0))
            medians[key] = median_ns * 1e-9
    if stale:
        problems.append(f"{stale} criterion result(s) older than this run ignored")
    return medians


def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.3f} s"


def fmt_ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def fmt_us(v):
    return "-" if v is None else f"{v:.2f}"


def table(header, rows, right):
    """Plain aligned text and Markdown for the same rows."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(r):
        cells = [str(c).rjust(w) if right[i] else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        return "  ".join(cells).rstrip()

    text = "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
    md = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    md += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return text, "\n".join(md)


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "?"

    cc = os.environ.get("CC", "gcc")
    return f"{os.cpu_count()} CPUs, {model}, {platform.system()} {platform.release()}; {version(['rustc', '--version'])}; {version([cc, '--version'])}"


# ---- kernels ----
rust = criterion_medians()
c_rows = read_csv("kernels-c.csv")
c = {(r["kernel"], r["impl"], int(r["threads"])): float(r["median_s"]) for r in c_rows}
sizes = {r["kernel"]: r["size"] for r in c_rows}

with open(os.path.join(results, "kernels-rust.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["kernel", "impl", "threads", "median_s"])
    for (kernel, impl, t), s in sorted(rust.items()):
        w.writerow([kernel, impl, t, f"{s:.9f}"])

rows = []
for kernel in KERNELS:
    seq = rust.get((kernel, "sequential", 1))
    for t in THREADS:
        ray = rust.get((kernel, "rayon", t))
        par = rust.get((kernel, "parallel", t))
        omp = c.get((kernel, "openmp", t))
        rows.append([
            kernel if t == 1 else "",
            sizes.get(kernel, "") if t == 1 else "",
            t,
            fmt_time(seq),
            fmt_time(ray),
            fmt_time(par),
            fmt_time(omp),
            fmt_ratio(par, omp),
            fmt_ratio(par, ray),
            fmt_time(c.get((kernel, "sequential", 1))),
        ])
header = ["kernel", "size", "threads", "sequential", "rayon", "parallel", "C OpenMP",
          "parallel/C", "parallel/rayon", "C sequential"]
k_text, k_md = table(header, rows, [False, False] + [True] * 8)

# ---- overheads ----
impls = ["parallel", "rayon-install", "rayon-inside", "rayon-join", "openmp"]
ov = {}
order = []
refs = {}
delay = {}
for name in ["overhead-rust.csv", "overhead-c.csv"]:
    for r in read_csv(name):
        key = (r["construct"], r["chunk"], int(r["iters_per_thread"]))
        if key not in order:
            order.append(key)
        ov[key + (r["impl"],)] = float(r["overhead_us"])
        side = "c" if r["impl"] == "openmp" else "rust"
        refs.setdefault(key + (side,), float(r["reference_us"]))
        if float(r["delay_us"]) > 0:
            delay[side] = r["delay_us"]
rows = []
for key in order:
    construct, chunk, per = key
    rows.append([construct, chunk or "-", per, fmt_us(refs.get(key + ("rust",))), fmt_us(refs.get(key + ("c",)))]
                + [fmt_us(ov.get(key + (i,))) for i in impls])
header = ["construct", "chunk", "iters/thread", "ref Rust", "ref C", "parallel",
          "rayon install", "rayon inside", "rayon join", "libgomp"]
o_text, o_md = table(header, rows, [False, True] + [True] * 8)

mode = "quick (a smoke test: small sizes, short runs)" if quick else "full"
kernel_note = ("Medians; parallel/C and parallel/rayon above 1 mean the macro is slower. "
               "sequential, rayon and parallel: criterion (target/criterion/<kernel>/<impl>/<threads>); "
               "C: benches/c/kernels.c, gcc -O3 -march=native -ffp-contract=off -fopenmp.")
over_note = ("µs per construct: the median of (time of the construct minus the reference, the same delays "
             f"run sequentially, measured in turns); delay {delay.get('rust', '?')} µs in Rust, {delay.get('c', '?')} µs in C); "
             "2 threads, except the inline row (the macro runs it on the caller; libgomp with if(false)); "
             "the trivial_for row's 1024 iterations each call delay(0), which returns at once; "
             "the task rows (task_wait: a task and its wait; taskgroup: 1000 tasks; sections: two) "
             "each delay once per task, and libgomp's open a parallel region per construct, "
             "as a top-level #[taskgroup] reserves its team.")

out = [f"machine: {machine()}", f"mode: {mode}", "",
       "Kernels", "", k_text, "", kernel_note, "",
       "Construct overheads (EPCC method)", "", o_text, "", over_note]
if problems:
    out += ["", "warnings:"] + [f"  {p}" for p in problems]
print("\n".join(out))

md = [f"Machine: {machine()}. Mode: {mode}.", "", "### Kernels", "", k_md, "", kernel_note, "",
      "### Construct overheads (EPCC method)", "", o_md, "", over_note, ""]
with open(os.path.join(results, "compare.md"), "w") as f:
    f.write("\n".join(md))
print(f"\nwrote {os.path.join(results, 'compare.md')} and {os.path.join(results, 'kernels-rust.csv')}")
EOF
