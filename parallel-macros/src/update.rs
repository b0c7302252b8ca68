//! The update forms of reductions, read from the syntax: `s += e`,
//! `s = s + e`, `m = m.max(e)`, `if e > m { m = e }`,
//! `R::combine(&mut v, e)`, `if e < best.0 { best = (e, i) }`, ….
//!
//! A recognized update names its target (the place it updates), the
//! operation, and the operand expressions; the facts walker checks that the
//! target is a captured variable and that the operands do not read it.

use crate::show::key;
use syn::{BinOp, Expr, Stmt};

/// The operation an update performs on its target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `s += e`, `s = s + e`, `s = e + s`, `s = s.wrapping_add(e)`
    Add,
    /// `s -= e`, `s = s - e`, `s = s.wrapping_sub(e)`
    Sub,
    /// `p *= e`, `p = p * e`, `p = p.wrapping_mul(e)`
    Mul,
    BitAnd,
    BitOr,
    BitXor,
    /// `b = b && e`, `b = e && b`
    And,
    Or,
    /// `m = m.min(e)`, `m = min(m, e)`, `m = if e < m { e } else { m }`,
    /// `if e < m { m = e }`
    Min,
    Max,
    /// `R::combine(&mut v, e)`: the path `R`, as shown.
    Combine(String),
    /// `if e < best.0 { best = (e, i) }`: the comparison and whether it
    /// takes equal values (`<=`).
    MinLoc {
        or_equal: bool,
    },
    MaxLoc {
        or_equal: bool,
    },
}

impl Operation {
    /// How the user would write the operator in a clause.
    pub fn clause_symbol(&self) -> String {
        match self {
            Operation::Add | Operation::Sub => "+".into(),
            Operation::Mul => "*".into(),
            Operation::BitAnd => "&".into(),
            Operation::BitOr => "|".into(),
            Operation::BitXor => "^".into(),
            Operation::And => "&&".into(),
            Operation::Or => "||".into(),
            Operation::Min => "min".into(),
            Operation::Max => "max".into(),
            Operation::Combine(path) => path.clone(),
            Operation::MinLoc { .. } => "minloc".into(),
            Operation::MaxLoc { .. } => "maxloc".into(),
        }
    }
}

/// A recognized update.
pub struct Update<'e> {
    /// The place updated: `s`, `h[k]`, `best`.
    pub target: &'e Expr,
    pub operation: Operation,
    /// Where the target appears as an operand of its own update (`s` in
    /// `s + e`, `m` in `e > m`): these must show equal to the target.
    pub repeats: Vec<&'e Expr>,
    /// The other operands, which must not read the target.
    pub operands: Vec<&'e Expr>,
    /// For minloc / maxloc: the index stored with the value.
    pub index: Option<&'e Expr>,
    /// `true` for `b = b && e`: `e` runs only when `b` is still true, so
    /// it must not write anything.
    pub short_circuit: bool,
    /// For a selection (`if v < m { m = v }`, `m = if .. { .. } else { m }`):
    /// the condition and the value taken when it holds.
    pub cond: Option<&'e Expr>,
    pub pick: Option<&'e Expr>,
}

fn strip(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            _ => return e,
        }
    }
}

/// Reads `e` as an update, if it is one.
pub fn recognize(e: &Expr) -> Option<Update<'_>> {
    match e {
        Expr::Binary(b) => compound(b),
        Expr::Assign(a) => assignment(&a.left, &a.right),
        Expr::If(i) => guarded(i),
        Expr::Call(c) => combine(c),
        _ => None,
    }
}

/// `x op= e`.
fn compound(b: &syn::ExprBinary) -> Option<Update<'_>> {
    let operation = match b.op {
        BinOp::AddAssign(_) => Operation::Add,
        BinOp::SubAssign(_) => Operation::Sub,
        BinOp::MulAssign(_) => Operation::Mul,
        BinOp::BitAndAssign(_) => Operation::BitAnd,
        BinOp::BitOrAssign(_) => Operation::BitOr,
        BinOp::BitXorAssign(_) => Operation::BitXor,
        _ => return None,
    };
    Some(Update {
        target: &b.left,
        operation,
        repeats: Vec::new(),
        operands: vec![&b.right],
        index: None,
        short_circuit: false,
        cond: None,
        pick: None,
    })
}

/// The operands of a chain of one operator, `a op b op c`, through
/// parentheses; for a `+`/`-` chain each with its sign (`true` for minus).
fn chain<'e>(e: &'e Expr, top: &BinOp, minus: bool, out: &mut Vec<(bool, &'e Expr)>) {
    let sum = |op: &BinOp| matches!(op, BinOp::Add(_) | BinOp::Sub(_));
    if let Expr::Binary(b) = strip(e)
        && (std::mem::discriminant(&b.op) == std::mem::discriminant(top)
            || (sum(&b.op) && sum(top)))
    {
        chain(&b.left, top, minus, out);
        chain(&b.right, top, minus != matches!(b.op, BinOp::Sub(_)), out);
        return;
    }
    out.push((minus, e));
}

impl<'e> Update<'e> {
    /// An update with one repeat of the target and no condition.
    fn plain(
        target: &'e Expr,
        operation: Operation,
        repeat: &'e Expr,
        operands: Vec<&'e Expr>,
    ) -> Self {
        Update {
            target,
            operation,
            repeats: vec![repeat],
            operands,
            index: None,
            short_circuit: false,
            cond: None,
            pick: None,
        }
    }
}

/// `x = <rhs>`.
fn assignment<'e>(target: &'e Expr, rhs: &'e Expr) -> Option<Update<'e>> {
    let x = key(target);
    let is_x = |e: &Expr| key(strip(e)) == x;
    match strip(rhs) {
        Expr::Binary(b) => operator_chain(target, strip(rhs), &b.op, &is_x),
        Expr::MethodCall(m) if m.args.len() == 1 => {
            let arg = m.args.first()?;
            let operation = match m.method.to_string().as_str() {
                "max" => Operation::Max,
                "min" => Operation::Min,
                "wrapping_add" => Operation::Add,
                "wrapping_mul" => Operation::Mul,
                "wrapping_sub" => Operation::Sub,
                _ => return None,
            };
            if is_x(&m.receiver) {
                Some(Update::plain(target, operation, &m.receiver, vec![arg]))
            } else if is_x(arg) && operation != Operation::Sub {
                Some(Update::plain(target, operation, arg, vec![&m.receiver]))
            } else {
                None
            }
        }
        Expr::Call(c) if c.args.len() == 2 => {
            let Expr::Path(p) = &*c.func else { return None };
            let operation = match p.path.segments.last()?.ident.to_string().as_str() {
                "max" => Operation::Max,
                "min" => Operation::Min,
                _ => return None,
            };
            let (a, b) = (c.args.first()?, c.args.last()?);
            if is_x(a) {
                Some(Update::plain(target, operation, a, vec![b]))
            } else if is_x(b) {
                Some(Update::plain(target, operation, b, vec![a]))
            } else {
                None
            }
        }
        Expr::If(i) => selection(target, i),
        _ => None,
    }
}

/// `x = x op a op b ..` (the target once, anywhere in a chain of one
/// operator; for `+`/`-` with a plus sign).
fn operator_chain<'e>(
    target: &'e Expr,
    rhs: &'e Expr,
    op: &BinOp,
    is_x: &dyn Fn(&Expr) -> bool,
) -> Option<Update<'e>> {
    let (operation, short) = match op {
        BinOp::Add(_) | BinOp::Sub(_) => (Operation::Add, false),
        BinOp::Mul(_) => (Operation::Mul, false),
        BinOp::BitAnd(_) => (Operation::BitAnd, false),
        BinOp::BitOr(_) => (Operation::BitOr, false),
        BinOp::BitXor(_) => (Operation::BitXor, false),
        BinOp::And(_) => (Operation::And, true),
        BinOp::Or(_) => (Operation::Or, true),
        _ => return None,
    };
    let mut parts = Vec::new();
    chain(rhs, op, false, &mut parts);
    let at = parts.iter().position(|(_, e)| is_x(e))?;
    let (minus, repeat) = parts.remove(at);
    if minus {
        return None;
    }
    // `s = s - e` is a `-` update; `s = e + s - f` a `+` one.
    let operation = match operation {
        Operation::Add if at == 0 && parts.iter().all(|(m, _)| *m) => Operation::Sub,
        other => other,
    };
    let mut update = Update::plain(
        target,
        operation,
        repeat,
        parts.iter().map(|(_, e)| *e).collect(),
    );
    // With `&&` / `||`, the operands after the target run only when it has
    // not decided the result yet.
    update.short_circuit = short && at < parts.len();
    Some(update)
}

/// Whether `cond` says "`value` is better than `current`" for a max
/// (`Some(true)`) or a min (`Some(false)`), and whether equal counts.
/// Returns the two compared expressions as (value, current).
fn comparison<'e>(cond: &'e Expr, current: &str) -> Option<(&'e Expr, &'e Expr, bool, bool)> {
    let Expr::Binary(b) = strip(cond) else {
        return None;
    };
    // (value greater?, or equal?)
    let (greater, or_equal) = match b.op {
        BinOp::Gt(_) => (true, false),
        BinOp::Ge(_) => (true, true),
        BinOp::Lt(_) => (false, false),
        BinOp::Le(_) => (false, true),
        _ => return None,
    };
    let (l, r) = (&*b.left, &*b.right);
    if key(strip(r)) == current {
        Some((l, r, greater, or_equal))
    } else if key(strip(l)) == current {
        // `current < value` says the value is greater.
        Some((r, l, !greater, or_equal))
    } else {
        None
    }
}

/// The single expression of a block: `{ e }`.
fn only_expr(block: &syn::Block) -> Option<&Expr> {
    match block.stmts.as_slice() {
        [Stmt::Expr(e, None)] => Some(e),
        _ => None,
    }
}

/// `x = if v > x { v } else { x }` (a max), its mirror images, and
/// `best = if v < best.0 { (v, i) } else { best }` (a minloc).
fn selection<'e>(target: &'e Expr, i: &'e syn::ExprIf) -> Option<Update<'e>> {
    let x = key(target);
    let then = only_expr(&i.then_branch)?;
    let (_, els) = i.else_branch.as_ref()?;
    let Expr::Block(els) = &**els else {
        return None;
    };
    let els = only_expr(&els.block)?;
    if key(strip(els)) == x {
        return picked(target, &i.cond, then, Some(els));
    }
    // `if v > x { x } else { v }`: the value when it is not better.
    if key(strip(then)) == x {
        let (value, current, greater, _) = comparison(&i.cond, &x)?;
        if key(strip(value)) != key(strip(els)) {
            return None;
        }
        return Some(Update {
            target,
            operation: if greater {
                Operation::Min
            } else {
                Operation::Max
            },
            repeats: vec![current, then],
            operands: vec![value, els],
            index: None,
            short_circuit: false,
            cond: None,
            pick: None,
        });
    }
    None
}

/// `if cond { x = picked }` or `x = if cond { picked } else { x }`: a min or
/// max when `picked` is the compared value, a minloc or maxloc when it is
/// the tuple `(value, index)` and the comparison is with `x.0`.
fn picked<'e>(
    target: &'e Expr,
    cond: &'e Expr,
    pick: &'e Expr,
    kept: Option<&'e Expr>,
) -> Option<Update<'e>> {
    let x = key(target);
    let mut repeats: Vec<&Expr> = kept.into_iter().collect();
    if let Some((value, current, greater, _)) = comparison(cond, &x) {
        if key(strip(value)) != key(strip(pick)) {
            return None;
        }
        repeats.push(current);
        return Some(Update {
            target,
            operation: if greater {
                Operation::Max
            } else {
                Operation::Min
            },
            repeats,
            operands: vec![value, pick],
            index: None,
            short_circuit: false,
            cond: Some(cond),
            pick: Some(pick),
        });
    }
    let (value, current, greater, or_equal) = comparison(cond, &format!("{x}.0"))?;
    let Expr::Tuple(t) = strip(pick) else {
        return None;
    };
    let [stored, index] = [t.elems.first()?, t.elems.last()?];
    if t.elems.len() != 2 || key(strip(stored)) != key(strip(value)) {
        return None;
    }
    repeats.push(current);
    Some(Update {
        target,
        operation: if greater {
            Operation::MaxLoc { or_equal }
        } else {
            Operation::MinLoc { or_equal }
        },
        repeats,
        operands: vec![value, stored],
        index: Some(index),
        short_circuit: false,
        cond: Some(cond),
        pick: Some(pick),
    })
}

/// `if cond { x = v; }`, no `else`.
fn guarded(i: &syn::ExprIf) -> Option<Update<'_>> {
    if i.else_branch.is_some() {
        return None;
    }
    let assign = match i.then_branch.stmts.as_slice() {
        [Stmt::Expr(Expr::Assign(a), _)] => a,
        _ => return None,
    };
    picked(&assign.left, &i.cond, &assign.right, None)
}

/// A search that records the location of what it finds in a second
/// variable: `if x[i] < best { best = x[i]; at = i; }`.
pub struct Search<'e> {
    /// The value variable (`best`) and the location variable (`at`).
    pub value: &'e Expr,
    pub index: &'e Expr,
    /// What is compared and stored (`x[i]`), and the location (`i`).
    pub found: &'e Expr,
    pub location: &'e Expr,
    /// A min search (`<`, `<=`), else a max one.
    pub min: bool,
}

/// Reads `i` as a two-variable search, if it is one.
pub fn search(i: &syn::ExprIf) -> Option<Search<'_>> {
    if i.else_branch.is_some() {
        return None;
    }
    let assigns: Vec<&syn::ExprAssign> = i
        .then_branch
        .stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Expr(Expr::Assign(a), _) => Some(a),
            _ => None,
        })
        .collect();
    let [a, b] = assigns.as_slice() else {
        return None;
    };
    if i.then_branch.stmts.len() != 2 {
        return None;
    }
    for (v, ix) in [(a, b), (b, a)] {
        let x = key(strip(&v.left));
        if let Some((value, _, greater, _)) = comparison(&i.cond, &x)
            && crate::show::key(strip(value)) == crate::show::key(strip(&v.right))
            && matches!(strip(&v.left), Expr::Path(_))
            && matches!(strip(&ix.left), Expr::Path(_))
        {
            return Some(Search {
                value: &v.left,
                index: &ix.left,
                found: &v.right,
                location: &ix.right,
                min: !greater,
            });
        }
    }
    None
}

/// `R::combine(&mut v, e)`.
fn combine(c: &syn::ExprCall) -> Option<Update<'_>> {
    let Expr::Path(p) = &*c.func else { return None };
    let segments = &p.path.segments;
    if segments.len() < 2 || segments.last()?.ident != "combine" || c.args.len() != 2 {
        return None;
    }
    let Expr::Reference(r) = c.args.first()? else {
        return None;
    };
    r.mutability?;
    let mut reducer = p.path.clone();
    reducer.segments.pop();
    let reducer = crate::show::path_text(&reducer);
    Some(Update {
        target: &r.expr,
        operation: Operation::Combine(reducer),
        repeats: Vec::new(),
        operands: vec![c.args.last()?],
        index: None,
        short_circuit: false,
        cond: None,
        pick: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::show;
    use syn::parse_quote;

    fn op(e: Expr) -> Option<(String, Operation, Vec<String>)> {
        let u = recognize(&e)?;
        if u.repeats
            .iter()
            .any(|r| show(strip(r)) != show(u.target) && !show(r).ends_with(".0"))
        {
            return None;
        }
        Some((
            show(u.target),
            u.operation,
            u.operands.iter().map(|o| show(*o)).collect(),
        ))
    }

    #[test]
    fn sums_products_and_bits() {
        assert_eq!(op(parse_quote!(s += x[i])).unwrap().1, Operation::Add);
        assert_eq!(op(parse_quote!(s = s + x[i])).unwrap().1, Operation::Add);
        assert_eq!(op(parse_quote!(s = x[i] + s)).unwrap().1, Operation::Add);
        assert_eq!(op(parse_quote!(s = s - a - b)).unwrap().1, Operation::Sub);
        assert_eq!(op(parse_quote!(s = a - b + s)).unwrap().1, Operation::Add);
        assert!(op(parse_quote!(s = a - s)).is_none());
        assert!(op(parse_quote!(s = s * 3 + x[i])).is_none());
        assert_eq!(
            op(parse_quote!(p = p.wrapping_mul(v))).unwrap().1,
            Operation::Mul
        );
        assert_eq!(op(parse_quote!(p = (p * a) * b)).unwrap().2, ["a", "b"]);
        assert_eq!(op(parse_quote!(b = b && f(i))).unwrap().1, Operation::And);
        assert!(
            recognize(&parse_quote!(b = b && f(i)))
                .unwrap()
                .short_circuit
        );
        assert!(
            !recognize(&parse_quote!(b = f(i) && b))
                .unwrap()
                .short_circuit
        );
        assert!(op(parse_quote!(s = 0.0)).is_none());
        assert!(op(parse_quote!(s /= 2)).is_none());
    }

    #[test]
    fn minima_maxima_and_locations() {
        assert_eq!(op(parse_quote!(m = m.max(x[i]))).unwrap().1, Operation::Max);
        assert_eq!(
            op(parse_quote!(m = f64::min(x[i], m))).unwrap().1,
            Operation::Min
        );
        assert_eq!(
            op(parse_quote!(m = if x[i] > m { x[i] } else { m }))
                .unwrap()
                .1,
            Operation::Max
        );
        assert_eq!(
            op(parse_quote!(m = if m < x[i] { m } else { x[i] }))
                .unwrap()
                .1,
            Operation::Min
        );
        let guarded: Expr = parse_quote!(if x[i] < m {
            m = x[i];
        });
        assert_eq!(op(guarded).unwrap().1, Operation::Min);
        assert!(
            op(parse_quote!(if x[i] < m {
                m = y[i];
            }))
            .is_none()
        );
        assert!(op(parse_quote!(m = x[i])).is_none());
        let loc: Expr = parse_quote!(if x[i] < best.0 {
            best = (x[i], i);
        });
        let u = recognize(&loc).unwrap();
        assert_eq!(u.operation, Operation::MinLoc { or_equal: false });
        assert_eq!(show(u.index.unwrap()), "i");
        let loc: Expr = parse_quote!(best = if best.0 <= x[i] { (x[i], i) } else { best });
        assert_eq!(
            recognize(&loc).unwrap().operation,
            Operation::MaxLoc { or_equal: true }
        );
        let c: Expr = parse_quote!(stats::Merge::combine(&mut s, one(x)));
        let u = recognize(&c).unwrap();
        assert_eq!(
            (show(u.target), u.operation),
            ("s".to_owned(), Operation::Combine("stats::Merge".into()))
        );
    }
}
