//! Vectorized kernels: a range of iterations run over the arrays cut to it,
//! at the CPU's best level, with the reduction variables in lanes.
//!
//! ```text
//! Input:  s += x[i] * y[i]   (reduction(+: s); x, y read at i)
//! Output: let __fast = match span(&__seq, t0, t1) {
//!             Some((__a, __b)) => match (cut(&x, __a, __b), cut(&y, __a, __b)) {
//!                 (Some(__c0), Some(__c1)) => {
//!                     let (__v0,) = match dispatch() {
//!                         #[cfg(x86)] Dispatch::Avx512(__level) => __level.run(|| <kernel>),
//!                         #[cfg(x86)] Dispatch::Avx2(__level) => __level.run(|| <kernel>),
//!                         _ => <kernel>,                 // the baseline
//!                     };
//!                     s.__parallel_fold(op::Plus, __v0);
//!                     true
//!                 }
//!                 _ => false,
//!             },
//!             None => false,
//!         };
//!         if !__fast { <fallback> }
//!
//! where <kernel> is
//!         {
//!             let (__b0, __r0) = blocks(__c0, __nb); ..      // [T; LANES] blocks, rest
//!             let mut __l0 = lanes(op::Plus, &s);             // LANES accumulators
//!             for __k in 0..__nb {
//!                 let (__g0, __g1) = (&__b0[__k], &__b1[__k]);
//!                 for __p in 0..LANES {
//!                     let i = offset(__first, __k * LANES + __p);
//!                     let mut s = __l0[__p];
//!                     '__lane: { s += __g0[__p] * __g1[__p]; }
//!                     __l0[__p] = s;
//!                 }
//!             }
//!             <the rest: the same body on the rests, with one accumulator __t0>
//!             (fold_lanes(op::Plus, __l0, __t0),)
//!         }
//! ```
//!
//! Without reductions the kernel is one loop over the cuts,
//! `for __p in 0..__n { let i = ..; <body on __g0 = __c0, ..> }`, and each
//! mutable cut enters it as a closure parameter (`with_cut`), so that LLVM
//! knows writing it changes no value the body reads through a captured
//! reference.

use crate::clause::Reduction;
use crate::ownership::Cut;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Block, Expr, Ident, Lifetime};

/// A body rewritten for a vectorized run.
pub struct Kernel {
    pub cuts: Vec<Cut>,
    pub body: Block,
    /// The label of the block a lane's body runs in, when a `continue`
    /// leaves it.
    pub lane: Option<Lifetime>,
    /// `__pN`: the position of the current iteration in its block.
    pub position: Ident,
}

/// How a kernel treats the reduction variables.
pub struct Lanes<'a> {
    pub reductions: &'a [Reduction],
    /// In lanes (`simd`); else the variables go through the plain kernel
    /// whole, moved in and handed back, so that they live in registers.
    pub on: bool,
    /// The private, firstprivate and lastprivate variables: moved into the
    /// kernel and handed back, for the same reason (captured by reference,
    /// `temp2 += ..` in an inner loop went through memory at every step:
    /// symm ran 3.7x its plain loop).
    pub carried: Vec<Ident>,
}

/// The locals of one vectorized run.
struct Locals {
    fast: Ident,
    a: Ident,
    b: Ident,
    n: Ident,
    nb: Ident,
    k: Ident,
    first: Ident,
    level: Ident,
    start: Ident,
    end: Ident,
    /// Per cut: the slice, its blocks, its rest.
    c: Vec<Ident>,
    bl: Vec<Ident>,
    rest: Vec<Ident>,
    /// Per reduction: the starting lanes, the lanes, the rest's
    /// accumulator, the result.
    ids: Vec<Ident>,
    ls: Vec<Ident>,
    ts: Vec<Ident>,
    rs: Vec<Ident>,
}

fn named(prefix: &str, count: usize) -> Vec<Ident> {
    (0..count)
        .map(|i| format_ident!("{}{}", prefix, i, span = Span::mixed_site()))
        .collect()
}

impl Locals {
    fn new(cuts: usize, vars: usize) -> Locals {
        let m = Span::mixed_site();
        let id = |n: &str| Ident::new(n, m);
        Locals {
            fast: id("__fast"),
            a: id("__a"),
            b: id("__b"),
            n: id("__n"),
            nb: id("__nb"),
            k: id("__k"),
            first: id("__first"),
            level: id("__level"),
            start: id("__s"),
            end: id("__e"),
            c: named("__c", cuts),
            bl: named("__b", cuts),
            rest: named("__r", cuts),
            ids: named("__i", vars),
            ls: named("__l", vars),
            ts: named("__t", vars),
            rs: named("__v", vars),
        }
    }
}

/// Iterations `t0..t1` of `seq` (a `Seq`), vectorized: the arrays of the
/// kernel cut to the iterations' values, the kernel run at the CPU's level,
/// the lanes folded into the variables. When the values do not count up by
/// one or an array is too short, `fallback` runs instead (the plain loop,
/// which panics where the sequential loop would).
pub fn vector_run(
    kernel: &Kernel,
    pat: &syn::Pat,
    lanes: &Lanes,
    seq: &Ident,
    t0: &TokenStream,
    t1: &Ident,
    fallback: TokenStream,
) -> TokenStream {
    let private = quote!(::parallel::__private);
    let some = quote!(::core::option::Option::Some);
    let l = Locals::new(kernel.cuts.len(), lanes.reductions.len());
    let (fast, a, b, level) = (&l.fast, &l.a, &l.b, &l.level);
    let cut_exprs = kernel.cuts.iter().map(|cut| cut_expr(cut, &l));
    let cut_patterns = kernel
        .cuts
        .iter()
        .zip(&l.c)
        .map(|(cut, c)| quote_spanned!(cut.root.span()=> #some(#c)));
    let body = run_body(kernel, pat, lanes, seq, t0, &l);
    let vars: Vec<&Ident> = lanes.reductions.iter().map(|r| &r.var).collect();
    let rs = &l.rs;
    let out = Ident::new("__kout", Span::mixed_site());
    let carried = &lanes.carried;
    let back: Vec<Ident> = named("__kc", carried.len());
    // The kernel's result, then the carried variables back in place.
    let unpack = match (vars.is_empty(), carried.is_empty()) {
        (true, true) => TokenStream::new(),
        (false, true) => quote!(let ( #(#rs,)* ) = #out;),
        (true, false) => quote! {
            let ((), ( #(#back,)* )) = #out;
            #( #carried = #back; )*
        },
        (false, false) => quote! {
            let (( #(#rs,)* ), ( #(#back,)* )) = #out;
            #( #carried = #back; )*
        },
    };
    let finish = if lanes.on {
        let markers = lanes
            .reductions
            .iter()
            .map(|r| r.op.marker().unwrap_or_default());
        quote!(#( #vars.__parallel_fold(#markers, #rs); )*)
    } else {
        quote!(#( #vars = #rs; )*)
    };
    // The level copies exist for x86 only: elsewhere all three would
    // compile to the same code.
    let run = quote! {
        match #private::dispatch() {
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            #private::Dispatch::Avx512(#level) => #level.run(|| #body),
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            #private::Dispatch::Avx2(#level) => #level.run(|| #body),
            _ => #body,
        }
    };
    // No `let` of a `()`, and no arm that cannot be reached: an
    // `#[allow(..)]` for either would cover the user's body too.
    let run = if unpack.is_empty() {
        quote!(#run;)
    } else {
        quote!(let #out = #run;)
    };
    let no_cut = if kernel.cuts.is_empty() {
        TokenStream::new()
    } else {
        quote!(_ => false,)
    };
    quote! {
        // The kernel's `__g0[__p]` inside the user's own inner loops looks
        // to clippy like a loop that could iterate instead.
        #[allow(clippy::needless_range_loop)]
        let #fast = match #private::span(&#seq, #t0, #t1) {
            #some((#a, #b)) => match ( #(#cut_exprs,)* ) {
                ( #(#cut_patterns,)* ) => {
                    #run
                    #unpack
                    #finish
                    true
                }
                #no_cut
            },
            _ => false,
        };
        if !#fast {
            #fallback
        }
    }
}

/// The cut of one array: from the index of the first iteration, `b - a`
/// long: at `a` itself for `x[i]`; for `x[i * n + j - 1]`, that index
/// evaluated with the loop variable at its first value.
fn cut_expr(cut: &Cut, l: &Locals) -> TokenStream {
    let private = quote!(::parallel::__private);
    let (x, span) = (&cut.array, cut.root.span());
    let (a, b, s0, e0) = (&l.a, &l.b, &l.start, &l.end);
    let start = start_of(cut.terms.as_deref(), a);
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
}

/// The kernel proper: lanes when there are reductions to keep in them, else
/// one plain loop; with each mutable cut entering as a closure parameter.
fn run_body(
    kernel: &Kernel,
    pat: &syn::Pat,
    lanes: &Lanes,
    seq: &Ident,
    t0: &TokenStream,
    l: &Locals,
) -> TokenStream {
    let private = quote!(::parallel::__private);
    let vars: Vec<&Ident> = lanes.reductions.iter().map(|r| &r.var).collect();
    let body = &kernel.body;
    let body = match &kernel.lane {
        Some(lane) => quote!(#lane: #body),
        None => spliced(body),
    };
    let plain = plain_kernel(kernel, pat, &body, seq, t0, l);
    let kernel_expr = match (vars.is_empty(), lanes.on) {
        (true, _) => plain,
        (false, true) => {
            let floats = float_lanes(kernel, pat, l);
            lane_kernel(kernel, pat, lanes, (&body, floats.as_ref()), seq, t0, l)
        }
        // The reduction variables go through the plain kernel whole.
        (false, false) => quote! {
            {
                #( #[allow(unused_mut)] let mut #vars = #vars; )*
                #plain
                ( #(#vars,)* )
            }
        },
    };
    let carried = &lanes.carried;
    let kernel_expr = if carried.is_empty() {
        kernel_expr
    } else {
        let out = Ident::new("__kout", Span::mixed_site());
        quote! {{
            #( #[allow(unused_mut)] let mut #carried = #carried; )*
            let #out = #kernel_expr;
            (#out, ( #(#carried,)* ))
        }}
    };
    kernel
        .cuts
        .iter()
        .zip(&l.c)
        .rev()
        .filter(|(cut, _)| cut.write)
        .fold(
            kernel_expr,
            |inner, (_, c)| quote!(#private::with_cut(#c, |#c| #inner)),
        )
}

/// One loop over the cuts. Its trip count is the cuts' length (all are
/// `b - a` long): taken from them, it tells LLVM that `__gK[__p]` needs no
/// bounds check.
fn plain_kernel(
    kernel: &Kernel,
    pat: &syn::Pat,
    body: &TokenStream,
    seq: &Ident,
    t0: &TokenStream,
    l: &Locals,
) -> TokenStream {
    let private = quote!(::parallel::__private);
    let (n, first, a, b) = (&l.n, &l.first, &l.a, &l.b);
    let p = &kernel.position;
    let slots: Vec<&Ident> = kernel.cuts.iter().map(|cut| &cut.slot).collect();
    let c = &l.c;
    let trip = c
        .iter()
        .map(|c| quote!(#c.len()))
        .reduce(|x, y| quote!(::core::cmp::min(#x, #y)))
        .unwrap_or_else(|| quote!(#b - #a));
    quote! {
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
    }
}

/// Blocks of `LANES` iterations, each lane with its own accumulators, then
/// the rest with one, all folded in a fixed tree.
#[allow(clippy::too_many_arguments)]
fn lane_kernel(
    kernel: &Kernel,
    pat: &syn::Pat,
    lanes: &Lanes,
    (body, floats): (&TokenStream, Option<&Floats>),
    seq: &Ident,
    t0: &TokenStream,
    l: &Locals,
) -> TokenStream {
    let private = quote!(::parallel::__private);
    let (n, nb, k, first, a, b) = (&l.n, &l.nb, &l.k, &l.first, &l.a, &l.b);
    let p = &kernel.position;
    let lanes_n = quote!(#private::LANES);
    let slots: Vec<&Ident> = kernel.cuts.iter().map(|cut| &cut.slot).collect();
    let (c, bl, rest) = (&l.c, &l.bl, &l.rest);
    let splits = kernel
        .cuts
        .iter()
        .zip(c.iter().zip(bl.iter().zip(rest)))
        .map(|(cut, (c, (bl, r)))| {
            let blocks = if cut.write {
                quote!(blocks_mut)
            } else {
                quote!(blocks)
            };
            quote_spanned!(cut.root.span()=> let (#bl, #r) = #private::#blocks(#c, #nb);)
        });
    let block_of: Vec<TokenStream> = kernel
        .cuts
        .iter()
        .zip(bl)
        .map(|(cut, bl)| {
            if cut.write {
                quote!(&mut #bl[#k])
            } else {
                quote!(&#bl[#k])
            }
        })
        .collect();
    let vars: Vec<&Ident> = lanes.reductions.iter().map(|r| &r.var).collect();
    // The lane arrays are made at the variable, so that a type with no
    // lanes is reported there.
    let lane_arrays = lanes.reductions.iter().map(|r| {
        let (v, marker) = (&r.var, r.op.marker().unwrap_or_default());
        quote_spanned!(v.span()=> #private::lanes(#marker, &#v))
    });
    let markers = lanes
        .reductions
        .iter()
        .map(|r| r.op.marker().unwrap_or_default());
    let (ids, ls, ts) = (&l.ids, &l.ls, &l.ts);
    let block_loop = |body: &TokenStream, base: &TokenStream| {
        quote! {
            for #k in 0..#nb {
                #( let #slots = #block_of; )*
                #base
                for #p in 0..#lanes_n {
                    #[allow(unused_variables)]
                    let #pat = #private::offset(#first, #k * #lanes_n + #p);
                    #( #[allow(unused_mut)] let mut #vars = #ls[#p]; )*
                    #body
                    #( #ls[#p] = #vars; )*
                }
            }
        }
    };
    let plain_blocks = block_loop(body, &TokenStream::new());
    // `i as f64` as the block's first value plus the lane's position,
    // while that is exact.
    let blocks = match floats {
        None => plain_blocks,
        Some(f) => {
            let (exact, float_blocks) = (&f.exact, block_loop(&f.body, &f.base));
            quote! {
                if #exact { #float_blocks } else { #plain_blocks }
            }
        }
    };
    quote! {
        {
            let #n: usize = #b - #a;
            let #nb: usize = #n / #lanes_n;
            let #first = #seq.get(#t0);
            #(#splits)*
            #( let #ids = #lane_arrays; )*
            #( let mut #ls = #ids; )*
            #blocks
            #( let mut #ts = #ids[0]; )*
            #( let #slots = #rest; )*
            for #p in 0..#n - #nb * #lanes_n {
                #[allow(unused_variables)]
                let #pat = #private::offset(#first, #nb * #lanes_n + #p);
                #( #[allow(unused_mut)] let mut #vars = #ts; )*
                #body
                #( #ts = #vars; )*
            }
            ( #( #private::fold_lanes(#markers, #ls, #ts), )* )
        }
    }
}

/// A lane body whose `v as f64` / `v as f32` of the loop variable `v` read
/// the block's first value plus the lane's position instead: `base` makes
/// those first values, `exact` tells whether the chunk's values are small
/// enough for that to be exact (below 2^53, 2^24 for `f32`).
struct Floats {
    body: TokenStream,
    base: TokenStream,
    exact: TokenStream,
}

/// [`Floats`] for the kernel's body, when it converts the loop variable
/// (a plain name the body never binds again) to a float.
fn float_lanes(kernel: &Kernel, pat: &syn::Pat, l: &Locals) -> Option<Floats> {
    use syn::visit::Visit;
    use syn::visit_mut::VisitMut;
    let syn::Pat::Ident(pi) = pat else {
        return None;
    };
    let var = crate::names::Name::of(&pi.ident);
    struct Scan<'v> {
        var: &'v crate::names::Name,
        rebound: bool,
        widths: [bool; 2],
    }
    fn float_of(c: &syn::ExprCast, var: &crate::names::Name) -> Option<usize> {
        let is_var = matches!(&*c.expr, Expr::Path(p) if p.path.get_ident().is_some_and(|id| crate::names::Name::of(id) == *var));
        match &*c.ty {
            syn::Type::Path(t) if is_var && t.qself.is_none() => {
                match t.path.get_ident()?.to_string().as_str() {
                    "f64" => Some(0),
                    "f32" => Some(1),
                    _ => None,
                }
            }
            _ => None,
        }
    }
    impl Visit<'_> for Scan<'_> {
        fn visit_pat_ident(&mut self, p: &syn::PatIdent) {
            self.rebound |= crate::names::Name::of(&p.ident) == *self.var;
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_expr_cast(&mut self, c: &syn::ExprCast) {
            if let Some(w) = float_of(c, self.var) {
                self.widths[w] = true;
            }
            syn::visit::visit_expr_cast(self, c);
        }
        // A macro's tokens are not seen: its `i as f64` stays as written.
        fn visit_item(&mut self, _: &syn::Item) {
            self.rebound = true;
        }
    }
    let mut scan = Scan {
        var: &var,
        rebound: false,
        widths: [false; 2],
    };
    scan.visit_block(&kernel.body);
    if scan.rebound || scan.widths == [false; 2] {
        return None;
    }
    let private = quote!(::parallel::__private);
    let m = Span::mixed_site();
    let names = [Ident::new("__fk64", m), Ident::new("__fk32", m)];
    let (k, p, first, b) = (&l.k, &kernel.position, &l.first, &l.b);
    struct Swap<'v> {
        var: &'v crate::names::Name,
        with: [TokenStream; 2],
    }
    impl VisitMut for Swap<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            if let Expr::Cast(c) = e
                && let Some(w) = float_of(c, self.var)
            {
                let with = &self.with[w];
                *e = syn::parse_quote!((#with));
                return;
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
    }
    let [n64, n32] = &names;
    let mut body = kernel.body.clone();
    Swap {
        var: &var,
        with: [
            quote!(#n64 + #private::LANE_F64[#p]),
            quote!(#n32 + #private::LANE_F32[#p]),
        ],
    }
    .visit_block_mut(&mut body);
    let body = match &kernel.lane {
        Some(lane) => quote!(#lane: #body),
        None => spliced(&body),
    };
    let lanes_n = quote!(#private::LANES);
    let value = quote!(#private::offset(#first, #k * #lanes_n));
    let mut base = TokenStream::new();
    if scan.widths[0] {
        base.extend(quote!(let #n64 = #value as f64;));
    }
    if scan.widths[1] {
        base.extend(quote!(let #n32 = #value as f32;));
    }
    // Every value below 2^53 (2^24 when some are `f32`) is exact.
    let bits: u32 = if scan.widths[1] { 24 } else { 53 };
    Some(Floats {
        body,
        base,
        exact: quote!((#b as u64) <= (1u64 << #bits)),
    })
}

/// The statements of a body, for a loop block that holds them after its
/// own `let`s: the body's braces there would draw `unused_braces` on the
/// user's code.
pub fn spliced(body: &Block) -> TokenStream {
    let stmts = &body.stmts;
    quote!(#(#stmts)*)
}

/// Where a cut starts, as an `Option<usize>`: `a` for `x[i]`; for an
/// offset `x[i * n + j - 1]`, the sum of its terms with the loop variable at
/// its first value `a`, evaluated with checked arithmetic: the index of the
/// first iteration may overflow or divide by zero where the body guards it
/// (`if j > 0 { x[j - 1] }`), and then the cut fails (the plain loop runs)
/// rather than the evaluation panicking.
fn start_of(terms: Option<&[(bool, Expr)]>, a: &Ident) -> TokenStream {
    let some = quote!(::core::option::Option::Some);
    let Some(terms) = terms else {
        return quote!(#some(#a));
    };
    let m = Span::mixed_site();
    let [acc, x, y] = ["__o", "__x", "__y"].map(|n| Ident::new(n, m));
    let mut out = quote!(#some(#a));
    for (minus, term) in terms {
        let value = checked(term);
        let op = if *minus {
            quote!(checked_sub)
        } else {
            quote!(checked_add)
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

/// An invariant term as an `Option`, `None` where its arithmetic would
/// overflow or divide by zero.
pub(crate) fn checked(e: &Expr) -> TokenStream {
    // Typed, so that a literal term (`1` in `(i + 1) * n`) is a `usize`.
    let some = quote!(::core::option::Option::<usize>::Some);
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
        // A cast cannot fail; what it converts may be of another type
        // than `usize` (`m as usize` of a `u32`), so it is taken whole.
        Expr::Cast(_) => quote!(#some(#e)),
        _ => quote!(#some(#e)),
    }
}
