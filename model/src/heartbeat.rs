//! Client heartbeat shapes (spec/remoting.md §5.2, §4.4).
