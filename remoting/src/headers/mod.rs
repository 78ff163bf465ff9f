//! Typed request and response headers, one file per request family.

pub mod broker;
pub mod controller;
pub mod namesrv;
