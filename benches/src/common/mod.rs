//! Helpers shared by the bench binaries.

pub mod args;
pub mod raw_disk;
pub mod resources;
pub mod tmpdir;
