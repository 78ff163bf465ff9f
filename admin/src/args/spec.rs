//! The command table: RocketMQ's sub-command names, their options (short
//! letter, long name, whether a value follows) and descriptions, and the
//! help text generated from them. One table drives both parsing and `-h`,
//! so the two cannot drift apart.

/// One option of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptSpec {
    /// Usually one letter; RocketMQ also has two-letter ones (`-bn`).
    pub short: &'static str,
    pub long: &'static str,
    /// Whether a value follows (`-t TopicTest`) or it is a switch (`-m`).
    pub takes_value: bool,
    /// Shown without brackets in the usage line (validation enforces it).
    pub required: bool,
    pub desc: &'static str,
}

impl OptSpec {
    /// `-t/--topic`, the way errors name a flag.
    pub fn flag(&self) -> String {
        format!("-{}/--{}", self.short, self.long)
    }
}

/// One sub-command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    pub name: &'static str,
    pub desc: &'static str,
    /// Command-specific options; `-h` and `-n` are added to every command.
    pub opts: &'static [OptSpec],
    /// Groups of which exactly one must be given (`-b | -c`).
    pub one_of: &'static [&'static str],
}

const fn opt(short: &'static str, long: &'static str, takes_value: bool, desc: &'static str) -> OptSpec {
    OptSpec { short, long, takes_value, required: false, desc }
}

const fn req(short: &'static str, long: &'static str, desc: &'static str) -> OptSpec {
    OptSpec { short, long, takes_value: true, required: true, desc }
}

/// Options every command accepts.
pub const GLOBAL_OPTS: &[OptSpec] = &[
    opt("h", "help", false, "Print help"),
    opt("n", "namesrvAddr", true, "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'"),
];

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "clusterList",
        desc: "List cluster infos.",
        opts: &[
            opt("m", "moreStats", false, "Print more stats"),
            opt("i", "interval", true, "specify intervals numbers, it is in seconds"),
            opt("c", "clusterName", true, "which cluster"),
        ],
        one_of: &[],
    },
    CommandSpec {
        name: "topicList",
        desc: "Fetch all topic list from name server.",
        opts: &[opt("c", "clusterModel", false, "clusterModel")],
        one_of: &[],
    },
    CommandSpec {
        name: "topicRoute",
        desc: "Examine topic route info.",
        opts: &[req("t", "topic", "topic name")],
        one_of: &[],
    },
    CommandSpec {
        name: "updateTopic",
        desc: "Update or create topic.",
        opts: &[
            opt("b", "brokerAddr", true, "create topic to which broker"),
            opt("c", "clusterName", true, "create topic to which cluster"),
            req("t", "topic", "topic name"),
            opt("r", "readQueueNums", true, "set read queue nums"),
            opt("w", "writeQueueNums", true, "set write queue nums"),
            opt("p", "perm", true, "set topic's permission(2|4|6), intro[2:W 4:R; 6:RW]"),
            opt("o", "order", true, "set topic's order(true|false)"),
            opt("u", "unit", true, "is unit topic (true|false)"),
            opt("s", "hasUnitSub", true, "has unit sub (true|false)"),
            opt("a", "attributes", true, "attribute(+a=b,+c=d,-e)"),
        ],
        one_of: &["b", "c"],
    },
    CommandSpec {
        name: "deleteTopic",
        desc: "Delete topic from broker and NameServer.",
        opts: &[req("t", "topic", "topic name"), req("c", "clusterName", "delete topic from which cluster")],
        one_of: &[],
    },
    CommandSpec {
        name: "topicStatus",
        desc: "Examine topic Status info.",
        opts: &[
            req("t", "topic", "topic name"),
            opt("c", "cluster", true, "only the brokers of this cluster"),
        ],
        one_of: &[],
    },
    CommandSpec {
        name: "consumerProgress",
        desc: "Query consumer's progress, speed.",
        opts: &[
            opt("g", "groupName", true, "consumer group name"),
            opt("t", "topicName", true, "topic name"),
        ],
        one_of: &[],
    },
    CommandSpec {
        name: "brokerStatus",
        desc: "Fetch broker runtime status data.",
        opts: &[
            opt("b", "brokerAddr", true, "Broker address"),
            opt("c", "clusterName", true, "which cluster"),
        ],
        one_of: &["b", "c"],
    },
    CommandSpec {
        name: "queryMsgById",
        desc: "Query Message by Id.",
        opts: &[
            req("i", "msgId", "Message Id (offset message ids, comma-separated)"),
            opt("f", "bodyFormat", true, "print message body by the specified format (UTF-8)"),
        ],
        one_of: &[],
    },
    CommandSpec {
        name: "getControllerMetaData",
        desc: "Get controller cluster's metadata.",
        opts: &[req("a", "controllerAddress", "the address of controller")],
        one_of: &[],
    },
    CommandSpec {
        name: "getSyncStateSet",
        desc: "Fetch syncStateSet for target brokers.",
        opts: &[
            req("a", "controllerAddress", "the address of controller"),
            opt("c", "clusterName", true, "which cluster"),
            opt("b", "brokerName", true, "which broker to fetch (names separated by ,)"),
            opt("i", "interval", true, "the interval(second) of get info"),
        ],
        one_of: &["b", "c"],
    },
    CommandSpec {
        name: "getBrokerEpoch",
        desc: "Fetch broker epoch entries.",
        opts: &[
            opt("c", "clusterName", true, "which cluster"),
            opt("b", "brokerName", true, "which broker to fetch"),
            opt("i", "interval", true, "the interval(second) of get info"),
        ],
        one_of: &["b", "c"],
    },
    CommandSpec {
        name: "electMaster",
        desc: "Re-elect the specified broker as master.",
        opts: &[
            req("a", "controllerAddress", "The address of controller"),
            req("b", "brokerId", "The id of the broker which requires to become master"),
            req("bn", "brokerName", "The broker name of the replicas that require to be manipulated"),
            req("c", "clusterName", "the clusterName of broker"),
        ],
        one_of: &[],
    },
    CommandSpec {
        name: "cleanBrokerMetadata",
        desc: "Clean metadata of broker on controller.",
        opts: &[
            req("a", "controllerAddress", "The address of controller"),
            opt(
                "b",
                "brokerControllerIdsToClean",
                true,
                "The brokerController id list which requires to clean metadata. eg: 1;2;3",
            ),
            req("bn", "brokerName", "The broker name of the replicas that require to be manipulated"),
            opt("c", "clusterName", true, "The clusterName of broker"),
            opt("l", "cleanLivingBroker", false, "Whether clean up living brokers,default value is false"),
        ],
        one_of: &[],
    },
    CommandSpec {
        name: "getControllerConfig",
        desc: "Get controller config.",
        opts: &[req(
            "a",
            "controllerAddress",
            "Controller address list, eg: 192.168.0.1:9878;192.168.0.2:9878",
        )],
        one_of: &[],
    },
    CommandSpec {
        name: "updateControllerConfig",
        desc: "Update controller config.",
        opts: &[
            req("a", "controllerAddress", "Controller address list, eg: 192.168.0.1:9878;192.168.0.2:9878"),
            req("k", "key", "config key"),
            req("v", "value", "config value"),
        ],
        one_of: &[],
    },
    CommandSpec {
        name: "haStatus",
        desc: "Fetch ha runtime status data.",
        opts: &[
            opt("c", "clusterName", true, "which cluster"),
            opt("b", "brokerAddr", true, "which broker to fetch"),
            opt("i", "interval", true, "the interval(second) of get info"),
        ],
        one_of: &["b", "c"],
    },
];

pub fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

impl CommandSpec {
    /// This command's options followed by the global ones.
    pub fn all_opts(&self) -> impl Iterator<Item = &'static OptSpec> + use<> {
        let opts: &'static [OptSpec] = self.opts;
        opts.iter().chain(GLOBAL_OPTS.iter())
    }

    pub fn lookup_short(&self, c: &str) -> Option<&'static OptSpec> {
        self.all_opts().find(|o| o.short == c)
    }

    /// The option a `-xyz` token (without the dash) starts with: the whole
    /// token if it names one, else the longest name it begins with, the
    /// rest being an attached value — commons-cli's rule, so `-bn` is
    /// `--brokerName` and `-bnx` is `-bn x`.
    pub fn lookup_short_prefix(&self, token: &str) -> Option<&'static OptSpec> {
        self.all_opts().filter(|o| token.starts_with(o.short)).max_by_key(|o| o.short.len())
    }

    pub fn lookup_long(&self, long: &str) -> Option<&'static OptSpec> {
        self.all_opts().find(|o| o.long == long)
    }

    /// `-t/--topic` for one of this command's letters.
    pub fn flag(&self, c: &str) -> String {
        self.lookup_short(c).map_or_else(|| format!("-{c}"), OptSpec::flag)
    }

    /// commons-cli style help: a usage line, then one line per option.
    pub fn help(&self) -> String {
        let mut opts: Vec<&OptSpec> = self.all_opts().collect();
        opts.sort_by_key(|o| o.short);
        let mut usage = format!("usage: mqadmin {}", self.name);
        if !self.one_of.is_empty() {
            let alts: Vec<String> = self.one_of.iter().map(|c| format!("-{c} <arg>")).collect();
            usage.push_str(&format!(" {}", alts.join(" | ")));
        }
        for o in opts.iter().filter(|o| !self.one_of.contains(&o.short)) {
            let arg = if o.takes_value { " <arg>" } else { "" };
            if o.required {
                usage.push_str(&format!(" -{}{arg}", o.short));
            } else {
                usage.push_str(&format!(" [-{}{arg}]", o.short));
            }
        }
        let rows: Vec<(String, &str)> = opts
            .iter()
            .map(|o| {
                let arg = if o.takes_value { " <arg>" } else { "" };
                (format!(" -{},--{}{arg}", o.short, o.long), o.desc)
            })
            .collect();
        let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 3;
        let mut out = format!("{usage}\n");
        for (left, desc) in rows {
            out.push_str(&format!("{left:<width$}{desc}\n"));
        }
        out
    }
}

/// What `mqadmin` alone (or `mqadmin help`) prints.
pub fn overview() -> String {
    let mut out = String::from("The most commonly used mqadmin commands are:\n");
    for c in COMMANDS {
        out.push_str(&format!("   {:<25}{}\n", c.name, c.desc));
    }
    out.push_str("\nSee 'mqadmin help <command>' or 'mqadmin <command> -h' for more information on a specific command.\n");
    out
}
