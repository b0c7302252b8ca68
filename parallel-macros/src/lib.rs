//! Procedural macros of the [`parallel`](https://docs.rs/parallel) crate.
//!
//! Users depend on `parallel` alone, which re-exports these macros. The
//! entry points here are thin: each hands a `proc_macro2::TokenStream` to the
//! library modules, one per phase:
//!
//! - `clause`: the clause grammar of `#[parallel_for(...)]` and `#[simd_reduce(...)]`;
//! - `loop_form`: which `for` loops can be split (`a..b`, `.step_by`, `.rev`, slices);
//! - `names` and `walk`: names as rustc resolves them, and the walk both
//!   body passes share;
//! - `index` and `update`: the index model (an index as a sum of products)
//!   and the update forms of reductions;
//! - `facts`: a read-only visit of a body: every use of every captured name
//!   with its access shape, the updates, macros and control flow;
//! - `ownership`: a decision per captured variable (read-only, split by
//!   element or row, reduction, private, atomic, critical) or an error;
//! - `rewrite`: the body rewritten by the decisions;
//! - `expand`, `space`, `slot`, `kernel`: the generated code (the loop,
//!   its iteration space, its accumulator, its vectorized runs);
//! - `distributed`: `parallel_for(distributed)`, the loop split among MPI
//!   ranks, and what ranks cannot share;
//! - `flow`: control flow that would leave a loop part-way;
//! - `host`: `#[parallel]`, which finds the loop directives inside an item;
//! - `tasks`: `#[taskgroup]`, `#[task]`, `#[sections]` and `#[section]`;
//! - `show`: source text for messages.

mod clause;
mod distributed;
mod expand;
mod facts;
mod flow;
mod host;
mod index;
mod inner;
mod kernel;
mod loop_form;
mod names;
mod ownership;
mod rewrite;
mod scan;
mod show;
mod slot;
mod space;
mod tasks;
mod update;
mod walk;

use proc_macro::TokenStream;

/// Hosts loop directives: put it on a `fn`, an `impl` block or an inline
/// `mod`, and every `#[parallel_for(...)]` loop inside is rewritten.
#[doc(alias = "omp parallel")]
#[doc(alias = "omp critical")]
#[doc(alias = "omp atomic")]
#[doc(alias = "omp task")]
#[doc(alias = "omp taskgroup")]
#[doc(alias = "omp taskwait")]
#[doc(alias = "omp sections")]
#[doc(alias = "omp section")]
#[doc(alias = "pragma omp")]
#[proc_macro_attribute]
pub fn parallel(args: TokenStream, input: TokenStream) -> TokenStream {
    host::parallel(args.into(), input.into()).into()
}

/// The loop directive itself. On stable Rust it is found and expanded by
/// `#[parallel]`; on nightly (with `stmt_expr_attributes` and
/// `proc_macro_hygiene`) it also works directly on a `for` loop.
#[doc(alias = "omp parallel for")]
#[doc(alias = "omp for")]
#[doc(alias = "omp parallel for simd")]
#[doc(alias = "pragma omp parallel for")]
#[proc_macro_attribute]
pub fn parallel_for(args: TokenStream, input: TokenStream) -> TokenStream {
    host::directive(flow::Directive::ParallelFor, args.into(), input.into()).into()
}

/// A reduction loop on one thread, its reduction variables split into vector
/// lanes: `#[simd_reduce(+: sum, max: top)]`. Found by `#[parallel]` on
/// stable Rust, like `#[parallel_for]`.
#[doc(alias = "omp simd reduction")]
#[proc_macro_attribute]
pub fn simd_reduce(args: TokenStream, input: TokenStream) -> TokenStream {
    host::directive(flow::Directive::SimdReduce, args.into(), input.into()).into()
}

/// A loop on one thread whose body runs in vector lanes, the arrays it
/// indexes cut to the loop's range so that no bounds check remains. Found by
/// `#[parallel]` on stable Rust, like `#[parallel_for]`.
#[doc(alias = "omp simd")]
#[proc_macro_attribute]
pub fn simd(args: TokenStream, input: TokenStream) -> TokenStream {
    host::directive(flow::Directive::Simd, args.into(), input.into()).into()
}
