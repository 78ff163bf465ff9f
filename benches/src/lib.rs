//! Code shared by the bench binaries (`store_append`, `producer_bench`,
//! `ha_bench`): argument parsing, resource accounting, the raw-disk
//! reference and the bench temp directory.

pub mod common;
