//! The crates that decide what code `tavus-api`'s build script generates are required at
//! exact versions (issue 11), so that every user's build generates what CI tested: a
//! caret requirement would let a user's lockfile pick another progenitor or typify,
//! whose output the code adaptations (`tavus_openapi::code`) were not written for.

use std::process::Command;

use serde_json::Value;

/// `(package, dependency)` pairs that must be exact (`=x.y.z`), whatever their kind.
const PINNED: &[(&str, &str)] = &[
    ("tavus-api", "tavus-openapi"),
    ("tavus-api", "progenitor-client"),
    ("tavus-api-httpmock", "tavus-openapi"),
    ("tavus-api-httpmock", "progenitor-impl"),
    ("tavus-openapi", "progenitor-impl"),
    ("tavus-openapi", "typify-impl"),
];

#[test]
fn the_generator_is_pinned() {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(integration_tests::repo_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut loose = Vec::new();
    for (package, dependency) in PINNED {
        let package = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == *package)
            .unwrap_or_else(|| panic!("no package {package}"));
        let requirements: Vec<&str> = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["name"] == *dependency)
            .map(|d| d["req"].as_str().unwrap())
            .collect();
        assert!(
            !requirements.is_empty(),
            "{} does not depend on {dependency}",
            package["name"]
        );
        for requirement in requirements {
            let exact = requirement.starts_with('=') && !requirement.contains(',');
            if !exact {
                loose.push(format!("{} → {dependency} {requirement}", package["name"]));
            }
        }
    }
    assert!(
        loose.is_empty(),
        "these requirements decide the generated code but are not exact: {loose:#?}; \
         require them as `=x.y.z` (the root Cargo.toml's [workspace.dependencies]), and \
         update tavus-openapi/src/code.rs for the new versions' output if they changed"
    );
}
