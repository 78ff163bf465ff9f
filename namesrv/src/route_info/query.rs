//! Reading the route tables (routes, cluster info, topic lists) and the
//! admin edits that touch only topics (delete, register, write permission).

use booster_model::route::{BrokerMemberGroup, MASTER_ID};
use booster_model::{ClusterInfo, QueueData, TopicList, TopicRouteData};

use super::{BrokerAddrInfo, PERM_READ, PERM_WRITE, RouteInfoManager};

/// `TopicSysFlag` unit bit.
const FLAG_UNIT: i32 = 0x1;
/// `TopicSysFlag` unit-subscription bit.
const FLAG_UNIT_SUB: i32 = 0x2;

/// Prefix of the per-group member-sync topics, never rewritten for acting
/// masters (`TopicValidator.SYNC_BROKER_MEMBER_GROUP_PREFIX`).
const SYNC_BROKER_MEMBER_GROUP_PREFIX: &str = "rmq_sys_SYNC_BROKER_MEMBER_";

impl RouteInfoManager {
    /// The route of `topic`, or `None` when no broker serves it (the caller
    /// answers TOPIC_NOT_EXIST). `orderTopicConf` is the caller's to add.
    pub fn pickup_topic_route_data(&self, topic: &str) -> Option<TopicRouteData> {
        let queues = self.topic_queue_table.get(topic)?;
        let mut route =
            TopicRouteData { queue_datas: queues.values().cloned().collect(), ..Default::default() };
        for name in queues.keys() {
            let Some(data) = self.broker_addr_table.get(name) else { continue };
            route.broker_datas.push(data.clone());
            if self.filter_server_table.is_empty() {
                continue;
            }
            for addr in data.broker_addrs.values() {
                if let Some(list) = self.filter_server_table.get(&BrokerAddrInfo::new(&data.cluster, addr)) {
                    route.filter_server_table.insert(addr.clone(), list.clone());
                }
            }
        }
        if route.broker_datas.is_empty() {
            return None;
        }
        route.topic_queue_mapping_by_broker = self.topic_queue_mapping_info_table.get(topic).cloned();
        if self.config.support_acting_master && !topic.starts_with(SYNC_BROKER_MEMBER_GROUP_PREFIX) {
            rewrite_acting_masters(&mut route);
        }
        Some(route)
    }

    /// Every group and every cluster's group names.
    pub fn cluster_info(&self) -> ClusterInfo {
        ClusterInfo {
            broker_addr_table: self.broker_addr_table.clone(),
            cluster_addr_table: self.cluster_addr_table.clone(),
        }
    }

    /// Every topic with a route.
    pub fn all_topic_list(&self) -> TopicList {
        TopicList { broker_addr: None, topic_list: self.topic_queue_table.keys().cloned().collect() }
    }

    /// Topics served by any group of `cluster` (empty for unknown clusters).
    pub fn topics_by_cluster(&self, cluster: &str) -> TopicList {
        let mut list = TopicList::default();
        for name in self.cluster_addr_table.get(cluster).into_iter().flatten() {
            let served = self.topic_queue_table.iter().filter(|(_, q)| q.contains_key(name));
            list.topic_list.extend(served.map(|(topic, _)| topic.clone()));
        }
        list
    }

    /// Cluster and group names (each is also a topic), plus one broker's
    /// address so tools know where to ask for more.
    pub fn system_topic_list(&self) -> TopicList {
        let mut list = TopicList::default();
        for (cluster, names) in &self.cluster_addr_table {
            list.topic_list.insert(cluster.clone());
            list.topic_list.extend(names.iter().cloned());
        }
        list.broker_addr =
            self.broker_addr_table.values().find_map(|b| b.broker_addrs.values().next().cloned());
        list
    }

    /// Topics whose (first) queue data matches `keep(topicSysFlag)`.
    fn topics_by_flag(&self, keep: impl Fn(i32) -> bool) -> TopicList {
        let matching = self
            .topic_queue_table
            .iter()
            .filter(|(_, q)| q.values().next().is_some_and(|qd| keep(qd.topic_sys_flag)));
        TopicList { broker_addr: None, topic_list: matching.map(|(t, _)| t.clone()).collect() }
    }

    /// GET_UNIT_TOPIC_LIST.
    pub fn unit_topics(&self) -> TopicList {
        self.topics_by_flag(|f| f & FLAG_UNIT != 0)
    }

    /// GET_HAS_UNIT_SUB_TOPIC_LIST.
    pub fn has_unit_sub_topics(&self) -> TopicList {
        self.topics_by_flag(|f| f & FLAG_UNIT_SUB != 0)
    }

    /// GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST.
    pub fn has_unit_sub_un_unit_topics(&self) -> TopicList {
        self.topics_by_flag(|f| f & FLAG_UNIT == 0 && f & FLAG_UNIT_SUB != 0)
    }

    /// The members of one group (empty when unknown).
    pub fn broker_member_group(&self, cluster: &str, broker_name: &str) -> BrokerMemberGroup {
        BrokerMemberGroup {
            broker_addrs: self
                .broker_addr_table
                .get(broker_name)
                .map(|b| b.broker_addrs.clone())
                .unwrap_or_default(),
            broker_name: broker_name.to_owned(),
            cluster: cluster.to_owned(),
        }
    }

    /// DELETE_TOPIC_IN_NAMESRV: the whole topic, or only the queues of
    /// `cluster`'s groups when one is given (non-empty).
    pub fn delete_topic(&mut self, topic: &str, cluster: Option<&str>) {
        match cluster.filter(|c| !c.is_empty()) {
            None => {
                self.topic_queue_table.remove(topic);
            }
            Some(cluster) => {
                let names: Vec<String> =
                    self.cluster_addr_table.get(cluster).into_iter().flatten().cloned().collect();
                for name in names {
                    self.remove_queue_data(topic, &name);
                }
            }
        }
    }

    /// REGISTER_TOPIC_IN_NAMESRV: adds queue data of registered groups;
    /// the whole call is ignored if any group is unknown (as in Java).
    pub fn register_topic(&mut self, topic: &str, queue_datas: &[QueueData]) {
        if queue_datas.is_empty() {
            return;
        }
        if let Some(bad) = queue_datas.iter().find(|qd| !self.broker_addr_table.contains_key(&qd.broker_name))
        {
            tracing::warn!(topic, broker = %bad.broker_name, "register topic names an unknown broker; ignored");
            return;
        }
        let queues = self.topic_queue_table.entry(topic.to_owned()).or_default();
        for qd in queue_datas {
            queues.insert(qd.broker_name.clone(), qd.clone());
        }
    }

    /// WIPE_WRITE_PERM_OF_BROKER: clears WRITE on every queue of the group;
    /// returns how many topics it touched.
    pub fn wipe_write_perm_of_broker(&mut self, broker_name: &str) -> i32 {
        self.edit_perm(broker_name, |perm| perm & !PERM_WRITE)
    }

    /// ADD_WRITE_PERM_OF_BROKER: sets READ|WRITE on every queue of the group.
    pub fn add_write_perm_of_broker(&mut self, broker_name: &str) -> i32 {
        self.edit_perm(broker_name, |_| PERM_READ | PERM_WRITE)
    }

    fn edit_perm(&mut self, broker_name: &str, edit: impl Fn(i32) -> i32) -> i32 {
        let mut count = 0i32;
        for qd in self.topic_queue_table.values_mut().filter_map(|q| q.get_mut(broker_name)) {
            qd.perm = edit(qd.perm);
            count = count.saturating_add(1);
        }
        count
    }
}

/// For groups without a master that run acting master and whose queues are
/// read-only, the lowest-id member is announced under id 0 so that clients
/// that read from "the master" still find a broker.
fn rewrite_acting_masters(route: &mut TopicRouteData) {
    let any_masterless = route
        .broker_datas
        .iter()
        .any(|b| !b.broker_addrs.is_empty() && !b.broker_addrs.contains_key(&MASTER_ID));
    if !any_masterless {
        return;
    }
    for data in &mut route.broker_datas {
        if data.broker_addrs.is_empty()
            || data.broker_addrs.contains_key(&MASTER_ID)
            || !data.enable_acting_master
        {
            continue;
        }
        let read_only = route
            .queue_datas
            .iter()
            .find(|qd| qd.broker_name == data.broker_name)
            .is_some_and(|qd| qd.perm & PERM_WRITE == 0);
        if read_only && let Some((_, addr)) = data.broker_addrs.pop_first() {
            data.broker_addrs.insert(MASTER_ID, addr);
        }
    }
}
