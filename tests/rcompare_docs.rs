//! rcompare's committed man page and completions must be what its CLI
//! definition generates today. Regenerate them with
//! `RCOMPARE_WRITE_DOCS=1 cargo test --test rcompare_docs`.

#[test]
fn generated_docs_are_up_to_date() {
    let root = env!("CARGO_MANIFEST_DIR");
    let write = std::env::var_os("RCOMPARE_WRITE_DOCS").is_some();
    let mut stale = Vec::new();
    for (path, want) in netlb::compare::docs::generated_files() {
        let full = format!("{root}/{path}");
        if write {
            if let Some(dir) = std::path::Path::new(&full).parent() {
                std::fs::create_dir_all(dir).expect("create the directory");
            }
            std::fs::write(&full, &want).expect("write the generated file");
            continue;
        }
        let have = std::fs::read(&full).unwrap_or_default();
        if have != want {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `RCOMPARE_WRITE_DOCS=1 cargo test --test rcompare_docs` and commit"
    );
}

#[test]
fn man_page_documents_every_option() {
    let man = String::from_utf8(netlb::compare::docs::man_page()).expect("utf-8 man page");
    let cmd = netlb::compare::cli::command();
    let subs: Vec<&clap::Command> = cmd.get_subcommands().collect();
    for c in std::iter::once(&cmd).chain(subs) {
        for a in c.get_arguments() {
            if let Some(long) = a.get_long() {
                if long == "help" || long == "version" {
                    continue;
                }
                let roff = long.replace('-', "\\-");
                assert!(man.contains(&roff), "man page lacks --{long}");
            }
        }
    }
}

#[test]
fn completions_know_the_subcommands() {
    let bash = String::from_utf8(netlb::compare::docs::completion(clap_complete::Shell::Bash))
        .expect("utf-8");
    for w in ["translate", "cost", "--ipvs", "--iptables", "--node-ip"] {
        assert!(bash.contains(w), "bash completion lacks {w}");
    }
}
