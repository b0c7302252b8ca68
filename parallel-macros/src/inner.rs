//! Inner loops without bounds checks: an innermost `for v in a..b` of a
//! chunk's body whose arrays are indexed at `v + r` (`r` the same in every
//! iteration) runs over those arrays cut to `r + a .. r + b` once before
//! it, so that no access inside checks a bound and LLVM can vectorize it,
//! as a Fortran compiler would. A cut that does not fit (an index past the
//! end) sends the loop to its plain form, which panics where the plain loop
//! does.
//!
//! ```text
//! Input:  for j in 0..nj { c.__parallel_row(i)[j] += a[i * nk + k] * b[k * nj + j]; }
//! Output: {
//!             let (__ia, __ib): (usize, usize) = (0, nj);
//!             let __fast = __ia < __ib && match (
//!                 cut_range_mut(c.__parallel_row(i), 0, __ia, __ib),
//!                 cut_range(&b, k * nj, __ia, __ib),
//!             ) {
//!                 (Some(__i0), Some(__i1)) => with_cut(__i0, |__i0| {
//!                     for __q in 0..__ib - __ia {
//!                         let j = __ia + __q;
//!                         __i0[__q] += a[i * nk + k] * __i1[__q];
//!                     }
//!                     true
//!                 }),
//!                 _ => false,
//!             };
//!             if !__fast { for j in __ia..__ib { <the body as it was> } }
//!         }
//! ```
//!
//! Cut are: slices, `Vec`s and arrays the body only reads (`b`), the rows
//! of nested ones (`a[i]` of a `&[Vec<f64>]`, through `get`, which does
//! not panic), and the chunk's own row of an array the loop writes
//! (`c.__parallel_row(i)`, `grid[i]`), when the inner loop uses that
//! window in no other way.

use crate::names::{Name, pattern_bindings};
use crate::show::key;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use std::collections::{BTreeMap, HashSet};
use syn::visit::Visit;
use syn::visit_mut::{self, VisitMut};
use syn::{BinOp, Block, Expr, ExprForLoop, Ident, Pat, RangeLimits};

/// What the pass knows of the names in a chunk's body.
pub struct Arrays<'a> {
    /// Bound to slices, `Vec`s or arrays (read-only unless written).
    pub slices: &'a HashSet<Name>,
    /// Bound to slices of slices.
    pub rows: &'a HashSet<Name>,
    /// The chunk's windows of the arrays the loop writes.
    pub windows: HashSet<Name>,
}

/// Versions every innermost loop of `body` that has something to cut.
pub fn version(body: &mut Block, arrays: &Arrays) {
    Versioner { arrays, next: 0 }.visit_block_mut(body);
}

struct Versioner<'a, 'b> {
    arrays: &'b Arrays<'a>,
    next: usize,
}

impl VisitMut for Versioner<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::ForLoop(f) = e
            && !has_loop(&f.body)
            && let Some(versioned) = self.try_version(f)
        {
            *e = versioned;
            return;
        }
        visit_mut::visit_expr_mut(self, e);
    }

    // Items and closures are code of their own.
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
}

/// Whether `block` holds a loop (the loop is not innermost).
fn has_loop(block: &Block) -> bool {
    struct Finds(bool);
    impl Visit<'_> for Finds {
        fn visit_expr(&mut self, e: &Expr) {
            if matches!(e, Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_)) {
                self.0 = true;
            }
            syn::visit::visit_expr(self, e);
        }
        fn visit_item(&mut self, _: &syn::Item) {}
    }
    let mut f = Finds(false);
    f.visit_block(block);
    f.0
}

/// The loop's variable and range, when it is `for v in a..b`.
fn header(f: &ExprForLoop) -> Option<(&Ident, &Expr, &Expr)> {
    let Pat::Ident(p) = &*f.pat else { return None };
    if p.by_ref.is_some() || p.subpat.is_some() {
        return None;
    }
    let Expr::Range(r) = strip(&f.expr) else {
        return None;
    };
    match (&r.start, &r.end, &r.limits) {
        (Some(a), Some(b), RangeLimits::HalfOpen(_)) => Some((&p.ident, a, b)),
        _ => None,
    }
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        e => e,
    }
}

/// The names a loop body changes or binds, and whether it holds code the
/// pass cannot see through (closures, macros, labels that leave it).
struct Body {
    changed: HashSet<Name>,
    bound: HashSet<Name>,
    opaque: bool,
}

/// Methods that leave their receiver as it was.
const READS: &[&str] = &[
    "len", "is_empty", "get", "iter", "abs", "sqrt", "min", "max", "powi", "powf", "exp", "ln",
    "sin", "cos", "mul_add", "clone", "to_owned", "floor", "ceil", "round", "signum",
];

fn root(e: &Expr) -> Option<Name> {
    match strip(e) {
        Expr::Path(p) => p.path.get_ident().map(Name::of),
        Expr::Field(f) => root(&f.base),
        Expr::Index(i) => root(&i.expr),
        Expr::MethodCall(m) => root(&m.receiver),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => root(&u.expr),
        _ => None,
    }
}

fn survey(block: &Block, label: Option<&syn::Lifetime>) -> Body {
    struct Survey<'l> {
        body: Body,
        label: Option<&'l syn::Lifetime>,
    }
    impl Visit<'_> for Survey<'_> {
        fn visit_expr(&mut self, e: &Expr) {
            match e {
                Expr::Assign(a) => self.body.changed.extend(root(&a.left)),
                Expr::Binary(b) if crate::facts::is_compound(&b.op) => {
                    self.body.changed.extend(root(&b.left))
                }
                Expr::Reference(r) if r.mutability.is_some() => {
                    self.body.changed.extend(root(&r.expr))
                }
                Expr::MethodCall(m) if !READS.contains(&m.method.to_string().as_str()) => {
                    self.body.changed.extend(root(&m.receiver))
                }
                Expr::Closure(_) | Expr::Macro(_) | Expr::Async(_) | Expr::Unsafe(_) => {
                    self.body.opaque = true
                }
                Expr::Break(b) if b.label.is_some() && b.label.as_ref() != self.label => {
                    self.body.opaque = true
                }
                Expr::Continue(c) if c.label.is_some() && c.label.as_ref() != self.label => {
                    self.body.opaque = true
                }
                Expr::Return(_) | Expr::Try(_) | Expr::Await(_) | Expr::Yield(_) => {
                    self.body.opaque = true
                }
                _ => {}
            }
            syn::visit::visit_expr(self, e);
        }
        fn visit_pat(&mut self, p: &Pat) {
            self.body
                .bound
                .extend(pattern_bindings(p).iter().map(Name::of));
            syn::visit::visit_pat(self, p);
        }
        fn visit_macro(&mut self, _: &syn::Macro) {
            self.body.opaque = true;
        }
        fn visit_item(&mut self, _: &syn::Item) {
            self.body.opaque = true;
        }
    }
    let mut s = Survey {
        body: Body {
            changed: HashSet::new(),
            bound: HashSet::new(),
            opaque: false,
        },
        label,
    };
    s.visit_block(block);
    s.body
}

/// An expression that has the same value in every iteration of the loop:
/// literals and names the body neither binds nor changes, with fields,
/// `.len()`, casts and arithmetic of those.
fn invariant(e: &Expr, body: &Body, var: &Name) -> bool {
    match strip(e) {
        Expr::Lit(_) => true,
        Expr::Path(p) => p.path.get_ident().is_some_and(|id| {
            let n = Name::of(id);
            n != *var && !body.changed.contains(&n) && !body.bound.contains(&n)
        }),
        Expr::Field(f) => invariant(&f.base, body, var),
        Expr::Cast(c) => invariant(&c.expr, body, var),
        Expr::Binary(b) => {
            matches!(
                b.op,
                BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_)
            ) && invariant(&b.left, body, var)
                && invariant(&b.right, body, var)
        }
        Expr::MethodCall(m) => {
            m.method == "len" && m.args.is_empty() && invariant(&m.receiver, body, var)
        }
        _ => false,
    }
}

/// `v + r`, `r + v` or `v`, with `r` invariant: the offset `r` (`0`).
fn offset(index: &Expr, body: &Body, var: &Name) -> Option<Expr> {
    let is_var = |e: &Expr| matches!(strip(e), Expr::Path(p) if p.path.get_ident().is_some_and(|id| Name::of(id) == *var));
    let index = strip(index);
    if is_var(index) {
        return Some(syn::parse_quote!(0usize));
    }
    let Expr::Binary(b) = index else { return None };
    if !matches!(b.op, BinOp::Add(_)) {
        return None;
    }
    // `r1 + v + r2` parses as `(r1 + v) + r2`: one level of nesting.
    let (l, r) = (strip(&b.left), strip(&b.right));
    if is_var(l) && invariant(r, body, var) {
        return Some(r.clone());
    }
    if is_var(r) && invariant(l, body, var) {
        return Some(l.clone());
    }
    if let Expr::Binary(inner) = l
        && matches!(inner.op, BinOp::Add(_))
        && invariant(r, body, var)
    {
        let (il, ir) = (&*inner.left, &*inner.right);
        if is_var(il) && invariant(ir, body, var) {
            return Some(syn::parse_quote!((#ir) + (#r)));
        }
        if is_var(ir) && invariant(il, body, var) {
            return Some(syn::parse_quote!((#il) + (#r)));
        }
    }
    None
}

/// How an array is cut for the loop.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A slice the body only reads: `cut_range(&b, ..)`.
    Read,
    /// A row of a nested slice: `a.get(i).and_then(|row| cut_range(row, ..))`.
    Row,
    /// The chunk's own row of a written array: `cut_range_mut(.., ..)`.
    Mut,
}

/// One cut: the arrays accessed as `base[v + offset]`.
struct Cut {
    key: String,
    kind: Kind,
    base: Expr,
    offset: Expr,
    /// The name whose value the cut borrows (a window for `Mut`).
    root: Name,
    local: Ident,
}

impl Versioner<'_, '_> {
    /// The cut, if `base[index]` can be read (or written) through one.
    fn classify(
        &self,
        base: &Expr,
        index: &Expr,
        body: &Body,
        var: &Name,
    ) -> Option<(Kind, Name, Expr)> {
        let offset = offset(index, body, var)?;
        let a = self.arrays;
        let plain = |e: &Expr| match strip(e) {
            Expr::Path(p) => p.path.get_ident().map(Name::of),
            _ => None,
        };
        let free = |n: &Name| !body.changed.contains(n) && !body.bound.contains(n);
        let kind = match strip(base) {
            Expr::Path(_) => {
                let n = plain(base)?;
                (a.slices.contains(&n) && !a.windows.contains(&n) && free(&n))
                    .then_some((Kind::Read, n))?
            }
            Expr::Index(ix) if invariant(&ix.index, body, var) => {
                let n = plain(&ix.expr)?;
                if a.windows.contains(&n) {
                    (Kind::Mut, n)
                } else {
                    (a.rows.contains(&n) && free(&n)).then_some((Kind::Row, n))?
                }
            }
            Expr::MethodCall(m)
                if m.method == "__parallel_row"
                    && m.args.len() == 1
                    && invariant(&m.args[0], body, var) =>
            {
                let n = plain(&m.receiver)?;
                a.windows.contains(&n).then_some((Kind::Mut, n))?
            }
            _ => return None,
        };
        Some((kind.0, kind.1, offset))
    }

    /// The cuts of the loop's body, each array once; a window the body
    /// uses in any other way is not cut.
    fn cuts(&mut self, block: &Block, body: &Body, var: &Name) -> Vec<Cut> {
        struct Accesses<'v, 'a, 'b> {
            v: &'v Versioner<'a, 'b>,
            body: &'v Body,
            var: &'v Name,
            found: Vec<(Kind, Name, Expr, Expr)>,
        }
        impl Visit<'_> for Accesses<'_, '_, '_> {
            fn visit_expr_index(&mut self, ix: &syn::ExprIndex) {
                if let Some((kind, root, offset)) =
                    self.v.classify(&ix.expr, &ix.index, self.body, self.var)
                {
                    self.found.push((kind, root, (*ix.expr).clone(), offset));
                    // The index is invariant; the base's parts are the cut's.
                    return;
                }
                syn::visit::visit_expr_index(self, ix);
            }
        }
        let mut acc = Accesses {
            v: self,
            body,
            var,
            found: Vec::new(),
        };
        acc.visit_block(block);
        let found = acc.found;
        // A window: every mention of it in the body is one of its cut's
        // accesses, and all of them are one cut.
        let mentions = mention_counts(block);
        let mut by_key: BTreeMap<String, Cut> = BTreeMap::new();
        let mut windows: BTreeMap<Name, (String, usize)> = BTreeMap::new();
        for (kind, root, base, offset) in &found {
            let k = format!("{}|{}", key(base), key(offset));
            if *kind == Kind::Mut {
                let entry = windows.entry(root.clone()).or_insert((k.clone(), 0));
                if entry.0 != k {
                    entry.1 = usize::MAX;
                } else if entry.1 != usize::MAX {
                    entry.1 += 1;
                }
            }
            by_key.entry(k.clone()).or_insert_with(|| {
                self.next += 1;
                Cut {
                    key: k,
                    kind: *kind,
                    base: base.clone(),
                    offset: offset.clone(),
                    root: root.clone(),
                    local: format_ident!("__i{}", self.next, span = Span::mixed_site()),
                }
            });
        }
        by_key
            .into_values()
            .filter(|c| {
                c.kind != Kind::Mut
                    || windows
                        .get(&c.root)
                        .is_some_and(|(_, n)| mentions.get(&c.root) == Some(n))
            })
            .collect()
    }

    fn try_version(&mut self, f: &ExprForLoop) -> Option<Expr> {
        // A loop with a directive of its own (a nested `#[parallel_for]`)
        // is expanded later, as written.
        if !f.attrs.is_empty() {
            return None;
        }
        let (var, start, end) = header(f)?;
        let label = f.label.as_ref().map(|l| &l.name);
        let body = survey(&f.body, label);
        let var = Name::of(var);
        if body.opaque || body.changed.contains(&var) {
            return None;
        }
        let cuts = self.cuts(&f.body, &body, &var);
        if cuts.is_empty() {
            return None;
        }
        Some(generate(f, start, end, &cuts, &body, &var))
    }
}

/// How often each name occurs in `block`.
fn mention_counts(block: &Block) -> BTreeMap<Name, usize> {
    let mut out = BTreeMap::new();
    for id in crate::walk::token_idents(block.to_token_stream()) {
        *out.entry(Name::of(&id)).or_insert(0) += 1;
    }
    out
}

/// The body with every cut access `base[v + r]` read as `local[__q]`.
fn cut_body(block: &Block, cuts: &[Cut], q: &Ident, body: &Body, var: &Name) -> Block {
    struct Swap<'c> {
        cuts: &'c [Cut],
        q: &'c Ident,
        body: &'c Body,
        var: &'c Name,
    }
    impl VisitMut for Swap<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            if let Expr::Index(ix) = e
                && let Some(off) = offset(&ix.index, self.body, self.var)
            {
                let k = format!("{}|{}", key(&ix.expr), key(&off));
                if let Some(c) = self.cuts.iter().find(|c| c.key == k) {
                    let (local, q) = (&c.local, self.q);
                    *e = syn::parse_quote!(#local[#q]);
                    return;
                }
            }
            visit_mut::visit_expr_mut(self, e);
        }
    }
    let mut b = block.clone();
    Swap { cuts, q, body, var }.visit_block_mut(&mut b);
    b
}

fn generate(
    f: &ExprForLoop,
    start: &Expr,
    end: &Expr,
    cuts: &[Cut],
    survey: &Body,
    var: &Name,
) -> Expr {
    let p = quote!(::parallel::__private);
    let m = Span::mixed_site();
    let (a, b, q, fast) = (
        Ident::new("__ia", m),
        Ident::new("__ib", m),
        Ident::new("__q", m),
        Ident::new("__fast", m),
    );
    let (pat, label, body) = (&f.pat, &f.label, &f.body);
    let sources: Vec<TokenStream> = cuts
        .iter()
        .map(|c| {
            let (base, off) = (&c.base, &c.offset);
            match (c.kind, strip(base)) {
                (Kind::Read, _) => quote!(#p::cut_range(&#base, #off, #a, #b)),
                (Kind::Row, Expr::Index(ix)) => {
                    let (rows, i) = (&ix.expr, &ix.index);
                    quote!(#rows.get(#i).and_then(|__row| #p::cut_range(__row, #off, #a, #b)))
                }
                (Kind::Mut, Expr::MethodCall(_)) => quote!(#p::cut_range_mut(#base, #off, #a, #b)),
                _ => quote!(#p::cut_range_mut(&mut #base, #off, #a, #b)),
            }
        })
        .collect();
    let locals: Vec<&Ident> = cuts.iter().map(|c| &c.local).collect();
    let fast_body = cut_body(body, cuts, &q, survey, var);
    let mut run = quote! {{
        #label for #q in 0..#b - #a {
            #[allow(unused_variables)]
            let #pat = #a + #q;
            #fast_body
        }
        true
    }};
    // Mutable cuts enter as closure parameters: LLVM then knows that
    // writing one changes nothing the body reads through another.
    for c in cuts.iter().filter(|c| c.kind == Kind::Mut) {
        let l = &c.local;
        run = quote!(#p::with_cut(#l, |#l| #run));
    }
    syn::parse_quote! {{
        let (#a, #b): (usize, usize) = (#start, #end);
        let #fast = #a < #b && match ( #(#sources,)* ) {
            ( #(::core::option::Option::Some(#locals),)* ) => #run,
            _ => false,
        };
        if !#fast {
            #label for #pat in #a..#b #body
        }
    }}
}
