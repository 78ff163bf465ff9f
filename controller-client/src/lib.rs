//! The broker's side of controller mode (spec/controller.md §9.3, §11): the
//! replicas manager that gets a persistent broker id from the controller,
//! registers, heartbeats, follows role changes by driving `booster-ha`, and
//! proposes SyncStateSet changes on the master's behalf.
