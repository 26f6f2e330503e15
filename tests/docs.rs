//! The committed man page and completions must be what the CLI definition
//! generates today (regenerate with `cargo run --bin netlb-gen-docs`).

#[test]
fn generated_docs_are_up_to_date() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut stale = Vec::new();
    for (path, want) in netlb::ipvsadm::docs::generated_files() {
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
