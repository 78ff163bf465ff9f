//! Runs `producer_bench --standalone` briefly (sends and pulls at once, plus
//! the loopback echo) and checks its machine-readable lines.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

fn bench_lines(stdout: &str) -> Vec<HashMap<String, String>> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH producer_bench "))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn standalone_run_sends_and_pulls_without_failures() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_producer_bench"))
        .args(["--standalone", "--mode", "both", "--threads", "2", "--size", "256"])
        .args(["--warmup", "300ms", "--duration", "2s", "--loopback", "500ms"])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .expect("run producer_bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());

    let lines = bench_lines(&stdout);
    let run = |name: &str| {
        lines
            .iter()
            .find(|l| l.get("run").map(String::as_str) == Some(name))
            .unwrap_or_else(|| panic!("no BENCH line with run={name}\n{stdout}"))
    };
    let num = |l: &HashMap<String, String>, k: &str| -> f64 {
        l.get(k).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{k} in {l:?}"))
    };
    let produce = run("produce");
    assert!(num(produce, "tps") > 0.0, "{stdout}");
    assert_eq!(num(produce, "failures"), 0.0, "{stdout}");
    assert!(num(produce, "p50_us") > 0.0, "{stdout}");
    let consume = run("consume");
    assert!(num(consume, "msgs") > 0.0, "{stdout}");
    assert_eq!(num(consume, "failures"), 0.0, "{stdout}");
    let loopback = run("loopback");
    assert!(num(loopback, "tps") > 0.0, "{stdout}");
    // The temp store is removed (no --keep).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{stdout}");
}
