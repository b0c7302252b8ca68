//! The clause grammar of `#[parallel_for(...)]`.
//!
//! ```text
//! clauses  := clause ("," clause)* ","?
//! clause   := "schedule" "(" kind ("," expr)? ")"
//!           | "reduction" "(" ("inscan" ",")? op ":" ident ("," ident)* ")"
//!           | "num_threads" "(" expr ")" | "if" "(" expr ")" | "min_len" "(" expr ")"
//! kind     := static | dynamic | guided | auto | runtime
//! op       := + | * | - | & | "|" | ^ | && | "||" | min | max
//! ```

use crate::loop_form::quiet_parens;
use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Error, Expr, Ident, Result, Token};

/// The clauses that this version understands, in the order the docs list them.
pub const CLAUSES: &[&str] = &[
    "schedule",
    "reduction",
    "num_threads",
    "if",
    "min_len",
    "private",
    "firstprivate",
    "lastprivate",
    "default",
    "shared",
    "collapse",
    "deterministic",
    "simd",
    "proc_bind",
    "distributed",
];

/// The error for `#[simd_reduce]` without reductions.
pub const SIMD_REDUCE_NEEDS: &str = "`#[simd_reduce]` needs the reductions: `#[simd_reduce(+: sum)]`, or several, `#[simd_reduce(+: sum, max: top)]`";

/// The kinds of `schedule(kind[, chunk])`.
pub const SCHEDULES: &[&str] = &["static", "dynamic", "guided", "auto", "runtime"];

/// The kind of `schedule(kind[, chunk])`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ScheduleKind {
    Static,
    Dynamic,
    Guided,
    Auto,
    Runtime,
}

impl ScheduleKind {
    fn parse(word: &str) -> Option<ScheduleKind> {
        Some(match word {
            "static" => ScheduleKind::Static,
            "dynamic" => ScheduleKind::Dynamic,
            "guided" => ScheduleKind::Guided,
            "auto" => ScheduleKind::Auto,
            "runtime" => ScheduleKind::Runtime,
            _ => return None,
        })
    }

    /// The runtime's `Schedule` variant.
    pub fn variant(self) -> &'static str {
        match self {
            ScheduleKind::Static => "Static",
            ScheduleKind::Dynamic => "Dynamic",
            ScheduleKind::Guided => "Guided",
            ScheduleKind::Auto => "Auto",
            ScheduleKind::Runtime => "Runtime",
        }
    }
}

/// `schedule(kind[, chunk])`.
pub struct Schedule {
    pub kind: ScheduleKind,
    /// The kind as written, for spans.
    pub word: Ident,
    pub chunk: Option<Expr>,
}

/// `collapse(n)`: how many nested loops, and where it was written.
#[derive(Clone, Copy)]
pub struct Collapse {
    pub depth: usize,
    pub span: Span,
}

/// A reduction operator, as OpenMP spells it, or the path of a user-defined
/// `Reducer` (OpenMP's `declare reduction`).
#[derive(Clone)]
pub enum ReduceOp {
    Plus,
    Times,
    Minus,
    BitAnd,
    BitOr,
    BitXor,
    And,
    Or,
    Min,
    Max,
    /// `minloc`: the smallest value of a `(value, index)` pair.
    MinLoc,
    MaxLoc,
    User(Box<syn::Path>),
}

impl ReduceOp {
    /// How the user writes it.
    pub fn symbol(&self) -> String {
        let s = match self {
            ReduceOp::Plus => "+",
            ReduceOp::Times => "*",
            ReduceOp::Minus => "-",
            ReduceOp::BitAnd => "&",
            ReduceOp::BitOr => "|",
            ReduceOp::BitXor => "^",
            ReduceOp::And => "&&",
            ReduceOp::Or => "||",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
            ReduceOp::MinLoc => "minloc",
            ReduceOp::MaxLoc => "maxloc",
            ReduceOp::User(path) => return crate::show::show(path),
        };
        s.to_owned()
    }

    /// The runtime's marker type of a built-in operator, as an expression
    /// (`None` for a user-defined reducer and for minloc / maxloc, which
    /// are reduced by their own slot). `-` combines partial results with
    /// `+`, as in OpenMP.
    pub fn marker(&self) -> Option<TokenStream> {
        self.marker_at(Span::call_site())
    }

    /// [`marker`](Self::marker) with the span of `at`, where an error about
    /// the operator and the variable's type should point.
    pub fn marker_at(&self, at: Span) -> Option<TokenStream> {
        let name = match self {
            ReduceOp::Plus | ReduceOp::Minus => "Plus",
            ReduceOp::Times => "Times",
            ReduceOp::BitAnd => "BitAnd",
            ReduceOp::BitOr => "BitOr",
            ReduceOp::BitXor => "BitXor",
            ReduceOp::And => "And",
            ReduceOp::Or => "Or",
            ReduceOp::Min => "Min",
            ReduceOp::Max => "Max",
            ReduceOp::MinLoc | ReduceOp::MaxLoc | ReduceOp::User(_) => return None,
        };
        let name = Ident::new(name, at);
        Some(quote::quote_spanned!(at=> ::parallel::__private::op::#name))
    }
}

/// One variable of a `reduction(op: a, b)` clause.
pub struct Reduction {
    pub op: ReduceOp,
    pub var: Ident,
    /// `reduction(inscan, op: ..)`: a scan, its phases split by `scan!`.
    pub inscan: Option<Ident>,
}

/// Everything between the parentheses of `#[parallel_for(...)]`.
#[derive(Default)]
pub struct Clauses {
    pub schedule: Option<Schedule>,
    pub reductions: Vec<Reduction>,
    pub num_threads: Option<Expr>,
    pub if_: Option<Expr>,
    pub min_len: Option<Expr>,
    /// `private(v..)`: each team member works on its own clone.
    pub private: Vec<Ident>,
    /// `firstprivate(v..)`: the same, in this implementation (a clone is
    /// always initialized).
    pub firstprivate: Vec<Ident>,
    /// `lastprivate(v..)`: a clone per member; afterwards `v` holds the value
    /// of the sequentially last iteration.
    pub lastprivate: Vec<Ident>,
    /// `default(none)`: every captured variable must be listed in a clause.
    pub default_none: Option<Ident>,
    /// `shared(v..)`: listed as shared, for `default(none)`.
    pub shared: Vec<Ident>,
    /// `collapse(n)`: the number of nested loops flattened into one space.
    pub collapse: Option<Collapse>,
    /// `proc_bind(primary | close | spread)`: the policy, as the runtime's
    /// `ProcBind` variant (`master` is `Primary`).
    pub proc_bind: Option<Ident>,
    /// The arguments as written, for the runtime's report.
    pub text: String,
    /// `deterministic`: reductions bit-identical for any team and schedule.
    pub deterministic: Option<Ident>,
    /// `simd`: each chunk runs the vectorized body, reductions in lanes.
    pub simd: Option<Ident>,
    /// `distributed`: a block of the iterations per MPI rank (see
    /// `crate::distributed`).
    pub distributed: Option<Ident>,
}

/// Parses the clause list. All independent mistakes are reported together.
pub fn parse(tokens: TokenStream) -> Result<Clauses> {
    let mut errors = Errors::default();
    let mut clauses = Clauses {
        text: crate::show::show(&tokens),
        ..Clauses::default()
    };
    let parser = |input: ParseStream| {
        while !input.is_empty() {
            parse_clause(input, &mut clauses, &mut errors)?;
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>().map_err(|e| {
                Error::new(e.span(), "expected `,` between clauses, as in `#[parallel_for(schedule(static), reduction(+: sum))]`")
            })?;
        }
        Ok(())
    };
    if let Err(e) = parser.parse2(tokens) {
        errors.push(e);
    }
    errors.finish()?;
    validate(&clauses)?;
    Ok(clauses)
}

/// Clause names may be keywords (`if`), so read any identifier.
fn clause_name(input: ParseStream) -> Result<Ident> {
    use syn::ext::IdentExt;
    Ident::parse_any(input).map_err(|e| {
        Error::new(
            e.span(),
            format!("expected a clause: one of {}", CLAUSES.join(", ")),
        )
    })
}

fn parse_clause(input: ParseStream, clauses: &mut Clauses, errors: &mut Errors) -> Result<()> {
    let name = clause_name(input)?;
    let key = name.to_string();
    // The clauses that are a bare word.
    if key == "deterministic" || key == "simd" || key == "distributed" {
        if input.peek(syn::token::Paren) {
            let args;
            syn::parenthesized!(args in input);
            let _: TokenStream = args.parse()?;
            errors.push(Error::new(
                name.span(),
                format!("`{key}` takes no argument: `#[parallel_for({key}, reduction(+: s))]`"),
            ));
        }
        let slot = match key.as_str() {
            "simd" => &mut clauses.simd,
            "distributed" => &mut clauses.distributed,
            _ => &mut clauses.deterministic,
        };
        set_once(slot, name.clone(), &name, errors);
        return Ok(());
    }
    if !input.peek(syn::token::Paren) {
        let msg = if CLAUSES.contains(&key.as_str()) {
            format!("`{key}` needs an argument: {}", example(&key))
        } else {
            unknown(&key)
        };
        errors.push(Error::new(name.span(), msg));
        return Ok(());
    }
    let args;
    syn::parenthesized!(args in input);
    parse_arguments(&args, &name, clauses, errors)
}

/// The arguments of clause `name`, between its parentheses.
fn parse_arguments(
    args: ParseStream,
    name: &Ident,
    clauses: &mut Clauses,
    errors: &mut Errors,
) -> Result<()> {
    let key = name.to_string();
    match key.as_str() {
        "schedule" => set_once(&mut clauses.schedule, parse_schedule(args)?, name, errors),
        "reduction" => parse_reduction(args, clauses)?,
        "num_threads" => set_once(
            &mut clauses.num_threads,
            parse_one_expr(args, &key)?,
            name,
            errors,
        ),
        "if" => set_once(&mut clauses.if_, parse_one_expr(args, &key)?, name, errors),
        "min_len" => set_once(
            &mut clauses.min_len,
            parse_one_expr(args, &key)?,
            name,
            errors,
        ),
        "collapse" => {
            let usage = "`collapse` takes the number of nested loops, at least 1: `collapse(2)`";
            let lit: syn::LitInt = args.parse().map_err(|e| Error::new(e.span(), usage))?;
            match lit.base10_parse::<usize>() {
                Ok(depth) if depth >= 1 => {
                    let collapse = Collapse {
                        depth,
                        span: lit.span(),
                    };
                    set_once(&mut clauses.collapse, collapse, name, errors);
                }
                _ => errors.push(Error::new(lit.span(), usage)),
            }
        }
        "proc_bind" => {
            use syn::ext::IdentExt;
            let usage = "`proc_bind` takes a policy: `proc_bind(primary)`, `proc_bind(close)` or `proc_bind(spread)`";
            let kind = Ident::parse_any(args).map_err(|e| Error::new(e.span(), usage))?;
            let variant = match kind.to_string().as_str() {
                "primary" | "master" => "Primary",
                "close" => "Close",
                "spread" => "Spread",
                other => {
                    errors.push(Error::new(
                        kind.span(),
                        format!("`proc_bind({other})`: {usage}"),
                    ));
                    return Ok(());
                }
            };
            set_once(
                &mut clauses.proc_bind,
                Ident::new(variant, kind.span()),
                name,
                errors,
            );
        }
        "default" => {
            use syn::ext::IdentExt;
            let kind = Ident::parse_any(args)?;
            match kind.to_string().as_str() {
                "none" => set_once(&mut clauses.default_none, kind, name, errors),
                // OpenMP's default: variables are shared (read-only here).
                "shared" => {}
                other => errors.push(Error::new(
                    kind.span(),
                    format!("`default({other})` is not supported; write `default(none)` (every variable the loop uses must be listed in a clause) or `default(shared)`"),
                )),
            }
        }
        "private" | "firstprivate" | "lastprivate" | "shared" => {
            let vars = Punctuated::<Ident, Token![,]>::parse_terminated(args).map_err(|e| {
                Error::new(
                    e.span(),
                    format!("`{key}` takes variable names: `{key}(a, b)`"),
                )
            })?;
            if vars.is_empty() {
                errors.push(Error::new(
                    name.span(),
                    format!("`{key}()` names no variable"),
                ));
            }
            let list = match key.as_str() {
                "private" => &mut clauses.private,
                "firstprivate" => &mut clauses.firstprivate,
                "shared" => &mut clauses.shared,
                _ => &mut clauses.lastprivate,
            };
            list.extend(vars);
        }
        other => {
            // Skip the arguments so that the rest of the list is still checked.
            let _: TokenStream = args.parse()?;
            errors.push(Error::new(name.span(), unknown(other)));
        }
    }
    Ok(())
}

fn unknown(clause: &str) -> String {
    let valid = CLAUSES.join(", ");
    match nearest(clause, CLAUSES) {
        Some(near) => {
            format!("unknown clause `{clause}`; did you mean `{near}`? valid clauses: {valid}")
        }
        None => format!("unknown clause `{clause}`; valid clauses: {valid}"),
    }
}

fn example(clause: &str) -> &'static str {
    match clause {
        "schedule" => "`schedule(static)`, `schedule(dynamic, 4)`",
        "reduction" => "`reduction(+: sum)`",
        "num_threads" => "`num_threads(4)`",
        "if" => "`if(n > 10_000)`",
        "private" | "firstprivate" | "lastprivate" | "shared" => "`private(scratch)`",
        "default" => "`default(none)`",
        "collapse" => "`collapse(2)`",
        "proc_bind" => "`proc_bind(close)`",
        _ => "`min_len(1024)`",
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, name: &Ident, errors: &mut Errors) {
    if slot.is_some() {
        errors.push(Error::new(
            name.span(),
            format!("`{name}` set multiple times; keep one `{name}(...)` clause"),
        ));
    } else {
        *slot = Some(value);
    }
}

fn parse_one_expr(input: ParseStream, clause: &str) -> Result<Expr> {
    if input.is_empty() {
        return Err(Error::new(
            input.span(),
            format!("`{clause}` needs an argument: {}", example(clause)),
        ));
    }
    let e: Expr = input.parse()?;
    if !input.is_empty() {
        return Err(Error::new(
            input.span(),
            format!("`{clause}` takes one expression: {}", example(clause)),
        ));
    }
    Ok(quiet_parens(e))
}

fn parse_schedule(input: ParseStream) -> Result<Schedule> {
    use syn::ext::IdentExt;
    let list = SCHEDULES.join(", ");
    let kind = Ident::parse_any(input)
        .map_err(|e| Error::new(e.span(), format!("expected a schedule kind: one of {list}")))?;
    let k = kind.to_string();
    let Some(parsed) = ScheduleKind::parse(&k) else {
        let hint = match nearest(&k, SCHEDULES) {
            Some(near) => format!("did you mean `{near}`? "),
            None => String::new(),
        };
        return Err(Error::new(
            kind.span(),
            format!(
                "unknown schedule `{k}`; {hint}the kinds are {list}, optionally with a chunk size: `schedule(dynamic, 16)`"
            ),
        ));
    };
    let chunk = if input.is_empty() {
        None
    } else {
        input.parse::<Token![,]>()?;
        let e: Expr = input.parse()?;
        if !input.is_empty() {
            return Err(Error::new(
                input.span(),
                "`schedule` takes a kind and at most one chunk size: `schedule(dynamic, 16)`",
            ));
        }
        Some(quiet_parens(e))
    };
    if parsed == ScheduleKind::Runtime
        && let Some(c) = &chunk
    {
        return Err(Error::new(
            c.span(),
            "`schedule(runtime)` takes no chunk size: it comes from OMP_SCHEDULE, e.g. OMP_SCHEDULE=\"dynamic,16\"",
        ));
    }
    Ok(Schedule {
        kind: parsed,
        word: kind,
        chunk,
    })
}

const OPS: &str = "+ * - & | ^ && || min max minloc maxloc";

/// The operators that keep a variable in vector lanes.
const LANE_OPS: &str = "+ * - & | ^ && || min max";

fn parse_reduce_op(input: ParseStream) -> Result<ReduceOp> {
    use syn::ext::IdentExt;
    let op = if input.peek(Token![&&]) {
        input.parse::<Token![&&]>()?;
        ReduceOp::And
    } else if input.peek(Token![||]) {
        input.parse::<Token![||]>()?;
        ReduceOp::Or
    } else if input.peek(Token![+]) {
        input.parse::<Token![+]>()?;
        ReduceOp::Plus
    } else if input.peek(Token![*]) {
        input.parse::<Token![*]>()?;
        ReduceOp::Times
    } else if input.peek(Token![-]) {
        input.parse::<Token![-]>()?;
        ReduceOp::Minus
    } else if input.peek(Token![&]) {
        input.parse::<Token![&]>()?;
        ReduceOp::BitAnd
    } else if input.peek(Token![|]) {
        input.parse::<Token![|]>()?;
        ReduceOp::BitOr
    } else if input.peek(Token![^]) {
        input.parse::<Token![^]>()?;
        ReduceOp::BitXor
    } else if input.peek(syn::Ident::peek_any) || input.peek(Token![::]) {
        let path = syn::Path::parse_mod_style(input)?;
        match path.get_ident().map(|id| id.to_string()).as_deref() {
            Some("min") => ReduceOp::Min,
            Some("max") => ReduceOp::Max,
            Some("minloc") => ReduceOp::MinLoc,
            Some("maxloc") => ReduceOp::MaxLoc,
            _ => ReduceOp::User(Box::new(path)),
        }
    } else {
        return Err(Error::new(
            input.span(),
            format!("expected a reduction operator, one of {OPS}, as in `reduction(+: sum)`"),
        ));
    };
    Ok(op)
}

fn parse_reduction(input: ParseStream, clauses: &mut Clauses) -> Result<()> {
    // `inscan,` before the operator (OpenMP's reduction modifier).
    let modifier = input.fork();
    let inscan = match modifier.parse::<Ident>() {
        Ok(id) if id == "inscan" && modifier.peek(Token![,]) => {
            input.parse::<Ident>()?;
            input.parse::<Token![,]>()?;
            Some(id)
        }
        Ok(id) if (id == "task" || id == "default") && modifier.peek(Token![,]) => {
            return Err(Error::new(
                id.span(),
                format!(
                    "`reduction({id}, ..)`: the only reduction modifier here is `inscan`, for a scan (`reduction(inscan, +: sum)` with `scan!(inclusive(sum));` in the body); drop `{id},`"
                ),
            ));
        }
        _ => None,
    };
    let (op, vars) = parse_op_vars(input, |_| false)?;
    for var in vars {
        clauses.reductions.push(Reduction {
            op: op.clone(),
            var,
            inscan: inscan.clone(),
        });
    }
    Ok(())
}

/// `op: a, b, ..`: the variables run until `input` ends or `next_group`
/// sees the start of another `op:` group.
fn parse_op_vars(
    input: ParseStream,
    next_group: impl Fn(ParseStream) -> bool,
) -> Result<(ReduceOp, Vec<Ident>)> {
    let op = parse_reduce_op(input)?;
    if !input.peek(Token![:]) {
        return Err(Error::new(
            input.span(),
            format!(
                "expected `:` after the operator, as in `reduction({}: sum)`",
                op.symbol()
            ),
        ));
    }
    input.parse::<Token![:]>()?;
    let expected = |e: Error| {
        Error::new(
            e.span(),
            format!(
                "expected variable names after `:`, as in `reduction({}: a, b)`",
                op.symbol()
            ),
        )
    };
    let mut vars = Vec::new();
    while !input.is_empty() && !next_group(input) {
        vars.push(input.parse::<Ident>().map_err(expected)?);
        if input.is_empty() || next_group(input) {
            break;
        }
        input.parse::<Token![,]>().map_err(expected)?;
    }
    if vars.is_empty() {
        return Err(Error::new(
            input.span(),
            format!("`reduction({}: ...)` names no variable", op.symbol()),
        ));
    }
    Ok((op, vars))
}

/// The arguments of `#[simd_reduce(op: vars, op: vars, ..)]`: built-in
/// operators only, each variable once.
///
/// ```text
/// simd_reduce := group ("," group)* ","?
/// group       := op ":" ident ("," ident)*
/// ```
pub fn parse_simd_reduce(tokens: TokenStream) -> Result<Vec<Reduction>> {
    // A new group starts where an operator is followed by `:`.
    fn next_group(input: ParseStream) -> bool {
        let fork = input.fork();
        let _ = fork.parse::<Token![,]>();
        fork.call(parse_reduce_op).is_ok() && fork.peek(Token![:])
    }
    let parser = |input: ParseStream| {
        let mut reductions = Vec::new();
        if input.is_empty() {
            return Err(Error::new(input.span(), SIMD_REDUCE_NEEDS));
        }
        while !input.is_empty() {
            let at = input.span();
            let (op, vars) = parse_op_vars(input, next_group)?;
            if let ReduceOp::User(_) | ReduceOp::MinLoc | ReduceOp::MaxLoc = &op {
                let msg = format!(
                    "`#[simd_reduce]` keeps each variable in vector lanes, so it takes the built-in operators {LANE_OPS}; reduce with `{}` in `#[parallel_for(reduction({}: ..))]`",
                    op.symbol(),
                    op.symbol()
                );
                return Err(match &op {
                    ReduceOp::User(path) => Error::new_spanned(path, msg),
                    _ => Error::new(at, msg),
                });
            }
            reductions.extend(vars.into_iter().map(|var| Reduction {
                inscan: None,
                op: op.clone(),
                var,
            }));
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(reductions)
    };
    let reductions = parser.parse2(tokens)?;
    let clauses = Clauses {
        reductions,
        ..Clauses::default()
    };
    validate(&clauses)?;
    Ok(clauses.reductions)
}

/// Checks clauses against each other.
fn validate(clauses: &Clauses) -> Result<()> {
    let mut errors = Errors::default();
    // A variable has one data-sharing clause; `firstprivate` and
    // `lastprivate` may go together, as in OpenMP.
    let lists: [(&str, Vec<&Ident>); 4] = [
        (
            "reduction",
            clauses.reductions.iter().map(|r| &r.var).collect(),
        ),
        ("private", clauses.private.iter().collect()),
        ("firstprivate", clauses.firstprivate.iter().collect()),
        ("lastprivate", clauses.lastprivate.iter().collect()),
    ];
    for (a, (name_a, vars_a)) in lists.iter().enumerate() {
        for (name_b, vars_b) in &lists[a..] {
            for (k, v) in vars_b.iter().enumerate() {
                let same_list = name_a == name_b;
                let earlier = if same_list { &vars_a[..k] } else { &vars_a[..] };
                let allowed = matches!((*name_a, *name_b), ("firstprivate", "lastprivate"));
                if earlier.contains(v) && !allowed && !(same_list && *name_a == "reduction") {
                    let msg = if same_list {
                        format!("`{v}` is listed twice in `{name_a}`")
                    } else {
                        format!(
                            "`{v}` is both in `{name_a}` and in `{name_b}`; a variable has one of reduction, private, firstprivate, lastprivate (only firstprivate + lastprivate go together)"
                        )
                    };
                    errors.push(Error::new(v.span(), msg));
                }
            }
        }
    }
    if clauses.simd.is_some() {
        for r in &clauses.reductions {
            let msg = format!(
                "`simd` keeps each reduction variable in vector lanes, so it takes the built-in operators {LANE_OPS}; drop `simd` to reduce with `{}`",
                r.op.symbol()
            );
            match &r.op {
                ReduceOp::User(path) => errors.push(Error::new_spanned(path, msg)),
                ReduceOp::MinLoc | ReduceOp::MaxLoc => errors.push(Error::new(r.var.span(), msg)),
                _ => {}
            }
        }
        if let Some(c) = clauses.collapse {
            errors.push(Error::new(
                c.span,
                "`simd` vectorizes one range loop, and `collapse` flattens several; drop one of them (or put `#[simd]` on the inner loop)",
            ));
        }
    }
    for (k, r) in clauses.reductions.iter().enumerate() {
        if let Some(first) = clauses.reductions[..k].iter().find(|p| p.var == r.var) {
            errors.push(Error::new(
                r.var.span(),
                format!(
                    "`{}` appears in two reductions (`{}` and `{}`); a variable has one reduction operator",
                    r.var,
                    first.op.symbol(),
                    r.op.symbol()
                ),
            ));
        }
    }
    errors.finish()
}

/// The closest of `options` to `word` by edit distance, if it is close.
pub fn nearest<'a>(word: &str, options: &[&'a str]) -> Option<&'a str> {
    options
        .iter()
        .map(|o| (edit_distance(word, o), *o))
        .filter(|(d, o)| *d <= 2.max(o.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Independent errors, reported together.
#[derive(Default)]
pub struct Errors(Option<Error>);

impl Errors {
    pub fn push(&mut self, e: Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    /// The errors collected, for a caller that knows there is at least one.
    pub fn fail<T>(self) -> Result<T> {
        Err(self.0.unwrap_or_else(|| {
            Error::new(
                Span::call_site(),
                "internal error in #[parallel_for]; please report it",
            )
        }))
    }

    pub fn finish(self) -> Result<()> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn err(tokens: TokenStream) -> String {
        match parse(tokens) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_every_clause() {
        let c = parse(quote!(schedule(dynamic, 4), reduction(+: a, b), reduction(max: m), num_threads(3), if(n > 1), min_len(8),)).unwrap();
        let u = parse(quote!(reduction(stats::Merge: s), private(p, q), lastprivate(l))).unwrap();
        assert!(matches!(&u.reductions[0].op, ReduceOp::User(p) if p.segments.len() == 2));
        assert_eq!((u.private.len(), u.lastprivate.len()), (2, 1));
        assert_eq!(c.schedule.unwrap().kind, ScheduleKind::Dynamic);
        assert_eq!(c.reductions.len(), 3);
        assert!(matches!(c.reductions[2].op, ReduceOp::Max));
        assert!(c.num_threads.is_some() && c.if_.is_some() && c.min_len.is_some());
        assert!(parse(quote!()).unwrap().reductions.is_empty());
        for op in [
            quote!(+),
            quote!(*),
            quote!(-),
            quote!(&),
            quote!(|),
            quote!(^),
            quote!(&&),
            quote!(||),
            quote!(min),
            quote!(max),
        ] {
            let c = parse(quote!(reduction(#op: x))).unwrap();
            assert_eq!(c.reductions[0].var, "x");
        }
    }

    #[test]
    fn rejects_with_useful_messages() {
        assert!(err(quote!(schedul(static))).contains("did you mean `schedule`"));
        assert!(err(quote!(schedule(fast))).contains("static, dynamic, guided, auto, runtime"));
        assert!(
            err(quote!(num_threads(2), num_threads(3)))
                .contains("`num_threads` set multiple times")
        );
        assert!(err(quote!(reduction(+: a), reduction(*: a))).contains("two reductions"));
        assert!(err(quote!(reduction(% : a))).contains("+ * - & | ^ && || min max"));
        assert!(
            err(quote!(private(a), lastprivate(a)))
                .contains("both in `private` and in `lastprivate`")
        );
        assert!(parse(quote!(firstprivate(a), lastprivate(a))).is_ok());
        assert!(err(quote!(reduction(+ a))).contains("expected `:`"));
        assert!(err(quote!(deterministic(2))).contains("takes no argument"));
        assert!(
            parse(quote!(deterministic, reduction(+: s)))
                .unwrap()
                .deterministic
                .is_some()
        );
        assert!(parse(quote!(simd, reduction(+: s))).unwrap().simd.is_some());
        assert!(err(quote!(simd(4))).contains("`simd` takes no argument"));
        assert!(err(quote!(simd, reduction(M: s))).contains("built-in operators"));
        assert!(err(quote!(simd, collapse(2))).contains("drop one of them"));
        assert!(err(quote!(collapse(0))).contains("at least 1"));
        assert_eq!(
            parse(quote!(collapse(3)))
                .unwrap()
                .collapse
                .map(|c| c.depth),
            Some(3)
        );
        assert!(matches!(
            parse(quote!(reduction(minloc: best))).unwrap().reductions[0].op,
            ReduceOp::MinLoc
        ));
        assert!(err(quote!(simd, reduction(maxloc: b))).contains("built-in operators"));
        assert!(err(quote!(schedule)).contains("needs an argument"));
        assert!(err(quote!(schedule(runtime, 4))).contains("OMP_SCHEDULE"));
        assert!(err(quote!(if(a, b))).contains("one expression"));
        assert!(err(quote!(schedule(static) reduction(+: a))).contains("expected `,`"));
        // Independent mistakes come together.
        let both = parse(quote!(foo(1), num_threads(1), num_threads(2)))
            .err()
            .unwrap();
        assert_eq!(both.into_iter().count(), 2);
    }

    #[test]
    fn simd_reduce_groups() {
        let r = parse_simd_reduce(quote!(+: s, t, max: m, min: lo,)).unwrap();
        let shown: Vec<String> = r
            .iter()
            .map(|r| format!("{}:{}", r.op.symbol(), r.var))
            .collect();
        assert_eq!(shown, ["+:s", "+:t", "max:m", "min:lo"]);
        // `max` is a variable here: no `:` follows it.
        let r = parse_simd_reduce(quote!(+: s, max)).unwrap();
        assert_eq!(r[1].var, "max");
        let msg = |t: TokenStream| parse_simd_reduce(t).err().unwrap().to_string();
        assert!(msg(quote!()).contains("needs the reductions"));
        assert!(msg(quote!(Merge: s)).contains("built-in operators"));
        assert!(msg(quote!(+: s, *: s)).contains("two reductions"));
        assert!(msg(quote!(+)).contains("expected `:`"));
        assert!(msg(quote!(+:)).contains("names no variable"));
    }

    #[test]
    fn nearest_is_conservative() {
        assert_eq!(nearest("reduce", CLAUSES), None);
        assert_eq!(nearest("reductoin", CLAUSES), Some("reduction"));
        assert_eq!(nearest("dynamc", SCHEDULES), Some("dynamic"));
        assert_eq!(nearest("zzzzzz", SCHEDULES), None);
    }
}
