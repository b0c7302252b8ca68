#!/usr/bin/env bash
# What the macros add to a user's build: one crate of LOOPS (50) functions,
# each with a loop under `#[parallel]` + `#[parallel_for(..)]`, against the
# same crate with the attributes deleted (the plain loops). Five loop kinds
# in turn: an element write (saxpy), a `+` reduction (dot), a row with an
# inner loop under `schedule(dynamic, 4)` (matrix-vector), a `max`
# reduction, and `parallel_for(simd, reduction(+: s))`.
#
# Measured for each crate, the dependencies (`parallel`, syn, ...) built
# beforehand so that only the crate itself compiles:
#   release clean      cargo build --release, the crate's artifacts removed
#   release touched    cargo build --release after one fn's body changed
#   dev touched        cargo build (incremental) after one fn's body changed
# Each figure is the median of RUNS (3) builds: wall-clock seconds, and in
# parentheses the CPU seconds (user + system) of cargo and rustc, which a
# shared machine's load disturbs less.
#
#   CARGO_BUILD_JOBS=1 bash benches/build-cost.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${BUILD_COST_DIR:-$root/target/build-cost}
runs=${RUNS:-3}
loops=${LOOPS:-50}

# The annotated crate's `lib.rs`: LOOPS functions, kind by kind.
annotated() {
    echo 'use parallel::parallel;'
    echo
    for ((k = 0; k < loops; k++)); do
        case $((k % 5)) in
        0) cat <<RS
#[parallel]
pub fn loop_$k(a: f64, x: &[f64], y: &mut [f64]) {
    const BUMP: f64 = 0.0;
    #[parallel_for]
    for i in 0..y.len() {
        y[i] = a * x[i] + y[i] + BUMP;
    }
}
RS
            ;;
        1) cat <<RS
#[parallel]
pub fn loop_$k(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    #[parallel_for(reduction(+: s))]
    for i in 0..x.len() {
        s += x[i] * y[i];
    }
    s
}
RS
            ;;
        2) cat <<RS
#[parallel]
pub fn loop_$k(n: usize, a: &[f64], x: &[f64], y: &mut [f64]) {
    #[parallel_for(schedule(dynamic, 4))]
    for i in 0..y.len() {
        let mut t = 0.0;
        for j in 0..n {
            t += a[i * n + j] * x[j];
        }
        y[i] = t;
    }
}
RS
            ;;
        3) cat <<RS
#[parallel]
pub fn loop_$k(x: &[i64]) -> i64 {
    let mut m = i64::MIN;
    #[parallel_for(reduction(max: m))]
    for i in 0..x.len() {
        m = m.max(x[i]);
    }
    m
}
RS
            ;;
        4) cat <<RS
#[parallel]
pub fn loop_$k(x: &[f32]) -> f32 {
    let mut s = 0.0;
    #[parallel_for(simd, reduction(+: s))]
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    s
}
RS
            ;;
        esac
        echo
    done
}

# A crate of the workspace: name, `lib.rs`, whether it depends on `parallel`.
crate() {
    mkdir -p "$dir/$1/src"
    {
        printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[dependencies]\n' "$1"
        if [ "$3" = yes ]; then
            echo "parallel = { path = \"$root\" }"
        fi
    } >"$dir/$1/Cargo.toml"
    printf '%s\n' "$2" >"$dir/$1/src/lib.rs"
}

generate() {
    rm -rf "$dir"
    mkdir -p "$dir"
    printf '[workspace]\nmembers = ["annotated", "plain"]\nresolver = "3"\n' >"$dir/Cargo.toml"
    local src
    src=$(annotated)
    crate annotated "$src" yes
    # The same loops, the attributes and the import deleted.
    crate plain "$(printf '%s\n' "$src" | grep -v -e '^#\[parallel\]$' -e '#\[parallel_for' -e '^use parallel')" no
}

# One fn's body changed: loop_0's constant flips between 0.0 and 1.0.
touch_one() {
    local lib="$dir/$1/src/lib.rs"
    if grep -q 'BUMP: f64 = 0.0' "$lib"; then
        sed -i 's/BUMP: f64 = 0.0/BUMP: f64 = 1.0/' "$lib"
    else
        sed -i 's/BUMP: f64 = 1.0/BUMP: f64 = 0.0/' "$lib"
    fi
}

# "wall cpu" of one cargo command, in seconds.
seconds() {
    local out
    out=$(mktemp)
    (cd "$dir" && /usr/bin/time -f '%e %U %S' -o "$out" cargo "$@" --quiet)
    awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$out"
    rm -f "$out"
}

# The medians of lines "wall cpu": "wall (cpu)".
median() {
    local all
    all=$(cat)
    printf '%s (%s)' \
        "$(echo "$all" | awk '{ print $1 }' | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] }')" \
        "$(echo "$all" | awk '{ print $2 }' | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] }')"
}

measure() {
    local pkg=$1 clean=() touched=() dev=()
    (cd "$dir" && cargo build --quiet --release -p "$pkg" && cargo build --quiet -p "$pkg")
    for ((r = 0; r < runs; r++)); do
        (cd "$dir" && cargo clean --quiet --release -p "$pkg")
        clean+=("$(seconds build --release -p "$pkg")")
        touch_one "$pkg"
        touched+=("$(seconds build --release -p "$pkg")")
        touch_one "$pkg"
        dev+=("$(seconds build -p "$pkg")")
    done
    printf '| %s | %s | %s | %s |\n' "$pkg" \
        "$(printf '%s\n' "${clean[@]}" | median)" \
        "$(printf '%s\n' "${touched[@]}" | median)" \
        "$(printf '%s\n' "${dev[@]}" | median)"
}

generate
echo "load before: $(uptime)"
echo
echo "| crate ($loops loops) | release clean: wall (CPU) s | release, one fn touched | dev incremental, one fn touched |"
echo "|---|---|---|---|"
measure plain
measure annotated
echo
echo "load after: $(uptime)"
