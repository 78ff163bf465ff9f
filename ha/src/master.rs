//! The master side of one term: the SyncStateSet tracker behind a short
//! lock, the decisions it returns carried out (proposals to the
//! controller, the confirm offset applied to the store, quorum offsets
//! published to put waiters), the periodic shrink check, and the accepted
//! slave connections (`connection.rs`).
//!
//! Everything here dies with the term: a role change shuts the task group
//! down, closing every connection (§2.1 rule 3).

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use booster_store::MessageStore;
use parking_lot::Mutex;
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::config::HaConfig;
use crate::epochs::Epochs;
use crate::proposer::{Proposal, SyncStateSetProposer};
use crate::rate::TransferRate;
use crate::runtime::{Clock, TaskGroup};
use crate::sync_state::{ConnId, Decision, QuorumOffsets, SyncStateTracker, TrackerConfig};

/// A snapshot of the SyncStateSet views (for admin and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStateView {
    /// Last set accepted by the controller and its epoch.
    pub local: BTreeSet<i64>,
    pub epoch: i32,
    /// What allAck puts wait for (`local ∪` unanswered proposals).
    pub effective: BTreeSet<i64>,
    pub in_sync_replicas: usize,
    /// Confirm offset as the broker sees it (§9.2).
    pub confirm_offset: i64,
}

/// One slave connection as the master sees it (the rows of
/// GET_BROKER_HA_STATUS, RocketMQ's `HAConnectionRuntimeInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaConnectionInfo {
    /// The slave's end of the socket (its HA client's `ip:port`).
    pub addr: SocketAddr,
    /// From its handshake; `None` until then.
    pub slave_id: Option<i64>,
    pub async_learner: bool,
    /// Last acked offset; −1 before the first ack.
    pub ack_offset: i64,
    /// When the slave last caught up (§8.2), epoch milliseconds.
    pub last_caught_up_ms: Option<i64>,
    /// The slave is a member of the SyncStateSet the controller accepted.
    pub in_sync: bool,
    /// `nextTransferFromWhere`: the next offset to send; −1 until known.
    pub transfer_from_where: i64,
    /// CommitLog bytes sent in the last complete second.
    pub transferred_bytes_per_second: u64,
}

/// What the master tracks of one connection besides the tracker's view;
/// shared with the connection's writer.
pub(crate) struct ConnLink {
    pub(crate) peer: SocketAddr,
    pub(crate) transfer_from_where: AtomicI64,
    /// CommitLog bytes sent: the flow-control budget and the reported rate.
    pub(crate) sent: Mutex<TransferRate>,
}

pub(crate) struct MasterCore {
    pub(crate) store: Arc<MessageStore>,
    pub(crate) config: HaConfig,
    pub(crate) epochs: Arc<Epochs>,
    pub(crate) clock: Clock,
    pub(crate) tasks: TaskGroup,
    master_epoch: i32,
    tracker: Mutex<SyncStateTracker>,
    quorum: Arc<watch::Sender<QuorumOffsets>>,
    proposer: Arc<dyn SyncStateSetProposer>,
    next_conn: AtomicU64,
    links: Mutex<BTreeMap<ConnId, Arc<ConnLink>>>,
}

/// What a role change hands to a new term.
pub(crate) struct MasterParts {
    pub(crate) store: Arc<MessageStore>,
    pub(crate) config: HaConfig,
    pub(crate) epochs: Arc<Epochs>,
    pub(crate) clock: Clock,
    pub(crate) quorum: Arc<watch::Sender<QuorumOffsets>>,
    pub(crate) proposer: Arc<dyn SyncStateSetProposer>,
    pub(crate) own_id: i64,
    pub(crate) master_epoch: i32,
}

impl MasterCore {
    /// Starts a term: a tracker with `{own}` and confirm offset = max
    /// (§9.5), the initial shrink pass and the periodic one.
    pub(crate) fn start(p: MasterParts) -> Arc<Self> {
        let max = p.store.max_phy_offset();
        let cfg = TrackerConfig {
            own_id: p.own_id,
            max_time_not_catchup_ms: i64::try_from(p.config.max_time_slave_not_catchup.as_millis())
                .unwrap_or(i64::MAX),
            all_ack: p.config.policy.all_ack,
        };
        let mut tracker = SyncStateTracker::new(cfg, BTreeSet::new(), 0, max);
        tracker.set_last_epoch_start(p.epochs.snapshot().last_entry().map_or(0, |e| e.start_offset));
        let core = Arc::new(Self {
            store: p.store,
            config: p.config,
            epochs: p.epochs,
            clock: p.clock,
            tasks: TaskGroup::default(),
            master_epoch: p.master_epoch,
            tracker: Mutex::new(tracker),
            quorum: p.quorum,
            proposer: p.proposer,
            next_conn: AtomicU64::new(1),
            links: Mutex::default(),
        });
        core.with_tracker(|t, _, now| t.start(now));
        let weak = Arc::downgrade(&core);
        let (first, period) = (core.config.first_sync_state_check, core.config.check_sync_state_set_period);
        core.tasks.spawn(async move {
            tokio::time::sleep(first).await;
            loop {
                let Some(core) = weak.upgrade() else { return };
                core.with_tracker(|t, _, now| t.shrink(now));
                drop(core);
                tokio::time::sleep(period).await;
            }
        });
        core
    }

    /// Runs one tracker event under the lock, applies what must stay
    /// ordered (confirm offset, quorum offsets) before unlocking, then
    /// sends proposals outside the lock.
    pub(crate) fn with_tracker(
        self: &Arc<Self>,
        event: impl FnOnce(&mut SyncStateTracker, i64, i64) -> Vec<Decision>,
    ) {
        let mut proposals = Vec::new();
        {
            let mut t = self.tracker.lock();
            let max = self.store.max_phy_offset();
            for d in event(&mut t, max, self.clock.now_ms()) {
                match d {
                    Decision::Propose(set) => proposals.push((set, t.local_epoch())),
                    Decision::ConfirmOffset(offset) => self.store.set_confirm_offset(offset),
                    Decision::ConfirmLive => self.store.clear_confirm_offset(),
                }
            }
            let q = t.quorum();
            self.quorum.send_if_modified(|old| {
                let changed = *old != q;
                if changed {
                    *old = q;
                }
                changed
            });
        }
        for (set, epoch) in proposals {
            self.spawn_proposal(set, epoch);
        }
    }

    fn spawn_proposal(self: &Arc<Self>, set: BTreeSet<i64>, sync_state_set_epoch: i32) {
        let core = Arc::clone(self);
        tracing::info!(?set, "proposing a new SyncStateSet");
        let proposal =
            Proposal { master_epoch: self.master_epoch, sync_state_set: set, sync_state_set_epoch };
        self.tasks.spawn(async move {
            let accepted = match core.proposer.propose(proposal).await {
                Ok(a) => Some((a.sync_state_set, a.epoch)),
                Err(e) => {
                    tracing::warn!(error = %e, "SyncStateSet proposal failed; will retry");
                    None
                }
            };
            core.with_tracker(|t, max, _| t.on_proposal_result(accepted, max));
        });
    }

    /// A set the controller pushed (election, metadata sync).
    pub(crate) fn apply_sync_state_set(self: &Arc<Self>, set: BTreeSet<i64>, epoch: i32) {
        self.with_tracker(|t, max, _| t.apply_sync_state_set(set, epoch, max));
    }

    pub(crate) fn view(&self) -> SyncStateView {
        let t = self.tracker.lock();
        SyncStateView {
            local: t.local().clone(),
            epoch: t.local_epoch(),
            effective: t.effective(),
            in_sync_replicas: t.in_sync_replicas(),
            confirm_offset: t.confirm_offset(self.store.max_phy_offset()),
        }
    }

    /// Every accepted connection of this term, in accept order.
    pub(crate) fn connections(&self) -> Vec<HaConnectionInfo> {
        let links: Vec<(ConnId, Arc<ConnLink>)> =
            self.links.lock().iter().map(|(id, l)| (*id, Arc::clone(l))).collect();
        let now = self.clock.now_ms();
        let t = self.tracker.lock();
        links
            .into_iter()
            .map(|(id, link)| {
                let tracked = t.tracked(id);
                HaConnectionInfo {
                    addr: link.peer,
                    slave_id: tracked.map(|c| c.slave_id),
                    async_learner: tracked.is_some_and(|c| c.learner),
                    ack_offset: tracked.map_or(-1, |c| c.ack),
                    last_caught_up_ms: tracked
                        .and_then(|c| c.last_caught_up_ms)
                        .map(|t| self.clock.wall_ms(t)),
                    in_sync: tracked.is_some_and(|c| t.local().contains(&c.slave_id)),
                    transfer_from_where: link.transfer_from_where.load(Ordering::Relaxed),
                    transferred_bytes_per_second: link.sent.lock().last_second(now),
                }
            })
            .collect()
    }

    /// The confirm offset for a transfer header, recorded with the data
    /// frame it goes out with (§7.1 step 6, §8.2).
    pub(crate) fn on_data_sent(&self, conn: ConnId) -> i64 {
        let mut t = self.tracker.lock();
        let max = self.store.max_phy_offset();
        t.on_data_sent(conn, max, self.clock.now_ms());
        t.confirm_offset(max)
    }

    pub(crate) fn confirm_offset(&self) -> i64 {
        self.tracker.lock().confirm_offset(self.store.max_phy_offset())
    }

    pub(crate) fn on_nothing_to_send(&self, conn: ConnId) {
        self.tracker.lock().on_nothing_to_send(conn, self.clock.now_ms());
    }

    pub(crate) fn on_handshake(&self, conn: ConnId, slave_id: i64, learner: bool) {
        self.tracker.lock().on_handshake(conn, slave_id, learner);
    }

    /// Serves an accepted slave connection until it ends or the term does.
    pub(crate) fn accept(self: &Arc<Self>, stream: TcpStream, peer: SocketAddr) {
        let conn = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let link =
            Arc::new(ConnLink { peer, transfer_from_where: AtomicI64::new(-1), sent: Mutex::default() });
        self.links.lock().insert(conn, Arc::clone(&link));
        let core = Arc::clone(self);
        self.tasks.spawn(async move {
            match crate::connection::serve(&core, stream, &link, conn).await {
                Ok(()) => tracing::info!(%peer, "HA connection closed"),
                Err(e) => tracing::warn!(%peer, error = %e, "HA connection ended"),
            }
            core.links.lock().remove(&conn);
            core.with_tracker(|t, _, _| t.on_disconnect(conn));
        });
    }
}
