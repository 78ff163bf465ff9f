//! Leader discovery (spec/controller.md §9.3): the controller addresses
//! from `controllerAddr`, and the leader picked from GET_METADATA_INFO
//! answers. Unlike Java, a CONTROLLER_NOT_LEADER (2007) answer forgets the
//! leader so that discovery runs at once (P-C12) instead of at the next
//! `syncControllerMetadataPeriod`.

use booster_remoting::headers::controller::GetMetaDataResponseHeader;
use parking_lot::Mutex;
use tokio::sync::Notify;

/// `controllerAddr`: `;`-separated, blanks and duplicates dropped.
pub fn parse_controller_addrs(text: &str) -> Vec<String> {
    let mut addrs: Vec<String> = Vec::new();
    for addr in text.split(';').map(str::trim).filter(|a| !a.is_empty()) {
        if !addrs.iter().any(|a| a == addr) {
            addrs.push(addr.to_owned());
        }
    }
    addrs
}

/// The leader a GET_METADATA_INFO answer names, if any.
pub fn leader_of(header: &GetMetaDataResponseHeader) -> Option<String> {
    let addr = header.controller_leader_address.as_deref()?.trim();
    (!addr.is_empty()).then(|| addr.to_owned())
}

/// The current leader, shared by every caller of leader-only requests.
#[derive(Debug, Default)]
pub struct LeaderCell {
    leader: Mutex<Option<String>>,
    /// Wakes the discovery loop.
    rediscover: Notify,
}

impl LeaderCell {
    pub fn get(&self) -> Option<String> {
        self.leader.lock().clone()
    }

    /// Returns whether the leader changed.
    pub fn set(&self, leader: Option<String>) -> bool {
        let mut current = self.leader.lock();
        let changed = *current != leader;
        *current = leader;
        changed
    }

    /// `addr` answered 2007 (or could not be reached): if it is the leader
    /// we know, forget it and wake discovery.
    pub fn not_leader(&self, addr: &str) {
        let mut current = self.leader.lock();
        if current.as_deref() == Some(addr) {
            *current = None;
            self.rediscover.notify_one();
        }
    }

    /// Resolves when discovery should run early.
    pub async fn rediscovery_wanted(&self) {
        self.rediscover.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_split_trimmed_and_deduplicated() {
        assert_eq!(parse_controller_addrs(" a:1; b:2;;a:1 ;"), vec!["a:1".to_owned(), "b:2".to_owned()]);
        assert!(parse_controller_addrs("").is_empty());
    }

    #[test]
    fn only_a_non_empty_leader_address_counts() {
        let mut h = GetMetaDataResponseHeader {
            group: None,
            controller_leader_id: Some("n0".into()),
            controller_leader_address: Some(" 127.0.0.1:9877 ".into()),
            is_leader: Some(false),
            peers: None,
        };
        assert_eq!(leader_of(&h).as_deref(), Some("127.0.0.1:9877"));
        h.controller_leader_address = Some(String::new());
        assert_eq!(leader_of(&h), None);
        h.controller_leader_address = None;
        assert_eq!(leader_of(&h), None);
    }

    #[tokio::test]
    async fn not_leader_forgets_only_the_current_leader_and_wakes_discovery() {
        let cell = LeaderCell::default();
        assert!(cell.set(Some("a:1".into())));
        assert!(!cell.set(Some("a:1".into())));
        cell.not_leader("b:2");
        assert_eq!(cell.get().as_deref(), Some("a:1"));
        cell.not_leader("a:1");
        assert_eq!(cell.get(), None);
        tokio::time::timeout(std::time::Duration::from_secs(5), cell.rediscovery_wanted()).await.unwrap();
    }
}
