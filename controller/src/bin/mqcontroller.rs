//! `mqcontroller -c controller.conf [-p] [-h]` (the command line every
//! server shares, `booster_remoting::process`; `-n` is accepted and ignored,
//! as by RocketMQ's controller): a standalone controller node
//! (spec/config.md §2, §5): the openraft log plus the controller requests on
//! this node's `controllerDLegerPeers` address, until SIGTERM or ctrl-c.
//!
//! Exit codes follow RocketMQ: 0 after `-h`/`-p`, 1 for a usage error, 255
//! (Java's `System.exit(-1)`) when the config or the start fails. Logs go
//! to stderr (`RUST_LOG`, default `info`); stdout carries the boot line.

use std::path::PathBuf;
use std::process::ExitCode;

use booster_conf::{ControllerConfig, Loaded, Properties};
use booster_remoting::process::{
    ServerCommand, init_logging, parse_server_args, run_on_runtime, shutdown_signal,
};

const USAGE: &str = "\
usage: mqcontroller [-c <arg>] [-h] [-n <arg>] [-p]
 -c,--configFile <arg>    Controller config properties file
 -h,--help                Print help
 -n,--namesrvAddr <arg>   Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'
 -p,--printConfigItem     Print all config items
";

fn load(config_file: Option<&PathBuf>) -> Result<Loaded<ControllerConfig>, booster_conf::ConfigError> {
    let properties = match config_file {
        Some(path) => Properties::read_file(path)?,
        None => Properties::new("<defaults>"),
    };
    ControllerConfig::from_properties(properties)
}

fn main() -> ExitCode {
    let (config_file, print_config) = match parse_server_args(std::env::args().skip(1)) {
        Ok(ServerCommand::Run { config_file, print_config }) => (config_file, print_config),
        Ok(ServerCommand::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            eprint!("{USAGE}");
            return ExitCode::from(1);
        }
    };
    init_logging("info");
    let loaded = match load(config_file.as_ref()) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("mqcontroller: {e}");
            return ExitCode::from(255);
        }
    };
    if print_config {
        print!("{}", loaded.config.to_properties_text());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = loaded.config.check(&loaded.properties) {
        eprintln!("mqcontroller: {e}");
        return ExitCode::from(255);
    }
    for unknown in &loaded.unknown_keys {
        tracing::info!(key = %unknown.key, line = unknown.line, "config key not used by the controller");
    }
    run_on_runtime("mqcontroller", run(loaded.config))
}

async fn run(config: ControllerConfig) -> ExitCode {
    let handle = match booster_controller::start(config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("mqcontroller: {e}");
            return ExitCode::from(255);
        }
    };
    let tip =
        format!("The ControllerManager boot success. serializeType=JSON, address {}", handle.local_addr());
    tracing::info!("{tip}");
    println!("{tip}");
    shutdown_signal().await;
    tracing::info!("shutdown signal received; stopping the controller");
    handle.shutdown().await;
    ExitCode::SUCCESS
}
