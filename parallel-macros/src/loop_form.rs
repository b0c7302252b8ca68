//! Which `for` loops `#[parallel_for]` can split: integer ranges `a..b` and
//! `a..=b`, followed by any chain of `.step_by(k)` and `.rev()`.

use syn::spanned::Spanned;
use syn::{Error, Expr, ExprForLoop, Ident, Pat, RangeLimits, Result};

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

const FORMS: &str = "`#[parallel_for]` splits integer ranges: write `for i in a..b` or `for i in a..=b`, optionally with `.step_by(k)` and `.rev()`";

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
                        adapters.push(Adapter::StepBy(k.clone()));
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
                        lo: (**lo).clone(),
                        hi: (**hi).clone(),
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

/// The loop variable: a plain name or `_`.
fn loop_var(pat: &Pat) -> Result<Option<Ident>> {
    match pat {
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
        assert!(form(parse_quote!(for mut i in 0..10u8 {})).is_ok());
    }

    #[test]
    fn rejects_what_it_cannot_split() {
        let msg = |e: ExprForLoop| form(e).err().unwrap().to_string();
        assert!(msg(parse_quote!(for x in xs {})).contains("0..xs.len()"));
        assert!(msg(parse_quote!(for i in 0.. {})).contains("open range"));
        assert!(msg(parse_quote!(for x in xs.iter() {})).contains("`.iter(..)`"));
        assert!(msg(parse_quote!(for (a, b) in 0..n {})).contains("plain name"));
    }
}
