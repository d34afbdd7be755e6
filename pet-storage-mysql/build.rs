//! Embeds every `migrations/NNNN_description.sql` file into the crate, in version order, so a
//! new migration is added by adding its file (no list to edit). A badly named file fails the
//! build instead of being skipped. (A build script reports failure by panicking.)

use std::{env, fs, path::Path};

fn main() {
    // Read at run time (not env!): a build-script binary reused for another checkout of the
    // crate must still read that checkout's migrations.
    let manifest_dir = env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|e| panic!("cargo sets CARGO_MANIFEST_DIR: {e}"));
    let dir = Path::new(&manifest_dir).join("../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<String> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect(),
        Err(e) => panic!("cannot read {}: {e}", dir.display()),
    };
    files.sort();
    let mut out = String::from("&[\n");
    let mut last_version = None;
    for name in &files {
        let (version, rest) = name.split_at(4.min(name.len()));
        let well_named = version.bytes().all(|b| b.is_ascii_digit())
            && rest.starts_with('_')
            && rest.len() > "_.sql".len()
            && rest[1..rest.len() - 4]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_named {
            panic!("migrations/{name}: expected NNNN_lowercase_description.sql");
        }
        if last_version == Some(version.to_owned()) {
            panic!("migrations/{name}: version {version} is used twice");
        }
        last_version = Some(version.to_owned());
        println!("cargo:rerun-if-changed={}", dir.join(name).display());
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            dir.join(name).display().to_string()
        ));
    }
    out.push_str("]\n");
    let out_dir = env::var("OUT_DIR").unwrap_or_else(|e| panic!("cargo sets OUT_DIR: {e}"));
    let dest = Path::new(&out_dir).join("migrations.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}
