//! The `ccsim` binary: parse arguments, run the library, print the error, set the exit code.

use clap::Parser;

fn main() {
    let cli = ccsim::cli::Cli::parse();
    if let Err(e) = ccsim::cli::dispatch(cli) {
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}
