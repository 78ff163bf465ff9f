//! A serde `Serializer` that builds a [`Node`] tree.
//!
//! Why not `serde_json::to_value`? Two reasons:
//! * `serde_json` turns integer map keys into strings, losing the fact that
//!   the key was an integer; fastjson writes exactly those keys bare
//!   (`{0:250}`) while string keys that merely look numeric (a topic named
//!   `"123"`) stay quoted. Keeping the key's type lets the writer match Java.
//! * `serde_json::Map` ordering depends on a cargo feature
//!   (`preserve_order`) that any crate in the build can switch on; sorting
//!   our own tree makes "alphabetical keys" independent of feature
//!   unification.

use serde::Serialize;
use serde::ser::{self, Error as _};

/// Error type of the tree builder; only `Serialize` impls that fail
/// themselves (`S::Error::custom`) produce one.
pub(super) type Error = serde_json::Error;

/// A JSON value whose object keys remember whether they were integers.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Null,
    Bool(bool),
    /// Every integer type up to `i128` and `u64` (and `u128` that fits).
    Int(i128),
    /// Any other number, already rendered (floats, huge `u128`).
    Num(String),
    Str(String),
    Array(Vec<Node>),
    /// Entries in serialization order; the writer sorts them.
    Object(Vec<(Key, Node)>),
}

/// An object key.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Key {
    /// Written bare (`{0:…}`), sorted numerically.
    Int(i128),
    /// Written quoted, sorted by code point.
    Str(String),
    /// A structured key (fastjson writes it as compact JSON: `{{"a":1}:42}`).
    Composite(Box<Node>),
}

impl Key {
    fn from_node(node: Node) -> Key {
        match node {
            Node::Int(i) => Key::Int(i),
            Node::Str(s) | Node::Num(s) => Key::Str(s),
            Node::Bool(b) => Key::Str(b.to_string()),
            Node::Null => Key::Str("null".to_owned()),
            other => Key::Composite(Box::new(other)),
        }
    }
}

pub(super) fn to_node<T: Serialize + ?Sized>(value: &T) -> Result<Node, Error> {
    value.serialize(NodeSerializer)
}

fn float(v: f64, text: Result<String, Error>) -> Result<Node, Error> {
    // Like serde_json: non-finite floats become null (and are then omitted).
    if v.is_finite() { text.map(Node::Num) } else { Ok(Node::Null) }
}

struct NodeSerializer;

impl ser::Serializer for NodeSerializer {
    type Ok = Node;
    type Error = Error;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = SeqBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = MapBuilder;

    fn serialize_bool(self, v: bool) -> Result<Node, Error> {
        Ok(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_i128(self, v: i128) -> Result<Node, Error> {
        Ok(Node::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Node, Error> {
        Ok(Node::Int(v.into()))
    }
    fn serialize_u128(self, v: u128) -> Result<Node, Error> {
        Ok(i128::try_from(v).map_or_else(|_| Node::Num(v.to_string()), Node::Int))
    }
    fn serialize_f32(self, v: f32) -> Result<Node, Error> {
        float(v.into(), serde_json::to_string(&v))
    }
    fn serialize_f64(self, v: f64) -> Result<Node, Error> {
        float(v, serde_json::to_string(&v))
    }
    fn serialize_char(self, v: char) -> Result<Node, Error> {
        Ok(Node::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Node, Error> {
        Ok(Node::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, Error> {
        Ok(Node::Array(v.iter().map(|&b| Node::Int(b.into())).collect()))
    }
    fn serialize_none(self) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Node, Error> {
        // Enums as their name string (spec/remoting.md §5.1 rule 3).
        Ok(Node::Str(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        Ok(Node::Object(vec![(Key::Str(variant.to_owned()), to_node(value)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder { variant: None, items: Vec::with_capacity(len.unwrap_or(0)) })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqBuilder, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder { variant: Some(variant), items: Vec::with_capacity(len) })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, Error> {
        Ok(MapBuilder { variant: None, entries: Vec::with_capacity(len.unwrap_or(0)), key: None })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<MapBuilder, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<MapBuilder, Error> {
        Ok(MapBuilder { variant: Some(variant), entries: Vec::with_capacity(len), key: None })
    }
}

/// Wraps `node` as `{variant: node}` for enum variants (serde_json's external
/// tagging).
fn tagged(variant: Option<&'static str>, node: Node) -> Node {
    match variant {
        Some(v) => Node::Object(vec![(Key::Str(v.to_owned()), node)]),
        None => node,
    }
}

struct SeqBuilder {
    variant: Option<&'static str>,
    items: Vec<Node>,
}

impl SeqBuilder {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.items.push(to_node(value)?);
        Ok(())
    }
    fn finish(self) -> Result<Node, Error> {
        Ok(tagged(self.variant, Node::Array(self.items)))
    }
}

/// serde splits "a sequence" into four traits with the same two methods
/// (and "a struct" into two); each builder implements them all alike, by
/// forwarding to its own `push`/`field` and `finish`.
macro_rules! forward_impl {
    ($tr:ident for $builder:ident: fn $method:ident($($arg:ident: $ty:ty),*) => $add:ident) => {
        impl ser::$tr for $builder {
            type Ok = Node;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, $($arg: $ty,)* value: &T) -> Result<(), Error> {
                self.$add($($arg,)* value)
            }
            fn end(self) -> Result<Node, Error> {
                self.finish()
            }
        }
    };
}

forward_impl!(SerializeSeq for SeqBuilder: fn serialize_element() => push);
forward_impl!(SerializeTuple for SeqBuilder: fn serialize_element() => push);
forward_impl!(SerializeTupleStruct for SeqBuilder: fn serialize_field() => push);
forward_impl!(SerializeTupleVariant for SeqBuilder: fn serialize_field() => push);

struct MapBuilder {
    variant: Option<&'static str>,
    entries: Vec<(Key, Node)>,
    /// A key given by `serialize_key`, waiting for its value.
    key: Option<Key>,
}

impl MapBuilder {
    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) -> Result<(), Error> {
        self.entries.push((Key::Str(name.to_owned()), to_node(value)?));
        Ok(())
    }
    fn finish(self) -> Result<Node, Error> {
        Ok(tagged(self.variant, Node::Object(self.entries)))
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Node;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(Key::from_node(to_node(key)?));
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.key.take().ok_or_else(|| Error::custom("map value serialized before its key"))?;
        self.entries.push((key, to_node(value)?));
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        self.finish()
    }
}

forward_impl!(SerializeStruct for MapBuilder: fn serialize_field(name: &'static str) => field);
forward_impl!(SerializeStructVariant for MapBuilder: fn serialize_field(name: &'static str) => field);
