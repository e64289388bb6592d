//! The requests an API sends to its users (webhooks, callbacks): their bodies decoded
//! into the documented payload types. Free of HTTP: any server framework hands over
//! the raw body.

use std::fmt;

use super::support::elide_quoted;

/// A webhook's body that did not decode into its documented payload type.
///
/// Says where and what, never the body's values (they may be secrets).
#[derive(Debug)]
pub struct WebhookError {
    webhook: &'static str,
    line: usize,
    column: usize,
    message: String,
}

impl WebhookError {
    /// The webhook's name in the description (`newPet`, or `operationId.callback`).
    pub fn webhook(&self) -> &str {
        self.webhook
    }

    /// Where in the body decoding stopped: line and column, from 1.
    pub fn position(&self) -> (usize, usize) {
        (self.line, self.column)
    }

    /// What was wrong there.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the body of a `{}` request does not decode at line {}, column {}: {}",
            self.webhook, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for WebhookError {}

/// Decodes the raw body of a request the API sent as webhook `webhook`.
#[doc(hidden)]
pub fn parse_webhook<T: serde::de::DeserializeOwned>(webhook: &'static str, body: &[u8]) -> Result<T, WebhookError> {
    serde_json::from_slice(body).map_err(|err| {
        let message = err.to_string();
        // serde_json ends its message with the position, which is kept apart.
        let message = match message.rfind(" at line ") {
            Some(at) => &message[..at],
            None => &message,
        };
        WebhookError {
            webhook,
            line: err.line(),
            column: err.column(),
            message: elide_quoted(message),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Pet {
        #[allow(dead_code)]
        id: i64,
    }

    #[test]
    fn a_body_that_fits_decodes() {
        let pet: Pet = parse_webhook("newPet", br#"{"id": 7}"#).unwrap();
        assert_eq!(pet.id, 7);
    }

    #[test]
    fn a_body_that_does_not_fit_names_the_webhook_and_position_but_no_value() {
        let err = parse_webhook::<Pet>("newPet", b"{\n  \"id\": \"s3cr3t\"\n}").unwrap_err();
        assert_eq!(err.webhook(), "newPet");
        assert_eq!(err.position().0, 2);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("invalid type: string"), "{shown}");
    }
}
