//! `ConfigError`: everything that can go wrong while loading a config file.
//!
//! Every variant that concerns file content carries the origin (usually the
//! file path) and the 1-based line number, so an operator can go straight to
//! the offending line. This is a deliberate deviation from RocketMQ, which
//! silently ignores values it cannot convert (spec/config.md §1.2).

use std::path::PathBuf;

/// Error raised while reading, parsing or binding a configuration file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read (missing, permissions, not UTF-8 for TOML).
    #[error("cannot read config file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Lexical error in a properties file (malformed `\uXXXX` escape, unpaired
    /// UTF-16 surrogate) or a structural error in a TOML file (nested table).
    #[error("{origin}:{line}: {message}")]
    Syntax { origin: String, line: usize, message: String },

    /// The TOML text does not parse; the TOML error carries its own position.
    #[error("{origin}: invalid TOML: {source}")]
    Toml {
        origin: String,
        #[source]
        source: toml::de::Error,
    },

    /// A known key has a value that does not convert to the setting's type.
    /// `value` is the raw text (for TOML: the TOML literal).
    #[error("{origin}:{line}: invalid value {value:?} for key `{key}`: expected {expected}")]
    InvalidValue { origin: String, line: usize, key: String, value: String, expected: String },
}

impl ConfigError {
    /// The 1-based line the error refers to, when it refers to one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Syntax { line, .. } | Self::InvalidValue { line, .. } => Some(*line),
            Self::Io { .. } | Self::Toml { .. } => None,
        }
    }
}
