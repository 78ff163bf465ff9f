//! `mqadmin <command> [options]`: parse, run, print. Exit codes: 0 on
//! success (and for help), 1 when the command failed (the error is printed
//! to stderr), 2 for a bad command line (nothing was sent).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use booster_admin::args::{self, Parsed};
use booster_admin::format::TimeFmt;
use booster_admin::run::{Output, run};

/// Per-request timeout (Java's admin default is 5 s).
const TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let env_namesrv = std::env::var("NAMESRV_ADDR").ok();
    let invocation = match args::parse(&argv, env_namesrv.as_deref()) {
        Ok(Parsed::Help(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(inv)) => inv,
        Err(e) => {
            eprintln!("{e}");
            match e.command().and_then(args::find) {
                Some(spec) => eprint!("{}", spec.help()),
                None => eprint!("{}", args::overview()),
            }
            return ExitCode::from(2);
        }
    };
    match execute(&invocation) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mqadmin {}: {e:#}", invocation.command.name());
            ExitCode::from(1)
        }
    }
}

fn execute(invocation: &args::Invocation) -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("tokio runtime")?;
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr());
    let mut output = Output { out: &mut stdout, warn: &mut stderr, tf: TimeFmt::Local };
    runtime.block_on(run(invocation, TIMEOUT, &mut output))?;
    Ok(())
}
