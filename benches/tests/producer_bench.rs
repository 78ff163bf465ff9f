//! Runs `producer_bench --standalone` briefly (sends and pulls at once, plus
//! the loopback echo) and checks its machine-readable lines.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{bench_lines, num, run_ok};

#[test]
fn standalone_run_sends_and_pulls_without_failures() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let started = Instant::now();
    let stdout = run_ok(
        Command::new(env!("CARGO_BIN_EXE_producer_bench"))
            .args(["--standalone", "--mode", "both", "--threads", "2", "--size", "256"])
            .args(["--warmup", "300ms", "--duration", "2s", "--loopback", "500ms"])
            .arg("--dir")
            .arg(dir.path()),
        "producer_bench",
    );
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());

    let lines = bench_lines(&stdout, "producer_bench");
    let run = |name: &str| {
        lines
            .iter()
            .find(|l| l.get("run").map(String::as_str) == Some(name))
            .unwrap_or_else(|| panic!("no BENCH line with run={name}\n{stdout}"))
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
