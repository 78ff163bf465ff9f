//! `mqbroker` command line (spec/config.md §2): `-c/--configFile <file>`,
//! `-n/--namesrvAddr <addrs>`, `-p/--printConfigItem`,
//! `-m/--printImportantConfig`, `-h/--help`. Parsing is pure so it is
//! tested without running a process.

use std::path::PathBuf;

/// What the command line asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrokerArgs {
    pub config_file: Option<PathBuf>,
    pub namesrv_addr: Option<String>,
    pub print_config: bool,
    pub print_important_config: bool,
    pub help: bool,
}

pub const USAGE: &str = "\
usage: mqbroker [-c <file>] [-n <addrs>] [-p] [-m] [-h]
 -c,--configFile <file>        Broker config properties file
 -h,--help                     Print help
 -m,--printImportantConfig     Print important config item
 -n,--namesrvAddr <addrs>      Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'
 -p,--printConfigItem          Print all config items";

/// Keys `-m` prints.
pub const IMPORTANT_KEYS: &[&str] = &[
    "brokerClusterName",
    "brokerName",
    "brokerId",
    "brokerRole",
    "brokerIP1",
    "listenPort",
    "namesrvAddr",
    "storePathRootDir",
    "storePathCommitLog",
    "flushDiskType",
    "autoCreateTopicEnable",
    "enableControllerMode",
    "controllerAddr",
];

/// Parses the arguments after the program name; `Err` is the message to
/// print before the usage (exit 1).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<BrokerArgs, String> {
    let mut out = BrokerArgs::default();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline.clone().or_else(|| it.next()).ok_or_else(|| format!("Missing argument for option: {name}"))
        };
        match flag.as_str() {
            "-c" | "--configFile" => out.config_file = Some(PathBuf::from(value("c")?)),
            "-n" | "--namesrvAddr" => out.namesrv_addr = Some(value("n")?),
            "-p" | "--printConfigItem" => out.print_config = true,
            "-m" | "--printImportantConfig" => out.print_important_config = true,
            "-h" | "--help" => out.help = true,
            other => return Err(format!("Unrecognized option: {other}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<BrokerArgs, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags() {
        let a = args(&["-c", "broker.conf", "-n", "127.0.0.1:9876", "-p"]).unwrap();
        assert_eq!(a.config_file, Some(PathBuf::from("broker.conf")));
        assert_eq!(a.namesrv_addr.as_deref(), Some("127.0.0.1:9876"));
        assert!(a.print_config && !a.help);
        let a = args(&["--configFile=x.conf", "--namesrvAddr", "h:1", "-m", "-h"]).unwrap();
        assert_eq!(a.config_file, Some(PathBuf::from("x.conf")));
        assert!(a.print_important_config && a.help);
        assert_eq!(args(&[]).unwrap(), BrokerArgs::default());
        assert!(args(&["-c"]).unwrap_err().contains("Missing argument"));
        assert!(args(&["-x"]).unwrap_err().contains("Unrecognized option: -x"));
    }
}
