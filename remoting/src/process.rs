//! Process plumbing shared by the server binaries (`mqnamesrv`, `mqbroker`,
//! `booster quickstart`): logging to stderr and waiting for the signal to
//! stop. Lives here because every one of them is a remoting server on
//! tokio; nothing else in this crate uses it.

/// Logs to stderr, filtered by `RUST_LOG` or else `default_filter`
/// (`"info"`, `"warn"`, ...). Stdout stays free for what RocketMQ prints
/// there (boot lines, config dumps). A second call is a no-op.
pub fn init_logging(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Resolves on ctrl-c or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only ctrl-c stops the process");
            }
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
