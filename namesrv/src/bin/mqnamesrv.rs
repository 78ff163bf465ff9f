//! `mqnamesrv [-c namesrv.conf] [-p] [-h]`: parse the command line and the
//! config file, start the name server, run until SIGTERM or ctrl-c.
//!
//! Exit codes follow RocketMQ: 0 after `-h`/`-p`, 1 for a usage error, 255
//! (Java's `System.exit(-1)`) when the config or the start fails. Logs go to
//! stderr (`RUST_LOG` filters them, default `info`); stdout carries only
//! what RocketMQ prints there (config dump, boot line).

use std::process::ExitCode;

use booster_namesrv::cli::{self, Command};
use booster_remoting::process::{init_logging, run_on_runtime, shutdown_signal};

fn main() -> ExitCode {
    let command = match cli::parse_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{message}");
            eprint!("{}", cli::USAGE);
            return ExitCode::from(1);
        }
    };
    let (config_file, print_config) = match command {
        Command::Help => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Command::Run { config_file, print_config } => (config_file, print_config),
    };

    init_logging("info");
    let loaded = match cli::load_config(config_file.as_ref()) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("mqnamesrv: {e}");
            return ExitCode::from(255);
        }
    };
    if let Some(path) = &config_file {
        println!("load config properties file OK, {}", path.display());
    }
    for unknown in &loaded.unknown_keys {
        tracing::info!(key = %unknown.key, line = unknown.line, "config key not used by the name server");
    }
    if print_config {
        print!("{}", cli::print_config(&loaded.config));
        return ExitCode::SUCCESS;
    }

    run_on_runtime("mqnamesrv", run(loaded.config))
}

async fn run(config: booster_namesrv::NamesrvConfig) -> ExitCode {
    let bind_address = config.bind_address.clone();
    let handle = match booster_namesrv::start(config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("mqnamesrv: {e}");
            return ExitCode::from(255);
        }
    };
    let tip = format!(
        "The Name Server boot success. serializeType=JSON, address {bind_address}:{}",
        handle.local_addr().port()
    );
    tracing::info!("{tip}");
    println!("{tip}");

    shutdown_signal().await;
    tracing::info!("shutdown signal received; stopping the name server");
    handle.shutdown();
    ExitCode::SUCCESS
}
