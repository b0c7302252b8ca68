//! Tasks and sections (`#[taskgroup]` / `#[task]`, `#[sections]` /
//! `#[section]`), each against the plain program (the same code with the
//! directives ignored, every task run in place): recursion with cutoffs
//! (Fibonacci, quicksort, a tree walk), a task per item, tasks spawning
//! tasks, tasks inside parallel loops and loops inside tasks, branches,
//! the group's own variables, panics, and several team sizes.

#![allow(clippy::needless_range_loop)]

mod common;
use common::{LENGTHS, THREADS, ints};
use parallel::{num_threads, parallel, thread_num};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

fn fib_seq(n: u64) -> u64 {
    if n < 2 {
        n
    } else {
        fib_seq(n - 1) + fib_seq(n - 2)
    }
}

/// Task-parallel Fibonacci: a group per call above the cutoff.
#[parallel]
fn fib(n: u64, cutoff: u64, threads: usize) -> u64 {
    if n < cutoff.max(2) {
        return fib_seq(n);
    }
    let (mut a, mut b) = (0, 0);
    #[taskgroup(num_threads(threads))]
    {
        #[task]
        {
            a = fib(n - 1, cutoff, threads);
        }
        #[task]
        {
            b = fib(n - 2, cutoff, threads);
        }
    }
    a + b
}

#[test]
fn fibonacci_with_cutoffs_and_team_sizes() {
    for &t in THREADS {
        for cutoff in [0, 2, 8, 15] {
            for n in [0, 1, 2, 3, 10, 20] {
                assert_eq!(
                    fib(n, cutoff, t),
                    fib_seq(n),
                    "fib({n}), cutoff {cutoff}, {t} threads"
                );
            }
        }
    }
}

/// The `Threads:` line of /proc/self/status (Linux), else `None`.
fn threads_now() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
}

/// Deep recursion: no deadlock, and the thread count stays bounded by the
/// crew (a group per call, tens of thousands of groups).
#[test]
fn deep_recursion_neither_deadlocks_nor_grows_threads() {
    assert_eq!(fib(27, 6, 3), fib_seq(27));
    let after_one = threads_now();
    for _ in 0..3 {
        assert_eq!(fib(25, 0, 3), fib_seq(25));
        assert_eq!(fib(26, 10, 7), fib_seq(26));
    }
    if let (Some(one), Some(more)) = (after_one, threads_now()) {
        // Other tests of this binary may start threads of their own
        // (harness threads, teams of 7): a loose bound, far below one
        // thread per group.
        assert!(more <= one + 16, "threads: {one} then {more}");
    }
}

/// Quicksort: partition, then the two halves as tasks.
#[parallel]
fn quicksort(v: &mut [u64], threads: usize) {
    if v.len() <= 32 {
        v.sort_unstable();
        return;
    }
    let pivot = v[v.len() / 2];
    let mut lo = 0;
    let mut hi = v.len() - 1;
    loop {
        while v[lo] < pivot {
            lo += 1;
        }
        while v[hi] > pivot {
            hi -= 1;
        }
        if lo >= hi {
            break;
        }
        v.swap(lo, hi);
        lo += 1;
        hi -= 1;
    }
    let (left, right) = v.split_at_mut(hi + 1);
    #[taskgroup(num_threads(threads))]
    {
        #[task]
        {
            quicksort(left, threads);
        }
        #[task]
        {
            quicksort(right, threads);
        }
    }
}

/// The same with sections.
#[parallel]
fn mergesort(v: &mut [u64], threads: usize) {
    if v.len() <= 32 {
        v.sort_unstable();
        return;
    }
    let mid = v.len() / 2;
    let (left, right) = v.split_at_mut(mid);
    #[sections(num_threads(threads))]
    {
        #[section]
        {
            mergesort(left, threads);
        }
        #[section]
        {
            mergesort(right, threads);
        }
    }
    let mut merged = Vec::with_capacity(v.len());
    let (a, b) = v.split_at(mid);
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            merged.push(a[i]);
            i += 1;
        } else {
            merged.push(b[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&a[i..]);
    merged.extend_from_slice(&b[j..]);
    v.copy_from_slice(&merged);
}

#[test]
fn sorting_with_tasks_and_sections() {
    for &n in LENGTHS {
        let data = ints(n, 1000, 7);
        let mut want = data.clone();
        want.sort_unstable();
        for &t in THREADS {
            let mut v = data.clone();
            quicksort(&mut v, t);
            assert_eq!(v, want, "quicksort n={n} t={t}");
            let mut v = data.clone();
            mergesort(&mut v, t);
            assert_eq!(v, want, "mergesort n={n} t={t}");
        }
    }
}

/// A task per item: each writes its own element through `iter_mut`, and
/// reads a value of the group (`scale`, copied into every task).
#[parallel]
fn per_item(x: &[u64], threads: usize) -> (Vec<u64>, u64) {
    let mut out = vec![0; x.len()];
    let mut total = 0;
    #[taskgroup(num_threads(threads))]
    {
        let scale = 3;
        for (i, o) in out.iter_mut().enumerate() {
            #[task]
            {
                *o = scale * x[i] + i as u64;
            }
        }
        #[task]
        {
            total = x.iter().sum();
        }
    }
    (out, total)
}

#[test]
fn a_task_per_item() {
    for &n in LENGTHS {
        let x = ints(n, 100, 3);
        let want: Vec<u64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| 3 * v + i as u64)
            .collect();
        for &t in THREADS {
            assert_eq!(
                per_item(&x, t),
                (want.clone(), x.iter().sum()),
                "n={n} t={t}"
            );
        }
    }
}

/// A binary tree, summed by a task per subtree above a depth.
struct Tree {
    value: u64,
    kids: Vec<Tree>,
}

fn build(depth: u32, seed: u64) -> Tree {
    let kids = if depth == 0 {
        Vec::new()
    } else {
        (0..2 + seed % 2)
            .map(|k| build(depth - 1, seed * 3 + k))
            .collect()
    };
    Tree {
        value: seed % 17,
        kids,
    }
}

fn sum_seq(t: &Tree) -> u64 {
    t.value + t.kids.iter().map(sum_seq).sum::<u64>()
}

#[parallel]
fn sum_tasks(t: &Tree, depth: u32) -> u64 {
    if depth == 0 {
        return sum_seq(t);
    }
    let mut sums = vec![0; t.kids.len()];
    #[taskgroup]
    {
        for (kid, s) in t.kids.iter().zip(sums.iter_mut()) {
            #[task]
            {
                *s = sum_tasks(kid, depth - 1);
            }
        }
    }
    t.value + sums.iter().sum::<u64>()
}

#[test]
fn a_tree_walk() {
    for depth in [0, 1, 4, 9] {
        let tree = build(depth, 1);
        for cut in [0, 2, 20] {
            assert_eq!(
                sum_tasks(&tree, cut),
                sum_seq(&tree),
                "depth {depth}, cut {cut}"
            );
        }
    }
}

/// Tasks that spawn tasks into the same group, and a task in each arm of
/// an `if` writing the same variable (only one arm runs).
#[parallel]
fn nested_and_branches(x: &[u64], flag: bool, threads: usize) -> (u64, u64, Vec<u64>) {
    let mut first = 0;
    let mut chosen = 0;
    let mut halves = vec![0; 2];
    #[taskgroup(num_threads(threads))]
    {
        let (left, right) = halves.split_at_mut(1);
        #[task]
        {
            first = x.first().copied().unwrap_or(0);
            #[task]
            {
                left[0] = x.iter().take(x.len() / 2).sum();
            }
            #[task]
            {
                right[0] = x.iter().skip(x.len() / 2).sum();
            }
        }
        if flag {
            #[task]
            {
                chosen = x.len() as u64;
            }
        } else {
            #[task]
            {
                chosen = 7;
            }
        }
    }
    (first, chosen, halves)
}

#[test]
fn tasks_of_tasks_and_branches() {
    for &n in LENGTHS {
        let x = ints(n, 50, 11);
        let half = n / 2;
        let want_halves = vec![x[..half].iter().sum(), x[half..].iter().sum()];
        let first = x.first().copied().unwrap_or(0);
        for &t in THREADS {
            assert_eq!(
                nested_and_branches(&x, true, t),
                (first, n as u64, want_halves.clone())
            );
            assert_eq!(
                nested_and_branches(&x, false, t),
                (first, 7, want_halves.clone())
            );
        }
    }
}

/// A parallel loop whose iterations each open a group of two tasks.
#[parallel]
fn groups_inside_a_loop(x: &[u64], threads: usize) -> Vec<u64> {
    let mut out = vec![0; x.len()];
    #[parallel_for(num_threads(threads))]
    for i in 0..x.len() {
        let (mut a, mut b) = (0, 0);
        #[taskgroup]
        {
            #[task]
            {
                a = x[i] * 2;
            }
            #[task]
            {
                b = fib_seq(x[i] % 12);
            }
        }
        out[i] = a + b;
    }
    out
}

/// Tasks whose bodies run parallel loops (nested loops: only idle workers).
#[parallel]
fn loops_inside_tasks(x: &[f64], threads: usize) -> (f64, Vec<f64>) {
    let mut sum = 0.0;
    let mut squares = vec![0.0; x.len()];
    #[taskgroup(num_threads(threads))]
    {
        #[task]
        {
            #[parallel_for(reduction(+: sum))]
            for i in 0..x.len() {
                sum += x[i];
            }
        }
        #[task]
        {
            #[parallel_for]
            for i in 0..x.len() {
                squares[i] = x[i] * x[i];
            }
        }
    }
    (sum, squares)
}

#[test]
fn tasks_and_loops_nest_both_ways() {
    for &n in LENGTHS {
        let x = ints(n, 40, 5);
        let want: Vec<u64> = x.iter().map(|&v| 2 * v + fib_seq(v % 12)).collect();
        let xf: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let sq: Vec<f64> = xf.iter().map(|v| v * v).collect();
        for &t in THREADS {
            assert_eq!(groups_inside_a_loop(&x, t), want, "n={n} t={t}");
            let (sum, squares) = loops_inside_tasks(&xf, t);
            assert_eq!(sum, xf.iter().sum::<f64>(), "n={n} t={t}");
            assert_eq!(squares, sq);
        }
    }
}

/// The team as tasks see it, and shared data through a `Mutex` and an
/// atomic declared before the group.
#[parallel]
fn members(tasks: usize, threads: usize) -> (Vec<(usize, usize)>, usize) {
    let seen = Mutex::new(Vec::new());
    let count = AtomicUsize::new(0);
    #[taskgroup(num_threads(threads))]
    {
        for _ in 0..tasks {
            #[task]
            {
                count.fetch_add(1, Ordering::Relaxed);
                seen.lock().unwrap().push((thread_num(), num_threads()));
            }
        }
    }
    (seen.into_inner().unwrap(), count.into_inner())
}

#[test]
fn tasks_run_as_members_of_the_team() {
    for &t in THREADS {
        let (seen, count) = members(50, t);
        assert_eq!((seen.len(), count), (50, 50));
        for (me, team) in seen {
            assert!(me < team && team <= t, "member {me} of {team}, asked {t}");
        }
    }
}

/// The value of a group, and groups with no task or empty tasks.
#[parallel]
fn values(n: u64) -> (u64, u64) {
    let mut a = 0;
    let v = #[taskgroup]
    {
        #[task]
        {
            a = n + 1;
        }
        n * 2
    };
    #[taskgroup]
    {}
    #[taskgroup]
    {
        #[task]
        {}
    }
    (v, a)
}

#[test]
fn a_group_has_the_value_of_its_block() {
    assert_eq!(values(20), (40, 21));
}

#[parallel]
fn failing(n: usize, bad: usize, threads: usize) -> Vec<usize> {
    let mut out = vec![0; n];
    #[taskgroup(num_threads(threads))]
    {
        for (i, o) in out.iter_mut().enumerate() {
            #[task]
            {
                if i == bad {
                    panic!("task {i} failed");
                }
                *o = i;
            }
        }
    }
    out
}

#[test]
fn a_panic_in_a_task_reaches_the_caller_after_the_group() {
    for &t in THREADS {
        for n in [1, 5, 200] {
            let r = catch_unwind(AssertUnwindSafe(|| failing(n, n / 2, t)));
            let payload = r.expect_err("the task's panic");
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            assert_eq!(msg, format!("task {} failed", n / 2));
            // The team is usable afterwards.
            assert_eq!(failing(n, usize::MAX, t), (0..n).collect::<Vec<_>>());
            assert_eq!(fib(15, 5, t), fib_seq(15));
        }
    }
}

/// A task in a loop's own group writes the iteration's element; a loop
/// inside a task reads the task's own items.
#[parallel]
fn element_from_a_task(x: &[u64], threads: usize) -> Vec<u64> {
    let mut out = vec![0; x.len()];
    #[parallel_for(num_threads(threads))]
    for i in 0..x.len() {
        #[taskgroup]
        {
            #[task]
            {
                out[i] = x[i] * 2;
            }
        }
    }
    out
}

#[parallel]
fn row_sums(rows: &[Vec<u64>], threads: usize) -> Vec<u64> {
    let mut out = vec![0; rows.len()];
    #[taskgroup(num_threads(threads))]
    {
        for (row, o) in rows.iter().zip(out.iter_mut()) {
            let scale = 2;
            #[task]
            {
                let mut s = 0;
                #[parallel_for(reduction(+: s))]
                for j in 0..row.len() {
                    s += row[j] * scale;
                }
                *o = s;
            }
        }
    }
    out
}

#[test]
fn tasks_in_loops_write_their_elements_and_loops_in_tasks_read_their_items() {
    for &n in LENGTHS {
        let x = ints(n, 90, 17);
        let doubled: Vec<u64> = x.iter().map(|v| 2 * v).collect();
        let rows: Vec<Vec<u64>> = (0..n.min(200)).map(|r| ints(r, 50, r as u64)).collect();
        let sums: Vec<u64> = rows.iter().map(|r| 2 * r.iter().sum::<u64>()).collect();
        for &t in THREADS {
            assert_eq!(element_from_a_task(&x, t), doubled, "n={n} t={t}");
            assert_eq!(row_sums(&rows, t), sums, "n={n} t={t}");
        }
    }
}
