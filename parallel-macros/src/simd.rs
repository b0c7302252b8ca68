//! Analysis and rewrite of a vectorized body: `#[simd]`, `#[simd_reduce]`,
//! and each chunk of `#[parallel_for(simd, ..)]`.
//!
//! A vectorized loop runs its iterations in blocks of `LANES`, in order,
//! one lane per iteration; only the reduction variables differ from the
//! plain loop: each lane has its own. So any body keeps its meaning; the
//! rewrite only makes the blocks cheap:
//!
//! - an array the body indexes with the loop variable, `x[i]`, is cut to the
//!   loop's range once and then into blocks of `[T; LANES]`, so `x[i]`
//!   becomes `__g0[__p]` (the block of the current lanes, at this lane's
//!   position) with no bounds check. An array also written `x[i] = ..` is cut
//!   mutably, which needs every use of it in the body to be `x[i]`; an array
//!   the body uses any other way is left as it is;
//! - `continue` ends the lane's iteration: `break '__lane` out of the block
//!   the body runs in, so the lane's accumulators are still stored back.
//!
//! Control flow that leaves the loop is rejected, as in `#[parallel_for]`,
//! and so is a captured scalar updated like a reduction (`s += x[i]`) but not
//! named in one: its chain through every iteration would keep the loop from
//! running side by side.

use crate::body::{
    MUTATING_METHODS, Place, check_reductions_are_captured, compound_op, is_compound, is_usize,
    reduction_shape, show, single_ident, split_place, strip,
};
use crate::clause::{Clauses, Errors};
use crate::flow::{Directive, Flow};
use crate::walk::BodyWalk;
use proc_macro2::Span;
use quote::format_ident;
use std::collections::{BTreeMap, HashSet};
use syn::visit_mut::{self, VisitMut};
use syn::{BinOp, Block, Error, Expr, Ident, Lifetime, Result};

/// The body of a vectorized loop, rewritten for its blocks.
pub struct Kernel {
    /// The arrays cut to the loop's range, in the order of their slots.
    pub cuts: Vec<Cut>,
    /// The body with `x[i]` as `__gK[__p]`, and `continue` as
    /// `break` out of [`Kernel::lane`].
    pub body: Block,
    /// The label of the block a lane's body runs in, when a `continue`
    /// needs it.
    pub lane: Option<Lifetime>,
    /// The position of the current iteration in its block: `__pN`.
    pub position: Ident,
}

/// An array the body indexes with the loop variable, `x[i]`, or with the
/// loop variable plus an offset that does not change during the loop,
/// `x[i * n + j - 1]` (for `j`).
pub struct Cut {
    /// The array: a captured name, a field of one (`self.x`), or a row of a
    /// `parallel_for` window (`__w_c.row(i)`, what `c[i * n + j]` became).
    pub array: Expr,
    /// The name the array belongs to, for spans.
    pub root: Ident,
    /// Written at the loop variable: cut mutably.
    pub write: bool,
    /// The index, when it is not the loop variable itself, as the terms of
    /// a sum (`true` for `+`), `None` standing for the loop variable: with
    /// it at its first value, the sum is where the cut starts.
    pub terms: Option<Vec<(bool, Option<Expr>)>>,
    /// The local holding the current block of it: `__gK`.
    pub slot: Ident,
}

/// Methods taken to leave their receiver as it was; any other method
/// called on a name may change it, so an offset that reads the name is not
/// invariant.
const READ_ONLY_METHODS: &[&str] = &["len", "is_empty", "row", "row_ref"];

/// A number for each kernel the macro writes: its locals (`__g3_0`,
/// `__p3`) and label differ from those of kernels nested in its body, which
/// share its hygiene (one `#[parallel]` invocation).
fn next_id() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Analyzes the body of a vectorized loop over `var`, whose reductions (for
/// `#[simd_reduce]`, or `#[parallel_for(simd)]`) are in `clauses`. For
/// `#[parallel_for(simd)]` the body has already been checked and rewritten
/// by [`crate::body::analyze`]; this only finds the cuts.
///
/// `reads`, when given, limits the arrays cut for reading to those names:
/// a `parallel_for` without `simd` cuts only what the host item declares as
/// a slice, `Vec` or array (a cut needs one), so that any other array type
/// it reads keeps working as before.
pub fn analyze(
    directive: Directive,
    var: Option<&Ident>,
    label: Option<&Lifetime>,
    clauses: &Clauses,
    body: &Block,
    reads: Option<&HashSet<String>>,
) -> Result<Kernel> {
    let id = next_id();
    let mut walker = Lanes {
        id,
        reads,
        mode: Mode::Collect,
        var,
        clauses,
        scopes: vec![HashSet::new()],
        flow: Flow::new(directive, label),
        write_ctx: false,
        arrays: BTreeMap::new(),
        cuts: BTreeMap::new(),
        lane: None,
        errors: Errors::default(),
    };
    let mut body = body.clone();
    if directive != Directive::ParallelFor {
        check_reductions_are_captured(clauses, &body, &mut walker.errors);
    }
    walker.visit_block_mut(&mut body);
    walker.decide();
    walker.mode = Mode::Rewrite;
    walker.visit_block_mut(&mut body);
    let position = walker.position();
    walker.errors.finish()?;
    // Slots are numbered in the map's order.
    Ok(Kernel {
        cuts: walker.cuts.into_values().collect(),
        body,
        lane: walker.lane,
        position,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Collect,
    Rewrite,
}

/// How the body uses one captured name.
#[derive(Default)]
struct Uses {
    /// Its accesses at the loop variable, by array and index as written.
    accesses: BTreeMap<String, Access>,
    /// Used any other way.
    other: bool,
    /// Written any other way (for a scalar: assigned at all).
    other_write: bool,
}

/// One array at one index form: `x[i]`, `x[i * n + j - 1]`, `w.row(i)[j]`.
struct Access {
    array: Expr,
    root: Ident,
    terms: Option<Vec<(bool, Option<Expr>)>>,
    /// Names the array and the offset read, which must not change in the loop.
    deps: Vec<String>,
    read: bool,
    write: bool,
}

struct Lanes<'a> {
    /// This kernel's number, in its locals' names.
    id: usize,
    /// See [`analyze`].
    reads: Option<&'a HashSet<String>>,
    mode: Mode,
    var: Option<&'a Ident>,
    clauses: &'a Clauses,
    /// Names bound inside the body, innermost scope last.
    scopes: Vec<HashSet<String>>,
    flow: Flow<'a>,
    /// The current node is the place of a write.
    write_ctx: bool,
    arrays: BTreeMap<String, Uses>,
    cuts: BTreeMap<String, Cut>,
    lane: Option<Lifetime>,
    errors: Errors,
}

impl Lanes<'_> {
    /// `__pN`: the position of the current iteration in its block.
    fn position(&self) -> Ident {
        format_ident!("__p{}", self.id, span = Span::mixed_site())
    }

    fn is_local(&self, name: &Ident) -> bool {
        let name = name.to_string();
        self.scopes.iter().any(|s| s.contains(&name))
    }

    /// A name captured from outside the loop (not the loop variable).
    fn captured<'e>(&self, e: &'e Expr) -> Option<&'e Ident> {
        let id = single_ident(strip(e))?;
        (!self.is_local(id) && self.var != Some(id)).then_some(id)
    }

    /// `i` or `i as usize`, for the loop variable `i` (not shadowed).
    fn is_own_index(&self, idx: &Expr) -> bool {
        let is_var = |e: &Expr| match (single_ident(strip(e)), self.var) {
            (Some(id), Some(var)) => id == var && !self.is_local(id),
            _ => false,
        };
        match strip(idx) {
            Expr::Cast(c) => is_var(&c.expr) && is_usize(&c.ty),
            e => is_var(e),
        }
    }

    /// The names an expression reads, if it can be evaluated once before
    /// the loop: no loop variable, no local of the body, no side effect (a
    /// literal, a name, a field, `.len()`, a cast, arithmetic of those).
    fn invariant(&self, e: &Expr, deps: &mut Vec<String>) -> bool {
        match e {
            Expr::Lit(_) => true,
            Expr::Paren(p) => self.invariant(&p.expr, deps),
            Expr::Group(g) => self.invariant(&g.expr, deps),
            Expr::Path(p) => match p.path.get_ident() {
                Some(id) => {
                    deps.push(syn::ext::IdentExt::unraw(id).to_string());
                    !self.is_local(id) && self.var != Some(id)
                }
                None => p.qself.is_none(),
            },
            Expr::Field(f) => self.invariant(&f.base, deps),
            Expr::MethodCall(m) => {
                m.method == "len" && m.args.is_empty() && self.invariant(&m.receiver, deps)
            }
            Expr::Cast(c) => self.invariant(&c.expr, deps),
            Expr::Binary(b) => {
                matches!(
                    b.op,
                    BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_) | BinOp::Rem(_)
                ) && self.invariant(&b.left, deps)
                    && self.invariant(&b.right, deps)
            }
            _ => false,
        }
    }

    /// The index of an access at the loop variable: `Some(None)` for `i`
    /// itself; for a sum in which `i` is one added term and every other term
    /// is [invariant](Self::invariant), its terms (see [`Cut::terms`]);
    /// `None` otherwise.
    #[allow(clippy::type_complexity)]
    fn affine(
        &self,
        idx: &Expr,
        deps: &mut Vec<String>,
    ) -> Option<Option<Vec<(bool, Option<Expr>)>>> {
        if self.is_own_index(idx) {
            return Some(None);
        }
        // The terms of a chain of `+` and `-`, each with its sign.
        fn terms<'e>(e: &'e Expr, plus: bool, out: &mut Vec<(bool, &'e Expr)>) {
            match strip(e) {
                Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
                    terms(&b.left, plus, out);
                    terms(&b.right, plus, out);
                }
                Expr::Binary(b) if matches!(b.op, BinOp::Sub(_)) => {
                    terms(&b.left, plus, out);
                    terms(&b.right, !plus, out);
                }
                other => out.push((plus, other)),
            }
        }
        let mut parts = Vec::new();
        terms(idx, true, &mut parts);
        let mut own = 0;
        let mut out = Vec::new();
        for (plus, term) in parts {
            if self.is_own_index(term) {
                if !plus {
                    return None;
                }
                own += 1;
                out.push((true, None));
            } else if self.invariant(term, deps) {
                out.push((plus, Some(term.clone())));
            } else {
                return None;
            }
        }
        (own == 1).then_some(Some(out))
    }

    /// The array of an access `a[..]`: a captured name, a field chain of
    /// one, or a `parallel_for` window's row `__w_c.row(e)` with `e`
    /// invariant; with the name it belongs to.
    fn array_of(&self, e: &Expr, deps: &mut Vec<String>) -> Option<Ident> {
        match strip(e) {
            Expr::Path(_) => self.captured(e).cloned(),
            Expr::Field(f) => {
                let root = self.array_of(&f.base, deps)?;
                matches!(strip(&f.base), Expr::Path(_) | Expr::Field(_)).then_some(root)
            }
            Expr::MethodCall(m)
                if (m.method == "row" || m.method == "row_ref") && m.args.len() == 1 =>
            {
                let root = self.captured(&m.receiver)?;
                let ours = root.to_string().starts_with("__w_");
                let arg_ok = m.args.iter().all(|a| self.invariant(a, deps));
                (ours && arg_ok).then(|| root.clone())
            }
            _ => None,
        }
    }

    /// An access `a[idx]` at the loop variable: its array's name, its
    /// offset's terms (`None` for `i` itself), and the names both read.
    #[allow(clippy::type_complexity)]
    fn access(
        &self,
        ix: &syn::ExprIndex,
    ) -> Option<(Ident, Option<Vec<(bool, Option<Expr>)>>, Vec<String>)> {
        let mut deps = Vec::new();
        let root = self.array_of(&ix.expr, &mut deps)?;
        let index = self.affine(&ix.index, &mut deps)?;
        // The array itself may be written here; how is `decide`'s question.
        let own = syn::ext::IdentExt::unraw(&root).to_string();
        deps.retain(|d| *d != own);
        Some((root, index, deps))
    }

    fn uses(&mut self, x: &Ident) -> &mut Uses {
        self.arrays
            .entry(syn::ext::IdentExt::unraw(x).to_string())
            .or_default()
    }

    /// The key of an access: its array and index as written.
    fn access_key(array: &Expr, index: &Expr, own: bool) -> String {
        // `x[i]` and `x[i as usize]` are the same elements.
        let index = if own { String::new() } else { show(index) };
        format!("{}[{}]", show(array), index)
    }

    /// After pass 1: an array only read at the loop variable (and not
    /// written any other way) is cut shared, once per index form; one
    /// written at the loop variable is cut mutably if the body uses it in
    /// no other way and at one index form only. Offsets and rows must not
    /// depend on anything the body writes.
    fn decide(&mut self) {
        let written: HashSet<&String> = self
            .arrays
            .iter()
            .filter(|(_, u)| u.other_write || u.accesses.values().any(|a| a.write))
            .map(|(k, _)| k)
            .collect();
        let mut cuts = Vec::new();
        for uses in self.arrays.values() {
            let write = uses.accesses.values().any(|a| a.write);
            let listed = |a: &Access| {
                let name = a.root.to_string();
                name.starts_with("__w_") || self.reads.is_none_or(|r| r.contains(&name))
            };
            let ok = if write {
                !uses.other && uses.accesses.len() == 1
            } else {
                !uses.other_write && uses.accesses.values().all(listed)
            };
            if !ok {
                continue;
            }
            for (key, access) in &uses.accesses {
                if access.deps.iter().any(|d| written.contains(d)) {
                    continue;
                }
                debug_assert!(access.read || access.write);
                cuts.push((key.clone(), access, write));
            }
        }
        let cuts: Vec<(String, Cut)> = cuts
            .into_iter()
            .enumerate()
            .map(|(k, (key, access, write))| {
                let slot = format_ident!("__g{}_{}", self.id, k, span = Span::mixed_site());
                let cut = Cut {
                    array: access.array.clone(),
                    root: access.root.clone(),
                    write,
                    terms: access.terms.clone(),
                    slot,
                };
                (key, cut)
            })
            .collect();
        self.cuts.extend(cuts);
    }

    /// Pass 1: a write to a captured scalar shaped like a reduction that the
    /// directive does not name.
    fn check_unlisted_reduction(
        &mut self,
        place: &Expr,
        op: Option<crate::clause::ReduceOp>,
        whole: &Expr,
    ) {
        let directive = self.flow.directive;
        if directive == Directive::ParallelFor {
            return;
        }
        let (Place::Var(x), Some(op)) = (split_place(place), op) else {
            return;
        };
        if self.is_local(x) || self.var == Some(x) || self.clauses.reduction_of(x).is_some() {
            return;
        }
        let fix = match directive {
            Directive::Simd => format!(
                "make it a reduction: `#[simd_reduce({}: {x})]` in place of `#[simd]`",
                op.symbol()
            ),
            _ => format!(
                "add `{}: {x}` to the reductions of `#[simd_reduce(..)]`",
                op.symbol()
            ),
        };
        self.errors.push(Error::new_spanned(
            whole,
            format!(
                "`{}` carries `{x}` from each iteration to the next, so the iterations of a `{}` loop cannot run side by side in vector lanes; {fix}",
                show(whole),
                directive.name()
            ),
        ));
    }

    fn visit_place(&mut self, place: &mut Expr) {
        let saved = self.write_ctx;
        self.write_ctx = true;
        self.visit_expr_mut(place);
        self.write_ctx = saved;
    }
}

crate::walk::body_walk!(Lanes);

impl VisitMut for Lanes<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        self.walk_block(block);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let known = mac
            .path
            .get_ident()
            .is_some_and(|m| crate::body::EXPR_MACROS.contains(&m.to_string().as_str()));
        if !known && self.mode == Mode::Collect {
            // An opaque macro may change any name it mentions.
            fn names(tokens: proc_macro2::TokenStream, out: &mut Vec<Ident>) {
                for t in tokens {
                    match t {
                        proc_macro2::TokenTree::Ident(id) => out.push(id),
                        proc_macro2::TokenTree::Group(g) => names(g.stream(), out),
                        _ => {}
                    }
                }
            }
            let mut found = Vec::new();
            names(mac.tokens.clone(), &mut found);
            for id in found {
                if !self.is_local(&id) && self.var != Some(&id) {
                    self.uses(&id).other_write = true;
                }
            }
        }
        self.walk_macro(mac);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let collect = self.mode == Mode::Collect;
        // Only the base of a place chain (`x[i].f`) inherits a write context.
        let write = std::mem::replace(&mut self.write_ctx, false);
        match e {
            Expr::Index(ix) if self.access(ix).is_some() => {
                let Some((root, terms, deps)) = self.access(ix) else {
                    return;
                };
                let key = Self::access_key(&ix.expr, &ix.index, terms.is_none());
                if collect {
                    let array = (*ix.expr).clone();
                    let access = self.uses(&root).accesses.entry(key).or_insert(Access {
                        array,
                        root: root.clone(),
                        terms,
                        deps,
                        read: false,
                        write: false,
                    });
                    access.read |= !write;
                    access.write |= write;
                    return;
                }
                if let Some(cut) = self.cuts.get(&key) {
                    let (slot, p) = (&cut.slot, self.position());
                    *ix.expr = syn::parse_quote_spanned!(root.span()=> #slot);
                    *ix.index = syn::parse_quote!(#p);
                }
            }
            Expr::Index(ix) => {
                self.write_ctx = write;
                self.visit_expr_mut(&mut ix.expr);
                self.write_ctx = false;
                self.visit_expr_mut(&mut ix.index);
            }
            Expr::Field(f) => {
                self.write_ctx = write;
                self.visit_expr_mut(&mut f.base);
                self.write_ctx = false;
            }
            Expr::Paren(p) => {
                self.write_ctx = write;
                self.visit_expr_mut(&mut p.expr);
                self.write_ctx = false;
            }
            Expr::Path(_) => {
                if collect && let Some(x) = self.captured(e).cloned() {
                    let uses = self.uses(&x);
                    uses.other = true;
                    uses.other_write |= write;
                }
            }
            Expr::MethodCall(m)
                if collect && !READ_ONLY_METHODS.contains(&m.method.to_string().as_str()) =>
            {
                // A method may take its receiver by `&mut self` (or change
                // it through a `Cell`): what it is called on may change.
                let mut root = &*m.receiver;
                while let Expr::Field(f) = strip(root) {
                    root = &f.base;
                }
                if let Some(x) = self.captured(root).cloned() {
                    self.uses(&x).other_write = true;
                }
                visit_mut::visit_expr_method_call_mut(self, m);
            }
            Expr::MethodCall(m) if m.method == "row" || m.method == "row_ref" => {
                // A window's row outside an access: a use of the window.
                self.write_ctx = write;
                self.visit_expr_mut(&mut m.receiver);
                self.write_ctx = false;
                for arg in m.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
            }
            Expr::Call(c) if single_ident(&c.func).is_some() => {
                // `f(x)`: `f` names a function, not a captured variable.
                for arg in c.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
            }
            Expr::Assign(a) => {
                if collect {
                    let whole = Expr::Assign(a.clone());
                    let op = split_place(&a.left)
                        .var()
                        .and_then(|x| reduction_shape(x, &a.right));
                    self.check_unlisted_reduction(&a.left, op, &whole);
                }
                self.visit_expr_mut(&mut a.right);
                self.visit_place(&mut a.left);
            }
            Expr::Binary(b) if is_compound(&b.op) => {
                if collect {
                    let whole = Expr::Binary(b.clone());
                    self.check_unlisted_reduction(&b.left, compound_op(&b.op), &whole);
                }
                self.visit_expr_mut(&mut b.right);
                self.visit_place(&mut b.left);
            }
            Expr::Reference(r) if r.mutability.is_some() => self.visit_place(&mut r.expr),
            Expr::MethodCall(m) if MUTATING_METHODS.contains(&m.method.to_string().as_str()) => {
                for arg in m.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
                self.visit_place(&mut m.receiver);
            }
            Expr::Continue(c) => match self.flow.check_continue(c) {
                Err(err) if collect => self.errors.push(err),
                // Ends this lane's iteration: leave the block the body runs in.
                Ok(true) if !collect => {
                    let lane = self
                        .lane
                        .get_or_insert_with(|| {
                            Lifetime::new(&format!("'__lane{}", self.id), Span::mixed_site())
                        })
                        .clone();
                    *e = syn::parse_quote_spanned!(c.continue_token.span=> break #lane);
                }
                _ => {}
            },
            _ => {
                if !self.walk_structure(e) {
                    visit_mut::visit_expr_mut(self, e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn run(
        directive: Directive,
        reductions: proc_macro2::TokenStream,
        body: Block,
    ) -> Result<(Vec<(String, bool)>, String)> {
        let clauses = Clauses {
            reductions: if reductions.is_empty() {
                Vec::new()
            } else {
                crate::clause::parse_simd_reduce(reductions)?
            },
            ..Clauses::default()
        };
        let i: Ident = parse_quote!(i);
        let kernel = analyze(directive, Some(&i), None, &clauses, &body, None)?;
        let cuts = kernel
            .cuts
            .iter()
            .map(|c| (show(&c.array), c.write))
            .collect();
        // Kernel numbers depend on the order tests run in: drop them.
        let mut body = show(&kernel.body).replace(' ', "");
        let id = kernel.position.to_string()[3..].to_owned();
        body = body
            .replace(&format!("__g{id}_"), "__g")
            .replace(&format!("__p{id}"), "__p")
            .replace(&format!("'__lane{id}"), "'__lane");
        Ok((cuts, body))
    }

    #[test]
    fn cuts_arrays_indexed_by_the_loop_variable() {
        let (cuts, body) = run(
            Directive::SimdReduce,
            quote::quote!(+: s),
            parse_quote!({
                y[i] = a * x[i] + y[i];
                s += x[i as usize] * w[i].abs();
                let x = 1;
                z[i] += x;
            }),
        )
        .unwrap();
        assert_eq!(
            cuts,
            [
                ("w".to_owned(), false),
                ("x".to_owned(), false),
                ("y".to_owned(), true),
                ("z".to_owned(), true)
            ]
        );
        assert!(body.contains("__g2[__p]=a*__g1[__p]+__g2[__p]"), "{body}");
        assert!(body.contains("s+=__g1[__p]*__g0[__p].abs()"), "{body}");
    }

    #[test]
    fn leaves_arrays_used_other_ways() {
        let (cuts, body) = run(
            Directive::Simd,
            quote::quote!(),
            parse_quote!({
                y[i] = y[i - 1] + x[i];
                x[0] = 1.0;
                z[i] = z.len() as f64;
                u[i] = v[i] + v.len() as f64;
            }),
        )
        .unwrap();
        assert_eq!(cuts, [("u".to_owned(), true), ("v".to_owned(), false)]);
        assert!(body.contains("y[i]=y[i-1]+x[i]"), "{body}");
        assert!(body.contains("__g0[__p]=__g1[__p]+v.len()asf64"), "{body}");
    }

    #[test]
    fn cuts_at_invariant_offsets() {
        let (cuts, body) = run(
            Directive::Simd,
            quote::quote!(),
            parse_quote!({
                __w_d.row(r)[i] = 0.2 * (s[r * n + i] + s[r * n + i - 1] + s[(r + 1) * n + i]);
                t[k + i] = 1.0;
                k = 3 * k + 1;
                u[i + m.len()] = v[i + 2 * i];
            }),
        )
        .unwrap();
        assert_eq!(
            cuts,
            [
                ("__w_d.row(r)".to_owned(), true),
                ("s".to_owned(), false),
                ("s".to_owned(), false),
                ("s".to_owned(), false),
                ("u".to_owned(), true),
            ]
        );
        // `k` changes in the loop, so `t[k + i]` stays; `v[i + 2 * i]` is
        // not the loop variable plus an offset.
        assert!(body.contains("t[k+i]=1.0"), "{body}");
        assert!(body.contains("v[i+2*i]"), "{body}");
        assert!(!body.contains("s["), "{body}");
    }

    #[test]
    fn continue_ends_the_lane() {
        let (_, body) = run(
            Directive::Simd,
            quote::quote!(),
            parse_quote!({
                if x[i] < 0.0 {
                    continue;
                }
                for j in 0..3 {
                    if j == 1 {
                        continue;
                    }
                }
                y[i] = 1.0;
            }),
        )
        .unwrap();
        assert!(body.contains("{break'__lane;}"), "{body}");
        assert!(body.contains("{continue;}"), "{body}");
    }

    #[test]
    fn rejects_unlisted_reductions_and_leaving_control_flow() {
        let msg = |d, r, b| {
            run(d, r, b)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(
            msg(
                Directive::Simd,
                quote::quote!(),
                parse_quote!({
                    s += x[i];
                })
            )
            .contains("`#[simd_reduce(+: s)]` in place of `#[simd]`")
        );
        assert!(
            msg(
                Directive::SimdReduce,
                quote::quote!(+: s),
                parse_quote!({
                    s += x[i];
                    m = m.max(x[i]);
                })
            )
            .contains("add `max: m`")
        );
        assert!(
            msg(
                Directive::Simd,
                quote::quote!(),
                parse_quote!({
                    if x[i] > 0.0 {
                        break;
                    }
                })
            )
            .contains("`break` cannot leave a `#[simd]` loop")
        );
        assert!(
            msg(
                Directive::SimdReduce,
                quote::quote!(+: s),
                parse_quote!({
                    let s = 0.0;
                })
            )
            .contains("declared inside the loop")
        );
        assert!(
            run(
                Directive::Simd,
                quote::quote!(),
                parse_quote!({
                    last = i;
                    n <<= 1;
                })
            )
            .is_ok()
        );
    }
}
