//! What each kind of spec change means for users of the generated client. The table here
//! and the one in `xtask/DRIFT.md` are the same rules (a test checks they agree).
//!
//! oasdiff's checks are the reference: its ERR level is breaking here, INFO is
//! non-breaking, and its WARN ("potentially breaking") is decided by what the change does
//! to the generated Rust client: if code that compiled against the old client may stop
//! compiling or start failing at run time, it is breaking.

use serde::Serialize;

/// How much a change matters to a user of the generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Code using the client may stop compiling, or requests or responses that worked may fail.
    Breaking,
    /// The client gains something or accepts more; existing code keeps working.
    NonBreaking,
    /// Only text changed: descriptions, summaries, examples, titles, tags, formatting.
    Documentation,
}

impl Severity {
    /// The label used in reports and in `--format json`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Breaking => "breaking",
            Self::NonBreaking => "non-breaking",
            Self::Documentation => "documentation",
        }
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $severity:ident;)*) => {
        /// A kind of change between the vendored spec and upstream, named like oasdiff's
        /// check ids where oasdiff has one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule { $(#[doc = $id] $variant,)* }

        impl Rule {
            /// Every rule, in the order of `DRIFT.md`.
            pub const ALL: &[Rule] = &[$(Rule::$variant,)*];

            /// The rule's stable id, as in `--format json` and `DRIFT.md`.
            pub fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id,)* }
            }

            /// How the rule is classified.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }
        }
    };
}

rules! {
    EndpointAdded = "endpoint-added", NonBreaking;
    EndpointRemoved = "endpoint-removed", Breaking;
    EndpointDeprecated = "endpoint-deprecated", NonBreaking;
    EndpointReactivated = "endpoint-reactivated", NonBreaking;
    OperationIdChanged = "api-operation-id-updated", Breaking;
    SecurityChanged = "api-security-updated", Breaking;
    OperationChanged = "operation-changed", Breaking;

    NewRequiredRequestParameter = "new-required-request-parameter", Breaking;
    NewOptionalRequestParameter = "new-optional-request-parameter", NonBreaking;
    RequestParameterRemoved = "request-parameter-removed", Breaking;
    RequestParameterRenamed = "request-parameter-renamed", Breaking;
    RequestParameterBecameRequired = "request-parameter-became-required", Breaking;
    RequestParameterBecameOptional = "request-parameter-became-optional", NonBreaking;
    RequestParameterTypeChanged = "request-parameter-type-changed", Breaking;
    RequestParameterBecameNullable = "request-parameter-became-nullable", NonBreaking;
    RequestParameterBecameNotNullable = "request-parameter-became-not-nullable", Breaking;
    RequestParameterEnumValueAdded = "request-parameter-enum-value-added", NonBreaking;
    RequestParameterEnumValueRemoved = "request-parameter-enum-value-removed", Breaking;
    RequestParameterConstraintChanged = "request-parameter-constraint-changed", Breaking;

    NewRequiredRequestBody = "new-required-request-body", Breaking;
    NewOptionalRequestBody = "new-optional-request-body", NonBreaking;
    RequestBodyRemoved = "request-body-removed", Breaking;
    RequestBodyBecameRequired = "request-body-became-required", Breaking;
    RequestBodyBecameOptional = "request-body-became-optional", NonBreaking;
    RequestBodyMediaTypeAdded = "request-body-media-type-added", NonBreaking;
    RequestBodyMediaTypeRemoved = "request-body-media-type-removed", Breaking;
    NewRequiredRequestProperty = "new-required-request-property", Breaking;
    NewOptionalRequestProperty = "new-optional-request-property", NonBreaking;
    RequestPropertyRemoved = "request-property-removed", Breaking;
    RequestPropertyBecameRequired = "request-property-became-required", Breaking;
    RequestPropertyBecameOptional = "request-property-became-optional", NonBreaking;
    RequestPropertyTypeChanged = "request-property-type-changed", Breaking;
    RequestPropertyBecameNullable = "request-property-became-nullable", NonBreaking;
    RequestPropertyBecameNotNullable = "request-property-became-not-nullable", Breaking;
    RequestPropertyEnumValueAdded = "request-property-enum-value-added", NonBreaking;
    RequestPropertyEnumValueRemoved = "request-property-enum-value-removed", Breaking;
    RequestPropertyConstraintChanged = "request-property-constraint-changed", Breaking;

    ResponseSuccessStatusAdded = "response-success-status-added", NonBreaking;
    ResponseSuccessStatusRemoved = "response-success-status-removed", Breaking;
    ResponseNonSuccessStatusAdded = "response-non-success-status-added", NonBreaking;
    ResponseNonSuccessStatusRemoved = "response-non-success-status-removed", NonBreaking;
    ResponseMediaTypeAdded = "response-media-type-added", NonBreaking;
    ResponseMediaTypeRemoved = "response-media-type-removed", Breaking;
    ResponseHeadersChanged = "response-headers-changed", NonBreaking;
    ResponsePropertyAdded = "response-property-added", NonBreaking;
    ResponsePropertyRemoved = "response-property-removed", Breaking;
    ResponsePropertyBecameOptional = "response-property-became-optional", Breaking;
    ResponsePropertyBecameRequired = "response-property-became-required", NonBreaking;
    ResponsePropertyTypeChanged = "response-property-type-changed", Breaking;
    ResponsePropertyBecameNullable = "response-property-became-nullable", Breaking;
    ResponsePropertyBecameNotNullable = "response-property-became-not-nullable", NonBreaking;
    ResponsePropertyEnumValueAdded = "response-property-enum-value-added", NonBreaking;
    ResponsePropertyEnumValueRemoved = "response-property-enum-value-removed", NonBreaking;
    ResponsePropertyConstraintChanged = "response-property-constraint-changed", NonBreaking;

    SecuritySchemesChanged = "security-schemes-changed", Breaking;
    ServersChanged = "servers-changed", NonBreaking;
    DocumentationChanged = "documentation-changed", Documentation;
    TextReformatted = "text-reformatted", Documentation;
    UnclassifiedChange = "unclassified-change", Breaking;

    CallbackEventAdded = "callback-event-added", NonBreaking;
    CallbackEventRemoved = "callback-event-removed", Breaking;
    CallbackValueAdded = "callback-value-added", NonBreaking;
    CallbackValueRemoved = "callback-value-removed", NonBreaking;
    CallbackExampleAdded = "callback-example-added", NonBreaking;
    CallbackExampleRemoved = "callback-example-removed", Breaking;
    CallbackExampleChanged = "callback-example-changed", Breaking;
    CallbackPageTextChanged = "callback-page-text-changed", Documentation;
    CallbackPageRemoved = "callback-page-removed", Breaking;
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `DRIFT.md` is where users read the rules; it must say what the code does.
    #[test]
    fn drift_md_lists_every_rule_with_its_severity() {
        let doc = include_str!("../DRIFT.md");
        let rows: Vec<(String, String)> = doc
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let id = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
                Some((id.to_owned(), cells.get(2)?.to_string()))
            })
            .collect();
        let expected: Vec<(String, String)> = Rule::ALL
            .iter()
            .map(|r| (r.id().to_owned(), r.severity().label().to_owned()))
            .collect();
        assert_eq!(rows, expected);
    }
}
