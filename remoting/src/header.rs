//! Typed custom headers <-> `extFields` (spec/remoting.md §2.5). Decoding is
//! as tolerant as Java: numbers and booleans arrive as text, booleans are
//! "equals ignore case true", optional fields may be missing or malformed.
//! A missing or unparseable required field is a `HeaderError` naming it.

use crate::command::ExtFields;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("the request lacks the required field {0}")]
    Missing(&'static str),
    #[error("field {field} has an unparseable value {value:?}")]
    Invalid { field: &'static str, value: String },
}

/// A typed header that travels as `extFields`.
pub trait CommandHeader: Sized {
    fn decode(fields: &ExtFields) -> Result<Self, HeaderError>;
    fn encode(&self) -> ExtFields;

    /// Decodes from a command's extFields (absent extFields = no fields).
    fn from_command(cmd: &crate::RemotingCommand) -> Result<Self, HeaderError> {
        Self::decode(cmd.ext_fields.as_ref().unwrap_or(&ExtFields::new()))
    }
}

/// One header field's type: how it reads from and writes to text.
pub trait HeaderValue: Sized {
    fn from_field(raw: Option<&str>, key: &'static str) -> Result<Self, HeaderError>;
    fn to_field(&self) -> Option<String>;
}

impl HeaderValue for String {
    fn from_field(raw: Option<&str>, key: &'static str) -> Result<Self, HeaderError> {
        raw.map(str::to_owned).ok_or(HeaderError::Missing(key))
    }
    fn to_field(&self) -> Option<String> {
        Some(self.clone())
    }
}

impl HeaderValue for bool {
    fn from_field(raw: Option<&str>, key: &'static str) -> Result<Self, HeaderError> {
        raw.map(|v| v.trim().eq_ignore_ascii_case("true")).ok_or(HeaderError::Missing(key))
    }
    fn to_field(&self) -> Option<String> {
        Some(self.to_string())
    }
}

macro_rules! numeric_header_value {
    ($($t:ty),*) => {$(
        impl HeaderValue for $t {
            fn from_field(raw: Option<&str>, key: &'static str) -> Result<Self, HeaderError> {
                let raw = raw.ok_or(HeaderError::Missing(key))?;
                raw.trim().parse().map_err(|_| HeaderError::Invalid { field: key, value: raw.to_owned() })
            }
            fn to_field(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
numeric_header_value!(i32, i64);

/// Optional fields: missing or malformed reads as `None`; `None` is omitted.
impl<T: HeaderValue> HeaderValue for Option<T> {
    fn from_field(raw: Option<&str>, key: &'static str) -> Result<Self, HeaderError> {
        Ok(raw.and_then(|r| T::from_field(Some(r), key).ok()))
    }
    fn to_field(&self) -> Option<String> {
        self.as_ref().and_then(T::to_field)
    }
}

/// Declares a header struct with one `"wireName" => field: Type` per field.
#[macro_export]
macro_rules! command_header {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* $key:literal => $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name { $($(#[$fmeta])* pub $field: $ty),* }

        impl $crate::header::CommandHeader for $name {
            fn decode(fields: &$crate::ExtFields) -> Result<Self, $crate::header::HeaderError> {
                Ok(Self {
                    $($field: $crate::header::HeaderValue::from_field(fields.get($key).map(String::as_str), $key)?),*
                })
            }

            fn encode(&self) -> $crate::ExtFields {
                let mut fields = $crate::ExtFields::new();
                $(if let Some(v) = $crate::header::HeaderValue::to_field(&self.$field) {
                    fields.insert($key.to_owned(), v);
                })*
                fields
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    command_header! {
        /// A header exercising every field type.
        pub struct Demo {
            "topic" => topic: String,
            "queueId" => queue_id: i32,
            "offset" => offset: i64,
            "suspend" => suspend: bool,
            "tags" => tags: Option<String>,
            "sysFlag" => sys_flag: Option<i32>,
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> ExtFields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn decodes_tolerantly_and_encodes_strictly() {
        let d = Demo::decode(&fields(&[
            ("topic", "T"),
            ("queueId", " 3 "),
            ("offset", "-1"),
            ("suspend", "TRUE"),
            ("sysFlag", "oops"),
            ("extra", "ignored"),
        ]))
        .unwrap();
        assert_eq!(
            d,
            Demo { topic: "T".into(), queue_id: 3, offset: -1, suspend: true, tags: None, sys_flag: None }
        );
        let back = d.encode();
        assert_eq!(back, fields(&[("topic", "T"), ("queueId", "3"), ("offset", "-1"), ("suspend", "true")]));
        assert_eq!(Demo::decode(&back).unwrap(), d);
    }

    #[test]
    fn required_fields_are_named_in_errors() {
        let err = Demo::decode(&fields(&[("topic", "T"), ("offset", "1"), ("suspend", "x")])).unwrap_err();
        assert_eq!(err, HeaderError::Missing("queueId"));
        let err =
            Demo::decode(&fields(&[("topic", "T"), ("queueId", "x"), ("offset", "1"), ("suspend", "1")]))
                .unwrap_err();
        assert_eq!(err.to_string(), r#"field queueId has an unparseable value "x""#);
        let d = Demo::decode(&fields(&[("topic", "T"), ("queueId", "1"), ("offset", "1"), ("suspend", "1")]))
            .unwrap();
        assert!(!d.suspend, "anything but true is false, as in Java");
    }
}
