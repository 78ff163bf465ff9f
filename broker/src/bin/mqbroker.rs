//! `mqbroker -c broker.conf [-n namesrvAddr] [-p] [-m] [-h]`: parse the
//! command line and the config file, start the broker, stop it gracefully
//! on SIGINT/SIGTERM. Exit codes: 0 after a clean stop or a print/help
//! request, 1 for bad arguments or configuration, 3 when startup fails.

use std::process::ExitCode;

use anyhow::Context as _;
use booster_broker::cli::{self, BrokerArgs};
use booster_conf::BrokerStartupConfig;
use booster_remoting::process::{init_logging, shutdown_signal};

fn main() -> ExitCode {
    let args = match cli::parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\n{}", cli::USAGE);
            return ExitCode::from(1);
        }
    };
    if args.help {
        println!("{}", cli::USAGE);
        return ExitCode::SUCCESS;
    }
    init_logging("info");
    let config = match load_config(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mqbroker: {e:#}");
            return ExitCode::from(1);
        }
    };
    if args.print_config || args.print_important_config {
        for (key, value) in config.dump() {
            if args.print_config || cli::IMPORTANT_KEYS.contains(&key) {
                println!("{key}={value}");
            }
        }
        return ExitCode::SUCCESS;
    }
    match run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mqbroker: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn load_config(args: &BrokerArgs) -> anyhow::Result<BrokerStartupConfig> {
    let mut config = match &args.config_file {
        Some(path) => BrokerStartupConfig::load_file(path)?,
        None => BrokerStartupConfig::default(),
    };
    if let Some(addrs) = &args.namesrv_addr {
        config.set_namesrv_addr(addrs)?;
    }
    config.normalize();
    Ok(config)
}

fn run(config: BrokerStartupConfig) -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")?;
    runtime.block_on(async move {
        let broker = booster_broker::start(config).await.context("broker startup failed")?;
        println!(
            "The broker[{}, {}] boot success.",
            broker.context().config.broker_name,
            broker.broker_addr()
        );
        shutdown_signal().await;
        broker.shutdown().await.context("broker shutdown")
    })
}
