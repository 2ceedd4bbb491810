//! The `ccsim` binary: parse arguments, run the library, print the error, set the exit code.

use std::io::Write;

use clap::Parser;

fn main() {
    let cli = ccsim::cli::Cli::parse();
    if let Err(e) = ccsim::cli::dispatch(cli) {
        // A closed stderr must not turn a clear error into a panic.
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            e.render(ccsim::Error::stderr_wants_color())
        );
        std::process::exit(e.exit_code());
    }
}
