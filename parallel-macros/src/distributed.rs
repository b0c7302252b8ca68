//! `#[parallel_for(distributed, ..)]`: the loop split among MPI ranks.
//!
//! Each rank runs its block of the iterations as the plain `parallel_for`
//! would (the same chunk closure, accumulator and handles); what differs
//! is the call, `for_range_distributed`, which also says how each slot's
//! partial value crosses ranks, and what follows it: the exchanges of the
//! arrays the loop writes, so that every rank holds them whole.
//!
//! What the ranks cannot share is rejected here, with the rewrite: columns
//! (no rank's block holds a column's elements together), atomics and
//! critical sections (no memory is shared between ranks), scans, and a
//! `distributed` loop inside another parallel loop.
//!
//! Input:
//!
//! ```text
//! #[parallel_for(distributed, reduction(+: sum), private(tmp))]
//! for i in 0..n { tmp = x[i]; y[i] = tmp; sum += tmp; }
//! ```
//!
//! Output (in place of the plain loop's call and folds):
//!
//! ```text
//! let __wire0 = __red_sum.wire();                           // `sum`'s partials travel
//! let (__dw, __shares) = distributed::for_range_distributed(
//!     &__cfg, &__info, &__seq, __parts, <init>, <combine>, <chunk closure>,
//!     |(__a0, _)| (__a0, ()),                               // what crosses: not `tmp`
//!     |(__a0, _), __out| { __wire0.put(__a0, __out); },
//!     |__in| (__wire0.take(__in), ()),
//!     |(__a0, _), (__b0, _)| (__red_sum.combine(__a0, __b0), ()),
//! );
//! if let Some((__p0, __p1)) = __dw { <folds> }
//! y.__parallel_exchange_elems(&__shares, &__seq);           // every rank's `y[i]`
//! ```

use crate::clause::{Clauses, Errors};
use crate::loop_form::{Header, Source};
use crate::ownership::{Decisions, Ownership, Split};
use crate::slot::Slot;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::visit::Visit;
use syn::{Block, Error, ExprForLoop, Ident};

/// The rewrite for a loop whose writes no rank's block holds together.
const SUPPORTED: &str = "a `distributed` loop exchanges the elements and rows its iterations own: `y[i]`, `c[i * n + j]`, `grid[i][j]` (the row `grid[i]`, or under `collapse(2)` the element), and the items of `iter_mut()` and `chunks_mut(k)`";

/// An iterator loop over an ndarray array's sub-views, mutably: its
/// ranks' slabs are not exchanged.
pub fn check_sources(clauses: &Clauses, header: &Header, errors: &mut Errors) {
    let (Some(_), Header::Iter(form)) = (&clauses.distributed, header) else {
        return;
    };
    for source in &form.sources {
        if let Source::LanesMut(e, _) = source {
            errors.push(Error::new(
                span_of(e),
                format!("`distributed` over the sub-views of an ndarray array: {SUPPORTED}; drop `distributed`"),
            ));
        }
    }
}

/// What a `distributed` loop cannot do, each reported where it is written.
pub fn check(clauses: &Clauses, decisions: &Decisions, errors: &mut Errors) {
    let Some(word) = &clauses.distributed else {
        return;
    };
    for s in &decisions.splits {
        let shape = match s.ownership {
            Ownership::Column { .. } | Ownership::NestedColumn => "a column",
            Ownership::Axis { .. } => "an ndarray array",
            _ => continue,
        };
        errors.push(Error::new(
            s.root.span(),
            format!(
                "`distributed` with `{}` written as {shape}: {SUPPORTED}; loop over the rows (make the outer loop the `distributed` one), or drop `distributed`",
                s.key
            ),
        ));
    }
    for a in &decisions.atomics {
        errors.push(Error::new(
            a.root.span(),
            format!(
                "`#[atomic]` on `{}` in a `distributed` loop: ranks share no memory, so each would update a copy of its own and the others' updates would never reach it; use a reduction, `reduction(+: {})` with `{} += ..`",
                a.name, a.name, a.name
            ),
        ));
    }
    for section in &decisions.sections {
        let vars: Vec<String> = section.vars.iter().map(|v| format!("`{v}`")).collect();
        errors.push(Error::new(
            word.span(),
            format!(
                "`#[critical]` in a `distributed` loop (writing {}): ranks share no memory, so the section would guard a copy on each rank; write per-iteration results to an array (`out[i] = ..`) or use a reduction",
                vars.join(", ")
            ),
        ));
    }
    if let Some(inscan) = clauses.reductions.iter().find_map(|r| r.inscan.as_ref()) {
        errors.push(Error::new(
            inscan.span(),
            "`reduction(inscan, ..)` with `distributed`: a scan across ranks is not supported; drop `distributed` (the scan then runs on this process's threads)",
        ));
    }
}

/// `distributed` on loops nested in `body`, the body of a `parallel_for`:
/// a rank's loops split among ranks only from its top level.
pub fn nested(body: &Block, errors: &mut Errors) {
    struct Find<'e> {
        errors: &'e mut Errors,
    }
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_for_loop(&mut self, f: &'ast ExprForLoop) {
            for attr in &f.attrs {
                let is_loop = attr
                    .path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "parallel_for");
                if let (true, syn::Meta::List(list)) = (is_loop, &attr.meta) {
                    for tt in list.tokens.clone() {
                        if let TokenTree::Ident(id) = tt
                            && id == "distributed"
                        {
                            self.errors.push(Error::new(id.span(), "`distributed` on a loop inside another `parallel_for`: each rank's team would call MPI from many threads at once; make the outer loop the `distributed` one, or drop `distributed` here"));
                        }
                    }
                }
            }
            syn::visit::visit_expr_for_loop(self, f);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    Find { errors }.visit_block(body);
}

/// What the plain expansion has made of the loop, for the distributed call.
pub struct Call<'a> {
    /// The loop's `for` token: the call names the loop's line.
    pub span: Span,
    pub cfg: &'a Ident,
    pub info: &'a Ident,
    pub seq: &'a Ident,
    pub parts: &'a Ident,
    pub inits: &'a [TokenStream],
    pub a_k: &'a [Ident],
    pub b_k: &'a [Ident],
    pub combines: &'a [TokenStream],
    pub closure: &'a TokenStream,
    pub p_k: &'a [Ident],
    pub folds: &'a [TokenStream],
    pub slots: &'a [Slot<'a>],
    pub splits: &'a [Split],
    pub header: &'a Header,
}

/// How slot `k`'s partial value travels, if at all (a private copy
/// stays): the statement that sets `wire`. The checked method is spanned
/// at the variable, so that a type that cannot travel is reported there.
fn wire(slot: &Slot, wire: &Ident) -> Option<TokenStream> {
    let v = slot.var();
    let (local, hold) = (slot.user_local(), slot.hold());
    let p = quote_spanned!(v.span()=> ::parallel::__private);
    Some(match slot {
        Slot::Reduce(r) if matches!(r.op, crate::clause::ReduceOp::User(_)) => {
            quote_spanned!(v.span()=> let #wire = #p::Ty::of(&*#hold).wire_user();)
        }
        Slot::Reduce(_) => quote_spanned!(v.span()=> let #wire = #local.wire();),
        Slot::Loc { .. } => {
            quote_spanned!(v.span()=> let #wire = #p::Ty::of(&*#hold).wire_loc();)
        }
        Slot::Last(_) => {
            quote_spanned!(v.span()=> let #wire = #p::Ty::of(&*#hold).wire_last();)
        }
        Slot::Private(..) | Slot::Scan(_) => return None,
    })
}

/// What crosses ranks, slot by slot: the wires' setup, the patterns of the
/// accumulator, and the pieces of the closures that project, write, read
/// and combine what crosses (a private slot crosses as `()`).
#[derive(Default)]
struct Crossing {
    setup: TokenStream,
    pat_a: Vec<TokenStream>,
    pat_b: Vec<TokenStream>,
    project: Vec<TokenStream>,
    put: Vec<TokenStream>,
    take: Vec<TokenStream>,
    combine: Vec<TokenStream>,
}

impl Crossing {
    fn new(call: &Call, out: &Ident, input: &Ident) -> Crossing {
        let mut c = Crossing::default();
        for (k, slot) in call.slots.iter().enumerate() {
            let (a, b) = (&call.a_k[k], &call.b_k[k]);
            let local = format_ident!("__wire{}", k, span = Span::mixed_site());
            let Some(w) = wire(slot, &local) else {
                c.pat_a.push(quote!(_));
                c.pat_b.push(quote!(_));
                c.project.push(quote!(()));
                c.take.push(quote!(()));
                c.combine.push(quote!(()));
                continue;
            };
            c.setup.extend(w);
            c.pat_a.push(quote!(#a));
            c.pat_b.push(quote!(#b));
            // A user reducer's partials, one run per rank.
            c.project.push(match slot {
                Slot::Reduce(r) if matches!(r.op, crate::clause::ReduceOp::User(_)) => {
                    let red = slot.user_local();
                    quote!(#red.compact(#a))
                }
                _ => quote!(#a),
            });
            c.put.push(quote!(#local.put(#a, #out);));
            c.take.push(quote!(#local.take(#input)));
            c.combine.push(call.combines[k].clone());
        }
        c
    }
}

// Input:  the plain expansion's pieces (see `Call`).
// Output: the wires, the distributed call, the folds and the exchanges
//         (see the module's example).
pub fn expand(call: &Call) -> TokenStream {
    let m = Span::mixed_site();
    let d = quote!(::parallel::__private::distributed);
    let some = quote!(::core::option::Option::Some);
    let [dw, shares, out, input] = ["__dw", "__shares", "__out", "__in"].map(|n| Ident::new(n, m));
    let Crossing {
        setup,
        pat_a,
        pat_b,
        project,
        put,
        take,
        combine,
    } = Crossing::new(call, &out, &input);
    let (out_pat, in_pat) = match put.is_empty() {
        true => (quote!(_), quote!(_)),
        false => (quote!(#out), quote!(#input)),
    };
    let (cfg, info, seq, parts, closure) =
        (call.cfg, call.info, call.seq, call.parts, call.closure);
    let (inits, a_k, b_k, combines) = (call.inits, call.a_k, call.b_k, call.combines);
    let (p_k, folds) = (call.p_k, call.folds);
    // Spanned at the loop, path included, so that the runtime's
    // `#[track_caller]` names the loop's line.
    let run = quote_spanned! {call.span=>
        ::parallel::__private::distributed::for_range_distributed(
            &#cfg,
            &#info,
            &#seq,
            #parts,
            || ( #(#inits,)* ),
            |( #(#a_k,)* ), ( #(#b_k,)* )| ( #(#combines,)* ),
            #closure,
            |( #(#pat_a,)* )| ( #(#project,)* ),
            |( #(#pat_a,)* ), #out_pat| { #(#put)* },
            |#in_pat| ( #(#take,)* ),
            |( #(#pat_a,)* ), ( #(#pat_b,)* )| ( #(#combine,)* ),
        )
    };
    let exchanges = exchanges(call, &shares);
    quote! {
        #setup
        let (#dw, #shares) = #run;
        #[allow(unused_variables)]
        if let #some(( #(#p_k,)* )) = #dw {
            #(#folds)*
        }
        {
            #[allow(unused_imports)]
            use #d::ExchangeExt as _;
            #exchanges
        }
    }
}

/// Every array the loop writes, exchanged: its owned elements or rows
/// from the rank that ran them.
fn exchanges(call: &Call, shares: &Ident) -> TokenStream {
    let seq = call.seq;
    let mut out = TokenStream::new();
    // The slices an iterator loop walks mutably.
    if let Header::Iter(form) = call.header {
        for (k, source) in form.sources.iter().enumerate() {
            out.extend(match source {
                Source::IterMut(e) => quote_spanned! {span_of(e)=>
                    (#e).__parallel_exchange_elems(&#shares, &#seq);
                },
                Source::ChunksMut(e, _) => {
                    let chunk = format_ident!("__k{}", k, span = Span::mixed_site());
                    quote_spanned! {span_of(e)=>
                        (#e).__parallel_exchange_rows(&#shares, #chunk, &#seq);
                    }
                }
                _ => TokenStream::new(),
            });
        }
    }
    for s in call.splits {
        out.extend(exchange(s, shares, seq));
    }
    out
}

fn span_of(e: &impl ToTokens) -> Span {
    syn::spanned::Spanned::span(e)
}

// Input:  `y` written `y[i] = ..`; `c` written `c[i * n + j] = ..`; `p`
//         written `p[i].v = ..`
// Output: y.__parallel_exchange_elems(&__shares, &__seq);
//         c.__parallel_exchange_rows(&__shares, __n_c, &__seq);
//         p.__parallel_exchange_fields(&__shares, 1, &__seq,
//             |__e, __out| { Wire::put(&__e.v, __out); },
//             |__e, __in| { Wire::take_into(&mut __e.v, __in); });
fn exchange(s: &Split, shares: &Ident, seq: &Ident) -> TokenStream {
    let span = s.root.span();
    let array = match s.array_local() {
        Some(a) => quote!(#a),
        None => s.array.to_token_stream(),
    };
    let stride = match &s.ownership {
        Ownership::Elem | Ownership::CollapsedFlat { .. } => quote!(1usize),
        Ownership::Row { .. } => s.local.to_token_stream(),
        // `grid[i][j]` under `collapse(2)`: its rows, borrowed before the
        // loop, and the nest's row length.
        Ownership::CollapsedNested => {
            let (rows, width) = (&s.local, Ident::new("__fw", Span::mixed_site()));
            return quote_spanned! {span=>
                #shares.exchange_nested(&mut #rows, #width, &#seq);
            };
        }
        // Rejected by `check`.
        Ownership::Column { .. } | Ownership::NestedColumn | Ownership::Axis { .. } => {
            return TokenStream::new();
        }
    };
    let whole = s.written_fields.is_empty() || s.written_fields.iter().any(Vec::is_empty);
    if whole {
        return quote_spanned! {span=>
            #array.__parallel_exchange_rows(&#shares, #stride, &#seq);
        };
    }
    let m = Span::mixed_site();
    let [e, out, input] = ["__e", "__out", "__in"].map(|n| Ident::new(n, m));
    let wire = quote!(::parallel::__private::distributed::Wire);
    let places: Vec<TokenStream> = s
        .written_fields
        .iter()
        .map(|path| {
            let members = path.iter().map(|f| match f.parse::<u32>() {
                Ok(k) => syn::Member::Unnamed(syn::Index { index: k, span }),
                Err(_) => syn::Member::Named(Ident::new(f, span)),
            });
            quote!(#e #(.#members)*)
        })
        .collect();
    quote_spanned! {span=>
        #array.__parallel_exchange_fields(
            &#shares,
            #stride,
            &#seq,
            |#e, #out| { #( #wire::put(&#places, #out); )* },
            |#e, #input| { #( #wire::take_into(&mut #places, #input); )* },
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::expand::{HostInfo, parallel_for};
    use proc_macro2::TokenStream;
    use quote::quote;
    use syn::{ExprForLoop, parse_quote};

    fn expand(clauses: TokenStream, for_loop: ExprForLoop) -> syn::Result<String> {
        let clauses = crate::clause::parse(clauses)?;
        parallel_for(&for_loop, &clauses, HostInfo::default())
            .map(|t| t.to_string().replace(' ', ""))
    }

    #[test]
    fn the_call_carries_what_crosses() {
        let out = expand(
            quote!(distributed, reduction(+: sum), private(t)),
            parse_quote!(for i in 0..n {
                t = x[i];
                y[i] = t;
                c[i * w + 1] = 0;
                sum += t;
            }),
        )
        .unwrap();
        for part in [
            "distributed::for_range_distributed(",
            "let __wire0 = __red_sum.wire();",
            "|(__a0, _,)| (__a0, (),)",
            "__wire0.put(__a0, __out);",
            "|__in| (__wire0.take(__in), (),)",
            "y.__parallel_exchange_rows(&__shares, 1usize, &__seq);",
            "c.__parallel_exchange_rows(&__shares, __n_c_0, &__seq);",
        ] {
            let part = part.replace(' ', "");
            assert!(out.contains(&part), "{part} missing from\n{out}");
        }
    }

    #[test]
    fn fields_cross_alone() {
        let out = expand(
            quote!(distributed),
            parse_quote!(for i in 0..n {
                p[i].v.x = 1.0;
            }),
        )
        .unwrap();
        assert!(
            out.contains(
                "|__e,__out|{::parallel::__private::distributed::Wire::put(&__e.v.x,__out);}"
            ),
            "{out}"
        );
    }

    #[test]
    fn what_ranks_cannot_share_is_named() {
        let err = |clauses: TokenStream, l: ExprForLoop| {
            expand(clauses, l)
                .unwrap_err()
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let column = err(
            quote!(distributed),
            parse_quote!(for j in 0..n {
                for k in 0..m {
                    b[k * n + j] = 0.0;
                }
            }),
        );
        assert!(column.contains("written as a column"), "{column}");
        let atomic = err(
            quote!(distributed),
            parse_quote!(for i in 0..n {
                #[atomic]
                hits += 1;
            }),
        );
        assert!(atomic.contains("`reduction(+: hits)`"), "{atomic}");
        let inner = err(
            quote!(),
            parse_quote!(for i in 0..n {
                #[parallel_for(distributed)]
                for j in 0..m {
                    let _ = j;
                }
            }),
        );
        assert!(inner.contains("inside another `parallel_for`"), "{inner}");
    }
}
