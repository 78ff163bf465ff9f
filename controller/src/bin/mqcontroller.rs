//! `mqcontroller -c controller.conf [-p] [-h]`: a standalone controller node
//! (spec/config.md §2, §5): the openraft log plus the controller requests on
//! this node's `controllerDLegerPeers` address, until SIGTERM or ctrl-c.
//!
//! Exit codes follow RocketMQ: 0 after `-h`/`-p`, 1 for a usage error, 255
//! (Java's `System.exit(-1)`) when the config or the start fails. Logs go
//! to stderr (`RUST_LOG`, default `info`); stdout carries the boot line.

use std::path::PathBuf;
use std::process::ExitCode;

use booster_conf::{ControllerConfig, Loaded, Properties};
use booster_remoting::process::{init_logging, shutdown_signal};

const USAGE: &str = "\
usage: mqcontroller [-c <arg>] [-h] [-n <arg>] [-p]
 -c,--configFile <arg>    Controller config properties file
 -h,--help                Print help
 -n,--namesrvAddr <arg>   Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'
 -p,--printConfigItem     Print all config items
";

enum Command {
    Help,
    Run { config_file: Option<PathBuf>, print_config: bool },
}

/// `-c/--configFile`, `-p/--printConfigItem`, `-h/--help`; `-n` is accepted
/// and ignored, as by RocketMQ's controller.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let (mut config_file, mut print_config) = (None, false);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |flag: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("Missing argument for option: {flag}"))
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-p" | "--printConfigItem" => print_config = true,
            "-c" | "--configFile" => config_file = Some(PathBuf::from(value("c")?)),
            "-n" | "--namesrvAddr" => {
                value("n")?;
            }
            other => return Err(format!("Unrecognized option: {other}")),
        }
    }
    Ok(Command::Run { config_file, print_config })
}

fn load(config_file: Option<&PathBuf>) -> Result<Loaded<ControllerConfig>, booster_conf::ConfigError> {
    let properties = match config_file {
        Some(path) => Properties::read_file(path)?,
        None => Properties::new("<defaults>"),
    };
    ControllerConfig::from_properties(properties)
}

fn main() -> ExitCode {
    let (config_file, print_config) = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run { config_file, print_config }) => (config_file, print_config),
        Ok(Command::Help) => {
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
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mqcontroller: cannot start the async runtime: {e}");
            return ExitCode::from(255);
        }
    };
    runtime.block_on(run(loaded.config))
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
