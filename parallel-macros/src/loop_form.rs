//! Which `for` loops `#[parallel_for]` can split: integer ranges `a..b` and
//! `a..=b`, followed by any chain of `.step_by(k)` and `.rev()`; and slice
//! iterators: `iter()`, `iter_mut()`, `&v`, `&mut v`, `chunks(k)`,
//! `chunks_mut(k)`; ndarray's `rows()`, `rows_mut()`, `outer_iter(_mut)()`
//! and `axis_iter(_mut)(Axis(k))`; combined with `enumerate()` and `zip(..)`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Error, Expr, ExprForLoop, Ident, Pat, RangeLimits, Result, Stmt};

/// One adapter applied to the range, in the order written.
pub enum Adapter {
    StepBy(Expr),
    Rev,
}

/// A splittable loop header: `for var in lo..hi` (`..=`), then adapters.
pub struct LoopForm {
    /// The pattern as written, bound to each iteration's value.
    pub pat: Pat,
    /// The loop variable, when the pattern is a plain name (`i`, `mut i`).
    pub var: Option<Ident>,
    pub lo: Expr,
    pub hi: Expr,
    pub inclusive: bool,
    pub adapters: Vec<Adapter>,
}

const FORMS: &str = "`#[parallel_for]` splits integer ranges (`for i in a..b`, `a..=b`, with `.step_by(k)` and `.rev()`), slices (`v.iter()`, `v.iter_mut()`, `&v`, `&mut v`, `v.chunks(k)`, `v.chunks_mut(k)`) and ndarray arrays (`a.rows()`, `a.rows_mut()`, `a.outer_iter_mut()`, `a.axis_iter_mut(Axis(k))`), with `.enumerate()` and `.zip(..)`";

/// One slice an iterator loop walks.
pub enum Source {
    /// `v.iter()`, `&v`
    Iter(Expr),
    /// `v.iter_mut()`, `&mut v`
    IterMut(Expr),
    /// `v.chunks(k)`
    Chunks(Expr, Expr),
    /// `v.chunks_mut(k)`
    ChunksMut(Expr, Expr),
    /// An ndarray array walked by sub-views along an axis, read-only:
    /// `a.rows()`, `a.outer_iter()`, `a.axis_iter(Axis(k))`.
    Lanes(Expr, NdAxis),
    /// The same, mutably: `a.rows_mut()`, `a.outer_iter_mut()`,
    /// `a.axis_iter_mut(Axis(k))`.
    LanesMut(Expr, NdAxis),
}

/// The axis an ndarray loop form walks.
pub enum NdAxis {
    /// `rows()`, `rows_mut()`: axis 0 of a 2-D array.
    Rows,
    /// `outer_iter()`, `outer_iter_mut()`: axis 0.
    Outer,
    /// `axis_iter(ax)`, `axis_iter_mut(ax)`: the `ndarray::Axis` given.
    Given(Expr),
}

/// The shape of the items: which sources, enumerated or zipped how.
pub enum Item {
    /// The source with this number.
    Source(usize),
    Enumerate(Box<Item>),
    Zip(Box<Item>, Box<Item>),
}

/// An iterator loop: `for pat in <item>`.
pub struct IterForm {
    pub pat: Pat,
    pub sources: Vec<Source>,
    pub item: Item,
    /// `i` in `for (i, x) in v.iter().enumerate()`: the iteration number,
    /// which the body may use to write its own elements (`out[i] = ..`).
    pub index: Option<Ident>,
}

/// `collapse(n)`: `n` perfectly nested range loops, outermost first.
pub struct Nest {
    pub loops: Vec<LoopForm>,
    /// The innermost loop's body and label.
    pub body: syn::Block,
    pub label: Option<syn::Label>,
}

/// A loop header `#[parallel_for]` can split.
pub enum Header {
    Range(Box<LoopForm>),
    Iter(Box<IterForm>),
    Nest(Box<Nest>),
}

impl Header {
    /// Reads a loop, or with `collapse(n)` (n >= 2) a nest of `n` loops.
    pub fn parse_nest(for_loop: &ExprForLoop, collapse: usize) -> Result<Header> {
        if collapse < 2 {
            return Header::parse(for_loop);
        }
        let mut loops = vec![LoopForm::parse(for_loop)?];
        let mut current = for_loop;
        for _ in 1..collapse {
            let var = loops
                .last()
                .and_then(|f| f.var.as_ref())
                .map_or_else(|| "_".to_owned(), |v| v.to_string());
            let inner = match current.body.stmts.as_slice() {
                [Stmt::Expr(Expr::ForLoop(inner), _)] => inner,
                stmts => {
                    let msg = format!(
                        "collapse({collapse}) needs {collapse} perfectly nested loops: the body of `for {var}` must be the next `for` loop and nothing else, and this statement breaks the nest; move it into the innermost loop, or collapse fewer loops"
                    );
                    return Err(
                        match stmts
                            .iter()
                            .find(|s| !matches!(s, Stmt::Expr(Expr::ForLoop(_), _)))
                        {
                            Some(breaker) => Error::new_spanned(breaker, msg),
                            None => Error::new_spanned(&current.body, msg),
                        },
                    );
                }
            };
            let form = LoopForm::parse(inner)?;
            for outer in &loops {
                if let Some(v) = &outer.var {
                    let mut bounds = vec![&form.lo, &form.hi];
                    bounds.extend(form.adapters.iter().filter_map(|a| match a {
                        Adapter::StepBy(k) => Some(k),
                        Adapter::Rev => None,
                    }));
                    if let Some(b) = bounds.into_iter().find(|e| mentions(e, v)) {
                        return Err(Error::new(
                            b.span(),
                            format!(
                                "collapse({collapse}) needs a rectangular nest: the range of the inner loop must not depend on `{v}`, because all iterations are split at once"
                            ),
                        ));
                    }
                }
            }
            loops.push(form);
            current = inner;
        }
        Ok(Header::Nest(Box::new(Nest {
            loops,
            body: current.body.clone(),
            label: current.label.clone(),
        })))
    }

    pub fn parse(for_loop: &ExprForLoop) -> Result<Header> {
        if is_range_chain(&for_loop.expr) {
            return LoopForm::parse(for_loop).map(|f| Header::Range(Box::new(f)));
        }
        IterForm::parse(for_loop).map(|f| Header::Iter(Box::new(f)))
    }
}

/// `e` mentions the name `v` anywhere.
fn mentions(e: &Expr, v: &Ident) -> bool {
    fn walk(tokens: proc_macro2::TokenStream, v: &Ident) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(id) => id == *v,
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), v),
            _ => false,
        })
    }
    walk(quote::ToTokens::to_token_stream(e), v)
}

/// `a..b`, `(a..b).rev()`, …: a range under any chain of `step_by`/`rev`.
fn is_range_chain(mut expr: &Expr) -> bool {
    loop {
        match expr {
            Expr::Paren(p) => expr = &p.expr,
            Expr::Group(g) => expr = &g.expr,
            Expr::MethodCall(c) if c.method == "step_by" || c.method == "rev" => expr = &c.receiver,
            Expr::Range(_) => return true,
            _ => return false,
        }
    }
}

impl IterForm {
    fn parse(for_loop: &ExprForLoop) -> Result<IterForm> {
        let mut sources = Vec::new();
        let item = parse_item(&for_loop.expr, &mut sources)?;
        let index = match (&item, &*for_loop.pat) {
            (Item::Enumerate(_), Pat::Tuple(t)) if t.elems.len() == 2 => match t.elems.first() {
                Some(Pat::Ident(p)) if p.by_ref.is_none() && p.subpat.is_none() => {
                    Some(p.ident.clone())
                }
                _ => None,
            },
            _ => None,
        };
        Ok(IterForm {
            pat: (*for_loop.pat).clone(),
            sources,
            item,
            index,
        })
    }
}

fn parse_item(expr: &Expr, sources: &mut Vec<Source>) -> Result<Item> {
    let mut push = |s: Source| {
        sources.push(s);
        Item::Source(sources.len() - 1)
    };
    match expr {
        Expr::Paren(p) => parse_item(&p.expr, sources),
        Expr::Group(g) => parse_item(&g.expr, sources),
        Expr::Reference(r) => {
            let e = (*r.expr).clone();
            Ok(push(if r.mutability.is_some() {
                Source::IterMut(e)
            } else {
                Source::Iter(e)
            }))
        }
        Expr::MethodCall(call) => {
            let recv = (*call.receiver).clone();
            let arg = call.args.first().cloned();
            match (call.method.to_string().as_str(), call.args.len(), arg) {
                ("iter", 0, _) => Ok(push(Source::Iter(recv))),
                ("iter_mut", 0, _) => Ok(push(Source::IterMut(recv))),
                ("chunks", 1, Some(k)) => Ok(push(Source::Chunks(recv, k))),
                ("chunks_mut", 1, Some(k)) => Ok(push(Source::ChunksMut(recv, k))),
                ("rows", 0, _) => Ok(push(Source::Lanes(recv, NdAxis::Rows))),
                ("rows_mut", 0, _) => Ok(push(Source::LanesMut(recv, NdAxis::Rows))),
                ("outer_iter", 0, _) => Ok(push(Source::Lanes(recv, NdAxis::Outer))),
                ("outer_iter_mut", 0, _) => Ok(push(Source::LanesMut(recv, NdAxis::Outer))),
                ("axis_iter", 1, Some(ax)) => Ok(push(Source::Lanes(recv, NdAxis::Given(ax)))),
                ("axis_iter_mut", 1, Some(ax)) => {
                    Ok(push(Source::LanesMut(recv, NdAxis::Given(ax))))
                }
                // ndarray's `rows()` / `rows_mut()` are `IntoIterator`s:
                // `a.rows_mut().into_iter().enumerate()`.
                ("into_iter", 0, _) if is_lanes(&call.receiver) => {
                    parse_item(&call.receiver, sources)
                }
                ("enumerate", 0, _) => Ok(Item::Enumerate(Box::new(parse_item(
                    &call.receiver,
                    sources,
                )?))),
                ("zip", 1, Some(other)) => {
                    let a = parse_item(&call.receiver, sources)?;
                    let b = parse_item(&other, sources)?;
                    Ok(Item::Zip(Box::new(a), Box::new(b)))
                }
                (m, _, _) => Err(Error::new(
                    call.method.span(),
                    format!("`.{m}(..)` is not a loop form `#[parallel_for]` can split; {FORMS}"),
                )),
            }
        }
        // A name: a slice reference (`xs: &[T]`) or a `Vec` iterated by
        // shared reference.
        Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
            Ok(push(Source::Iter(expr.clone())))
        }
        other => Err(Error::new(
            other.span(),
            format!("{FORMS}; to loop over a `Vec` or slice `xs`, write `xs.iter()` or `&xs`"),
        )),
    }
}

/// `a.rows()` or `a.rows_mut()`.
fn is_lanes(e: &Expr) -> bool {
    matches!(e, Expr::MethodCall(m) if (m.method == "rows" || m.method == "rows_mut") && m.args.is_empty())
}

impl LoopForm {
    /// Reads the header of `for pat in expr`.
    pub fn parse(for_loop: &ExprForLoop) -> Result<LoopForm> {
        let var = loop_var(&for_loop.pat)?;
        let mut adapters = Vec::new();
        let mut expr = &*for_loop.expr;
        loop {
            match expr {
                Expr::Paren(p) => expr = &p.expr,
                Expr::Group(g) => expr = &g.expr,
                Expr::MethodCall(call) if call.method == "step_by" && call.args.len() == 1 => {
                    if let Some(k) = call.args.first() {
                        adapters.push(Adapter::StepBy(quiet_parens(k.clone())));
                    }
                    expr = &call.receiver;
                }
                Expr::MethodCall(call) if call.method == "rev" && call.args.is_empty() => {
                    adapters.push(Adapter::Rev);
                    expr = &call.receiver;
                }
                Expr::Range(range) => {
                    let (Some(lo), Some(hi)) = (&range.start, &range.end) else {
                        return Err(Error::new(
                            range.span(),
                            "an open range cannot be split among threads: give both ends, as in `for i in 0..n`",
                        ));
                    };
                    adapters.reverse();
                    return Ok(LoopForm {
                        pat: (*for_loop.pat).clone(),
                        var,
                        lo: quiet_parens((**lo).clone()),
                        hi: quiet_parens((**hi).clone()),
                        inclusive: matches!(range.limits, RangeLimits::Closed(_)),
                        adapters,
                    });
                }
                Expr::MethodCall(call) => {
                    return Err(Error::new(
                        call.method.span(),
                        format!(
                            "`.{}(..)` is not a loop form `#[parallel_for]` can split; {FORMS}",
                            call.method
                        ),
                    ));
                }
                other => {
                    return Err(Error::new(
                        other.span(),
                        format!(
                            "{FORMS}; to visit the items of a slice `xs`, loop over `0..xs.len()` and use `xs[i]`"
                        ),
                    ));
                }
            }
        }
    }
}

/// A user's expression that the expansion passes on as a value (a range
/// bound, a clause's argument), its outer parentheses marked as the
/// expansion's own: where the expression lands (a function's argument, a
/// `let`) they are unnecessary, and rustc would lint them at the user's
/// `0..(n * 2)`, where they are not. The parentheses stay, so the tokens
/// mean what they meant wherever they are spliced; lints inside the
/// expression still point at the user's code.
pub fn quiet_parens(e: Expr) -> Expr {
    match e {
        Expr::Paren(mut p) => {
            p.paren_token = syn::token::Paren(Span::mixed_site());
            Expr::Paren(p)
        }
        other => other,
    }
}

/// The loop variable: a plain name or `_`.
fn loop_var(pat: &Pat) -> Result<Option<Ident>> {
    match pat {
        Pat::Ident(p) if p.mutability.is_some() => Err(Error::new_spanned(
            p,
            format!(
                "the loop variable cannot be `mut`: each iteration's value is fixed by the split (OpenMP forbids changing it too); copy it in the body: `let mut k = {};`",
                p.ident
            ),
        )),
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Ok(Some(p.ident.clone())),
        Pat::Wild(_) => Ok(None),
        other => Err(Error::new(
            other.span(),
            "the variable of a range loop is a plain name, as in `for i in 0..n`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn form(e: ExprForLoop) -> Result<LoopForm> {
        LoopForm::parse(&e)
    }

    #[test]
    fn reads_ranges_and_adapters_in_order() {
        let f = form(parse_quote!(for i in (0..n).step_by(2).rev() {})).unwrap();
        assert_eq!(f.var.unwrap(), "i");
        assert!(!f.inclusive);
        assert!(matches!(f.adapters[..], [Adapter::StepBy(_), Adapter::Rev]));
        let f = form(parse_quote!(for _ in (1..=n).rev().step_by(3) {})).unwrap();
        assert!(f.inclusive && f.var.is_none());
        assert!(matches!(f.adapters[..], [Adapter::Rev, Adapter::StepBy(_)]));
        assert!(form(parse_quote!(for mut i in 0..10u8 {})).is_err());
    }

    #[test]
    fn reads_iterator_forms() {
        let f = match Header::parse(&parse_quote!(for (i, (a, b)) in
            x.iter().zip(&mut y).enumerate()
        {
        })) {
            Ok(Header::Iter(f)) => f,
            _ => panic!("not an iterator form"),
        };
        assert_eq!(f.index.unwrap(), "i");
        assert!(matches!(
            f.sources[..],
            [Source::Iter(_), Source::IterMut(_)]
        ));
        assert!(matches!(f.item, Item::Enumerate(_)));
        let f = match Header::parse(&parse_quote!(for c in v.chunks_mut(4) {})) {
            Ok(Header::Iter(f)) => f,
            _ => panic!("not an iterator form"),
        };
        assert!(f.index.is_none() && matches!(f.sources[..], [Source::ChunksMut(_, _)]));
        let f = match Header::parse(&parse_quote!(for (i, (mut r, x)) in c
            .rows_mut()
            .into_iter()
            .zip(a.axis_iter(Axis(1)))
            .enumerate()
        {}))
        {
            Ok(Header::Iter(f)) => f,
            _ => panic!("not an iterator form"),
        };
        assert!(matches!(
            f.sources[..],
            [
                Source::LanesMut(_, NdAxis::Rows),
                Source::Lanes(_, NdAxis::Given(_))
            ]
        ));
        assert!(msg_of(parse_quote!(for x in xs.into_iter() {})).contains("`.into_iter(..)`"));
    }

    fn msg_of(e: ExprForLoop) -> String {
        match Header::parse(&e) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn rejects_what_it_cannot_split() {
        let msg = |e: ExprForLoop| match Header::parse(&e) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        };
        assert!(msg(parse_quote!(for x in xs.into_iter() {})).contains("`.into_iter(..)`"));
        assert!(msg(parse_quote!(for x in f(xs) {})).contains("write `xs.iter()` or `&xs`"));
        assert!(msg(parse_quote!(for i in 0.. {})).contains("open range"));
        assert!(msg(parse_quote!(for x in xs.windows(2) {})).contains("`.windows(..)`"));
        assert!(msg(parse_quote!(for (a, b) in 0..n {})).contains("plain name"));
        assert!(form(parse_quote!(for x in xs.iter() {})).is_err());
    }
}
