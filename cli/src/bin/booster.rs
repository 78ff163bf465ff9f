//! `booster quickstart [...]`: start, print the banner, wait for ctrl-c or
//! SIGTERM, stop cleanly. Exit codes: 0 after a clean stop or `-h`, 1 when
//! starting or stopping failed, 2 for a bad command line.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use booster_cli::args::{self, Parsed, QuickstartArgs};
use booster_cli::quickstart::Quickstart;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match args::parse(&argv) {
        Ok(Parsed::Help) => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Quickstart(a)) => a,
        Err(e) => {
            eprintln!("{e}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    init_logging();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("booster quickstart: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Logs go to stderr; the default level keeps the banner readable.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

fn run(args: &QuickstartArgs) -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")?;
    runtime.block_on(async {
        let quickstart = Quickstart::start(args).await?;
        print!("{}", quickstart.banner());
        let _ = std::io::stdout().flush();
        wait_for_signal().await;
        println!("Stopping...");
        quickstart.shutdown().await?;
        println!("Booster quickstart stopped.");
        Ok(())
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
