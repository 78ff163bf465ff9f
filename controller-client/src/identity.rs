//! The broker identity files (spec/controller.md §11.3): the identity file
//! `<cluster>#<name>#<controllerId>` at `storePathBrokerIdentity` and the
//! temp file `<identity>-temp` that adds `#<brokerAddr>;<epochMillis>` (the
//! register check code) while an id is being applied.
//!
//! Parsing and formatting are pure; writes go through a tmp file, fsync and
//! rename (Java deletes and then writes, which a crash can leave empty).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{ControllerClientError, Result};

/// What the identity file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerIdentity {
    pub cluster_name: String,
    pub broker_name: String,
    pub broker_id: i64,
}

/// What the temp file holds: the id being applied and its check code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TempIdentity {
    pub identity: BrokerIdentity,
    /// `<brokerAddr>;<epochMillis>`.
    pub register_check_code: String,
}

/// The register check code of `broker_addr` at `now_ms`.
pub fn check_code(broker_addr: &str, now_ms: i64) -> String {
    format!("{broker_addr};{now_ms}")
}

impl BrokerIdentity {
    pub fn format(&self) -> String {
        format!("{}#{}#{}", self.cluster_name, self.broker_name, self.broker_id)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('#');
        let identity = Self::from_parts(parts.next()?, parts.next()?, parts.next()?)?;
        parts.next().is_none().then_some(identity)
    }

    fn from_parts(cluster: &str, name: &str, id: &str) -> Option<Self> {
        let broker_id = id.trim().parse().ok()?;
        let named = !cluster.is_empty() && !name.is_empty();
        named.then(|| Self { cluster_name: cluster.to_owned(), broker_name: name.to_owned(), broker_id })
    }

    /// §11.2 step 2: a file written for another broker is a misconfiguration.
    pub fn check_owner(&self, cluster_name: &str, broker_name: &str) -> Result<(), String> {
        if self.cluster_name == cluster_name && self.broker_name == broker_name {
            return Ok(());
        }
        Err(format!(
            "written for {}/{}, but this broker is {cluster_name}/{broker_name}",
            self.cluster_name, self.broker_name
        ))
    }
}

impl TempIdentity {
    pub fn format(&self) -> String {
        format!("{}#{}", self.identity.format(), self.register_check_code)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(4, '#');
        let identity = BrokerIdentity::from_parts(parts.next()?, parts.next()?, parts.next()?)?;
        let register_check_code = parts.next().filter(|c| !c.is_empty())?.to_owned();
        Some(Self { identity, register_check_code })
    }
}

/// The two files of one broker.
#[derive(Debug, Clone)]
pub struct IdentityFiles {
    path: PathBuf,
    temp_path: PathBuf,
}

impl IdentityFiles {
    /// `path` = `storePathBrokerIdentity`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let mut temp = path.clone().into_os_string();
        temp.push("-temp");
        Self { path, temp_path: temp.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn temp_path(&self) -> &Path {
        &self.temp_path
    }

    pub fn load(&self) -> Result<Option<BrokerIdentity>> {
        read(&self.path, BrokerIdentity::parse)
    }

    pub fn load_temp(&self) -> Result<Option<TempIdentity>> {
        read(&self.temp_path, TempIdentity::parse)
    }

    pub fn store(&self, identity: &BrokerIdentity) -> Result<()> {
        write_atomically(&self.path, &identity.format())
    }

    pub fn store_temp(&self, temp: &TempIdentity) -> Result<()> {
        write_atomically(&self.temp_path, &temp.format())
    }

    pub fn remove_temp(&self) -> Result<()> {
        match fs::remove_file(&self.temp_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(&self.temp_path, e)),
            _ => Ok(()),
        }
    }
}

fn io_error(path: &Path, source: std::io::Error) -> ControllerClientError {
    ControllerClientError::IdentityIo { path: path.to_owned(), source }
}

/// `None` when the file does not exist; an unparsable file is an error
/// (better to stop than to take a new id and orphan the old one).
fn read<T>(path: &Path, parse: impl FnOnce(&str) -> Option<T>) -> Result<Option<T>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    parse(&text).map(Some).ok_or_else(|| ControllerClientError::IdentityInvalid {
        path: path.to_owned(),
        reason: format!("cannot parse {text:?}"),
    })
}

fn write_atomically(path: &Path, content: &str) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let mut file = fs::File::create(&tmp)?;
        file.write_all(content.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|e| io_error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(id: i64) -> BrokerIdentity {
        BrokerIdentity {
            cluster_name: "DefaultCluster".into(),
            broker_name: "broker-a".into(),
            broker_id: id,
        }
    }

    #[test]
    fn formats_match_the_spec() {
        assert_eq!(identity(2).format(), "DefaultCluster#broker-a#2");
        let temp =
            TempIdentity { identity: identity(3), register_check_code: check_code("10.0.0.1:10911", 17) };
        assert_eq!(temp.format(), "DefaultCluster#broker-a#3#10.0.0.1:10911;17");
        assert_eq!(TempIdentity::parse(&temp.format()), Some(temp));
        assert_eq!(BrokerIdentity::parse("DefaultCluster#broker-a#2\n"), Some(identity(2)));
    }

    #[test]
    fn malformed_content_does_not_parse() {
        for text in ["", "c#b", "c#b#x", "#b#1", "c##1", "c#b#1#extra"] {
            assert_eq!(BrokerIdentity::parse(text), None, "{text:?}");
        }
        for text in ["c#b#1", "c#b#1#", "c#b#x#a;1"] {
            assert_eq!(TempIdentity::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn owner_must_match_the_config() {
        assert!(identity(1).check_owner("DefaultCluster", "broker-a").is_ok());
        assert!(identity(1).check_owner("DefaultCluster", "broker-b").is_err());
        assert!(identity(1).check_owner("Other", "broker-a").is_err());
    }

    #[test]
    fn files_round_trip_and_temp_sits_beside_the_identity() {
        let dir = tempfile::tempdir().unwrap();
        let files = IdentityFiles::new(dir.path().join("sub/brokerIdentity"));
        assert_eq!(files.temp_path(), dir.path().join("sub/brokerIdentity-temp"));
        assert_eq!(files.load().unwrap(), None);
        assert_eq!(files.load_temp().unwrap(), None);
        let temp = TempIdentity { identity: identity(1), register_check_code: "a:1;5".into() };
        files.store_temp(&temp).unwrap();
        assert_eq!(files.load_temp().unwrap(), Some(temp));
        files.store(&identity(1)).unwrap();
        files.store(&identity(4)).unwrap();
        assert_eq!(files.load().unwrap(), Some(identity(4)));
        files.remove_temp().unwrap();
        files.remove_temp().unwrap();
        assert_eq!(files.load_temp().unwrap(), None);
        assert_eq!(fs::read_to_string(files.path()).unwrap(), "DefaultCluster#broker-a#4");
    }

    #[test]
    fn a_garbled_file_is_an_error_not_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let files = IdentityFiles::new(dir.path().join("brokerIdentity"));
        fs::write(files.path(), "garbage").unwrap();
        assert!(matches!(files.load(), Err(ControllerClientError::IdentityInvalid { .. })));
    }
}
