//! The code a loop directive becomes.
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
//!     let __hold_sum = sum.__parallel_hold();            // `sum` held until the fold
//!     if let Some((__p0,)) = ::parallel::__private::for_range_info(
//!         &__cfg, &__info, &__seq, __parts,            // `__info`: the directive, `proc_bind`
//!         || ((*__hold_sum).__parallel_private(op::Plus),),   // each member's copy
//!         |(__a0,), (__b0,)| (::parallel::__private::combine(op::Plus, __a0, __b0),),
//!         |__lo, __hi, __windows, __acc| {              // one chunk of iterations
//!             let (mut y,) = __windows;                  // this chunk's window of `y`
//!             let (mut sum,) = __acc;                    // this member's `sum`
//!             match __seq.unit_range(__lo, __hi) {
//!                 Some(__range) => for i in __range { y[i] = 2.0 * x[i]; sum += x[i]; },
//!                 None => for __t in __lo..__hi {
//!                     let i = __seq.get(__t);
//!                     { y[i] = 2.0 * x[i]; sum += x[i]; }
//!                 },
//!             }
//!             (sum,)
//!         },
//!     ) {
//!         (*__hold_sum).__parallel_fold(op::Plus, __p0);  // the value before the loop, once
//!     }
//! }
//! ```

use crate::clause::{Clauses, Errors};
use crate::facts::{self, Facts, Loop};
use crate::flow::{Directive, Flow};
use crate::kernel::{Kernel, Lanes, spliced, vector_run};
use crate::loop_form::{Adapter, Header};
use crate::names::{Name, pattern_bindings};
use crate::ownership::{self, Decisions, Ownership, Plan, Split};
use crate::rewrite::{self, KernelCuts};
use crate::slot::{Slot, named};
use crate::space::{Space, nest_loop, seq_expr};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use std::collections::HashSet;
use syn::{Block, Error, Expr, ExprForLoop, Ident, Lifetime, Result};

/// What the host item tells the expansion.
#[derive(Clone, Copy, Default)]
pub struct HostInfo<'a> {
    /// The names bound anywhere in it, to report reductions on variables
    /// that were never declared.
    pub known: Option<&'a HashSet<Name>>,
    /// The names it binds to slices, `Vec`s and arrays only.
    pub slices: Option<&'a HashSet<Name>>,
    /// Those it binds to slices of slices.
    pub rows: Option<&'a HashSet<Name>>,
}

/// A loop analysed: its body, the facts, the plan and the decisions.
struct Analysis<'a> {
    body: Block,
    label: Option<&'a syn::Label>,
    loop_vars: Vec<Name>,
    pattern: Vec<Ident>,
    facts: Facts,
    plan: Plan<'a>,
    decisions: Decisions,
    /// A scan's update statements, which its first pass runs (the body
    /// keeps them, without the `scan!` statement).
    scan_update: Option<Vec<syn::Stmt>>,
    /// What the host knows of its names' types, for the inner loops' cuts.
    host: HostInfo<'a>,
}

impl<'a> Analysis<'a> {
    fn new(
        directive: Directive,
        for_loop: &'a ExprForLoop,
        header: &'a Header,
        clauses: &'a Clauses,
    ) -> Result<Analysis<'a>> {
        let (body, label) = match header {
            Header::Nest(nest) => (nest.body.clone(), nest.label.as_ref()),
            _ => (for_loop.body.clone(), for_loop.label.as_ref()),
        };
        let vars: Vec<Ident> = match header {
            Header::Range(f) => f.var.iter().cloned().collect(),
            Header::Iter(f) => f.index.iter().cloned().collect(),
            Header::Nest(nest) => nest.loops.iter().filter_map(|l| l.var.clone()).collect(),
        };
        let pattern = match header {
            Header::Iter(f) => pattern_bindings(&f.pat)
                .into_iter()
                .filter(|n| Some(n) != f.index.as_ref())
                .collect(),
            _ => Vec::new(),
        };
        let descending = match header {
            Header::Range(f) => {
                f.adapters
                    .iter()
                    .filter(|a| matches!(a, Adapter::Rev))
                    .count()
                    % 2
                    == 1
            }
            _ => false,
        };
        let loop_vars: Vec<Name> = vars.iter().map(Name::of).collect();
        let lp = Loop {
            directive,
            label: label.map(|l| &l.name),
            vars: loop_vars.clone(),
            pattern: pattern.clone(),
        };
        let facts = facts::collect(&lp, &body);
        let plan = Plan {
            directive,
            clauses,
            vars,
            collapse: clauses.collapse.map(|c| c.depth).filter(|d| *d >= 2),
            descending,
            bound: match header {
                Header::Range(f) => Some(crate::show::key(&f.hi)),
                _ => None,
            },
        };
        let decisions = ownership::decide(&facts, &plan, &body)?;
        let mut body = body;
        let scan_update = match (decisions.scan, facts.scans.first()) {
            (Some(k), Some(scan)) if k < body.stmts.len() => {
                let update = if scan.inclusive {
                    body.stmts[..k].to_vec()
                } else {
                    body.stmts[k + 1..].to_vec()
                };
                body.stmts[k] = crate::scan::spent(scan);
                Some(update)
            }
            _ => None,
        };
        Ok(Analysis {
            host: HostInfo::default(),
            scan_update,
            body,
            label,
            loop_vars,
            pattern,
            facts,
            plan,
            decisions,
        })
    }

    fn flow(&self) -> Flow<'_> {
        Flow::new(self.plan.directive, self.label.map(|l| &l.name))
    }

    fn lastprivate(&self) -> Vec<Name> {
        self.plan.clauses.lastprivate.iter().map(Name::of).collect()
    }

    /// The body of a chunk: accesses redirected by the decisions, inner
    /// loops versioned.
    fn chunk_body(&self) -> Block {
        let mut body = self.chunk_body_plain();
        self.version_inner(&mut body);
        body
    }

    /// The body of a chunk: accesses redirected by the decisions.
    fn chunk_body_plain(&self) -> Block {
        let mut body = self.body.clone();
        let position = rewrite::position(self.flow(), self.loop_vars.clone(), self.pattern.clone());
        rewrite::rewrite(
            &mut body,
            position,
            self.plan.frame(),
            &self.decisions,
            &self.lastprivate(),
            None,
        );
        body
    }

    /// The innermost loops of a rewritten body, versioned over cuts.
    fn version_inner(&self, body: &mut Block) -> bool {
        let empty = HashSet::new();
        let arrays = crate::inner::Arrays {
            slices: self.host.slices.unwrap_or(&empty),
            rows: self.host.rows.unwrap_or(&empty),
            windows: self
                .decisions
                .splits
                .iter()
                .map(|s| Name::of(&s.window))
                .collect(),
        };
        crate::inner::version(body, &arrays)
    }

    /// Whether the chunk's body has inner loops to run over cuts: then it
    /// runs as a kernel (at the CPU's level) even with nothing to cut by
    /// the parallel variable, so that those loops vectorize as `-C
    /// target-cpu=native` would.
    fn has_inner_cuts(&self) -> bool {
        let mut body = self.chunk_body_plain();
        self.version_inner(&mut body)
    }

    /// The body of a vectorized kernel over `cuts`.
    fn kernel(&self, cuts: Vec<ownership::Cut>, id: usize) -> Kernel {
        let mut body = self.body.clone();
        let position_ident = format_ident!("__p{}", id, span = Span::mixed_site());
        let lane = Lifetime::new(&format!("'__lane{id}"), Span::mixed_site());
        let position = rewrite::position(self.flow(), self.loop_vars.clone(), self.pattern.clone());
        let kernel = KernelCuts {
            cuts: &cuts,
            position: position_ident.clone(),
            lane: lane.clone(),
        };
        let used = rewrite::rewrite(
            &mut body,
            position,
            self.plan.frame(),
            &self.decisions,
            &self.lastprivate(),
            Some(&kernel),
        );
        self.version_inner(&mut body);
        Kernel {
            cuts,
            body,
            lane: used.then_some(lane),
            position: position_ident,
        }
    }
}

/// Expands one `#[parallel_for]` loop (its directive attribute removed).
pub fn parallel_for(
    for_loop: &ExprForLoop,
    clauses: &Clauses,
    host: HostInfo,
) -> Result<TokenStream> {
    let mut errors = Errors::default();
    check_declared(clauses, host.known, &mut errors);
    let depth = clauses.collapse.map_or(1, |c| c.depth);
    // Without a header there is no loop variable: analysing the body would
    // only add follow-on errors.
    let header = match Header::parse_nest(for_loop, depth) {
        Ok(h) => h,
        Err(e) => {
            errors.push(e);
            return errors.fail();
        }
    };
    if let (Some(simd), Header::Iter(_) | Header::Nest(_)) = (&clauses.simd, &header) {
        errors.push(not_a_range("simd", simd));
    }
    if let Some(inscan) = clauses.reductions.iter().find_map(|r| r.inscan.as_ref()) {
        if let Some(simd) = &clauses.simd {
            errors.push(Error::new(simd.span(), "`simd` with `reduction(inscan, ..)`: a scan's chunks run its two phases in order, which lanes cannot; drop `simd`"));
        } else if !matches!(header, Header::Range(_)) {
            errors.push(Error::new(inscan.span(), "`reduction(inscan, ..)` needs a loop over a range (`for i in 0..n`, also `.rev()` and `.step_by(k)`), without `collapse`"));
        }
    }
    let mut analysis = match Analysis::new(Directive::ParallelFor, for_loop, &header, clauses) {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            return errors.fail();
        }
    };
    analysis.host = host;
    crate::distributed::check(clauses, &analysis.decisions, &mut errors);
    crate::distributed::check_sources(clauses, &header, &mut errors);
    crate::distributed::nested(&analysis.body, &mut errors);
    errors.finish()?;
    // A range loop's chunks run as a kernel over the arrays it reads and
    // writes at `i`, cut to the chunk (with `simd`, in lanes). Without
    // `simd`, reads are cut only where the host shows the array to be a
    // slice, `Vec` or array.
    let no_slices = HashSet::new();
    let kernel = match &header {
        Header::Range(_) => {
            let reads = match clauses.simd {
                Some(_) => None,
                None => Some(host.slices.unwrap_or(&no_slices)),
            };
            let id = ownership::next_kernel_id();
            let cuts = ownership::cuts(
                &analysis.facts,
                &analysis.plan,
                &analysis.decisions,
                reads,
                id,
            );
            (clauses.simd.is_some() || !cuts.is_empty() || analysis.has_inner_cuts())
                .then(|| analysis.kernel(cuts, id))
        }
        _ => None,
    };
    Ok(generate(for_loop, &header, &analysis, kernel.as_ref()))
}

/// Reductions on variables that were never declared in the host item.
fn check_declared(clauses: &Clauses, known: Option<&HashSet<Name>>, errors: &mut Errors) {
    let Some(known) = known else { return };
    for r in &clauses.reductions {
        if !known.contains(&Name::of(&r.var)) {
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

/// The error for a vectorized directive on a loop that is not a range.
fn not_a_range(directive: &str, expr: &impl quote::ToTokens) -> Error {
    Error::new_spanned(
        expr,
        format!(
            "`{directive}` vectorizes integer range loops, `for i in a..b` (also `a..=b`, `.step_by(k)`, `.rev()`; those that count up by one run in vector lanes); loop over `0..x.len()` and index `x[i]`"
        ),
    )
}

/// Expands a `#[simd]` or `#[simd_reduce(..)]` loop (its directive
/// attribute removed): the vectorized run when the loop counts up by one and
/// its arrays are long enough, else the plain loop.
///
/// Input:  #[simd_reduce(+: s)] for i in a..b { s += x[i] * y[i]; }
/// Output: {
///             let __seq = Seq::range(a, b);
///             let __len = __seq.len();
///             let __hold_s = s.__parallel_hold();   // `s` held: the loop
///             let mut s = *__hold_s;                // works on a copy
///             <vector_run over 0..__len, else the plain loop over __seq>
///             *__hold_s = s;
///         }
pub fn simd_loop(
    for_loop: &ExprForLoop,
    directive: Directive,
    clauses: &Clauses,
    host: HostInfo,
) -> Result<TokenStream> {
    let mut errors = Errors::default();
    check_declared(clauses, host.known, &mut errors);
    let header = Header::parse(for_loop)?;
    let Header::Range(form) = &header else {
        errors.push(not_a_range(directive.name(), &for_loop.expr));
        return errors.fail();
    };
    let analysis = match Analysis::new(directive, for_loop, &header, clauses) {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            return errors.fail();
        }
    };
    errors.finish()?;
    let id = ownership::next_kernel_id();
    let cuts = ownership::cuts(
        &analysis.facts,
        &analysis.plan,
        &analysis.decisions,
        None,
        id,
    );
    let kernel = analysis.kernel(cuts, id);
    let m = Span::mixed_site();
    let [seq, len, t] = ["__seq", "__len", "__t"].map(|n| Ident::new(n, m));
    let values = seq_expr(form);
    let (pat, label) = (&form.pat, &for_loop.label);
    let body = analysis.chunk_body();
    let stmts = spliced(&body);
    let plain = quote! {
        match #seq.unit_range(0usize, #len) {
            ::core::option::Option::Some(#t) => {
                #label for #pat in #t #body
            }
            ::core::option::Option::None => {
                #label for #t in 0usize..#len {
                    let #pat = #seq.get(#t);
                    #stmts
                }
            }
        }
    };
    let lanes = Lanes {
        reductions: &clauses.reductions,
        on: true,
        carried: Vec::new(),
    };
    let run = vector_run(&kernel, pat, &lanes, &seq, &quote!(0usize), &len, plain);
    let vars: Vec<&Ident> = clauses.reductions.iter().map(|r| &r.var).collect();
    let holds: Vec<Ident> = vars
        .iter()
        .map(|v| {
            format_ident!(
                "__hold_{}",
                Name::of(v).as_str(),
                span = m.located_at(v.span())
            )
        })
        .collect();
    Ok(quote! {
        {
            #[allow(unused_imports)]
            use ::parallel::__private::{CutMut as _, Fold as _, HoldExt as _};
            let #seq = #values;
            let #len: usize = #seq.len();
            #( let #holds = #vars.__parallel_hold(); )*
            #( #[allow(unused_mut)] let mut #vars = *#holds; )*
            #run
            #( *#holds = #vars; )*
        }
    })
}

/// The clauses of `#[parallel_for]`, evaluated once before the loop: the
/// runtime's `Config`.
fn config(clauses: &Clauses) -> TokenStream {
    let private = quote!(::parallel::__private);
    let some = quote!(::core::option::Option::Some);
    let none = quote!(::core::option::Option::None);
    let m = Span::mixed_site();
    let schedule = match &clauses.schedule {
        Some(s) => {
            let kind = Ident::new(s.kind.variant(), s.word.span());
            quote!(#private::Schedule::#kind)
        }
        None => quote!(#private::Schedule::Static),
    };
    let opt = |e: Option<&Expr>| match e {
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
    quote! {
        #private::Config {
            schedule: #schedule,
            chunk: #chunk,
            num_threads: #num_threads,
            if_: #if_,
            min_len: #min_len,
            deterministic: #deterministic,
        }
    }
}

/// The arrays the loop writes, each split among the tasks: the checks and
/// strides before the loop, and the handles.
struct Handles {
    setup: TokenStream,
    handles: Vec<TokenStream>,
    windows: Vec<Ident>,
}

// Input:  y[i] = ..; c[i * n + j] = ..; self.v[i] = ..; p[j].x read
// Output: let __s_p_0 = snapshot(&p, |__e| __e.x.clone());   // copies first
//         assert_split(&y); let __h_y = y.__parallel_elem_handle();
//         let __n_c: usize = n; let __h_c = c.__parallel_row_handle(__n_c);
//         let __a_self_v = &mut (self.v); let __h = __a_self_v.__parallel_elem_handle();
//         let __o_y = __h_y.outside(__region, "y");   // when read outside
//         handles (__h_y, __h_c, ..); windows y, c, __w_self_v
fn handles(decisions: &Decisions, seq: &Ident) -> Handles {
    let private = quote!(::parallel::__private);
    let mut setup = TokenStream::new();
    let region = Ident::new("__region", Span::mixed_site());
    let columns = |s: &Split| matches!(s.ownership, Ownership::Column { .. });
    if decisions
        .splits
        .iter()
        .any(|s| s.outside.is_some() || columns(s))
    {
        setup.extend(quote!(let #region = #private::index_region(&#seq);));
    }
    // The copies read shared borrows, which end before the handles borrow.
    for s in &decisions.splits {
        let array = &s.array;
        for snap in &s.snapshots {
            let (local, fields) = (&snap.local, &snap.fields);
            let e = Ident::new("__e", Span::mixed_site());
            let path = ownership::place_of(&e, fields);
            setup.extend(quote_spanned! {s.root.span()=>
                let #local = ::parallel::__private::snapshot(&#array, |#e| ::core::clone::Clone::clone(&#path));
            });
        }
    }
    let mut handles = Vec::new();
    for (k, s) in decisions.splits.iter().enumerate() {
        let handle = format_ident!("__h{}", k, span = Span::mixed_site());
        setup.extend(split_setup(s, &handle));
        if let Ownership::Column { width } = &s.ownership {
            let (form, width) = (&s.written, crate::show::show(width));
            setup.extend(
                quote_spanned!(s.root.span()=> #handle.check_columns(#region, #form, #width);),
            );
        }
        if let Some(out) = &s.outside {
            let name = &s.key;
            setup.extend(quote!(let #out = #handle.outside(#region, #name);));
        }
        handles.push(quote!(#handle));
    }
    Handles {
        setup,
        handles,
        windows: decisions.splits.iter().map(|s| s.window.clone()).collect(),
    }
}

/// One split array's checks before the loop and its handle, `handle`.
fn split_setup(s: &Split, handle: &Ident) -> TokenStream {
    let (local, span) = (&s.local, s.root.span());
    let flat_width = Ident::new("__fw", Span::mixed_site());
    let mut out = TokenStream::new();
    // An array that is more than a name is borrowed once, before the handle.
    let array = match s.array_local() {
        Some(a) => {
            let e = &s.array;
            out.extend(quote_spanned!(span=> let #a = &mut (#e);));
            quote!(#a)
        }
        None => s.array.to_token_stream(),
    };
    // Written arrays must be split types themselves: no deref to one.
    out.extend(quote_spanned!(span=> ::parallel::__private::assert_split(&#array);));
    for len in &s.lens {
        let at = syn::spanned::Spanned::span(len);
        out.extend(quote_spanned!(at=> ::parallel::__private::assert_fixed_len(&#len);));
    }
    out.extend(match &s.ownership {
        Ownership::Elem | Ownership::CollapsedFlat { .. } => {
            quote_spanned!(span=> let #handle = #array.__parallel_elem_handle();)
        }
        Ownership::Row { stride } => quote_spanned! {span=>
            let #local: usize = #stride;
            let #handle = #array.__parallel_row_handle(#local);
        },
        Ownership::Column { width } => quote_spanned! {span=>
            let #local: usize = #width;
            let #handle = #array.__parallel_col_handle(#local);
        },
        // The rows of a nested container, borrowed for the loop.
        Ownership::NestedColumn => quote_spanned! {span=>
            let mut #local = #array.__parallel_nested_rows();
            let #handle = #local.columns();
        },
        Ownership::CollapsedNested => quote_spanned! {span=>
            let mut #local = #array.__parallel_nested_rows();
            let #handle = #local.handle(#flat_width);
        },
        // An ndarray array, by slabs along `axis`.
        Ownership::Axis { axis } => quote_spanned! {span=>
            let #handle = #array.__parallel_axis_handle(#axis);
        },
    });
    out
}

// Input:  `a` read only as `a[[i, k]]` in the body
// Output: (top of each chunk) let a = (&ReadProbe(&a)).__parallel_read_view();
//         an `ArrayView` of an ndarray array, else `&a` itself
fn read_views(analysis: &Analysis) -> TokenStream {
    let names = ownership::read_views(&analysis.facts, &analysis.plan, &analysis.decisions);
    let mut out = TokenStream::new();
    for x in names {
        out.extend(quote_spanned! {x.span()=>
            #[allow(unused_variables)]
            let #x = (&::parallel::__private::ReadProbe(&#x)).__parallel_read_view();
        });
    }
    out
}

/// `#[atomic]` scalars live in an atomic cell during the loop (the variable
/// held meanwhile); the variables of each `#[critical]` section behind one
/// lock. Returns the statements before and after the loop, and those at the
/// top of each chunk.
fn shared(decisions: &Decisions) -> (TokenStream, TokenStream, TokenStream) {
    let private = quote!(::parallel::__private);
    let (mut before, mut after, mut chunk) =
        (TokenStream::new(), TokenStream::new(), TokenStream::new());
    for a in &decisions.atomics {
        let cell = &a.cell;
        let hold = format_ident!("__hold{}", cell, span = Span::mixed_site());
        let place = ownership::place_of(&a.root, &a.fields);
        before.extend(quote_spanned! {a.root.span()=>
            let #hold = #place.__parallel_hold();
            let #cell = #private::AtomicCell::new(*#hold);
        });
        after.extend(quote_spanned!(a.root.span()=> *#hold = #cell.into_inner();));
        // In the body a plain atomic variable is a marker: a use the
        // analysis could not see is a type error, not a stale read.
        if a.fields.is_empty() {
            let x = &a.root;
            chunk.extend(quote_spanned!(x.span()=> #[allow(unused_variables)] let #x = #private::UpdatedByAtomicInThisLoop;));
        }
    }
    for section in &decisions.sections {
        let (lock, vars) = (&section.lock, &section.vars);
        before.extend(quote! {
            let #lock = #private::Critical::new(( #((#vars).__parallel_mut(),)* ));
        });
    }
    (before, after, chunk)
}

/// The chunk `lo..hi`'s loop, over the iteration space, with `body`.
fn chunk_loop(
    header: &Header,
    space: &Space,
    label: Option<&syn::Label>,
    body: &Block,
    names: &Locals,
) -> TokenStream {
    let some = quote!(::core::option::Option::Some);
    let none = quote!(::core::option::Option::None);
    let (seq, lo, hi, t, range) = (&names.seq, &names.lo, &names.hi, &names.t, &names.range);
    let stmts = spliced(body);
    match header {
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
                            #stmts
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
                    #stmts
                }
            }
        }
        Header::Nest(nest) => nest_loop(nest, lo, hi, body),
    }
}

/// The locals of a `parallel_for` expansion.
struct Locals {
    acc: Ident,
    range: Ident,
    seq: Ident,
    cfg: Ident,
    parts: Ident,
    windows: Ident,
    lo: Ident,
    hi: Ident,
    t: Ident,
    scan: Ident,
}

impl Locals {
    fn new() -> Locals {
        let m = Span::mixed_site();
        let id = |n: &str| Ident::new(n, m);
        Locals {
            acc: id("__acc"),
            range: id("__range"),
            seq: id("__seq"),
            cfg: id("__cfg"),
            parts: id("__parts"),
            windows: id("__windows"),
            lo: id("__lo"),
            hi: id("__hi"),
            t: id("__t"),
            scan: id("__scan"),
        }
    }
}

// Input:  the loop, analysed (see the module's example).
// Output: the setup, `for_range_with(cfg, seq, parts, init, combine,
//         <chunk closure>)`, the folds.
fn generate(
    for_loop: &ExprForLoop,
    header: &Header,
    analysis: &Analysis,
    kernel: Option<&Kernel>,
) -> TokenStream {
    let private = quote!(::parallel::__private);
    let some = quote!(::core::option::Option::Some);
    let names = Locals::new();
    let (seq, cfg, parts) = (&names.seq, &names.cfg, &names.parts);
    let (clauses, decisions) = (analysis.plan.clauses, &analysis.decisions);
    let nested = decisions
        .splits
        .iter()
        .any(|s| matches!(s.ownership, Ownership::CollapsedNested));
    let space = Space::new(header, seq, &names.t, decisions.flat_width.as_ref(), nested);
    let config = config(clauses);
    let split = handles(decisions, seq);
    let (source_handles, handles, split_setup) = (&space.handles, &split.handles, &split.setup);
    let slots = Slot::all(clauses, &decisions.loc_ties, &decisions.written);
    let acc = Accumulator::new(&slots, &names.lo, &names.hi);
    let (shared_before, shared_after, mut chunk_shadows) = shared(decisions);
    chunk_shadows.extend(read_views(analysis));
    let closure = chunk_closure(
        for_loop,
        header,
        analysis,
        kernel,
        &space,
        &split,
        &acc,
        chunk_shadows,
        &names,
    );
    let Accumulator {
        setups,
        inits,
        a_k,
        b_k,
        p_k,
        combines,
        folds,
        ..
    } = acc;
    let space_setup = &space.setup;
    let info = Ident::new("__info", Span::mixed_site());
    let loop_info = loop_info(clauses);
    // Spanned at the loop, so that the runtime's `#[track_caller]` names the
    // loop's line (in its report, trace and adaptive state).
    let run = quote_spanned! {for_loop.for_token.span=>
        ::parallel::__private::for_range_info(
            &#cfg,
            &#info,
            &#seq,
            #parts,
            || ( #(#inits,)* ),
            |( #(#a_k,)* ), ( #(#b_k,)* )| ( #(#combines,)* ),
            #closure,
        )
    };
    let first_pass = match (&analysis.scan_update, header) {
        (Some(update), Header::Range(range)) => crate::scan::first_pass(
            &slots,
            update,
            &range.pat,
            analysis.label,
            seq,
            cfg,
            &names.scan,
        ),
        _ => TokenStream::new(),
    };
    let run_and_fold = match &clauses.distributed {
        Some(_) => crate::distributed::expand(&crate::distributed::Call {
            span: for_loop.for_token.span,
            cfg,
            info: &info,
            seq,
            parts,
            inits: &inits,
            a_k: &a_k,
            b_k: &b_k,
            combines: &combines,
            closure: &closure,
            p_k: &p_k,
            folds: &folds,
            slots: &slots,
            splits: &decisions.splits,
            header,
        }),
        None => quote! {
            #[allow(unused_variables)]
            if let #some(( #(#p_k,)* )) = #run {
                #(#folds)*
            }
        },
    };
    // An empty loop evaluates nothing of its body's arrays (a row `c[k]`
    // that does not exist, say): it does nothing, as the plain loop does.
    quote! {
        {
            #[allow(unused_imports)]
            use #private::{CutMut as _, Fold as _, HandleExt as _, HoldExt as _, MutExt as _, NdHandleExt as _, NestedExt as _, PrivateOf as _, ReadViewAny as _, ReadViewNd as _};
            #space_setup
            if #private::Iterations::len(&#seq) != 0 {
            let #cfg = #config;
            #(#setups)*
            #first_pass
            #split_setup
            let #parts = ( #(#source_handles,)* #(#handles,)* );
            #shared_before
            let #info = #loop_info;
            #run_and_fold
            #shared_after
            }
        }
    }
}

/// The loop's `LoopInfo`: the directive as written, and `proc_bind`.
fn loop_info(clauses: &Clauses) -> TokenStream {
    let p = quote!(::parallel::__private);
    let directive = if clauses.text.is_empty() {
        "parallel_for".to_owned()
    } else {
        format!("parallel_for({})", clauses.text)
    };
    let bind = match &clauses.proc_bind {
        Some(policy) => quote!(::core::option::Option::Some(#p::ProcBind::#policy)),
        None => quote!(::core::option::Option::None),
    };
    quote!(#p::LoopInfo { directive: #directive, proc_bind: #bind })
}

// Input:  the body, for the chunk `__lo..__hi`
// Output: |__lo, __hi, __windows, __acc| {
//             let (mut y, ..) = __windows; let (mut sum, ..) = __acc;
//             <the vectorized run, else the plain chunk loop>
//             (sum, ..)
//         }
#[allow(clippy::too_many_arguments)]
fn chunk_closure(
    for_loop: &ExprForLoop,
    header: &Header,
    analysis: &Analysis,
    kernel: Option<&Kernel>,
    space: &Space,
    split: &Handles,
    acc: &Accumulator,
    chunk_shadows: TokenStream,
    names: &Locals,
) -> TokenStream {
    let (windows, accumulator, lo, hi, seq) =
        (&names.windows, &names.acc, &names.lo, &names.hi, &names.seq);
    let window_names: Vec<&Ident> = space.windows.iter().chain(&split.windows).collect();
    let clauses = analysis.plan.clauses;
    let body = analysis.chunk_body();
    let plain = chunk_loop(header, space, analysis.label, &body, names);
    // `simd` (or arrays to cut): the chunk runs vectorized when it can.
    let chunk = match (kernel, header) {
        (Some(kernel), Header::Range(range)) => {
            let mut carried: Vec<Ident> = Vec::new();
            for v in clauses
                .private
                .iter()
                .chain(&clauses.firstprivate)
                .chain(&clauses.lastprivate)
            {
                if !carried.iter().any(|c| Name::of(c) == Name::of(v)) {
                    carried.push(v.clone());
                }
            }
            let lanes = Lanes {
                reductions: &clauses.reductions,
                on: clauses.simd.is_some(),
                carried,
            };
            vector_run(kernel, &range.pat, &lanes, seq, &quote!(#lo), hi, plain)
        }
        _ => plain,
    };
    let (takes, chunk_starts, gives) = (&acc.takes, &acc.chunk_starts, &acc.gives);
    let scan_start = match &analysis.scan_update {
        Some(_) => crate::scan::chunk_start(&acc.scan_vars, &names.scan, lo),
        None => TokenStream::new(),
    };
    // The closure carries the loop's span, so that an error about what it
    // captures (a value that is not `Sync`, say) points at the loop.
    quote_spanned! {for_loop.for_token.span=>
        |#lo: usize, #hi: usize, #windows, #accumulator| {
            #[allow(unused_mut)]
            let ( #(mut #window_names,)* ) = #windows;
            #[allow(unused_mut)]
            let ( #(#takes,)* ) = #accumulator;
            #(#chunk_starts)*
            #scan_start
            #chunk_shadows
            #chunk
            #gives
        }
    }
}

/// The accumulator's code, slot by slot.
struct Accumulator {
    setups: Vec<TokenStream>,
    inits: Vec<TokenStream>,
    a_k: Vec<Ident>,
    b_k: Vec<Ident>,
    p_k: Vec<Ident>,
    combines: Vec<TokenStream>,
    takes: Vec<TokenStream>,
    chunk_starts: Vec<TokenStream>,
    /// The chunk's result: the slots packed again (nothing without slots:
    /// the closure then returns the `()` of its last statement, and an
    /// explicit `()` would look like user code to clippy's `unused_unit`).
    gives: TokenStream,
    folds: Vec<TokenStream>,
    /// The scan variables, set at the start of every chunk.
    scan_vars: Vec<Ident>,
}

impl Accumulator {
    fn new(slots: &[Slot], lo: &Ident, hi: &Ident) -> Accumulator {
        let (a_k, b_k, p_k) = (
            named(slots, "__a"),
            named(slots, "__b"),
            named(slots, "__p"),
        );
        let combines = slots
            .iter()
            .zip(a_k.iter().zip(&b_k))
            .map(|(s, (a, b))| s.combine(a, b))
            .collect();
        let gives: Vec<TokenStream> = slots.iter().map(|s| s.give(lo, hi)).collect();
        Accumulator {
            setups: slots.iter().map(Slot::setup).collect(),
            inits: slots.iter().map(Slot::init).collect(),
            combines,
            takes: slots.iter().map(Slot::take).collect(),
            chunk_starts: slots.iter().map(Slot::chunk_start).collect(),
            gives: if gives.is_empty() {
                TokenStream::new()
            } else {
                quote!(( #(#gives,)* ))
            },
            folds: slots.iter().zip(&p_k).map(|(s, p)| s.fold(p)).collect(),
            scan_vars: slots
                .iter()
                .filter(|s| matches!(s, Slot::Scan(_)))
                .map(|s| s.var().clone())
                .collect(),
            a_k,
            b_k,
            p_k,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn expand(clauses: TokenStream, for_loop: ExprForLoop) -> Result<String> {
        let clauses = crate::clause::parse(clauses)?;
        parallel_for(&for_loop, &clauses, HostInfo::default())
            .map(|t| t.to_string().replace(' ', ""))
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
            "let __n_c_0: usize = w;",
            "let __h1 = y.__parallel_elem_handle();",
            "let __h0 = c.__parallel_row_handle(__n_c_0);",
            "let __hold_sum = sum.__parallel_hold();",
            "let __red_sum = ::parallel::__private::builtin_reduction(::parallel::__private::op::Plus, &*__hold_sum);",
            "__red_sum.combine(__a0, __b0)",
            "let (mut sum,) = __acc;",
            "__red_sum.fold(&mut *__hold_sum, __p0);",
            "let i = __seq.get(__t)",
            "c.__parallel_row(i)[1] = 0",
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
