//! The role-decision rules (spec/controller.md §11.5, §11.6): given what
//! the controller says and what this broker last did, what to do. Pure;
//! the shell carries the [`RoleAction`] out under its role lock and then
//! [`RoleState::commit`]s it.

use std::collections::BTreeSet;

/// The controller's view of a broker set, from NOTIFY_BROKER_ROLE_CHANGED,
/// ELECT_MASTER, REGISTER_BROKER or GET_REPLICA_INFO.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ControllerView {
    pub master_broker_id: Option<i64>,
    pub master_address: Option<String>,
    pub master_epoch: i32,
    pub sync_state_set: BTreeSet<i64>,
    pub sync_state_set_epoch: i32,
}

impl ControllerView {
    /// The master, if the view names one (id ≥ 0 and a non-empty address).
    fn master(&self) -> Option<(i64, &str)> {
        let id = self.master_broker_id.filter(|id| *id >= 0)?;
        let addr = self.master_address.as_deref().map(str::trim).filter(|a| !a.is_empty())?;
        Some((id, addr))
    }
}

/// What a role change asks of the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleAction {
    Nothing,
    /// changeToMaster (§11.5 steps 3–8).
    BecomeMaster {
        master_epoch: i32,
        sync_state_set: BTreeSet<i64>,
        sync_state_set_epoch: i32,
    },
    /// changeToMaster when this broker already is master (§11.5 step 2).
    StayMaster {
        master_epoch: i32,
        sync_state_set: BTreeSet<i64>,
        sync_state_set_epoch: i32,
    },
    /// changeToSlave (§11.5).
    BecomeSlave {
        master_broker_id: i64,
        master_address: String,
        master_epoch: i32,
    },
    /// changeToSlave with the same master: record the epoch; the address
    /// is updated if it changed (P-C17).
    FollowSameMaster {
        master_broker_id: i64,
        master_address: String,
        master_epoch: i32,
    },
    /// Same masterEpoch, this broker master: a newer SyncStateSet (how a
    /// lost ALTER answer is repaired, §11.6).
    ApplySyncStateSet {
        sync_state_set: BTreeSet<i64>,
        sync_state_set_epoch: i32,
    },
    /// A newer epoch without a master: ask for an election.
    Elect,
}

/// This broker's side: what it last acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleState {
    pub own_id: i64,
    /// Starts at 0: the controller's first master has epoch 1.
    pub master_epoch: i32,
    pub master_broker_id: Option<i64>,
    pub master_address: Option<String>,
    pub is_master: bool,
}

impl RoleState {
    /// `own_id` ≤ 0: not known yet (see [`RoleState::decide_change`]).
    pub fn new(own_id: i64) -> Self {
        Self { own_id, master_epoch: 0, master_broker_id: None, master_address: None, is_master: false }
    }

    /// changeBrokerRole (NOTIFY, ELECT and REGISTER answers): only a named
    /// master with a newer epoch changes anything, and only once this
    /// broker knows its own id (a NOTIFY may arrive before registration).
    pub fn decide_change(&self, view: &ControllerView) -> RoleAction {
        let Some((master_id, addr)) = view.master() else { return RoleAction::Nothing };
        if view.master_epoch <= self.master_epoch || self.own_id <= 0 {
            return RoleAction::Nothing;
        }
        let (master_epoch, master_address) = (view.master_epoch, addr.to_owned());
        if master_id == self.own_id {
            let (sync_state_set, sync_state_set_epoch) =
                (view.sync_state_set.clone(), view.sync_state_set_epoch);
            if self.is_master && self.master_broker_id == Some(self.own_id) {
                RoleAction::StayMaster { master_epoch, sync_state_set, sync_state_set_epoch }
            } else {
                RoleAction::BecomeMaster { master_epoch, sync_state_set, sync_state_set_epoch }
            }
        } else if !self.is_master && self.master_broker_id == Some(master_id) {
            RoleAction::FollowSameMaster { master_broker_id: master_id, master_address, master_epoch }
        } else {
            RoleAction::BecomeSlave { master_broker_id: master_id, master_address, master_epoch }
        }
    }

    /// The replica-info poll (§11.6); `local_sync_state_set_epoch` is the
    /// epoch of the set this broker applied last (when master).
    pub fn decide_poll(&self, view: &ControllerView, local_sync_state_set_epoch: i32) -> RoleAction {
        if view.master_epoch > self.master_epoch {
            return match view.master() {
                Some(_) => self.decide_change(view),
                None => RoleAction::Elect,
            };
        }
        let newer_set = view.sync_state_set_epoch > local_sync_state_set_epoch;
        if view.master_epoch == self.master_epoch && self.is_master && newer_set {
            return RoleAction::ApplySyncStateSet {
                sync_state_set: view.sync_state_set.clone(),
                sync_state_set_epoch: view.sync_state_set_epoch,
            };
        }
        RoleAction::Nothing
    }

    /// Records an action the shell carried out.
    pub fn commit(&mut self, action: &RoleAction) {
        match action {
            RoleAction::BecomeMaster { master_epoch, .. } | RoleAction::StayMaster { master_epoch, .. } => {
                self.master_epoch = *master_epoch;
                self.master_broker_id = Some(self.own_id);
                self.master_address = None;
                self.is_master = true;
            }
            RoleAction::BecomeSlave { master_broker_id, master_address, master_epoch }
            | RoleAction::FollowSameMaster { master_broker_id, master_address, master_epoch } => {
                self.master_epoch = *master_epoch;
                self.master_broker_id = Some(*master_broker_id);
                self.master_address = Some(master_address.clone());
                self.is_master = false;
            }
            RoleAction::Nothing | RoleAction::ApplySyncStateSet { .. } | RoleAction::Elect => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(master: Option<i64>, epoch: i32, set: &[i64], sse: i32) -> ControllerView {
        ControllerView {
            master_broker_id: master,
            master_address: master.map(|id| format!("10.0.0.{id}:10911")),
            master_epoch: epoch,
            sync_state_set: set.iter().copied().collect(),
            sync_state_set_epoch: sse,
        }
    }

    fn applied(state: &mut RoleState, v: &ControllerView) -> RoleAction {
        let action = state.decide_change(v);
        state.commit(&action);
        action
    }

    #[test]
    fn own_id_means_master_other_id_means_slave() {
        let s = RoleState::new(1);
        assert!(matches!(
            s.decide_change(&view(Some(1), 1, &[1], 1)),
            RoleAction::BecomeMaster { master_epoch: 1, sync_state_set_epoch: 1, .. }
        ));
        assert_eq!(
            s.decide_change(&view(Some(2), 1, &[2], 1)),
            RoleAction::BecomeSlave {
                master_broker_id: 2,
                master_address: "10.0.0.2:10911".into(),
                master_epoch: 1
            }
        );
    }

    #[test]
    fn only_a_newer_epoch_with_a_named_master_acts() {
        let mut s = RoleState::new(1);
        applied(&mut s, &view(Some(2), 3, &[2], 1));
        assert_eq!(s.decide_change(&view(Some(1), 3, &[1], 2)), RoleAction::Nothing);
        assert_eq!(s.decide_change(&view(Some(1), 2, &[1], 2)), RoleAction::Nothing);
        assert_eq!(s.decide_change(&view(None, 9, &[], 2)), RoleAction::Nothing);
        let mut no_addr = view(Some(1), 9, &[1], 2);
        no_addr.master_address = Some(" ".into());
        assert_eq!(s.decide_change(&no_addr), RoleAction::Nothing);
        assert!(matches!(s.decide_change(&view(Some(1), 4, &[1], 2)), RoleAction::BecomeMaster { .. }));
        assert_eq!(RoleState::new(-1).decide_change(&view(Some(1), 4, &[1], 2)), RoleAction::Nothing);
    }

    #[test]
    fn re_elected_master_stays_master_and_same_master_is_followed_in_place() {
        let mut s = RoleState::new(1);
        applied(&mut s, &view(Some(1), 1, &[1], 1));
        assert!(matches!(
            applied(&mut s, &view(Some(1), 2, &[1], 2)),
            RoleAction::StayMaster { master_epoch: 2, .. }
        ));
        assert!(s.is_master);
        let mut slave = RoleState::new(2);
        applied(&mut slave, &view(Some(1), 1, &[1], 1));
        let mut moved = view(Some(1), 2, &[1], 1);
        moved.master_address = Some("10.0.0.9:10911".into());
        assert_eq!(
            applied(&mut slave, &moved),
            RoleAction::FollowSameMaster {
                master_broker_id: 1,
                master_address: "10.0.0.9:10911".into(),
                master_epoch: 2
            }
        );
        assert_eq!(slave.master_address.as_deref(), Some("10.0.0.9:10911"));
        assert!(matches!(applied(&mut slave, &view(Some(3), 3, &[3], 1)), RoleAction::BecomeSlave { .. }));
        assert!(matches!(applied(&mut slave, &view(Some(2), 4, &[2], 2)), RoleAction::BecomeMaster { .. }));
        assert!(matches!(applied(&mut slave, &view(Some(1), 5, &[1], 3)), RoleAction::BecomeSlave { .. }));
    }

    #[test]
    fn poll_elects_without_master_and_repairs_the_set_when_master() {
        let mut s = RoleState::new(1);
        assert_eq!(s.decide_poll(&view(None, 1, &[], 0), 0), RoleAction::Elect);
        assert_eq!(s.decide_poll(&view(None, 0, &[], 0), 0), RoleAction::Nothing);
        applied(&mut s, &view(Some(1), 1, &[1], 1));
        assert_eq!(
            s.decide_poll(&view(Some(1), 1, &[1, 2], 2), 1),
            RoleAction::ApplySyncStateSet { sync_state_set: [1, 2].into(), sync_state_set_epoch: 2 }
        );
        assert_eq!(s.decide_poll(&view(Some(1), 1, &[1, 2], 2), 2), RoleAction::Nothing);
        assert_eq!(s.decide_poll(&view(Some(1), 0, &[1, 2], 9), 2), RoleAction::Nothing);
        assert!(matches!(s.decide_poll(&view(Some(2), 2, &[2], 3), 2), RoleAction::BecomeSlave { .. }));
        let mut slave = RoleState::new(2);
        applied(&mut slave, &view(Some(1), 1, &[1], 1));
        assert_eq!(slave.decide_poll(&view(Some(1), 1, &[1, 2], 2), 0), RoleAction::Nothing);
    }

    #[test]
    fn actions_without_a_role_change_leave_the_state_alone() {
        let mut s = RoleState::new(1);
        for a in [RoleAction::Nothing, RoleAction::Elect] {
            s.commit(&a);
        }
        assert_eq!(s, RoleState::new(1));
    }
}
