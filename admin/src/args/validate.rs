//! Value checks run before anything is sent. Each returns the reason text
//! only; the caller wraps it with the command and flag. The rules are the
//! brokers' own (spec/remoting.md §6.4), so an operator learns about a bad
//! name here instead of from a remote INVALID_PARAMETER.

use std::net::SocketAddr;

/// Topic names: `[%|a-zA-Z0-9_-]`, ≤ 127 characters (255 for `%RETRY%` /
/// `%DLQ%` topics).
pub fn topic(name: &str) -> Result<(), String> {
    let limit = if name.starts_with("%RETRY%") || name.starts_with("%DLQ%") { 255 } else { 127 };
    resource_name(name, "topic", limit)
}

/// Consumer group names: same characters, ≤ 120.
pub fn group(name: &str) -> Result<(), String> {
    resource_name(name, "group", 120)
}

fn resource_name(name: &str, what: &str, limit: usize) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err(format!("the {what} name is blank"));
    }
    if let Some(bad) =
        name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '%' | '|' | '_' | '-')))
    {
        return Err(format!(
            "{what} name {name:?} contains {bad:?}; allowed are letters, digits, %, |, _ and -"
        ));
    }
    if name.len() > limit {
        return Err(format!("{what} name {name:?} is {} characters long, the limit is {limit}", name.len()));
    }
    Ok(())
}

/// `host:port` with a port in 1..=65535 (host names allowed: brokers may
/// be registered by name).
pub fn address(addr: &str) -> Result<(), String> {
    if addr.parse::<SocketAddr>().is_ok() {
        return Ok(());
    }
    let (host, port) = addr.rsplit_once(':').ok_or_else(|| format!("{addr:?} is not host:port"))?;
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == ':') {
        return Err(format!("{addr:?} is not host:port"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(()),
        _ => Err(format!("{addr:?} has an invalid port {port:?}")),
    }
}

/// A `;`-separated name-server list; returns the addresses.
pub fn address_list(list: &str) -> Result<Vec<String>, String> {
    let addrs: Vec<String> =
        list.split(';').map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned).collect();
    if addrs.is_empty() {
        return Err("the address list is empty".to_owned());
    }
    for a in &addrs {
        address(a)?;
    }
    Ok(addrs)
}

/// A queue count: a non-negative integer.
pub fn queue_nums(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(n) if n >= 0 => Ok(n),
        _ => Err(format!("{text:?} is not a non-negative integer")),
    }
}

/// A permission: bits of 4 (read), 2 (write) and 1 (inherit), 0..=7.
pub fn perm(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(p) if (0..=7).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a permission: use 2 (W), 4 (R) or 6 (RW)")),
    }
}

/// `true` or `false`, any case (Java would silently read anything else as
/// false, turning a typo into a different topic).
pub fn boolean(text: &str) -> Result<bool, String> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        t => Err(format!("{t:?} is neither true nor false")),
    }
}

/// A positive number of seconds.
pub fn seconds(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

/// Topic attributes `+k=v,+k2=v2,-k3` (RocketMQ's `AttributeParser`).
/// Returns the normalized string sent to the broker.
pub fn attributes(text: &str) -> Result<String, String> {
    let mut items = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some(kv) = item.strip_prefix('+') {
            match kv.split_once('=') {
                Some((k, v)) if !k.is_empty() && !v.is_empty() => items.push(format!("+{k}={v}")),
                _ => return Err(format!("{item:?} must look like +key=value")),
            }
        } else if let Some(k) = item.strip_prefix('-') {
            if k.is_empty() || k.contains('=') {
                return Err(format!("{item:?} must look like -key (removal takes no value)"));
            }
            items.push(format!("-{k}"));
        } else {
            return Err(format!("{item:?} must start with + (set) or - (remove)"));
        }
    }
    if items.is_empty() {
        return Err("no attributes given".to_owned());
    }
    Ok(items.join(","))
}

/// The body charsets `queryMsgById -f` understands.
pub fn charset(text: &str) -> Result<(), String> {
    let t = text.trim().to_ascii_uppercase().replace('-', "");
    if t == "UTF8" { Ok(()) } else { Err(format!("charset {text:?} is not supported; use UTF-8")) }
}

/// A broker (set) name: not blank, no whitespace and none of the list
/// separators `,` and `;`.
pub fn broker_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the broker name is blank".to_owned());
    }
    match name.chars().find(|c| c.is_whitespace() || matches!(c, ',' | ';')) {
        Some(bad) => Err(format!("broker name {name:?} contains {bad:?}")),
        None => Ok(()),
    }
}

/// A controller broker id: a positive integer (the controller assigns
/// ids from 1).
pub fn broker_id(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(format!("{text:?} is not a broker id (a positive integer)")),
    }
}

/// `1;2;3`: controller ids separated by `;`. Returns the list as sent.
pub fn broker_id_list(text: &str) -> Result<String, String> {
    let ids: Vec<&str> = text.split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
    if ids.is_empty() {
        return Err("no broker id given (use 1;2;3)".to_owned());
    }
    for id in &ids {
        broker_id(id).map_err(|e| format!("{e}; use ids separated by ; like 1;2;3"))?;
    }
    Ok(ids.join(";"))
}

/// A config key sent as one `key=value` properties line: not empty, and
/// nothing the properties syntax would read differently.
pub fn config_key(key: &str) -> Result<String, String> {
    if key.is_empty() {
        return Err("the key is empty".to_owned());
    }
    match key.chars().find(|c| c.is_whitespace() || matches!(c, '=' | ':' | '#' | '!' | '\\')) {
        Some(bad) => Err(format!("key {key:?} contains {bad:?}")),
        None => Ok(key.to_owned()),
    }
}

/// A config value: one line (a line break would start another property).
pub fn config_value(value: &str) -> Result<String, String> {
    if value.contains(['\n', '\r']) {
        return Err("the value contains a line break".to_owned());
    }
    if value.ends_with('\\') {
        return Err("the value ends with \\ (a properties line continuation)".to_owned());
    }
    Ok(value.to_owned())
}
