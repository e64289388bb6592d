//! Which calls are lists answered page by page, and how to walk their pages.

use super::Lowerer;
use super::ids::{Field, Operation, Pagination, Response, TypeKind, TypeRef};

impl Lowerer<'_> {
    /// A list answered page by page: a GET with an optional integer `page` query
    /// parameter and a reply object holding an array of items and either Django REST
    /// Framework's `count`/`next`/`results`, or a required integer `total` (or `count`)
    /// beside one array (Label Studio's task list). Only GETs: walking the pages of
    /// anything else would send it again for every page.
    pub(super) fn pagination_of(&self, op: &Operation) -> Option<Pagination> {
        if op.http_method != crate::ir::HttpMethod::Get {
            return None;
        }
        let page = op.query_params.iter().find(|p| p.wire_name == "page" && !p.required)?;
        if !matches!(page.ty, TypeRef::Int(_)) {
            return None;
        }
        let Response::Json(TypeRef::Named(reply)) = &op.response else {
            return None;
        };
        let TypeKind::Struct(shape) = &self.def(*reply)?.kind else {
            return None;
        };
        let field = |wire: &str| shape.fields.iter().find(|f| f.wire_name == wire);
        let arrays: Vec<&Field> = shape
            .fields
            .iter()
            .filter(|f| f.required && matches!(f.ty, TypeRef::Array(_)))
            .collect();
        let (results, last_page) = match (field("next"), field("results")) {
            (Some(next), Some(results))
                if next.ty == TypeRef::String && results.required && field("count").is_some() =>
            {
                (results, crate::ir::LastPage::NoNextLink(next.rust_name.clone()))
            }
            _ => {
                let total = field("total")
                    .or_else(|| field("count"))
                    .filter(|f| f.required && !f.nullable && matches!(f.ty, TypeRef::Int(_)))?;
                let [items] = arrays.as_slice() else { return None };
                (*items, crate::ir::LastPage::TotalReached(total.rust_name.clone()))
            }
        };
        let TypeRef::Array(item) = &results.ty else { return None };
        Some(Pagination {
            page_setter: page.rust_name.clone(),
            results_field: results.rust_name.clone(),
            last_page,
            item: (**item).clone(),
        })
    }
}
