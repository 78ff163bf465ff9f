//! Headers of the name server requests (spec/remoting.md §4.9).
