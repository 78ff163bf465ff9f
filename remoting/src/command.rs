//! `RemotingCommand`: the logical content of one frame (spec/remoting.md §2.1).

use std::collections::HashMap;

use bytes::Bytes;

/// Bit 0 of `flag`: this command is a response.
pub const FLAG_RESPONSE: i32 = 0x1;
/// Bit 1 of `flag`: the request expects no response.
pub const FLAG_ONEWAY: i32 = 0x2;

/// The remoting version Booster reports (RocketMQ V5_3_3).
pub const CURRENT_VERSION: i32 = 479;

/// Header encoding of a frame (the high byte of the header-length word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SerializeType {
    #[default]
    Json = 0,
    RocketMq = 1,
}

impl SerializeType {
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Self::Json),
            1 => Some(Self::RocketMq),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::RocketMq => "ROCKETMQ",
        }
    }
}

/// The sender's language (spec §2.1 table); unknown values are kept as OTHER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LanguageCode {
    Java = 0,
    Cpp = 1,
    Dotnet = 2,
    Python = 3,
    Delphi = 4,
    Erlang = 5,
    Ruby = 6,
    #[default]
    Other = 7,
    Http = 8,
    Go = 9,
    Php = 10,
    Oms = 11,
    Rust = 12,
    NodeJs = 13,
}

const LANGUAGES: [(LanguageCode, &str); 14] = [
    (LanguageCode::Java, "JAVA"),
    (LanguageCode::Cpp, "CPP"),
    (LanguageCode::Dotnet, "DOTNET"),
    (LanguageCode::Python, "PYTHON"),
    (LanguageCode::Delphi, "DELPHI"),
    (LanguageCode::Erlang, "ERLANG"),
    (LanguageCode::Ruby, "RUBY"),
    (LanguageCode::Other, "OTHER"),
    (LanguageCode::Http, "HTTP"),
    (LanguageCode::Go, "GO"),
    (LanguageCode::Php, "PHP"),
    (LanguageCode::Oms, "OMS"),
    (LanguageCode::Rust, "RUST"),
    (LanguageCode::NodeJs, "NODE_JS"),
];

impl LanguageCode {
    pub fn from_code(code: u8) -> Self {
        LANGUAGES.get(code as usize).map_or(Self::Other, |(l, _)| *l)
    }

    pub fn from_name(name: &str) -> Self {
        LANGUAGES.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)).map_or(Self::Other, |(l, _)| *l)
    }

    pub fn name(self) -> &'static str {
        LANGUAGES[self as usize].1
    }
}

/// Custom header fields, by exact field name.
pub type ExtFields = HashMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemotingCommand {
    pub code: i32,
    pub language: LanguageCode,
    pub version: i32,
    pub opaque: i32,
    pub flag: i32,
    pub remark: Option<String>,
    pub ext_fields: Option<ExtFields>,
    pub body: Option<Bytes>,
    /// How the header was (or will be) encoded.
    pub serialize_type: SerializeType,
}

impl RemotingCommand {
    /// A request Booster sends.
    pub fn request(code: i32) -> Self {
        Self { code, language: LanguageCode::Java, version: CURRENT_VERSION, ..Self::default() }
    }

    /// A response to `request`, echoing its opaque and serialization.
    pub fn response_to(request: &RemotingCommand, code: i32) -> Self {
        Self {
            code,
            language: LanguageCode::Java,
            version: CURRENT_VERSION,
            opaque: request.opaque,
            flag: FLAG_RESPONSE,
            serialize_type: request.serialize_type,
            ..Self::default()
        }
    }

    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub fn with_ext(mut self, fields: ExtFields) -> Self {
        if !fields.is_empty() {
            self.ext_fields.get_or_insert_with(ExtFields::new).extend(fields);
        }
        self
    }

    pub fn oneway(mut self) -> Self {
        self.flag |= FLAG_ONEWAY;
        self
    }

    pub fn is_response(&self) -> bool {
        self.flag & FLAG_RESPONSE != 0
    }

    pub fn is_oneway(&self) -> bool {
        self.flag & FLAG_ONEWAY != 0
    }

    /// The value of one custom header field.
    pub fn ext(&self, name: &str) -> Option<&str> {
        self.ext_fields.as_ref()?.get(name).map(String::as_str)
    }

    pub fn set_ext(&mut self, name: impl Into<String>, value: impl ToString) {
        self.ext_fields.get_or_insert_with(ExtFields::new).insert(name.into(), value.to_string());
    }
}
