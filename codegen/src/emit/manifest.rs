//! The generated crate's `Cargo.toml`: only the dependencies its code uses (with its
//! runtime's, unless it depends on `openapi-typed-runtime`).

use std::collections::BTreeSet;

use super::file::{OutputFile, header};
use crate::ir::{Api, TypeRef};

pub fn cargo_toml(api: &Api) -> OutputFile {
    let krate = &api.krate;
    let description = krate.description.clone().unwrap_or_else(|| match krate.types_only {
        true => format!("Types of {}", api.title),
        false => format!("Typed client for {}", api.title),
    });
    let mut text = header("#", &krate.source);
    text.push_str(&format!(
        "[package]\nname = {}\nversion = {}\ndescription = {}\nedition = \"2024\"\npublish = false\n\n",
        toml_string(&krate.name),
        toml_string(&krate.version),
        toml_string(&description),
    ));
    text.push_str("[dependencies]\n");
    if api.krate.types_only {
        // Models alone: serde, and chrono for dates.
        if uses_dates(api) {
            text.push_str(CHRONO);
        }
        text.push_str("serde = { version = \"1\", features = [\"derive\"] }\n");
        text.push_str("serde_json = \"1\"\n");
        text.push_str(FEATURES);
        return OutputFile {
            path: "Cargo.toml".to_owned(),
            contents: text,
        };
    }
    if let Some(runtime) = &api.krate.runtime {
        text.push_str(&runtime_manifest(api, runtime));
        return OutputFile {
            path: "Cargo.toml".to_owned(),
            contents: text,
        };
    }
    text.push_str("base64 = \"0.22\"\n");
    text.push_str("bytes = \"1\"\n");
    if uses_dates(api) {
        text.push_str(CHRONO);
    }
    // Streams (events, page walks) are futures-util's; reqwest builds it anyway.
    text.push_str("futures-util = { version = \"0.3\", default-features = false, features = [\"std\"] }\n");
    // Already in every build through reqwest: the body that reads uploads as it sends them.
    text.push_str("http-body = \"1\"\n");
    text.push_str("httpdate = \"1\"\n");
    text.push_str("percent-encoding = \"2\"\n");
    text.push_str("pin-project-lite = \"0.2\"\n");
    text.push_str("reqwest = { version = \"0.12\", default-features = false, features = [\"rustls-tls\"] }\n");
    text.push_str("serde = { version = \"1\", features = [\"derive\"] }\n");
    // Objects spread over parameters keep their properties' order.
    text.push_str("serde_json = { version = \"1\", features = [\"preserve_order\"] }\n");
    text.push_str("serde_path_to_error = \"0.1\"\n");
    text.push_str("thiserror = \"2\"\n");
    // `fs` and `io-util`: downloads saved to a file, uploads read from one, as they go.
    text.push_str(
        "tokio = { version = \"1\", default-features = false, features = [\"fs\", \"io-util\", \"sync\", \"time\"] }\n",
    );
    text.push_str(TRACING);
    text.push_str("wiremock = { version = \"0.6\", optional = true }\n");
    text.push_str(FEATURES);
    text.push_str(CLIENT_FEATURES);
    text.push_str("blocking = [\"tokio/rt\"]\n");
    text.push_str(MOCK);
    text.push_str("mock = [\"roundtrip\", \"dep:wiremock\"]\n");
    text.push_str(&group_features(api));
    OutputFile {
        path: "Cargo.toml".to_owned(),
        contents: text,
    }
}

/// Dependencies and features of a client depending on `openapi-typed-runtime`: only what the
/// generated code names itself; the runtime brings its own (and the TLS choice).
fn runtime_manifest(api: &Api, runtime: &[(&'static str, String)]) -> String {
    let mut text = String::new();
    if uses_dates(api) {
        text.push_str(CHRONO);
    }
    let spec: Vec<String> = runtime
        .iter()
        .map(|(key, value)| format!("{key} = {}", toml_string(value)))
        .collect();
    if api.operations.iter().any(|op| op.pagination.is_some()) {
        text.push_str("futures-util = { version = \"0.3\", default-features = false, features = [\"std\"] }\n");
    }
    text.push_str(&format!("openapi-typed-runtime = {{ {} }}\n", spec.join(", ")));
    text.push_str("reqwest = { version = \"0.12\", default-features = false }\n");
    text.push_str("serde = { version = \"1\", features = [\"derive\"] }\n");
    text.push_str("serde_json = \"1\"\n");
    text.push_str(FEATURES);
    text.push_str("# A span per call and events for retries and token renewals (never credentials or bodies).\n");
    text.push_str("tracing = [\"openapi-typed-runtime/tracing\"]\n");
    text.push_str("# `send_blocking()` on every builder, for programs without an async runtime.\n");
    text.push_str("blocking = [\"openapi-typed-runtime/blocking\"]\n");
    text.push_str(MOCK);
    text.push_str("mock = [\"roundtrip\", \"openapi-typed-runtime/mock\"]\n");
    text.push_str(&group_features(api));
    text
}

/// With `[crate] group_features`: a feature per top-level group, all on by default.
fn group_features(api: &Api) -> String {
    if !api.krate.group_features {
        return String::new();
    }
    let groups: BTreeSet<&str> = api.operations.iter().map(|op| op.group[0].as_str()).collect();
    let quoted: Vec<String> = groups.iter().map(|g| toml_string(g)).collect();
    let mut text = String::from(
        "# Each group of calls behind a feature, all on by default: with `default-features = false`\n\
         # and the groups you call, only those and the types they need are compiled.\n",
    );
    text.push_str(&format!("default = [{}]\n", quoted.join(", ")));
    for group in groups {
        text.push_str(&format!("{group} = []\n"));
    }
    text
}

const CHRONO: &str = "chrono = { version = \"0.4\", default-features = false, features = [\"std\", \"serde\"] }\n";

const FEATURES: &str = "\n[features]\n\
# Also derive Serialize on types only received and Deserialize on types only sent\n\
# (to store or replay values); off by default to keep the crate quick to build.\n\
roundtrip = []\n";

const MOCK: &str = "# `mock::MockServer` and each builder's `returns`/`fails`: typed mocks for tests of code\n\
# calling this client, on a local wiremock server.\n";

const TRACING: &str =
    "tracing = { version = \"0.1\", default-features = false, features = [\"std\"], optional = true }\n";

const CLIENT_FEATURES: &str = "# A span per call and events for retries and token renewals (never credentials or bodies).\n\
tracing = [\"dep:tracing\"]\n\
# `send_blocking()` on every builder, for programs without an async runtime.\n";

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn uses_dates(api: &Api) -> bool {
    let is_date = |ty: &TypeRef| matches!(ty.innermost(), TypeRef::DateTime | TypeRef::Date);
    let in_types = api.types.iter().any(|t| t.kind.refs().any(|(_, ty)| is_date(ty)));
    let in_params = api.operations.iter().flat_map(|op| op.params()).any(|p| is_date(&p.ty));
    in_types || in_params
}
