//! A delivery command for clients that hand each message to an MDA
//! (fetchmail, getmail): it stores the message as it arrives on standard
//! input in a numbered file, so the order and the exact bytes survive.

use std::path::{Path, PathBuf};

/// Writes the MDA script under `scratch` and returns it; messages go to
/// `scratch/out/000`, `001`, ... in delivery order.
pub fn counting_mda(scratch: &Path) -> PathBuf {
    let out = scratch.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let script = scratch.join("deliver.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n\
             set -e\n\
             out='{}'\n\
             n=$(ls \"$out\" | wc -l)\n\
             exec cat > \"$out/$(printf %03d \"$n\")\"\n",
            out.display()
        ),
    )
    .unwrap();
    script
}

/// The messages delivered so far, in order.
pub fn delivered(scratch: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(scratch.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}
