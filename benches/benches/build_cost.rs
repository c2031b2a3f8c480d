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
//!   `Bench::write_shipped`), whose build has no build-dependencies: what a user
//!   would pay if the package shipped the code instead of generating it in `build.rs`.
//!
//! Each is written to a temporary directory with this workspace's `Cargo.lock` (so the
//! versions are the workspace's) and built with `cargo build --offline`. Per round, in
//! alternating order, each program gets a fresh target directory and a cold build, then
//! a comment is appended to its `src/main.rs` and it is built again (the rebuild, in
//! which tavus-api's build script must not run: checked from `cargo build -v`). CPU time
//! is user + sys of the cargo process and every process it waited for (`getrusage`'s
//! `RUSAGE_CHILDREN`, before and after); wall time is printed beside it. Ratios are taken per round and their median
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
    eprintln!("build_cost measures CPU time with getrusage: it runs on Unix only");
}

#[cfg(unix)]
mod cost {
    use std::fs::{self, File};
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use clap::Parser;
    use clap::builder::PossibleValuesParser;
    use tavus_benches::{load_average, percentile, verdict};

    /// One of the throwaway programs.
    struct Program {
        /// How `--only`, the logs and the temporary directories name it.
        short: &'static str,
        /// How the report names it.
        name: &'static str,
        /// Its sources, `benches/build-cost/<source>`; its package is `build-cost-<source>`.
        source: &'static str,
        /// What its manifest template gets for `@TAVUS_API_FEATURES@`.
        features: &'static str,
        /// Whether it builds on the copy of tavus-api with its generated code shipped.
        shipped: bool,
        /// The target of issue 14 for its cold build, as a median of per-round ratios to
        /// the by-hand program.
        cold_target: Option<f64>,
    }

    const RING: &str = r#", default-features = false, features = ["rustls-ring"]"#;

    static PROGRAMS: [Program; 5] = [
        Program {
            short: "by-hand",
            name: "by hand (reqwest, rustls)",
            source: "by-hand",
            features: "",
            shipped: false,
            cold_target: None,
        },
        Program {
            short: "default",
            name: "tavus-api (default features)",
            source: "on-tavus-api",
            features: "",
            shipped: false,
            cold_target: Some(1.25),
        },
        Program {
            short: "rustls-ring",
            name: "tavus-api rustls-ring",
            source: "on-tavus-api",
            features: RING,
            shipped: false,
            cold_target: Some(0.90),
        },
        Program {
            short: "shipped-default",
            name: "tavus-api shipped, default",
            source: "on-tavus-api",
            features: "",
            shipped: true,
            cold_target: Some(1.25),
        },
        Program {
            short: "shipped-rustls-ring",
            name: "tavus-api shipped, rustls-ring",
            source: "on-tavus-api",
            features: RING,
            shipped: true,
            cold_target: Some(0.90),
        },
    ];

    /// The target of issue 14 for the rebuild after editing `main.rs`, for every program.
    const REBUILD_TARGET: f64 = 1.05;

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

    const OFFLINE_HINT: &str = "\n\nThe programs build offline, from the local registry \
        cache, with this workspace's Cargo.lock: a crate they need is missing from the cache \
        or the lockfile. Run `cargo fetch` in this workspace once with network; a crate the \
        workspace itself never uses needs a change to the program.";

    /// What a user pays to build a small program on tavus-api, against the same program by
    /// hand; see BENCHMARKS.md ("Build cost for a user").
    #[derive(Parser)]
    #[command(bin_name = "cargo bench -p tavus-benches --bench build_cost --")]
    struct Options {
        /// Alternating rounds of cold build + rebuild per program
        #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
        rounds: u32,
        /// Build only these programs (default all). Ratios to the by-hand program are
        /// reported only if `by-hand` is one of them; shipped-*: on a copy of tavus-api
        /// with its generated code in the package
        #[arg(long, value_name = "P,..", value_delimiter = ',', value_parser = PossibleValuesParser::new(PROGRAMS.iter().map(|p| p.short)))]
        only: Vec<String>,
        /// Also one release build per program, and its binary's size
        #[arg(long)]
        sizes: bool,
        /// cargo --timings for every cold build; report kept, slowest units printed
        #[arg(long)]
        timings: bool,
        /// Keep the temporary programs and target directories
        #[arg(long)]
        keep: bool,
        /// Passed by `cargo bench` to every bench binary; ignored.
        #[arg(long, hide = true)]
        bench: bool,
    }

    /// One timed cargo run.
    struct Run {
        cpu: Duration,
        wall: Duration,
    }

    /// One round's figures for one program, and its kept `--timings` report.
    struct Sample {
        cold: Run,
        rebuild: Run,
        timings: Option<PathBuf>,
    }

    /// Runs `cargo build --offline -v <args>` on the program in `dir` into `target`, with
    /// stdout and stderr to `log`, and returns its wall time and CPU time (that of cargo
    /// and of every descendant it waited for, which is rustc, build scripts and what they
    /// ran) and what its log says. Exits with the log's tail if it fails.
    fn cargo_build(dir: &Path, target: &Path, log: &Path, args: &[&str]) -> (Run, BuildLog) {
        let file = File::create(log).expect("a log file");
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
            .args(["build", "--offline", "-v"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("a log file handle"))
            .stderr(file);
        let (cpu_before, start) = (children_cpu(), Instant::now());
        let status = command
            .status()
            .unwrap_or_else(|e| fail(&format!("cannot run cargo: {e}")));
        let run = Run {
            cpu: children_cpu() - cpu_before,
            wall: start.elapsed(),
        };
        if !status.success() {
            let text = fs::read_to_string(log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            let hint = if text.contains("offline") {
                OFFLINE_HINT
            } else {
                ""
            };
            fail(&format!(
                "cargo build failed (log: {}):\n{tail}{hint}",
                log.display()
            ));
        }
        (run, read_log(log))
    }

    /// The CPU time (user + sys) of every child process this one has waited for, which
    /// includes that of every descendant they waited for (`getrusage`'s
    /// `RUSAGE_CHILDREN`). The benchmark runs one child at a time, so the difference
    /// across one `Command::status` is that command's.
    fn children_cpu() -> Duration {
        // SAFETY: rusage is plain old data, all zeroes a valid value; getrusage writes to
        // the live local it points to.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
            usage
        };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        time(usage.ru_utime) + time(usage.ru_stime)
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
            .filter_map(|line| {
                let command = line.trim_start().strip_prefix("Running `")?;
                let script = command.split(['`', ' ']).next()?;
                let unit = script
                    .strip_suffix("/build-script-build")?
                    .rsplit('/')
                    .next()?;
                let package = unit.rsplit_once('-').map_or(unit, |(name, _)| name);
                Some(package.to_owned())
            })
            .collect();
        BuildLog {
            compiled,
            build_scripts_run,
        }
    }

    /// The options, and where the benchmark reads and writes.
    struct Bench {
        options: Options,
        /// This checkout.
        root: PathBuf,
        /// The temporary directory of the programs, their logs and target directories.
        scratch: PathBuf,
        /// The copy of tavus-api with its generated code shipped, once written.
        shipped: Option<PathBuf>,
    }

    impl Bench {
        /// Writes to `scratch/shipped/tavus-api` a copy of tavus-api as it would be
        /// published with its generated code in the package: `src/` and `README.md` as
        /// they are; `codegen.rs`, `routes.rs` and `client.rs`, generated here from this
        /// checkout's `openapi/` by the function `build.rs` calls; a build script that only
        /// copies those three to `OUT_DIR`; and the manifest without its build- and
        /// dev-dependencies, so without `tavus-openapi` and what it brings. Its workspace
        /// root, `scratch/shipped/Cargo.toml`, has this workspace's `[workspace.*]`
        /// sections, which the manifest inherits from, without `tavus-openapi`.
        fn write_shipped(&mut self) {
            let tavus_api = self.root.join("tavus-api");
            let copy = self.scratch.join("shipped/tavus-api");
            xtask::update::copy_tree(&tavus_api.join("src"), &copy.join("src"))
                .unwrap_or_else(|e| fail(&e.to_string()));
            fs::copy(tavus_api.join("README.md"), copy.join("README.md"))
                .expect("tavus-api's README.md");
            let started = Instant::now();
            let generated =
                tavus_openapi::build_script::generate_client(&self.root.join("openapi"))
                    .unwrap_or_else(|e| fail(&format!("generating the shipped code: {e}")));
            let generation = started.elapsed();
            let mut lines = 0;
            generated
                .write_to(&copy)
                .unwrap_or_else(|e| fail(&format!("writing the shipped code: {e}")));
            for (_, text) in generated.files() {
                lines += text.lines().count();
            }
            fs::write(copy.join("build.rs"), SHIPPED_BUILD_RS).expect("build.rs");
            let manifest =
                fs::read_to_string(tavus_api.join("Cargo.toml")).expect("tavus-api's manifest");
            fs::write(copy.join("Cargo.toml"), shipped_manifest(&manifest))
                .expect("the shipped Cargo.toml");
            let workspace =
                fs::read_to_string(self.root.join("Cargo.toml")).expect("the workspace manifest");
            fs::write(
                self.scratch.join("shipped/Cargo.toml"),
                shipped_workspace(&workspace, &self.root),
            )
            .expect("the shipped workspace's Cargo.toml");
            println!(
                "shipped copy of tavus-api: {} ({lines} generated lines, generated in {:.2} s \
                 before the rounds, not timed)",
                copy.display(),
                generation.as_secs_f64()
            );
            self.shipped = Some(copy);
        }

        /// Writes `program` to `scratch/<label>`: its `Cargo.toml` from the template, its
        /// `src/main.rs`, and this workspace's `Cargo.lock`. Returns the directory.
        fn write_program(&self, program: &Program, label: &str) -> PathBuf {
            let dir = self.scratch.join(label);
            let source = self.root.join("benches/build-cost").join(program.source);
            let template = fs::read_to_string(source.join("Cargo.toml.in"))
                .unwrap_or_else(|e| fail(&format!("{}: {e}", source.display())));
            let tavus_api = if program.shipped {
                let copy = self.shipped.clone();
                copy.expect("the shipped copy, written before the rounds")
            } else {
                self.root.join("tavus-api")
            };
            let tavus_api = tavus_api.to_str().expect("a UTF-8 path to tavus-api");
            let manifest = template
                .replace("@TAVUS_API_PATH@", &tavus_api.replace('\\', "/"))
                .replace("@TAVUS_API_FEATURES@", program.features);
            fs::create_dir_all(dir.join("src")).expect("the program's directory");
            fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
            fs::copy(source.join("src/main.rs"), dir.join("src/main.rs")).expect("main.rs");
            fs::copy(self.root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
            dir
        }

        /// One round of `program`: a cold build in a fresh target directory, then a
        /// rebuild after appending a comment to its `src/main.rs`; prints both.
        fn round(&self, program: &Program, round: u32) -> Sample {
            let label = format!("{}-r{round}", program.short);
            let dir = self.write_program(program, &label);
            let target = self.scratch.join(format!("{label}-target"));

            let cold_log = self.scratch.join(format!("{label}-cold.log"));
            let timings_arg = self.options.timings.then_some("--timings");
            let (cold, cold_info) = cargo_build(&dir, &target, &cold_log, timings_arg.as_slice());
            let generators: Vec<&String> = cold_info
                .compiled
                .iter()
                .filter(|name| CODE_GENERATION.contains(&name.as_str()))
                .collect();
            if program.shipped && !generators.is_empty() {
                fail(&format!(
                    "{label}: the build on the shipped copy compiled the code generation \
                     stack ({generators:?}; log: {})",
                    cold_log.display()
                ));
            }
            let mut timings = None;
            if self.options.timings {
                let kept = self.timings_dir().join(format!("{label}.html"));
                fs::create_dir_all(self.timings_dir()).expect("the timings directory");
                let report = target.join("cargo-timings/cargo-timing.html");
                timings = fs::copy(report, &kept).is_ok().then_some(kept);
            }

            let mut main_rs = fs::OpenOptions::new()
                .append(true)
                .open(dir.join("src/main.rs"))
                .expect("src/main.rs");
            writeln!(main_rs, "// edited for the rebuild of round {round}")
                .expect("an edit to src/main.rs");
            let rebuild_log = self.scratch.join(format!("{label}-rebuild.log"));
            let (rebuild, rebuild_info) = cargo_build(&dir, &target, &rebuild_log, &[]);
            let scripts = &rebuild_info.build_scripts_run;
            println!(
                "  {:<30} cold    CPU {:>7.1} s  wall {:>6.1} s  ({} units, {} build scripts)",
                program.name,
                cold.cpu.as_secs_f64(),
                cold.wall.as_secs_f64(),
                cold_info.compiled.len(),
                cold_info.build_scripts_run.len()
            );
            println!(
                "  {:<30} rebuild CPU {:>7.2} s  wall {:>6.2} s  ({} unit(s), {})",
                "",
                rebuild.cpu.as_secs_f64(),
                rebuild.wall.as_secs_f64(),
                rebuild_info.compiled.len(),
                if scripts.is_empty() {
                    "no build script ran".to_owned()
                } else {
                    format!("BUILD SCRIPTS RAN: {}", scripts.join(", "))
                }
            );
            if scripts.iter().any(|name| name == "tavus-api") {
                println!(
                    "  WARNING: tavus-api's build script ran in the rebuild after editing only main.rs"
                );
            }
            self.remove_target(&target);
            Sample {
                cold,
                rebuild,
                timings,
            }
        }

        /// One cold release build of `program`, and its binary's size.
        fn release_size(&self, program: &Program) {
            let label = format!("{}-release", program.short);
            let dir = self.write_program(program, &label);
            let target = self.scratch.join(format!("{label}-target"));
            let log = self.scratch.join(format!("{label}.log"));
            let (run, _) = cargo_build(&dir, &target, &log, &["--release"]);
            let binary = target.join(format!("release/build-cost-{}", program.source));
            let bytes = fs::metadata(&binary)
                .unwrap_or_else(|e| fail(&format!("{}: {e}", binary.display())))
                .len();
            println!(
                "  {:<30} {:>10} bytes  {:>6.2} MiB   (cold release build: CPU {:.1} s, wall {:.1} s)",
                program.name,
                bytes,
                bytes as f64 / (1024.0 * 1024.0),
                run.cpu.as_secs_f64(),
                run.wall.as_secs_f64()
            );
            self.remove_target(&target);
        }

        fn timings_dir(&self) -> PathBuf {
            self.root.join("target/build-cost-timings")
        }

        fn remove_target(&self, target: &Path) {
            if !self.options.keep {
                let _ = fs::remove_dir_all(target);
            }
        }
    }

    /// tavus-api's manifest for the shipped copy: without `[build-dependencies]` and
    /// `[dev-dependencies]` (for any target), and without `include` (whose list is that of
    /// the package that generates). Everything else, features included, as it is.
    fn shipped_manifest(manifest: &str) -> String {
        let mut out = String::new();
        let (mut skip_section, mut in_include) = (false, false);
        for line in manifest.lines() {
            let trimmed = line.trim();
            if in_include || trimmed.starts_with("include =") {
                in_include = !trimmed.ends_with(']');
                continue;
            }
            if trimmed.starts_with('[') {
                skip_section = trimmed.ends_with("build-dependencies]")
                    || trimmed.ends_with("dev-dependencies]");
            }
            if !skip_section {
                out.push_str(line);
                out.push('\n');
            }
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
        let root = root.to_str().expect("a UTF-8 workspace path");
        let absolute = format!("path = \"{}/", root.replace('\\', "/"));
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
            if keep && !trimmed.starts_with("tavus-openapi") {
                out.push_str(&line.replace("path = \"", &absolute));
                out.push('\n');
            }
        }
        out
    }

    pub fn main() {
        let options = Options::parse();
        let programs: Vec<&Program> = PROGRAMS
            .iter()
            .filter(|p| options.only.is_empty() || options.only.iter().any(|s| s == p.short))
            .collect();
        let benches = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut bench = Bench {
            options,
            root: benches.parent().expect("the workspace root").to_owned(),
            scratch: std::env::temp_dir().join(format!("tavus-build-cost-{}", std::process::id())),
            shipped: None,
        };
        fs::create_dir_all(&bench.scratch).expect("a temporary directory");
        let rounds = bench.options.rounds;

        println!("build cost for a user: a small program on tavus-api against the same by hand");
        print_machine();
        println!("workspace: {}", bench.root.display());
        println!("scratch:   {}", bench.scratch.display());
        println!(
            "{rounds} round(s); per round and program: fresh target dir, cold `cargo build --offline`, \
             then append a comment to src/main.rs and build again"
        );
        println!("CPU = user + sys of cargo and all it waited for (rustc, build scripts, cc)");
        println!("load average (1, 5, 15 min) at start: {}", load_average());
        let names: Vec<&str> = programs.iter().map(|program| program.short).collect();
        println!("programs: {}", names.join(", "));
        if programs.iter().any(|p| p.shipped) {
            bench.write_shipped();
        }
        println!();
        let mut samples: Vec<(&Program, Vec<Sample>)> =
            programs.iter().map(|&p| (p, Vec::new())).collect();
        for round in 1..=rounds {
            let mut order: Vec<_> = samples.iter_mut().collect();
            if round % 2 == 0 {
                order.reverse();
            }
            let names: Vec<&str> = order.iter().map(|(program, _)| program.short).collect();
            let load = load_average();
            println!(
                "round {round}/{rounds} (order: {}; load {load})",
                names.join(", ")
            );
            for (program, samples) in order {
                samples.push(bench.round(program, round));
            }
            println!();
        }

        report(&samples, rounds);

        if bench.options.sizes {
            println!(
                "\nrelease binaries (one `cargo build --release --offline` each, fresh target dir):"
            );
            for program in &programs {
                bench.release_size(program);
            }
        }

        for (program, samples) in &samples {
            for report in samples.iter().filter_map(|s| s.timings.as_deref()) {
                print_timings(program, report);
            }
        }
        if bench.options.timings {
            let dir = bench.timings_dir();
            println!("\ncargo --timings reports kept in {}", dir.display());
        }

        println!("\nload average (1, 5, 15 min) at end: {}", load_average());
        if bench.options.keep {
            let scratch = bench.scratch.display();
            println!("programs, logs and target directories kept in {scratch}");
        } else {
            let _ = fs::remove_dir_all(&bench.scratch);
        }
    }

    /// The medians (and ranges) over the rounds, and the ratios to the by-hand program.
    fn report(samples: &[(&Program, Vec<Sample>)], rounds: u32) {
        let spread = |mut values: Vec<f64>, digits: usize| {
            let median = percentile(&mut values, 0.5);
            let (min, max) = (percentile(&mut values, 0.0), percentile(&mut values, 1.0));
            format!("{median:.digits$} ({min:.digits$}-{max:.digits$})")
        };
        let times = |samples: &[Sample], pick: fn(&Sample) -> Duration| -> Vec<f64> {
            samples.iter().map(|s| pick(s).as_secs_f64()).collect()
        };
        println!("summary over {rounds} round(s): median (min-max)");
        println!(
            "  {:<30} {:>24} {:>24} {:>22} {:>22}",
            "", "cold CPU s", "rebuild CPU s", "cold wall s", "rebuild wall s"
        );
        for (program, samples) in samples {
            println!(
                "  {:<30} {:>24} {:>24} {:>22} {:>22}",
                program.name,
                spread(times(samples, |s| s.cold.cpu), 1),
                spread(times(samples, |s| s.rebuild.cpu), 2),
                spread(times(samples, |s| s.cold.wall), 1),
                spread(times(samples, |s| s.rebuild.wall), 2)
            );
        }

        let Some((_, by_hand)) = samples.iter().find(|(p, _)| p.short == "by-hand") else {
            println!("\nno ratios: the by-hand program was not built (see --only)");
            return;
        };
        println!(
            "\nCPU time ratios to the by-hand program: the median of the per-round ratios (min-max)"
        );
        for (program, samples) in samples {
            let Some(cold_target) = program.cold_target else {
                continue;
            };
            let ratios = |pick: fn(&Sample) -> Duration, target: f64| {
                let mut ratios: Vec<f64> = samples
                    .iter()
                    .zip(by_hand)
                    .map(|(s, base)| pick(s).as_secs_f64() / pick(base).as_secs_f64())
                    .collect();
                let met = percentile(&mut ratios, 0.5) <= target;
                format!(
                    "{}  target <= {target:.2}: {}",
                    spread(ratios, 3),
                    verdict(met)
                )
            };
            let cold = ratios(|s| s.cold.cpu, cold_target);
            println!("  {:<30} cold    {cold}", program.name);
            let rebuild = ratios(|s| s.rebuild.cpu, REBUILD_TARGET);
            println!("  {:<30} rebuild {rebuild}", "");
        }
    }

    fn print_machine() {
        let line_of = |file: &str, prefix: &str| {
            let text = fs::read_to_string(file).ok()?;
            let line = text.lines().find(|line| line.starts_with(prefix))?;
            Some(
                line[prefix.len()..]
                    .trim_start_matches([':', ' ', '\t'])
                    .to_owned(),
            )
        };
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let model = line_of("/proc/cpuinfo", "model name");
        let memory = line_of("/proc/meminfo", "MemTotal:").and_then(|line| {
            let kib: f64 = line.split_whitespace().next()?.parse().ok()?;
            Some(format!("{:.1} GiB", kib / (1024.0 * 1024.0)))
        });
        let version = |tool: &str| {
            let output = Command::new(tool).arg("--version").output();
            output.map_or_else(
                |_| format!("{tool}: unknown"),
                |out| String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            )
        };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        println!(
            "machine: {cpus} CPU(s) available, {}, {} memory",
            model.as_deref().unwrap_or("unknown"),
            memory.as_deref().unwrap_or("unknown")
        );
        println!("toolchain: {}; {}", version("rustc"), version(&cargo));
    }

    /// The slowest units of a cargo `--timings` report, from the `UNIT_DATA` it embeds.
    fn print_timings(program: &Program, report: &Path) {
        let html = fs::read_to_string(report).unwrap_or_default();
        let Some(units) = html
            .split_once("const UNIT_DATA = ")
            .and_then(|(_, rest)| rest.split_once(";\n"))
            .and_then(|(data, _)| serde_json::from_str::<Vec<serde_json::Value>>(data).ok())
        else {
            println!("\n{}: no UNIT_DATA in it", report.display());
            return;
        };
        let mut units: Vec<(f64, String)> = units
            .iter()
            .filter_map(|unit| {
                let name = unit.get("name")?.as_str()?;
                let target = unit.get("target").and_then(|t| t.as_str()).unwrap_or("");
                Some((unit.get("duration")?.as_f64()?, format!("{name}{target}")))
            })
            .collect();
        units.sort_by(|a, b| b.0.total_cmp(&a.0));
        let total: f64 = units.iter().map(|u| u.0).sum();
        println!(
            "\nslowest units of {} ({}; {} units, {total:.0} s summed unit wall time):",
            program.name,
            report.display(),
            units.len()
        );
        for (duration, unit) in units.iter().take(15) {
            println!("  {duration:>7.1} s  {unit}");
        }
    }
}
