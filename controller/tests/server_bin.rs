//! The `mqcontroller` binary: command line, config errors, boot and SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use booster_remoting::{RemotingClient, RemotingCommand, request};

fn mqcontroller(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mqcontroller")).args(args).output().unwrap()
}

fn write_conf(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("controller.conf");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn usage_and_config_errors() {
    let help = mqcontroller(&["-h"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).starts_with("usage: mqcontroller"));
    assert_eq!(mqcontroller(&["-x"]).status.code(), Some(1));

    let dir = tempfile::tempdir().unwrap();
    let conf = write_conf(
        &dir,
        "controllerDLegerGroup=g\ncontrollerDLegerPeers=n0-127.0.0.1:1\ncontrollerDLegerSelfId=n1\n",
    );
    let out = mqcontroller(&["-c", &conf]);
    assert_eq!(out.status.code(), Some(255));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("controllerDLegerSelfId"), "{stderr}");

    let out = mqcontroller(&["-c", &conf, "-p"]);
    assert_eq!(out.status.code(), Some(0), "-p dumps even an unchecked config");
    assert!(String::from_utf8_lossy(&out.stdout).contains("controllerDLegerSelfId=n1\n"));
}

/// Kills the child if the test fails before it exits.
struct Reaper(u32);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", &self.0.to_string()]).status();
    }
}

#[tokio::test]
async fn boots_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let peer = format!("127.0.0.1:{port}");
    let conf = write_conf(
        &dir,
        &format!(
            "controllerDLegerGroup=g\ncontrollerDLegerPeers=n0-{peer}\ncontrollerDLegerSelfId=n0\ncontrollerStorePath={}\n",
            dir.path().join("store").display()
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_mqcontroller"))
        .args(["-c", &conf])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _reaper = Reaper(child.id());
    let stdout = child.stdout.take().unwrap();
    let boot = tokio::task::spawn_blocking(move || BufReader::new(stdout).lines().next().map(|l| l.unwrap()));
    let line = tokio::time::timeout(Duration::from_secs(30), boot).await.expect("boot line in time").unwrap();
    assert!(line.is_some_and(|l| l.contains("boot success") && l.contains(&peer)));

    let client = RemotingClient::default();
    let metadata = RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO);
    let resp = client.invoke(&peer, metadata, Duration::from_secs(5)).await.unwrap();
    assert_eq!((resp.code, resp.ext("group")), (0, Some("g")));

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap());
    let status = tokio::time::timeout(Duration::from_secs(30), status).await.expect("exits in time").unwrap();
    assert_eq!(status.code(), Some(0));
}
