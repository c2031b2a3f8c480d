//! What `tavus-api`'s build script costs, in alternating rounds of one run:
//! - loading and parsing the whole vendored spec (the baseline);
//! - what the build script does, called in-process, optimised like this binary:
//!   `tavus_openapi::build_script::generate_client` (load, adapt, generate with
//!   progenitor, adapt the code, format) and writing its three files;
//! - the build script as cargo builds and runs it, which is unoptimised (cargo's default
//!   for build scripts and their dependencies): the `build-script-build` executable of a
//!   `cargo build -p tavus-api` in this target directory, run with a temporary `OUT_DIR`.
//!   Skipped, with a note, when there is none yet.
//!
//! Whether cargo reruns the script at all is checked by `tests/tests/build_script.rs`.
//! `cargo bench -p tavus-benches --bench build_script`; see BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tavus_benches::{load_average, percentile, ratio};
use tavus_openapi::build_script::generate_client;

const ROUNDS: usize = 6;

fn main() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tavus-api");
    let spec_dir = crate_dir.join("openapi");
    let out_dir =
        std::env::temp_dir().join(format!("tavus-bench-build-script-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("a temporary OUT_DIR");
    let real_script = cargo_built_script();
    println!("build script cost: tavus-api/build.rs against loading the spec, one run");
    println!("load average (1, 5, 15 min) at start: {}", load_average());

    let load = || {
        let start = Instant::now();
        let spec = tavus_openapi::VendoredSpec::load(&spec_dir).expect("the vendored spec");
        (start.elapsed(), spec.files.len())
    };
    // What tavus-api/build.rs does.
    let generate = || {
        let start = Instant::now();
        let client = generate_client(&spec_dir).expect("the build script's pipeline");
        client
            .write_to(&out_dir)
            .expect("the generated files written");
        start.elapsed()
    };
    let run_real = |script: &Path| {
        let start = Instant::now();
        let status = Command::new(script)
            .current_dir(&crate_dir)
            .env("OUT_DIR", &out_dir)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("the build script runs");
        assert!(status.success(), "{} failed", script.display());
        start.elapsed()
    };
    let (_, pages) = load();
    generate();

    let (mut loading, mut generating, mut real) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let mut steps: [&mut dyn FnMut(); 3] = [
            &mut || loading.push(load().0),
            &mut || generating.push(generate()),
            &mut || {
                if let Some(script) = &real_script {
                    real.push(run_real(script));
                }
            },
        ];
        if !round.is_multiple_of(2) {
            steps.reverse();
        }
        for step in steps {
            step();
        }
    }
    let generated = std::fs::read_to_string(out_dir.join("codegen.rs")).expect("codegen.rs");
    let _ = std::fs::remove_dir_all(&out_dir);

    let load_time = percentile(&mut loading, 0.5);
    let generate_time = percentile(&mut generating, 0.5);
    println!(
        "\nthe whole vendored spec: {pages} page(s), {} lines of generated Rust; medians of {ROUNDS} alternating rounds",
        generated.lines().count()
    );
    let row = |name: &str, time: Duration| {
        println!(
            "  {name:<44} {time:>10.1?} {:>8.1}x",
            ratio(time, load_time)
        );
    };
    println!("  {:<44} {:>10} {:>9}", "", "time", "/ load");
    row("load and parse the spec (optimised)", load_time);
    row("what build.rs does, in-process (optimised)", generate_time);
    match &real_script {
        Some(script) => {
            let real_time = percentile(&mut real, 0.5);
            row("the build script as cargo runs it", real_time);
            println!("    ({})", script.display());
            if is_older_than(script, &crate_dir.join("build.rs")) {
                println!("    it is older than build.rs: run `cargo build -p tavus-api` and rerun");
            }
        }
        None => println!(
            "  the build script as cargo runs it: skipped, run `cargo build -p tavus-api` first"
        ),
    }
    println!("load average (1, 5, 15 min) at end: {}", load_average());
}

/// The newest `build-script-build` of tavus-api from a dev build in this target directory
/// (this binary is `<target>/release/deps/build_script-<hash>`).
fn cargo_built_script() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let target = exe.parent()?.parent()?.parent()?;
    std::fs::read_dir(target.join("debug/build"))
        .ok()?
        .flatten()
        .filter(|entry| {
            // `tavus-api-<hash>`, not `tavus-api-httpmock-<hash>`.
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_prefix("tavus-api-")
                .is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .map(|entry| entry.path().join("build-script-build"))
        .filter_map(|script| Some((script.metadata().ok()?.modified().ok()?, script)))
        .max()
        .map(|(_, script)| script)
}

fn is_older_than(file: &Path, than: &Path) -> bool {
    let modified = |path: &Path| path.metadata().and_then(|m| m.modified()).ok();
    matches!((modified(file), modified(than)), (Some(a), Some(b)) if a < b)
}
