//! The committed man pages and completions must be what the CLI definitions
//! generate today (regenerate with `cargo run --bin netlb-gen-docs`), and
//! every man page must document every option its program takes.

use std::process::Command;

fn all_generated() -> Vec<(String, Vec<u8>)> {
    let mut v = netlb::ipvsadm::docs::generated_files();
    v.extend(netlb::tables::docs::generated_files());
    v.extend(netlb::compare::docs::generated_files());
    v
}

#[test]
fn generated_docs_are_up_to_date() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut stale = Vec::new();
    for (path, want) in all_generated() {
        let have = std::fs::read(format!("{root}/{path}")).unwrap_or_default();
        if have != want {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `cargo run --bin netlb-gen-docs` and commit"
    );
}

#[test]
fn man_page_documents_every_option() {
    let man = String::from_utf8(netlb::ipvsadm::docs::man_page()).expect("utf-8 man page");
    for o in netlb::ipvsadm::cli::OPTIONS {
        let roff = o.long.replace('-', "\\-");
        assert!(man.contains(&roff), "man page lacks --{}", o.long);
    }
}

/// Whether the man page has an option entry (`.TP` header as clap_mangen
/// writes it) for `--long` with its short letter.
fn documents(man: &str, long: &str, short: Option<char>) -> bool {
    let l = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
    let head = match short {
        Some(c) => format!(".TP\n\\fB\\-{c}\\fR, {l}"),
        None => format!(".TP\n{l}"),
    };
    man.contains(&head)
}

#[test]
fn rtables_man_page_documents_every_base_option() {
    use netlb::tables::docs;
    let man = String::from_utf8(docs::rtables_man_page()).expect("utf-8 man page");
    for b in netlb::tables::cli::BASE {
        assert!(
            documents(&man, b.long, b.short),
            "rtables.8 lacks --{}",
            b.long
        );
        let h = docs::RTABLES_HELP.iter().find(|h| h.0 == b.long);
        assert!(
            h.is_some_and(|h| !h.3.is_empty() && docs::values_fit(h.2, b.arg)),
            "docs.rs RTABLES_HELP has no fitting entry for --{}",
            b.long
        );
    }
}

/// Runs a freshly built binary without touching the kernel.
fn run(bin: &str, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(bin).args(args).output().expect("run binary");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Each documented option of rtables-save/rtables-restore is one the
/// program accepts (`--opt [value] -h` reaches the usage text, exit 0), and
/// each man page documents it.
#[test]
fn save_and_restore_man_pages_document_their_options() {
    use netlb::tables::docs;
    for (bin, man, opts) in [
        (
            env!("CARGO_BIN_EXE_rtables-save"),
            docs::save_man_page(),
            docs::SAVE_OPTIONS,
        ),
        (
            env!("CARGO_BIN_EXE_rtables-restore"),
            docs::restore_man_page(),
            docs::RESTORE_OPTIONS,
        ),
    ] {
        let man = String::from_utf8(man).expect("utf-8 man page");
        for o in opts {
            assert!(
                documents(&man, o.long, o.short),
                "{bin}: man page lacks --{}",
                o.long
            );
            if ["help", "version"].contains(&o.long) {
                continue;
            }
            let value = match docs::value_words(o.values).first() {
                Some((_, true)) => Some(if o.long == "table" { "filter" } else { "x" }),
                _ => None,
            };
            let long = format!("--{}", o.long);
            let mut forms = vec![long.as_str()];
            let short = o.short.map(|c| format!("-{c}"));
            if let Some(s) = &short {
                forms.push(s);
            }
            for f in forms {
                let mut args = vec![f];
                args.extend(value);
                args.push("-h");
                let (rc, out, err) = run(bin, &args);
                assert!(
                    rc == 0 && out.starts_with("Usage:"),
                    "{bin} {args:?}: rc {rc}\n{out}{err}"
                );
            }
        }
    }
}

#[test]
fn rtables_help_and_version_need_no_kernel() {
    let bin = env!("CARGO_BIN_EXE_rtables");
    let (rc, out, _) = run(bin, &["-h"]);
    assert_eq!(rc, 0);
    assert!(out.starts_with("rtables v1.8.9 (nf_tables)\n"), "{out}");
    let (rc, out, _) = run(bin, &["-6", "-V"]);
    assert_eq!(rc, 0);
    assert!(out.starts_with("r6tables v"), "{out}");
}
