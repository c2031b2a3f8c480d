//! What each kind of spec change means for users of the generated client, on two axes,
//! and the semver bump that follows. The table here and the ones in `xtask/DRIFT.md` are
//! the same rules (a test checks they agree).
//!
//! - [`Wire`]: does a client that is already built still talk correctly to the server
//!   after the change?
//! - [`Rust`]: does regenerating the crate break code written the documented way
//!   (progenitor's builders: `client.list_documents().limit(10).send()`, request bodies
//!   through typify's builders, `#[non_exhaustive]` structs and open enums)?
//! - [`Semver`]: the bump the regenerated crate needs, derived from the two by
//!   [`Semver::of`].
//!
//! oasdiff's checks are the reference for what is detected and how rules are named; the
//! verdicts are decided by what the change does to this client. Where one rule covers
//! cases that differ, its verdicts are those of the worst case (`DRIFT.md` says which).

use serde::Serialize;

/// Whether an existing, already-built client still talks correctly to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wire {
    /// Only documentation changed: what is sent and answered is the same.
    None,
    /// The API changed, and an existing client keeps working (it may not use what is new).
    Compatible,
    /// The server may refuse what an existing client sends, or answer what it cannot
    /// decode or does not expect.
    Breaking,
}

/// What regenerating the crate does to code written the documented way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rust {
    /// The code keeps compiling and working.
    Compiles,
    /// The code compiles, but a call that worked now returns an error before any request
    /// is sent (a required value the builder was not given).
    FailsBeforeSending,
    /// The code may stop compiling (a method, setter, field or variant is gone or retyped).
    StopsCompiling,
}

/// The semver bump the regenerated crate needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Semver {
    /// Only documentation changed.
    Patch,
    /// The API changed and code written against the previous crate keeps working.
    Minor,
    /// Code written against the previous crate may stop compiling or start failing.
    Major,
}

impl Wire {
    /// The id used in reports, `--format json` and `DRIFT.md`.
    pub fn id(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Compatible => "compatible",
            Self::Breaking => "breaking",
        }
    }
}

impl Rust {
    /// The id used in reports, `--format json` and `DRIFT.md`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Compiles => "compiles",
            Self::FailsBeforeSending => "fails-before-sending",
            Self::StopsCompiling => "stops-compiling",
        }
    }
}

impl Semver {
    /// The id used in reports, `--format json` and `DRIFT.md`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        }
    }

    /// The bump a change with these verdicts needs.
    ///
    /// The Rust verdict decides: code that stops compiling, or calls that start failing
    /// before they are sent, need a major release. The wire verdict only tells `patch`
    /// (nothing but documentation) from `minor`: a wire-breaking change is about clients
    /// already built, and the regenerated crate is the fix for it, so when the callers'
    /// code still compiles and works, taking the new version is a compatible upgrade (and
    /// one to take soon: `--fail-on wire-breaking` gates on it).
    pub fn of(wire: Wire, rust: Rust) -> Self {
        match (wire, rust) {
            (_, Rust::StopsCompiling | Rust::FailsBeforeSending) => Self::Major,
            (Wire::None, Rust::Compiles) => Self::Patch,
            (Wire::Compatible | Wire::Breaking, Rust::Compiles) => Self::Minor,
        }
    }
}

macro_rules! rules {
    ($($variant:ident = $id:literal, $wire:ident, $rust:ident;)*) => {
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

            /// Whether an existing client still talks correctly to the server.
            pub fn wire(self) -> Wire {
                match self { $(Rule::$variant => Wire::$wire,)* }
            }

            /// What regenerating the crate does to code written the documented way.
            pub fn rust(self) -> Rust {
                match self { $(Rule::$variant => Rust::$rust,)* }
            }

            /// The bump the regenerated crate needs: [`Semver::of`] the two verdicts.
            pub fn semver(self) -> Semver {
                Semver::of(self.wire(), self.rust())
            }
        }
    };
}

rules! {
    EndpointAdded = "endpoint-added", Compatible, Compiles;
    EndpointRemoved = "endpoint-removed", Breaking, StopsCompiling;
    EndpointDeprecated = "endpoint-deprecated", Compatible, Compiles;
    EndpointReactivated = "endpoint-reactivated", Compatible, Compiles;
    OperationIdChanged = "api-operation-id-updated", Compatible, StopsCompiling;
    PathParameterRenamed = "path-parameter-renamed", Compatible, StopsCompiling;
    SecurityChanged = "api-security-updated", Breaking, Compiles;
    OperationChanged = "operation-changed", Breaking, StopsCompiling;

    NewRequiredRequestParameter = "new-required-request-parameter", Breaking, FailsBeforeSending;
    NewOptionalRequestParameter = "new-optional-request-parameter", Compatible, Compiles;
    RequestParameterRemoved = "request-parameter-removed", Breaking, StopsCompiling;
    RequestParameterRenamed = "request-parameter-renamed", Breaking, StopsCompiling;
    RequestParameterBecameRequired = "request-parameter-became-required", Breaking, FailsBeforeSending;
    RequestParameterBecameOptional = "request-parameter-became-optional", Compatible, Compiles;
    RequestParameterTypeChanged = "request-parameter-type-changed", Breaking, StopsCompiling;
    RequestParameterBecameNullable = "request-parameter-became-nullable", Compatible, StopsCompiling;
    RequestParameterBecameNotNullable = "request-parameter-became-not-nullable", Breaking, StopsCompiling;
    RequestParameterEnumValueAdded = "request-parameter-enum-value-added", Compatible, Compiles;
    RequestParameterEnumValueRemoved = "request-parameter-enum-value-removed", Breaking, StopsCompiling;
    RequestParameterConstraintChanged = "request-parameter-constraint-changed", Breaking, StopsCompiling;

    NewRequiredRequestBody = "new-required-request-body", Breaking, FailsBeforeSending;
    NewOptionalRequestBody = "new-optional-request-body", Compatible, FailsBeforeSending;
    RequestBodyRemoved = "request-body-removed", Breaking, StopsCompiling;
    RequestBodyBecameRequired = "request-body-became-required", Compatible, Compiles;
    RequestBodyBecameOptional = "request-body-became-optional", Compatible, Compiles;
    RequestBodyMediaTypeAdded = "request-body-media-type-added", Compatible, StopsCompiling;
    RequestBodyMediaTypeRemoved = "request-body-media-type-removed", Breaking, StopsCompiling;
    NewRequiredRequestProperty = "new-required-request-property", Breaking, FailsBeforeSending;
    NewOptionalRequestProperty = "new-optional-request-property", Compatible, Compiles;
    RequestPropertyRemoved = "request-property-removed", Breaking, StopsCompiling;
    RequestPropertyBecameRequired = "request-property-became-required", Breaking, StopsCompiling;
    RequestPropertyBecameOptional = "request-property-became-optional", Compatible, StopsCompiling;
    RequestPropertyTypeChanged = "request-property-type-changed", Breaking, StopsCompiling;
    RequestPropertyBecameNullable = "request-property-became-nullable", Compatible, StopsCompiling;
    RequestPropertyBecameNotNullable = "request-property-became-not-nullable", Breaking, StopsCompiling;
    RequestPropertyEnumValueAdded = "request-property-enum-value-added", Compatible, Compiles;
    RequestPropertyEnumValueRemoved = "request-property-enum-value-removed", Breaking, StopsCompiling;
    RequestPropertyConstraintChanged = "request-property-constraint-changed", Breaking, StopsCompiling;

    ResponseSuccessStatusAdded = "response-success-status-added", Breaking, Compiles;
    ResponseSuccessStatusRemoved = "response-success-status-removed", Compatible, Compiles;
    ResponseNonSuccessStatusAdded = "response-non-success-status-added", Compatible, StopsCompiling;
    ResponseNonSuccessStatusRemoved = "response-non-success-status-removed", Compatible, StopsCompiling;
    ResponseMediaTypeAdded = "response-media-type-added", Breaking, StopsCompiling;
    ResponseMediaTypeRemoved = "response-media-type-removed", Breaking, StopsCompiling;
    ResponseHeadersChanged = "response-headers-changed", Compatible, Compiles;
    ResponsePropertyAdded = "response-property-added", Compatible, Compiles;
    ResponsePropertyRemoved = "response-property-removed", Breaking, StopsCompiling;
    ResponsePropertyBecameOptional = "response-property-became-optional", Breaking, StopsCompiling;
    ResponsePropertyBecameRequired = "response-property-became-required", Compatible, StopsCompiling;
    ResponsePropertyTypeChanged = "response-property-type-changed", Breaking, StopsCompiling;
    ResponsePropertyBecameNullable = "response-property-became-nullable", Breaking, StopsCompiling;
    ResponsePropertyBecameNotNullable = "response-property-became-not-nullable", Compatible, StopsCompiling;
    ResponsePropertyEnumValueAdded = "response-property-enum-value-added", Compatible, Compiles;
    ResponsePropertyEnumValueRemoved = "response-property-enum-value-removed", Compatible, StopsCompiling;
    ResponsePropertyConstraintChanged = "response-property-constraint-changed", Breaking, StopsCompiling;

    SecuritySchemesChanged = "security-schemes-changed", Breaking, Compiles;
    ServersChanged = "servers-changed", Breaking, Compiles;
    DocumentationChanged = "documentation-changed", None, Compiles;
    TextReformatted = "text-reformatted", None, Compiles;
    UnclassifiedChange = "unclassified-change", Breaking, StopsCompiling;

    CallbackEventAdded = "callback-event-added", Compatible, Compiles;
    CallbackEventRemoved = "callback-event-removed", Compatible, StopsCompiling;
    CallbackValueAdded = "callback-value-added", Compatible, Compiles;
    CallbackValueRemoved = "callback-value-removed", Compatible, StopsCompiling;
    CallbackExampleAdded = "callback-example-added", Compatible, Compiles;
    CallbackExampleRemoved = "callback-example-removed", Breaking, StopsCompiling;
    CallbackExampleChanged = "callback-example-changed", Breaking, StopsCompiling;
    CallbackPageTextChanged = "callback-page-text-changed", None, Compiles;
    CallbackPageRemoved = "callback-page-removed", Breaking, StopsCompiling;
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of `DRIFT.md`'s rule tables (those headed `| rule | wire | rust | semver |`):
    /// the rule id and its three verdicts, as written.
    fn documented_rows() -> Vec<[String; 4]> {
        let mut rows = Vec::new();
        let mut in_rules = false;
        for line in include_str!("../DRIFT.md").lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if !line.starts_with('|') {
                in_rules = false;
            } else if cells.get(1..5) == Some(&["rule", "wire", "rust", "semver"][..]) {
                in_rules = true;
            } else if in_rules && !line.starts_with("|---") {
                let id = cells[1].trim_matches('`');
                rows.push([id, cells[2], cells[3], cells[4]].map(str::to_owned));
            }
        }
        rows
    }

    /// `--format json` writes each rule and verdict as the id the reports print.
    #[test]
    fn verdicts_serialise_as_their_ids() {
        fn to_json(value: impl Serialize) -> String {
            serde_json::to_string(&value).unwrap()
        }
        for rule in Rule::ALL {
            for (id, serialised) in [
                (rule.id(), to_json(rule)),
                (rule.wire().id(), to_json(rule.wire())),
                (rule.rust().id(), to_json(rule.rust())),
                (rule.semver().id(), to_json(rule.semver())),
            ] {
                assert_eq!(serialised, format!("\"{id}\""));
            }
        }
    }

    /// `DRIFT.md` is where users read the rules; it must say what the code does, on both
    /// axes and for the bump.
    #[test]
    fn drift_md_lists_every_rule_with_its_verdicts() {
        let expected: Vec<[String; 4]> = Rule::ALL
            .iter()
            .map(|r| [r.id(), r.wire().id(), r.rust().id(), r.semver().id()].map(str::to_owned))
            .collect();
        assert_eq!(documented_rows(), expected);
    }

    #[test]
    fn the_rust_verdict_decides_major_and_the_wire_tells_patch_from_minor() {
        use Rust::*;
        for wire in [Wire::None, Wire::Compatible, Wire::Breaking] {
            assert_eq!(Semver::of(wire, StopsCompiling), Semver::Major);
            assert_eq!(Semver::of(wire, FailsBeforeSending), Semver::Major);
        }
        assert_eq!(Semver::of(Wire::None, Compiles), Semver::Patch);
        assert_eq!(Semver::of(Wire::Compatible, Compiles), Semver::Minor);
        assert_eq!(Semver::of(Wire::Breaking, Compiles), Semver::Minor);
        // Ordered by how much they matter, so the overall bump is the greatest.
        assert!(Semver::Patch < Semver::Minor && Semver::Minor < Semver::Major);
        assert!(Wire::None < Wire::Compatible && Wire::Compatible < Wire::Breaking);
        assert!(Compiles < FailsBeforeSending && FailsBeforeSending < StopsCompiling);
    }

    /// Only text changes are patches, and every rule that may break compilation says so.
    #[test]
    fn documentation_rules_are_the_only_patches() {
        let patches: Vec<&str> = Rule::ALL
            .iter()
            .filter(|r| r.semver() == Semver::Patch)
            .map(|r| r.id())
            .collect();
        assert_eq!(
            patches,
            [
                "documentation-changed",
                "text-reformatted",
                "callback-page-text-changed"
            ]
        );
        for rule in Rule::ALL {
            assert_eq!(rule.wire() == Wire::None, rule.semver() == Semver::Patch);
        }
    }
}
