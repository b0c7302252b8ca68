//! The index model: an index expression as a sum of products.
//!
//! `c[i * n + j]`, `b[k * n + j]`, `a[r * nq * np + q * np + p]`: each index
//! is read as a sum of signed terms, each term a product of factors, with
//! products of sums multiplied out (`(i + 1) * n` is `i * n + n`). Each
//! factor is one of:
//!
//! - a loop variable of the directive ([`Atom::Loop`]), also as `v as usize`;
//! - a [fixed](Fixed) value: literals, captured names, their fields,
//!   `.len()`, casts and arithmetic of those, which the loop may evaluate
//!   once before it starts if nothing in the body changes them;
//! - a value of the iteration ([`Atom::Local`]): a name the body binds (an
//!   inner loop's variable), a call, an element read;
//! - a value that depends on a loop variable otherwise ([`Atom::Dependent`]:
//!   `i / 2`, `f(i)`, `x[i]`).
//!
//! For the parallel variable `v`, the terms with `v` give its stride and
//! the others the offset: `y[i]` is stride 1 and no offset, `c[i * n + j]`
//! stride `n` and offset `j`, `b[k * n + j]` (parallel `j`) stride 1 and an
//! offset whose every term has the factor `n`: a column. Which of these
//! make an array the iteration's own is the ownership module's decision.

use crate::names::Name;

use syn::{BinOp, Expr};

/// A factor that the loop may evaluate once: every captured name it reads,
/// and the receivers of the `.len()` calls in it.
#[derive(Clone)]
pub struct Fixed {
    pub reads: Vec<Name>,
    pub lens: Vec<Expr>,
}

/// What a factor of an index is.
#[derive(Clone)]
pub enum Atom {
    /// The `k`-th loop variable of the directive (a nest has several).
    Loop(usize),
    Fixed(Fixed),
    Local,
    Dependent,
}

#[derive(Clone)]
pub struct Factor {
    pub expr: Expr,
    pub atom: Atom,
}

/// `± f1 * f2 * ..`; an empty product is `1`.
#[derive(Clone)]
pub struct Term {
    pub negative: bool,
    pub factors: Vec<Factor>,
}

/// An index expression as a sum of products.
#[derive(Clone)]
pub struct Linear {
    pub terms: Vec<Term>,
}

/// More terms than this, and a product of sums is left as one factor.
const MAX_TERMS: usize = 32;

impl Linear {
    /// Reads `e`; `atom` classifies the expressions that are not sums or
    /// products (and says whether a cast is the loop variable itself).
    pub fn parse(e: &Expr, atom: &dyn Fn(&Expr) -> Atom) -> Linear {
        Linear {
            terms: terms(e, atom),
        }
    }

    /// Whether any factor depends on the loop variables.
    pub fn mentions_loop(&self) -> bool {
        self.terms.iter().any(|t| {
            t.factors
                .iter()
                .any(|f| matches!(f.atom, Atom::Loop(_) | Atom::Dependent))
        })
    }

    /// How the index moves with loop variable `k`.
    pub fn along(&self, k: usize) -> Along<'_> {
        let mut stride = Vec::new();
        let mut rest = Vec::new();
        let mut linear = true;
        for term in &self.terms {
            let loops = term
                .factors
                .iter()
                .filter(|f| matches!(f.atom, Atom::Loop(j) if j == k))
                .count();
            match loops {
                0 => rest.push(term),
                1 => stride.push(term),
                _ => linear = false,
            }
        }
        // The stride's other factors must be fixed; the offset must not
        // move with `k` in any other way.
        let fixed_stride = stride.iter().all(|t| {
            t.factors.iter().all(|f| {
                matches!(f.atom, Atom::Loop(j) if j == k) || matches!(f.atom, Atom::Fixed(_))
            })
        });
        Along {
            k,
            stride,
            rest,
            linear: linear && fixed_stride,
        }
    }
}

/// An index seen along one loop variable: `stride * v + rest`.
pub struct Along<'a> {
    k: usize,
    /// The terms with the variable.
    pub stride: Vec<&'a Term>,
    /// The terms without it.
    pub rest: Vec<&'a Term>,
    /// The variable appears only in terms `± v * fixed`, once each (the
    /// offset may be anything).
    pub linear: bool,
}

impl<'a> Along<'a> {
    /// `v` alone, `+1` times: `y[i]`, `y[i as usize]`.
    pub fn is_own(&self) -> bool {
        self.is_unit_stride() && self.rest.is_empty()
    }

    /// The variable's coefficient is exactly `+1`: one term `+v`.
    pub fn is_unit_stride(&self) -> bool {
        self.linear && matches!(self.stride.as_slice(), [t] if !t.negative && t.factors.len() == 1)
    }

    /// Every offset term is fixed.
    pub fn rest_is_fixed(&self) -> bool {
        self.rest.iter().all(|t| term_is_fixed(t))
    }

    /// The stride as an expression, `None` unless [`linear`](Self::linear)
    /// and non-empty: the sum of the variable's terms without the variable.
    pub fn stride_expr(&self) -> Option<Expr> {
        if !self.linear || self.stride.is_empty() {
            return None;
        }
        let k = self.k;
        let parts = self.stride.iter().map(|t| {
            let factors: Vec<&Expr> = t
                .factors
                .iter()
                .filter(|f| !matches!(f.atom, Atom::Loop(j) if j == k))
                .map(|f| &f.expr)
                .collect();
            (t.negative, product(&factors))
        });
        Some(sum(parts))
    }

    /// A column: the variable with stride `+1`, and an offset whose every
    /// term has the same fixed factor `n` (shown equal): `b[k * n + j]`,
    /// `a[r * nq * np + q * np + p]`. Returns `n`, the offset divided by it
    /// (`k`, `r * nq + q`), and `n`'s fixed factors.
    ///
    /// In `r[k * n + j]` both `k` and `n` qualify: the row length is the
    /// one shown as `width` (the split's, or the loop's upper bound, since
    /// `j < n`), else the last one (`row * width`, as C writes it).
    pub fn column(&self, width: Option<&str>) -> Option<(Expr, Expr, Vec<Fixed>)> {
        let candidates = self.columns();
        if let Some(w) = width
            && let Some(c) = candidates.iter().find(|c| crate::show::key(&c.0) == w)
        {
            return Some(c.clone());
        }
        candidates.into_iter().last()
    }

    /// Every way the offset divides into rows: `(n, quotient, fixed)`.
    fn columns(&self) -> Vec<(Expr, Expr, Vec<Fixed>)> {
        let mut out = Vec::new();
        if !self.is_unit_stride() || self.rest.is_empty() {
            return out;
        }
        // A row multiplier somewhere: `b[k * n + j]`, not the offset of
        // `y[i + k]`.
        if self.rest.iter().all(|t| t.factors.len() < 2) {
            return out;
        }
        let Some(first) = self.rest.first() else {
            return out;
        };
        'candidates: for cand in &first.factors {
            let Atom::Fixed(fx) = &cand.atom else {
                continue;
            };
            if matches!(cand.expr, Expr::Lit(_)) {
                continue;
            }
            let key = crate::show::key(&cand.expr);
            let mut quotient = Vec::new();
            for t in &self.rest {
                let Some(pos) = t
                    .factors
                    .iter()
                    .position(|f| crate::show::key(&f.expr) == key)
                else {
                    continue 'candidates;
                };
                let others: Vec<&Expr> = t
                    .factors
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != pos)
                    .map(|(_, f)| &f.expr)
                    .collect();
                quotient.push((t.negative, product(&others)));
            }
            if !out.iter().any(|(n, _, _)| crate::show::key(n) == key) {
                out.push((cand.expr.clone(), sum(quotient), vec![fx.clone()]));
            }
        }
        out
    }

    /// The terms without the variable as one expression, positive terms
    /// first (`j * n + k` of `i * n * n + j * n + k` along `i`).
    pub fn rest_expr(&self) -> Expr {
        let mut terms: Vec<(bool, Expr)> = self
            .rest
            .iter()
            .map(|t| {
                let factors: Vec<&Expr> = t.factors.iter().map(|f| &f.expr).collect();
                (t.negative, product(&factors))
            })
            .collect();
        terms.sort_by_key(|(negative, _)| *negative);
        sum(terms)
    }

    /// Every fixed factor of the stride, for the invariance check.
    pub fn stride_fixed(&self) -> Vec<&'a Fixed> {
        fixed_of(&self.stride)
    }

    /// Every fixed factor of the offset.
    pub fn rest_fixed(&self) -> Vec<&'a Fixed> {
        fixed_of(&self.rest)
    }
}

fn fixed_of<'a>(terms: &[&'a Term]) -> Vec<&'a Fixed> {
    terms
        .iter()
        .flat_map(|t| &t.factors)
        .filter_map(|f| match &f.atom {
            Atom::Fixed(fx) => Some(fx),
            _ => None,
        })
        .collect()
}

pub fn term_is_fixed(t: &Term) -> bool {
    t.factors.iter().all(|f| matches!(f.atom, Atom::Fixed(_)))
}

fn terms(e: &Expr, atom: &dyn Fn(&Expr) -> Atom) -> Vec<Term> {
    let one = |e: &Expr| {
        vec![Term {
            negative: false,
            factors: vec![Factor {
                expr: e.clone(),
                atom: atom(e),
            }],
        }]
    };
    match e {
        Expr::Paren(p) => terms(&p.expr, atom),
        Expr::Group(g) => terms(&g.expr, atom),
        Expr::Binary(b) => match b.op {
            BinOp::Add(_) => {
                let mut out = terms(&b.left, atom);
                out.extend(terms(&b.right, atom));
                out
            }
            BinOp::Sub(_) => {
                let mut out = terms(&b.left, atom);
                out.extend(terms(&b.right, atom).into_iter().map(|mut t| {
                    t.negative = !t.negative;
                    t
                }));
                out
            }
            BinOp::Mul(_) => {
                let (l, r) = (terms(&b.left, atom), terms(&b.right, atom));
                if l.len() * r.len() > MAX_TERMS {
                    return one(e);
                }
                let mut out = Vec::new();
                for a in &l {
                    for c in &r {
                        let mut factors = a.factors.clone();
                        factors.extend(c.factors.iter().cloned());
                        out.push(Term {
                            negative: a.negative != c.negative,
                            factors,
                        });
                    }
                }
                out
            }
            _ => one(e),
        },
        _ => one(e),
    }
}

/// `f1 * f2 * ..`, `1` for none.
fn product(factors: &[&Expr]) -> Expr {
    match factors {
        // Unsuffixed: it reads as written in messages; where it is a row
        // length, the local it is bound to is a `usize`.
        [] => syn::parse_quote!(1),
        [one] => paren(one),
        [first, rest @ ..] => {
            let rest = product(rest);
            let first = paren(first);
            syn::parse_quote!(#first * #rest)
        }
    }
}

/// `± a ± b ..`, `0` for none.
fn sum(parts: impl IntoIterator<Item = (bool, Expr)>) -> Expr {
    let mut out: Option<Expr> = None;
    for (negative, e) in parts {
        out = Some(match (out, negative) {
            (None, false) => e,
            (None, true) => syn::parse_quote!(0usize - #e),
            (Some(acc), false) => syn::parse_quote!(#acc + #e),
            (Some(acc), true) => syn::parse_quote!(#acc - #e),
        });
    }
    out.unwrap_or_else(|| syn::parse_quote!(0usize))
}

/// `e` in parentheses unless it is a name, literal, field or call.
fn paren(e: &Expr) -> Expr {
    match e {
        Expr::Path(_) | Expr::Lit(_) | Expr::Field(_) | Expr::MethodCall(_) | Expr::Paren(_) => {
            e.clone()
        }
        _ => syn::parse_quote!((#e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::show;
    use syn::parse_quote;

    /// `i`, `j` are loop variables 0 and 1; `k` a local; `f(..)` dependent;
    /// anything else fixed.
    fn atom(e: &Expr) -> Atom {
        let s = show(e);
        match s.as_str() {
            "i" | "i as usize" => Atom::Loop(0),
            "j" => Atom::Loop(1),
            "k" => Atom::Local,
            _ if s.contains("f(") => Atom::Dependent,
            _ => Atom::Fixed(Fixed {
                reads: Vec::new(),
                lens: Vec::new(),
            }),
        }
    }

    fn lin(e: Expr) -> Linear {
        Linear::parse(&e, &atom)
    }

    #[test]
    fn own_elements_rows_and_planes() {
        assert!(lin(parse_quote!(i)).along(0).is_own());
        assert!(lin(parse_quote!((i as usize))).along(0).is_own());
        let row = lin(parse_quote!(i * n + k));
        let a = row.along(0);
        assert!(a.linear && !a.is_own());
        assert_eq!(show(&a.stride_expr().unwrap()), "n");
        let plane = lin(parse_quote!(i * n * n + j * n + k));
        assert_eq!(show(&plane.along(0).stride_expr().unwrap()), "n * n");
        let shifted = lin(parse_quote!((i + 1) * n + k));
        let a = shifted.along(0);
        assert_eq!(show(&a.stride_expr().unwrap()), "n");
        let diag = lin(parse_quote!(i * (n + 1)));
        assert_eq!(show(&diag.along(0).stride_expr().unwrap()), "n + 1");
    }

    #[test]
    fn what_is_not_linear() {
        let col = lin(parse_quote!(k * n + j));
        let (n, q, _) = col.along(1).column(None).unwrap();
        assert_eq!((show(&n), show(&q)), ("n".to_owned(), "k".to_owned()));
        let col = lin(parse_quote!(r * nq * np + q * np + j));
        let (n, q, _) = col.along(1).column(None).unwrap();
        assert_eq!(
            (show(&n), show(&q)),
            ("np".to_owned(), "r * nq + q".to_owned())
        );
        assert!(lin(parse_quote!(k + j)).along(1).column(None).is_none());
        assert!(lin(parse_quote!(j + 1)).along(1).column(None).is_none());
        assert!(lin(parse_quote!(2 * k + j)).along(1).column(None).is_none());
        assert!(!lin(parse_quote!(i * i)).along(0).linear);
        assert!(!lin(parse_quote!(i * k)).along(0).linear);
        assert!(lin(parse_quote!(i + f(i))).along(0).linear);
        assert!(lin(parse_quote!(i + 2 * m)).along(0).rest_is_fixed());
        assert!(!lin(parse_quote!(i + k)).along(0).rest_is_fixed());
    }
}
