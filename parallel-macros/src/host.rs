//! `#[parallel]`: finds the loop directives inside an item and rewrites them,
//! after the task groups (`tasks`).
//!
//! Attribute macros cannot sit on statements on stable Rust, so the item
//! attribute hosts them. On any error the item is emitted unchanged (less the
//! directive attributes, so the loop still runs sequentially and the IDE keeps
//! working) followed by the `compile_error!`s.

use crate::clause::{self, Clauses, Errors};
use crate::expand::{self, HostInfo};
use crate::flow::Directive;
use crate::names::{Name, bound_anywhere, nested_slice_names, slice_names};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use std::collections::HashSet;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Error, Expr, ExprForLoop, Item, Meta};

/// The loop directives, as written.
const DIRECTIVES: &[&str] = &["parallel_for", "simd_reduce", "simd"];

/// Entry point of `#[parallel]`.
pub fn parallel(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    if !args.is_empty() {
        errors.push(Error::new_spanned(
            &args,
            "`#[parallel]` takes no arguments; clauses go on the loop: `#[parallel_for(schedule(dynamic))]`",
        ));
    }
    let mut item: Item = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(e) => {
            errors.push(e);
            return with_errors(input, errors);
        }
    };
    let fits = match &item {
        Item::Fn(_) | Item::Impl(_) => true,
        Item::Mod(m) => m.content.is_some(),
        _ => false,
    };
    if !fits {
        errors.push(Error::new(
            item.span(),
            "`#[parallel]` goes on a `fn`, an `impl` block or an inline `mod { .. }`, and rewrites the `#[parallel_for]` loops inside",
        ));
        return with_errors(input, errors);
    }
    let mut host = Host {
        known: Some(bound_anywhere(&item)),
        slices: Some(slice_names(&item)),
        rows: Some(nested_slice_names(&item)),
        errors,
    };
    // Task groups first, so that each is analysed as written; then the
    // loops, including those inside tasks.
    crate::tasks::expand_item(&mut item, &mut host.errors);
    host.visit_item_mut(&mut item);
    Strays(&mut host.errors).visit_item_mut(&mut item);
    with_errors(item.into_token_stream(), host.errors)
}

/// Entry point of a loop directive used directly on a loop (nightly):
/// `#[parallel_for]`, `#[simd_reduce]` or `#[simd]`.
pub fn directive(directive: Directive, args: TokenStream, input: TokenStream) -> TokenStream {
    let mut for_loop: ExprForLoop = match syn::parse2(input.clone()) {
        Ok(f) => f,
        Err(_) => {
            let mut errors = Errors::default();
            errors.push(Error::new(
                Span::call_site(),
                not_on_a_loop(directive, &input),
            ));
            return with_errors(input, errors);
        }
    };
    let mut host = Host {
        known: None,
        slices: None,
        rows: None,
        errors: Errors::default(),
    };
    crate::tasks::expand_block(&mut for_loop.body, &mut host.errors);
    let mut expr = match parse_args(directive, Ok(args)) {
        Ok(clauses) => host.expand_loop(&mut for_loop, directive, &clauses),
        Err(e) => {
            host.errors.push(e);
            Expr::ForLoop(for_loop)
        }
    };
    host.visit_expr_mut(&mut expr);
    with_errors(expr.into_token_stream(), host.errors)
}

/// What a loop directive used as an item attribute says (rustc calls the
/// directive's own macro then), by what it stands on.
fn not_on_a_loop(directive: Directive, input: &TokenStream) -> String {
    let name = directive.name();
    let what = match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Fn(_)) => {
            return format!(
                "`{name}` goes on a `for` loop, not on a fn: put `#[parallel]` on the fn and `{name}` on the loop inside it"
            );
        }
        Ok(Item::Impl(_)) => "an `impl` block",
        Ok(Item::Mod(_)) => "a `mod`",
        Ok(Item::Struct(_)) => "a struct",
        Ok(Item::Enum(_)) => "an enum",
        Ok(Item::Trait(_)) => "a trait",
        Ok(Item::Const(_) | Item::Static(_)) => "a constant",
        _ => "this",
    };
    format!(
        "`{name}` goes on a `for` loop inside a fn under `#[parallel]`, not on {what}: `#[parallel] fn f() {{ {name} for i in 0..n {{ .. }} }}`"
    )
}

/// The arguments of a directive, as clauses.
fn parse_args(directive: Directive, args: syn::Result<TokenStream>) -> syn::Result<Clauses> {
    let args = args?;
    match directive {
        Directive::ParallelFor => clause::parse(args),
        Directive::SimdReduce => Ok(Clauses {
            reductions: clause::parse_simd_reduce(args)?,
            ..Clauses::default()
        }),
        Directive::Simd if args.is_empty() => Ok(Clauses::default()),
        Directive::Simd => Err(Error::new_spanned(
            args,
            "`#[simd]` takes no arguments; to reduce into a variable, write `#[simd_reduce(+: sum)]` instead",
        )),
        // Not loop directives: `tasks` reads their arguments.
        Directive::Task(_) | Directive::Group(_) => Ok(Clauses::default()),
    }
}

fn with_errors(tokens: TokenStream, errors: Errors) -> TokenStream {
    match errors.finish() {
        Ok(()) => tokens,
        Err(e) => {
            let errors = e.to_compile_error();
            quote!(#tokens #errors)
        }
    }
}

struct Host {
    known: Option<HashSet<Name>>,
    /// The names the item binds to slices, `Vec`s and arrays only.
    slices: Option<HashSet<Name>>,
    /// Those it binds to slices of slices.
    rows: Option<HashSet<Name>>,
    errors: Errors,
}

impl Host {
    /// Expands one loop; on error, records it and leaves the plain loop.
    fn expand_loop(
        &mut self,
        for_loop: &mut ExprForLoop,
        directive: Directive,
        clauses: &Clauses,
    ) -> Expr {
        let host = HostInfo {
            known: self.known.as_ref(),
            slices: self.slices.as_ref(),
            rows: self.rows.as_ref(),
        };
        let generated = match directive {
            Directive::ParallelFor => expand::parallel_for(for_loop, clauses, host),
            _ => expand::simd_loop(for_loop, directive, clauses, host),
        }
        .and_then(syn::parse2::<Expr>);
        match generated {
            Ok(expr) => expr,
            Err(e) => {
                self.errors.push(e);
                let mut plain = for_loop.clone();
                crate::rewrite::strip_directives(&mut plain.body);
                crate::scan::neutralize(&mut plain.body);
                Expr::ForLoop(plain)
            }
        }
    }
}

/// The directive among a loop's attributes, taken out of them.
fn take_directive(attrs: &mut Vec<Attribute>) -> Option<Attribute> {
    let pos = attrs.iter().position(|a| directive_name(a).is_some())?;
    Some(attrs.remove(pos))
}

fn directive_name(attr: &Attribute) -> Option<Directive> {
    let path = attr.path();
    let last = path.segments.last()?.ident.to_string();
    let ours = path.segments.len() == 1
        || (path.segments.len() == 2
            && path.segments.first().is_some_and(|s| s.ident == "parallel"));
    if !ours || !DIRECTIVES.contains(&last.as_str()) {
        return None;
    }
    Some(match last.as_str() {
        "parallel_for" => Directive::ParallelFor,
        "simd_reduce" => Directive::SimdReduce,
        _ => Directive::Simd,
    })
}

impl VisitMut for Host {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::ForLoop(for_loop) = e
            && let Some(attr) = take_directive(&mut for_loop.attrs)
        {
            let directive = directive_name(&attr).unwrap_or(Directive::ParallelFor);
            let args = match &attr.meta {
                Meta::Path(path) if directive == Directive::SimdReduce => {
                    Err(Error::new_spanned(path, clause::SIMD_REDUCE_NEEDS))
                }
                Meta::Path(_) => Ok(TokenStream::new()),
                Meta::List(list) => Ok(list.tokens.clone()),
                Meta::NameValue(nv) => Err(Error::new_spanned(
                    nv,
                    format!(
                        "write the arguments in parentheses: {}",
                        match directive {
                            Directive::ParallelFor => "`#[parallel_for(schedule(static))]`",
                            _ => "`#[simd_reduce(+: sum)]`",
                        }
                    ),
                )),
            };
            match parse_args(directive, args) {
                Ok(clauses) => *e = self.expand_loop(for_loop, directive, &clauses),
                Err(err) => {
                    self.errors.push(err);
                    crate::scan::neutralize(&mut for_loop.body);
                }
            }
        }
        // Loops nested inside, including inside the code just generated.
        visit_mut::visit_expr_mut(self, e);
    }
}

/// Reports and removes the loop directives left once the loops are
/// expanded: those on something other than a `for` loop (a `let` between
/// the directive and its loop, a `while`), which rustc would otherwise
/// reject as attributes on statements, naming no fix.
struct Strays<'e>(&'e mut Errors);

impl Strays<'_> {
    fn clean(&mut self, attrs: &mut Vec<Attribute>, on: &str) {
        attrs.retain(|attr| {
            let Some(directive) = directive_name(attr) else {
                return true;
            };
            let name = directive.name();
            let msg = match on {
                "let" => format!(
                    "`{name}` goes right above its `for` loop, with nothing between them; here it is on a `let` statement: move the `let` above the directive"
                ),
                "while" | "loop" => format!(
                    "`{name}` goes on a `for` loop, whose iterations are known before it starts; a `{on}` loop's are not: write it as `for i in a..b` (or over a slice, `for x in v.iter()`)"
                ),
                _ => format!(
                    "`{name}` goes on a `for` loop, with nothing between them: `{name} for i in 0..n {{ .. }}`"
                ),
            };
            self.0.push(Error::new_spanned(attr, msg));
            false
        });
    }
}

impl VisitMut for Strays<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let on = match e {
            Expr::While(_) => "while",
            Expr::Loop(_) => "loop",
            _ => "expression",
        };
        if let Some(attrs) = crate::tasks::expr_attrs_mut(e) {
            self.clean(attrs, on);
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        self.clean(&mut l.attrs, "let");
        visit_mut::visit_local_mut(self, l);
    }

    fn visit_stmt_macro_mut(&mut self, m: &mut syn::StmtMacro) {
        self.clean(&mut m.attrs, "macro");
        visit_mut::visit_stmt_macro_mut(self, m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    const SAMPLES: &[(&str, &str)] = &[
        (
            "",
            "fn f(x: &[f64], y: &mut [f64]) -> f64 { let mut s = 0.0; \
             #[parallel_for(schedule(dynamic, 4), reduction(+: s), num_threads(2), if(true), min_len(3))] \
             for i in (0..x.len()).step_by(2).rev() { y[i] = x[i]; s += x[i]; c[i * n + j] = 1; if s > 1.0 { continue; } } s }",
        ),
        (
            "",
            "impl S { fn g(&self) { #[parallel_for] for i in 0..=9u8 { let v = i; } } }",
        ),
        (
            "",
            "mod m { fn h() { #[parallel::parallel_for(reduction(max: m))] for _ in 0..1 { m = m.max(1); } } }",
        ),
        (
            "+: s, max: m",
            "fn f(x: &[f32], y: &mut [f32]) { #[simd_reduce(+: s, max: m)] 'l: for i in 0..x.len() { s += x[i]; m = m.max(x[i]); if x[i] > 0.0 { continue 'l; } } \
             #[simd] for i in 1..=n { y[i] = 2.0 * x[i]; } #[parallel_for(simd, reduction(+: t))] for i in a..b { t += y[i]; } }",
        ),
        (
            "",
            "fn g(x: &[f64], c: &mut [f64], n: usize) { let mut best = (f64::MAX, 0); let mut v = 0; \
             #[parallel_for(reduction(minloc: best), private(v), collapse(1))] for r#i in 0..n { let Some(k) = o else { continue }; \
             if x[i] < best.0 { best = (x[i], i); } v = i; c[i * n + k] = v as f64; println!(\"{i} {v:?} {:>w$}\", k, w = 3); \
             m!(i); match k { 0 if v > 1 => {} _ => {} } #[critical] { log.push(i); } #[atomic] s.count += 1; } }",
        ),
        (
            "",
            "impl T { fn h(&mut self) { #[parallel_for(reduction(Merge: m), lastprivate(l), collapse(2))] for i in 0..a { for j in 0..b { \
             self.v[i * b + j] = 1; g[i][j] += 1; l = i; Merge::combine(&mut m, e); let f = |q| q + i; if e > mx { mx = e; } } } } }",
        ),
        (
            "",
            "fn k(a: &mut Vec<Vec<f64>>, b: &mut [f64], n: usize) { #[parallel_for(schedule(guided))] for j in 1..n { for i in j + 1..n { \
             a[i][j] = a[j][i] + a[0][j] + b[i * n + j] - b[j * n + i] + y[j - 1] + b[j + 1] + b[2 * j]; b[k * n + j] = a[j - 1][k]; p[j].vx += p[i].x; \
             out[offset[j] + i] = 1.0; h[thread_num()] += 1; self.v[j] = s.w[j]; c[k][j] = c[k - 1][j]; q[r * m * n + j * n + i] = 0.0; \
             #[parallel_for] for t in 0..n { c[j][t] = 1.0; } } } }",
        ),
        (
            "",
            "fn f(y: &mut [u8]) { #[parallel_for] let n = y.len(); #[simd] while i < n { i += 1; } \
             #[parallel_for(schedule(static))] loop { break; } #[simd_reduce(+: s)] m!(); }",
        ),
    ];

    /// The macro never panics: every sample with any one token removed, and
    /// every prefix of it, expands to something (often an error).
    #[test]
    fn never_panics_on_damaged_input() {
        for (args, item) in SAMPLES {
            let words: Vec<&str> = item.split_whitespace().collect();
            let mut variants = Vec::new();
            for k in 0..words.len() {
                let mut w = words.clone();
                w.remove(k);
                variants.push(w.join(" "));
                variants.push(words[..k].join(" "));
            }
            let chars: Vec<char> = item.chars().collect();
            for k in 0..chars.len() {
                let mut c = chars.clone();
                c.remove(k);
                variants.push(c.into_iter().collect());
            }
            for v in variants {
                let (Ok(args), Ok(input)) =
                    (TokenStream::from_str(args), TokenStream::from_str(&v))
                else {
                    continue;
                };
                let _ = parallel(args.clone(), input.clone());
                for d in [
                    Directive::ParallelFor,
                    Directive::SimdReduce,
                    Directive::Simd,
                ] {
                    let _ = directive(d, args.clone(), input.clone());
                }
            }
        }
    }

    #[test]
    fn directives_off_a_for_loop_are_reported_and_removed() {
        let input = TokenStream::from_str(
            "fn f(y: &mut [u8]) { #[parallel_for] let n = y.len(); let mut i = 0; #[simd] while i < n { i += 1; } }",
        )
        .unwrap();
        let out = parallel(TokenStream::new(), input).to_string();
        assert!(out.contains("on a `let` statement"), "{out}");
        assert!(out.contains("a `while` loop's are not"), "{out}");
        assert!(
            !out.contains("# [parallel_for]") && !out.contains("# [simd]"),
            "{out}"
        );
        for (item, kind) in [
            ("fn g() {}", "not on a fn"),
            ("struct S;", "not on a struct"),
        ] {
            let out = directive(
                Directive::ParallelFor,
                TokenStream::new(),
                TokenStream::from_str(item).unwrap(),
            )
            .to_string();
            assert!(out.contains(kind), "{out}");
        }
    }

    #[test]
    fn errors_keep_the_item() {
        let input =
            TokenStream::from_str("fn f() { #[parallel_for(bogus)] for i in 0..3 { s += i; } }")
                .unwrap();
        let out = parallel(TokenStream::new(), input).to_string();
        assert!(out.contains("fn f"), "{out}");
        assert!(out.contains("compile_error"), "{out}");
        assert!(
            !out.contains("parallel_for"),
            "the directive is removed so the loop runs sequentially: {out}"
        );
        let out = parallel(
            TokenStream::from_str("x").unwrap(),
            TokenStream::from_str("struct S;").unwrap(),
        )
        .to_string();
        assert!(
            out.contains("struct S")
                && out.contains("takes no arguments")
                && out.contains("goes on a `fn`"),
            "{out}"
        );
    }
}
