//! `explode` of a form body's Encoding Objects, as the description says it.
//!
//! openapiv3 reads a missing `explode` as `false`, but the specification's default is
//! `true` for `style: form`, the default style: `{tags: {style: form}}` means one pair
//! per item. Where the typed document cannot tell (style form or none, explode false),
//! the tree says whether `explode: false` was written.

use openapiv3::{OpenAPI, QueryStyle, ReferenceOr, RequestBody};
use serde_json::Value;

use crate::pointer::Pointer;

/// Does any Encoding Object read `explode: false` where the key may have been missing?
pub(super) fn ambiguous(openapi: &OpenAPI) -> bool {
    let mut found = false;
    for_each_body(openapi, |_, body| {
        found |= body
            .content
            .values()
            .flat_map(|media| media.encoding.values())
            .any(|e| is_form(e.style.as_ref()) && !e.explode);
    });
    found
}

/// Sets `explode` to the specification's default where `tree` has no `explode` key.
pub(super) fn restore_explode(openapi: &mut OpenAPI, tree: &Value) {
    let mut missing = Vec::new();
    for_each_body(openapi, |at, body| {
        for (media_name, media) in &body.content {
            for (property, encoding) in &media.encoding {
                let at = at.join("content").join(media_name).join("encoding").join(property);
                let raw = at.to_string();
                let given = tree
                    .pointer(raw.trim_start_matches('#'))
                    .is_some_and(|e| e.get("explode").is_some());
                if is_form(encoding.style.as_ref()) && !encoding.explode && !given {
                    missing.push(at);
                }
            }
        }
    });
    for at in missing {
        if let Some(encoding) = encoding_at(openapi, &at) {
            encoding.explode = true;
        }
    }
}

fn is_form(style: Option<&QueryStyle>) -> bool {
    matches!(style, None | Some(QueryStyle::Form))
}

/// Every request body written in place (in an operation or in `components`), with its pointer.
fn for_each_body(openapi: &OpenAPI, mut visit: impl FnMut(&Pointer, &RequestBody)) {
    for (path, item) in &openapi.paths.paths {
        let ReferenceOr::Item(item) = item else { continue };
        for (method, op) in item.iter() {
            if let Some(ReferenceOr::Item(body)) = &op.request_body {
                let at = Pointer::root()
                    .join("paths")
                    .join(path)
                    .join(method)
                    .join("requestBody");
                visit(&at, body);
            }
        }
    }
    let bodies = openapi.components.iter().flat_map(|c| &c.request_bodies);
    for (name, body) in bodies {
        if let ReferenceOr::Item(body) = body {
            visit(
                &Pointer::root().join("components").join("requestBodies").join(name),
                body,
            );
        }
    }
}

/// The Encoding Object at `at` (one [`for_each_body`] gave).
fn encoding_at<'a>(openapi: &'a mut OpenAPI, at: &Pointer) -> Option<&'a mut openapiv3::Encoding> {
    let segments: Vec<String> = at.segments().collect();
    let (body, rest) = match segments.first().map(String::as_str) {
        Some("paths") => {
            let item = item_mut(openapi.paths.paths.get_mut(&segments[1])?)?;
            let op = match segments[2].as_str() {
                "get" => item.get.as_mut(),
                "put" => item.put.as_mut(),
                "post" => item.post.as_mut(),
                "delete" => item.delete.as_mut(),
                "options" => item.options.as_mut(),
                "head" => item.head.as_mut(),
                "patch" => item.patch.as_mut(),
                "trace" => item.trace.as_mut(),
                _ => None,
            }?;
            (item_mut(op.request_body.as_mut()?)?, &segments[4..])
        }
        _ => {
            let components = openapi.components.as_mut()?;
            (
                item_mut(components.request_bodies.get_mut(&segments[2])?)?,
                &segments[3..],
            )
        }
    };
    // rest: content, <media>, encoding, <property>
    body.content.get_mut(rest.get(1)?)?.encoding.get_mut(rest.get(3)?)
}

fn item_mut<T>(r: &mut ReferenceOr<T>) -> Option<&mut T> {
    match r {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn a_missing_explode_in_a_form_encoding_is_true_and_a_written_one_stays() {
        let text = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object}
            encoding:
              implicit: {style: form}
              none: {contentType: text/plain}
              written: {style: form, explode: false}
      responses: {"204": {description: ok}}
"#;
        let doc = super::super::parse(Path::new("x.yaml"), text).unwrap();
        let item = doc.openapi.paths.paths["/a"].as_item().unwrap();
        let body = item
            .post
            .as_ref()
            .unwrap()
            .request_body
            .as_ref()
            .unwrap()
            .as_item()
            .unwrap();
        let encoding = &body.content["application/x-www-form-urlencoded"].encoding;
        assert!(encoding["implicit"].explode);
        assert!(encoding["none"].explode);
        assert!(!encoding["written"].explode);
    }
}
