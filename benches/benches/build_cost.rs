//! What a user pays to build a small program on tavus-api, against the same program
//! written by hand on reqwest (issue 14). Five throwaway programs, whose sources live in
//! `benches/build-cost/` (`by-hand`, `on-tavus-api`), make the same three calls:
//! - `by-hand`: reqwest with its default TLS (rustls with aws-lc-rs) and the features
//!   tavus-api uses (charset, http2, json, query: its defaults but `system-proxy`, see
//!   its `Cargo.toml.in`), serde, serde_json, tokio;
//! - `tavus-api`: tavus-api from this checkout with its default features, and tokio;
//! - `tavus-api rustls-ring`: the same with `default-features = false,
//!   features = ["rustls-ring"]`;
//! - `tavus-api shipped, default` and `tavus-api shipped, rustls-ring`: the same two on a
//!   copy of tavus-api with its generated code written out in the package (see
//!   `Workspace::write_shipped`), whose build has no build-dependencies: what a user
//!   would pay if the package shipped the code instead of generating it in `build.rs`.
//!
//! Each is written to a temporary directory with this workspace's `Cargo.lock` (so the
//! versions are the workspace's) and built with `cargo build --offline`. Per round, in
//! alternating order, each program gets a fresh target directory and a cold build, then
//! a comment is appended to its `src/main.rs` and it is built again (the rebuild, in
//! which tavus-api's build script must not run: checked from `cargo build -v`). CPU time
//! is user + sys of the cargo process and every process it waited for (`wait4`'s
//! rusage); wall time is printed beside it. Ratios are taken per round and their median
//! reported, since the rounds alternate. `--sizes` adds one release build per program
//! and reports its binary's size; `--timings` keeps cargo's `--timings` report of every
//! cold build and prints its slowest units; `--only` builds some of the programs (a
//! quick check of one; ratios need `by-hand` among them).
//!
//! `cargo bench -p tavus-benches --bench build_cost -- [--rounds N] [--only P,..] [--sizes] [--timings] [--keep]`;
//! see BENCHMARKS.md ("Build cost for a user").

#[cfg(unix)]
fn main() {
    cost::main();
}

#[cfg(not(unix))]
fn main() {
    eprintln!("build_cost measures CPU time with wait4: it runs on Unix only");
}

#[cfg(unix)]
mod cost {
    use std::fs::{self, File};
    use std::io::{self, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use tavus_benches::{load_average, percentile};

    const DEFAULT_ROUNDS: usize = 3;
    /// Targets of issue 14, as medians of per-round ratios to the by-hand program.
    const COLD_TARGET_DEFAULT: f64 = 1.25;
    const COLD_TARGET_RING: f64 = 0.90;
    const REBUILD_TARGET: f64 = 1.05;

    #[derive(Clone, Copy, PartialEq)]
    enum Variant {
        ByHand,
        Default,
        Ring,
        /// `Default` on the copy of tavus-api with its generated code in the package.
        ShippedDefault,
        /// `Ring` on that copy.
        ShippedRing,
    }

    const VARIANTS: [Variant; 5] = [
        Variant::ByHand,
        Variant::Default,
        Variant::Ring,
        Variant::ShippedDefault,
        Variant::ShippedRing,
    ];

    /// Crates of the code generation stack that tavus-api's build script needs: none of
    /// them may compile in a build on the shipped copy.
    const CODE_GENERATION: [&str; 5] = [
        "tavus-openapi",
        "progenitor",
        "progenitor-impl",
        "typify",
        "typify-impl",
    ];

    /// The build script of the shipped copy: the generated files are in the package; it
    /// copies them to `OUT_DIR`, where `src/generated.rs` includes them from.
    const SHIPPED_BUILD_RS: &str = r#"//! The generated code ships in the package: copy it to `OUT_DIR`, where
//! `src/generated.rs` includes it from.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    for file in ["codegen.rs", "routes.rs", "client.rs"] {
        println!("cargo::rerun-if-changed={file}");
        std::fs::copy(file, out.join(file)).expect("a generated file");
    }
}
"#;

    impl Variant {
        fn name(self) -> &'static str {
            match self {
                Variant::ByHand => "by hand (reqwest, rustls)",
                Variant::Default => "tavus-api (default features)",
                Variant::Ring => "tavus-api rustls-ring",
                Variant::ShippedDefault => "tavus-api shipped, default",
                Variant::ShippedRing => "tavus-api shipped, rustls-ring",
            }
        }

        fn short(self) -> &'static str {
            match self {
                Variant::ByHand => "by-hand",
                Variant::Default => "default",
                Variant::Ring => "rustls-ring",
                Variant::ShippedDefault => "shipped-default",
                Variant::ShippedRing => "shipped-rustls-ring",
            }
        }

        fn source_dir(self) -> &'static str {
            match self {
                Variant::ByHand => "by-hand",
                _ => "on-tavus-api",
            }
        }

        fn package(self) -> &'static str {
            match self {
                Variant::ByHand => "build-cost-by-hand",
                _ => "build-cost-on-tavus-api",
            }
        }

        /// The target of issue 14 for its cold build, as a ratio to the by-hand program.
        fn cold_target(self) -> Option<f64> {
            match self {
                Variant::ByHand => None,
                Variant::Default | Variant::ShippedDefault => Some(COLD_TARGET_DEFAULT),
                Variant::Ring | Variant::ShippedRing => Some(COLD_TARGET_RING),
            }
        }

        /// Whether it builds on the copy of tavus-api with its generated code shipped.
        fn shipped(self) -> bool {
            matches!(self, Variant::ShippedDefault | Variant::ShippedRing)
        }

        fn from_short(short: &str) -> Option<Self> {
            VARIANTS.into_iter().find(|v| v.short() == short)
        }

        fn tavus_api_features(self) -> &'static str {
            match self {
                Variant::ByHand | Variant::Default | Variant::ShippedDefault => "",
                Variant::Ring | Variant::ShippedRing => {
                    r#", default-features = false, features = ["rustls-ring"]"#
                }
            }
        }
    }

    struct Options {
        rounds: usize,
        /// The programs to build, in the order of `VARIANTS`.
        variants: Vec<Variant>,
        sizes: bool,
        timings: bool,
        keep: bool,
    }

    fn options() -> Options {
        let mut options = Options {
            rounds: DEFAULT_ROUNDS,
            variants: VARIANTS.to_vec(),
            sizes: false,
            timings: false,
            keep: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--rounds" => {
                    options.rounds = args
                        .next()
                        .and_then(|n| n.parse().ok())
                        .filter(|&n| n > 0)
                        .unwrap_or_else(|| usage("--rounds takes a number above 0"));
                }
                "--only" => {
                    let list = args.next().unwrap_or_else(|| {
                        usage("--only takes a comma-separated list of programs")
                    });
                    let mut chosen = Vec::new();
                    for short in list.split(',').map(str::trim) {
                        let variant = Variant::from_short(short)
                            .unwrap_or_else(|| usage(&format!("--only: no program `{short}`")));
                        chosen.push(variant);
                    }
                    options.variants = VARIANTS
                        .into_iter()
                        .filter(|v| chosen.contains(v))
                        .collect();
                }
                "--sizes" => options.sizes = true,
                "--timings" => options.timings = true,
                "--keep" => options.keep = true,
                // `cargo bench` passes `--bench` to every bench binary.
                "--bench" => {}
                "-h" | "--help" => usage(""),
                other => usage(&format!("unknown argument `{other}`")),
            }
        }
        options
    }

    fn usage(problem: &str) -> ! {
        if !problem.is_empty() {
            eprintln!("error: {problem}");
        }
        let programs: Vec<&str> = VARIANTS.iter().map(|v| v.short()).collect();
        eprintln!(
            "usage: cargo bench -p tavus-benches --bench build_cost -- [--rounds N] [--only P,..] [--sizes] [--timings] [--keep]\n  \
             --rounds N   alternating rounds of cold build + rebuild per program (default {DEFAULT_ROUNDS})\n  \
             --only P,..  build only these programs (default all): {}\n               \
             ratios to the by-hand program are reported only if `by-hand` is one of them;\n               \
             shipped-*: on a copy of tavus-api with its generated code in the package\n  \
             --sizes      also one release build per program, and its binary's size\n  \
             --timings    cargo --timings for every cold build; report kept, slowest units printed\n  \
             --keep       keep the temporary programs and target directories",
            programs.join(", ")
        );
        std::process::exit(if problem.is_empty() { 0 } else { 2 });
    }

    /// One timed cargo run.
    #[derive(Clone, Copy)]
    struct Run {
        cpu: Duration,
        wall: Duration,
    }

    /// Runs `command` (stdout and stderr to `log`), reaps it with `wait4` and returns its
    /// resource usage: that of cargo and of every descendant it waited for, which is
    /// rustc, build scripts and what they ran. Exits with the log's tail if it fails.
    fn run_timed(command: &mut Command, log: &Path, what: &str) -> Run {
        let file = File::create(log).expect("a log file");
        command
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("a log file handle"))
            .stderr(file);
        let start = Instant::now();
        let child = command
            .spawn()
            .unwrap_or_else(|e| fail(&format!("cannot start cargo for {what}: {e}")));
        let pid = child.id() as libc::pid_t;
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain old data; all zeroes is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: `pid` is our child, not reaped yet (std's `Child` only reaps in
            // `wait`, which is never called); the pointers are to live locals.
            let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            if reaped == pid {
                break;
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                fail(&format!("wait4 for {what}: {error}"));
            }
        }
        let wall = start.elapsed();
        drop(child);
        let seconds = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
            let text = fs::read_to_string(log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            let offline = text.contains("offline") || text.contains("--offline");
            fail(&format!(
                "{what} failed (log: {}):\n{}{}",
                log.display(),
                tail.join("\n"),
                if offline {
                    "\n\nThe programs build offline, from the local registry cache, with this \
                     workspace's Cargo.lock: a crate they need is missing from the cache or \
                     the lockfile. Run `cargo fetch` in this workspace once with network; a \
                     crate the workspace itself never uses needs a change to the program."
                } else {
                    ""
                }
            ));
        }
        Run {
            cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
            wall,
        }
    }

    fn fail(message: &str) -> ! {
        eprintln!("error: {message}");
        std::process::exit(1);
    }

    /// What a `cargo build -v` log says: which packages it compiled (one line per
    /// package, whatever its number of units), and which build scripts it ran.
    struct BuildLog {
        compiled: Vec<String>,
        build_scripts_run: Vec<String>,
    }

    fn read_log(log: &Path) -> BuildLog {
        let text = fs::read_to_string(log).unwrap_or_default();
        // `Compiling <package> v<version>[ (<path>)]`
        let compiled = text
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("Compiling "))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
            .collect();
        // `Running `<target>/debug/build/<package>-<hash>/build-script-build``
        let build_scripts_run = text
            .lines()
            .filter(|line| line.trim_start().starts_with("Running "))
            .filter_map(|line| {
                let script = line.split('`').nth(1)?;
                let script = script.split_whitespace().next()?;
                let path = Path::new(script);
                if path.file_name()? != "build-script-build" {
                    return None;
                }
                let unit = path.parent()?.file_name()?.to_str()?;
                Some(
                    unit.rsplit_once('-')
                        .map_or(unit, |(name, _)| name)
                        .to_owned(),
                )
            })
            .collect();
        BuildLog {
            compiled,
            build_scripts_run,
        }
    }

    struct Workspace {
        root: PathBuf,
        sources: PathBuf,
        tavus_api: PathBuf,
        lockfile: PathBuf,
        /// The copy of tavus-api with its generated code shipped, once written.
        shipped_tavus_api: Option<PathBuf>,
    }

    impl Workspace {
        fn find() -> Self {
            let benches = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let root = benches.parent().expect("the workspace root").to_owned();
            Self {
                sources: benches.join("build-cost"),
                tavus_api: root.join("tavus-api"),
                lockfile: root.join("Cargo.lock"),
                shipped_tavus_api: None,
                root,
            }
        }

        /// Writes to `scratch/shipped/tavus-api` a copy of tavus-api as it would be
        /// published with its generated code in the package: `src/` and `README.md` as
        /// they are; `codegen.rs`, `routes.rs` and `client.rs`, generated here from this
        /// checkout's `openapi/` by the function `build.rs` calls; a build script that only
        /// copies those three to `OUT_DIR`; and the manifest without its build- and
        /// dev-dependencies, so without `tavus-openapi` and what it brings. Its workspace
        /// root, `scratch/shipped/Cargo.toml`, has this workspace's `[workspace.*]`
        /// sections, which the manifest inherits from, without `tavus-openapi`.
        fn write_shipped(&mut self, scratch: &Path) {
            let root = scratch.join("shipped");
            let copy = root.join("tavus-api");
            copy_dir(&self.tavus_api.join("src"), &copy.join("src"));
            fs::copy(self.tavus_api.join("README.md"), copy.join("README.md"))
                .expect("tavus-api's README.md");
            let started = Instant::now();
            let generated =
                tavus_openapi::build_script::generate_client(&self.root.join("openapi"))
                    .unwrap_or_else(|e| fail(&format!("generating the shipped code: {e}")));
            let generation = started.elapsed();
            for (file, text) in [
                ("codegen.rs", &generated.code),
                ("routes.rs", &generated.routes),
                ("client.rs", &generated.client),
            ] {
                fs::write(copy.join(file), text).expect("a generated file");
            }
            fs::write(copy.join("build.rs"), SHIPPED_BUILD_RS).expect("build.rs");
            let manifest = fs::read_to_string(self.tavus_api.join("Cargo.toml"))
                .expect("tavus-api's manifest");
            fs::write(copy.join("Cargo.toml"), shipped_manifest(&manifest))
                .expect("the shipped Cargo.toml");
            let workspace =
                fs::read_to_string(self.root.join("Cargo.toml")).expect("the workspace manifest");
            fs::write(
                root.join("Cargo.toml"),
                shipped_workspace(&workspace, &self.root),
            )
            .expect("the shipped workspace's Cargo.toml");
            let lines: usize = [&generated.code, &generated.routes, &generated.client]
                .iter()
                .map(|text| text.lines().count())
                .sum();
            println!(
                "shipped copy of tavus-api: {} ({lines} generated lines, generated in {:.2} s \
                 before the rounds, not timed)",
                copy.display(),
                generation.as_secs_f64()
            );
            self.shipped_tavus_api = Some(copy);
        }

        /// Writes `variant`'s program to `dir`: its `Cargo.toml` from the template, its
        /// `src/main.rs`, and this workspace's `Cargo.lock`.
        fn write_program(&self, variant: Variant, dir: &Path) {
            let source = self.sources.join(variant.source_dir());
            let template = fs::read_to_string(source.join("Cargo.toml.in"))
                .unwrap_or_else(|e| fail(&format!("{}: {e}", source.display())));
            let tavus_api = if variant.shipped() {
                self.shipped_tavus_api
                    .as_deref()
                    .expect("the shipped copy, written before the rounds")
            } else {
                &self.tavus_api
            };
            let tavus_api = tavus_api.to_str().expect("a UTF-8 path to tavus-api");
            let manifest = template
                .replace("@TAVUS_API_PATH@", &tavus_api.replace('\\', "/"))
                .replace("@TAVUS_API_FEATURES@", variant.tavus_api_features());
            fs::create_dir_all(dir.join("src")).expect("the program's directory");
            fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
            fs::copy(source.join("src/main.rs"), dir.join("src/main.rs")).expect("main.rs");
            fs::copy(&self.lockfile, dir.join("Cargo.lock")).expect("Cargo.lock");
        }
    }

    /// tavus-api's manifest for the shipped copy: without `[build-dependencies]` and
    /// `[dev-dependencies]` (for any target), and without `include` (whose list is that of
    /// the package that generates). Everything else, features included, as it is.
    fn shipped_manifest(manifest: &str) -> String {
        let mut out = String::new();
        let mut skip_section = false;
        let mut in_include = false;
        for line in manifest.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with('[') && !in_include {
                skip_section = trimmed.ends_with("build-dependencies]")
                    || trimmed.ends_with("dev-dependencies]");
            }
            if skip_section {
                continue;
            }
            if trimmed.starts_with("include =") {
                in_include = !trimmed.ends_with(']');
                continue;
            }
            if in_include {
                in_include = !trimmed.ends_with(']');
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        if out
            .lines()
            .any(|line| !line.trim_start().starts_with('#') && line.contains("tavus-openapi"))
        {
            fail("the shipped copy's manifest still names tavus-openapi");
        }
        out
    }

    /// The workspace root of the shipped copy: its one member, and the `[workspace.*]`
    /// sections of this workspace's manifest (`root`'s), whose relative paths are made
    /// absolute, without the `tavus-openapi` dependency.
    fn shipped_workspace(manifest: &str, root: &Path) -> String {
        let root = root
            .to_str()
            .expect("a UTF-8 workspace path")
            .replace('\\', "/");
        let mut out = String::from("[workspace]\nresolver = \"3\"\nmembers = [\"tavus-api\"]\n");
        let mut keep = false;
        for line in manifest.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with('[') {
                keep = trimmed.starts_with("[workspace.");
                if keep && !out.ends_with("\n\n") {
                    out.push('\n');
                }
            }
            if !keep || trimmed.starts_with("tavus-openapi") {
                continue;
            }
            out.push_str(&line.replace("path = \"", &format!("path = \"{root}/")));
            out.push('\n');
        }
        out
    }

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).expect("a directory");
        for entry in
            fs::read_dir(from).unwrap_or_else(|e| fail(&format!("{}: {e}", from.display())))
        {
            let entry = entry.expect("a directory entry");
            let target = to.join(entry.file_name());
            if entry.file_type().expect("a file type").is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), &target).expect("a copied file");
            }
        }
    }

    fn cargo(dir: &Path, target: &Path) -> Command {
        let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        command
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target)
            // A wrapper (sccache) would serve the cold build from its cache.
            .env_remove("RUSTC_WRAPPER")
            .env_remove("CARGO_BUILD_RUSTC_WRAPPER")
            // Nor a jobserver inherited from whatever started the benchmark.
            .env_remove("CARGO_MAKEFLAGS")
            .env_remove("MAKEFLAGS")
            .env_remove("MFLAGS")
            .args(["build", "--offline", "-v"]);
        command
    }

    /// One round's figures for one program.
    struct Sample {
        cold: Run,
        rebuild: Run,
    }

    pub fn main() {
        let options = options();
        let mut workspace = Workspace::find();
        let scratch = std::env::temp_dir().join(format!("tavus-build-cost-{}", std::process::id()));
        fs::create_dir_all(&scratch).expect("a temporary directory");
        let timings_dir = workspace.root.join("target/build-cost-timings");

        println!("build cost for a user: a small program on tavus-api against the same by hand");
        print_machine();
        println!("workspace: {}", workspace.root.display());
        println!("scratch:   {}", scratch.display());
        println!(
            "{} round(s); per round and program: fresh target dir, cold `cargo build --offline`, \
             then append a comment to src/main.rs and build again",
            options.rounds
        );
        println!("CPU = user + sys of cargo and all it waited for (rustc, build scripts, cc)");
        println!("load average (1, 5, 15 min) at start: {}", load_average());
        println!(
            "programs: {}",
            options
                .variants
                .iter()
                .map(|v| v.short())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if options.variants.iter().any(|v| v.shipped()) {
            workspace.write_shipped(&scratch);
        }
        println!();
        let mut samples: Vec<(Variant, Vec<Sample>)> =
            options.variants.iter().map(|&v| (v, Vec::new())).collect();
        let mut timings_reports = Vec::new();
        for round in 0..options.rounds {
            let mut order = options.variants.clone();
            if round % 2 == 1 {
                order.reverse();
            }
            println!(
                "round {}/{} (order: {}; load {})",
                round + 1,
                options.rounds,
                order
                    .iter()
                    .map(|v| v.short())
                    .collect::<Vec<_>>()
                    .join(", "),
                load_average()
            );
            for variant in order {
                let label = format!("{}-r{}", variant.short(), round + 1);
                let dir = scratch.join(&label);
                let target = scratch.join(format!("{label}-target"));
                workspace.write_program(variant, &dir);

                let cold_log = scratch.join(format!("{label}-cold.log"));
                let mut command = cargo(&dir, &target);
                if options.timings {
                    command.arg("--timings");
                }
                let cold = run_timed(&mut command, &cold_log, &format!("{label} cold build"));
                let cold_info = read_log(&cold_log);
                if variant.shipped() {
                    let generators: Vec<&String> = cold_info
                        .compiled
                        .iter()
                        .filter(|name| CODE_GENERATION.contains(&name.as_str()))
                        .collect();
                    if !generators.is_empty() {
                        fail(&format!(
                            "{label}: the build on the shipped copy compiled the code generation \
                             stack ({generators:?}; log: {})",
                            cold_log.display()
                        ));
                    }
                }
                if options.timings {
                    let report = target.join("cargo-timings/cargo-timing.html");
                    fs::create_dir_all(&timings_dir).expect("the timings directory");
                    let kept = timings_dir.join(format!("{label}.html"));
                    if fs::copy(&report, &kept).is_ok() {
                        timings_reports.push((variant, kept));
                    }
                }

                let main_rs = dir.join("src/main.rs");
                let mut file = fs::OpenOptions::new()
                    .append(true)
                    .open(&main_rs)
                    .expect("src/main.rs");
                writeln!(file, "// edited for the rebuild of round {}", round + 1)
                    .expect("an edit to src/main.rs");
                drop(file);
                let rebuild_log = scratch.join(format!("{label}-rebuild.log"));
                let rebuild = run_timed(
                    &mut cargo(&dir, &target),
                    &rebuild_log,
                    &format!("{label} rebuild"),
                );
                let rebuild_info = read_log(&rebuild_log);
                let scripts = if rebuild_info.build_scripts_run.is_empty() {
                    "no build script ran".to_owned()
                } else {
                    format!(
                        "BUILD SCRIPTS RAN: {}",
                        rebuild_info.build_scripts_run.join(", ")
                    )
                };
                println!(
                    "  {:<30} cold    CPU {:>7.1} s  wall {:>6.1} s  ({} units, {} build scripts)",
                    variant.name(),
                    cold.cpu.as_secs_f64(),
                    cold.wall.as_secs_f64(),
                    cold_info.compiled.len(),
                    cold_info.build_scripts_run.len()
                );
                println!(
                    "  {:<30} rebuild CPU {:>7.2} s  wall {:>6.2} s  ({} unit(s), {scripts})",
                    "",
                    rebuild.cpu.as_secs_f64(),
                    rebuild.wall.as_secs_f64(),
                    rebuild_info.compiled.len()
                );
                if rebuild_info
                    .build_scripts_run
                    .iter()
                    .any(|name| name == "tavus-api")
                {
                    println!(
                        "  WARNING: tavus-api's build script ran in the rebuild after editing only main.rs"
                    );
                }
                samples
                    .iter_mut()
                    .find(|(v, _)| *v == variant)
                    .expect("a selected variant")
                    .1
                    .push(Sample { cold, rebuild });
                if !options.keep {
                    let _ = fs::remove_dir_all(&target);
                }
            }
            println!();
        }

        report(&samples, options.rounds);

        if options.sizes {
            println!(
                "\nrelease binaries (one `cargo build --release --offline` each, fresh target dir):"
            );
            for &variant in &options.variants {
                let label = format!("{}-release", variant.short());
                let dir = scratch.join(&label);
                let target = scratch.join(format!("{label}-target"));
                workspace.write_program(variant, &dir);
                let mut command = cargo(&dir, &target);
                command.arg("--release");
                let run = run_timed(
                    &mut command,
                    &scratch.join(format!("{label}.log")),
                    &format!("{label} build"),
                );
                let binary = target.join("release").join(variant.package());
                let bytes = fs::metadata(&binary)
                    .unwrap_or_else(|e| fail(&format!("{}: {e}", binary.display())))
                    .len();
                println!(
                    "  {:<30} {:>10} bytes  {:>6.2} MiB   (cold release build: CPU {:.1} s, wall {:.1} s)",
                    variant.name(),
                    bytes,
                    bytes as f64 / (1024.0 * 1024.0),
                    run.cpu.as_secs_f64(),
                    run.wall.as_secs_f64()
                );
                if !options.keep {
                    let _ = fs::remove_dir_all(&target);
                }
            }
        }

        for (variant, report) in &timings_reports {
            print_timings(*variant, report);
        }
        if !timings_reports.is_empty() {
            println!(
                "\ncargo --timings reports kept in {}",
                timings_dir.display()
            );
        }

        println!("\nload average (1, 5, 15 min) at end: {}", load_average());
        if options.keep {
            println!(
                "programs, logs and target directories kept in {}",
                scratch.display()
            );
        } else {
            let _ = fs::remove_dir_all(&scratch);
        }
    }

    fn report(samples: &[(Variant, Vec<Sample>)], rounds: usize) {
        let secs = |d: Duration| d.as_secs_f64();
        let spread = |values: &mut Vec<f64>, digits: usize| {
            let median = percentile(values, 0.5);
            let (min, max) = (percentile(values, 0.0), percentile(values, 1.0));
            format!("{median:.digits$} ({min:.digits$}-{max:.digits$})")
        };
        println!("summary over {rounds} round(s): median (min-max)");
        println!(
            "  {:<30} {:>24} {:>24} {:>22} {:>22}",
            "", "cold CPU s", "rebuild CPU s", "cold wall s", "rebuild wall s"
        );
        for (variant, samples) in samples {
            let mut cold: Vec<f64> = samples.iter().map(|s| secs(s.cold.cpu)).collect();
            let mut rebuild: Vec<f64> = samples.iter().map(|s| secs(s.rebuild.cpu)).collect();
            let mut cold_wall: Vec<f64> = samples.iter().map(|s| secs(s.cold.wall)).collect();
            let mut rebuild_wall: Vec<f64> = samples.iter().map(|s| secs(s.rebuild.wall)).collect();
            println!(
                "  {:<30} {:>24} {:>24} {:>22} {:>22}",
                variant.name(),
                spread(&mut cold, 1),
                spread(&mut rebuild, 2),
                spread(&mut cold_wall, 1),
                spread(&mut rebuild_wall, 2)
            );
        }

        let Some((_, by_hand)) = samples.iter().find(|(v, _)| *v == Variant::ByHand) else {
            println!("\nno ratios: the by-hand program was not built (see --only)");
            return;
        };
        println!(
            "\nCPU time ratios to the by-hand program: the median of the per-round ratios (min-max)"
        );
        for (variant, samples) in samples {
            let Some(cold_target) = variant.cold_target() else {
                continue;
            };
            let ratios = |pick: fn(&Sample) -> Duration| -> Vec<f64> {
                samples
                    .iter()
                    .zip(by_hand)
                    .map(|(s, base)| secs(pick(s)) / secs(pick(base)))
                    .collect()
            };
            let mut cold = ratios(|s| s.cold.cpu);
            let mut rebuild = ratios(|s| s.rebuild.cpu);
            let verdict = |values: &mut Vec<f64>, target: f64| {
                let median = percentile(values, 0.5);
                format!(
                    "target <= {target:.2}: {}",
                    if median <= target { "met" } else { "NOT met" }
                )
            };
            println!(
                "  {:<30} cold    {}  {}",
                variant.name(),
                spread(&mut cold.clone(), 3),
                verdict(&mut cold, cold_target)
            );
            println!(
                "  {:<30} rebuild {}  {}",
                "",
                spread(&mut rebuild.clone(), 3),
                verdict(&mut rebuild, REBUILD_TARGET)
            );
        }
    }

    fn print_machine() {
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let model = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|line| line.starts_with("model name"))
                    .and_then(|line| line.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let memory = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| {
                let line = text.lines().find(|line| line.starts_with("MemTotal:"))?;
                let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
                Some(format!("{:.1} GiB", kib / (1024.0 * 1024.0)))
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let version = |tool: &str| {
            Command::new(tool)
                .arg("--version")
                .output()
                .ok()
                .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
                .unwrap_or_else(|| format!("{tool}: unknown"))
        };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        println!("machine: {cpus} CPU(s) available, {model}, {memory} memory");
        println!("toolchain: {}; {}", version("rustc"), version(&cargo));
    }

    /// The slowest units of a cargo `--timings` report, from the `UNIT_DATA` it embeds.
    fn print_timings(variant: Variant, report: &Path) {
        let Ok(html) = fs::read_to_string(report) else {
            return;
        };
        let Some(units) = html
            .split_once("const UNIT_DATA = ")
            .and_then(|(_, rest)| rest.split_once(";\n"))
            .and_then(|(data, _)| serde_json::from_str::<serde_json::Value>(data).ok())
        else {
            println!("\n{}: no UNIT_DATA in it", report.display());
            return;
        };
        let mut units: Vec<(f64, String)> = units
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|unit| {
                let name = unit.get("name")?.as_str()?;
                let target = unit.get("target").and_then(|t| t.as_str()).unwrap_or("");
                let duration = unit.get("duration")?.as_f64()?;
                Some((duration, format!("{name}{target}")))
            })
            .collect();
        units.sort_by(|a, b| b.0.total_cmp(&a.0));
        let total: f64 = units.iter().map(|u| u.0).sum();
        println!(
            "\nslowest units of {} ({}; {} units, {:.0} s summed unit wall time):",
            variant.name(),
            report.display(),
            units.len(),
            total
        );
        for (duration, unit) in units.iter().take(15) {
            println!("  {duration:>7.1} s  {unit}");
        }
    }
}
