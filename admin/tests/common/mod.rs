//! A name server and a broker in-process on port 0, and a runner for the
//! real `mqadmin` binary against them.
#![allow(dead_code)]

use std::process::Output;
use std::time::Duration;

use booster_broker::BrokerHandle;
use booster_conf::{BrokerStartupConfig, NamesrvConfig};
use booster_namesrv::NamesrvHandle;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{SendMessageRequestHeaderV2, SendMessageResponseHeader};
use booster_remoting::{RemotingClient, RemotingCommand, request};
use tempfile::TempDir;

pub mod fake;

pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const CLUSTER: &str = "TestCluster";

pub struct Cluster {
    pub namesrv: NamesrvHandle,
    pub broker: BrokerHandle,
    pub _dir: TempDir,
}

impl Cluster {
    pub async fn start() -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let namesrv = booster_namesrv::start(NamesrvConfig {
            listen_port: 0,
            bind_address: "127.0.0.1".into(),
            kv_config_path: dir.path().join("kvConfig.json"),
            config_store_path: dir.path().join("namesrv.properties"),
            ..NamesrvConfig::default()
        })
        .await
        .unwrap();
        let text = format!(
            "brokerName=broker-a\nbrokerClusterName={CLUSTER}\nlistenPort=0\nbrokerIP1=127.0.0.1\nbindAddress=127.0.0.1\n\
             namesrvAddr={}\nstorePathRootDir={}\nmappedFileSizeCommitLog=1048576\nmappedFileSizeConsumeQueue=6000\n",
            namesrv.local_addr(),
            dir.path().join("store").display()
        );
        let config = BrokerStartupConfig::from_properties_str(&text, "test.conf").unwrap();
        let broker = booster_broker::start(config).await.unwrap();
        broker.register_now().await;
        Cluster { namesrv, broker, _dir: dir }
    }

    pub fn ns(&self) -> String {
        self.namesrv.local_addr().to_string()
    }

    pub fn broker_addr(&self) -> String {
        self.broker.local_addr().to_string()
    }

    /// Runs `mqadmin args…` (no NAMESRV_ADDR from the environment).
    pub async fn mqadmin(&self, args: &[&str]) -> Run {
        mqadmin(args, None).await
    }

    /// `mqadmin` with `-n <this name server>` appended.
    pub async fn mqadmin_ns(&self, args: &[&str]) -> Run {
        let ns = self.ns();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-n", ns.as_str()]);
        mqadmin(&all, None).await
    }

    /// Sends one message with SEND_MESSAGE_V2 and returns its offset msgId.
    pub async fn send(&self, topic: &str, queue_id: i32, tags: &str, keys: &str, body: &[u8]) -> String {
        let header = SendMessageRequestHeaderV2 {
            a: "PG".into(),
            b: topic.into(),
            c: "TBW102".into(),
            d: 4,
            e: queue_id,
            f: 0,
            g: 1_700_000_000_000,
            h: 0,
            i: Some(format!("TAGS\u{1}{tags}\u{2}KEYS\u{1}{keys}\u{2}WAIT\u{1}true\u{2}")),
            j: Some(0),
            k: Some(false),
            m: Some(false),
            ..Default::default()
        };
        let cmd = RemotingCommand::request(request::SEND_MESSAGE_V2)
            .with_ext(header.encode())
            .with_body(body.to_vec());
        let client = RemotingClient::default();
        let resp = client.invoke(&self.broker_addr(), cmd, TIMEOUT).await.unwrap();
        assert_eq!(resp.code, 0, "send failed: {:?}", resp.remark);
        SendMessageResponseHeader::from_command(&resp).unwrap().msg_id
    }
}

/// The outcome of one `mqadmin` run.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, Some(0), "mqadmin failed:\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        &self.stdout
    }
}

pub async fn mqadmin(args: &[&str], namesrv_env: Option<&str>) -> Run {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env = namesrv_env.map(str::to_owned);
    let out: Output = tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mqadmin"));
        cmd.args(&args).env_remove("NAMESRV_ADDR").env("TZ", "UTC");
        if let Some(v) = env {
            cmd.env("NAMESRV_ADDR", v);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Retries `mqadmin` until it succeeds (routes follow registrations,
/// which are asynchronous).
pub async fn eventually(cluster: &Cluster, args: &[&str]) -> String {
    eventually_until(cluster, args, |_| true).await.stdout
}

/// Retries `mqadmin` until it succeeds with output satisfying `done`
/// (dispatch to the consume queues is asynchronous too).
pub async fn eventually_until(cluster: &Cluster, args: &[&str], done: impl Fn(&str) -> bool) -> Run {
    let mut last = None;
    for _ in 0..100 {
        let run = cluster.mqadmin_ns(args).await;
        if run.code == Some(0) && done(&run.stdout) {
            return run;
        }
        last = Some(run);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("mqadmin {args:?} never succeeded: {last:?}");
}
