//! The broker's side of controller mode (spec/controller.md §9.3, §11): the
//! replicas manager that gets a persistent broker id from the controller,
//! registers, heartbeats, follows role changes by driving `booster-ha`, and
//! proposes SyncStateSet changes on the master's behalf.
//!
//! Pure cores, tested with explicit time: [`identity`] (the identity files'
//! format), [`registration`] (the registration state machine), [`role`]
//! (the role-decision rules), [`leader`] (leader discovery). Thin shells:
//! [`api`] (one typed call per controller request), [`proposer`]
//! (CONTROLLER_ALTER_SYNC_STATE_SET for the HA engine) and [`manager`]
//! (start-up, loops, role changes). The broker plugs in through
//! [`BrokerRoleHooks`]; this crate does not depend on it.

pub mod api;
mod clock;
pub mod error;
pub mod hooks;
pub mod identity;
pub mod leader;
pub mod manager;
pub mod proposer;
pub mod registration;
pub mod role;

pub use api::{BrokerNames, ControllerApi};
pub use error::ControllerClientError;
pub use hooks::{BrokerRoleHooks, RoleChange};
pub use manager::{ControllerLink, ReplicasManager, ReplicasManagerConfig};
pub use proposer::ControllerProposer;
pub use role::{ControllerView, RoleAction, RoleState};
