//! Running a bench binary and reading its `BENCH` lines.

use std::collections::HashMap;
use std::process::Command;

/// The `key=value` pairs of every `BENCH <bench> ...` line of `stdout`.
pub fn bench_lines(stdout: &str, bench: &str) -> Vec<HashMap<String, String>> {
    let prefix = format!("BENCH {bench} ");
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// Runs `cmd` and asserts it exits successfully; returns its stdout.
pub fn run_ok(cmd: &mut Command, name: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {name}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    stdout
}

/// The numeric value of `k` in one BENCH line.
pub fn num(l: &HashMap<String, String>, k: &str) -> f64 {
    l.get(k).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{k} in {l:?}"))
}
