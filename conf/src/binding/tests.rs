//! Conversion rules of `PropertyValue` and the generic binding machinery,
//! exercised on a small struct bound with the same macro as the real ones.

use std::path::PathBuf;

use super::*;

#[derive(Debug, Default, Clone, PartialEq)]
struct Demo {
    port: u16,
    delta: i64,
    ratio: f64,
    name: String,
    dir: Option<PathBuf>,
    on: bool,
}

crate::bind_properties!(Demo {
    "listenPort" => port,
    "delta" => delta,
    "ratio" => ratio,
    "brokerName" => name,
    "someDir" => dir,
    "enableThing" => on,
});

fn demo(text: &str) -> Result<Loaded<Demo>, ConfigError> {
    Demo::from_properties_str(text, "demo.conf")
}

#[test]
fn bool_accepts_true_false_any_case_only() {
    for (raw, want) in [("true", true), ("TRUE", true), ("False", false), ("true \t", true), ("fAlSe", false)]
    {
        assert_eq!(bool::parse_property(raw), Ok(want), "{raw:?}");
    }
    for raw in ["1", "yes", "", "t", "truee"] {
        assert_eq!(bool::parse_property(raw), Err("true or false".to_owned()), "{raw:?}");
    }
}

#[test]
fn integers_are_trimmed_and_range_checked() {
    assert_eq!(u16::parse_property("  42 \t"), Ok(42));
    assert_eq!(i64::parse_property("-7"), Ok(-7));
    assert_eq!(u32::parse_property("+5"), Ok(5));
    assert_eq!(u16::parse_property("-1"), Err("an integer in 0..=65535".to_owned()));
    assert_eq!(u16::parse_property("65536"), Err("an integer in 0..=65535".to_owned()));
    assert!(u64::parse_property("10k").is_err());
    assert!(u64::parse_property("").is_err());
    assert!(i32::parse_property("0x10").is_err());
}

#[test]
fn floats_strings_paths_options() {
    assert_eq!(f64::parse_property(" 0.75 "), Ok(0.75));
    assert!(f64::parse_property("abc").is_err());
    // Java's trim also strips control characters.
    assert_eq!(String::parse_property("\u{1}  broker-a \t"), Ok("broker-a".to_owned()));
    assert_eq!(String::parse_property(""), Ok(String::new()));
    assert_eq!(PathBuf::parse_property("/data/store "), Ok(PathBuf::from("/data/store")));
    assert!(PathBuf::parse_property("  ").is_err());
    assert!(PathBuf::parse_property("~/store").unwrap_err().contains('~'));
    assert_eq!(<Option<PathBuf>>::parse_property("/x"), Ok(Some(PathBuf::from("/x"))));
    assert_eq!(<Option<PathBuf>>::None.format_property(), None);
}

#[test]
fn binds_known_keys_and_returns_unknown_ones() {
    let loaded =
        demo("listenPort=30911\nbrokerIP1=10.0.0.1\nsomeDir=/tmp/x\nenableThing=TRUE\nbogus\n").unwrap();
    assert_eq!(
        loaded.config,
        Demo { port: 30911, dir: Some(PathBuf::from("/tmp/x")), on: true, ..Demo::default() }
    );
    let unknown: Vec<_> = loaded.unknown_keys.iter().map(|u| (u.key.as_str(), u.line)).collect();
    assert_eq!(unknown, [("brokerIP1", 2), ("bogus", 5)]);
    // Raw properties are kept for re-emission, unknown keys included.
    assert_eq!(loaded.properties.get("brokerIP1"), Some("10.0.0.1"));
    assert_eq!(loaded.properties.len(), 5);
}

#[test]
fn keys_are_case_sensitive() {
    assert!(Demo::is_known_key("listenPort"));
    assert!(!Demo::is_known_key("listenport"));
    assert!(!Demo::is_known_key("ListenPort"));
}

#[test]
fn invalid_value_error_names_origin_line_key_value() {
    let err = demo("# c\nbrokerName = a\nlistenPort = 10k \n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "demo.conf:3: invalid value \"10k \" for key `listenPort`: expected an integer in 0..=65535"
    );
    assert_eq!(err.line(), Some(3));
}

#[test]
fn to_properties_sorted_and_skips_unset() {
    let demo = Demo { port: 1, name: "b".into(), ..Demo::default() };
    let dump = demo.to_properties();
    let keys: Vec<_> = dump.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["brokerName", "delta", "enableThing", "listenPort", "ratio"]);
    assert_eq!(dump[3], ("listenPort", "1".to_owned()));
}

#[test]
fn one_file_offered_to_several_structs() {
    #[derive(Debug, Default)]
    struct Other {
        port: u16,
    }
    crate::bind_properties!(Other { "listenPort" => port });

    let props = Properties::parse_str("listenPort=9876\ndelta=-3\nnope=1", "n.conf").unwrap();
    let (mut a, mut b) = (Demo::default(), Other::default());
    a.apply_properties(&props).unwrap();
    b.apply_properties(&props).unwrap();
    assert_eq!((a.port, a.delta, b.port), (9876, -3, 9876));
    let unknown: Vec<_> =
        props.iter().filter(|e| !Demo::is_known_key(&e.key) && !Other::is_known_key(&e.key)).collect();
    assert_eq!(unknown.len(), 1);
}

#[test]
fn toml_values_are_typed() {
    let text = "listenPort = 10911\nratio = 2\nbrokerName = \"broker-a\"\nenableThing = true\nextra = 1\n";
    let loaded = Demo::from_toml_str(text, "demo.toml").unwrap();
    assert_eq!(loaded.config.port, 10911);
    assert_eq!(loaded.config.ratio, 2.0);
    assert_eq!(loaded.config.name, "broker-a");
    assert!(loaded.config.on);
    assert_eq!(loaded.unknown_keys, [UnknownKey { key: "extra".into(), line: 5 }]);
    assert_eq!(loaded.properties.get("brokerName"), Some("broker-a"));
    assert_eq!(loaded.properties.get("enableThing"), Some("true"));
}

#[test]
fn toml_type_mismatch_and_range_errors() {
    let err = Demo::from_toml_str("brokerName = \"a\"\nlistenPort = \"10911\"\n", "d.toml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "d.toml:2: invalid value \"\\\"10911\\\"\" for key `listenPort`: expected a TOML integer, found a string"
    );
    let err = Demo::from_toml_str("listenPort = 70000", "d.toml").unwrap_err();
    assert!(err.to_string().contains("expected an integer in 0..=65535"), "{err}");
    let err = Demo::from_toml_str("enableThing = \"true\"", "d.toml").unwrap_err();
    assert!(err.to_string().contains("a TOML boolean"), "{err}");
}

#[test]
fn toml_must_be_flat_and_valid() {
    let err = Demo::from_toml_str("listenPort = 1\n[store]\nratio = 1.0\n", "d.toml").unwrap_err();
    assert!(matches!(err, ConfigError::Syntax { line: 2, .. }), "{err}");
    assert!(err.to_string().contains("flat table"), "{err}");
    let err = Demo::from_toml_str("listenPort = [1]", "d.toml").unwrap_err();
    assert!(matches!(err, ConfigError::Syntax { line: 1, .. }), "{err}");
    let err = Demo::from_toml_str("listenPort = = 1", "d.toml").unwrap_err();
    assert!(matches!(err, ConfigError::Toml { .. }), "{err}");
    assert!(err.to_string().starts_with("d.toml: invalid TOML"), "{err}");
}

#[test]
fn toml_file_io_error_names_path() {
    let dir = tempfile::tempdir().unwrap();
    let err = Demo::from_toml_file(dir.path().join("absent.toml")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }));
    assert!(err.to_string().contains("absent.toml"), "{err}");
}
