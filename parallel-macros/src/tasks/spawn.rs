//! The code of a group, once `check` found nothing wrong.
//!
//! Input:
//!
//! ```text
//! #[taskgroup]
//! {
//!     let base = 10;
//!     for (i, o) in out.iter_mut().enumerate() {
//!         #[task]
//!         { *o = f(i) + base; }
//!     }
//!     #[task]
//!     { total = g(&x); }
//! }
//! ```
//!
//! Output:
//!
//! ```text
//! { ::parallel::__private::taskgroup(None, |__g| {
//!     let base = 10;
//!     for (i, o) in out.iter_mut().enumerate() {
//!         {
//!             // What the task uses of the group's variables: moved in,
//!             // or copied when the group uses it again (`base`, used by
//!             // the task of every iteration).
//!             let __m0 = ::parallel::__private::Moved::new(o);
//!             let __m1 = ::parallel::__private::Moved::new(i);
//!             let __m2 = ::parallel::__private::Moved::copied(&base);
//!             __g.spawn(|| {
//!                 let o = __m0.take();
//!                 let i = __m1.take();
//!                 let base = __m2.take();
//!                 { *o = f(i) + base; }
//!             });
//!         }
//!     }
//!     // `total` and `x` are from outside the group: borrowed.
//!     __g.spawn(|| { { total = g(&x); } });
//! }) }
//! ```

use super::check::{Capture, Decisions};
use super::tree::Tree;
use super::{construct_of, task_attr};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Block, Expr, ExprBlock, Ident};

/// The group's expression: `taskgroup(threads, |__g| body)`, its tasks
/// spawned.
pub fn group(
    block: &ExprBlock,
    attr: &Attribute,
    threads: Option<Expr>,
    tree: &Tree,
    d: &Decisions,
    counter: &mut usize,
) -> Expr {
    let g = Ident::new("__g", Span::mixed_site());
    let mut body = block.block.clone();
    let mut spawner = Spawner {
        g: &g,
        captures: &d.captures,
        next: 0,
        counter,
    };
    spawner.visit_block_mut(&mut body);
    debug_assert_eq!(spawner.next, tree.tasks.len());
    let p = quote!(::parallel::__private);
    let threads = match threads {
        None => quote!(::core::option::Option::None),
        Some(n) => quote_spanned!(n.span()=> ::core::option::Option::Some(#p::team_size(#n))),
    };
    let attrs = &block.attrs;
    let label = &block.label;
    let span = attr.span();
    let call = quote_spanned!(span=> #p::taskgroup(#threads, |#g| #body));
    // A block, so that it stands as a statement without a `;`, as the
    // group's block did.
    let tokens: TokenStream = quote!(#(#attrs)* #label { #call });
    syn::parse2(tokens).unwrap_or_else(|e| {
        let err = e.to_compile_error();
        syn::parse_quote!({ #err })
    })
}

/// Replaces the group's task blocks, in the order `tree` found them.
struct Spawner<'a> {
    g: &'a Ident,
    captures: &'a [Vec<Capture>],
    next: usize,
    counter: &'a mut usize,
}

impl Spawner<'_> {
    fn spawn(&mut self, k: usize, task: &ExprBlock, body: Block) -> Expr {
        let none = Vec::new();
        let captures = self.captures.get(k).unwrap_or(&none);
        let m: Vec<Ident> = (0..captures.len())
            .map(|i| format_ident!("__m{}", *self.counter + i, span = Span::mixed_site()))
            .collect();
        *self.counter += captures.len();
        let wraps = captures.iter().map(|c| {
            // At the user's use, but from the expansion: rustc reports a
            // type that cannot be copied there, and suggests no edit of
            // code the user did not write.
            let span = c.ident.span().resolved_at(Span::call_site());
            let mut x = c.ident.clone();
            x.set_span(span);
            if c.copied {
                quote_spanned!(span=> ::parallel::__private::Moved::copied(&#x))
            } else {
                quote_spanned!(span=> ::parallel::__private::Moved::new(#x))
            }
        });
        let xs = captures.iter().map(|c| &c.ident);
        let g = self.g;
        let span = task.block.brace_token.span.join();
        let closure = quote_spanned!(span=> || { #(let #xs = #m.take();)* #body });
        let tokens = quote_spanned!(span=> {
            #(let #m = #wraps;)*
            #g.spawn(#closure);
        });
        syn::parse2(tokens).unwrap_or_else(|e| {
            let err = e.to_compile_error();
            syn::parse_quote!({ #err })
        })
    }
}

impl VisitMut for Spawner<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if construct_of(e).is_some() {
            return;
        }
        if let Expr::Block(b) = e
            && task_attr(&b.attrs).is_some()
        {
            let k = self.next;
            self.next += 1;
            let mut body = b.block.clone();
            self.visit_block_mut(&mut body);
            *e = self.spawn(k, b, body);
            return;
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
