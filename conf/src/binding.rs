//! Binding of raw properties onto typed config structs (spec/config.md §1.2).
//!
//! One mechanism serves every settings struct (MessageStoreConfig now;
//! BrokerConfig, NamesrvConfig, ControllerConfig later): a struct lists its
//! RocketMQ key names once with [`bind_properties!`](crate::bind_properties),
//! which generates an [`ApplyProperties`] impl (a table of [`Binding`]s) and
//! the inherent `from_properties_*` / `from_toml_*` / `to_properties`
//! methods. Keys are written out explicitly because RocketMQ's spellings are
//! irregular (`checkCRCOnRecover`, `destroyMapedFileIntervalForcibly`,
//! `readUnCommitted`) and cannot be derived from the snake_case field names.
//!
//! Conversion is done by [`PropertyValue`], per field type. Deliberate
//! deviations from RocketMQ's `properties2Object`, which silently keeps the
//! default on any conversion failure:
//! - a value that does not convert is a [`ConfigError::InvalidValue`] naming
//!   origin, line, key and value;
//! - every value is trimmed like Java's `String.trim()` before conversion,
//!   so `flushIntervalCommitLog=500␠` is 500 (Java: ignored) and
//!   `messageIndexEnable=true␠` is true (Java: false);
//! - booleans accept only `true`/`false` (any case); Java maps anything else
//!   (`1`, `yes`) to false;
//! - paths are taken literally (no `~` expansion, as in Java), but an empty
//!   path or one starting with `~` is rejected rather than becoming a
//!   surprising relative directory.

use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::properties::Properties;

#[cfg(test)]
mod tests;
mod toml_input;

/// A value offered to a setting: properties text or a typed TOML value.
#[derive(Debug, Clone, Copy)]
pub enum RawValue<'a> {
    Text(&'a str),
    Toml(&'a toml::Value),
}

/// The TOML type a setting expects (properties text carries no type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Bool,
    Integer,
    Float,
    String,
}

/// Conversion of one raw value to a field type, and back for config dumps.
pub trait PropertyValue: Sized {
    /// TOML type accepted for this field.
    const KIND: ValueKind;

    /// Converts properties text. `Err` describes what was expected, e.g.
    /// `an integer in 0..=4294967295`; the caller adds origin, line and key.
    fn parse_property(raw: &str) -> Result<Self, String>;

    /// Text for a `key=value` dump; `None` for an unset optional setting.
    fn format_property(&self) -> Option<String>;

    /// Converts either input form. TOML values must have the TOML type of
    /// [`Self::KIND`] (an integer may stand for a float); they are then
    /// converted through their text so range and enum checks are shared.
    fn from_raw(raw: RawValue<'_>) -> Result<Self, String> {
        match raw {
            RawValue::Text(text) => Self::parse_property(text),
            RawValue::Toml(value) => Self::parse_property(&toml_input::typed_text(value, Self::KIND)?),
        }
    }
}

/// Java's `String.trim()`: strips every char `<= ' '`, controls included.
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

impl PropertyValue for bool {
    const KIND: ValueKind = ValueKind::Bool;

    fn parse_property(raw: &str) -> Result<Self, String> {
        let raw = java_trim(raw);
        if raw.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if raw.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err("true or false".to_owned())
        }
    }

    fn format_property(&self) -> Option<String> {
        Some(self.to_string())
    }
}

macro_rules! numeric_property_value {
    ($kind:ident, $expected:literal: $($t:ty),*) => {$(
        impl PropertyValue for $t {
            const KIND: ValueKind = ValueKind::$kind;

            fn parse_property(raw: &str) -> Result<Self, String> {
                java_trim(raw).parse::<$t>().map_err(|_| format!($expected, <$t>::MIN, <$t>::MAX))
            }

            fn format_property(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}

numeric_property_value!(Integer, "an integer in {}..={}": u8, u16, u32, u64, usize, i8, i16, i32, i64);
numeric_property_value!(Float, "a number in {:e}..={:e}": f32, f64);

impl PropertyValue for String {
    const KIND: ValueKind = ValueKind::String;

    fn parse_property(raw: &str) -> Result<Self, String> {
        Ok(java_trim(raw).to_owned())
    }

    fn format_property(&self) -> Option<String> {
        Some(self.clone())
    }
}

/// Paths are taken literally: no `~` or `$VAR` expansion (RocketMQ does
/// none either). An empty path or one starting with `~` is rejected because
/// it would silently put the store in a relative directory.
impl PropertyValue for PathBuf {
    const KIND: ValueKind = ValueKind::String;

    fn parse_property(raw: &str) -> Result<Self, String> {
        match java_trim(raw) {
            "" => Err("a non-empty path".to_owned()),
            p if p.starts_with('~') => Err("a path without `~` (it is not expanded)".to_owned()),
            p => Ok(PathBuf::from(p)),
        }
    }

    fn format_property(&self) -> Option<String> {
        Some(self.to_string_lossy().into_owned())
    }
}

/// `None` is RocketMQ's `null` (a derived default); any value sets `Some`.
impl<T: PropertyValue> PropertyValue for Option<T> {
    const KIND: ValueKind = T::KIND;

    fn parse_property(raw: &str) -> Result<Self, String> {
        T::parse_property(raw).map(Some)
    }

    fn format_property(&self) -> Option<String> {
        self.as_ref().and_then(T::format_property)
    }
}

/// One key of a settings struct: how to set and read its field.
pub struct Binding<T> {
    /// RocketMQ key name, case-sensitive.
    pub key: &'static str,
    pub set: fn(&mut T, RawValue<'_>) -> Result<(), String>,
    pub get: fn(&T) -> Option<String>,
}

impl<T> std::fmt::Debug for Binding<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Binding").field("key", &self.key).finish_non_exhaustive()
    }
}

/// A key no binding of the struct knows, with its line, for logging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    pub key: String,
    pub line: usize,
}

/// A loaded config plus what a process needs besides the typed values: the
/// raw properties (for re-emission, §1.2.4) and the keys this struct ignored.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub config: T,
    pub properties: Properties,
    pub unknown_keys: Vec<UnknownKey>,
}

/// A settings struct bindable by RocketMQ key name. Implement it with
/// [`bind_properties!`](crate::bind_properties), not by hand.
pub trait ApplyProperties: Sized + 'static {
    /// Every bound key, in declaration order.
    const BINDINGS: &'static [Binding<Self>];

    fn binding(key: &str) -> Option<&'static Binding<Self>> {
        Self::BINDINGS.iter().find(|b| b.key == key)
    }

    /// Whether the key belongs to this struct. A process offering one file to
    /// several structs (§1.2.1) reports a key unknown only if none knows it.
    fn is_known_key(key: &str) -> bool {
        Self::binding(key).is_some()
    }

    /// Sets one key; `Ok(false)` if the key is unknown to this struct.
    fn apply_value(
        &mut self,
        key: &str,
        raw: RawValue<'_>,
        origin: &str,
        line: usize,
    ) -> Result<bool, ConfigError> {
        let Some(binding) = Self::binding(key) else { return Ok(false) };
        (binding.set)(self, raw).map_err(|expected| ConfigError::InvalidValue {
            origin: origin.to_owned(),
            line,
            key: key.to_owned(),
            value: match raw {
                RawValue::Text(text) => text.to_owned(),
                RawValue::Toml(value) => value.to_string(),
            },
            expected,
        })?;
        Ok(true)
    }

    /// Applies every entry in file order. Stops at the first bad value; the
    /// struct may then be partially updated, so discard it on error.
    fn apply_properties(&mut self, props: &Properties) -> Result<Vec<UnknownKey>, ConfigError> {
        let mut unknown = Vec::new();
        for e in props {
            if !self.apply_value(&e.key, RawValue::Text(&e.value), props.origin(), e.line)? {
                unknown.push(UnknownKey { key: e.key.clone(), line: e.line });
            }
        }
        Ok(unknown)
    }

    /// Applies a flat TOML table (same keys) and returns it as [`Properties`]
    /// (values in text form) together with the unknown keys.
    fn apply_toml_str(
        &mut self,
        text: &str,
        origin: &str,
    ) -> Result<(Properties, Vec<UnknownKey>), ConfigError> {
        let entries = toml_input::parse_flat(text, origin)?;
        let mut props = Properties::new(origin);
        let mut unknown = Vec::new();
        for (key, value, line) in &entries {
            if !self.apply_value(key, RawValue::Toml(value), origin, *line)? {
                unknown.push(UnknownKey { key: key.clone(), line: *line });
            }
            props.insert(key.clone(), toml_input::plain_text(value), *line);
        }
        Ok((props, unknown))
    }

    /// Every set (non-null) setting as `(key, value)`, sorted by key, as the
    /// config dump writes them (§1.2.5).
    fn to_properties(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<_> = Self::BINDINGS.iter().filter_map(|b| Some((b.key, (b.get)(self)?))).collect();
        out.sort_by_key(|(key, _)| *key);
        out
    }

    /// Defaults overlaid with `props`.
    fn load_properties(props: Properties) -> Result<Loaded<Self>, ConfigError>
    where
        Self: Default,
    {
        let mut config = Self::default();
        let unknown_keys = config.apply_properties(&props)?;
        Ok(Loaded { config, properties: props, unknown_keys })
    }

    /// Defaults overlaid with a flat TOML table.
    fn load_toml_str(text: &str, origin: &str) -> Result<Loaded<Self>, ConfigError>
    where
        Self: Default,
    {
        let mut config = Self::default();
        let (properties, unknown_keys) = config.apply_toml_str(text, origin)?;
        Ok(Loaded { config, properties, unknown_keys })
    }

    /// Reads a TOML file (UTF-8, as TOML requires) and loads it onto defaults.
    fn load_toml_file(path: &Path) -> Result<Loaded<Self>, ConfigError>
    where
        Self: Default,
    {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
        Self::load_toml_str(&text, &path.display().to_string())
    }
}

/// Declares the RocketMQ key of every bound field of a settings struct and
/// generates its [`ApplyProperties`] impl plus inherent loaders, so callers
/// need not import the trait:
///
/// ```
/// #[derive(Debug, Default)]
/// struct NamesrvConfig {
///     listen_port: u16,
///     order_message_enable: bool,
/// }
///
/// booster_conf::bind_properties!(NamesrvConfig {
///     "listenPort" => listen_port,
///     "orderMessageEnable" => order_message_enable,
/// });
///
/// let loaded = NamesrvConfig::from_properties_str("listenPort = 9876\nfoo=1", "namesrv.conf")?;
/// assert_eq!(loaded.config.listen_port, 9876);
/// assert_eq!(loaded.unknown_keys[0].key, "foo");
/// # Ok::<(), booster_conf::ConfigError>(())
/// ```
#[macro_export]
macro_rules! bind_properties {
    ($ty:ty { $($key:literal => $field:ident),* $(,)? }) => {
        impl $crate::ApplyProperties for $ty {
            const BINDINGS: &'static [$crate::Binding<Self>] = &[$(
                $crate::Binding {
                    key: $key,
                    set: |c: &mut $ty, raw: $crate::RawValue<'_>| {
                        c.$field = $crate::PropertyValue::from_raw(raw)?;
                        Ok(())
                    },
                    get: |c: &$ty| $crate::PropertyValue::format_property(&c.$field),
                },
            )*];
        }

        // Convenience API: a struct need not use every loader.
        #[allow(dead_code)]
        impl $ty {
            /// Defaults overlaid with a properties file (ISO-8859-1).
            pub fn from_properties_file(
                path: impl AsRef<::std::path::Path>,
            ) -> Result<$crate::Loaded<Self>, $crate::ConfigError> {
                <Self as $crate::ApplyProperties>::load_properties($crate::Properties::read_file(path)?)
            }

            /// Defaults overlaid with properties text; `origin` names it in errors.
            pub fn from_properties_str(text: &str, origin: &str) -> Result<$crate::Loaded<Self>, $crate::ConfigError> {
                <Self as $crate::ApplyProperties>::load_properties($crate::Properties::parse_str(text, origin)?)
            }

            /// Defaults overlaid with properties bytes (ISO-8859-1).
            pub fn from_properties_bytes(bytes: &[u8], origin: &str) -> Result<$crate::Loaded<Self>, $crate::ConfigError> {
                <Self as $crate::ApplyProperties>::load_properties($crate::Properties::parse_bytes(bytes, origin)?)
            }

            /// Defaults overlaid with a flat TOML table of the same keys.
            pub fn from_toml_str(text: &str, origin: &str) -> Result<$crate::Loaded<Self>, $crate::ConfigError> {
                <Self as $crate::ApplyProperties>::load_toml_str(text, origin)
            }

            /// Defaults overlaid with a flat TOML file of the same keys.
            pub fn from_toml_file(
                path: impl AsRef<::std::path::Path>,
            ) -> Result<$crate::Loaded<Self>, $crate::ConfigError> {
                <Self as $crate::ApplyProperties>::load_toml_file(path.as_ref())
            }

            /// Every set setting as `(key, value)`, sorted by key.
            pub fn to_properties(&self) -> Vec<(&'static str, String)> {
                <Self as $crate::ApplyProperties>::to_properties(self)
            }
        }
    };
}
