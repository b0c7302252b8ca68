//! Source text of syntax nodes, for messages.

use quote::ToTokens;

/// Source text of a node for messages, with the spaces `quote` adds removed.
pub fn show(node: &impl ToTokens) -> String {
    let text = node.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = k
                .checked_sub(1)
                .and_then(|p| chars.get(p))
                .copied()
                .unwrap_or(' ');
            let next = chars.get(k + 1).copied().unwrap_or(' ');
            let after = chars.get(k + 2).copied().unwrap_or(' ');
            let before = k.checked_sub(2).and_then(|p| chars.get(p)).copied();
            let path = (next == ':' && after == ':') || (prev == ':' && before == Some(':'));
            let call = prev.is_alphanumeric() || matches!(prev, '_' | ')' | ']' | '>' | '!');
            if path
                || matches!(next, ']' | ')' | '.' | ',' | ';' | '?')
                || (matches!(next, '[' | '(') && call)
                || (next == '!' && after != '=')
                || matches!(prev, '[' | '(' | '.' | '&' | '!')
            {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// The text of a node as a key that compares names as rustc does: `r#i`
/// and `i` are one name, so their keys are equal.
pub fn key(node: &impl ToTokens) -> String {
    fn unraw(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
        tokens
            .into_iter()
            .map(|t| match t {
                proc_macro2::TokenTree::Ident(id) => {
                    let plain = syn::ext::IdentExt::unraw(&id);
                    proc_macro2::TokenTree::Ident(plain)
                }
                proc_macro2::TokenTree::Group(g) => {
                    let mut group = proc_macro2::Group::new(g.delimiter(), unraw(g.stream()));
                    group.set_span(g.span());
                    proc_macro2::TokenTree::Group(group)
                }
                other => other,
            })
            .collect()
    }
    show(&unraw(node.to_token_stream()))
}

/// A path as written, without spaces: `stats::Merge`.
pub fn path_text(path: &syn::Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    out.push_str(&segments.join("::"));
    out
}

/// `name` quoted for a message, `a`, `b` and `c` joined with commas.
pub fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::{Expr, parse_quote};

    #[test]
    fn reads_like_source() {
        let e: Expr = parse_quote!(y[i + 1] = f(x.len(), &mut z[0]) / (a + b[2]));
        assert_eq!(show(&e), "y[i + 1] = f(x.len(), &mut z[0]) / (a + b[2])");
        let e: Expr = parse_quote!(r#y[r#i * n + i]);
        assert_eq!(key(&e), "y[i * n + i]");
        let e: Expr = parse_quote!(p[parallel::thread_num()] = f64::min(a, b));
        assert_eq!(show(&e), "p[parallel::thread_num()] = f64::min(a, b)");
        assert_eq!(quoted_list(&["a".into(), "b".into()]), "`a`, `b`");
    }
}
