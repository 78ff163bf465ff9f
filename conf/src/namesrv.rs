//! `NamesrvConfig` (spec/config.md §4). Placeholder until the name server lands.
