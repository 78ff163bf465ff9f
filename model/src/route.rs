//! Route and cluster shapes the name server serves (spec/remoting.md §5.3, §5.4, §5.6).
