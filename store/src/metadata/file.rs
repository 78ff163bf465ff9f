//! Crash-safe metadata files (spec/store.md §11.1).
//!
//! Writing `<name>` goes through `<name>.tmp` and keeps the previous version
//! as `<name>.bak`:
//!
//! 1. write `<name>.tmp` and fsync it — the new content is durable before
//!    anything visible changes;
//! 2. rename `<name>` → `<name>.bak` (if present);
//! 3. rename `<name>.tmp` → `<name>`;
//! 4. fsync the directory so both renames are durable.
//!
//! Renames are atomic, so at every instant at least one of `<name>` and
//! `<name>.bak` holds a complete version: before step 2 both do, between 2
//! and 3 `.bak` does, after 3 `<name>` does. A crash leaves at worst a stale
//! `.tmp`, which loading ignores and the next write replaces.
//!
//! Loading prefers `<name>` and falls back to `<name>.bak` when `<name>` is
//! missing, empty or does not parse; see [`load_with`].

#[cfg(test)]
mod tests;

use std::convert::Infallible;
use std::ffi::OsString;
use std::fmt::Display;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{IoContext, Result, StoreError};
use booster_model::json::{from_rocketmq_json, try_to_rocketmq_json};

/// `<path>.bak`: the previous version, kept by [`persist`].
pub fn backup_path(path: impl AsRef<Path>) -> PathBuf {
    with_suffix(path.as_ref(), ".bak")
}

/// `<path>.tmp`: the version being written by [`persist`].
pub fn temp_path(path: impl AsRef<Path>) -> PathBuf {
    with_suffix(path.as_ref(), ".tmp")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Atomically replaces `path` with `content`, keeping the old version as
/// `<path>.bak` (module docs give the steps). Creates the directory if
/// needed. Two writers of the same file must not run concurrently (they
/// would share `<path>.tmp`); [`ConfigFile`] serializes its writers.
pub fn persist(path: impl AsRef<Path>, content: &str) -> Result<()> {
    let path = path.as_ref();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).ctx("create directory", dir)?;

    let tmp = temp_path(path);
    if let Err(e) = write_synced(&tmp, content) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    let bak = backup_path(path);
    match fs::rename(path, &bak) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {} // first write
        Err(e) => return Err(e).ctx("rename to backup", path),
    }
    fs::rename(&tmp, path).ctx("rename into place", &tmp)?;
    File::open(dir).and_then(|d| d.sync_all()).ctx("fsync directory", dir)
}

fn write_synced(path: &Path, content: &str) -> Result<()> {
    let mut file = File::create(path).ctx("create", path)?;
    file.write_all(content.as_bytes()).ctx("write", path)?;
    file.sync_all().ctx("fsync", path)
}

/// Loads the text of `path` (or of its backup), checking only that it is
/// present and non-empty. `Ok(None)`: neither holds anything — start with
/// defaults. Prefer [`load_with`], which also falls back when the main file
/// does not parse.
pub fn load(path: impl AsRef<Path>) -> Result<Option<String>> {
    load_with(path, |text| Ok::<_, Infallible>(text.to_owned()))
}

/// Loads `path` with `parse`, per spec/store.md §11.1 rule 2:
///
/// * `<path>` parses → its value;
/// * `<path>` missing, empty (only whitespace/NUL bytes), not UTF-8 or
///   rejected by `parse` → a warning naming the file and reason, then
///   `<path>.bak` is tried, and an unusable `<path>` is deleted so that the
///   next [`persist`] does not rotate it over the good backup;
/// * backup missing or empty → `Ok(None)` (defaults);
/// * backup present but unparseable → [`StoreError::BadMetadata`] naming the
///   backup; nothing is deleted, so an operator can repair either file.
///
/// Errors reading a file that exists (permissions, I/O) are
/// [`StoreError::Io`]: falling back silently to an older version would lose
/// updates. A stale `<path>.tmp` is never read.
pub fn load_with<T, E: Display>(
    path: impl AsRef<Path>,
    mut parse: impl FnMut(&str) -> Result<T, E>,
) -> Result<Option<T>> {
    let path = path.as_ref();
    let (reason, main_exists) = match read_text(path)? {
        Text::Content(text) => match parse(&text) {
            Ok(value) => return Ok(Some(value)),
            Err(e) => (format!("unparseable: {e}"), true),
        },
        Text::Missing => ("missing".to_owned(), false),
        Text::Empty => ("empty".to_owned(), true),
        Text::NotUtf8(e) => (format!("not UTF-8: {e}"), true),
    };
    let bak = backup_path(path);
    tracing::warn!(file = %path.display(), %reason, backup = %bak.display(), "metadata file unusable, loading its backup");

    let value = match read_text(&bak)? {
        Text::Content(text) => match parse(&text) {
            Ok(value) => Some(value),
            Err(e) => return Err(bad_backup(&bak, format!("backup unparseable: {e}"))),
        },
        Text::NotUtf8(e) => return Err(bad_backup(&bak, format!("backup not UTF-8: {e}"))),
        Text::Missing | Text::Empty => {
            tracing::warn!(file = %bak.display(), "metadata backup missing or empty, starting with defaults");
            None
        }
    };
    if main_exists {
        match fs::remove_file(path) {
            Ok(()) => tracing::warn!(file = %path.display(), "deleted unusable metadata file"),
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "cannot delete unusable metadata file")
            }
        }
    }
    Ok(value)
}

fn bad_backup(bak: &Path, reason: String) -> StoreError {
    StoreError::BadMetadata { path: bak.to_path_buf(), reason }
}

enum Text {
    Content(String),
    Missing,
    Empty,
    NotUtf8(std::string::FromUtf8Error),
}

fn read_text(path: &Path) -> Result<Text> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Text::Missing),
        Err(e) => return Err(e).ctx("read", path),
    };
    // A file of NULs is what some filesystems leave after a crash that lost
    // the data but kept the size; treat it like an empty file.
    if bytes.iter().all(|&b| b == 0 || b.is_ascii_whitespace()) {
        return Ok(Text::Empty);
    }
    Ok(String::from_utf8(bytes).map_or_else(Text::NotUtf8, Text::Content))
}

/// One metadata file (e.g. `config/topics.json`), with typed helpers and a
/// lock that keeps concurrent `persist` calls (a flush timer and a shutdown
/// flush, say) from interleaving on the shared `.tmp`.
#[derive(Debug)]
pub struct ConfigFile {
    path: PathBuf,
    write_lock: Mutex<()>,
}

impl ConfigFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        ConfigFile { path: path.into(), write_lock: Mutex::new(()) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn backup_path(&self) -> PathBuf {
        backup_path(&self.path)
    }

    pub fn temp_path(&self) -> PathBuf {
        temp_path(&self.path)
    }

    /// [`persist`] under this file's write lock.
    pub fn persist(&self, content: &str) -> Result<()> {
        let _guard = self.write_lock.lock();
        persist(&self.path, content)
    }

    /// Writes `value` as pretty RocketMQ JSON (tabs, bare integer keys).
    pub fn persist_json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = try_to_rocketmq_json(value, true).map_err(|e| StoreError::BadMetadata {
            path: self.path.clone(),
            reason: format!("cannot serialize: {e}"),
        })?;
        self.persist(&text)
    }

    /// [`load`]: the raw text of the file or its backup.
    pub fn load(&self) -> Result<Option<String>> {
        load(&self.path)
    }

    /// [`load_with`] on this file.
    pub fn load_with<T, E: Display>(&self, parse: impl FnMut(&str) -> Result<T, E>) -> Result<Option<T>> {
        load_with(&self.path, parse)
    }

    /// [`load_with`] parsing RocketMQ JSON into `T`; `Ok(None)` means "no
    /// usable file or backup: use defaults".
    pub fn load_json<T: DeserializeOwned>(&self) -> Result<Option<T>> {
        load_with(&self.path, from_rocketmq_json::<T>)
    }
}
