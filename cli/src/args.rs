//! `booster` command lines, parsed without side effects.

use std::path::PathBuf;

pub const USAGE: &str = "\
usage: booster <command> [options]

commands:
  quickstart    run a name server and brokers in this process (loopback only)

booster quickstart [--replicas N] [--dir DIR] [--namesrv-port PORT] [--broker-port PORT]
                   [--controller-port PORT] [--set key=value]...
  --replicas N          1 (default): one standalone master; 2-9: one broker group of N
                        replicas in controller mode, the controller embedded in the name
                        server; master and SyncStateSet changes are printed as they happen
  --dir DIR             where the broker stores and name-server files go (default ./booster-quickstart)
  --namesrv-port PORT   name server port (default 9876; 0 picks a free port)
  --broker-port PORT    first broker's port (default 10911; replica i uses PORT + 10*(i-1);
                        0 picks free ports)
  --controller-port PORT
                        embedded controller port (default 9877; 0 picks a free port)
  --set key=value       any broker.conf setting, e.g. --set mappedFileSizeCommitLog=67108864
  -h, --help            this text
";

/// What `booster quickstart` was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickstartArgs {
    pub dir: PathBuf,
    pub namesrv_port: u16,
    pub broker_port: u16,
    /// Replicas of the one broker group; more than one means controller mode.
    pub replicas: u8,
    pub controller_port: u16,
    /// Extra broker settings, applied after the quickstart's own.
    pub broker_settings: Vec<(String, String)>,
}

impl Default for QuickstartArgs {
    fn default() -> Self {
        QuickstartArgs {
            dir: PathBuf::from("./booster-quickstart"),
            namesrv_port: 9876,
            broker_port: 10911,
            replicas: 1,
            controller_port: 9877,
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
            "--replicas" => "--replicas",
            "--controller-port" => "--controller-port",
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
            "--controller-port" => out.controller_port = port(&value).map_err(invalid)?,
            "--replicas" => out.replicas = replicas(&value).map_err(invalid)?,
            _ => out.broker_settings.push(setting(&value).map_err(invalid)?),
        }
    }
    check_ports(&out)?;
    Ok(Parsed::Quickstart(out))
}

/// Fixed ports must not collide: each broker takes its port and the next
/// (HA), the embedded controller one more.
fn check_ports(a: &QuickstartArgs) -> Result<(), CliError> {
    let clash = |flag: &'static str, port: u16, owner: &str| CliError::Invalid {
        flag,
        reason: format!("{port} is also {owner} port"),
    };
    let brokers: Vec<u16> = if a.broker_port == 0 {
        Vec::new()
    } else {
        (0..u16::from(a.replicas))
            .flat_map(|i| [a.broker_port + 10 * i, a.broker_port + 10 * i + 1])
            .collect()
    };
    if a.namesrv_port != 0 && brokers.contains(&a.namesrv_port) {
        return Err(clash("--broker-port", a.broker_port, "the name server's"));
    }
    if a.replicas > 1 && a.controller_port != 0 {
        if a.controller_port == a.namesrv_port {
            return Err(clash("--controller-port", a.controller_port, "the name server's"));
        }
        if brokers.contains(&a.controller_port) {
            return Err(clash("--controller-port", a.controller_port, "a broker's"));
        }
    }
    Ok(())
}

fn replicas(text: &str) -> Result<u8, String> {
    match text.trim().parse::<u8>() {
        Ok(n @ 1..=9) => Ok(n),
        _ => Err(format!("{text:?} is not a replica count (1-9)")),
    }
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
        assert_eq!(
            parse(&["quickstart", "--replicas", "10"]).unwrap_err().to_string(),
            "booster quickstart: --replicas: \"10\" is not a replica count (1-9)"
        );
        assert_eq!(
            parse(&["quickstart", "--replicas", "3", "--namesrv-port", "10921"]).unwrap_err().to_string(),
            "booster quickstart: --broker-port: 10911 is also the name server's port"
        );
        assert_eq!(
            parse(&["quickstart", "--replicas", "2", "--controller-port", "10912"]).unwrap_err().to_string(),
            "booster quickstart: --controller-port: 10912 is also a broker's port"
        );
    }

    #[test]
    fn replicas_select_controller_mode_ports() {
        let q = qs(&["quickstart", "--replicas=3", "--controller-port", "0"]);
        assert_eq!((q.replicas, q.controller_port), (3, 0));
        assert_eq!(qs(&["quickstart"]).replicas, 1);
    }
}
