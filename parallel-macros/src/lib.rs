//! Procedural macros of the [`parallel`](https://docs.rs/parallel) crate.
//!
//! Users depend on `parallel` alone, which re-exports these macros. The
//! entry points here are thin: each hands a `proc_macro2::TokenStream` to the
//! library modules, one per phase:
//!
//! - `clause`: the clause grammar of `#[parallel_for(...)]`;
//! - `loop_form`: which `for` loops can be split (`a..b`, `.step_by`, `.rev`);
//! - `scope`: which names a loop body binds itself;
//! - `body`: analysis of the body (writes, reads, control flow) and its rewrite;
//! - `expand`: the generated code;
//! - `host`: `#[parallel]`, which finds the loop directives inside an item.

mod body;
mod clause;
mod expand;
mod host;
mod loop_form;
mod scope;

use proc_macro::TokenStream;

/// Hosts loop directives: put it on a `fn`, an `impl` block or an inline
/// `mod`, and every `#[parallel_for(...)]` loop inside is rewritten.
#[proc_macro_attribute]
pub fn parallel(args: TokenStream, input: TokenStream) -> TokenStream {
    host::parallel(args.into(), input.into()).into()
}

/// The loop directive itself. On stable Rust it is found and expanded by
/// `#[parallel]`; on nightly (with `stmt_expr_attributes` and
/// `proc_macro_hygiene`) it also works directly on a `for` loop.
#[proc_macro_attribute]
pub fn parallel_for(args: TokenStream, input: TokenStream) -> TokenStream {
    host::parallel_for(args.into(), input.into()).into()
}
