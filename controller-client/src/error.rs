//! The controller client's typed errors.

use std::path::PathBuf;

use booster_ha::HaError;
use booster_remoting::{ConnectionError, HeaderError};

#[derive(Debug, thiserror::Error)]
pub enum ControllerClientError {
    #[error("no controller leader known (controllerAddr {0:?})")]
    NoLeader(String),
    #[error("controller {addr}: {source}")]
    Transport {
        addr: String,
        #[source]
        source: ConnectionError,
    },
    /// The controller answered with a code other than SUCCESS.
    #[error("controller {addr} answered code {code}: {remark}")]
    Refused { addr: String, code: i32, remark: String },
    #[error("controller {addr}: bad response: {what}")]
    BadResponse { addr: String, what: String },
    #[error("broker identity file {path}: {source}")]
    IdentityIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file that does not parse, or one written for another broker
    /// (misconfiguration: registration fails for good, §11.2 step 2).
    #[error("broker identity file {path}: {reason}")]
    IdentityInvalid { path: PathBuf, reason: String },
    #[error(transparent)]
    Ha(#[from] HaError),
}

impl ControllerClientError {
    /// The controller's response code, when it answered with one.
    pub fn code(&self) -> Option<i32> {
        match self {
            Self::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }

    pub(crate) fn bad_header(addr: &str, e: HeaderError) -> Self {
        Self::BadResponse { addr: addr.to_owned(), what: e.to_string() }
    }
}

pub type Result<T, E = ControllerClientError> = std::result::Result<T, E>;
