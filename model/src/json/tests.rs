use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::*;

#[derive(Serialize)]
struct Unsorted {
    zeta: i32,
    alpha: &'static str,
    absent: Option<i32>,
    middle: Vec<u8>,
}

#[test]
fn properties_sorted_and_nulls_omitted() {
    let v = Unsorted { zeta: 1, alpha: "a", absent: None, middle: vec![] };
    assert_eq!(to_rocketmq_json(&v, false), r#"{"alpha":"a","middle":[],"zeta":1}"#);
}

#[test]
fn integer_keys_bare_and_numerically_sorted() {
    let map: HashMap<i32, i64> = [(10, 1), (2, 2), (-1, 3), (0, 4)].into_iter().collect();
    assert_eq!(to_rocketmq_json(&map, false), "{-1:3,0:4,2:2,10:1}");
    let big: BTreeMap<u64, bool> = [(u64::MAX, true)].into_iter().collect();
    assert_eq!(to_rocketmq_json(&big, false), "{18446744073709551615:true}");
}

#[test]
fn string_keys_stay_quoted_even_when_numeric() {
    // A topic named "123" is a string key: Java writes it quoted.
    let map: BTreeMap<&str, i32> = [("123", 1), ("b", 2), ("A", 3)].into_iter().collect();
    assert_eq!(to_rocketmq_json(&map, false), r#"{"123":1,"A":3,"b":2}"#);
}

#[test]
fn null_map_values_omitted_but_array_nulls_kept() {
    let map: BTreeMap<i32, Option<i32>> = [(1, None), (2, Some(5))].into_iter().collect();
    assert_eq!(to_rocketmq_json(&map, false), "{2:5}");
    assert_eq!(to_rocketmq_json(&vec![None, Some(1)], false), "[null,1]");
}

#[test]
fn scalars_and_escapes() {
    assert_eq!(to_rocketmq_json(&"a\"b\\c\n\t\u{1}é", false), r#""a\"b\\c\n\t\u0001é""#);
    assert_eq!(to_rocketmq_json(&i64::MIN, false), "-9223372036854775808");
    assert_eq!(to_rocketmq_json(&1.5f64, false), "1.5");
    assert_eq!(to_rocketmq_json(&(), false), "null");
    let nan: BTreeMap<&str, f64> = [("x", f64::NAN), ("y", 2.0)].into_iter().collect();
    assert_eq!(to_rocketmq_json(&nan, false), r#"{"y":2.0}"#);
}

#[derive(Serialize)]
enum Shape {
    Unit,
    Newtype(i32),
    Tuple(i32, i32),
    Struct { b: i32, a: i32 },
}

#[test]
fn enums_externally_tagged_units_as_names() {
    assert_eq!(to_rocketmq_json(&Shape::Unit, false), r#""Unit""#);
    assert_eq!(to_rocketmq_json(&Shape::Newtype(1), false), r#"{"Newtype":1}"#);
    assert_eq!(to_rocketmq_json(&Shape::Tuple(1, 2), false), r#"{"Tuple":[1,2]}"#);
    assert_eq!(to_rocketmq_json(&Shape::Struct { b: 1, a: 2 }, false), r#"{"Struct":{"a":2,"b":1}}"#);
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Mq {
    topic: &'static str,
    queue_id: i32,
}

#[test]
fn struct_keys_written_as_compact_objects() {
    // fastjson's rendering of Map<MessageQueue, Long>.
    let map: BTreeMap<Mq, i64> = [(Mq { topic: "t", queue_id: 0 }, 42)].into_iter().collect();
    assert_eq!(to_rocketmq_json(&map, true), "{\n\t{\"queue_id\":0,\"topic\":\"t\"}:42\n}");
}

#[test]
fn pretty_uses_tabs_and_no_spaces() {
    let mut inner = BTreeMap::new();
    inner.insert(0, 250i64);
    inner.insert(1, 248);
    let mut outer: BTreeMap<&str, BTreeMap<i32, i64>> = BTreeMap::new();
    outer.insert("t@g", inner);
    outer.insert("empty", BTreeMap::new());
    let expected = "{\n\t\"empty\":{},\n\t\"t@g\":{\n\t\t0:250,\n\t\t1:248\n\t}\n}";
    assert_eq!(to_rocketmq_json(&outer, true), expected);
    assert_eq!(to_rocketmq_json(&vec!["a", "b"], true), "[\n\t\"a\",\n\t\"b\"\n]");
    assert_eq!(to_rocketmq_json(&Vec::<i32>::new(), true), "[]");
}

#[test]
fn failing_serialize_impl_is_an_error() {
    struct Bad;
    impl Serialize for Bad {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("nope"))
        }
    }
    assert!(try_to_rocketmq_json(&vec![Bad], false).unwrap_err().to_string().contains("nope"));
}

// ---------------------------------------------------------------- reader

#[test]
fn quote_bare_keys_leaves_standard_json_borrowed() {
    let text = r#"{"a":[1,-2,{"b":null}],"c":"{1:2}","d":true}"#;
    assert!(matches!(quote_bare_keys(text), Cow::Borrowed(t) if t == text));
}

#[test]
fn quote_bare_keys_cases() {
    let cases = [
        ("{0:250,1:248}", r#"{"0":250,"1":248}"#),
        ("{-1:-5}", r#"{"-1":-5}"#),
        ("{ 1 : 2 , 3:4 }", r#"{ "1" : 2 , "3":4 }"#),
        ("{\n\t0:1,\n\t\"x\":{7:[1,2,{8:9}]}\n}", "{\n\t\"0\":1,\n\t\"x\":{\"7\":[1,2,{\"8\":9}]}\n}"),
        (r#"{"s":"a\"{1:2}\\",3:4}"#, r#"{"s":"a\"{1:2}\\","3":4}"#),
        (r#"{"k":"v,5:6",5:6}"#, r#"{"k":"v,5:6","5":6}"#),
        ("{name:\"x\",$id_1:true}", r#"{"name":"x","$id_1":true}"#),
        ("[{1:2},{3:4}]", r#"[{"1":2},{"3":4}]"#),
        ("{\"é\":\"ü{\",2:3}", "{\"é\":\"ü{\",\"2\":3}"),
        ("{}", "{}"),
        ("[1,2,3]", "[1,2,3]"),
        ("-12", "-12"),
    ];
    for (input, want) in cases {
        assert_eq!(quote_bare_keys(input), want, "input {input:?}");
    }
}

#[test]
fn quote_bare_keys_never_touches_values() {
    let text = r#"{"a":1,"b":-2,"c":true,"d":null,"e":[3,false],"f":1.5e3}"#;
    assert_eq!(quote_bare_keys(text), text);
}

#[test]
fn quote_bare_keys_survives_garbage() {
    // Not JSON; must not panic and must leave the JSON parser to complain.
    for text in ["{", "}", "\"unterminated", "{\"a\\", "{1", "{,,:}", "{1:}", "\u{0}", "{é:1}"] {
        let _ = quote_bare_keys(text);
        assert!(from_rocketmq_json::<serde_json::Value>(text).is_err(), "{text:?}");
    }
}

#[test]
fn reader_accepts_quoted_and_bare_keys_alike() {
    let bare: BTreeMap<i32, i64> = from_rocketmq_json("{0:250,1:248,-3:7}").unwrap();
    let quoted: BTreeMap<i32, i64> = from_rocketmq_json(r#"{"0":250,"1":248,"-3":7}"#).unwrap();
    assert_eq!(bare, quoted);
    assert_eq!(bare[&-3], 7);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Nested {
    name: String,
    table: BTreeMap<String, BTreeMap<i32, i64>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    note: Option<String>,
}

#[test]
fn nested_round_trip_both_forms() {
    let mut table = BTreeMap::new();
    table.insert("t@g".to_owned(), [(0, 1), (15, -1)].into_iter().collect());
    let v = Nested { name: "n:{0:1}".into(), table, note: None };
    for pretty in [false, true] {
        let text = to_rocketmq_json(&v, pretty);
        assert!(text.contains("15:-1"), "{text}");
        assert_eq!(from_rocketmq_json::<Nested>(&text).unwrap(), v);
    }
}

fn key_string() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[0-9-]{1,4}", r#"[\{\}\[\]:,"\\ a-z0-9]{0,8}"#]
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        key_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// What the writer keeps: object entries whose value is null disappear.
fn without_null_members(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Array(items) => Value::Array(items.into_iter().map(without_null_members).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_null_members(v)))
                .collect(),
        ),
        other => other,
    }
}

proptest! {
    #[test]
    fn int_map_round_trips(map in prop::collection::btree_map(any::<i32>(), any::<i64>(), 0..40), pretty: bool) {
        let text = to_rocketmq_json(&map, pretty);
        prop_assert!(!text.contains('"'), "integer keys must be bare: {}", text);
        prop_assert_eq!(from_rocketmq_json::<BTreeMap<i32, i64>>(&text).unwrap(), map);
    }

    #[test]
    fn nested_string_maps_round_trip(
        map in prop::collection::btree_map(
            key_string(),
            prop::collection::btree_map(key_string(), prop::collection::btree_map(any::<i32>(), any::<i64>(), 0..5), 0..4),
            0..6,
        ),
        pretty: bool,
    ) {
        let text = to_rocketmq_json(&map, pretty);
        let back: BTreeMap<String, BTreeMap<String, BTreeMap<i32, i64>>> = from_rocketmq_json(&text).unwrap();
        prop_assert_eq!(back, map);
    }

    #[test]
    fn standard_json_passes_through_untouched(v in json_value()) {
        let text = serde_json::to_string(&v).unwrap();
        prop_assert!(matches!(quote_bare_keys(&text), Cow::Borrowed(_)));
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        prop_assert!(matches!(quote_bare_keys(&pretty), Cow::Borrowed(_)));
    }

    #[test]
    fn arbitrary_values_round_trip(v in json_value(), pretty: bool) {
        let text = to_rocketmq_json(&v, pretty);
        let back: serde_json::Value = from_rocketmq_json(&text).unwrap();
        prop_assert_eq!(back, without_null_members(v));
    }

    #[test]
    fn quote_bare_keys_never_panics(text in "[\\{\\}\\[\\]:,\"\\\\ a0-9-]{0,40}") {
        let _ = quote_bare_keys(&text);
    }
}
