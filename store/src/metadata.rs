//! The broker's JSON metadata files in `<storePathRootDir>/config/`
//! (spec/store.md §11): `topics.json`, `consumerOffset.json`,
//! `subscriptionGroup.json`, `delayOffset.json`.
//!
//! [`file`] is crash-safe persistence (`.tmp` → fsync → rotate to `.bak` →
//! rename → fsync dir) and the load-with-fallback rule (main unusable → use
//! `.bak`; no usable backup → defaults; corrupt backup → refuse to start).
//! The shapes and the JSON dialect live in `booster-model`.

pub mod file;

pub use booster_model::*;
pub use file::{ConfigFile, backup_path, load, load_with, persist, temp_path};
