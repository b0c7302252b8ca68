//! OpenMP-style data parallelism for Rust.
//!
//! Annotate an ordinary `for` loop and it runs as chunked tasks on a thread
//! pool. Loops that would race do not compile: the error points at the line
//! and names the fix. Everything works on stable Rust.
//!
//! ```
//! use parallel::parallel;
//!
//! #[parallel]
//! fn pi(steps: usize) -> f64 {
//!     let step = 1.0 / steps as f64;
//!     let mut sum = 0.0;
//!     #[parallel_for(reduction(+: sum))]
//!     for i in 0..steps {
//!         let x = (i as f64 + 0.5) * step;
//!         sum += 4.0 / (1.0 + x * x);
//!     }
//!     sum * step
//! }
//!
//! #[parallel]
//! fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
//!     #[parallel_for(schedule(static))]
//!     for i in 0..y.len() {
//!         y[i] += a * x[i];
//!     }
//! }
//!
//! assert!((pi(1_000_000) - std::f64::consts::PI).abs() < 1e-9);
//! let mut y = vec![1.0; 1000];
//! saxpy(2.0, &vec![3.0; 1000], &mut y);
//! assert!(y.iter().all(|&v| v == 7.0));
//! ```
//!
//! Attribute macros cannot sit on statements on stable Rust, so the item
//! attribute [`parallel`] goes on the enclosing `fn` (or `impl` block, or
//! inline `mod`) and rewrites the `#[parallel_for(...)]` loops inside it.
//!
//! # The guide
//!
//! - [From OpenMP](#from-openmp), below: every directive, clause, routine
//!   and environment variable, and what to write here instead.
//! - [`guide::patterns`]: the "common core" of parallel programming (π,
//!   saxpy, dot product, a vectorized sum, min/max search, Mandelbrot, a
//!   heat stencil, matrix multiply, a histogram), two more loops (statistics with a user-defined
//!   reduction, a matrix filled under `collapse(2)`), scans (a prefix sum,
//!   a running maximum, stream compaction) and tasks (Fibonacci,
//!   quicksort, a task per item, a tree walk), each with its code and what
//!   the macro writes for you; and what to write instead of a parallel
//!   region.
//! - [`guide::schedules`]: how the iterations are split, and how to choose.
//! - [`guide::races`]: the race catalogue: every program the macro rejects,
//!   why it would race, and what to write instead.
//! - [`guide::reductions`]: how reductions work, and what they do to floats.
//! - [`guide::troubleshooting`]: the messages of the first hour's mistakes
//!   ("attributes on expressions are experimental": the `fn` lacks
//!   `#[parallel]`), and what to write instead.
//! - [`guide::distributed`]: beyond one machine, `parallel_for(distributed)`
//!   over MPI ranks (the hybrid MPI + threads model): how to launch, what
//!   travels for each loop kind, and when it pays.
//! - [`guide::ndarray`]: ndarray arrays (feature `ndarray`): written by
//!   index, reduced element-wise, walked by rows or along an axis.
//!
//! Each pattern is also a program in `examples/` that times the plain loop
//! against the annotated one and checks that they agree. The tour runs them
//! all:
//!
//! ```text
//! cargo run --release --example tour               # the table: pattern, directive, times, speedup, check
//! cargo run --release --example mandelbrot         # one pattern; writes target/mandelbrot.png
//! cargo run --release --example tour -- --quick --threads 3
//! ```
//!
//! # From OpenMP
//!
//! A C loop under `#pragma omp parallel for` becomes a Rust loop under
//! `#[parallel_for]`, with the clauses spelled the same way between the
//! parentheses, separated by commas:
//!
//! ```c
//! #pragma omp parallel for schedule(dynamic, 4) reduction(+:sum) num_threads(8)
//! for (int i = 0; i < n; i++) sum += f(i);
//! ```
//!
//! ```
//! # use parallel::parallel;
//! # fn f(i: usize) -> f64 { i as f64 }
//! #[parallel]
//! fn total(n: usize) -> f64 {
//!     let mut sum = 0.0;
//!     #[parallel_for(schedule(dynamic, 4), reduction(+: sum), num_threads(8))]
//!     for i in 0..n {
//!         sum += f(i);
//!     }
//!     sum
//! }
//! # assert_eq!(total(100), 4950.0);
//! ```
//!
//! ## Directives
//!
//! | OpenMP | `parallel` |
//! |---|---|
//! | `#pragma omp parallel for` on a `for` loop | `#[parallel_for(clauses)]` on the loop, `#[parallel]` on the enclosing `fn`, `impl` or `mod` |
//! | `#pragma omp parallel` + `#pragma omp for` | the combined form only: one `#[parallel_for]` per loop; the worker threads persist between loops |
//! | `#pragma omp atomic` (update) on `x += e` | `#[atomic]` on the statement `x += e`, or any other `x op= e`; integer and float scalars |
//! | `#pragma omp critical`, `critical(name)` on a block | `#[critical]`, `#[critical(name)]` on the block: one thread at a time per name |
//! | `#pragma omp simd reduction(+:s)` | `#[simd_reduce(+: s)]` on the loop: one thread, the reduction in vector lanes ([below](#vectorized-loops)) |
//! | `#pragma omp simd` | `#[simd]` on the loop: one thread, the arrays it indexes cut to its range so no bounds check remains |
//! | `#pragma omp parallel for simd` | `#[parallel_for(simd, clauses)]`: each thread's chunks run the vectorized body |
//! | a `parallel for` nested in another's body | a `#[parallel_for]` nested in another's body: its iterations are split among the idle workers ([below](#what-the-body-may-do)) |
//! | `nowait` | none: every loop ends with its iterations done (and its reductions combined) |
//! | `#pragma omp taskgroup` with `#pragma omp task` inside | `#[taskgroup] { .. #[task] { .. } .. }` on blocks ([below](#tasks-and-sections)) |
//! | `#pragma omp task` + `#pragma omp taskwait` | a `#[taskgroup]` block around the tasks: its end is the wait |
//! | `#pragma omp sections` / `section` | `#[sections] { #[section] { .. } #[section] { .. } }` |
//! | `#pragma omp parallel` with `single`, `masked`, `barrier`, `for nowait` | none: one `#[parallel_for]` per loop, code between loops, groups; why and what to write instead: [patterns](guide::patterns#parallel-regions-what-to-write-instead) |
//! | `ordered` | not yet: the macro names the clauses it knows |
//!
//! ```
//! use parallel::parallel;
//!
//! #[parallel]
//! fn tally(x: &[u32]) -> (u64, Vec<u32>) {
//!     let mut total = 0u64;
//!     let mut big = Vec::new();
//!     #[parallel_for]
//!     for i in 0..x.len() {
//!         #[atomic]
//!         total += x[i] as u64;
//!         if x[i] > 90 {
//!             #[critical]
//!             {
//!                 big.push(x[i]);
//!             }
//!         }
//!     }
//!     big.sort(); // pushed in no particular order
//!     (total, big)
//! }
//!
//! let x: Vec<u32> = (0..100).collect();
//! assert_eq!(tally(&x), (4950, vec![91, 92, 93, 94, 95, 96, 97, 98, 99]));
//! ```
//!
//! A variable updated under `#[atomic]` may be used only in such updates
//! inside the loop, and one written in a `#[critical]` block only inside such
//! blocks; the macro rejects any other use as a race. Both make the threads
//! wait for each other at every update: where a reduction fits (as it does
//! for `total` here), it is much faster.
//!
//! ## Clauses
//!
//! | OpenMP | `parallel` | meaning |
//! |---|---|---|
//! | `schedule(static)` | `schedule(static)`, also the default | one contiguous block of iterations per thread |
//! | `schedule(static, c)` | `schedule(static, c)` | chunks of `c` iterations, dealt round-robin |
//! | `schedule(dynamic[, c])` | `schedule(dynamic[, c])` | threads claim chunks of `c` (default 1) as they finish |
//! | `schedule(guided[, c])` | `schedule(guided[, c])` | claimed chunks of `max(c, remaining / threads)`: large first, then shrinking |
//! | `schedule(auto)` | `schedule(auto)` | the runtime's choice: claimed chunks of about `n / (4 · threads)` iterations |
//! | `schedule(runtime)` | `schedule(runtime)` | whatever `OMP_SCHEDULE` says, read once (`static` when unset) |
//! | `reduction(+: s)` | `reduction(+: s)` | each thread adds into its own `s`; the copies and the value before the loop are combined at the end ([`guide::reductions`]) |
//! | operators `+ * - & \| ^ && \|\| min max` | the same | one clause may list several variables, and clauses may repeat |
//! | array sections, `reduction(+: h[0:n])` | `reduction(+: h)` on a whole `[T; N]`, `Vec<T>` or `&mut [T]` | element-wise: a histogram's bins |
//! | `declare reduction(merge: T: ...)` | `impl` [`Reducer`] for a type, then `reduction(Merge: v)` | a user-defined reduction, updated with `Merge::combine(&mut v, e)` |
//! | MPI's `MPI_MINLOC` / `MPI_MAXLOC` | `reduction(minloc: best)`, `reduction(maxloc: best)` | the smallest / largest value of a `(value, index)` pair with its location, ties as in the plain loop ([minloc](guide::reductions#minimum-and-maximum-with-their-location)) |
//! | `num_threads(n)` | `num_threads(n)` | a team of exactly `n` members (at most `OMP_THREAD_LIMIT`; every team draws on one bounded set of worker threads) |
//! | `proc_bind(close)` | `proc_bind(primary \| close \| spread)` (`master` too) | members placed on `OMP_PLACES` by the policy, when `OMP_PROC_BIND` does not say otherwise |
//! | `if(n > 1000)` | `if(n > 1000)` | when false, the plain loop on the calling thread |
//! | `private(v)` | `private(v)` | each thread works on its own copy of `v`, a clone (Rust has no uninitialized variables); `v` itself is untouched |
//! | `firstprivate(v)` | `firstprivate(v)` | each thread's copy starts as a clone of `v` |
//! | `lastprivate(v)` | `lastprivate(v)` | after the loop, `v` holds its value after the sequentially last assignment in the loop (also when the last iteration does not assign it, where OpenMP leaves it unspecified) |
//! | `shared(v)`, `default(shared)` | `shared(v)`, or nothing: the default | captured variables are shared, read-only, except as [below](#what-the-body-may-do) |
//! | `default(none)` | `default(none)` | every variable the body uses from outside must be listed in a clause (`shared`, `reduction`, `private`, ...) |
//! | `collapse(n)` | `collapse(n)` | `n` perfectly nested range loops split as one iteration space; under `collapse(2)`, `c[i * m + j]` and `c[i][j]` are the iteration's own element ([pattern](guide::patterns#a-short-wide-matrix-collapse2)) |
//! | (a grain size, as TBB's or rayon's `with_min_len`) | `min_len(n)` | no chunk smaller than `n` iterations |
//! | (none; OpenMP leaves the order of a reduction unspecified) | `deterministic` | reductions give the same bits for any team size, schedule and run ([reductions](guide::reductions#run-to-run)) |
//! | MPI + `parallel for` (each rank its block, then `MPI_Allreduce`) | `distributed` | one contiguous block of the iterations per MPI rank (feature `mpi`), each on its team; reductions combined and written elements exchanged so every rank holds the result ([guide](guide::distributed)) |
//! | `simd` (of `parallel for simd`) | `simd` | each chunk runs the [vectorized body](#vectorized-loops); reductions in lanes (built-in operators on numbers and `bool`) |
//!
//! ```
//! use parallel::parallel;
//!
//! /// The median of each row of an `n`-column matrix, and the last row's index.
//! #[parallel]
//! fn medians(n: usize, m: &[f64]) -> (Vec<f64>, usize) {
//!     let mut row = vec![0.0; n]; // scratch space: each thread sorts its own copy
//!     let mut out = vec![0.0; m.len() / n];
//!     let mut last = 0;
//!     #[parallel_for(private(row), lastprivate(last))]
//!     for i in 0..out.len() {
//!         row.copy_from_slice(&m[i * n..(i + 1) * n]);
//!         row.sort_by(f64::total_cmp);
//!         out[i] = row[n / 2];
//!         last = i;
//!     }
//!     (out, last)
//! }
//!
//! let m = [3.0, 1.0, 2.0, 9.0, 7.0, 8.0];
//! assert_eq!(medians(3, &m), (vec![2.0, 8.0], 1));
//! ```
//!
//! ## Runtime routines
//!
//! | OpenMP | `parallel` |
//! |---|---|
//! | `omp_get_thread_num()` | [`thread_num()`]: 0-based index in the team; 0 outside a loop |
//! | `omp_get_num_threads()` | [`num_threads()`]: the team's size; 1 outside a loop |
//! | `omp_get_max_threads()` | [`max_threads()`]: the team size a loop without `num_threads` gets |
//! | `omp_set_num_threads(n)` | [`set_num_threads()`]: for later loops, process-wide |
//! | `omp_in_parallel()` | [`in_parallel()`] |
//! | `omp_get_wtime()` | [`wtime()`]: seconds, monotonic |
//! | (none) | [`simd_level()`]: the CPU level vectorized loops run at; [`set_simd_level()`] forces a lower one (tests, benchmarks) |
//!
//! ```
//! use parallel::{parallel, thread_num};
//!
//! /// Which thread ran each iteration.
//! #[parallel]
//! fn owners(n: usize) -> Vec<usize> {
//!     let mut who = vec![0; n];
//!     #[parallel_for(num_threads(2))]
//!     for i in 0..n {
//!         who[i] = thread_num();
//!     }
//!     who
//! }
//!
//! // schedule(static): thread 0 runs the first half, thread 1 the second.
//! let who = owners(100);
//! assert!(who[..50].iter().all(|&t| t == 0) && who[50..].iter().all(|&t| t == 1));
//! ```
//!
//! ## Environment variables
//!
//! | variable | effect |
//! |---|---|
//! | `OMP_NUM_THREADS=4` | the default team size (of a list such as `4,2`, the first) |
//! | `RAYON_NUM_THREADS=4` | the same, when `OMP_NUM_THREADS` is unset; else the number of CPUs |
//! | `OMP_SCHEDULE="dynamic,4"` | the schedule of `schedule(runtime)` loops: `static`, `dynamic`, `guided` or `auto`, an optional chunk, an optional `monotonic:`/`nonmonotonic:` prefix |
//! | `OMP_WAIT_POLICY=passive` | how long idle threads spin before they sleep: `active` (a second), `passive` (not at all); unset, 3 ms (about what libgomp spins) |
//! | `OMP_THREAD_LIMIT=8` | the most threads loops run on, callers included; unset, four per CPU and at least 64; a larger `num_threads` is clamped, with a warning the first time |
//! | `OMP_PROC_BIND=close` | pin team members to places: `false`, `true` (as `close`), `primary`, `close`, `spread` (of a list, the first) |
//! | `OMP_PLACES=cores` | the places: `threads`, `cores`, `sockets` (optionally `cores(4)`), or explicit CPU sets such as `{0},{1}`, `{0:4}`, `{0:2}:4:2`; setting it alone turns binding on |
//! | `OMP_DISPLAY_ENV=true` | print the settings at the first loop, as libgomp does (`verbose`: also the runtime's own) |
//! | `PARALLEL_REPORT=1` | at exit, one line per loop on stderr: where, directive, schedule, team, calls, chunks, how many ran inline or solo, vector level, time, load imbalance (slowest member / mean) |
//! | `PARALLEL_TRACE=trace.json` | at exit, write what ran as Chrome trace events: a track per thread, a slice per chunk named by the loop's `file:line`; open it in Perfetto or `chrome://tracing` ([`trace_start`] and [`trace_take`] do it from code) |
//!
//! Each is read once, when first needed; a malformed value panics with a
//! message that names the variable.
//!
//! ## On a shared machine
//!
//! Every chunk of every schedule is claimed by whichever team member gets
//! to it first, the calling thread included, so no thread ever waits for a
//! chunk that nobody has started: a member the operating system does not
//! run (the machine is busy with other programs) costs at most the chunk it
//! holds. A static schedule still gives each member its own block first,
//! and [`thread_num()`] inside a chunk is always the member the schedule
//! gave it to, whoever runs it. Loops whose helpers do not make them faster
//! (very short loops, or a machine too busy to run the helpers in time) run
//! on the calling thread alone, decided per loop from its last runs; idle
//! helpers spin only while that pays, then sleep.
//!
//! # Tasks and sections
//!
//! For recursive and irregular work, `#[taskgroup] { .. }` on a block runs
//! every `#[task] { .. }` block inside it as a task, which may run at the
//! same time as the rest of the group, and ends once all of them have run.
//! `#[sections] { #[section] { .. } #[section] { .. } }` runs each section
//! once, at the same time as the others: a group whose tasks are its
//! sections.
//!
//! ```
//! use parallel::parallel;
//!
//! #[parallel]
//! fn fib(n: u64) -> u64 {
//!     if n < 20 {
//!         return if n < 2 { n } else { fib(n - 1) + fib(n - 2) };
//!     }
//!     let (mut a, mut b) = (0, 0);
//!     #[taskgroup]
//!     {
//!         #[task]
//!         {
//!             a = fib(n - 1);
//!         }
//!         #[task]
//!         {
//!             b = fib(n - 2);
//!         }
//!     }
//!     a + b
//! }
//!
//! assert_eq!(fib(25), 75_025);
//! ```
//!
//! - **Where.** A `#[task]` block stands inside a `#[taskgroup]` block of a
//!   [`parallel`] item: as one of its statements, or of a block, loop, `if`
//!   or `match` arm inside it, or inside another task of the group (a task
//!   of a task belongs to the same group). A recursive call opens a group of
//!   its own, as a task-parallel Fibonacci does. A `#[parallel_for]` body
//!   may open a group; a task in it may not belong to a group outside the
//!   loop.
//! - **What a task may use.** The same promise as for loops: an accepted
//!   program computes what the plain program (every task run in place)
//!   computes. Variables declared before the group are borrowed: what a
//!   task writes, no other task of the group, nor the group's own code
//!   after the task's spawn, may use (the macro names the variable and
//!   both places; the borrow checker backs it). Variables declared inside
//!   the group are the task's own, taken by value when it is spawned
//!   (OpenMP's `firstprivate`), copied when the group uses them again
//!   ([`FirstPrivate`]: `Copy` types); a task may not write them, since the
//!   group would not see the write. Shared values must be [`Sync`], and
//!   what a task writes [`Send`].
//! - **Control flow.** `break`, `continue`, `return`, `?` and `.await` may
//!   not leave a task, nor `return` and `?` the group's block.
//! - **The team.** A top-level group runs its tasks on the calling thread
//!   and the idle crew workers it reserves at its first spawn (up to
//!   [`max_threads()`], or `#[taskgroup(num_threads(n))]`); the groups
//!   opened inside its tasks share them. A thread that waits for its group
//!   runs the group's queued tasks itself, so no thread waits for a task
//!   nobody has started, and tasks never start threads beyond the team.
//!   Inside a task, [`thread_num()`] is the running member, and a
//!   `#[parallel_for]` is a nested loop (only idle workers join it). With
//!   no worker to help, or a long queue, a task runs at its spawn.
//! - **Panics.** A panic in a task reaches the caller of the group once
//!   every task that started has finished; the group's tasks that had not
//!   started are dropped.
//!
//! OpenMP's parallel regions (`single`, `masked`, `barrier`, `for nowait`)
//! are not provided: a barrier needs every member running at once, which a
//! team of idle workers on a shared machine cannot promise, and every
//! statement of a region runs on every thread. The
//! [patterns page](guide::patterns#parallel-regions-what-to-write-instead)
//! says what to write instead; the
//! [race catalogue](guide::races#tasks) lists what the macro rejects in
//! tasks.
//!
//! # Loop forms
//!
//! - Integer ranges of any integer type: `a..b`, `a..=b`, with `.step_by(k)`
//!   and `.rev()` in any order. Ranges that touch the type's `MIN` or `MAX`
//!   are exact. Each iteration's value is computed from its position, so the
//!   loop is split without walking it.
//! - Slices and `Vec`s: `v.iter()`, `&v`, `v.iter_mut()`, `&mut v`,
//!   `v.chunks(k)`, `v.chunks_mut(k)`, combined with `.enumerate()` and
//!   `.zip(..)`; the loop runs over the shortest of the zipped lengths.
//! - With the feature `ndarray`: `a.rows_mut()`, `a.outer_iter_mut()`,
//!   `a.axis_iter_mut(Axis(k))` and their read-only forms; ndarray arrays
//!   are also written by index (`c[[i, j]] = ..`) and reduced
//!   element-wise: [`guide::ndarray`].
//!
//! ```
//! use parallel::parallel;
//!
//! #[parallel]
//! fn dot(x: &[f64], y: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     #[parallel_for(reduction(+: s))]
//!     for (a, b) in x.iter().zip(y) {
//!         s += a * b;
//!     }
//!     s
//! }
//!
//! #[parallel]
//! fn countdown(out: &mut [u32]) {
//!     #[parallel_for]
//!     for (i, v) in out.iter_mut().enumerate() {
//!         *v = 100 - i as u32;
//!     }
//! }
//!
//! assert_eq!(dot(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
//! let mut out = [0; 3];
//! countdown(&mut out);
//! assert_eq!(out, [100, 99, 98]);
//! ```
//!
//! # Vectorized loops
//!
//! rustc never vectorizes a plain float sum: it may not reorder the
//! additions. `#[simd_reduce(op: vars)]` gives each reduction variable 32
//! independent accumulators ("lanes"): iteration `t` of a block of 32 adds
//! into lane `t % 32`, the lanes' chains run side by side in vector
//! registers, and at the end the lanes are combined in a fixed tree. The
//! body keeps its meaning: the iterations still run in order, one per lane;
//! only the reduction variables are split. Several variables and operators
//! go in one directive, `#[simd_reduce(+: sum, max: top)]`.
//!
//! ```
//! use parallel::parallel;
//!
//! #[parallel]
//! fn norms(x: &[f32]) -> (f32, f32) {
//!     let (mut sum, mut top) = (0.0f32, 0.0f32);
//!     #[simd_reduce(+: sum, max: top)]
//!     for i in 0..x.len() {
//!         sum += x[i] * x[i];
//!         top = top.max(x[i].abs());
//!     }
//!     (sum.sqrt(), top)
//! }
//!
//! #[parallel]
//! fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
//!     #[simd]
//!     for i in 0..y.len() {
//!         y[i] += a * x[i];
//!     }
//! }
//!
//! #[parallel]
//! fn total(x: &[f64]) -> f64 {
//!     let mut s = 0.0;
//!     #[parallel_for(simd, reduction(+: s))]
//!     for i in 0..x.len() {
//!         s += x[i];
//!     }
//!     s
//! }
//!
//! let x: Vec<f32> = (0..1000).map(|i| (i % 7) as f32 - 3.0).collect();
//! assert_eq!(norms(&x).1, 3.0);
//! let mut y = vec![1.0; 1000];
//! axpy(2.0, &x, &mut y);
//! assert_eq!(y[3], 1.0);
//! assert_eq!(total(&[0.5; 1000]), 500.0);
//! ```
//!
//! - **No bounds checks.** Arrays the body indexes with the loop variable,
//!   `x[i]`, are cut to the loop's range once, before the loop. An array
//!   shorter than the range is not an error there: the plain loop runs
//!   instead, and panics where the sequential loop would. An array also
//!   written `y[i] = ..` is cut only if the body uses it no other way.
//! - **Which loops.** Integer ranges. Those that count up by one run in lanes;
//!   `.rev()` and `.step_by(k)` ranges run as the plain loop.
//! - **Any CPU.** On x86, each vectorized body is compiled three times,
//!   for AVX-512, for AVX2 + FMA and for the baseline, and the best level
//!   the CPU has is picked once, when the first vectorized loop runs
//!   ([`simd_level()`]). A default `cargo build` thus runs these loops at
//!   the speed of `-C target-cpu=native`. Other targets have one level, the
//!   baseline, and compile each body once.
//! - **The same bits on every CPU.** The lane count (32) does not depend on
//!   the level, and each lane's arithmetic is the scalar arithmetic, so a
//!   vectorized loop gives the same result at every level. It is not the
//!   sequential loop's result: the sum is regrouped, within the bound the
//!   [reductions guide](guide::reductions#vectorized-reductions) gives.
//!   `#[parallel_for(simd, deterministic, ..)]` gives the same bits for any
//!   team size too.
//! - **What is rejected.** `break`, `return` and `?` leave the loop (as for
//!   `parallel_for`); a captured variable updated like a reduction but not
//!   named in one (`s += x[i]` in a `#[simd]` loop) would chain every
//!   iteration to the previous one, and the error names the directive to
//!   write instead.
//!
//! ## Inner loops of a `parallel_for`
//!
//! The innermost loops of a `#[parallel_for]` body (`for k in a..b` or
//! `a..=b`, no directive of their own) run without bounds checks where the
//! macro can check a whole index range once, before the loop, as a Fortran
//! compiler does: reads `x[k + r]` and `x[k * n + r]` of slices the loop
//! does not write, the rows of nested ones (`a[i][k]`), the iteration's own
//! row or column of an array it writes (`c[i * n + k]`, `c[k * n + j]`,
//! `c[k][j]`), a stretch it reads outside its writes, and an element used
//! throughout (`tmp[i * n + j]` in `for k`), which then stays in a
//! register, also beside the rest of its column (trmm's
//! `b[i][j] += a[k][i] * b[k][j]` over `k` in `i + 1..m`, the rows checked
//! apart when the loop starts). The loop
//! then runs over those slices, at the CPU's level, so it vectorizes where
//! the plain loop built with `-C target-cpu=native` would. When a range
//! does not fit (an index past the end), the loop runs as written and
//! panics where the plain loop does, after the same writes. Nothing is
//! unchecked that was not checked first; the user writes no `unsafe`.
//!
//! # What the body may do
//!
//! The promise: an accepted loop computes what the plain loop computes
//! (float reductions up to reassociation, within the bound the
//! [reductions page](guide::reductions) gives). What the macro cannot
//! prove does not compile, or, where only a value at run time decides,
//! panics with a message before anything could race.
//!
//! Names are resolved as rustc resolves them: `r#i` is `i`; `let`,
//! `if let`, `match` arms, closure parameters and inner `for` loops bind
//! names for the code they cover, and `const`, `static` and `fn` items for
//! their whole block. Variables declared in the body are private to the
//! iteration. Variables captured from outside are shared and read-only,
//! except:
//!
//! - reduction variables, used only in updates of their operator's form
//!   (`s += e`, `s = s + e`, `m = m.max(e)`, `if e > m { m = e; }`,
//!   `R::combine(&mut v, e)`, …: the [update forms](guide::reductions#update-forms)),
//!   with `e` not reading them; each thread works on its own copy, and the
//!   copies and the value before the loop are combined once the loop ends;
//! - `private` and `lastprivate` variables, which each iteration assigns
//!   whole before it reads them (checked as rustc checks `let x;`; an array
//!   used element by element is a scratch buffer whose contents at the start
//!   of an iteration are unspecified, as in OpenMP); `firstprivate`
//!   variables start each thread from the value before the loop;
//! - the elements the iteration owns, for the loop variable `i`:
//!   - its element, `y[i] = ..`, `y[i] += ..`, `pts[i].x = ..`,
//!     `t[b as usize]`, and the rows of nested containers, `grid[i][j]`;
//!   - its row of a flat row-major array, `c[i * n + j]` (also
//!     `n * i + j`), and its plane, `b[i * n * n + j * n + k]` or
//!     `a[r * nq * np + q * np + p]`: the array is split into rows of the
//!     stride, so a write can never reach another iteration's row (an index
//!     outside its row panics);
//!   - its column: `a[k][i]` of a nested container (every row, or a row
//!     `c[k][i]` the loop does not change), and `b[k * n + i]` of a flat one,
//!     with `i < n` checked before the loop;
//!   - the same inside a field, `self.v[i]`, `s.rows[i][j]`: a `Vec` or slice
//!     field of `self` or of a captured struct is an array like any other.
//!
//!   Strides and row lengths are evaluated once, before the loop, so they
//!   must be values the loop cannot change: locals, constants, fields,
//!   arithmetic of those, `.len()` of a slice, array or `Vec`;
//! - the items an iterator loop hands out: `*v = ..` for `v` from `iter_mut()`;
//! - variables updated under `#[atomic]`, or written inside `#[critical]`
//!   blocks, when every use of them in the body is.
//!
//! Inside the loop, an array that the loop writes may be read at the
//! iteration's own elements, asked its `len()`, and read elsewhere only
//! where no iteration writes: fields that the loop writes in no element
//! (`p[j].x` while it writes `p[i].vx`, read from a copy made before the
//! loop), and indices that do not move with the loop variable
//! (`a[j][k]` in `for i in j + 1..n`, the row `a[k]` while it writes
//! columns `j > k`), checked when read to be outside the iterations' rows or
//! columns: inside, that loop really races, and it panics, naming the fix.
//! Reading a neighbour, or the mirror image `s[j][i]` of an element
//! `s[i][j]` the loop writes, would see another thread's write in progress,
//! and does not compile.
//!
//! A `#[parallel_for]` nested in another's body splits its iterations too,
//! among the worker threads that are idle at the time (nesting never starts
//! more threads), and may write the outer iteration's row (`c[i][j]`,
//! `c[i * n + j]` with outer `i` and inner `j`). OpenMP's default runs such
//! an inner loop on one thread; here it runs on one thread when every
//! worker is busy with the outer loop, and spreads when the outer loop has
//! fewer iterations than there are threads. `continue` works; `break`,
//! `return`, `?` and `.await` would leave the loop part-way and are rejected.
//! The std macros whose arguments are expressions (`println!`, `format!`,
//! `assert!`, `vec!`, …) are read as expressions, format strings included;
//! any other macro is opaque, and rejected when its tokens mention the loop
//! variable, an array the loop writes, a variable of a clause or directive,
//! or `self`. Shared values must be [`Sync`]: a `Mutex` or an atomic may be
//! used from the body (that is no data race, and what order their updates
//! take is yours), an `Rc` or a `Cell` may not. The
//! [race catalogue](guide::races) lists every rejection.
#![deny(missing_docs)]

/// Hosts loop directives: on a `fn`, an `impl` block or an inline `mod`, it
/// rewrites every `#[parallel_for(..)]` loop inside (and their `#[atomic]`
/// updates and `#[critical]` blocks) before the compiler sees them.
///
/// # Examples
///
/// ```
/// use parallel::parallel;
///
/// struct Grid {
///     n: usize,
/// }
///
/// #[parallel]
/// impl Grid {
///     fn checksum(&self, cells: &[u32]) -> u64 {
///         let mut sum = 0u64;
///         #[parallel_for(reduction(+: sum))]
///         for i in 0..self.n {
///             sum += u64::from(cells[i]);
///         }
///         sum
///     }
/// }
///
/// assert_eq!(Grid { n: 3 }.checksum(&[1, 2, 3, 4]), 6);
/// ```
pub use parallel_macros::parallel;

/// The loop directive: `#[parallel_for(clauses)]` on a `for` loop inside a
/// [`parallel`] item runs its iterations as chunked tasks on the pool. The
/// clauses, loop forms and body rules are in the [crate docs](crate).
///
/// # Examples
///
/// ```
/// use parallel::parallel;
///
/// #[parallel]
/// fn scale(a: f64, y: &mut [f64]) -> f64 {
///     let mut total = 0.0;
///     #[parallel_for(schedule(dynamic, 64), reduction(+: total))]
///     for v in y.iter_mut() {
///         *v *= a;
///         total += *v;
///     }
///     total
/// }
///
/// let mut y = vec![1.0; 1000];
/// assert_eq!(scale(2.0, &mut y), 2000.0);
/// ```
pub use parallel_macros::parallel_for;
pub use parallel_macros::{simd, simd_reduce};

/// Separates the two phases of a scan (OpenMP 5's `scan` directive): in a
/// loop under `#[parallel_for(reduction(inscan, op: v))]`, the statement
/// `scan!(inclusive(v));` follows the statements that update `v` and
/// precedes those that read it, which see `v` combined over the iterations
/// up to and including their own; `scan!(exclusive(v));` precedes the
/// updates, and the reads before it see the iterations before their own.
/// [`parallel`] reads it and removes it; anywhere else it does not compile.
///
/// # Examples
///
/// ```
/// use parallel::parallel;
///
/// #[parallel]
/// fn running_totals(x: &[u64], out: &mut [u64]) -> u64 {
///     let mut sum = 0;
///     #[parallel_for(reduction(inscan, +: sum))]
///     for i in 0..x.len() {
///         sum += x[i];
///         parallel::scan!(inclusive(sum));
///         out[i] = sum;
///     }
///     sum
/// }
///
/// let x: Vec<u64> = (1..=6).collect();
/// let mut out = vec![0; 6];
/// assert_eq!(running_totals(&x, &mut out), 21);
/// assert_eq!(out, [1, 3, 6, 10, 15, 21]);
/// ```
#[doc(alias = "omp scan")]
#[doc(alias = "inscan")]
#[macro_export]
macro_rules! scan {
    // What `#[parallel]` leaves in the statement's place once it has read it.
    (@read) => {};
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`scan!(..)` stands only in the body of a loop under `#[parallel_for(reduction(inscan, op: v))]`, inside a `#[parallel]` item: `scan!(inclusive(v));` between the statements that update `v` and those that read it"
        )
    };
}
/// What the task directives expand to, named here because compiler
/// messages about tasks name them: the group a `#[taskgroup]` block's
/// tasks are spawned into ([`TaskGroup`]), the value a task takes of a
/// variable declared inside its group ([`Moved`]), and the types a task
/// may copy while the group goes on using the variable ([`FirstPrivate`]:
/// the `Copy` types). Code never needs to name them.
pub use parallel_runtime::{FirstPrivate, Moved, TaskGroup};
pub use parallel_runtime::{
    Reducer, SimdLevel, Slice, SplitIndex, Trace, in_parallel, max_threads, num_threads,
    set_num_threads, set_simd_level, simd_level, thread_num, trace_start, trace_take, wtime,
};

/// Beyond one machine: `#[parallel_for(distributed, ..)]` splits a loop
/// among MPI ranks, each running its block on its own team (the hybrid
/// MPI + threads model). See the guide's page
/// [Beyond one machine](crate::guide::distributed).
///
/// MPI comes with the cargo feature `mpi`; without it (or without
/// [`init`](distributed::init), or with one process) a `distributed` loop
/// is a plain `parallel_for`, and [`rank`](distributed::rank) and
/// [`size`](distributed::size) are 0 and 1.
///
/// # Examples
///
/// ```
/// use parallel::{distributed, parallel};
///
/// #[parallel]
/// fn pi(steps: u64) -> f64 {
///     let step = 1.0 / steps as f64;
///     let mut sum = 0.0;
///     #[parallel_for(distributed, reduction(+: sum))]
///     for i in 0..steps {
///         let x = (i as f64 + 0.5) * step;
///         sum += 4.0 / (1.0 + x * x);
///     }
///     sum * step
/// }
///
/// let _mpi = distributed::init(); // `mpirun -np 4 ./pi`: four ranks
/// assert!((pi(1_000_000) - std::f64::consts::PI).abs() < 1e-9);
/// ```
pub mod distributed {
    pub use parallel_runtime::distributed::{Mpi, Wire, barrier, init, rank, size};
    #[cfg(feature = "mpi")]
    pub use parallel_runtime::distributed::{mpi, world};
}

/// What the macro expansions call. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use parallel_runtime::*;

    /// Method-call syntax for taking a split handle, so that `y` may be a
    /// `Vec` (`let mut y`), an array, or a `&mut [T]` parameter that is not
    /// itself declared `mut` (autoref reborrows it).
    pub trait HandleExt: SplitIndex {
        /// A handle that splits `self` by element.
        fn __parallel_elem_handle(&mut self) -> ElemHandle<'_, Self::Elem> {
            ElemHandle::new(self)
        }
        /// A handle that splits `self` into rows of `n` elements.
        fn __parallel_row_handle(&mut self, n: usize) -> RowHandle<'_, Self::Elem> {
            RowHandle::new(self, n)
        }
        /// A handle that splits `self`, rows of `n`, by columns.
        fn __parallel_col_handle(&mut self, n: usize) -> ColumnHandle<'_, Self::Elem> {
            ColumnHandle::new(self, n)
        }
    }
    impl<S: SplitIndex + ?Sized> HandleExt for S {}
}

/// The guide: longer topics of the crate documentation, one page each. These
/// modules hold documentation only.
pub mod guide {
    #[doc = include_str!("guide/patterns.md")]
    pub mod patterns {}

    #[doc = include_str!("guide/schedules.md")]
    #[doc = include_str!("guide/schedule-pictures.md")]
    pub mod schedules {}

    #[doc = include_str!("guide/races.md")]
    pub mod races {}

    #[doc = include_str!("guide/reductions.md")]
    pub mod reductions {}

    #[doc = include_str!("guide/distributed.md")]
    pub mod distributed {}

    #[doc = include_str!("guide/ndarray.md")]
    pub mod ndarray {}
    #[doc = include_str!("guide/troubleshooting.md")]
    pub mod troubleshooting {}
}
