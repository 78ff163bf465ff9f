//! What the controller reads from openraft's metrics, I/O-free.
//!
//! A node is a *ready* leader (DLedger's "leader ready", spec §9.1) once it
//! is leader and has applied an entry of its own term: openraft appends a
//! blank entry on election, so this is the barrier DLedger appends by hand.
//! Only then may it answer leader-only requests; before, 2007.

use openraft::ServerState;

use booster_conf::DLedgerPeer;

use super::types::RaftMetrics;
use crate::RaftMetadata;

/// This node is leader and has applied an entry of its current term.
pub fn is_ready_leader(m: &RaftMetrics) -> bool {
    m.running_state.is_ok()
        && m.state == ServerState::Leader
        && m.current_leader == Some(m.id)
        && m.last_applied.is_some_and(|applied| applied.leader_id.get_term() == m.current_term)
}

/// GET_METADATA_INFO's view; node ids index into `peers`.
pub fn metadata(m: &RaftMetrics, group: &str, peers: &[DLedgerPeer]) -> RaftMetadata {
    let leader = m.current_leader.and_then(|id| usize::try_from(id).ok()).and_then(|i| peers.get(i));
    RaftMetadata {
        group: group.to_owned(),
        leader_id: leader.map(|p| p.id.clone()),
        leader_addr: leader.map(|p| p.addr.clone()),
        is_leader: is_ready_leader(m),
        peers: format_peers(peers),
    }
}

/// GET_METADATA_INFO's `peers`: `n0:ip:port;n1:ip:port;` (spec §4.5), unlike
/// the `n0-ip:port` of `controllerDLegerPeers`.
pub fn format_peers(peers: &[DLedgerPeer]) -> String {
    peers.iter().map(|p| format!("{}:{};", p.id, p.addr)).collect()
}

#[cfg(test)]
mod tests {
    use openraft::{CommittedLeaderId, LogId};

    use super::*;

    fn peers() -> Vec<DLedgerPeer> {
        booster_conf::parse_dledger_peers("n0-127.0.0.1:9877;n1-127.0.0.1:9878").unwrap()
    }

    /// Node 1 leading term 3, having applied up to `applied_term`.
    fn leader(applied_term: Option<u64>) -> RaftMetrics {
        let mut m = RaftMetrics::new_initial(1);
        m.state = ServerState::Leader;
        m.current_leader = Some(1);
        m.current_term = 3;
        m.last_applied = applied_term.map(|t| LogId::new(CommittedLeaderId::new(t, 0), 7));
        m
    }

    #[test]
    fn a_leader_is_ready_only_after_applying_an_entry_of_its_term() {
        assert!(!is_ready_leader(&leader(None)));
        assert!(!is_ready_leader(&leader(Some(2))));
        assert!(is_ready_leader(&leader(Some(3))));
    }

    #[test]
    fn followers_candidates_and_stopped_nodes_are_not_ready() {
        for state in
            [ServerState::Follower, ServerState::Candidate, ServerState::Learner, ServerState::Shutdown]
        {
            let mut m = leader(Some(3));
            m.state = state;
            assert!(!is_ready_leader(&m), "{state:?}");
        }
        let mut stopped = leader(Some(3));
        stopped.running_state = Err(openraft::error::Fatal::Stopped);
        assert!(!is_ready_leader(&stopped));
    }

    #[test]
    fn metadata_names_the_leader_from_the_peer_list() {
        let md = metadata(&leader(Some(3)), "group1", &peers());
        assert_eq!(md.group, "group1");
        assert_eq!(md.leader_id.as_deref(), Some("n1"));
        assert_eq!(md.leader_addr.as_deref(), Some("127.0.0.1:9878"));
        assert!(md.is_leader);
        assert_eq!(md.peers, "n0:127.0.0.1:9877;n1:127.0.0.1:9878;");

        let mut follower = leader(Some(3));
        follower.state = ServerState::Follower;
        follower.current_leader = Some(0);
        let md = metadata(&follower, "group1", &peers());
        assert_eq!((md.leader_id.as_deref(), md.is_leader), (Some("n0"), false));

        let mut unknown = follower;
        unknown.current_leader = None;
        assert_eq!(metadata(&unknown, "g", &peers()).leader_addr, None);
    }

    #[test]
    fn formats_peers_for_metadata() {
        assert_eq!(format_peers(&peers()), "n0:127.0.0.1:9877;n1:127.0.0.1:9878;");
        assert_eq!(format_peers(&[]), "");
    }
}
