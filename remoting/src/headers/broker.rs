//! Headers of the broker requests (spec/remoting.md §4.2–§4.8).
