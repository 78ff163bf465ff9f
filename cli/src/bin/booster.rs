//! `booster quickstart [...]`: start, print the banner (and, in controller
//! mode, every master / SyncStateSet change), wait for ctrl-c or SIGTERM,
//! stop cleanly. Exit codes: 0 after a clean stop or `-h`, 1 when
//! starting or stopping failed, 2 for a bad command line.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use booster_cli::args::{self, Parsed, QuickstartArgs};
use booster_cli::quickstart::{self, Quickstart};
use booster_cli::watch;
use booster_remoting::process::{init_logging, shutdown_signal};

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
    // Logs go to stderr; the default level keeps the banner readable.
    init_logging("warn");
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("booster quickstart: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &QuickstartArgs) -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")?;
    runtime.block_on(async {
        let quickstart = Quickstart::start(args).await?;
        print!("{}", quickstart.banner());
        let _ = std::io::stdout().flush();
        let watcher = quickstart.controller_addr().map(|controller| {
            tokio::spawn(watch::watch(controller.to_string(), quickstart::BROKER_NAME.to_owned(), |line| {
                println!("{line}");
                let _ = std::io::stdout().flush();
            }))
        });
        shutdown_signal().await;
        if let Some(w) = watcher {
            w.abort();
        }
        println!("Stopping...");
        quickstart.shutdown().await?;
        println!("Booster quickstart stopped.");
        Ok(())
    })
}
