//! Writes the generated man pages and shell completions of rvsadm, the
//! rtables programs and rcompare into the repository (run from its root:
//! `cargo run --bin netlb-gen-docs`). A test fails when the committed files
//! differ from what this would write.

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let files = netlb::ipvsadm::docs::generated_files()
        .into_iter()
        .chain(netlb::tables::docs::generated_files())
        .chain(netlb::compare::docs::generated_files());
    for (path, bytes) in files {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {path}"))?;
        println!("wrote {path}");
    }
    Ok(())
}
