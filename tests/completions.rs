//! Shell completions and help: `ccsim completions bash|zsh|fish` name every subcommand, and
//! every subcommand's `--help` shows an example.

use std::process::{Command, Output};

use clap::CommandFactory;

const BIN: &str = env!("CARGO_BIN_EXE_ccsim");

fn ccsim(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run ccsim")
}

/// The subcommands, from the CLI definition itself (so a new one is checked too).
fn subcommands() -> Vec<String> {
    ccsim::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect()
}

#[test]
fn completion_scripts_mention_every_subcommand() {
    let names = subcommands();
    for expected in [
        "run",
        "sweep",
        "schema",
        "compare",
        "completions",
        "validate",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    for shell in ["bash", "zsh", "fish"] {
        let o = ccsim(&["completions", shell]);
        assert!(
            o.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains("ccsim"), "{shell}");
        for n in &names {
            assert!(
                script.contains(n.as_str()),
                "{shell} script does not mention `{n}`"
            );
        }
    }
    let o = ccsim(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_bash_script_is_valid_bash() {
    let o = ccsim(&["completions", "bash"]);
    let tmp = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(tmp.path(), &o.stdout).expect("write");
    match Command::new("bash").arg("-n").arg(tmp.path()).output() {
        Ok(check) => assert!(
            check.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&check.stderr)
        ),
        Err(e) => eprintln!("SKIP bash -n: no bash ({e})"),
    }
}

#[test]
fn every_subcommand_help_has_an_example() {
    for n in subcommands() {
        let o = ccsim(&[&n, "--help"]);
        assert!(o.status.success(), "{n} --help");
        let help = String::from_utf8_lossy(&o.stdout);
        assert!(
            help.contains("Example"),
            "`ccsim {n} --help` has no example:\n{help}"
        );
        assert!(
            help.contains(&format!("ccsim {n}")),
            "`ccsim {n} --help`: the example does not run `ccsim {n}`"
        );
    }
}
