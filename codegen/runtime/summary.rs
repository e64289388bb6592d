//! One line for what an error reply says, so errors never print a whole page.
//!
//! An HTML page is summarised by its exception (Django's debug page), else its title
//! and first heading; other text by its last traceback line or its first characters.

/// How long a summary may get, in characters.
const MAX: usize = 200;

/// Is the body an HTML page?
pub(crate) fn is_html(content_type: Option<&str>, text: &str) -> bool {
    content_type.is_some_and(|t| t.to_ascii_lowercase().contains("html"))
        || text
            .trim_start()
            .get(..15)
            .is_some_and(|start| start.eq_ignore_ascii_case("<!doctype html>"))
}

/// `OperationalError: database is locked`, or `404 | Label Studio: Uh oh, this page doesn't exist.`
pub(crate) fn html(page: &str) -> String {
    if let Some(value) = element(page, "<pre class=\"exception_value\">", "</pre>") {
        let kind = element(page, "<title>", "</title>").and_then(|t| t.split(" at ").next().map(str::to_owned));
        return shorten(&match kind {
            Some(kind) => format!("{kind}: {value}"),
            None => value,
        });
    }
    let title = element(page, "<title>", "</title>");
    let heading =
        element(page, "<h1", "</h1>").map(|h| h.split_once('>').map_or(h.clone(), |(_, rest)| rest.to_owned()));
    let parts: Vec<String> = [title, heading]
        .into_iter()
        .flatten()
        .map(|p| words(&p))
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [] => text(page),
        [one] => shorten(one),
        [title, heading] if title == heading => shorten(title),
        [title, heading, ..] => shorten(&format!("{title}: {heading}")),
    }
}

/// A text body: a Python traceback's last line, else the start of the text.
pub(crate) fn text(body: &str) -> String {
    let last_line = body.lines().rev().find(|l| !l.trim().is_empty());
    match last_line {
        Some(last) if body.contains("Traceback (most recent call last)") => shorten(last.trim()),
        _ => shorten(&words(body)),
    }
}

/// At most [`MAX`] characters, cut at a character boundary, marked with `…` when cut.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// The text inside the first `open … close` (tags stripped, entities decoded).
fn element(page: &str, open: &str, close: &str) -> Option<String> {
    let lower = page.to_ascii_lowercase();
    let start = lower.find(&open.to_ascii_lowercase())? + open.len();
    let end = start + lower[start..].find(&close.to_ascii_lowercase())?;
    let inner = words(&strip_tags(&page[start..end]));
    (!inner.is_empty()).then_some(inner)
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whitespace collapsed, the common entities decoded.
fn words(text: &str) -> String {
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&rsquo;", "’")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_debug_pages_give_their_exception() {
        let page = "<html><head><title>OperationalError at /api/tasks/</title></head><body>\
                    <pre class=\"exception_value\">database is locked</pre>…</body></html>";
        assert_eq!(html(page), "OperationalError: database is locked");
    }

    #[test]
    fn other_pages_give_their_title_and_heading() {
        let page = "<!doctype html><html><head><title>404 | Label Studio</title></head>\
                    <body><div><h1 class=\"x\">Uh oh, this page doesn&rsquo;t\n exist.</h1></div></body></html>";
        assert_eq!(html(page), "404 | Label Studio: Uh oh, this page doesn’t exist.");
        assert_eq!(html("<title>Not Found</title><h1>Not Found</h1>"), "Not Found");
    }

    #[test]
    fn text_is_cut_and_tracebacks_give_their_last_line() {
        let long = "x".repeat(500);
        assert_eq!(text(&long).chars().count(), MAX + 1);
        let trace =
            "Traceback (most recent call last):\n  File \"a.py\"\nsqlite3.OperationalError: database is locked\n";
        assert_eq!(text(trace), "sqlite3.OperationalError: database is locked");
        assert_eq!(shorten("é".repeat(300).as_str()).chars().count(), MAX + 1);
    }

    #[test]
    fn html_is_recognised_by_type_or_doctype() {
        assert!(is_html(Some("text/html; charset=utf-8"), "x"));
        assert!(is_html(None, "\n<!DOCTYPE html><html>"));
        assert!(!is_html(Some("text/plain"), "plain"));
    }
}
