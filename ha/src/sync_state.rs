//! The master's SyncStateSet tracker (spec/ha.md §8, §9, §10.3): a pure
//! state machine fed with connection events, acks and an explicit `now_ms`.
//! It never performs I/O; it returns [`Decision`]s (propose a new set to the
//! controller, publish a confirm offset) and exposes the [`QuorumOffsets`]
//! put waiters need. The async shell (`master.rs`) owns the sockets, calls
//! in under a short lock and carries the decisions out.
//!
//! Departures from the reference, all on the safe side:
//! * At most one proposal is in flight, and `remote` is the union of every
//!   proposal not yet answered by a `setSyncStateSet` (P-H13): a member that
//!   the controller may already count never drops out of the effective set,
//!   so an allAck PUT_OK always implies every such member has the bytes.
//! * The stored confirm offset never moves backwards (§9.1 ignores members
//!   whose ack is still ≤ 0, P-H4, and a re-connected member may ack low).
//! * allAck counts distinct member ids, not connections (P-H3).

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Identifies one master-side connection (a slave may hold several).
pub type ConnId = u64;

/// Something the shell must do after feeding the tracker an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Ask the controller to make this the SyncStateSet (§8.6), then report
    /// the answer with [`SyncStateTracker::on_proposal_result`].
    Propose(BTreeSet<i64>),
    /// Consumers may see up to this offset: persist it, cap dispatch there.
    ConfirmOffset(i64),
    /// Consumers may see everything written: confirmOffset is the live
    /// `maxPhyOffset` (§9.2: `allAckInSyncStateSet=false` or a set of one).
    ConfirmLive,
}

/// How many replicas a put needs (§10.1 step 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckNeed {
    /// `allAckInSyncStateSet`: every member of the effective set.
    AllInSyncStateSet,
    /// `inSyncReplicas`: this many copies, the master counting as one.
    Replicas(u32),
}

/// What puts wait on, published through a watch channel: the offsets the
/// replicas hold, summarised per [`AckNeed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumOffsets {
    /// Acks of all live connections, highest first: `acks[k]` is held by at
    /// least `k + 2` replicas counting the master. Any connection counts,
    /// learners and non-members included (§10.3, P-H3).
    pub acks: Vec<i64>,
    /// Offset every member of the effective set holds (`i64::MAX` when the
    /// set has at most one member, −1 when some member has not acked).
    pub all_ack: i64,
    /// `inSyncReplicasNums`, checked against `minInSyncReplicas` (§8.1).
    pub in_sync_replicas: usize,
}

impl Default for QuorumOffsets {
    /// A broker that is not master: nothing in sync, nothing acked.
    fn default() -> Self {
        Self { acks: Vec::new(), all_ack: -1, in_sync_replicas: 0 }
    }
}

impl QuorumOffsets {
    /// The highest offset that satisfies `need` right now.
    pub fn offset_for(&self, need: AckNeed) -> i64 {
        match need {
            AckNeed::AllInSyncStateSet => self.all_ack,
            AckNeed::Replicas(n) if n <= 1 => i64::MAX,
            AckNeed::Replicas(n) => self.acks.get(n as usize - 2).copied().unwrap_or(-1),
        }
    }

    /// Whether a record ending at `end_offset` is replicated as `need` says.
    pub fn reached(&self, need: AckNeed, end_offset: i64) -> bool {
        self.offset_for(need) >= end_offset
    }
}

/// Fixed parameters of one master term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackerConfig {
    /// The master's own controller id (always a member).
    pub own_id: i64,
    /// `haMaxTimeSlaveNotCatchup`.
    pub max_time_not_catchup_ms: i64,
    /// `allAckInSyncStateSet`.
    pub all_ack: bool,
}

/// One live connection as the tracker sees it (for the HA status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackedConn {
    pub slave_id: i64,
    pub learner: bool,
    /// −1 before the first ack.
    pub ack: i64,
    /// The slave's `lastCaughtUpTime` (§8.2), if it ever caught up.
    pub last_caught_up_ms: Option<i64>,
}

#[derive(Debug, Clone)]
struct Conn {
    slave_id: i64,
    learner: bool,
    ack: i64,
    /// Master max recorded when the last data frame was prepared (§8.2).
    last_master_max: i64,
    last_transfer_ms: i64,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct SyncStateTracker {
    cfg: TrackerConfig,
    /// Last set accepted by the controller, with its epoch.
    local: BTreeSet<i64>,
    local_epoch: i32,
    /// Union of the proposals not yet followed by a `setSyncStateSet`.
    remote: BTreeSet<i64>,
    /// The most recent proposal; `Some` = synchronizing.
    last_proposal: Option<BTreeSet<i64>>,
    in_flight: bool,
    /// Changes wanted but not yet in `local`.
    pending_add: BTreeSet<i64>,
    pending_remove: BTreeSet<i64>,
    /// `lastCaughtUpTime` per slave id; only ever grows, never removed.
    last_caught_up: HashMap<i64, i64>,
    conns: BTreeMap<ConnId, Conn>,
    /// Stored confirm offset (§9.1), never decreasing.
    confirm: i64,
    /// What the shell was last told about the confirm offset.
    emitted: Option<Decision>,
    /// Start offset of the master's last epoch entry (expansion bar, §8.3).
    last_epoch_start: i64,
}

impl SyncStateTracker {
    /// A fresh master term: `local` as last confirmed (the own id is added),
    /// confirm offset = `master_max` (§9.5).
    pub fn new(cfg: TrackerConfig, mut local: BTreeSet<i64>, local_epoch: i32, master_max: i64) -> Self {
        local.insert(cfg.own_id);
        Self {
            cfg,
            local,
            local_epoch,
            remote: BTreeSet::new(),
            last_proposal: None,
            in_flight: false,
            pending_add: BTreeSet::new(),
            pending_remove: BTreeSet::new(),
            last_caught_up: HashMap::new(),
            conns: BTreeMap::new(),
            confirm: master_max,
            emitted: None,
            last_epoch_start: 0,
        }
    }

    /// Right after becoming master: one shrink pass (§8.4) and the initial
    /// confirm offset.
    pub fn start(&mut self, now_ms: i64) -> Vec<Decision> {
        let mut out = self.shrink(now_ms);
        self.emit_confirm(&mut out);
        out
    }

    pub fn set_last_epoch_start(&mut self, start_offset: i64) {
        self.last_epoch_start = start_offset;
    }

    pub fn local(&self) -> &BTreeSet<i64> {
        &self.local
    }

    pub fn local_epoch(&self) -> i32 {
        self.local_epoch
    }

    pub fn synchronizing(&self) -> bool {
        self.last_proposal.is_some()
    }

    /// `local ∪ remote` while synchronizing: what allAck waits for.
    pub fn effective(&self) -> BTreeSet<i64> {
        self.local.union(&self.remote).copied().collect()
    }

    /// `inSyncReplicasNums` (§8.1).
    pub fn in_sync_replicas(&self) -> usize {
        let proposed = self.last_proposal.as_ref().map_or(0, BTreeSet::len);
        self.local.len().max(proposed)
    }

    fn live_confirm(&self) -> bool {
        !self.cfg.all_ack || self.local.len() == 1
    }

    /// The confirm offset the rest of the broker sees (§9.2), e.g. in
    /// transfer headers.
    pub fn confirm_offset(&self, master_max: i64) -> i64 {
        if self.live_confirm() { master_max } else { self.confirm }
    }

    pub fn stored_confirm_offset(&self) -> i64 {
        self.confirm
    }

    /// `conn`, once its slave has shaken hands.
    pub fn tracked(&self, conn: ConnId) -> Option<TrackedConn> {
        self.conns.get(&conn).map(|c| TrackedConn {
            slave_id: c.slave_id,
            learner: c.learner,
            ack: c.ack,
            last_caught_up_ms: self.last_caught_up.get(&c.slave_id).copied(),
        })
    }

    /// A slave finished its handshake on `conn`.
    pub fn on_handshake(&mut self, conn: ConnId, slave_id: i64, learner: bool) {
        let c = Conn { slave_id, learner, ack: -1, last_master_max: -1, last_transfer_ms: 0 };
        self.conns.insert(conn, c);
    }

    /// The writer of `conn` prepared a data frame (§7.1 step 6).
    pub fn on_data_sent(&mut self, conn: ConnId, master_max: i64, now_ms: i64) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.last_master_max = master_max;
            c.last_transfer_ms = now_ms;
        }
    }

    /// The writer of `conn` has nothing left to send (§7.1 step 3, §8.2).
    pub fn on_nothing_to_send(&mut self, conn: ConnId, now_ms: i64) {
        if let Some(id) = self.conns.get(&conn).map(|c| c.slave_id) {
            self.caught_up(id, now_ms);
        }
    }

    fn caught_up(&mut self, slave_id: i64, t: i64) {
        let e = self.last_caught_up.entry(slave_id).or_insert(t);
        *e = (*e).max(t);
    }

    /// An ack (§7.4): caught-up tracking, expansion, confirm offset.
    pub fn on_ack(&mut self, conn: ConnId, max_offset: i64, master_max: i64, now_ms: i64) -> Vec<Decision> {
        let mut out = Vec::new();
        let Some(c) = self.conns.get_mut(&conn) else { return out };
        c.ack = max_offset;
        let c = c.clone();
        if !c.learner {
            if max_offset >= c.last_master_max {
                let t = if max_offset == master_max { now_ms } else { c.last_transfer_ms };
                self.caught_up(c.slave_id, t);
            }
            if !self.local.contains(&c.slave_id) {
                if max_offset >= self.confirm_offset(master_max) && max_offset >= self.last_epoch_start {
                    self.pending_add.insert(c.slave_id);
                    self.pending_remove.remove(&c.slave_id);
                }
            } else if !self.lagging(c.slave_id, now_ms) {
                self.pending_remove.remove(&c.slave_id);
            }
        }
        if self.local.contains(&c.slave_id) {
            self.update_confirm(master_max);
        }
        self.propose_if_needed(&mut out);
        self.emit_confirm(&mut out);
        out
    }

    /// A connection ended (§8.5): a member with no other connection left is
    /// proposed for removal at once.
    pub fn on_disconnect(&mut self, conn: ConnId) -> Vec<Decision> {
        let mut out = Vec::new();
        let Some(c) = self.conns.remove(&conn) else { return out };
        if !self.conns.values().any(|o| o.slave_id == c.slave_id) {
            self.pending_add.remove(&c.slave_id);
            if self.local.contains(&c.slave_id) && c.slave_id != self.cfg.own_id {
                self.pending_remove.insert(c.slave_id);
            }
        }
        self.propose_if_needed(&mut out);
        out
    }

    fn lagging(&self, id: i64, now_ms: i64) -> bool {
        self.last_caught_up.get(&id).is_none_or(|t| now_ms - t > self.cfg.max_time_not_catchup_ms)
    }

    /// The periodic shrink (§8.4): members behind for longer than
    /// `haMaxTimeSlaveNotCatchup`, or never connected, are proposed for
    /// removal. A previously failed proposal is retried here.
    pub fn shrink(&mut self, now_ms: i64) -> Vec<Decision> {
        let mut out = Vec::new();
        let lagging: Vec<i64> = self
            .local
            .iter()
            .copied()
            .filter(|&id| id != self.cfg.own_id && self.lagging(id, now_ms))
            .collect();
        self.pending_remove.extend(lagging);
        self.propose_if_needed(&mut out);
        out
    }

    /// The controller answered the proposal in flight: `Some((set, epoch))`
    /// if accepted, `None` on any error or timeout (only logged, §8.6; the
    /// next ack or shrink period retries).
    pub fn on_proposal_result(
        &mut self,
        accepted: Option<(BTreeSet<i64>, i32)>,
        master_max: i64,
    ) -> Vec<Decision> {
        self.in_flight = false;
        let mut out = Vec::new();
        if let Some((set, epoch)) = accepted {
            out = self.apply_sync_state_set(set, epoch, master_max);
        }
        out
    }

    /// `changeSyncStateSet` (§8.1): adopts `set` if `epoch` is newer than the
    /// last confirmed one; returns what to do next (empty if ignored).
    pub fn apply_sync_state_set(&mut self, set: BTreeSet<i64>, epoch: i32, master_max: i64) -> Vec<Decision> {
        let mut out = Vec::new();
        if epoch <= self.local_epoch {
            return out;
        }
        self.local = set;
        self.local_epoch = epoch;
        self.pending_add.retain(|id| !self.local.contains(id));
        self.pending_remove.retain(|id| self.local.contains(id));
        // A proposal still in flight may yet be accepted: keep counting it.
        if self.in_flight {
            self.remote = self.last_proposal.clone().unwrap_or_default();
        } else {
            self.remote.clear();
            self.last_proposal = None;
        }
        self.update_confirm(master_max);
        self.propose_if_needed(&mut out);
        self.emit_confirm(&mut out);
        out
    }

    fn propose_if_needed(&mut self, out: &mut Vec<Decision>) {
        if self.in_flight {
            return;
        }
        let mut candidate: BTreeSet<i64> = self.local.union(&self.pending_add).copied().collect();
        candidate.retain(|id| !self.pending_remove.contains(id));
        candidate.insert(self.cfg.own_id);
        if candidate == self.local {
            self.pending_add.clear();
            self.pending_remove.clear();
            return;
        }
        self.in_flight = true;
        self.remote.extend(candidate.iter().copied());
        self.last_proposal = Some(candidate.clone());
        out.push(Decision::Propose(candidate));
    }

    /// §9.1, kept monotonic.
    fn update_confirm(&mut self, master_max: i64) {
        let set = self.effective();
        let own = self.cfg.own_id;
        let connected = |id: &i64| self.conns.values().any(|c| c.slave_id == *id);
        if set.iter().any(|id| *id != own && !connected(id)) {
            return;
        }
        let computed = self
            .conns
            .values()
            .filter(|c| set.contains(&c.slave_id) && c.ack > 0)
            .map(|c| c.ack)
            .fold(master_max, i64::min);
        self.confirm = self.confirm.max(computed);
    }

    fn emit_confirm(&mut self, out: &mut Vec<Decision>) {
        let view =
            if self.live_confirm() { Decision::ConfirmLive } else { Decision::ConfirmOffset(self.confirm) };
        if self.emitted.as_ref() != Some(&view) {
            self.emitted = Some(view.clone());
            out.push(view);
        }
    }

    /// What put waiters need now.
    pub fn quorum(&self) -> QuorumOffsets {
        let mut acks: Vec<i64> = self.conns.values().map(|c| c.ack).filter(|a| *a >= 0).collect();
        acks.sort_unstable_by(|a, b| b.cmp(a));
        let set = self.effective();
        let all_ack = if set.len() <= 1 {
            i64::MAX
        } else {
            let mut best: BTreeMap<i64, i64> = BTreeMap::new();
            for c in
                self.conns.values().filter(|c| c.slave_id != self.cfg.own_id && set.contains(&c.slave_id))
            {
                let e = best.entry(c.slave_id).or_insert(c.ack);
                *e = (*e).max(c.ack);
            }
            let mut member_acks: Vec<i64> = best.into_values().collect();
            member_acks.sort_unstable_by(|a, b| b.cmp(a));
            member_acks.get(set.len() - 2).copied().unwrap_or(-1)
        };
        QuorumOffsets { acks, all_ack, in_sync_replicas: self.in_sync_replicas() }
    }
}

#[cfg(test)]
#[path = "sync_state_tests.rs"]
mod tests;
