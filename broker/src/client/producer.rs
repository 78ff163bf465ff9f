//! `ProducerManager`: producer group → live channels. Transaction checks
//! (a later processor) pick a channel of the message's producer group here.

use std::collections::HashMap;

use super::ClientChannel;

#[derive(Debug)]
pub struct ProducerManager<C> {
    groups: HashMap<String, HashMap<u64, ClientChannel<C>>>,
}

impl<C> Default for ProducerManager<C> {
    fn default() -> Self {
        Self { groups: HashMap::new() }
    }
}

impl<C: Clone> ProducerManager<C> {
    /// Adds or refreshes a channel of `group`.
    pub fn register(&mut self, group: &str, channel: ClientChannel<C>) {
        self.groups.entry(group.to_owned()).or_default().insert(channel.key, channel);
    }

    pub fn unregister(&mut self, group: &str, key: u64) {
        if let Some(channels) = self.groups.get_mut(group) {
            channels.remove(&key);
            if channels.is_empty() {
                self.groups.remove(group);
            }
        }
    }

    /// Drops a closed connection from every group.
    pub fn remove_channel(&mut self, key: u64) {
        self.groups.retain(|_, channels| {
            channels.remove(&key);
            !channels.is_empty()
        });
    }

    /// Drops channels silent for longer than `timeout_ms`; returns how many.
    pub fn scan_expired(&mut self, now_ms: i64, timeout_ms: i64) -> usize {
        let mut dropped = 0;
        self.groups.retain(|group, channels| {
            channels.retain(|_, c| {
                let alive = now_ms - c.last_update_ms <= timeout_ms;
                if !alive {
                    tracing::info!(group, client = %c.client_id, "producer channel expired");
                    dropped += 1;
                }
                alive
            });
            !channels.is_empty()
        });
        dropped
    }

    /// Live channels of `group` (most recently heard from first).
    pub fn channels(&self, group: &str) -> Vec<C> {
        let mut list: Vec<_> = self.groups.get(group).into_iter().flat_map(|m| m.values()).collect();
        list.sort_by_key(|c| std::cmp::Reverse(c.last_update_ms));
        list.into_iter().map(|c| c.handle.clone()).collect()
    }

    /// The channels of `group` (for connection listings), `None` if the
    /// group has none.
    pub fn group_channels(&self, group: &str) -> Option<Vec<ClientChannel<C>>> {
        let channels = self.groups.get(group)?;
        let mut list: Vec<_> = channels.values().cloned().collect();
        list.sort_by_key(|c| c.key);
        Some(list)
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_channel as ch;

    #[test]
    fn register_expire_remove() {
        let mut m = ProducerManager::default();
        m.register("pg", ch(1, 0));
        m.register("pg", ch(2, 100));
        m.register("other", ch(1, 0));
        assert_eq!(m.channels("pg"), vec![2, 1]);
        assert_eq!(m.scan_expired(120_050, 120_000), 2);
        assert_eq!(m.channels("pg"), vec![2]);
        assert_eq!(m.group_count(), 1);
        m.remove_channel(2);
        assert!(m.channels("pg").is_empty());
        m.register("pg", ch(3, 0));
        m.unregister("pg", 3);
        assert_eq!(m.group_count(), 0);
    }
}
