//! `booster quickstart [...]`: start, print the banner, wait for ctrl-c or
//! SIGTERM, stop cleanly. Exit codes: 0 after a clean stop or `-h`, 1 when
//! starting or stopping failed, 2 for a bad command line.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use booster_cli::args::{self, Parsed, QuickstartArgs};
use booster_cli::quickstart::Quickstart;
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
        shutdown_signal().await;
        println!("Stopping...");
        quickstart.shutdown().await?;
        println!("Booster quickstart stopped.");
        Ok(())
    })
}
