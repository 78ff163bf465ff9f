//! `BrokerConfig` (spec/config.md §3.1, §3.4–§3.7). Placeholder until the broker lands.
