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

/// Versions every innermost loop of `body` that has something to cut;
/// whether there was one.
pub fn version(body: &mut Block, arrays: &Arrays) -> bool {
    let known = arrays
        .slices
        .iter()
        .chain(arrays.rows)
        .chain(&arrays.windows)
        .cloned()
        .collect();
    let mut v = Versioner {
        arrays,
        known,
        next: 0,
        versioned: 0,
    };
    v.visit_block_mut(body);
    v.versioned > 0
}

struct Versioner<'a, 'b> {
    arrays: &'b Arrays<'a>,
    /// The names known to be arrays: slices, `Vec`s, arrays, nested rows
    /// and the chunk's windows.
    known: HashSet<Name>,
    /// The number of the next cut's local.
    next: usize,
    /// How many loops were versioned.
    versioned: usize,
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

/// The loop's variable and range, when it is `for v in a..b` or
/// `for v in a..=b` (then `true`).
fn header(f: &ExprForLoop) -> Option<(&Ident, &Expr, &Expr, bool)> {
    let Pat::Ident(p) = &*f.pat else { return None };
    if p.by_ref.is_some() || p.subpat.is_some() {
        return None;
    }
    let Expr::Range(r) = strip(&f.expr) else {
        return None;
    };
    match (&r.start, &r.end, &r.limits) {
        (Some(a), Some(b), RangeLimits::HalfOpen(_)) => Some((&p.ident, a, b, false)),
        (Some(a), Some(b), RangeLimits::Closed(_)) => Some((&p.ident, a, b, true)),
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
    /// Names bound to slices, `Vec`s, arrays or windows: their `.len()` is
    /// theirs, and the methods in [`READS`] leave them as they were. On
    /// any other name (a user's type) a method may do anything.
    known: HashSet<Name>,
}

/// Methods that leave their receiver as it was, on the names a body knows
/// to be arrays.
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

/// Every name an assignment's left side changes: `x`, `x[i]`, `x.f`, and
/// each place of a destructuring one (`(k, _) = ..`, `[a, b] = ..`,
/// `S { f: x, .. } = ..`).
fn places(e: &Expr, out: &mut HashSet<Name>) {
    match strip(e) {
        Expr::Tuple(t) => t.elems.iter().for_each(|e| places(e, out)),
        Expr::Array(a) => a.elems.iter().for_each(|e| places(e, out)),
        Expr::Struct(st) => st.fields.iter().for_each(|f| places(&f.expr, out)),
        Expr::Call(c) => c.args.iter().for_each(|e| places(e, out)),
        other => out.extend(root(other)),
    }
}

/// Whether `n` names an array: one the body knows, or a cut the macro made
/// (`__gK`, `__o_x`).
fn known_array(n: &Name, body: &Body) -> bool {
    body.known.contains(n) || n.as_str().starts_with("__g") || n.as_str().starts_with("__o_")
}

fn survey(block: &Block, label: Option<&syn::Lifetime>, known: &HashSet<Name>) -> Body {
    struct Survey<'l> {
        body: Body,
        label: Option<&'l syn::Lifetime>,
    }
    impl Visit<'_> for Survey<'_> {
        fn visit_expr(&mut self, e: &Expr) {
            match e {
                Expr::Assign(a) => places(&a.left, &mut self.body.changed),
                Expr::Binary(b) if crate::facts::is_compound(&b.op) => {
                    self.body.changed.extend(root(&b.left))
                }
                Expr::Reference(r) if r.mutability.is_some() => {
                    self.body.changed.extend(root(&r.expr))
                }
                Expr::MethodCall(m)
                    if !READS.contains(&m.method.to_string().as_str())
                        || root(&m.receiver).is_none_or(|n| !known_array(&n, &self.body)) =>
                {
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
            known: known.clone(),
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
            matches!(b.op, BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_))
                && invariant(&b.left, body, var)
                && invariant(&b.right, body, var)
        }
        Expr::MethodCall(m) => {
            m.method == "len"
                && m.args.is_empty()
                && root(&m.receiver).is_some_and(|n| known_array(&n, body))
                && invariant(&m.receiver, body, var)
        }
        _ => false,
    }
}

/// An index `v * stride + pos - neg`, `stride` (none: 1), `pos` and `neg`
/// invariant.
struct Affine {
    stride: Option<Expr>,
    pos: Expr,
    neg: Expr,
}

impl Affine {
    fn key(&self) -> String {
        let stride = self.stride.as_ref().map_or_else(|| "1".to_owned(), key);
        format!("{stride}|{}|{}", key(&self.pos), key(&self.neg))
    }
}

/// `index` as `v * stride + pos - neg`, if it is one: terms added or
/// subtracted, one of them `v` or `v * S` / `S * v` (added), the others
/// invariant.
fn affine(index: &Expr, body: &Body, var: &Name) -> Option<Affine> {
    // Terms as the index evaluates them: `p1 + p2 + .. - n1 - n2`, the
    // subtractions last, so that the index at its end is the least of
    // every partial sum and a check of the whole range keeps every step
    // from underflowing where the plain loop's would (`j - 1 + k`
    // underflows at `j = 0` before `k` is added: not cut). A subtraction
    // anywhere else is one term (`(n - 1)`), computed as written.
    fn sum<'e>(e: &'e Expr, out: &mut Vec<(bool, &'e Expr)>) {
        match strip(e) {
            Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
                sum(&b.left, out);
                sum(&b.right, out);
            }
            other => out.push((false, other)),
        }
    }
    fn flatten<'e>(e: &'e Expr, out: &mut Vec<(bool, &'e Expr)>) {
        match strip(e) {
            Expr::Binary(b) if matches!(b.op, BinOp::Sub(_)) => {
                flatten(&b.left, out);
                out.push((true, &b.right));
            }
            other => sum(other, out),
        }
    }
    let is_var = |e: &Expr| matches!(strip(e), Expr::Path(p) if p.path.get_ident().is_some_and(|id| Name::of(id) == *var));
    let mut terms = Vec::new();
    flatten(index, &mut terms);
    let mut stride: Option<Option<Expr>> = None;
    let (mut pos, mut neg): (Vec<&Expr>, Vec<&Expr>) = (Vec::new(), Vec::new());
    for (minus, t) in terms {
        let found = if is_var(t) {
            Some(None)
        } else if let Expr::Binary(b) = t
            && matches!(b.op, BinOp::Mul(_))
        {
            match (is_var(&b.left), is_var(&b.right)) {
                (true, false) if invariant(&b.right, body, var) => Some(Some((*b.right).clone())),
                (false, true) if invariant(&b.left, body, var) => Some(Some((*b.left).clone())),
                _ => None,
            }
        } else {
            None
        };
        match found {
            Some(s) if !minus && stride.is_none() => stride = Some(s),
            Some(_) => return None,
            None if invariant(t, body, var) => {
                if minus {
                    neg.push(t)
                } else {
                    pos.push(t)
                }
            }
            None => return None,
        }
    }
    let sum = |ts: &[&Expr]| -> Expr {
        match ts {
            [] => syn::parse_quote!(0usize),
            [one] => (*one).clone(),
            many => syn::parse_quote!(#(#many)+*),
        }
    };
    Some(Affine {
        stride: stride?,
        pos: sum(&pos),
        neg: sum(&neg),
    })
}

/// `w.__parallel_row(i)` / `w.__parallel_row_ref(i)` / `w[i]` of a window
/// `w`, `i` invariant: the window's name, and whether the form writes.
fn row_of_window(e: &Expr, a: &Arrays, body: &Body, var: &Name) -> Option<(Name, bool)> {
    let name = |e: &Expr| match strip(e) {
        Expr::Path(p) => p
            .path
            .get_ident()
            .map(Name::of)
            .filter(|n| a.windows.contains(n)),
        _ => None,
    };
    match strip(e) {
        Expr::MethodCall(m)
            if (m.method == "__parallel_row" || m.method == "__parallel_row_ref")
                && m.args.len() == 1
                && invariant(&m.args[0], body, var) =>
        {
            Some((name(&m.receiver)?, m.method == "__parallel_row"))
        }
        Expr::Index(ix) if invariant(&ix.index, body, var) => Some((name(&ix.expr)?, true)),
        _ => None,
    }
}

/// An element of a column window, flat (`__parallel_col`) or nested
/// (`__parallel_at`), written and read: both windows cut the same way.
const COLUMN_ACCESSORS: &[&str] = &[
    "__parallel_col",
    "__parallel_col_ref",
    "__parallel_at",
    "__parallel_at_ref",
];

/// How an array is cut for the loop.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A slice the body only reads: `cut_range(&b, ..)`, or `strided`.
    Read,
    /// A row of a nested slice: `a.get(i).and_then(|row| cut_range(row, ..))`.
    Row,
    /// The chunk's own row of a written array: `cut_range_mut(.., ..)`.
    Mut,
    /// The chunk's own column of a written array, at consecutive rows:
    /// `w.__parallel_col_view(j, ..)`.
    Column,
    /// One element of a window the loop reads (and writes) throughout:
    /// `w.__parallel_col_try(k, j)`, hoisted.
    Elem,
    /// The chunk's own row of a written array, only read here:
    /// `cut_range(w.__parallel_row_ref(i), ..)`, or `strided`.
    RowRead,
    /// A stretch of a written array that no iteration writes, read:
    /// `__o_a.__parallel_cut(..)`.
    Outside,
}

/// One cut: the accesses `base[index]` (or `*w.__parallel_col(q, j)`)
/// whose index moves with the variable the same way.
struct Cut {
    key: String,
    kind: Kind,
    /// The array (`b`, `a[i]`, `c.__parallel_row(i)`), or the window and
    /// the column (`w`, `j`).
    base: Expr,
    column: Option<Expr>,
    at: Affine,
    /// The name whose value the cut borrows (a window for `Mut`, `Column`).
    root: Name,
    local: Ident,
    /// An `Elem` the loop writes (else only reads).
    writes: bool,
    /// An `Elem` of a column window beside a `Column` view of the same
    /// column: the view's key, rows and local (`__parallel_col_split`).
    pair: Option<(String, Affine, Ident)>,
    /// How many accesses go through it.
    uses: usize,
}

impl Cut {
    /// Whether the accesses with `key` go through this cut (or its view).
    fn serves(&self, key: &str) -> bool {
        self.key == key || self.pair.as_ref().is_some_and(|(k, _, _)| k == key)
    }

    /// Another access through this cut: a write makes a row read one.
    fn merge(&mut self, kind: Kind, base: Expr, writes: bool) {
        if (self.kind == Kind::RowRead && kind == Kind::Mut)
            || (self.kind == Kind::Elem && writes && !self.writes)
        {
            self.kind = kind;
            self.base = base;
        }
        self.writes |= writes;
        self.uses += 1;
    }
}

/// An access the pass may cut: its kind, root, base, column and index.
struct Access {
    kind: Kind,
    root: Name,
    base: Expr,
    column: Option<Expr>,
    at: Affine,
    writes: bool,
}

impl Access {
    /// Accesses with one key go through one cut; a row read and written
    /// (`w.__parallel_row_ref(i)[j]`, `w.__parallel_row(i)[j]`) is one.
    fn key(&self) -> String {
        let column = self.column.as_ref().map(key).unwrap_or_default();
        let base = key(&self.base).replace("__parallel_row_ref(", "__parallel_row(");
        format!("{base}|{column}|{}", self.at.key())
    }
}

impl Versioner<'_, '_> {
    /// The access, if `e` is one the pass can cut.
    fn access(&self, e: &Expr, body: &Body, var: &Name) -> Option<Access> {
        let a = self.arrays;
        let plain = |e: &Expr| match strip(e) {
            Expr::Path(p) => p.path.get_ident().map(Name::of),
            _ => None,
        };
        let free = |n: &Name| !body.changed.contains(n) && !body.bound.contains(n);
        // `*w.__parallel_col(q, j)` (`*w.__parallel_at(q, j)` nested): a
        // column of a written array.
        if let Expr::Unary(u) = strip(e)
            && matches!(u.op, syn::UnOp::Deref(_))
            && let Expr::MethodCall(m) = strip(&u.expr)
            && COLUMN_ACCESSORS.contains(&m.method.to_string().as_str())
            && m.args.len() == 2
        {
            let root = plain(&m.receiver).filter(|n| a.windows.contains(n))?;
            invariant(&m.args[1], body, var).then_some(())?;
            let writes = m.method == "__parallel_col" || m.method == "__parallel_at";
            // The same element throughout: hoisted.
            if invariant(&m.args[0], body, var) {
                let q = &m.args[0];
                return Some(Access {
                    kind: Kind::Elem,
                    root,
                    base: (*m.receiver).clone(),
                    column: Some(m.args[1].clone()),
                    at: Affine {
                        stride: Some(syn::parse_quote!(0usize)),
                        pos: syn::parse_quote!(#q),
                        neg: syn::parse_quote!(0usize),
                    },
                    writes,
                });
            }
            let at = affine(&m.args[0], body, var).filter(|at| at.stride.is_none())?;
            return Some(Access {
                kind: Kind::Column,
                root,
                base: (*m.receiver).clone(),
                column: Some(m.args[1].clone()),
                at,
                writes,
            });
        }
        // `*__o_a.read(i * n + k, ..)`: what the loop reads outside its
        // writes, checked once for the whole range.
        if let Expr::Unary(u) = strip(e)
            && matches!(u.op, syn::UnOp::Deref(_))
            && let Expr::MethodCall(m) = strip(&u.expr)
            && m.method == "read"
            && m.args.len() == 2
            && let Some(n) = plain(&m.receiver).filter(|n| n.as_str().starts_with("__o_"))
        {
            let at = affine(&m.args[0], body, var).filter(|at| at.stride.is_none())?;
            return Some(Access {
                kind: Kind::Outside,
                root: n,
                base: (*m.receiver).clone(),
                column: None,
                at,
                writes: false,
            });
        }
        let Expr::Index(ix) = strip(e) else {
            return None;
        };
        // `w.__parallel_row(i)[j]`, `w[i][j]`: one element of the chunk's
        // own row, the same throughout: hoisted.
        if let Some((n, writes)) = row_of_window(&ix.expr, a, body, var)
            && invariant(&ix.index, body, var)
        {
            let i = &ix.index;
            return Some(Access {
                kind: Kind::Elem,
                root: n,
                base: (*ix.expr).clone(),
                column: None,
                at: Affine {
                    stride: Some(syn::parse_quote!(0usize)),
                    pos: syn::parse_quote!(#i),
                    neg: syn::parse_quote!(0usize),
                },
                writes,
            });
        }
        // `s[p]`, the same element of a slice written throughout: hoisted
        // (the kernel's own cuts, `__gK_..`, are slices too).
        if let Some(n) = plain(&ix.expr)
            && (a.slices.contains(&n) || n.as_str().starts_with("__g"))
            && !a.windows.contains(&n)
            && body.changed.contains(&n)
            && !body.bound.contains(&n)
            && invariant(&ix.index, body, var)
        {
            let i = &ix.index;
            return Some(Access {
                kind: Kind::Elem,
                root: n,
                base: (*ix.expr).clone(),
                column: None,
                at: Affine {
                    stride: Some(syn::parse_quote!(0usize)),
                    pos: syn::parse_quote!(#i),
                    neg: syn::parse_quote!(0usize),
                },
                writes: true,
            });
        }
        let at = affine(&ix.index, body, var)?;
        let unit = at.stride.is_none();
        let (kind, root) = match strip(&ix.expr) {
            Expr::Path(_) => {
                let n = plain(&ix.expr)?;
                if !a.slices.contains(&n) || a.windows.contains(&n) || body.bound.contains(&n) {
                    return None;
                }
                match (body.changed.contains(&n), unit) {
                    (false, _) => (Kind::Read, n),
                    // A slice the loop writes at `v + r` (an array
                    // reduction's copy, a private buffer): cut mutably,
                    // when the loop uses it in no other way.
                    (true, true) => (Kind::Mut, n),
                    (true, false) => return None,
                }
            }
            Expr::Index(inner) if unit && invariant(&inner.index, body, var) => {
                let n = plain(&inner.expr)?;
                if a.windows.contains(&n) {
                    (Kind::Mut, n)
                } else {
                    (a.rows.contains(&n) && free(&n)).then_some((Kind::Row, n))?
                }
            }
            Expr::MethodCall(m)
                if (m.method == "__parallel_row" || m.method == "__parallel_row_ref")
                    && m.args.len() == 1
                    && invariant(&m.args[0], body, var) =>
            {
                let n = plain(&m.receiver)?;
                let kind = match (m.method == "__parallel_row", unit) {
                    (true, true) => Kind::Mut,
                    (true, false) => return None,
                    (false, _) => Kind::RowRead,
                };
                a.windows.contains(&n).then_some((kind, n))?
            }
            _ => return None,
        };
        Some(Access {
            kind,
            root,
            base: (*ix.expr).clone(),
            column: None,
            at,
            writes: false,
        })
    }

    /// The cuts of the loop's body, each array once; a window the body
    /// uses in any other way is not cut.
    fn cuts(&mut self, block: &Block, body: &Body, var: &Name) -> Vec<Cut> {
        struct Accesses<'v, 'a, 'b> {
            v: &'v Versioner<'a, 'b>,
            body: &'v Body,
            var: &'v Name,
            found: Vec<Access>,
        }
        impl Visit<'_> for Accesses<'_, '_, '_> {
            fn visit_expr(&mut self, e: &Expr) {
                if let Some(access) = self.v.access(e, self.body, self.var) {
                    self.found.push(access);
                    return;
                }
                syn::visit::visit_expr(self, e);
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
        for access in found {
            let k = access.key();
            if matches!(
                access.kind,
                Kind::Mut | Kind::Column | Kind::Elem | Kind::RowRead
            ) {
                let entry = windows.entry(access.root.clone()).or_insert((k.clone(), 0));
                if entry.0 != k {
                    entry.1 = usize::MAX;
                } else if entry.1 != usize::MAX {
                    entry.1 += 1;
                }
            }
            let (writes, access_kind, access_base) =
                (access.writes, access.kind, access.base.clone());
            by_key
                .entry(k.clone())
                .or_insert_with(|| {
                    self.next += 1;
                    Cut {
                        key: k,
                        kind: access.kind,
                        base: access.base,
                        column: access.column,
                        at: access.at,
                        root: access.root,
                        local: format_ident!("__i{}", self.next, span = Span::mixed_site()),
                        writes: false,
                        pair: None,
                        uses: 0,
                    }
                })
                .merge(access_kind, access_base, writes);
        }
        pair_columns(&mut by_key, &windows, &mentions);
        by_key
            .into_values()
            .filter(|c| {
                !matches!(
                    c.kind,
                    Kind::Mut | Kind::Column | Kind::Elem | Kind::RowRead
                ) || c.pair.is_some()
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
        let (var, start, end, inclusive) = header(f)?;
        let label = f.label.as_ref().map(|l| &l.name);
        let body = survey(&f.body, label, &self.known);
        let var = Name::of(var);
        // A body that binds the variable again (`let j = j + 1;`) reads
        // another `j` in the accesses after it.
        if body.opaque || body.changed.contains(&var) || body.bound.contains(&var) {
            return None;
        }
        let cuts = self.cuts(&f.body, &body, &var);
        // Only when no access that moves with the variable keeps its check:
        // one checked access keeps the loop from vectorizing, and the
        // versioned loop measured slower than the plain one then (mvt's
        // column loop, `a[j * n + i] * y[j]` with only `y` cut: 2.4x).
        if cuts.is_empty() || self.checked_left(&f.body, &cuts, &body, &var) {
            return None;
        }
        // Only a loop whose variable indexes a cut is versioned: the range
        // is then `usize`, which the versioned loop's bounds are typed as
        // (a loop of hoisted elements alone may count in `i32` or `i64`).
        if cuts
            .iter()
            .all(|c| c.kind == Kind::Elem && c.pair.is_none())
        {
            return None;
        }
        self.versioned += 1;
        Some(generate(f, (start, end, inclusive), &cuts, self))
    }

    /// Whether an index that moves with `var` would keep its bounds check
    /// in the cut body.
    fn checked_left(&self, block: &Block, cuts: &[Cut], body: &Body, var: &Name) -> bool {
        struct Left<'c, 'a, 'b> {
            v: &'c Versioner<'a, 'b>,
            cuts: &'c [Cut],
            body: &'c Body,
            var: &'c Name,
            found: bool,
        }
        impl Visit<'_> for Left<'_, '_, '_> {
            fn visit_expr(&mut self, e: &Expr) {
                if let Some(access) = self.v.access(e, self.body, self.var)
                    && self.cuts.iter().any(|c| c.serves(&access.key()))
                {
                    return;
                }
                match e {
                    Expr::Index(ix) if !invariant(&ix.index, self.body, self.var) => {
                        self.found = true
                    }
                    Expr::MethodCall(m)
                        if m.method.to_string().starts_with("__parallel")
                            && !m.args.iter().all(|a| invariant(a, self.body, self.var)) =>
                    {
                        self.found = true
                    }
                    _ => {}
                }
                syn::visit::visit_expr(self, e);
            }
        }
        let mut l = Left {
            v: self,
            cuts,
            body,
            var,
            found: false,
        };
        l.visit_block(block);
        l.found
    }
}

/// A window used as one element throughout and as a view of the same
/// column at consecutive rows (trmm's and lu's `b[i * n + j]` beside
/// `b[k * n + j]`), and in no other way: the element's cut takes the
/// view as its pair, checked at run time to lie in other rows.
fn pair_columns(
    by_key: &mut BTreeMap<String, Cut>,
    windows: &BTreeMap<Name, (String, usize)>,
    mentions: &BTreeMap<Name, usize>,
) {
    for (root, (_, n)) in windows {
        if *n != usize::MAX {
            continue;
        }
        let mine: Vec<&Cut> = by_key.values().filter(|c| c.root == *root).collect();
        let [x, y] = mine.as_slice() else { continue };
        let (elem, view) = match (x.kind, y.kind) {
            (Kind::Elem, Kind::Column) => (*x, *y),
            (Kind::Column, Kind::Elem) => (*y, *x),
            _ => continue,
        };
        let same_column = match (&elem.column, &view.column) {
            (Some(a), Some(b)) => key(a) == key(b),
            _ => false,
        };
        if !same_column || mentions.get(root) != Some(&(elem.uses + view.uses)) {
            continue;
        }
        let (elem_key, view_key) = (elem.key.clone(), view.key.clone());
        let Some(view) = by_key.remove(&view_key) else {
            continue;
        };
        if let Some(e) = by_key.get_mut(&elem_key) {
            e.pair = Some((view_key, view.at, view.local));
        }
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

/// The body with every cut access read as `local[__q]`.
fn cut_body(
    block: &Block,
    cuts: &[Cut],
    q: &Ident,
    v: &Versioner,
    body: &Body,
    var: &Name,
) -> Block {
    struct Swap<'c, 'a, 'b> {
        v: &'c Versioner<'a, 'b>,
        cuts: &'c [Cut],
        q: &'c Ident,
        body: &'c Body,
        var: &'c Name,
    }
    impl VisitMut for Swap<'_, '_, '_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            if let Some(access) = self.v.access(e, self.body, self.var)
                && let Some(c) = self.cuts.iter().find(|c| c.serves(&access.key()))
            {
                let q = self.q;
                *e = match (&c.pair, c.kind) {
                    (Some((k, _, view)), _) if *k == access.key() => syn::parse_quote!(#view[#q]),
                    (_, Kind::Elem) => {
                        let local = &c.local;
                        syn::parse_quote!((*#local))
                    }
                    _ => {
                        let local = &c.local;
                        syn::parse_quote!(#local[#q])
                    }
                };
                return;
            }
            visit_mut::visit_expr_mut(self, e);
        }
    }
    let mut b = block.clone();
    Swap {
        v,
        cuts,
        q,
        body,
        var,
    }
    .visit_block_mut(&mut b);
    b
}

/// The expression that makes one cut, from the loop's range `a..b`.
fn source(c: &Cut, a: &Ident, b: &Ident) -> TokenStream {
    let p = quote!(::parallel::__private);
    let m = Span::mixed_site();
    // The invariant parts of the cut, each worked out with checked
    // arithmetic before the loop: one that would overflow or underflow
    // sends the loop to its plain form, which evaluates it only where and
    // when the plain loop does (and panics there, in a debug build).
    let mut parts: Vec<(Ident, TokenStream)> = Vec::new();
    let mut part = |name: &str, e: &Expr| {
        let id = Ident::new(name, m);
        parts.push((id.clone(), crate::kernel::checked(e)));
        id
    };
    let base = &c.base;
    let (pos, neg) = (part("__pp", &c.at.pos), part("__pn", &c.at.neg));
    let column = c.column.as_ref().map(|j| part("__pj", j));
    let stride = c.at.stride.as_ref().map(|s| part("__ps", s));
    let cut = if let (Kind::Elem, Some((_, view, _))) = (c.kind, &c.pair) {
        let (vpos, vneg) = (part("__pvp", &view.pos), part("__pvn", &view.neg));
        quote!(#base.__parallel_col_split(#pos, #column, #vpos, #vneg, #a, #b))
    } else {
        match (c.kind, &stride, strip(base)) {
            (Kind::Elem, _, Expr::MethodCall(mc))
                if column.is_none() && mc.method == "__parallel_row_ref" =>
            {
                quote!(#base.get(#pos))
            }
            (Kind::Elem, _, Expr::MethodCall(mc)) if column.is_none() && !c.writes => {
                let (w, args) = (&mc.receiver, &mc.args);
                quote!(#w.__parallel_row_ref(#args).get(#pos))
            }
            (Kind::Elem, _, _) if column.is_none() && !c.writes => quote!(#base.get(#pos)),
            (Kind::Elem, _, _) if column.is_none() => quote!(#base.get_mut(#pos)),
            (Kind::Elem, _, _) if c.writes => quote!(#base.__parallel_col_try(#pos, #column)),
            (Kind::Elem, _, _) => quote!(#base.__parallel_col_ref_try(#pos, #column)),
            (Kind::Column, _, _) => quote!(#base.__parallel_col_view(#column, #pos, #neg, #a, #b)),
            (Kind::Outside, _, _) => quote!(#base.__parallel_cut(#pos, #neg, #a, #b)),
            (Kind::RowRead, Some(s), _) => quote!(#p::strided(#base, #pos, #neg, #s, #a, #b)),
            (Kind::RowRead, None, _) => quote!(#p::cut_range(#base, #pos, #neg, #a, #b)),
            (Kind::Read, Some(s), _) => quote!(#p::strided(&#base, #pos, #neg, #s, #a, #b)),
            (Kind::Read, None, _) => quote!(#p::cut_range(&#base, #pos, #neg, #a, #b)),
            (Kind::Row, _, Expr::Index(ix)) => {
                let (rows, i) = (&ix.expr, part("__pr", &ix.index));
                quote!(#rows.get(#i).and_then(|__row| #p::cut_range(__row, #pos, #neg, #a, #b)))
            }
            (Kind::Mut, _, Expr::MethodCall(_)) => {
                quote!(#p::cut_range_mut(#base, #pos, #neg, #a, #b))
            }
            _ => quote!(#p::cut_range_mut(&mut #base, #pos, #neg, #a, #b)),
        }
    };
    let (ids, values): (Vec<Ident>, Vec<TokenStream>) = parts.into_iter().unzip();
    let some = quote!(::core::option::Option::Some);
    quote! {
        match ( #(#values,)* ) {
            ( #(#some(#ids),)* ) => #cut,
            _ => ::core::option::Option::None,
        }
    }
}

fn generate(
    f: &ExprForLoop,
    (start, end, inclusive): (&Expr, &Expr, bool),
    cuts: &[Cut],
    v: &Versioner,
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
    let Pat::Ident(pi) = &*f.pat else {
        unreachable!("`header` accepted only a name");
    };
    let var = Name::of(&pi.ident);
    let survey = survey(body, label.as_ref().map(|l| &l.name), &v.known);
    let sources: Vec<TokenStream> = cuts.iter().map(|c| source(c, &a, &b)).collect();
    let locals: Vec<TokenStream> = cuts
        .iter()
        .map(|c| match &c.pair {
            Some((_, _, view)) => {
                let l = &c.local;
                quote!((mut #l, mut #view))
            }
            None => {
                let l = &c.local;
                quote!(mut #l)
            }
        })
        .collect();
    let fast_body = cut_body(body, cuts, &q, v, &survey, &var);
    // Every cut but a hoisted element has the trip count as its length:
    // fitted to it, LLVM sees that no index inside checks anything.
    let n = Ident::new("__n", m);
    let fits = cuts.iter().map(|c| {
        let l = match (&c.pair, c.kind) {
            (Some((_, _, view)), _) => view,
            (None, Kind::Elem) => return quote!(),
            (None, _) => &c.local,
        };
        quote! {
            #[allow(unused_mut)]
            let mut #l = #p::Fit::fit(#l, #n);
        }
    });
    let mut run = quote! {{
        let #n = #b - #a;
        #(#fits)*
        #label for #q in 0..#n {
            #[allow(unused_variables)]
            let #pat = #a + #q;
            #fast_body
        }
        true
    }};
    // Mutable slices enter as closure parameters: LLVM then knows that
    // writing one changes nothing the body reads through another.
    for c in cuts.iter().filter(|c| c.kind == Kind::Mut) {
        let l = &c.local;
        run = quote!(#p::with_cut(#l, |#l| #run));
    }
    for c in cuts.iter().filter(|c| c.kind == Kind::Elem && c.writes) {
        let l = &c.local;
        run = quote!(#p::with_elem(#l, |#l| #run));
    }
    // `a..=b` runs as `a..b + 1` when `b + 1` exists, else as written.
    let (range, last, plain) = match inclusive {
        false => (
            quote!(let (#a, #b): (usize, usize) = (#start, #end);),
            quote!(),
            quote!(#a..#b),
        ),
        true => {
            let e = Ident::new("__ie", m);
            (
                quote! {
                    let (#a, #e): (usize, usize) = (#start, #end);
                    let #b = #e.wrapping_add(1);
                },
                quote!(#e != usize::MAX &&),
                quote!(#a..=#e),
            )
        }
    };
    syn::parse_quote! {{
        #range
        let #fast = #last #a < #b && match ( #(#sources,)* ) {
            #[allow(unused_mut)]
            ( #(::core::option::Option::Some(#locals),)* ) => #run,
            _ => false,
        };
        if !#fast {
            #label for #pat in #plain #body
        }
    }}
}
