//! Tolerant deserialization for metadata fields, kept in one place.
//!
//! fastjson, which wrote and reads these files in a Java broker, converts
//! freely between scalar kinds: `"16"` loads into an `int`, `"true"` or `1`
//! into a `boolean`, `null` or `""` into a primitive's default. Operators do
//! hand-edit these files, and a broker that refused to start over `"perm":"6"`
//! would be worse than one that loads it; so every field goes through
//! [`Lenient`] (`#[serde(deserialize_with = "lenient::de")]`) and accepts
//! what fastjson accepts. Anything that still cannot be understood (`"abc"`
//! for a number, an out-of-range `int`) is an error, never silently zero.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

/// A type that can be read from loosely typed JSON.
pub trait Lenient: Sized {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// For `#[serde(deserialize_with = "lenient::de")]`.
pub fn de<'de, D: Deserializer<'de>, T: Lenient>(d: D) -> Result<T, D::Error> {
    T::deserialize_lenient(d)
}

/// `Deserialize` adapter for any [`Lenient`] type (map keys and values, list
/// elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LenientValue<T>(pub T);

impl<'de, T: Lenient> Deserialize<'de> for LenientValue<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize_lenient(d).map(LenientValue)
    }
}

/// The [`Lenient`] rule for structs: `null` means "all defaults"; anything
/// else goes through the type's own (field-wise lenient) `Deserialize`.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Implements [`Lenient`] for structs via [`null_as_default`].
macro_rules! lenient_struct {
    ($($t:ty),+ $(,)?) => {
        $(impl $crate::lenient::Lenient for $t {
            fn deserialize_lenient<'de, D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::lenient::null_as_default(d)
            }
        })+
    };
}
pub(crate) use lenient_struct;

/// Reads an enum written by name (`"SINGLE_TAG"`, any case) or by ordinal
/// (`0`), as fastjson accepts both; `null`/`""` give the default.
pub fn enum_by_name<'de, D, T>(d: D, variants: &'static [(&'static str, T)]) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Copy + Default + 'static,
{
    d.deserialize_any(EnumVisitor { variants })
}

struct EnumVisitor<T: 'static> {
    variants: &'static [(&'static str, T)],
}

impl<'de, T: Copy + Default + 'static> Visitor<'de> for EnumVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("one of")?;
        for (name, _) in self.variants {
            write!(f, " {name}")?;
        }
        f.write_str(" (or its ordinal)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        let name = v.trim();
        if name.is_empty() {
            return Ok(T::default());
        }
        let found = self.variants.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|&(_, t)| t).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        let found = usize::try_from(v).ok().and_then(|i| self.variants.get(i));
        found.map(|&(_, t)| t).ok_or_else(|| E::invalid_value(Unexpected::Unsigned(v), &self))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        u64::try_from(v)
            .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
            .and_then(|u| self.visit_u64(u))
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

// ---------------------------------------------------------------- integers

/// Integers from numbers, integral floats (`16.0`), numeric strings
/// (`"16"`, `" 16 "`, `"1e3"`), booleans (1/0); `null` and `""` are 0.
struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer (or a string holding one)")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        integral(v).ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<i64, E> {
        Ok(i64::from(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        let s = v.trim();
        if s.is_empty() {
            return Ok(0);
        }
        let parsed = s.parse::<i64>().ok().or_else(|| s.parse::<f64>().ok().and_then(integral));
        parsed.ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<i64, D::Error> {
        d.deserialize_any(self)
    }
}

/// `v` as an `i64` if it is a whole number in range.
fn integral(v: f64) -> Option<i64> {
    // 2^63 is exactly representable; every f64 below it in magnitude and
    // integral converts without loss of meaning.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (v.is_finite() && v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v)).then_some(v as i64)
}

impl Lenient for i64 {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

impl Lenient for i32 {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = d.deserialize_any(IntVisitor)?;
        i32::try_from(v).map_err(|_| de::Error::invalid_value(Unexpected::Signed(v), &"a 32-bit integer"))
    }
}

// ---------------------------------------------------------------- booleans

/// Booleans from `true`/`false`, numbers (non-zero is true) and strings
/// (`"true"`, `"FALSE"`, `"1"`, `"0"`, `"y"`, `"n"`…); `null`/`""` are false.
struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean (or a string/number holding one)")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        Ok(v != 0)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        Ok(v != 0)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        Ok(v != 0.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        const TRUE: &[&str] = &["true", "1", "y", "yes", "t"];
        const FALSE: &[&str] = &["false", "0", "n", "no", "f", ""];
        let s = v.trim();
        if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
            Ok(true)
        } else if FALSE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
            Ok(false)
        } else {
            Err(E::invalid_value(Unexpected::Str(v), &self))
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl Lenient for bool {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

// ---------------------------------------------------------------- strings

/// Strings from strings, numbers and booleans (their text); `null` is "".
struct StringVisitor;

impl<'de> Visitor<'de> for StringVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl Lenient for String {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

// ---------------------------------------------------------------- containers

/// `null` is `None`; anything else is read leniently.
impl<T: Lenient> Lenient for Option<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<LenientValue<T>>::deserialize(d).map(|o| o.map(|LenientValue(v)| v))
    }
}

/// Lists with leniently read elements; `null` is empty.
impl<T: Lenient> Lenient for Vec<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SeqVisitor(PhantomData))
    }
}

/// Sets read like lists (a repeated element counts once); `null` is empty.
impl<T: Lenient + Ord> Lenient for BTreeSet<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize_lenient(d).map(|v| v.into_iter().collect())
    }
}

struct SeqVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for SeqVisitor<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(LenientValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
}

/// Maps with leniently read keys and values: integer keys may arrive
/// quoted (`"0"`, JSON's only option after [`super::quote_bare_keys`]);
/// `null` is an empty map; a repeated key keeps the last value.
impl<K: Lenient + Ord, V: Lenient> Lenient for BTreeMap<K, V> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MapVisitor(PhantomData))
    }
}

struct MapVisitor<K, V>(PhantomData<(K, V)>);

impl<'de, K: Lenient + Ord, V: Lenient> Visitor<'de> for MapVisitor<K, V> {
    type Value = BTreeMap<K, V>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BTreeMap<K, V>, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((LenientValue(k), LenientValue(v))) = map.next_entry()? {
            out.insert(k, v);
        }
        Ok(out)
    }
    fn visit_unit<E: de::Error>(self) -> Result<BTreeMap<K, V>, E> {
        Ok(BTreeMap::new())
    }
}
