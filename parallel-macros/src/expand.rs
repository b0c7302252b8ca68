//! The code a `#[parallel_for]` loop becomes.
//!
//! Input:
//!
//! ```text
//! #[parallel_for(schedule(dynamic), reduction(+: sum))]
//! for i in 0..n {
//!     y[i] = 2.0 * x[i];
//!     sum += x[i];
//! }
//! ```
//!
//! Output (locals are `__`-prefixed at `Span::mixed_site()`):
//!
//! ```text
//! {
//!     use ::parallel::__private::HandleExt as _;
//!     let __seq = ::parallel::__private::Seq::range(0, n);
//!     let __cfg = ::parallel::__private::Config { schedule: Dynamic, chunk: None, .. };
//!     let __parts = (y.__parallel_elem_handle(),);   // `y` split by element
//!     let __ty_sum = ::parallel::__private::Ty::of(&sum);
//!     if let Some((__p0,)) = ::parallel::__private::for_range(
//!         &__cfg, &__seq, __parts,
//!         |(__a0,), (__b0,)| (__ty_sum.plus(__a0, __b0),),
//!         |__lo, __hi, __windows| {                  // one chunk of iterations
//!             let (mut __w_y,) = __windows;          // this chunk's part of `y`
//!             let mut sum = __ty_sum.plus_identity();
//!             match __seq.unit_range(__lo, __hi) {
//!                 Some(__range) => for i in __range { __w_y[i] = 2.0 * x[i]; sum += x[i]; },
//!                 None => for __t in __lo..__hi {
//!                     let i = __seq.get(__t);
//!                     { __w_y[i] = 2.0 * x[i]; sum += x[i]; }
//!                 },
//!             }
//!             (sum,)
//!         },
//!     ) {
//!         sum = __ty_sum.plus(sum, __p0);           // the value before the loop, once
//!     }
//! }
//! ```

use crate::body::{self, Access, Split};
use crate::clause::{Clauses, Errors, Reduction};
use crate::loop_form::{Adapter, LoopForm};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::collections::HashSet;
use syn::{Error, ExprForLoop, Ident, Result};

/// Expands one annotated loop (its directive attribute already removed).
/// `known` holds the names bound anywhere in the host item, when there is
/// one, to report reductions on variables that were never declared.
pub fn parallel_for(
    for_loop: &ExprForLoop,
    clauses: &Clauses,
    known: Option<&HashSet<String>>,
) -> Result<TokenStream> {
    let mut errors = Errors::default();
    if let Some(known) = known {
        for r in &clauses.reductions {
            if !known.contains(&r.var.to_string()) {
                errors.push(Error::new(
                    r.var.span(),
                    format!(
                        "`reduction({}: {v})` names `{v}`, but no variable `{v}` is declared before this loop; declare it first, e.g. `let mut {v} = 0;`",
                        r.op.symbol(),
                        v = r.var
                    ),
                ));
            }
        }
    }
    let form = LoopForm::parse(for_loop);
    let mut body = for_loop.body.clone();
    let label = for_loop.label.as_ref().map(|l| &l.name);
    let var = form.as_ref().ok().and_then(|f| f.var.as_ref());
    let splits = body::analyze(var, label, clauses, &mut body);
    match (form, splits) {
        (Ok(form), Ok(splits)) => {
            errors.finish()?;
            Ok(generate(for_loop, &form, clauses, &splits, &body))
        }
        (form, splits) => {
            errors.extend(form.err());
            errors.extend(splits.err());
            errors.fail()
        }
    }
}

fn generate(
    for_loop: &ExprForLoop,
    form: &LoopForm,
    clauses: &Clauses,
    splits: &[Split],
    body: &syn::Block,
) -> TokenStream {
    let m = Span::mixed_site();
    let private = quote!(::parallel::__private);
    let some = quote!(::core::option::Option::Some);
    let none = quote!(::core::option::Option::None);
    let [range, seq, cfg, parts, windows, lo, hi, t] = [
        "__range",
        "__seq",
        "__cfg",
        "__parts",
        "__windows",
        "__lo",
        "__hi",
        "__t",
    ]
    .map(|n| Ident::new(n, m));

    // The iteration space.
    let (lo_e, hi_e) = (&form.lo, &form.hi);
    let ctor = if form.inclusive {
        quote!(range_inclusive)
    } else {
        quote!(range)
    };
    let adapters = form.adapters.iter().map(|ad| match ad {
        Adapter::StepBy(k) => quote!(.step_by(#k)),
        Adapter::Rev => quote!(.rev()),
    });

    // The clauses, evaluated once before the loop.
    let schedule = match &clauses.schedule {
        Some(s) => {
            let kind = match s.kind.to_string().as_str() {
                "dynamic" => "Dynamic",
                "guided" => "Guided",
                "auto" => "Auto",
                "runtime" => "Runtime",
                _ => "Static",
            };
            let kind = Ident::new(kind, s.kind.span());
            quote!(#private::Schedule::#kind)
        }
        None => quote!(#private::Schedule::Static),
    };
    let opt = |e: Option<&syn::Expr>| match e {
        Some(e) => quote!(#some(#e)),
        None => none.clone(),
    };
    let chunk = opt(clauses.schedule.as_ref().and_then(|s| s.chunk.as_ref()));
    let min_len = opt(clauses.min_len.as_ref());
    let num_threads = match &clauses.num_threads {
        Some(e) => quote_spanned!(m=> #some(#private::team_size(#e))),
        None => none.clone(),
    };
    let if_ = match &clauses.if_ {
        Some(e) => quote!(#e),
        None => quote!(true),
    };

    // The arrays the loop writes, each split among the tasks.
    let widths = splits.iter().filter_map(|s| match &s.access {
        Access::Row { width } => {
            let local = &s.width_local;
            Some(quote!(let #local: usize = #width;))
        }
        Access::Elem => None,
    });
    let handles = splits.iter().map(|s| {
        let name = &s.name;
        match &s.access {
            Access::Elem => quote_spanned!(name.span()=> #name.__parallel_elem_handle()),
            Access::Row { .. } => {
                let local = &s.width_local;
                quote_spanned!(name.span()=> #name.__parallel_row_handle(#local))
            }
        }
    });
    let window_names = splits.iter().map(|s| &s.window);

    // The reductions: a private copy per task, combined afterwards.
    let tys: Vec<Ident> = clauses
        .reductions
        .iter()
        .map(|r| format_ident!("__ty_{}", r.var, span = m.located_at(r.var.span())))
        .collect();
    let ty_inits = clauses.reductions.iter().zip(&tys).map(|(r, ty)| {
        let v = &r.var;
        quote!(let #ty = #private::Ty::of(&#v);)
    });
    let method = |r: &Reduction, suffix: &str| {
        format_ident!("{}{}", r.op.method_stem(), suffix, span = r.var.span())
    };
    let identities = clauses.reductions.iter().zip(&tys).map(|(r, ty)| {
        let (v, id) = (&r.var, method(r, "_identity"));
        quote_spanned!(v.span()=> #[allow(unused_mut)] let mut #v = #ty.#id();)
    });
    let vars: Vec<&Ident> = clauses.reductions.iter().map(|r| &r.var).collect();
    // Partials travel as tuples, destructured in the closures' parameters so
    // that their types need no annotation.
    let named = |prefix: &str| -> Vec<Ident> {
        (0..vars.len())
            .map(|k| format_ident!("{}{}", prefix, k, span = m))
            .collect()
    };
    let (a_k, b_k, p_k) = (named("__a"), named("__b"), named("__p"));
    let combines = clauses
        .reductions
        .iter()
        .zip(&tys)
        .zip(a_k.iter().zip(&b_k))
        .map(|((r, ty), (a, b))| {
            let f = method(r, "");
            quote_spanned!(r.var.span()=> #ty.#f(#a, #b))
        });
    let folds = clauses
        .reductions
        .iter()
        .zip(&tys)
        .zip(&p_k)
        .map(|((r, ty), p)| {
            let (v, f) = (&r.var, method(r, ""));
            quote_spanned!(v.span()=> #v = #ty.#f(#v, #p);)
        });

    let pat = &form.pat;
    let label = &for_loop.label;
    // Without reductions the closure returns the `()` of its last statement
    // (an explicit `()` would look like user code to clippy's `unused_unit`).
    let partials = if vars.is_empty() {
        TokenStream::new()
    } else {
        quote!(( #(#vars,)* ))
    };
    // The body closure carries the loop's span, so that an error about what
    // it captures (a value that is not `Sync`, say) points at the loop.
    let loop_span = for_loop.for_token.span;
    let closure = quote_spanned! {loop_span=>
            |#lo: usize, #hi: usize, #windows| {
                #[allow(unused_mut)]
                let ( #(mut #window_names,)* ) = #windows;
                #(#identities)*
                // A chunk that counts up by one runs as a loop over a plain
                // `Range`, which LLVM vectorizes; any other as `seq.get(t)`.
                match #seq.unit_range(#lo, #hi) {
                    #some(#range) => {
                        #label for #pat in #range #body
                    }
                    #none => {
                        #label for #t in #lo..#hi {
                            let #pat = #seq.get(#t);
                            #body
                        }
                    }
                }
                #partials
            }
    };
    let run = quote! {
        #private::for_range(
            &#cfg,
            &#seq,
            #parts,
            |( #(#a_k,)* ), ( #(#b_k,)* )| ( #(#combines,)* ),
            #closure,
        )
    };
    let finish = if vars.is_empty() {
        quote!(let _ = #run;)
    } else {
        quote! {
            if let #some(( #(#p_k,)* )) = #run {
                #(#folds)*
            }
        }
    };
    quote! {
        {
            #[allow(unused_imports)]
            use #private::HandleExt as _;
            let #seq = #private::Seq::#ctor(#lo_e, #hi_e) #(#adapters)*;
            let #cfg = #private::Config {
                schedule: #schedule,
                chunk: #chunk,
                num_threads: #num_threads,
                if_: #if_,
                min_len: #min_len,
            };
            #(#widths)*
            let #parts = ( #(#handles,)* );
            #(#ty_inits)*
            #finish
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(clauses: TokenStream, for_loop: ExprForLoop) -> Result<String> {
        let clauses = crate::clause::parse(clauses)?;
        parallel_for(&for_loop, &clauses, None).map(|t| t.to_string().replace(' ', ""))
    }

    #[test]
    fn expands_to_runtime_calls() {
        let out = expand(
            quote!(schedule(dynamic, 4), reduction(+: sum), num_threads(t), if(n > 10), min_len(8)),
            parse_quote!(for i in (0..n).step_by(2) {
                y[i] = x[i];
                sum += x[i];
                c[i * w + 1] = 0;
            }),
        )
        .unwrap();
        for part in [
            "Seq::range(0, n).step_by(2)",
            "Schedule::Dynamic",
            "chunk: ::core::option::Option::Some(4)",
            "team_size(t)",
            "if_: n > 10",
            "let __n_c: usize = w;",
            "y.__parallel_elem_handle()",
            "c.__parallel_row_handle(__n_c)",
            "let mut sum = __ty_sum.plus_identity()",
            "sum = __ty_sum.plus(sum, __p0)",
            "let i = __seq.get(__t)",
        ] {
            let part = part.replace(' ', "");
            assert!(out.contains(&part), "{part} missing from\n{out}");
        }
    }

    #[test]
    fn independent_errors_come_together() {
        let err = expand(
            quote!(),
            parse_quote!(for (a, b) in xs {
                s += 1;
                break;
            }),
        )
        .unwrap_err();
        assert_eq!(err.into_iter().count(), 3);
    }
}
