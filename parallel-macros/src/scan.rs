//! The `scan!(inclusive(v..))` / `scan!(exclusive(v..))` statement of a
//! loop under `reduction(inscan, op: v)`: where it stands, which phase of
//! the body is the update and which the read; and the first of the scan's
//! two passes (see the runtime's `scan` module).

use crate::slot::Slot;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Error, Expr, Ident, Label, Macro, Pat, Stmt, Token};

/// The scan statement of a loop body.
pub struct ScanFact {
    /// Its index among the body's statements.
    pub index: usize,
    /// `inclusive`: the statements before it update, those after read the
    /// prefix up to and including the iteration; `exclusive`: those before
    /// read the prefix of the iterations before, those after update.
    pub inclusive: bool,
    pub vars: Vec<Ident>,
    pub at: TokenStream,
    /// The macro's path as written, for the statement left in its place.
    pub path: syn::Path,
}

impl ScanFact {
    /// Whether the body's statement number `top` (1-based, as uses count
    /// them) is in the update phase.
    pub fn updates_at(&self, top: usize) -> bool {
        let before = top <= self.index;
        before == self.inclusive
    }
}

/// The macro of a statement that is a `scan!(..)` (or `parallel::scan!`).
pub fn marker(stmt: &Stmt) -> Option<&Macro> {
    let mac = match stmt {
        Stmt::Macro(m) => &m.mac,
        Stmt::Expr(Expr::Macro(m), _) => &m.mac,
        _ => return None,
    };
    is_scan(mac).then_some(mac)
}

pub fn is_scan(mac: &Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| s.ident == "scan")
}

const FORM: &str = "`scan!(inclusive(sum));` or `scan!(exclusive(sum));`";

/// Parses the scan statement at `index`.
pub fn parse(index: usize, mac: &Macro) -> Result<ScanFact, Error> {
    let parser = |input: ParseStream| -> syn::Result<(bool, Vec<Ident>)> {
        let kind: Ident = input.parse().map_err(|e| {
            Error::new(
                e.span(),
                format!("expected `inclusive` or `exclusive`: {FORM}"),
            )
        })?;
        let inclusive = match kind.to_string().as_str() {
            "inclusive" => true,
            "exclusive" => false,
            other => {
                return Err(Error::new(
                    kind.span(),
                    format!(
                        "`{other}`: a scan is `inclusive` (the prefix up to and including the iteration) or `exclusive` (up to the one before): {FORM}"
                    ),
                ));
            }
        };
        let inner;
        syn::parenthesized!(inner in input);
        let vars = Punctuated::<Ident, Token![,]>::parse_terminated(&inner)?;
        if vars.is_empty() {
            return Err(Error::new(
                kind.span(),
                format!("`{kind}()` names no variable: {FORM}"),
            ));
        }
        Ok((inclusive, vars.into_iter().collect()))
    };
    let (inclusive, vars) = parser
        .parse2(mac.tokens.clone())
        .map_err(|e| Error::new(e.span(), format!("{e}")))?;
    Ok(ScanFact {
        index,
        inclusive,
        vars,
        at: mac.to_token_stream(),
        path: mac.path.clone(),
    })
}

/// What stands in the body in place of the scan statement: the same macro,
/// told that it has been read (it expands to nothing), so that an import of
/// it stays used.
pub fn spent(fact: &ScanFact) -> Stmt {
    let path = &fact.path;
    syn::parse_quote!(#path!(@read);)
}

/// A loop left as written after an error: its `scan!` statement marked
/// read, so that the error is the analysis's alone.
pub fn neutralize(body: &mut syn::Block) {
    for stmt in &mut body.stmts {
        if let Some(mac) = marker(stmt) {
            let path = &mac.path;
            *stmt = syn::parse_quote!(#path!(@read););
        }
    }
}

/// The error for a `scan!` that is not a statement of the loop body.
pub fn misplaced(mac: &Macro) -> Error {
    Error::new_spanned(
        mac,
        "`scan!(..)` must stand as a statement of the loop's own body, between the statements that update the scan variables and those that read them, not inside a block, closure or inner loop",
    )
}

/// Before a scan loop: the blocks and the second pass's configuration
/// (which replaces `cfg`), then the first pass, which runs the update
/// statements `update` of every block but the last from a fresh copy and
/// scans the totals into `scan`, each block's starting values.
pub fn first_pass(
    slots: &[Slot],
    update: &[Stmt],
    pat: &Pat,
    label: Option<&Label>,
    seq: &Ident,
    cfg: &Ident,
    scan: &Ident,
) -> TokenStream {
    let p = quote!(::parallel::__private);
    let m = Span::mixed_site();
    let scans: Vec<&Slot> = slots
        .iter()
        .filter(|s| matches!(s, Slot::Scan(_)))
        .collect();
    let vars: Vec<&Ident> = scans.iter().map(|s| s.var()).collect();
    let holds: Vec<Ident> = scans.iter().map(|s| s.hold()).collect();
    let starts: Vec<TokenStream> = scans.iter().map(|s| s.scan_start()).collect();
    let a: Vec<Ident> = (0..scans.len())
        .map(|k| format_ident!("__sa{}", k, span = m))
        .collect();
    let b: Vec<Ident> = (0..scans.len())
        .map(|k| format_ident!("__sb{}", k, span = m))
        .collect();
    let combines = scans
        .iter()
        .zip(a.iter().zip(&b))
        .map(|(s, (a, b))| s.scan_combine(a, b));
    let (block, lo, hi, t, v) = (
        Ident::new("__scan_block", m),
        Ident::new("__lo", m),
        Ident::new("__hi", m),
        Ident::new("__t", m),
        Ident::new("__v", m),
    );
    quote! {
        let (#cfg, #block) = #p::scan_blocks(&#cfg, #p::Iterations::len(&#seq));
        let #scan = #p::scan_prefixes(
            &#cfg,
            #block,
            #p::Iterations::len(&#seq),
            ( #( ::core::clone::Clone::clone(&*#holds), )* ),
            || ( #(#starts,)* ),
            |( #(#a,)* ), ( #(#b,)* )| ( #(#combines,)* ),
            |#lo: usize, #hi: usize, #v| {
                #[allow(unused_mut)]
                let ( #(mut #vars,)* ) = #v;
                #label for #t in #lo..#hi {
                    #[allow(unused_variables)]
                    let #pat = #seq.get(#t);
                    #(#update)*
                }
                ( #(#vars,)* )
            },
        );
    }
}

/// In the second pass, at the start of a chunk (one block): the scan
/// variables from the block's starting values.
pub fn chunk_start(vars: &[Ident], scan: &Ident, lo: &Ident) -> TokenStream {
    quote! {
        #[allow(unused_mut)]
        let ( #(mut #vars,)* ) = #scan.at(#lo);
    }
}
