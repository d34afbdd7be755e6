//! Architecture invariant: pet-core does no I/O, reads no clock, draws no randomness and
//! depends on no async runtime, database or PHP crate. Fails when that stops being true.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

const FORBIDDEN_DEPENDENCIES: &[&str] = &[
    "tokio",
    "mysql",
    "mysql_async",
    "ext-php-rs",
    "sqlx",
    "rand",
    "reqwest",
];
const FORBIDDEN_CALLS: &[&str] = &[
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "std::thread",
    "thread_rng",
    "now_v7",
    "new_v4",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Names of the dependencies declared in `[dependencies]` (not dev- or build-).
fn dependencies(manifest: &str) -> Vec<String> {
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line == "[dependencies]" || line.starts_with("[dependencies.");
            if let Some(name) = line.strip_prefix("[dependencies.") {
                deps.push(name.trim_end_matches(']').to_owned());
            }
            continue;
        }
        if in_deps {
            if let Some((name, _)) = line.split_once(['=', '.']) {
                let name = name.trim();
                if !name.is_empty() && !name.starts_with('#') {
                    deps.push(name.to_owned());
                }
            }
        }
    }
    deps
}

fn forbidden_dependencies(manifest: &str) -> Vec<String> {
    dependencies(manifest)
        .into_iter()
        .filter(|d| FORBIDDEN_DEPENDENCIES.contains(&d.as_str()))
        .collect()
}

fn forbidden_calls(source: &str) -> Vec<&'static str> {
    FORBIDDEN_CALLS
        .iter()
        .copied()
        .filter(|c| source.contains(c))
        .collect()
}

#[test]
fn manifest_has_no_runtime_database_or_php_dependency() {
    let manifest = std::fs::read_to_string(crate_dir().join("Cargo.toml")).unwrap();
    assert!(
        dependencies(&manifest).contains(&"serde".to_owned()),
        "parser sees the dependencies"
    );
    assert_eq!(forbidden_dependencies(&manifest), Vec::<String>::new());
}

#[test]
fn sources_read_no_clock_and_do_no_io() {
    let mut files = Vec::new();
    rust_files(&crate_dir().join("src"), &mut files);
    assert!(files.len() > 5, "found the sources");
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let src = std::fs::read_to_string(f).unwrap();
            forbidden_calls(&src)
                .into_iter()
                .map(move |c| format!("{}: {c}", f.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(offenders, Vec::<String>::new());
}

#[test]
fn the_checks_themselves_catch_offenders() {
    let bad_manifest = "[package]\nname = \"x\"\n\n[dependencies]\nserde = \"1\"\ntokio.workspace = true\n\n[dependencies.mysql_async]\nversion = \"0.37\"\n\n[dev-dependencies]\nproptest = \"1\"\n";
    assert_eq!(
        forbidden_dependencies(bad_manifest),
        ["tokio", "mysql_async"]
    );
    assert_eq!(forbidden_calls("let t = chrono::Utc::now();"), ["Utc::now"]);
    assert_eq!(forbidden_calls("let id = Uuid::now_v7();"), ["now_v7"]);
    assert!(forbidden_calls("fn decide(now: DateTime<Utc>) {}").is_empty());
}
