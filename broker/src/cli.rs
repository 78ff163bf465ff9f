//! `mqbroker` command line (spec/config.md §2): `-c/--configFile <file>`,
//! `-n/--namesrvAddr <addrs>`, `-p/--printConfigItem`,
//! `-m/--printImportantConfig`, `-h/--help`. Parsing is pure (the parser
//! all server binaries share, `booster_remoting::process`) so it is tested
//! without running a process.

use std::path::PathBuf;

use booster_remoting::process::{self, CliOption};

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

/// The server options plus `-m`.
const OPTIONS: [CliOption; 5] = [
    process::CONFIG_FILE,
    process::HELP,
    process::NAMESRV_ADDR,
    process::PRINT_CONFIG,
    CliOption { short: 'm', long: "printImportantConfig", takes_value: false },
];

/// Parses the arguments after the program name; `Err` is the message to
/// print before the usage (exit 1).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<BrokerArgs, String> {
    let line = process::parse_command_line(&OPTIONS, args)?;
    Ok(BrokerArgs {
        config_file: line.value('c').map(PathBuf::from),
        namesrv_addr: line.value('n').map(str::to_owned),
        print_config: line.has('p'),
        print_important_config: line.has('m'),
        help: line.has('h'),
    })
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
