//! `ConsumerManager`: consumer group → member channels and the group's
//! subscriptions, as reported by heartbeats (spec/remoting.md §4.4).
//!
//! Every mutation reports whether the group's membership or subscriptions
//! changed; the caller then sends NOTIFY_CONSUMER_IDS_CHANGED to the
//! group's members so they rebalance at once instead of at their next
//! 20 s rebalance tick.

use std::collections::{BTreeMap, HashMap};

use booster_model::heartbeat::{ConsumeFromWhere, ConsumeType, ConsumerData, MessageModel, SubscriptionData};

use super::ClientChannel;

/// What the broker knows about one consumer group.
#[derive(Debug, Clone)]
pub struct ConsumerGroupInfo<C> {
    pub group: String,
    pub channels: HashMap<u64, ClientChannel<C>>,
    pub subscriptions: BTreeMap<String, SubscriptionData>,
    pub consume_type: ConsumeType,
    pub message_model: MessageModel,
    pub consume_from_where: ConsumeFromWhere,
    /// Fingerprint of the last V2 heartbeat (0 = none).
    pub fingerprint: i32,
}

impl<C> ConsumerGroupInfo<C> {
    fn new(group: &str, data: &ConsumerData) -> Self {
        Self {
            group: group.to_owned(),
            channels: HashMap::new(),
            subscriptions: BTreeMap::new(),
            consume_type: data.consume_type,
            message_model: data.message_model,
            consume_from_where: data.consume_from_where,
            fingerprint: 0,
        }
    }

    /// Replaces the subscription set; a subscription already known is only
    /// replaced by a newer `subVersion` (Java's `updateSubscription`).
    fn update_subscriptions(&mut self, subs: &[SubscriptionData]) -> bool {
        let mut changed = false;
        for sub in subs {
            match self.subscriptions.get(&sub.topic) {
                Some(old) if old.sub_version >= sub.sub_version => {}
                old => {
                    changed |= old.is_none_or(|o| o.sub_string != sub.sub_string);
                    self.subscriptions.insert(sub.topic.clone(), sub.clone());
                }
            }
        }
        let before = self.subscriptions.len();
        self.subscriptions.retain(|topic, _| subs.iter().any(|s| &s.topic == topic));
        changed || self.subscriptions.len() != before
    }
}

#[derive(Debug)]
pub struct ConsumerManager<C> {
    groups: HashMap<String, ConsumerGroupInfo<C>>,
}

impl<C> Default for ConsumerManager<C> {
    fn default() -> Self {
        Self { groups: HashMap::new() }
    }
}

impl<C: Clone> ConsumerManager<C> {
    /// Registers `channel` as a member of `data.group_name`. With
    /// `update_subscriptions` false (a V2 heartbeat that omitted them) the
    /// stored subscriptions stay. Returns true if members or
    /// subscriptions changed.
    pub fn register(
        &mut self,
        data: &ConsumerData,
        channel: ClientChannel<C>,
        update_subscriptions: bool,
        fingerprint: i32,
    ) -> bool {
        let group = data.group_name.as_str();
        let info = self.groups.entry(group.to_owned()).or_insert_with(|| ConsumerGroupInfo::new(group, data));
        info.consume_type = data.consume_type;
        info.message_model = data.message_model;
        info.consume_from_where = data.consume_from_where;
        info.fingerprint = fingerprint;
        let new_member = match info.channels.get_mut(&channel.key) {
            Some(existing) => {
                existing.last_update_ms = channel.last_update_ms;
                existing.client_id = channel.client_id;
                false
            }
            None => {
                tracing::info!(group, client = %channel.client_id, "new consumer connected");
                info.channels.insert(channel.key, channel);
                true
            }
        };
        let subs_changed = update_subscriptions && info.update_subscriptions(&data.subscription_data_set);
        new_member || subs_changed
    }

    /// Removes one channel from `group`; true if it was a member.
    pub fn unregister(&mut self, group: &str, key: u64) -> bool {
        let Some(info) = self.groups.get_mut(group) else { return false };
        let removed = info.channels.remove(&key).is_some();
        if info.channels.is_empty() {
            self.groups.remove(group);
        }
        removed
    }

    /// Drops a closed connection everywhere; returns the groups it left.
    pub fn remove_channel(&mut self, key: u64) -> Vec<String> {
        self.remove_where(|c| c.key == key)
    }

    /// Drops channels silent for longer than `timeout_ms`; returns the
    /// groups that lost members.
    pub fn scan_expired(&mut self, now_ms: i64, timeout_ms: i64) -> Vec<String> {
        self.remove_where(|c| now_ms - c.last_update_ms > timeout_ms)
    }

    fn remove_where(&mut self, dead: impl Fn(&ClientChannel<C>) -> bool) -> Vec<String> {
        let mut changed = Vec::new();
        self.groups.retain(|group, info| {
            let before = info.channels.len();
            info.channels.retain(|_, c| !dead(c));
            if info.channels.len() != before {
                tracing::info!(group, left = before - info.channels.len(), "consumers left");
                changed.push(group.clone());
            }
            !info.channels.is_empty()
        });
        changed.sort();
        changed
    }

    pub fn group(&self, group: &str) -> Option<&ConsumerGroupInfo<C>> {
        self.groups.get(group)
    }

    pub fn subscription(&self, group: &str, topic: &str) -> Option<&SubscriptionData> {
        self.groups.get(group)?.subscriptions.get(topic)
    }

    /// Client ids of the group's members, sorted, without duplicates.
    pub fn client_ids(&self, group: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .groups
            .get(group)
            .into_iter()
            .flat_map(|g| g.channels.values())
            .map(|c| c.client_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Handles of the group's members (for notifications).
    pub fn channels(&self, group: &str) -> Vec<C> {
        self.groups
            .get(group)
            .into_iter()
            .flat_map(|g| g.channels.values())
            .map(|c| c.handle.clone())
            .collect()
    }

    pub fn group_names(&self) -> Vec<String> {
        self.groups.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests;
