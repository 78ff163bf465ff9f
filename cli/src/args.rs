//! `booster` command lines, parsed without side effects.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: booster <command> [options]

commands:
  quickstart    run a name server and a broker in this process (loopback only)

booster quickstart [--dir DIR] [--namesrv-port PORT] [--broker-port PORT] [--set key=value]...
  --dir DIR             where the broker store and name-server files go (default ./booster-quickstart)
  --namesrv-port PORT   name server port (default 9876; 0 picks a free port)
  --broker-port PORT    broker port (default 10911; 0 picks a free port)
  --set key=value       any broker.conf setting, e.g. --set mappedFileSizeCommitLog=67108864
  -h, --help            this text
";

/// What `booster quickstart` was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickstartArgs {
    pub dir: PathBuf,
    pub namesrv_port: u16,
    pub broker_port: u16,
    /// Extra broker settings, applied after the quickstart's own.
    pub broker_settings: Vec<(String, String)>,
}

impl Default for QuickstartArgs {
    fn default() -> Self {
        QuickstartArgs {
            dir: PathBuf::from("./booster-quickstart"),
            namesrv_port: 9876,
            broker_port: 10911,
            broker_settings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Help,
    Quickstart(QuickstartArgs),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    #[error("booster: no command given")]
    NoCommand,
    #[error("booster: unknown command {0:?}")]
    UnknownCommand(String),
    #[error("booster quickstart: unknown option {0:?}")]
    UnknownOption(String),
    #[error("booster quickstart: {0} needs a value")]
    MissingValue(&'static str),
    #[error("booster quickstart: {flag}: {reason}")]
    Invalid { flag: &'static str, reason: String },
}

/// Parses `args` (without the program name). Options accept `--opt value`
/// and `--opt=value`.
pub fn parse<S: AsRef<str>>(args: &[S]) -> Result<Parsed, CliError> {
    let mut iter = args.iter().map(AsRef::as_ref);
    match iter.next() {
        None => Err(CliError::NoCommand),
        Some("-h" | "--help" | "help") => Ok(Parsed::Help),
        Some("quickstart") => quickstart(iter),
        Some(other) => Err(CliError::UnknownCommand(other.to_owned())),
    }
}

fn quickstart<'a>(mut iter: impl Iterator<Item = &'a str>) -> Result<Parsed, CliError> {
    let mut out = QuickstartArgs::default();
    while let Some(arg) = iter.next() {
        if matches!(arg, "-h" | "--help") {
            return Ok(Parsed::Help);
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (arg, None),
        };
        let flag: &'static str = match name {
            "--dir" => "--dir",
            "--namesrv-port" => "--namesrv-port",
            "--broker-port" => "--broker-port",
            "--set" => "--set",
            _ => return Err(CliError::UnknownOption(arg.to_owned())),
        };
        let value = match inline {
            Some(v) => v,
            None => iter.next().map(str::to_owned).ok_or(CliError::MissingValue(flag))?,
        };
        let invalid = |reason: String| CliError::Invalid { flag, reason };
        match flag {
            "--dir" if value.trim().is_empty() => return Err(invalid("the directory is empty".to_owned())),
            "--dir" => out.dir = PathBuf::from(value),
            "--namesrv-port" => out.namesrv_port = port(&value).map_err(invalid)?,
            "--broker-port" => out.broker_port = port(&value).map_err(invalid)?,
            _ => out.broker_settings.push(setting(&value).map_err(invalid)?),
        }
    }
    if out.namesrv_port != 0 && out.namesrv_port == out.broker_port {
        return Err(CliError::Invalid {
            flag: "--broker-port",
            reason: format!("{} is also the name server's port", out.broker_port),
        });
    }
    Ok(Parsed::Quickstart(out))
}

fn port(text: &str) -> Result<u16, String> {
    text.trim().parse().map_err(|_| format!("{text:?} is not a port number (0-65535)"))
}

fn setting(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err(format!("{text:?} is not key=value")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qs(args: &[&str]) -> QuickstartArgs {
        match parse(args).unwrap() {
            Parsed::Quickstart(q) => q,
            Parsed::Help => panic!("help"),
        }
    }

    #[test]
    fn defaults_and_every_option() {
        assert_eq!(qs(&["quickstart"]), QuickstartArgs::default());
        let q = qs(&[
            "quickstart",
            "--dir",
            "/tmp/x",
            "--namesrv-port=0",
            "--broker-port",
            "0",
            "--set",
            "mappedFileSizeCommitLog=1048576",
            "--set=flushDiskType = SYNC_FLUSH",
        ]);
        assert_eq!(q.dir, PathBuf::from("/tmp/x"));
        assert_eq!((q.namesrv_port, q.broker_port), (0, 0), "two zero ports are fine");
        assert_eq!(
            q.broker_settings,
            [
                ("mappedFileSizeCommitLog".into(), "1048576".into()),
                ("flushDiskType".into(), "SYNC_FLUSH".into())
            ]
        );
    }

    #[test]
    fn help_and_errors() {
        assert_eq!(parse(&["--help"]), Ok(Parsed::Help));
        assert_eq!(parse(&["quickstart", "-h"]), Ok(Parsed::Help));
        assert_eq!(parse::<&str>(&[]), Err(CliError::NoCommand));
        assert_eq!(parse(&["start"]).unwrap_err().to_string(), "booster: unknown command \"start\"");
        assert_eq!(
            parse(&["quickstart", "--port", "1"]).unwrap_err().to_string(),
            "booster quickstart: unknown option \"--port\""
        );
        assert_eq!(
            parse(&["quickstart", "--dir"]).unwrap_err().to_string(),
            "booster quickstart: --dir needs a value"
        );
        assert_eq!(
            parse(&["quickstart", "--broker-port", "70000"]).unwrap_err().to_string(),
            "booster quickstart: --broker-port: \"70000\" is not a port number (0-65535)"
        );
        assert_eq!(
            parse(&["quickstart", "--namesrv-port", "9000", "--broker-port", "9000"])
                .unwrap_err()
                .to_string(),
            "booster quickstart: --broker-port: 9000 is also the name server's port"
        );
        assert_eq!(
            parse(&["quickstart", "--set", "novalue"]).unwrap_err().to_string(),
            "booster quickstart: --set: \"novalue\" is not key=value"
        );
        assert!(parse(&["quickstart", "--dir", " "]).is_err());
    }
}
