//! Turns description text into rustdoc that renders well and never becomes a doctest.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for `text`, one per line; nothing for empty text.
pub fn doc_attrs(text: &str) -> TokenStream {
    let cleaned = sanitize(text);
    if cleaned.is_empty() {
        return TokenStream::new();
    }
    let lines = cleaned.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// A one-line `#[doc]` attribute, spaced like `/// text`.
pub fn doc_line(text: &str) -> TokenStream {
    let text = format!(" {}", plain_text(text).replace('\n', " "));
    quote!(#[doc = #text])
}

/// Joins paragraphs, skipping empty ones.
pub fn paragraphs<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Descriptions are Markdown written for web pages: code fences in other languages
/// and indented blocks would become failing doctests, so fences are marked `text`
/// and indentation is capped below the code-block threshold.
pub fn sanitize(text: &str) -> String {
    let text = plain_text(text);
    let mut out = Vec::new();
    let mut in_fence: Option<&str> = None;
    for line in text.trim().lines() {
        let line = line.trim_end();
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (in_fence, fence) {
            (None, Some(f)) => {
                in_fence = Some(f);
                out.push(format!("{f}text"));
            }
            (Some(open), Some(f)) if f == open && trimmed.trim_start_matches(f).is_empty() => {
                in_fence = None;
                out.push(f.to_owned());
            }
            (Some(_), _) => out.push(line.to_owned()),
            (None, None) => {
                let expanded = line.replace('\t', "    ");
                let indent = expanded.len() - expanded.trim_start().len();
                out.push(format!("{}{}", " ".repeat(indent.min(3)), expanded.trim_start()));
            }
        }
    }
    if let Some(f) = in_fence {
        out.push(f.to_owned());
    }
    out.join("\n")
}

/// Line breaks as `\n` and no other control character but tabs: rustdoc refuses a
/// bare carriage return, and a bell or escape has no place in documentation.
fn plain_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_become_text_and_are_closed() {
        assert_eq!(sanitize("a\n```bash\ncurl x\n```"), "a\n```text\ncurl x\n```");
        assert_eq!(sanitize("```\nopen"), "```text\nopen\n```");
    }

    #[test]
    fn indentation_is_capped_outside_fences() {
        assert_eq!(sanitize("para\n\n        code?\n\tx"), "para\n\n   code?\n   x");
        assert_eq!(sanitize("```\n        kept\n```"), "```text\n        kept\n```");
    }

    #[test]
    fn carriage_returns_become_line_breaks_and_other_controls_go() {
        assert_eq!(sanitize("a\r\nb\rc\u{7}d\u{1b}[0m"), "a\nb\ncd[0m");
        assert_eq!(doc_line("a\rb\u{0}").to_string(), quote!(#[doc = " a b"]).to_string());
    }
}
