//! The rewrite of a body: a small `VisitMut` that only reads the
//! decisions. It resolves names as the facts walker did (the two share
//! [`Walk`]) and changes only what the decisions ask for:
//!
//! - a split array's accesses go to the chunk's window: a plain name is
//!   the window itself (bound under the array's name), a field `self.v`
//!   becomes `__w_self_v`, a row `c[i * n + j]` becomes
//!   `c.__parallel_row(i)[j]`, a nested `grid[i][j]` under `collapse(2)`
//!   becomes `*grid.at(i, j)`;
//! - `#[atomic] x op= e` updates the atomic cell, `#[critical]` blocks take
//!   their section's lock and reach its variables through it;
//! - a write of a `lastprivate` variable raises its chunk's flag, a minloc
//!   / maxloc update raises its variable's;
//! - in a vectorized kernel, the cut arrays' accesses read the current
//!   block, `__gK[__p]`, and `continue` leaves the lane's block.

use crate::facts::{self, Step, chain, directive_attr, is_atomic, section_name, steps};
use crate::flow::Flow;
use crate::index::Atom;
use crate::names::Name;
use crate::ownership::{
    Cut, Decisions, Frame, Ownership, Reach, Split, cut_key, prefix_text, reach,
};
use crate::walk::{Binding, Position, Walk};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{BinOp, Block, Expr, Ident, Lifetime};

/// The flag a chunk raises when it assigns a `lastprivate` variable.
pub fn lastprivate_flag(x: &Name) -> Ident {
    format_ident!("__lp_{}", x.as_str(), span = Span::mixed_site())
}

/// The flag a chunk raises when a minloc / maxloc update takes a value.
pub fn loc_flag(x: &Name) -> Ident {
    format_ident!("__loc_{}", x.as_str(), span = Span::mixed_site())
}

/// The binding of a critical variable inside its section.
fn critical_local(x: &Name) -> Ident {
    format_ident!("__c_{}", x.as_str(), span = Span::mixed_site())
}

/// What a kernel's rewrite replaces.
pub struct KernelCuts<'a> {
    pub cuts: &'a [Cut],
    /// `__pN`: the position of the current iteration in its block.
    pub position: Ident,
    /// `'__laneN`: the block a lane's body runs in.
    pub lane: Lifetime,
}

/// Rewrites `body` by the decisions; for a kernel, also its cuts. Returns
/// whether a `continue` now leaves the lane's block (which then needs its
/// label).
pub fn rewrite(
    body: &mut Block,
    position: Position,
    frame: Frame<'_>,
    decisions: &Decisions,
    lastprivate: &[Name],
    kernel: Option<&KernelCuts>,
) -> bool {
    let mut walker = Rewriter {
        position,
        frame,
        decisions,
        lastprivate,
        kernel,
        critical: None,
        lane_used: false,
    };
    walker.visit_block_mut(body);
    walker.lane_used
}

/// A position for a rewrite of a loop over `vars` (and pattern names).
pub fn position<'a>(flow: Flow<'a>, vars: Vec<Name>, pattern: Vec<Ident>) -> Position<'a> {
    Position::new(flow, vars, pattern)
}

struct Rewriter<'a, 'd> {
    position: Position<'a>,
    frame: Frame<'d>,
    decisions: &'d Decisions,
    lastprivate: &'d [Name],
    kernel: Option<&'d KernelCuts<'d>>,
    critical: Option<String>,
    lane_used: bool,
}

/// The parts of a place chain: its root, and each link from the root out.
fn links_of(e: &Expr) -> Option<(Ident, Vec<Expr>)> {
    chain(e).map(|(root, links)| (root, links.into_iter().cloned().collect()))
}

impl Rewriter<'_, '_> {
    /// The captured root of a place, with its steps.
    fn captured(&self, e: &Expr) -> Option<(Ident, Name, Vec<Step>)> {
        let (root, links) = chain(e)?;
        if self.position.resolve_ident(&root) != Binding::Captured {
            return None;
        }
        let steps = steps(&self.position, &links);
        Some((root.clone(), Name::of(&root), steps))
    }

    /// Rewrites the place `e` if its root is decided; `write` when it is
    /// the place of a write. Visits its index expressions either way.
    fn place(&mut self, e: &mut Expr, write: bool, postfix: bool) {
        if chain(e).is_none() {
            // Not a place rooted at a name (`f()[i]`).
            visit_mut::visit_expr_mut(self, e);
            return;
        }
        let Some((root, name, steps)) = self.captured(e) else {
            self.visit_indices(e);
            return;
        };
        // Index expressions first: they are rewritten on their own.
        self.visit_indices(e);
        if let Some(kernel) = self.kernel
            && let Some((cut, k)) = self.cut_of(kernel, &root, &steps)
            && let Some(target) = link_at(e, k + 1)
        {
            let (slot, p) = (&cut.slot, &kernel.position);
            *target = syn::parse_quote_spanned!(root.span()=> #slot[#p]);
            return;
        }
        if let Some(section) = &self.critical
            && self
                .decisions
                .section_of(&name)
                .is_some_and(|s| s.name == *section)
        {
            let local = critical_local(&name);
            // Method calls, fields and indices deref through the guard's
            // `&mut &mut`; the place alone is `**__c_x`.
            let with: Expr = match (steps.is_empty(), postfix) {
                (true, false) => syn::parse_quote_spanned!(root.span()=> **#local),
                // A method call on it: deref explicitly, or a method of
                // `&mut &mut T` (`Ord::max`) would be taken.
                (true, true) => syn::parse_quote_spanned!(root.span()=> (**#local)),
                (false, _) => syn::parse_quote_spanned!(root.span()=> #local),
            };
            replace_root(e, &with);
            return;
        }
        if let Some(split) = self.decisions.split_of(&root, &steps) {
            let reach = reach(split, &steps, self.frame);
            self.split_access(e, split, &steps, reach, write, postfix);
        }
    }

    /// The cut that a place rooted at `root` reads at its first index, and
    /// that index's step.
    fn cut_of<'k>(
        &self,
        kernel: &'k KernelCuts,
        root: &Ident,
        steps: &[Step],
    ) -> Option<(&'k Cut, usize)> {
        let k = steps.iter().position(|s| matches!(s, Step::Index(_)))?;
        let Step::Index(first) = &steps[k] else {
            return None;
        };
        let mut array = Name::of(root).to_string();
        for s in &steps[..k] {
            match s {
                Step::Field(f) => {
                    array.push('.');
                    array.push_str(f.as_str());
                }
                Step::Row(r) => {
                    array.push_str(&format!(".__parallel_row({})", crate::show::key(&r.expr)))
                }
                _ => return None,
            }
        }
        let key = cut_key(&array, first);
        kernel.cuts.iter().find(|c| c.key == key).map(|c| (c, k))
    }

    /// `e`, an access of the split array, as the decisions send it: the
    /// node of the place that the access reaches is replaced, built on the
    /// window (the array's own name when it is a plain variable).
    fn split_access(
        &self,
        e: &mut Expr,
        split: &Split,
        steps: &[Step],
        reach: Reach,
        write: bool,
        postfix: bool,
    ) {
        let p = split.prefix;
        let w = &split.window;
        let window: Expr = syn::parse_quote_spanned!(split.root.span()=> #w);
        // The node replaced, and whether it is a reference to the element
        // (a call of the window's), to deref unless a method, field or
        // index follows (which deref on their own).
        let (depth, node, reference) = match reach {
            Reach::Own | Reach::Whole if p > 0 => (p, Some(window), false),
            Reach::Own | Reach::Whole | Reach::Race => (p, None, false),
            Reach::Row => {
                let (node, reference) = self
                    .row_node(e, p, &window, split, write, steps.get(p))
                    .unzip();
                (p + 1, node, reference.unwrap_or(false))
            }
            Reach::Column { quotient } => (
                p + 1,
                self.column_node(e, p, &window, &quotient, write),
                true,
            ),
            Reach::NestedAt => (
                p + 2,
                nested_node(e, p, &window, &split.ownership, write),
                true,
            ),
            Reach::Outside => {
                let out = split.outside.as_ref();
                let text = prefix_text(split.name.as_str(), steps, p + 1);
                let node = index_of(e, p + 1)
                    .zip(out)
                    .map(|(ix, o)| syn::parse_quote_spanned!(ix.span()=> #o.read(#ix, #text)));
                (p + 1, node, true)
            }
            Reach::NestedOutside => {
                let out = split.outside.as_ref();
                let text = prefix_text(split.name.as_str(), steps, p + 2);
                let node = pair_of(e, p + 2)
                    .zip(out)
                    .map(|((r, c), o)| syn::parse_quote_spanned!(c.span()=> #o.at(#r, #c, #text)));
                (p + 2, node, true)
            }
            Reach::Snapshot { fields } => {
                let names: Vec<&Name> = steps[p + 1..p + 1 + fields]
                    .iter()
                    .filter_map(|s| match s {
                        Step::Field(f) => Some(f),
                        _ => None,
                    })
                    .collect();
                let snap = split
                    .snapshots
                    .iter()
                    .find(|s| s.fields.iter().collect::<Vec<_>>() == names);
                let node = index_of(e, p + 1).zip(snap).map(|(ix, s)| {
                    let local = &s.local;
                    syn::parse_quote!(#local[#ix])
                });
                (p + 1 + fields, node, false)
            }
        };
        // A field or index after it derefs the reference on its own; a
        // method call does not (`Ord::max` of `&mut T` would be taken), so
        // a receiver is `(*node)`, and the place alone `*node`.
        let whole = links_of(e).is_some_and(|(_, links)| links.len() == depth);
        let node = match node {
            Some(node) if reference && whole && postfix => Some(syn::parse_quote!((*#node))),
            Some(node) if reference && whole => Some(syn::parse_quote!(*#node)),
            other => other,
        };
        if let (Some(node), Some(target)) = (node, link_at(e, depth)) {
            *target = node;
        }
    }

    /// `c[i * n + j]` as `w.__parallel_row(i)[j]` when the index is written
    /// as a sum with `i * n` one of its terms, else as
    /// `*w.__parallel_row_at(i, i * n + j)`.
    fn row_node(
        &self,
        e: &mut Expr,
        p: usize,
        window: &Expr,
        split: &Split,
        write: bool,
        step: Option<&Step>,
    ) -> Option<(Expr, bool)> {
        let Ownership::Row { stride } = &split.ownership else {
            return None;
        };
        let index = index_of(e, p + 1)?;
        let var = self.loop_factor(&index)?;
        let (row, at) = if write {
            (quote!(__parallel_row), quote!(__parallel_row_at))
        } else {
            (quote!(__parallel_row_ref), quote!(__parallel_row_ref_at))
        };
        let span = index.span();
        // The index less the row's start: as written when the term
        // `var * stride` stands alone, else from the index model (planes,
        // `i * n * n + j * n + k`, whose rest is `j * n + k`).
        let rest = split_row(&index, &var, stride).or_else(|| match step {
            Some(Step::Index(ix)) => {
                let along = ix.linear.along(0);
                let plain = along.linear && along.rest.iter().all(|t| !t.negative);
                plain.then(|| along.rest_expr())
            }
            _ => None,
        });
        Some(match rest {
            Some(rest) => (
                syn::parse_quote_spanned!(span=> #window.#row(#var)[#rest]),
                false,
            ),
            None => (
                syn::parse_quote_spanned!(span=> #window.#at(#var, #index)),
                true,
            ),
        })
    }

    /// `b[k * n + j]` as `*w.__parallel_col(k, j)`.
    fn column_node(
        &self,
        e: &mut Expr,
        p: usize,
        window: &Expr,
        quotient: &Expr,
        write: bool,
    ) -> Option<Expr> {
        let index = index_of(e, p + 1)?;
        let var = self.loop_factor(&index)?;
        let col = if write {
            quote!(__parallel_col)
        } else {
            quote!(__parallel_col_ref)
        };
        let span = index.span();
        Some(syn::parse_quote_spanned!(span=> #window.#col(#quotient, #var)))
    }

    /// The loop variable as the index uses it: `i`, `i as usize`.
    fn loop_factor(&self, index: &Expr) -> Option<Expr> {
        let lin = facts::index_fact(&self.position, index).linear;
        lin.terms
            .iter()
            .flat_map(|t| &t.factors)
            .find(|f| matches!(f.atom, Atom::Loop(0)))
            .map(|f| f.expr.clone())
    }

    fn visit_indices(&mut self, e: &mut Expr) {
        match e {
            Expr::Paren(p) => self.visit_indices(&mut p.expr),
            Expr::Group(g) => self.visit_indices(&mut g.expr),
            Expr::Field(f) => self.visit_indices(&mut f.base),
            Expr::Unary(u) => self.visit_indices(&mut u.expr),
            Expr::MethodCall(m) => {
                self.visit_indices(&mut m.receiver);
                for arg in m.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
            }
            Expr::Index(ix) => {
                self.visit_indices(&mut ix.expr);
                self.visit_expr_mut(&mut ix.index);
            }
            _ => {}
        }
    }

    // Input:  #[atomic] x += e;
    // Output: { let __v = e; __at_x.update(|__old| __old + __v); }
    fn atomic(&mut self, e: &mut Expr) {
        let Expr::Binary(b) = e else { return };
        self.visit_expr_mut(&mut b.right);
        let Some((_, name, steps)) = self.captured(&strip_attrs(&b.left)) else {
            return;
        };
        let fields: Vec<Name> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Field(f) => Some(f.clone()),
                _ => None,
            })
            .collect();
        let (Some(atomic), Some(op)) = (self.decisions.atomic_of(&name, &fields), binary_of(&b.op))
        else {
            return;
        };
        let (cell, rhs) = (&atomic.cell, &b.right);
        let m = Span::mixed_site();
        let (v, old) = (Ident::new("__v", m), Ident::new("__old", m));
        *e = syn::parse_quote_spanned! {b.span()=>
            {
                let #v = #rhs;
                #cell.update(|#old| #old #op #v);
            }
        };
    }

    // Input:  #[critical] { log.push(i); count += 1; }
    // Output: {
    //             let mut __guard = __crit_.lock();
    //             let (__c_count, __c_log) = &mut *__guard;
    //             { (**__c_log).push(i); (**__c_count) += 1; }
    //         }
    fn critical(&mut self, e: &mut Expr) {
        let Expr::Block(b) = e else { return };
        let name = directive_attr(&b.attrs, "critical")
            .and_then(|a| section_name(a).ok())
            .unwrap_or_default();
        b.attrs.retain(|a| !a.path().is_ident("critical"));
        let outer = self.critical.replace(name.clone());
        self.visit_block_mut(&mut b.block);
        self.critical = outer;
        let vars: Vec<Ident> = self
            .decisions
            .sections
            .iter()
            .find(|s| s.name == name)
            .map(|s| {
                s.vars
                    .iter()
                    .map(|v| critical_local(&Name::of(v)))
                    .collect()
            })
            .unwrap_or_default();
        let lock = format_ident!("__crit_{}", name, span = Span::mixed_site());
        let guard = Ident::new("__guard", Span::mixed_site());
        let (block, attrs) = (&b.block, &b.attrs);
        *e = syn::parse_quote! {
            #(#attrs)*
            {
                let mut #guard = #lock.lock();
                #[allow(unused_variables)]
                let ( #(#vars,)* ) = &mut *#guard;
                #block
            }
        };
    }

    /// The clause variable a write expression changes, when its writes are
    /// flagged: a `lastprivate` variable, or a minloc / maxloc one.
    fn flagged(&self, place: &Expr) -> Option<Ident> {
        let (_, name, _) = self.captured(place)?;
        if self.lastprivate.contains(&name) {
            return Some(lastprivate_flag(&name));
        }
        self.decisions
            .loc_ties
            .contains_key(&name)
            .then(|| loc_flag(&name))
    }

    /// The place a write expression writes.
    fn written_place(e: &Expr) -> Option<&Expr> {
        match e {
            Expr::Assign(a) => Some(&a.left),
            Expr::Binary(b) if facts::is_compound(&b.op) => Some(&b.left),
            Expr::Reference(r) if r.mutability.is_some() => Some(&r.expr),
            Expr::MethodCall(m)
                if facts::MUTATING_METHODS.contains(&m.method.to_string().as_str()) =>
            {
                Some(&m.receiver)
            }
            _ => None,
        }
    }
}

/// `e` without parentheses.
fn strip(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            _ => return e,
        }
    }
}

fn strip_attrs(e: &Expr) -> Expr {
    facts::strip_directives_expr(e)
}

/// The binary operator of a compound assignment: `+` for `+=`.
fn binary_of(op: &BinOp) -> Option<TokenStream> {
    Some(match op {
        BinOp::AddAssign(_) => quote!(+),
        BinOp::SubAssign(_) => quote!(-),
        BinOp::MulAssign(_) => quote!(*),
        BinOp::DivAssign(_) => quote!(/),
        BinOp::RemAssign(_) => quote!(%),
        BinOp::BitAndAssign(_) => quote!(&),
        BinOp::BitOrAssign(_) => quote!(|),
        BinOp::BitXorAssign(_) => quote!(^),
        BinOp::ShlAssign(_) => quote!(<<),
        BinOp::ShrAssign(_) => quote!(>>),
        _ => return None,
    })
}

/// The links of a place from the root out, mutably: walks `e` down to
/// the link `depth` steps from the root.
fn link_at(e: &mut Expr, depth_from_root: usize) -> Option<&mut Expr> {
    let total = links_of(e)?.1.len();
    let mut cur = e;
    let mut k = total;
    while k > depth_from_root {
        cur = match cur {
            Expr::Paren(p) => &mut p.expr,
            Expr::Group(g) => &mut g.expr,
            Expr::Field(f) => {
                k -= 1;
                &mut f.base
            }
            Expr::Index(ix) => {
                k -= 1;
                &mut ix.expr
            }
            Expr::Unary(u) => {
                k -= 1;
                &mut u.expr
            }
            Expr::MethodCall(m) => {
                k -= 1;
                &mut m.receiver
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// Replaces the root and its first `fields` links by `with`.
fn replace_prefix(e: &mut Expr, fields: usize, with: &Expr) {
    if let Some(base) = link_at(e, fields) {
        *base = with.clone();
    }
}

/// Replaces the root alone by `with`.
fn replace_root(e: &mut Expr, with: &Expr) {
    replace_prefix(e, 0, with);
}

/// The index of the link `depth` steps from the root: `idx` in `a[idx]`.
fn index_of(e: &mut Expr, depth: usize) -> Option<Expr> {
    match &*link_at(e, depth)? {
        Expr::Index(ix) => Some((*ix.index).clone()),
        _ => None,
    }
}

/// The two indices of the link `depth` steps from the root: `(r, c)` in
/// `a[r][c]`.
fn pair_of(e: &mut Expr, depth: usize) -> Option<(Expr, Expr)> {
    match &*link_at(e, depth)? {
        Expr::Index(outer) => match strip(&outer.expr) {
            Expr::Index(inner) => Some(((*inner.index).clone(), (*outer.index).clone())),
            _ => None,
        },
        _ => None,
    }
}

/// `a[r][j]` as `*w.__parallel_at(r, j)` (under `collapse(2)`,
/// `*w.at(i, j)`).
fn nested_node(
    e: &mut Expr,
    p: usize,
    window: &Expr,
    ownership: &Ownership,
    write: bool,
) -> Option<Expr> {
    let (r, c) = pair_of(e, p + 2)?;
    let at = match (ownership, write) {
        (Ownership::CollapsedNested, true) => quote!(at),
        (Ownership::CollapsedNested, false) => quote!(at_ref),
        (_, true) => quote!(__parallel_at),
        (_, false) => quote!(__parallel_at_ref),
    };
    Some(syn::parse_quote!(#window.#at(#r, #c)))
}

/// `i * n + r` → `r`, when `i * n` (or `n * i`, with `n` shown as the
/// stride) is one `+` term of the index as written.
fn split_row(index: &Expr, var: &Expr, stride: &Expr) -> Option<Expr> {
    let show = crate::show::show;
    let mut terms: Vec<(bool, &Expr)> = Vec::new();
    fn flatten<'e>(e: &'e Expr, minus: bool, out: &mut Vec<(bool, &'e Expr)>) {
        match strip(e) {
            Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
                flatten(&b.left, minus, out);
                flatten(&b.right, minus, out);
            }
            Expr::Binary(b) if matches!(b.op, BinOp::Sub(_)) => {
                flatten(&b.left, minus, out);
                flatten(&b.right, !minus, out);
            }
            other => out.push((minus, other)),
        }
    }
    flatten(index, false, &mut terms);
    let (v, s) = (show(strip(var)), show(strip(stride)));
    let at = terms.iter().position(|(minus, t)| {
        !minus
            && match strip(t) {
                Expr::Binary(b) if matches!(b.op, BinOp::Mul(_)) => {
                    let (l, r) = (show(strip(&b.left)), show(strip(&b.right)));
                    (l == v && r == s) || (r == v && l == s)
                }
                _ => false,
            }
    })?;
    terms.remove(at);
    let mut rest: Option<TokenStream> = None;
    for (minus, t) in terms {
        rest = Some(match (rest, minus) {
            (None, false) => quote!(#t),
            (None, true) => return None,
            (Some(acc), false) => quote!(#acc + #t),
            (Some(acc), true) => quote!(#acc - #t),
        });
    }
    let rest = rest.unwrap_or_else(|| quote!(0usize));
    syn::parse2(rest).ok()
}

impl<'a> Walk<'a> for Rewriter<'a, '_> {
    fn position(&mut self) -> &mut Position<'a> {
        &mut self.position
    }

    fn rewrites(&self) -> bool {
        true
    }
}

impl VisitMut for Rewriter<'_, '_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        self.walk_block(block);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        self.walk_macro(mac);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let flag = Self::written_place(e).and_then(|p| self.flagged(p));
        self.visit_expr_inner(e);
        if let Some(flag) = flag {
            *e = syn::parse_quote!({
                #flag = true;
                #e
            });
        }
    }
}

impl Rewriter<'_, '_> {
    fn visit_expr_inner(&mut self, e: &mut Expr) {
        if is_atomic(e) {
            self.atomic(e);
            return;
        }
        if let Expr::Block(b) = e
            && directive_attr(&b.attrs, "critical").is_some()
        {
            self.critical(e);
            return;
        }
        if let Some(loc) = self.loc_update(e) {
            *e = loc;
            return;
        }
        match e {
            Expr::Path(_) | Expr::Field(_) | Expr::Index(_) => self.place(e, false, false),
            Expr::MethodCall(m) if facts::is_row_method(m) => self.place(e, false, false),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.place(e, false, false),
            // `y[i]?`: a postfix operator on the place.
            Expr::Try(t) if chain(&t.expr).is_some() => self.place(&mut t.expr, false, true),
            Expr::Assign(a) => {
                self.visit_expr_mut(&mut a.right);
                self.place(&mut a.left, true, false);
            }
            Expr::Binary(b) if facts::is_compound(&b.op) => {
                self.visit_expr_mut(&mut b.right);
                self.place(&mut b.left, true, false);
            }
            Expr::Reference(r) => {
                let write = r.mutability.is_some();
                self.place(&mut r.expr, write, false);
            }
            Expr::MethodCall(m) => {
                for arg in m.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
                let write = facts::MUTATING_METHODS.contains(&m.method.to_string().as_str());
                self.place(&mut m.receiver, write, true);
            }
            Expr::Continue(c) => {
                if let (Some(kernel), Ok(true)) =
                    (self.kernel, self.position.flow.check_continue(c))
                {
                    let lane = &kernel.lane;
                    self.lane_used = true;
                    *e = syn::parse_quote_spanned!(c.continue_token.span=> break #lane);
                }
                self.position.diverge();
            }
            _ => {
                if !self.walk_structure(e) {
                    visit_mut::visit_expr_mut(self, e);
                }
            }
        }
    }

    // Input:  if x[i] < best.0 { best = (x[i], i); }
    //         (or best = if x[i] < best.0 { (x[i], i) } else { best };)
    // Output: if x[i] < best.0 { best = (x[i], i); __loc_best = true; }
    fn loc_update(&mut self, e: &Expr) -> Option<Expr> {
        let u = crate::update::recognize(e)?;
        let (cond, pick) = (u.cond?, u.pick?);
        let (_, name, _) = self.captured(u.target)?;
        if !self.decisions.loc_ties.contains_key(&name) {
            return None;
        }
        let flag = loc_flag(&name);
        let (mut cond, mut pick, target) = (cond.clone(), pick.clone(), u.target.clone());
        self.visit_expr_mut(&mut cond);
        self.visit_expr_mut(&mut pick);
        Some(syn::parse_quote_spanned! {e.span()=>
            if #cond {
                #target = #pick;
                #flag = true;
            }
        })
    }
}

/// Removes the `#[atomic]` and `#[critical]` directives from code emitted
/// unexpanded (after an error), so that only the error is reported.
pub fn strip_directives(block: &mut Block) {
    struct Strip;
    impl VisitMut for Strip {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            facts::strip_attrs(e);
            visit_mut::visit_expr_mut(self, e);
        }
    }
    Strip.visit_block_mut(block);
}
