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
//!     use ::parallel::__private::{Fold as _, HandleExt as _, PrivateOf as _, ..};
//!     let __seq = ::parallel::__private::Seq::range(0, n);
//!     let __cfg = ::parallel::__private::Config { schedule: Dynamic, chunk: None, .. };
//!     ::parallel::__private::assert_split(&y);
//!     let __parts = (y.__parallel_elem_handle(),);      // `y` split by element
//!     if let Some((__p0,)) = ::parallel::__private::for_range_with(
//!         &__cfg, &__seq, __parts,
//!         || (sum.__parallel_private(op::Plus),),        // each member's copy
//!         |(__a0,), (__b0,)| (::parallel::__private::combine(op::Plus, __a0, __b0),),
//!         |__lo, __hi, __windows, __acc| {              // one chunk of iterations
//!             let (mut __w_y,) = __windows;              // this chunk's part of `y`
//!             let (mut sum,) = __acc;
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
//!         sum.__parallel_fold(op::Plus, __p0);            // the value before the loop, once
//!     }
//! }
//! ```

use crate::body::{self, Access, Analysis, atomic_local};
use crate::clause::{Clauses, Errors, ReduceOp, Reduction};
use crate::flow::Directive;
use crate::loop_form::{Adapter, Header, Item, LoopForm, Source};
use crate::simd::{self, Kernel};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::collections::HashSet;
use syn::{Error, Expr, ExprForLoop, Ident, Result};

/// Expands one annotated loop (its directive attribute already removed).
/// `known` holds the names bound anywhere in the host item, when there is
/// one, to report reductions on variables that were never declared.
pub fn parallel_for(
    for_loop: &ExprForLoop,
    clauses: &Clauses,
    known: Option<&HashSet<String>>,
    slices: Option<&HashSet<String>>,
) -> Result<TokenStream> {
    let no_slices = HashSet::new();
    let mut errors = Errors::default();
    check_declared(clauses, known, &mut errors);
    let collapse = clauses.collapse.map_or(1, |c| c.0);
    let form = Header::parse_nest(for_loop, collapse);
    // Without a header there is no loop variable: analysing the body would
    // only add follow-on errors.
    let form = match form {
        Ok(form) => Ok(form),
        Err(e) => {
            errors.push(e);
            return errors.fail();
        }
    };
    // The body to analyze: a nest's innermost one.
    let (mut body, label) = match &form {
        Ok(Header::Nest(nest)) => (nest.body.clone(), nest.label.as_ref().map(|l| &l.name)),
        _ => (
            for_loop.body.clone(),
            for_loop.label.as_ref().map(|l| &l.name),
        ),
    };
    let var = form.as_ref().ok().and_then(|f| f.var());
    let (bound, flat) = match &form {
        Ok(Header::Iter(f)) => (
            crate::scope::pat_names(&f.pat)
                .into_iter()
                .filter(|n| Some(n) != f.index.as_ref())
                .collect(),
            None,
        ),
        Ok(Header::Nest(nest)) => {
            let vars: Vec<Ident> = nest.loops.iter().filter_map(|l| l.var.clone()).collect();
            let pair = match nest.loops.as_slice() {
                [outer, inner] => (outer.var.as_ref(), inner.var.as_ref()),
                _ => (None, None),
            };
            (vars, Some((nest.loops.len(), pair.0, pair.1)))
        }
        _ => (Vec::new(), None),
    };
    let analysis = body::analyze(var, flat, &bound, label, clauses, &mut body);
    match (form, analysis) {
        (Ok(form), Ok(analysis)) => {
            // `simd`: each chunk runs the vectorized body (range loops only).
            // A range loop's chunks run as a kernel over the arrays it reads
            // and writes at `i`, cut to the chunk (with `simd`, in lanes).
            let kernel = match (&clauses.simd, &form) {
                (_, Header::Range(range)) => {
                    let kernel = simd::analyze(
                        Directive::ParallelFor,
                        range.var.as_ref(),
                        for_loop.label.as_ref().map(|l| &l.name),
                        clauses,
                        &body,
                        // Without `simd`, reads are cut only where the host
                        // shows the array to be a slice, `Vec` or array.
                        match &clauses.simd {
                            Some(_) => None,
                            None => Some(slices.unwrap_or(&no_slices)),
                        },
                    );
                    match kernel {
                        Ok(kernel) if clauses.simd.is_some() || !kernel.cuts.is_empty() => {
                            Some(kernel)
                        }
                        Ok(_) => None,
                        Err(e) => {
                            errors.push(e);
                            None
                        }
                    }
                }
                (None, _) => None,
                (Some(simd), _) => {
                    errors.push(not_a_range("simd", simd));
                    None
                }
            };
            errors.finish()?;
            Ok(generate(
                for_loop,
                &form,
                clauses,
                &analysis,
                &body,
                kernel.as_ref(),
            ))
        }
        (form, analysis) => {
            errors.extend(form.err());
            errors.extend(analysis.err());
            errors.fail()
        }
    }
}

/// Reductions on variables that were never declared in the host item.
fn check_declared(clauses: &Clauses, known: Option<&HashSet<String>>, errors: &mut Errors) {
    let Some(known) = known else { return };
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

/// Expands a `#[simd]` or `#[simd_reduce(..)]` loop (its directive
/// attribute already removed): the vectorized run when the loop counts up by
/// one and its arrays are long enough, else the plain loop.
///
/// Input:  #[simd_reduce(+: s)] for i in a..b { s += x[i] * y[i]; }
/// Output: {
///             let __seq = Seq::range(a, b);
///             let __len = __seq.len();
///             <vector_run over 0..__len, else the plain loop over __seq>
///         }
pub fn simd_loop(
    for_loop: &ExprForLoop,
    directive: Directive,
    clauses: &Clauses,
    known: Option<&HashSet<String>>,
) -> Result<TokenStream> {
    let mut errors = Errors::default();
    check_declared(clauses, known, &mut errors);
    let form = match Header::parse(for_loop)? {
        Header::Range(form) => form,
        _ => {
            errors.push(not_a_range(directive.name(), &for_loop.expr));
            return errors.fail();
        }
    };
    let label = for_loop.label.as_ref().map(|l| &l.name);
    let kernel = simd::analyze(
        directive,
        form.var.as_ref(),
        label,
        clauses,
        &for_loop.body,
        None,
    );
    let kernel = match kernel {
        Ok(kernel) => {
            errors.finish()?;
            kernel
        }
        Err(e) => {
            errors.push(e);
            return errors.fail();
        }
    };
    let m = Span::mixed_site();
    let [seq, len, t] = ["__seq", "__len", "__t"].map(|n| Ident::new(n, m));
    let values = seq_expr(&form);
    let (pat, body, label) = (&form.pat, &for_loop.body, &for_loop.label);
    let plain = quote! {
        match #seq.unit_range(0usize, #len) {
            ::core::option::Option::Some(#t) => {
                #label for #pat in #t #body
            }
            ::core::option::Option::None => {
                #label for #t in 0usize..#len {
                    let #pat = #seq.get(#t);
                    #body
                }
            }
        }
    };
    let run = vector_run(
        &kernel,
        pat,
        &clauses.reductions,
        true,
        &seq,
        &quote!(0usize),
        &len,
        plain,
    );
    Ok(quote! {
        {
            #[allow(unused_imports)]
            use ::parallel::__private::{CutMut as _, Fold as _};
            let #seq = #values;
            let #len: usize = #seq.len();
            #run
        }
    })
}

/// The error for a vectorized directive on a loop that is not a range.
fn not_a_range(directive: &str, expr: &impl quote::ToTokens) -> Error {
    Error::new_spanned(
        expr,
        format!(
            "`{directive}` vectorizes integer range loops, `for i in a..b` (also `a..=b`, `.step_by(k)`, `.rev()`; those that count up by one run in vector lanes); loop over `0..x.len()` and index `x[i]`"
        ),
    )
}

/// Iterations `t0..t1` of `seq` (a `Seq`), vectorized: the arrays of the
/// kernel cut to the iterations' values, the kernel run at the CPU's level
/// on lanes of the reduction variables, and the lanes folded into the
/// variables. When the values do not count up by one or an array is too
/// short, `fallback` runs instead (the plain loop, which panics where the
/// sequential loop would).
///
/// Input:  s += x[i] * y[i]   (reduction(+: s); x, y read at i)
/// Output: let __fast = match span(&__seq, t0, t1) {
///             Some((__a, __b)) => match (cut(&x, __a, __b), cut(&y, __a, __b)) {
///                 (Some(__c0), Some(__c1)) => {
///                     let (__r0,) = match dispatch() {
///                         Dispatch::Avx512(__level) => __level.run(|| <kernel>),
///                         Dispatch::Avx2(__level) => __level.run(|| <kernel>),
///                         Dispatch::Baseline => <kernel>,
///                     };
///                     s.__parallel_fold(op::Plus, __r0);
///                     true
///                 }
///                 _ => false,
///             },
///             None => false,
///         };
///         if !__fast { <fallback> }
///
/// where <kernel> is
///         {
///             let (__b0, __r0) = blocks(__c0, __nb); ..      // [T; LANES] blocks, rest
///             let mut __l0 = lanes(op::Plus, &s);             // LANES accumulators
///             for __k in 0..__nb {
///                 let (__g0, __g1) = (&__b0[__k], &__b1[__k]);
///                 for __p in 0..LANES {
///                     let i = offset(__first, __k * LANES + __p);
///                     let mut s = __l0[__p];
///                     { s += __g0[__p] * __g1[__p]; }
///                     __l0[__p] = s;
///                 }
///             }
///             <the rest: the same body on the rests, with one accumulator __t0>
///             (fold_lanes(op::Plus, __l0, __t0),)
///         }
///
/// Without reductions the kernel is one loop over the cuts,
/// `for __p in 0..__n { let i = ..; <body on __g0 = __c0, ..> }`, and each
/// mutable cut enters it as a closure parameter (`with_cut`).
#[allow(clippy::too_many_arguments)]
fn vector_run(
    kernel: &Kernel,
    pat: &syn::Pat,
    reductions: &[Reduction],
    lanes_on: bool,
    seq: &Ident,
    t0: &TokenStream,
    t1: &Ident,
    fallback: TokenStream,
) -> TokenStream {
    let m = Span::mixed_site();
    let private = quote!(::parallel::__private);
    let some = quote!(::core::option::Option::Some);
    let [fast, a, b, n, nb, k, first, level] = [
        "__fast", "__a", "__b", "__n", "__nb", "__k", "__first", "__level",
    ]
    .map(|n| Ident::new(n, m));
    let p = kernel.position.clone();
    let lanes = quote!(#private::LANES);
    let named = |prefix: &str, count: usize| -> Vec<Ident> {
        (0..count)
            .map(|i| format_ident!("{}{}", prefix, i, span = m))
            .collect()
    };
    let cuts = &kernel.cuts;
    let (c, bl, rest) = (
        named("__c", cuts.len()),
        named("__b", cuts.len()),
        named("__r", cuts.len()),
    );
    let slots: Vec<&Ident> = cuts.iter().map(|cut| &cut.slot).collect();
    // Each cut runs from the index of the first iteration, `b - a` long: at
    // `a` itself for `x[i]`; for `x[i * n + j - 1]`, that index evaluated
    // with the loop variable at its first value.
    let [s0, e0] = ["__s", "__e"].map(|n| Ident::new(n, m));
    let cut_exprs = cuts.iter().map(|cut| {
        let (x, span) = (&cut.array, cut.root.span());
        let start = start_of(cut.terms.as_deref(), &a);
        let take = match (cut.write, x) {
            // A window's row is ours: no deref to check, and evaluated once.
            (true, Expr::MethodCall(_)) => quote_spanned!(span=> #x.__cut_mut(#s0, #e0)),
            (true, _) => {
                quote_spanned!(span=> { #private::assert_cut(&#x); #x.__cut_mut(#s0, #e0) })
            }
            (false, _) => quote_spanned!(span=> #private::cut(&#x, #s0, #e0)),
        };
        quote_spanned! {span=>
            match #start.and_then(|#s0: usize| #s0.checked_add(#b - #a).map(|#e0| (#s0, #e0))) {
                ::core::option::Option::Some((#s0, #e0)) => #take,
                ::core::option::Option::None => ::core::option::Option::None,
            }
        }
    });
    let cut_patterns = cuts
        .iter()
        .zip(&c)
        .map(|(cut, c)| quote_spanned!(cut.root.span()=> ::core::option::Option::Some(#c)));
    let splits = cuts
        .iter()
        .zip(c.iter().zip(bl.iter().zip(&rest)))
        .map(|(cut, (c, (bl, r)))| {
            if cut.write {
                quote_spanned!(cut.root.span()=> let (#bl, #r) = #private::blocks_mut(#c, #nb);)
            } else {
                quote_spanned!(cut.root.span()=> let (#bl, #r) = #private::blocks(#c, #nb);)
            }
        });
    let block_of = cuts.iter().zip(&bl).map(|(cut, bl)| {
        if cut.write {
            quote!(&mut #bl[#k])
        } else {
            quote!(&#bl[#k])
        }
    });
    // One lane array and one rest accumulator per reduction variable.
    let vars: Vec<&Ident> = reductions.iter().map(|r| &r.var).collect();
    // The lane arrays are made at the variable, so that a type with no lanes
    // is reported there.
    let ids = named("__i", vars.len());
    let lane_arrays = reductions.iter().map(|r| {
        let (v, marker) = (&r.var, r.op.marker().unwrap_or_default());
        quote_spanned!(v.span()=> #private::lanes(#marker, &#v))
    });
    let markers: Vec<TokenStream> = reductions
        .iter()
        .map(|r| r.op.marker().unwrap_or_default())
        .collect();
    let (ls, ts, rs) = (
        named("__l", vars.len()),
        named("__t", vars.len()),
        named("__v", vars.len()),
    );
    // Without reductions the kernel ends with its loop (an explicit `()`
    // would look like user code to clippy's `unused_unit`).
    let results = if vars.is_empty() {
        TokenStream::new()
    } else {
        quote!(( #( #private::fold_lanes(#markers, #ls, #ts), )* ))
    };
    let result_pattern = if vars.is_empty() {
        TokenStream::new()
    } else {
        quote!(let ( #(#rs,)* ) =)
    };
    let body = &kernel.body;
    let body = match &kernel.lane {
        Some(lane) => quote!(#lane: #body),
        None => quote!(#body),
    };
    // Without reductions there are no lanes to keep: the body runs over the
    // cut slices in one plain loop, which LLVM vectorizes at its own width
    // (blocks would invite it to vectorize across them, with gathers).
    // The trip count is the cuts' length (all are `b - a` long): taken
    // from them, it tells LLVM that `__gK[__p]` needs no bounds check.
    let trip = c
        .iter()
        .map(|c| quote!(#c.len()))
        .reduce(|a, b| quote!(::core::cmp::min(#a, #b)))
        .unwrap_or_else(|| quote!(#b - #a));
    let plain_kernel = quote! {
        {
            let #n: usize = #trip;
            let #first = #seq.get(#t0);
            #( let #slots = #c; )*
            for #p in 0..#n {
                #[allow(unused_variables)]
                let #pat = #private::offset(#first, #p);
                #body
            }
        }
    };
    let kernel_expr = quote! {
        {
            let #n: usize = #b - #a;
            let #nb: usize = #n / #lanes;
            let #first = #seq.get(#t0);
            #(#splits)*
            #( let #ids = #lane_arrays; )*
            #( let mut #ls = #ids; )*
            for #k in 0..#nb {
                #( let #slots = #block_of; )*
                for #p in 0..#lanes {
                    #[allow(unused_variables)]
                    let #pat = #private::offset(#first, #k * #lanes + #p);
                    #( #[allow(unused_mut)] let mut #vars = #ls[#p]; )*
                    #body
                    #( #ls[#p] = #vars; )*
                }
            }
            #( let mut #ts = #ids[0]; )*
            #( let #slots = #rest; )*
            for #p in 0..#n - #nb * #lanes {
                #[allow(unused_variables)]
                let #pat = #private::offset(#first, #nb * #lanes + #p);
                #( #[allow(unused_mut)] let mut #vars = #ts; )*
                #body
                #( #ts = #vars; )*
            }
            #results
        }
    };
    // Without `simd`, the reduction variables go through the plain kernel
    // whole: moved in and handed back, so that they live in registers
    // rather than behind the closure's references.
    let whole_kernel = quote! {
        {
            #( #[allow(unused_mut)] let mut #vars = #vars; )*
            #plain_kernel
            ( #(#vars,)* )
        }
    };
    let kernel_expr = match (vars.is_empty(), lanes_on) {
        (true, _) => plain_kernel,
        (false, true) => kernel_expr,
        (false, false) => whole_kernel,
    };
    let finish = if lanes_on {
        quote!(#( #vars.__parallel_fold(#markers, #rs); )*)
    } else {
        quote!(#( #vars = #rs; )*)
    };
    // The mutable cuts enter the kernel as parameters of closures, so that
    // LLVM knows (from `noalias`) that writing them changes no value the
    // body reads through a captured reference (`a` in `y[i] += a * x[i]`),
    // and keeps such values in registers.
    let kernel_expr = cuts.iter().zip(&c).rev().filter(|(cut, _)| cut.write).fold(
        kernel_expr,
        |inner, (_, c)| quote!(#private::with_cut(#c, |#c| #inner)),
    );
    quote! {
        // The kernel's `__g0[__p]` inside the user's own inner loops looks
        // to clippy like a loop that could iterate instead.
        #[allow(unreachable_patterns, clippy::needless_range_loop)]
        let #fast = match #private::span(&#seq, #t0, #t1) {
            #some((#a, #b)) => match ( #(#cut_exprs,)* ) {
                ( #(#cut_patterns,)* ) => {
                    #result_pattern match #private::dispatch() {
                        #private::Dispatch::Avx512(#level) => #level.run(|| #kernel_expr),
                        #private::Dispatch::Avx2(#level) => #level.run(|| #kernel_expr),
                        #private::Dispatch::Baseline => #kernel_expr,
                    };
                    #finish
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if !#fast {
            #fallback
        }
    }
}

/// Where a cut starts, as an `Option<usize>`: `a` for `x[i]`; for an
/// offset `x[i * n + j - 1]`, the sum of its terms with the loop variable at
/// its first value `a`, evaluated with checked arithmetic: the index of the
/// first iteration may overflow or divide by zero where the body guards it
/// (`if j > 0 { x[j - 1] }`), and then the cut fails (the plain loop runs)
/// rather than the evaluation panicking.
fn start_of(terms: Option<&[(bool, Option<Expr>)]>, a: &Ident) -> TokenStream {
    let some = quote!(::core::option::Option::Some);
    let Some(terms) = terms else {
        return quote!(#some(#a));
    };
    let m = Span::mixed_site();
    let [acc, x, y] = ["__o", "__x", "__y"].map(|n| Ident::new(n, m));
    let mut out = quote!(#some(0usize));
    for (plus, term) in terms {
        let value = match term {
            None => quote!(#some(#a)),
            Some(term) => checked(term),
        };
        let op = if *plus {
            quote!(checked_add)
        } else {
            quote!(checked_sub)
        };
        out = quote! {
            match (#out, #value) {
                (#some(#x), #some(#y)) => #x.#op(#y),
                _ => ::core::option::Option::None,
            }
        };
    }
    quote!({ let #acc: ::core::option::Option<usize> = #out; #acc })
}

/// An invariant term (see `simd::Lanes::invariant`) as an `Option`,
/// `None` where its arithmetic would overflow or divide by zero.
fn checked(e: &Expr) -> TokenStream {
    let some = quote!(::core::option::Option::Some);
    let m = Span::mixed_site();
    let [x, y] = ["__x", "__y"].map(|n| Ident::new(n, m));
    match e {
        Expr::Paren(p) => checked(&p.expr),
        Expr::Group(g) => checked(&g.expr),
        Expr::Binary(b) => {
            let op = match b.op {
                syn::BinOp::Add(_) => quote!(checked_add),
                syn::BinOp::Sub(_) => quote!(checked_sub),
                syn::BinOp::Mul(_) => quote!(checked_mul),
                syn::BinOp::Div(_) => quote!(checked_div),
                syn::BinOp::Rem(_) => quote!(checked_rem),
                _ => return quote!(#some(#e)),
            };
            let (l, r) = (checked(&b.left), checked(&b.right));
            quote! {
                match (#l, #r) {
                    (#some(#x), #some(#y)) => #x.#op(#y),
                    _ => ::core::option::Option::None,
                }
            }
        }
        Expr::Cast(c) => {
            let (inner, ty) = (checked(&c.expr), &c.ty);
            quote!(#inner.map(|#x| #x as #ty))
        }
        _ => quote!(#some(#e)),
    }
}

fn generate(
    for_loop: &ExprForLoop,
    form: &Header,
    clauses: &Clauses,
    analysis: &Analysis,
    body: &syn::Block,
    kernel: Option<&Kernel>,
) -> TokenStream {
    let splits = &analysis.splits;
    let m = Span::mixed_site();
    let private = quote!(::parallel::__private);
    let some = quote!(::core::option::Option::Some);
    let none = quote!(::core::option::Option::None);
    let [acc, range, seq, cfg, parts, windows, lo, hi, t] = [
        "__acc",
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

    // The iteration space, and for iterator loops the slices they walk.
    let nested = splits.iter().any(|s| matches!(s.access, Access::Nested));
    let space = Space::new(form, &seq, &t, analysis.flat_width.as_ref(), nested);

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
    let deterministic = clauses.deterministic.is_some();
    let if_ = match &clauses.if_ {
        Some(e) => quote!(#e),
        None => quote!(true),
    };

    // The arrays the loop writes, each split among the tasks.
    let flat_width = Ident::new("__fw", m);
    // Written arrays must be split types themselves: no deref to one.
    let split_checks = splits.iter().map(|s| {
        let name = &s.name;
        quote_spanned!(name.span()=> #private::assert_split(&#name);)
    });
    let widths = splits.iter().filter_map(|s| match &s.access {
        Access::Row { width } => {
            let local = &s.width_local;
            Some(quote!(let #local: usize = #width;))
        }
        // The rows of a nested container, borrowed for the loop.
        Access::Nested => {
            let (local, name) = (&s.width_local, &s.name);
            Some(quote_spanned!(name.span()=> let mut #local = #name.__parallel_nested_rows();))
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
            Access::Nested => {
                let local = &s.width_local;
                quote!(#local.handle(#flat_width))
            }
        }
    });
    let window_names: Vec<&Ident> = space
        .windows
        .iter()
        .chain(splits.iter().map(|s| &s.window))
        .collect();
    let source_handles = &space.handles;

    // The member's accumulator: one slot per reduction, private and
    // lastprivate variable. Each member starts from `init`, every chunk takes
    // the accumulator and hands it back, and the members' accumulators are
    // combined in a fixed tree.
    let slots = Slot::all(clauses);
    let inits = slots.iter().map(|s| s.init());
    let (a_k, b_k, p_k) = (
        named(&slots, "__a"),
        named(&slots, "__b"),
        named(&slots, "__p"),
    );
    let combines = slots
        .iter()
        .zip(a_k.iter().zip(&b_k))
        .map(|(s, (a, b))| s.combine(a, b));
    let takes = slots.iter().map(|s| s.take());
    let gives: Vec<TokenStream> = slots.iter().map(|s| s.give(&hi)).collect();
    let chunk_starts = slots.iter().map(|s| s.chunk_start());
    // Without slots the closure returns the `()` of its last statement (an
    // explicit `()` would look like user code to clippy's `unused_unit`).
    let gives = if gives.is_empty() {
        TokenStream::new()
    } else {
        quote!(( #(#gives,)* ))
    };
    let folds = slots.iter().zip(&p_k).map(|(s, p)| s.fold(p));
    let setups = slots.iter().map(|s| s.setup());
    // A private or lastprivate variable that the body writes was declared
    // `mut` for the plain loop; only copies are written here, so borrow it
    // once to keep `unused_mut` quiet about a `mut` the plain loop needs.
    let mut_touches = slots.iter().filter_map(|s| match s {
        Slot::Private(v) | Slot::Last(v) if analysis.assigned.contains(&v.to_string()) => {
            Some(quote_spanned!(v.span()=> let _ = &mut #v;))
        }
        _ => None,
    });

    // `#[atomic]` scalars live in an atomic cell during the loop; the
    // variables of each `#[critical]` section behind one lock.
    let mut shared_setup = Vec::new();
    let mut shared_finish = Vec::new();
    // In the body an atomic variable is a marker: a use the analysis could
    // not see (inside an unknown macro) is a type error, not a stale read.
    let atomic_shadows = analysis.atomics.iter().map(|x| {
        quote_spanned!(x.span()=> #[allow(unused_variables)] let #x = #private::UpdatedByAtomicInThisLoop;)
    });
    for x in &analysis.atomics {
        let cell = atomic_local(x);
        shared_setup.push(quote_spanned!(x.span()=> let #cell = #private::AtomicCell::new(#x);));
        shared_finish.push(quote_spanned!(x.span()=> #x = #cell.into_inner();));
    }
    for section in &analysis.sections {
        let (lock, vars) = (&section.lock, &section.vars);
        shared_setup.push(quote! {
            let #lock = #private::Critical::new(( #((#vars).__parallel_mut(),)* ));
        });
    }
    let label = match form {
        Header::Nest(nest) => &nest.label,
        _ => &for_loop.label,
    };
    let space_setup = &space.setup;
    let chunk_loop = match form {
        Header::Range(form) => {
            let pat = &form.pat;
            quote! {
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
            }
        }
        Header::Iter(form) => {
            let (pat, item) = (&form.pat, &space.item);
            quote! {
                #label for #t in #lo..#hi {
                    let #pat = #item;
                    #body
                }
            }
        }
        Header::Nest(nest) => nest_loop(nest, &lo, &hi, body),
    };
    // `simd`: the chunk runs vectorized when it can, else as above.
    let chunk_loop = match (kernel, form) {
        (Some(kernel), Header::Range(range)) => vector_run(
            kernel,
            &range.pat,
            &clauses.reductions,
            clauses.simd.is_some(),
            &seq,
            &quote!(#lo),
            &hi,
            chunk_loop,
        ),
        _ => chunk_loop,
    };
    // The body closure carries the loop's span, so that an error about what
    // it captures (a value that is not `Sync`, say) points at the loop.
    let loop_span = for_loop.for_token.span;
    let closure = quote_spanned! {loop_span=>
            |#lo: usize, #hi: usize, #windows, #acc| {
                #[allow(unused_mut)]
                let ( #(mut #window_names,)* ) = #windows;
                #[allow(unused_mut)]
                let ( #(#takes,)* ) = #acc;
                #(#chunk_starts)*
                #(#atomic_shadows)*
                #chunk_loop
                #gives
            }
    };
    quote! {
        {
            #[allow(unused_imports)]
            use #private::{CutMut as _, Fold as _, HandleExt as _, MutExt as _, NestedExt as _, PrivateOf as _};
            #space_setup
            let #cfg = #private::Config {
                schedule: #schedule,
                chunk: #chunk,
                num_threads: #num_threads,
                if_: #if_,
                min_len: #min_len,
                deterministic: #deterministic,
            };
            #(#split_checks)*
            #(#widths)*
            let #parts = ( #(#source_handles,)* #(#handles,)* );
            #(#mut_touches)*
            #(#setups)*
            #(#shared_setup)*
            #[allow(unused_variables)]
            if let #some(( #(#p_k,)* )) = #private::for_range_with(
                &#cfg,
                &#seq,
                #parts,
                || ( #(#inits,)* ),
                |( #(#a_k,)* ), ( #(#b_k,)* )| ( #(#combines,)* ),
                #closure,
            ) {
                #(#folds)*
            }
            #(#shared_finish)*
        }
    }
}

/// The iteration space of a loop, as code.
struct Space {
    /// Statements before the loop that define `__seq` (and the slices).
    setup: TokenStream,
    /// Handles of the slices an iterator loop writes (`iter_mut`, `chunks_mut`).
    handles: Vec<TokenStream>,
    /// Their windows, in the same order.
    windows: Vec<Ident>,
    /// An iterator loop's item for iteration `__t`.
    item: TokenStream,
}

impl Space {
    // Input:  for i in (a..b).step_by(k)
    // Output: let __seq = Seq::range(a, b).step_by(k);
    //
    // Input:  for (i, (x, y)) in xs.iter().zip(ys.iter_mut()).enumerate()
    // Output: let __src0 = &(xs)[..];
    //         let __h1 = (ys).__parallel_elem_handle();
    //         let __seq = Seq::range(0usize, min(__src0.len(), __h1.elements()));
    //         ... per iteration: let (i, (x, y)) = (__t, (&__src0[__t], &mut __iw1[__t]));
    fn new(
        form: &Header,
        seq: &Ident,
        t: &Ident,
        flat_width: Option<&syn::Expr>,
        nested: bool,
    ) -> Space {
        let m = Span::mixed_site();
        let private = quote!(::parallel::__private);
        match form {
            Header::Range(form) => {
                let values = seq_expr(form);
                Space {
                    setup: quote!(let #seq = #values;),
                    handles: Vec::new(),
                    windows: Vec::new(),
                    item: TokenStream::new(),
                }
            }
            // Input:  collapse(2): for i in a..b { for j in c..d { .. } }
            // Output: let __s0 = Seq::range(a, b); let __s1 = Seq::range(c, d);
            //         let __seq = Flat2::new(__s0, __s1, <row length of the writes>);
            // (deeper nests: `Seq::range(0, nest_len(..))` over the flattened space)
            Header::Nest(nest) => {
                let mut setup = TokenStream::new();
                let seqs: Vec<Ident> = (0..nest.loops.len())
                    .map(|k| format_ident!("__s{}", k, span = m))
                    .collect();
                for (form, s) in nest.loops.iter().zip(&seqs) {
                    let values = seq_expr(form);
                    setup.extend(quote!(let #s = #values;));
                }
                match seqs.as_slice() {
                    [s0, s1] => {
                        // The row length of `c[i * m + j]`, or for nested
                        // containers alone one that holds every `j`.
                        let width = match flat_width {
                            Some(w) => quote!(#w),
                            None if nested => quote!(#private::index_span(&#s1)),
                            None => quote!(0usize),
                        };
                        let fw = Ident::new("__fw", m);
                        setup.extend(quote! {
                            let #fw: usize = #width;
                            let #seq = #private::Flat2::new(#s0, #s1, #fw);
                        });
                    }
                    _ => setup.extend(quote! {
                        let #seq = #private::Seq::range(0usize, #private::nest_len(&[ #(#seqs.len(),)* ]));
                    }),
                }
                Space {
                    setup,
                    handles: Vec::new(),
                    windows: Vec::new(),
                    item: TokenStream::new(),
                }
            }
            Header::Iter(form) => {
                let mut setup = TokenStream::new();
                let mut handles = Vec::new();
                let mut windows = Vec::new();
                let mut lens = Vec::new();
                let mut items = Vec::new();
                for (k, source) in form.sources.iter().enumerate() {
                    let [src, h, w, chunk] = ["__src", "__h", "__iw", "__k"]
                        .map(|p| format_ident!("{}{}", p, k, span = m));
                    match source {
                        // The collection is evaluated once, checked to be a
                        // slice type itself (no deref), and cut to a slice.
                        Source::Iter(e) | Source::Chunks(e, _) => {
                            setup.extend(quote! {
                                let #src = &(#e);
                                #private::assert_slice(#src);
                                let #src: &[_] = &#src[..];
                            });
                            if let Source::Chunks(_, size) = source {
                                setup.extend(quote!(let #chunk: usize = #size;));
                                lens.push(quote!(#private::chunk_count(#src.len(), #chunk)));
                                items.push(quote!(#private::chunk(#src, #chunk, #t)));
                            } else {
                                lens.push(quote!(#src.len()));
                                items.push(quote!(&#src[#t]));
                            }
                        }
                        Source::IterMut(e) => {
                            setup.extend(quote! {
                                #private::assert_split(&(#e));
                                let #h = (#e).__parallel_elem_handle();
                            });
                            lens.push(quote!(#h.elements()));
                            handles.push(quote!(#h));
                            items.push(quote!(&mut #w[#t]));
                            windows.push(w);
                        }
                        Source::ChunksMut(e, size) => {
                            setup.extend(quote! {
                                #private::assert_split(&(#e));
                                let #chunk: usize = #size;
                                let #h = (#e).__parallel_row_handle(#chunk);
                            });
                            lens.push(quote!(#h.rows()));
                            handles.push(quote!(#h));
                            items.push(quote!(#w.row(#t)));
                            windows.push(w);
                        }
                    }
                }
                let len = lens
                    .into_iter()
                    .reduce(|a, b| quote!(::core::cmp::min(#a, #b)))
                    .unwrap_or_else(|| quote!(0usize));
                setup.extend(quote!(let #seq = #private::Seq::range(0usize, #len);));
                Space {
                    setup,
                    handles,
                    windows,
                    item: item_expr(&form.item, &items, t),
                }
            }
        }
    }
}

/// The chunk `__lo..__hi` of a `collapse(n)` nest: the flattened iterations
/// are walked as runs of the innermost loop, each with its outer values.
///
/// Input:  for i in s0 { for j in s1 { body } }   (chunk lo..hi)
/// Output: let mut __t = lo;
///         while __t < hi {
///             let __u0 = __t % n1; let i = __s0.get(__t / n1);
///             let __end = min(n1, __u0 + (hi - __t));
///             for j in <s1 over __u0..__end> body
///             __t += __end - __u0;
///         }
fn nest_loop(
    nest: &crate::loop_form::Nest,
    lo: &Ident,
    hi: &Ident,
    body: &syn::Block,
) -> TokenStream {
    let m = Span::mixed_site();
    let some = quote!(::core::option::Option::Some);
    let none = quote!(::core::option::Option::None);
    let seqs: Vec<Ident> = (0..nest.loops.len())
        .map(|k| format_ident!("__s{}", k, span = m))
        .collect();
    let [t, u, u0, end, rest, range] =
        ["__t", "__u", "__u0", "__end", "__rest", "__range"].map(|n| Ident::new(n, m));
    let (Some((inner_seq, outer_seqs)), Some((inner, outer))) =
        (seqs.split_last(), nest.loops.split_last())
    else {
        return TokenStream::new();
    };
    // The outer values, innermost-but-one first: k-th from `__rest`.
    let mut outer_bindings = TokenStream::new();
    for (s, form) in outer_seqs.iter().zip(outer).rev() {
        let pat = &form.pat;
        outer_bindings.extend(quote! {
            let #pat = #s.get(#rest % #s.len());
            let #rest = #rest / #s.len();
        });
    }
    let pat = &inner.pat;
    let label = &nest.label;
    quote! {
        let mut #t = #lo;
        while #t < #hi {
            let #u0 = #t % #inner_seq.len();
            let #rest = #t / #inner_seq.len();
            #outer_bindings
            let _ = #rest;
            let #end = ::core::cmp::min(#inner_seq.len(), #u0 + (#hi - #t));
            match #inner_seq.unit_range(#u0, #end) {
                #some(#range) => {
                    #label for #pat in #range #body
                }
                #none => {
                    #label for #u in #u0..#end {
                        let #pat = #inner_seq.get(#u);
                        #body
                    }
                }
            }
            #t += #end - #u0;
        }
    }
}

/// The values of a range loop: `Seq::range(a, b).step_by(k).rev()`, ….
fn seq_expr(form: &LoopForm) -> TokenStream {
    let (lo, hi) = (&form.lo, &form.hi);
    let ctor = if form.inclusive {
        quote!(range_inclusive)
    } else {
        quote!(range)
    };
    let adapters = form.adapters.iter().map(|ad| match ad {
        Adapter::StepBy(k) => quote!(.step_by(#k)),
        Adapter::Rev => quote!(.rev()),
    });
    quote!(::parallel::__private::Seq::#ctor(#lo, #hi) #(#adapters)*)
}

/// The item of iteration `t`: sources' elements, enumerated and zipped.
fn item_expr(item: &Item, sources: &[TokenStream], t: &Ident) -> TokenStream {
    match item {
        Item::Source(k) => sources.get(*k).cloned().unwrap_or_default(),
        Item::Enumerate(inner) => {
            let inner = item_expr(inner, sources, t);
            quote!((#t, #inner))
        }
        Item::Zip(a, b) => {
            let (a, b) = (item_expr(a, sources, t), item_expr(b, sources, t));
            quote!((#a, #b))
        }
    }
}

/// Locals `prefix0`, `prefix1`, … for the slots of the accumulator.
fn named(slots: &[Slot], prefix: &str) -> Vec<Ident> {
    (0..slots.len())
        .map(|k| format_ident!("{}{}", prefix, k, span = Span::mixed_site()))
        .collect()
}

/// One variable of the accumulator.
enum Slot<'a> {
    /// `reduction(op: v)`: a copy filled with the identity, combined by `op`.
    Reduce(&'a Reduction),
    /// `private(v)` / `firstprivate(v)`: a clone per member, dropped after.
    Private(&'a Ident),
    /// `lastprivate(v)`: a clone per member, with whether its last chunk
    /// ran the loop's last iteration; that one is copied out.
    Last(&'a Ident),
}

impl<'a> Slot<'a> {
    fn all(clauses: &'a Clauses) -> Vec<Slot<'a>> {
        let mut slots: Vec<Slot> = clauses.reductions.iter().map(Slot::Reduce).collect();
        for v in clauses.private.iter().chain(&clauses.firstprivate) {
            if !clauses.lastprivate.contains(v) {
                slots.push(Slot::Private(v));
            }
        }
        slots.extend(clauses.lastprivate.iter().map(Slot::Last));
        slots
    }

    fn var(&self) -> &'a Ident {
        match self {
            Slot::Reduce(r) => &r.var,
            Slot::Private(v) | Slot::Last(v) => v,
        }
    }

    /// The local that holds a user-defined reducer's functions.
    fn user_local(&self) -> Ident {
        let v = self.var();
        format_ident!(
            "__red_{}",
            v,
            span = Span::mixed_site().located_at(v.span())
        )
    }

    /// Before the loop: a user-defined reducer is checked once against the
    /// variable's type, so that a reducer that does not fit is one error.
    fn setup(&self) -> TokenStream {
        match self {
            Slot::Reduce(Reduction {
                op: ReduceOp::User(path),
                var,
            }) => {
                let local = self.user_local();
                quote_spanned!(var.span()=> let #local = ::parallel::__private::Ty::of(&#var).user_reduction::<#path>();)
            }
            _ => TokenStream::new(),
        }
    }

    /// A member's starting copy (evaluated once per member, before its
    /// first chunk).
    fn init(&self) -> TokenStream {
        let v = self.var();
        match self {
            Slot::Reduce(r) => match r.op.marker() {
                Some(marker) => quote_spanned!(v.span()=> #v.__parallel_private(#marker)),
                None => {
                    let local = self.user_local();
                    quote_spanned!(v.span()=> #local.private())
                }
            },
            Slot::Private(_) => quote_spanned!(v.span()=> ::core::clone::Clone::clone(&#v)),
            Slot::Last(_) => {
                quote_spanned!(v.span()=> (::core::clone::Clone::clone(&#v), ::core::option::Option::<usize>::None))
            }
        }
    }

    fn combine(&self, a: &Ident, b: &Ident) -> TokenStream {
        let v = self.var();
        match self {
            Slot::Reduce(r) => match r.op.marker() {
                Some(marker) => {
                    quote_spanned!(v.span()=> ::parallel::__private::combine(#marker, #a, #b))
                }
                None => {
                    let local = self.user_local();
                    quote_spanned!(v.span()=> #local.combine(#a, #b))
                }
            },
            Slot::Private(_) => quote!(#a),
            Slot::Last(_) => quote_spanned!(v.span()=> ::parallel::__private::later(#a, #b)),
        }
    }

    /// The pattern that unpacks the slot into the body's variable.
    fn take(&self) -> TokenStream {
        let v = self.var();
        match self {
            Slot::Reduce(_) | Slot::Private(_) => quote!(mut #v),
            Slot::Last(_) => {
                let mark = format_ident!("__lpm_{}", v, span = Span::mixed_site());
                quote!((mut #v, #mark))
            }
        }
    }

    /// Per chunk, before its iterations: a `lastprivate` variable's
    /// assigned-in-this-chunk flag.
    fn chunk_start(&self) -> TokenStream {
        match self {
            Slot::Last(v) => {
                let flag = body::lastprivate_flag(v);
                quote!(#[allow(unused_mut, unused_assignments)] let mut #flag = false;)
            }
            _ => TokenStream::new(),
        }
    }

    /// The slot packed again at the end of a chunk. A `lastprivate` copy
    /// records the end of the last chunk that assigned it: the copy with the
    /// highest mark holds the value of the sequentially last assignment.
    fn give(&self, hi: &Ident) -> TokenStream {
        let v = self.var();
        match self {
            Slot::Reduce(_) | Slot::Private(_) => quote!(#v),
            Slot::Last(_) => {
                let mark = format_ident!("__lpm_{}", v, span = Span::mixed_site());
                let flag = body::lastprivate_flag(v);
                quote!((#v, if #flag { ::core::option::Option::Some(#hi) } else { #mark }))
            }
        }
    }

    /// After the loop: the combined slot into the variable.
    fn fold(&self, p: &Ident) -> TokenStream {
        let v = self.var();
        match self {
            Slot::Reduce(r) => match r.op.marker() {
                Some(marker) => quote_spanned!(v.span()=> #v.__parallel_fold(#marker, #p);),
                None => {
                    let local = self.user_local();
                    quote_spanned!(v.span()=> #local.fold(&mut #v, #p);)
                }
            },
            Slot::Private(_) => TokenStream::new(),
            Slot::Last(_) => quote_spanned! {v.span()=>
                if let (__value, ::core::option::Option::Some(_)) = #p {
                    #v = __value;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(clauses: TokenStream, for_loop: ExprForLoop) -> Result<String> {
        let clauses = crate::clause::parse(clauses)?;
        parallel_for(&for_loop, &clauses, None, None).map(|t| t.to_string().replace(' ', ""))
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
            "|| (sum.__parallel_private(::parallel::__private::op::Plus),)",
            "::parallel::__private::combine(::parallel::__private::op::Plus, __a0, __b0)",
            "let (mut sum,) = __acc;",
            "sum.__parallel_fold(::parallel::__private::op::Plus, __p0);",
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
            parse_quote!(for a in 0..n {
                s += 1;
                break;
            }),
        )
        .unwrap_err();
        assert_eq!(err.into_iter().count(), 2);
    }
}
