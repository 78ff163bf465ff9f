//! Process plumbing shared by the server binaries (`mqnamesrv`,
//! `mqcontroller`, `mqbroker`, `booster quickstart`): their command line,
//! logging to stderr, the async runtime and waiting for the signal to stop.
//! Lives here because every one of them is a remoting server on tokio;
//! nothing else in this crate uses it.

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

/// One option of a server's command line, in the Apache commons-cli shape
/// RocketMQ's startup classes use: `-c <arg>` / `--configFile <arg>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CliOption {
    pub short: char,
    pub long: &'static str,
    pub takes_value: bool,
}

/// `-c,--configFile <arg>`.
pub const CONFIG_FILE: CliOption = CliOption { short: 'c', long: "configFile", takes_value: true };
/// `-h,--help`.
pub const HELP: CliOption = CliOption { short: 'h', long: "help", takes_value: false };
/// `-n,--namesrvAddr <arg>`.
pub const NAMESRV_ADDR: CliOption = CliOption { short: 'n', long: "namesrvAddr", takes_value: true };
/// `-p,--printConfigItem`.
pub const PRINT_CONFIG: CliOption = CliOption { short: 'p', long: "printConfigItem", takes_value: false };

/// The options every RocketMQ server accepts (`ServerUtil.buildCommandlineOptions`
/// plus `-c` and `-p`).
pub const SERVER_OPTIONS: [CliOption; 4] = [CONFIG_FILE, HELP, NAMESRV_ADDR, PRINT_CONFIG];

/// A parsed command line: which options were given, with their values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    given: Vec<(char, Option<String>)>,
}

impl CommandLine {
    /// Whether the option with this short name was given.
    pub fn has(&self, short: char) -> bool {
        self.given.iter().any(|(s, _)| *s == short)
    }

    /// The value of the option's last occurrence.
    pub fn value(&self, short: char) -> Option<&str> {
        self.given.iter().rev().find(|(s, _)| *s == short).and_then(|(_, v)| v.as_deref())
    }
}

/// Parses the arguments after the program name against `options`:
/// `-x`, `-x <value>`, `-x<value>`, `--long`, `--long <value>` and
/// `--long=<value>`. `Err` carries commons-cli's message, printed before
/// the usage (exit 1).
pub fn parse_command_line(
    options: &[CliOption],
    args: impl IntoIterator<Item = String>,
) -> Result<CommandLine, String> {
    let mut line = CommandLine::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (option, attached) = match_option(options, &arg)?;
        let value = match (option.takes_value, attached) {
            (false, _) => None,
            (true, Some(v)) => Some(v),
            (true, None) => {
                Some(args.next().ok_or_else(|| format!("Missing argument for option: {}", option.short))?)
            }
        };
        line.given.push((option.short, value));
    }
    Ok(line)
}

/// The option `arg` names and a value written into the same argument.
fn match_option<'a>(options: &'a [CliOption], arg: &str) -> Result<(&'a CliOption, Option<String>), String> {
    let unrecognized = || format!("Unrecognized option: {arg}");
    if let Some(long) = arg.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (long, None),
        };
        return options.iter().find(|o| o.long == name).map(|o| (o, inline)).ok_or_else(unrecognized);
    }
    let mut chars = arg.strip_prefix('-').ok_or_else(unrecognized)?.chars();
    let short = chars.next().ok_or_else(unrecognized)?;
    let rest = chars.as_str();
    let option = options.iter().find(|o| o.short == short).ok_or_else(unrecognized)?;
    match (rest.is_empty(), option.takes_value) {
        (true, _) => Ok((option, None)),
        (false, true) => Ok((option, Some(rest.to_owned()))),
        (false, false) => Err(unrecognized()),
    }
}

/// What a name server or controller command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerCommand {
    Help,
    Run { config_file: Option<PathBuf>, print_config: bool },
}

/// [`SERVER_OPTIONS`] read as a [`ServerCommand`]; `-n` is accepted and
/// ignored, as by RocketMQ's name server and controller.
pub fn parse_server_args(args: impl IntoIterator<Item = String>) -> Result<ServerCommand, String> {
    let line = parse_command_line(&SERVER_OPTIONS, args)?;
    if line.has(HELP.short) {
        return Ok(ServerCommand::Help);
    }
    Ok(ServerCommand::Run {
        config_file: line.value(CONFIG_FILE.short).map(PathBuf::from),
        print_config: line.has(PRINT_CONFIG.short),
    })
}

/// Runs a server's main future on a multi-threaded tokio runtime; exit 255
/// (Java's `System.exit(-1)`) when the runtime cannot start.
pub fn run_on_runtime(program: &str, main: impl Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(main),
        Err(e) => {
            eprintln!("{program}: cannot start the async runtime: {e}");
            ExitCode::from(255)
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CommandLine, String> {
        parse_command_line(&SERVER_OPTIONS, args.iter().map(|s| s.to_string()))
    }

    fn server(args: &[&str]) -> Result<ServerCommand, String> {
        parse_server_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn every_spelling_of_an_option() {
        for args in [
            &["-c", "a.conf"][..],
            &["-ca.conf"],
            &["--configFile", "a.conf"],
            &["--configFile=a.conf"],
            &["-c", "x.conf", "-c", "a.conf"],
        ] {
            let line = parse(args).unwrap();
            assert_eq!(line.value('c'), Some("a.conf"), "{args:?}");
            assert!(line.has('c') && !line.has('p'), "{args:?}");
        }
        let line = parse(&["-p", "--help", "-n", "h:1;h:2"]).unwrap();
        assert!(line.has('p') && line.has('h'));
        assert_eq!((line.value('n'), line.value('p')), (Some("h:1;h:2"), None));
        assert_eq!(parse(&[]).unwrap(), CommandLine::default());
    }

    #[test]
    fn usage_errors_carry_commons_cli_messages() {
        assert_eq!(parse(&["-x"]), Err("Unrecognized option: -x".into()));
        assert_eq!(parse(&["--bogus"]), Err("Unrecognized option: --bogus".into()));
        assert_eq!(parse(&["-pz"]), Err("Unrecognized option: -pz".into()));
        assert_eq!(parse(&["stray"]), Err("Unrecognized option: stray".into()));
        assert_eq!(parse(&["-"]), Err("Unrecognized option: -".into()));
        assert_eq!(parse(&["-c"]), Err("Missing argument for option: c".into()));
        assert_eq!(parse(&["-p", "--namesrvAddr"]), Err("Missing argument for option: n".into()));
    }

    #[test]
    fn extra_options_extend_the_server_set() {
        let important = CliOption { short: 'm', long: "printImportantConfig", takes_value: false };
        let options = [CONFIG_FILE, HELP, NAMESRV_ADDR, PRINT_CONFIG, important];
        let line = parse_command_line(&options, ["--printImportantConfig".to_owned()]).unwrap();
        assert!(line.has('m'));
        assert!(parse(&["-m"]).is_err(), "-m is not a server option");
    }

    #[test]
    fn server_commands() {
        assert_eq!(server(&[]), Ok(ServerCommand::Run { config_file: None, print_config: false }));
        assert_eq!(server(&["-c", "a.conf", "-h"]), Ok(ServerCommand::Help));
        assert_eq!(
            server(&["-n", "x:1", "-p", "-cb.conf"]),
            Ok(ServerCommand::Run { config_file: Some(PathBuf::from("b.conf")), print_config: true })
        );
        assert!(server(&["-h", "-x"]).is_err(), "an unknown option fails the whole line, as in commons-cli");
    }

    #[test]
    fn runs_a_future_on_a_runtime() {
        let code = run_on_runtime("test", async {
            tokio::task::yield_now().await;
            ExitCode::from(7)
        });
        assert_eq!(code, ExitCode::from(7));
    }
}
