//! What the broker does around a role change (spec/controller.md §11.5
//! steps 4–8), behind a trait so this crate does not depend on the broker:
//! the name-server broker id (0 while master, the controller id while
//! slave), unfencing, master-only services, slave metadata sync and
//! re-registration with the name servers.

/// A role change the replicas manager carried out in the HA engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange {
    /// This broker's controller id.
    pub controller_id: i64,
    pub master_epoch: i32,
    pub master_broker_id: i64,
    /// The master's remoting address (this broker's own when master).
    pub master_address: String,
}

/// Called under the replicas manager's role lock, after the HA engine took
/// the role: keep it quick (spawn anything slow).
pub trait BrokerRoleHooks: Send + Sync + 'static {
    /// changeToMaster: writes are accepted from now on.
    fn became_master(&self, change: &RoleChange);
    /// changeToSlave, also with the same master and a newer epoch (then the
    /// HA connection is kept and only the epoch and address are new).
    fn became_slave(&self, change: &RoleChange);
}
