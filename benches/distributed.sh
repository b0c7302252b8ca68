#!/usr/bin/env bash
# Distributed loops (benches/distributed.rs) at 1 rank x 1 thread, 2 ranks
# x 1 thread and 1 rank x 2 threads, and the cost of a distributed
# reduction beyond a bare MPI_Allreduce. See BENCHMARKS.md.
#
# Usage: benches/distributed.sh [--quick]
#
# Needs Open MPI (see .ci/run). Run it on an idle machine: `uptime` is
# printed before each configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)

MPIRUN=(mpirun)
if [ "$(id -u)" = 0 ]; then
    MPIRUN+=(--allow-run-as-root)
fi
bin=$(cargo bench --features mpi --bench distributed --no-run 2>&1 |
    sed -n 's|.*Executable benches/distributed.rs (\(.*\))|\1|p' | tail -1)
[ -n "$bin" ] || { echo "could not build benches/distributed.rs" >&2; exit 1; }

out=target/bench-results/distributed.tsv
mkdir -p "$(dirname "$out")"
: >"$out"
# ranks, threads per rank, binding: one core per rank when there is one
# thread per rank; none for one rank's two threads. The configurations take
# turns, ROUNDS times (default 3); the tables keep each one's best, so a
# burst of another program's work on the shared machine shows as a
# slower round, not as the result.
for round in $(seq "${ROUNDS:-3}"); do
    for config in "1 1 core" "2 1 core" "1 2 none"; do
        set -- $config
        echo "== round $round: $1 rank(s) x $2 thread(s); $(uptime)"
        OMP_NUM_THREADS=$2 "${MPIRUN[@]}" -np "$1" --bind-to "$3" "$bin" "${quick[@]}" | tee -a "$out"
    done
done

echo
echo "| kernel | 1 rank x 1 thread | 2 ranks x 1 thread | 1 rank x 2 threads | 2 ranks / 1 rank |"
echo "|---|---|---|---|---|"
best() { awk -v c="$1" -v k="$2" '$1==c && $2==k && (m=="" || $3<m) {m=$3} END {print m}' "$out"; }
for k in pi sum; do
    a=$(best 1x1 $k)
    b=$(best 2x1 $k)
    c=$(best 1x2 $k)
    awk -v k=$k -v a="$a" -v b="$b" -v c="$c" 'BEGIN {
        printf "| %s | %.4f s | %.4f s | %.4f s | %.2fx |\n", k, a, b, c, a / b }'
done
echo
echo "| one f64 over 2 ranks, per call | time | beyond the bare allreduce |"
echo "|---|---|---|"
bare=$(best 2x1 allreduce)
for k in allreduce loop-reduce loop-reduce-det; do
    t=$(best 2x1 $k)
    awk -v k=$k -v t="$t" -v b="$bare" 'BEGIN {
        printf "| %s | %.2f us | +%.2f us |\n", k, t * 1e6, (t - b) * 1e6 }'
done
