//! Client-side checks of the limits an API documents, run before a request is sent.
//! Values are never echoed (they may be secrets); only sizes and limits are.

use super::invalid::{InvalidRequest, Violation};

/// A `minimum` or `maximum`.
pub struct Bound<T> {
    pub value: T,
    pub exclusive: bool,
}

/// `minLength` / `maxLength`, counted in characters as JSON Schema does.
pub fn length(field: &str, value: &str, min: Option<u64>, max: Option<u64>) -> Result<(), InvalidRequest> {
    let actual = value.chars().count() as u64;
    if let Some(max) = max.filter(|max| actual > *max) {
        return Err(InvalidRequest::new(field, Violation::TooLong { max, actual }));
    }
    if let Some(min) = min.filter(|min| actual < *min) {
        return Err(InvalidRequest::new(field, Violation::TooShort { min, actual }));
    }
    Ok(())
}

pub fn integer(
    field: &str,
    value: i64,
    min: Option<Bound<i64>>,
    max: Option<Bound<i64>>,
) -> Result<(), InvalidRequest> {
    check_range(field, value, min, max)
}

pub fn float(field: &str, value: f64, min: Option<Bound<f64>>, max: Option<Bound<f64>>) -> Result<(), InvalidRequest> {
    check_range(field, value, min, max)
}

/// `minItems` / `maxItems`.
pub fn items(field: &str, len: usize, min: Option<u64>, max: Option<u64>) -> Result<(), InvalidRequest> {
    let actual = len as u64;
    if let Some(max) = max.filter(|max| actual > *max) {
        return Err(InvalidRequest::new(field, Violation::TooManyItems { max, actual }));
    }
    if let Some(min) = min.filter(|min| actual < *min) {
        return Err(InvalidRequest::new(field, Violation::TooFewItems { min, actual }));
    }
    Ok(())
}

fn check_range<T: PartialOrd + ToString>(
    field: &str,
    value: T,
    min: Option<Bound<T>>,
    max: Option<Bound<T>>,
) -> Result<(), InvalidRequest> {
    if let Some(min) = min {
        let broken = if min.exclusive {
            value <= min.value
        } else {
            value < min.value
        };
        if broken {
            return Err(InvalidRequest::new(
                field,
                Violation::TooSmall {
                    minimum: min.value.to_string(),
                    exclusive: min.exclusive,
                    actual: value.to_string(),
                },
            ));
        }
    }
    if let Some(max) = max {
        let broken = if max.exclusive {
            value >= max.value
        } else {
            value > max.value
        };
        if broken {
            return Err(InvalidRequest::new(
                field,
                Violation::TooLarge {
                    maximum: max.value.to_string(),
                    exclusive: max.exclusive,
                    actual: value.to_string(),
                },
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(length("t", "ééé", None, Some(3)).is_ok());
        let err = length("title", "abcd", None, Some(3)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`title` is 4 characters long; the API allows at most 3 (maxLength)"
        );
    }

    #[test]
    fn exclusive_bounds_exclude_the_bound() {
        let min = || {
            Some(Bound {
                value: 0,
                exclusive: true,
            })
        };
        assert!(integer("n", 0, min(), None).is_err());
        assert!(integer("n", 1, min(), None).is_ok());
    }
}
