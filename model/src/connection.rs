//! Client connection lists (`mqadmin consumerConnection` /
//! `producerConnection`): GET_CONSUMER_CONNECTION_LIST (203) answers a
//! [`ConsumerConnection`], GET_PRODUCER_CONNECTION_LIST (204) a
//! [`ProducerConnection`] (Java package `remoting/protocol/body`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::heartbeat::{ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData};
use crate::lenient::{self, lenient_struct};

/// One client connection (`Connection.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientConnection {
    /// `ip:port` of the client's socket as the broker sees it.
    #[serde(deserialize_with = "lenient::de")]
    pub client_addr: String,
    #[serde(deserialize_with = "lenient::de")]
    pub client_id: String,
    /// LanguageCode name (`JAVA`, `CPP`, `RUST`, …).
    #[serde(deserialize_with = "lenient::de")]
    pub language: String,
    /// The client's remoting version.
    #[serde(deserialize_with = "lenient::de")]
    pub version: i32,
}

/// GET_CONSUMER_CONNECTION_LIST body (`ConsumerConnection.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerConnection {
    #[serde(deserialize_with = "lenient::de")]
    pub connection_set: Vec<ClientConnection>,
    #[serde(deserialize_with = "lenient::de")]
    pub consume_from_where: ConsumeFromWhere,
    #[serde(deserialize_with = "lenient::de")]
    pub consume_type: ConsumeType,
    #[serde(deserialize_with = "lenient::de")]
    pub message_model: MessageModel,
    /// topic → the group's subscription.
    #[serde(deserialize_with = "lenient::de")]
    pub subscription_table: BTreeMap<String, SubscriptionData>,
}

/// GET_PRODUCER_CONNECTION_LIST body (`ProducerConnection.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProducerConnection {
    #[serde(deserialize_with = "lenient::de")]
    pub connection_set: Vec<ClientConnection>,
}

lenient_struct!(ClientConnection, ConsumerConnection, ProducerConnection);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_rocketmq_json, to_rocketmq_json};

    #[test]
    fn bodies_round_trip_with_java_names() {
        let conn = ClientConnection {
            client_addr: "127.0.0.1:5000".into(),
            client_id: "10.0.0.1@1".into(),
            language: "JAVA".into(),
            version: 479,
        };
        let mut body = ConsumerConnection {
            connection_set: vec![conn.clone()],
            consume_type: ConsumeType::ConsumeActively,
            ..Default::default()
        };
        body.subscription_table
            .insert("T".into(), SubscriptionData { topic: "T".into(), ..Default::default() });
        let text = to_rocketmq_json(&body, false);
        assert!(
            text.starts_with("{\"connectionSet\":[{\"clientAddr\":\"127.0.0.1:5000\",\"clientId\""),
            "{text}"
        );
        assert!(
            text.contains("\"consumeType\":\"CONSUME_ACTIVELY\",\"messageModel\":\"CLUSTERING\""),
            "{text}"
        );
        assert_eq!(from_rocketmq_json::<ConsumerConnection>(&text).unwrap(), body);

        let p = ProducerConnection { connection_set: vec![conn] };
        assert_eq!(
            to_rocketmq_json(&p, false),
            "{\"connectionSet\":[{\"clientAddr\":\"127.0.0.1:5000\",\"clientId\":\"10.0.0.1@1\",\
             \"language\":\"JAVA\",\"version\":479}]}"
        );
        assert_eq!(
            from_rocketmq_json::<ProducerConnection>("{\"connectionSet\":null}").unwrap(),
            Default::default()
        );
    }
}
