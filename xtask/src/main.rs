use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let terminal = xtask::cli::Terminal {
        colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        progress: std::io::stderr().is_terminal(),
    };
    let status = xtask::cli::run(
        std::env::args_os(),
        terminal,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    ExitCode::from(status)
}
