//! Writes the generated man pages and shell completions into the repository
//! (run from its root: `cargo run --bin netlb-gen-docs`). A test fails when
//! the committed files differ from what this would write.

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    for (path, bytes) in netlb::ipvsadm::docs::generated_files() {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {path}"))?;
        println!("wrote {path}");
    }
    Ok(())
}
