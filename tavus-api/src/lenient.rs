//! [`LenientBool`]: every boolean of the API.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A boolean of the API, which also decodes from the strings `"true"` and `"false"`.
///
/// Tavus sends some booleans as strings (a documented persona carries
/// `tts_emotion_control: "false"`), and one such field would otherwise make a whole
/// response fail to decode. Every boolean of the generated types is a `LenientBool`
/// (`tavus_openapi::settings::lenient_booleans`). It reads `true`, `false`, `"true"` and
/// `"false"`, and always writes a JSON boolean. The setters of an operation's builder take
/// a `bool` (`.verbose(true)`); the builder of a body or other type takes its optional
/// booleans as a `LenientBool` (`.test_mode(LenientBool::from(true))`). Read one with
/// [`LenientBool::get`], `bool::from` or `== true`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LenientBool(pub bool);

impl LenientBool {
    /// The boolean.
    pub fn get(self) -> bool {
        self.0
    }
}

impl From<bool> for LenientBool {
    fn from(value: bool) -> Self {
        Self(value)
    }
}

impl From<LenientBool> for bool {
    fn from(value: LenientBool) -> Self {
        value.0
    }
}

impl PartialEq<bool> for LenientBool {
    fn eq(&self, other: &bool) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for LenientBool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for LenientBool {
    type Err = std::str::ParseBoolError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

impl Serialize for LenientBool {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(self.0)
    }
}

impl<'de> Deserialize<'de> for LenientBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = LenientBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a boolean, or the string "true" or "false""#)
            }
            fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<LenientBool, E> {
                Ok(LenientBool(value))
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<LenientBool, E> {
                match value {
                    "true" => Ok(LenientBool(true)),
                    "false" => Ok(LenientBool(false)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(value), &self)),
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_booleans_and_their_strings_and_writes_booleans() {
        for (json, value) in [
            ("true", true),
            ("false", false),
            (r#""true""#, true),
            (r#""false""#, false),
        ] {
            let read: LenientBool = serde_json::from_str(json).unwrap();
            assert_eq!(read, value, "{json}");
            assert_eq!(serde_json::to_string(&read).unwrap(), value.to_string());
        }
    }

    #[test]
    fn refuses_anything_else() {
        for json in [r#""yes""#, r#""True""#, "1", "null", r#""""#] {
            let err = serde_json::from_str::<LenientBool>(json).unwrap_err();
            assert!(err.to_string().contains("a boolean"), "{json}: {err}");
        }
    }
}
