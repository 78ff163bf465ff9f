//! The `mqnamesrv` command line (spec/config.md §2): `-c/--configFile`,
//! `-p/--printConfigItem`, `-h/--help`, and `-n/--namesrvAddr` (accepted
//! and ignored, as by RocketMQ's name server), parsed by
//! `booster_remoting::process`. Anything else is a usage error (exit 1).

use std::path::PathBuf;

use booster_conf::{ConfigError, Loaded, NamesrvConfig};

/// RocketMQ's usage text for mqnamesrv (commons-cli layout).
pub const USAGE: &str = "\
usage: mqnamesrv [-c <arg>] [-h] [-n <arg>] [-p]
 -c,--configFile <arg>    Name server config properties file
 -h,--help                Print help
 -n,--namesrvAddr <arg>   Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'
 -p,--printConfigItem     Print all config items
";

/// What the command line asks for; parsed by [`parse_args`], the parser all
/// server binaries share.
pub use booster_remoting::process::{ServerCommand as Command, parse_server_args as parse_args};

/// Defaults overlaid with the config file, if any (the controller keys too
/// when `enableControllerInNamesrv=true`); like RocketMQ, `configStorePath`
/// becomes the file given with `-c`.
pub fn load_config(config_file: Option<&PathBuf>) -> Result<Loaded<NamesrvConfig>, ConfigError> {
    match config_file {
        None => Ok(Loaded {
            config: NamesrvConfig::default(),
            properties: booster_conf::Properties::new("<defaults>"),
            unknown_keys: Vec::new(),
        }),
        Some(path) => {
            let mut loaded = NamesrvConfig::load_file(path)?;
            loaded.config.config_store_path.clone_from(path);
            Ok(loaded)
        }
    }
}

/// `-p` output: every setting as `key=value`, sorted by key.
pub fn print_config(config: &NamesrvConfig) -> String {
    config.to_properties().into_iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags() {
        assert_eq!(parse(&[]), Ok(Command::Run { config_file: None, print_config: false }));
        assert_eq!(parse(&["-h"]), Ok(Command::Help));
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        let run = |f: &str, p| Ok(Command::Run { config_file: Some(PathBuf::from(f)), print_config: p });
        assert_eq!(parse(&["-c", "a.conf", "-p"]), run("a.conf", true));
        assert_eq!(parse(&["--configFile=b.conf"]), run("b.conf", false));
        assert_eq!(parse(&["-cc.conf", "--printConfigItem"]), run("c.conf", true));
        assert_eq!(parse(&["-n", "x:1", "--configFile", "d.conf"]), run("d.conf", false));
    }

    #[test]
    fn usage_errors() {
        assert_eq!(parse(&["-x"]), Err("Unrecognized option: -x".into()));
        assert_eq!(parse(&["-c"]), Err("Missing argument for option: c".into()));
        assert!(parse(&["stray"]).is_err());
    }

    #[test]
    fn config_file_sets_store_path_and_dump_lists_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("namesrv.conf");
        std::fs::write(&path, "listenPort=1234\n").unwrap();
        let loaded = load_config(Some(&path)).unwrap();
        assert_eq!(loaded.config.listen_port, 1234);
        assert_eq!(loaded.config.config_store_path, path);
        let dump = print_config(&loaded.config);
        assert!(dump.contains("listenPort=1234\n"), "{dump}");
        assert!(dump.contains("enableControllerInNamesrv=false\n"), "{dump}");
        assert_eq!(load_config(None).unwrap().config, NamesrvConfig::default());
    }
}
