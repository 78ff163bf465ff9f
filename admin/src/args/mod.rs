//! The pure command-line layer: `argv` (and the `NAMESRV_ADDR` value) in,
//! a validated [`Invocation`] or a [`UsageError`] out. Nothing here touches
//! the network, so every rule is unit-tested and a bad command line never
//! sends a request.
//!
//! Syntax follows commons-cli as RocketMQ's mqadmin uses it: `-t value`,
//! `-tvalue`, `--topic value`, `--topic=value`; switches take no value.

#[cfg(test)]
mod controller_tests;
mod spec;
#[cfg(test)]
mod tests;
pub mod validate;

use std::collections::BTreeMap;

pub use spec::{COMMANDS, CommandSpec, GLOBAL_OPTS, OptSpec, find, overview};

use crate::error::UsageError;

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Print this text to stdout and exit successfully.
    Help(String),
    Run(Invocation),
}

/// A validated command plus the name servers to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// From `-n`, else `NAMESRV_ADDR`; empty when neither was given (only
    /// allowed for commands that do not need a name server).
    pub namesrv: Vec<String>,
    pub command: Command,
}

/// Where an update goes: one broker, or every master of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Broker(String),
    Cluster(String),
}

/// updateTopic's settings (RocketMQ's TopicConfig defaults: 8/8 queues,
/// perm 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateTopic {
    pub target: Target,
    pub topic: String,
    pub read_queue_nums: i32,
    pub write_queue_nums: i32,
    pub perm: i32,
    pub order: bool,
    /// TopicSysFlag: bit 0 unit, bit 1 has-unit-sub.
    pub topic_sys_flag: i32,
    /// Normalized `+k=v,-k` text, if given.
    pub attributes: Option<String>,
}

/// Broker sets named on the command line, or all of a cluster's (asked
/// from the name server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerSets {
    Names(Vec<String>),
    Cluster(String),
}

/// cleanBrokerMetadata's settings (CLEAN_BROKER_DATA's header fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanBrokerMetadata {
    pub controller: String,
    pub broker_name: String,
    pub cluster: Option<String>,
    /// Controller ids, `;`-separated as sent (checked to be integers).
    pub broker_ids: Option<String>,
    pub clean_living: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    ClusterList { cluster: Option<String>, more_stats: bool, interval_secs: Option<u64> },
    TopicList { cluster_model: bool },
    TopicRoute { topic: String },
    UpdateTopic(UpdateTopic),
    DeleteTopic { topic: String, cluster: String },
    TopicStatus { topic: String, cluster: Option<String> },
    ConsumerProgress { group: Option<String>, topic: Option<String> },
    BrokerStatus { target: Target },
    QueryMsgById { msg_ids: Vec<String>, print_body: bool },
    GetControllerMetaData { controller: String },
    GetSyncStateSet { controller: String, brokers: BrokerSets, interval_secs: Option<u64> },
    GetBrokerEpoch { brokers: BrokerSets, interval_secs: Option<u64> },
    ElectMaster { controller: String, cluster: String, broker_name: String, broker_id: i64 },
    CleanBrokerMetadata(CleanBrokerMetadata),
    GetControllerConfig { controllers: Vec<String> },
    UpdateControllerConfig { controllers: Vec<String>, key: String, value: String },
    HaStatus { target: Target, interval_secs: Option<u64> },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::ClusterList { .. } => "clusterList",
            Command::TopicList { .. } => "topicList",
            Command::TopicRoute { .. } => "topicRoute",
            Command::UpdateTopic(_) => "updateTopic",
            Command::DeleteTopic { .. } => "deleteTopic",
            Command::TopicStatus { .. } => "topicStatus",
            Command::ConsumerProgress { .. } => "consumerProgress",
            Command::BrokerStatus { .. } => "brokerStatus",
            Command::QueryMsgById { .. } => "queryMsgById",
            Command::GetControllerMetaData { .. } => "getControllerMetaData",
            Command::GetSyncStateSet { .. } => "getSyncStateSet",
            Command::GetBrokerEpoch { .. } => "getBrokerEpoch",
            Command::ElectMaster { .. } => "electMaster",
            Command::CleanBrokerMetadata(_) => "cleanBrokerMetadata",
            Command::GetControllerConfig { .. } => "getControllerConfig",
            Command::UpdateControllerConfig { .. } => "updateControllerConfig",
            Command::HaStatus { .. } => "haStatus",
        }
    }

    /// `-i`: repeat every that many seconds.
    pub fn interval_secs(&self) -> Option<u64> {
        match self {
            Command::ClusterList { interval_secs, .. }
            | Command::GetSyncStateSet { interval_secs, .. }
            | Command::GetBrokerEpoch { interval_secs, .. }
            | Command::HaStatus { interval_secs, .. } => *interval_secs,
            _ => None,
        }
    }

    /// Whether the command has to ask a name server. Direct broker
    /// commands (`-b`) and offset message ids carry their own address.
    pub fn needs_namesrv(&self) -> bool {
        match self {
            Command::UpdateTopic(u) => matches!(u.target, Target::Cluster(_)) || u.order,
            Command::BrokerStatus { target } => matches!(target, Target::Cluster(_)),
            Command::GetSyncStateSet { brokers, .. } => matches!(brokers, BrokerSets::Cluster(_)),
            Command::HaStatus { target, .. } => matches!(target, Target::Cluster(_)),
            Command::QueryMsgById { .. }
            | Command::GetControllerMetaData { .. }
            | Command::ElectMaster { .. }
            | Command::CleanBrokerMetadata(_)
            | Command::GetControllerConfig { .. }
            | Command::UpdateControllerConfig { .. } => false,
            _ => true,
        }
    }
}

/// Parses `args` (without the program name). `env_namesrv` is the value
/// of `NAMESRV_ADDR`, passed in to keep this function pure.
pub fn parse<S: AsRef<str>>(args: &[S], env_namesrv: Option<&str>) -> Result<Parsed, UsageError> {
    let Some((first, rest)) = args.split_first() else {
        return Ok(Parsed::Help(overview()));
    };
    let first = first.as_ref();
    if matches!(first, "help" | "-h" | "--help") {
        return match rest.first() {
            None => Ok(Parsed::Help(overview())),
            Some(name) => {
                let spec =
                    find(name.as_ref()).ok_or_else(|| UsageError::UnknownCommand(name.as_ref().into()))?;
                Ok(Parsed::Help(spec.help()))
            }
        };
    }
    let spec = find(first).ok_or_else(|| UsageError::UnknownCommand(first.to_owned()))?;
    let opts = Opts::tokenize(spec, rest)?;
    if opts.has("h") {
        return Ok(Parsed::Help(spec.help()));
    }
    let command = build(&opts)?;
    let namesrv = match opts.value("n").or(env_namesrv.filter(|v| !v.trim().is_empty())) {
        Some(list) => validate::address_list(list).map_err(|reason| opts.invalid("n", reason))?,
        None => Vec::new(),
    };
    if namesrv.is_empty() && command.needs_namesrv() {
        return Err(UsageError::NoNamesrv { command: spec.name });
    }
    Ok(Parsed::Run(Invocation { namesrv, command }))
}

/// The options given to one command, by short letter.
struct Opts {
    spec: &'static CommandSpec,
    values: BTreeMap<&'static str, Option<String>>,
}

impl Opts {
    fn tokenize<S: AsRef<str>>(spec: &'static CommandSpec, args: &[S]) -> Result<Opts, UsageError> {
        let command = spec.name;
        let mut values = BTreeMap::new();
        let mut iter = args.iter().map(AsRef::as_ref).peekable();
        while let Some(arg) = iter.next() {
            let (opt, inline) = if let Some(long) = arg.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (long, None),
                };
                let opt = spec
                    .lookup_long(name)
                    .ok_or_else(|| UsageError::UnknownOption { command, option: arg.to_owned() })?;
                (opt, inline)
            } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
                let opt = spec.lookup_short_prefix(short).ok_or_else(|| UsageError::UnknownOption {
                    command,
                    option: format!("-{}", short.chars().next().unwrap_or('-')),
                })?;
                let attached = &short[opt.short.len()..];
                (opt, (!attached.is_empty()).then_some(attached))
            } else {
                return Err(UsageError::Unexpected { command, arg: arg.to_owned() });
            };
            let value = match (opt.takes_value, inline) {
                (true, Some(v)) => Some(v.to_owned()),
                // `-t -n x` means the value was forgotten, not a topic "-n".
                (true, None) => match iter.next_if(|next| !is_known_option(spec, next)) {
                    Some(v) => Some(v.to_owned()),
                    None => return Err(UsageError::MissingValue { command, flag: opt.flag() }),
                },
                (false, Some(_)) => return Err(UsageError::UnwantedValue { command, flag: opt.flag() }),
                (false, None) => None,
            };
            if values.insert(opt.short, value).is_some() {
                return Err(UsageError::Repeated { command, flag: opt.flag() });
            }
        }
        Ok(Opts { spec, values })
    }

    fn has(&self, c: &'static str) -> bool {
        self.values.contains_key(&c)
    }

    /// The trimmed value of a value-taking option, if given.
    fn value(&self, c: &'static str) -> Option<&str> {
        self.values.get(&c).and_then(|v| v.as_deref()).map(str::trim)
    }

    fn invalid(&self, c: &'static str, reason: String) -> UsageError {
        UsageError::Invalid { command: self.spec.name, flag: self.spec.flag(c), reason }
    }

    fn required(&self, c: &'static str) -> Result<&str, UsageError> {
        match self.value(c) {
            Some("") => Err(self.invalid(c, "the value is empty".to_owned())),
            Some(v) => Ok(v),
            None => Err(self.missing(c)),
        }
    }

    /// A value checked (and converted) by `check`, if given.
    fn checked<T>(
        &self,
        c: &'static str,
        check: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, UsageError> {
        self.value(c).map(|v| check(v).map_err(|reason| self.invalid(c, reason))).transpose()
    }

    fn topic(&self, c: &'static str) -> Result<String, UsageError> {
        let t = self.required(c)?;
        validate::topic(t).map_err(|reason| self.invalid(c, reason))?;
        Ok(t.to_owned())
    }

    fn non_empty(&self, c: &'static str) -> Result<Option<String>, UsageError> {
        self.checked(
            c,
            |v| if v.is_empty() { Err("the value is empty".to_owned()) } else { Ok(v.to_owned()) },
        )
    }

    fn missing(&self, c: &'static str) -> UsageError {
        UsageError::Missing { command: self.spec.name, flag: self.spec.flag(c) }
    }

    /// One `host:port`.
    fn address(&self, c: &'static str) -> Result<String, UsageError> {
        let addr = self.required(c)?;
        validate::address(addr).map_err(|reason| self.invalid(c, reason))?;
        Ok(addr.to_owned())
    }

    /// A `;`-separated list of `host:port` (at least one).
    fn addresses(&self, c: &'static str) -> Result<Vec<String>, UsageError> {
        validate::address_list(self.required(c)?).map_err(|reason| self.invalid(c, reason))
    }

    fn broker_name(&self, c: &'static str) -> Result<String, UsageError> {
        let name = self.required(c)?;
        validate::broker_name(name).map_err(|reason| self.invalid(c, reason))?;
        Ok(name.to_owned())
    }

    /// `-b` broker names (`,`-separated) or `-c` cluster, exactly one.
    fn broker_sets(&self) -> Result<BrokerSets, UsageError> {
        match self.target_flag()? {
            "b" => {
                let names: Vec<String> = self
                    .required("b")?
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect();
                for name in &names {
                    validate::broker_name(name).map_err(|reason| self.invalid("b", reason))?;
                }
                if names.is_empty() {
                    return Err(self.invalid("b", "no broker name given".to_owned()));
                }
                Ok(BrokerSets::Names(names))
            }
            _ => Ok(BrokerSets::Cluster(self.required("c")?.to_owned())),
        }
    }

    /// Exactly one of the command's `one_of` letters.
    fn target_flag(&self) -> Result<&'static str, UsageError> {
        let given: Vec<&'static str> = self.spec.one_of.iter().copied().filter(|c| self.has(c)).collect();
        let flags = || self.spec.one_of.iter().map(|c| self.spec.flag(c)).collect::<Vec<_>>().join(" and ");
        match given.as_slice() {
            [one] => Ok(one),
            [] => Err(UsageError::MissingOneOf {
                command: self.spec.name,
                flags: flags().replace(" and ", " or "),
            }),
            _ => Err(UsageError::Conflict { command: self.spec.name, flags: flags() }),
        }
    }

    /// `-b` broker address or `-c` cluster, exactly one.
    fn target(&self) -> Result<Target, UsageError> {
        match self.target_flag()? {
            "b" => Ok(Target::Broker(self.address("b")?)),
            _ => Ok(Target::Cluster(self.required("c")?.to_owned())),
        }
    }
}

/// Whether `arg` names one of the command's options (`-x…` or `--long…`).
fn is_known_option(spec: &CommandSpec, arg: &str) -> bool {
    if let Some(long) = arg.strip_prefix("--") {
        return spec.lookup_long(long.split('=').next().unwrap_or(long)).is_some();
    }
    arg.strip_prefix('-').is_some_and(|s| spec.lookup_short_prefix(s).is_some())
}

fn build(o: &Opts) -> Result<Command, UsageError> {
    Ok(match o.spec.name {
        "clusterList" => Command::ClusterList {
            cluster: o.non_empty("c")?,
            more_stats: o.has("m"),
            interval_secs: o.checked("i", validate::seconds)?,
        },
        "topicList" => Command::TopicList { cluster_model: o.has("c") },
        "topicRoute" => Command::TopicRoute { topic: o.topic("t")? },
        "updateTopic" => Command::UpdateTopic(update_topic(o)?),
        "deleteTopic" => Command::DeleteTopic { topic: o.topic("t")?, cluster: o.required("c")?.to_owned() },
        "topicStatus" => Command::TopicStatus { topic: o.topic("t")?, cluster: o.non_empty("c")? },
        "consumerProgress" => {
            let group = o.checked("g", |g| validate::group(g).map(|()| g.to_owned()))?;
            let topic = o.checked("t", |t| validate::topic(t).map(|()| t.to_owned()))?;
            if topic.is_some() && group.is_none() {
                return Err(UsageError::Missing { command: o.spec.name, flag: o.spec.flag("g") });
            }
            Command::ConsumerProgress { group, topic }
        }
        "brokerStatus" => Command::BrokerStatus { target: o.target()? },
        "queryMsgById" => {
            let ids: Vec<String> = o
                .required("i")?
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if ids.is_empty() {
                return Err(o.invalid("i", "no message id given".to_owned()));
            }
            for id in &ids {
                crate::msg_id::decode(id).map_err(|e| o.invalid("i", e.to_string()))?;
            }
            Command::QueryMsgById { msg_ids: ids, print_body: o.checked("f", validate::charset)?.is_some() }
        }
        "getControllerMetaData" => Command::GetControllerMetaData { controller: o.address("a")? },
        "getSyncStateSet" => Command::GetSyncStateSet {
            // Java asks the first controller of a list.
            controller: o.addresses("a")?.swap_remove(0),
            brokers: o.broker_sets()?,
            interval_secs: o.checked("i", validate::seconds)?,
        },
        "getBrokerEpoch" => Command::GetBrokerEpoch {
            brokers: o.broker_sets()?,
            interval_secs: o.checked("i", validate::seconds)?,
        },
        "electMaster" => Command::ElectMaster {
            controller: o.address("a")?,
            cluster: o.required("c")?.to_owned(),
            broker_name: o.broker_name("bn")?,
            broker_id: o.checked("b", validate::broker_id)?.ok_or_else(|| o.missing("b"))?,
        },
        "cleanBrokerMetadata" => clean_broker_metadata(o)?,
        "getControllerConfig" => Command::GetControllerConfig { controllers: o.addresses("a")? },
        "updateControllerConfig" => Command::UpdateControllerConfig {
            controllers: o.addresses("a")?,
            key: o.checked("k", validate::config_key)?.ok_or_else(|| o.missing("k"))?,
            value: o.checked("v", validate::config_value)?.ok_or_else(|| o.missing("v"))?,
        },
        "haStatus" => {
            Command::HaStatus { target: o.target()?, interval_secs: o.checked("i", validate::seconds)? }
        }
        other => return Err(UsageError::UnknownCommand(other.to_owned())),
    })
}

fn clean_broker_metadata(o: &Opts) -> Result<Command, UsageError> {
    let clean_living = o.has("l");
    let cluster = o.non_empty("c")?;
    // The controller keeps a living broker's data unless told otherwise,
    // and then needs the cluster to find it (Java's check).
    if !clean_living && cluster.is_none() {
        return Err(UsageError::Invalid {
            command: o.spec.name,
            flag: o.spec.flag("c"),
            reason: "required unless -l/--cleanLivingBroker is given".to_owned(),
        });
    }
    Ok(Command::CleanBrokerMetadata(CleanBrokerMetadata {
        controller: o.address("a")?,
        broker_name: o.broker_name("bn")?,
        cluster,
        broker_ids: o.checked("b", validate::broker_id_list)?,
        clean_living,
    }))
}

fn update_topic(o: &Opts) -> Result<UpdateTopic, UsageError> {
    let target = o.target()?;
    let unit = o.checked("u", validate::boolean)?.unwrap_or(false);
    let has_unit_sub = o.checked("s", validate::boolean)?.unwrap_or(false);
    Ok(UpdateTopic {
        topic: o.topic("t")?,
        read_queue_nums: o.checked("r", validate::queue_nums)?.unwrap_or(8),
        write_queue_nums: o.checked("w", validate::queue_nums)?.unwrap_or(8),
        perm: o.checked("p", validate::perm)?.unwrap_or(6),
        order: o.checked("o", validate::boolean)?.unwrap_or(false),
        topic_sys_flag: i32::from(unit) | (i32::from(has_unit_sub) << 1),
        attributes: o.checked("a", validate::attributes)?,
        target,
    })
}
