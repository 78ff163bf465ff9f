//! The metrics keys shared by BrokerConfig, NamesrvConfig and
//! ControllerConfig: `metricsExporterType`, `metricsPromExporterHost`,
//! `metricsPromExporterPort`. RocketMQ's own name server has no metrics
//! keys; Booster's takes the same three.

use crate::binding::{PropertyValue, ValueKind, java_trim};

/// RocketMQ's `metricsPromExporterPort` default.
pub const DEFAULT_PROM_EXPORTER_PORT: u16 = 5557;

/// `metricsExporterType` (case-insensitive). Booster exports only `PROM`;
/// `OTLP_GRPC` and `LOG` load but export nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricsExporterType {
    #[default]
    Disable,
    OtlpGrpc,
    Prom,
    Log,
}

const NAMES: [(MetricsExporterType, &str); 4] = [
    (MetricsExporterType::Disable, "DISABLE"),
    (MetricsExporterType::OtlpGrpc, "OTLP_GRPC"),
    (MetricsExporterType::Prom, "PROM"),
    (MetricsExporterType::Log, "LOG"),
];

impl PropertyValue for MetricsExporterType {
    const KIND: ValueKind = ValueKind::String;

    fn parse_property(raw: &str) -> Result<Self, String> {
        let raw = java_trim(raw);
        NAMES
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(raw))
            .map(|(t, _)| *t)
            .ok_or_else(|| "one of DISABLE, OTLP_GRPC, PROM, LOG".to_owned())
    }

    fn format_property(&self) -> Option<String> {
        NAMES.iter().find(|(t, _)| t == self).map(|(_, name)| (*name).to_owned())
    }
}

/// The `host:port` the Prometheus endpoint listens on, or `None` unless
/// the exporter type is `PROM`. A blank host means every interface, as in
/// RocketMQ.
pub fn prometheus_listen_addr(exporter: MetricsExporterType, host: &str, port: u16) -> Option<String> {
    if exporter != MetricsExporterType::Prom {
        return None;
    }
    let host = match java_trim(host) {
        "" => "0.0.0.0",
        h => h,
    };
    // A bare IPv6 literal needs brackets to take a port.
    Some(if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exporter_types_parse_in_any_case_and_format_canonically() {
        for (t, name) in NAMES {
            assert_eq!(MetricsExporterType::parse_property(name), Ok(t));
            assert_eq!(MetricsExporterType::parse_property(&format!(" {} ", name.to_lowercase())), Ok(t));
            assert_eq!(t.format_property().as_deref(), Some(name));
        }
        assert!(MetricsExporterType::parse_property("PROMETHEUS").is_err());
        assert_eq!(MetricsExporterType::default(), MetricsExporterType::Disable);
    }

    #[test]
    fn listen_addr_only_for_prom() {
        use MetricsExporterType::*;
        assert_eq!(prometheus_listen_addr(Disable, "", 5557), None);
        assert_eq!(prometheus_listen_addr(Log, "127.0.0.1", 5557), None);
        assert_eq!(prometheus_listen_addr(Prom, "", 5557).as_deref(), Some("0.0.0.0:5557"));
        assert_eq!(prometheus_listen_addr(Prom, " 127.0.0.1 ", 0).as_deref(), Some("127.0.0.1:0"));
        assert_eq!(prometheus_listen_addr(Prom, "::1", 9).as_deref(), Some("[::1]:9"));
        assert_eq!(prometheus_listen_addr(Prom, "[::1]", 9).as_deref(), Some("[::1]:9"));
    }
}
