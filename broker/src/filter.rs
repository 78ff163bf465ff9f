//! Tag filtering (spec/remoting.md §4.5 step 5, store.md §3.7): parsing a
//! TAG expression into a `SubscriptionData`, and matching ConsumeQueue
//! tagsCodes against it. Pure.

use std::collections::HashSet;

use booster_model::heartbeat::SubscriptionData;
use booster_store::record::java_string_hash;

/// `FilterAPI.buildSubscriptionData`: `*` or empty = every tag; else tags
/// split on `||`, trimmed, empties dropped. SQL92 expressions are kept
/// verbatim (the caller decides whether they are allowed).
pub fn build_subscription(
    topic: &str,
    sub_string: Option<&str>,
    expression_type: Option<&str>,
    sub_version: i64,
) -> Result<SubscriptionData, String> {
    let expression_type = match expression_type.map(str::trim) {
        None | Some("") => SubscriptionData::EXPRESSION_TYPE_TAG.to_owned(),
        Some(t) => t.to_ascii_uppercase(),
    };
    let mut data =
        SubscriptionData { topic: topic.to_owned(), sub_version, expression_type, ..Default::default() };
    let sub = sub_string.map(str::trim).unwrap_or("");
    if !data.is_tag_type() {
        data.sub_string = sub.to_owned();
        return Ok(data);
    }
    if sub.is_empty() || sub == SubscriptionData::SUB_ALL {
        data.sub_string = SubscriptionData::SUB_ALL.to_owned();
        return Ok(data);
    }
    data.sub_string = sub.to_owned();
    for tag in sub.split("||").map(str::trim).filter(|t| !t.is_empty()) {
        if !data.tags_set.iter().any(|t| t == tag) {
            data.tags_set.push(tag.to_owned());
            data.code_set.push(java_string_hash(tag));
        }
    }
    if data.tags_set.is_empty() {
        return Err(format!("subString split error: {sub:?}"));
    }
    Ok(data)
}

/// What a pull may return, by ConsumeQueue tagsCode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagFilter {
    All,
    Codes(HashSet<i32>),
}

impl TagFilter {
    /// `*`, class-filter mode and non-TAG expressions match every entry
    /// (SQL92 is not evaluated; the broker refuses it earlier unless
    /// `enablePropertyFilter`).
    pub fn from_subscription(sub: &SubscriptionData) -> Self {
        if sub.class_filter_mode || !sub.is_tag_type() || sub.sub_string.trim() == SubscriptionData::SUB_ALL {
            return Self::All;
        }
        Self::Codes(sub.code_set.iter().copied().collect())
    }

    /// Compares the low 32 bits of the tagsCode, as RocketMQ does.
    pub fn matches(&self, tags_code: i64) -> bool {
        match self {
            Self::All => true,
            Self::Codes(codes) => codes.contains(&(tags_code as i32)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_expressions() {
        let all = build_subscription("T", Some(" * "), None, 1).unwrap();
        assert_eq!(all.sub_string, "*");
        assert_eq!(TagFilter::from_subscription(&all), TagFilter::All);
        assert_eq!(build_subscription("T", None, Some(""), 1).unwrap().sub_string, "*");

        let two = build_subscription("T", Some("TagA || TagB ||  || TagA"), Some("tag"), 7).unwrap();
        assert_eq!(two.tags_set, vec!["TagA", "TagB"]);
        assert_eq!(two.code_set, vec![java_string_hash("TagA"), java_string_hash("TagB")]);
        assert_eq!(two.sub_version, 7);
        let f = TagFilter::from_subscription(&two);
        assert!(f.matches(i64::from(java_string_hash("TagB"))));
        assert!(!f.matches(i64::from(java_string_hash("TagC"))));
        assert!(!f.matches(0), "untagged messages do not match a tag list");

        assert!(build_subscription("T", Some("||"), None, 0).is_err());
        let sql = build_subscription("T", Some("a > 1"), Some("SQL92"), 0).unwrap();
        assert!(!sql.is_tag_type());
        assert_eq!(TagFilter::from_subscription(&sql), TagFilter::All);
    }
}
