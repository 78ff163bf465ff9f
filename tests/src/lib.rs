//! End-to-end and compatibility tests; no product code.
