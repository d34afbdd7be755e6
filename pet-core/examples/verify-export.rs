//! Verifies a PET event-log export offline, without a database:
//!
//! ```text
//! cargo run -p pet-core --example verify-export -- pet-events.jsonl [--expect SEQUENCE:HASH]...
//! ```
//!
//! Reads the JSON Lines file (`-` for standard input) line by line (memory stays flat
//! whatever its size), recomputes every event's hash with `pet_core::chain` — the code
//! the event store writes the chain with — and checks the links, the sequence, the end
//! line and the head. Each `--expect SEQUENCE:HASH` is a head recorded earlier (from the
//! Settings screen or an earlier export): the export must hold that event with that hash,
//! which shows the log was not rewritten since. Exit status 0: verified; 1: not
//! verified (the first bad sequence and what is wrong are printed); 2: usage or I/O error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, BufReader};
use std::process::ExitCode;

use pet_core::chain::{verify_export, ExportError};

fn usage() -> ExitCode {
    eprintln!("usage: verify-export FILE.jsonl [--expect SEQUENCE:HASH]...");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut file = None;
    let mut anchors = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--expect" {
            let Some(v) = args.next() else { return usage() };
            let Some((s, h)) = v.split_once(':') else {
                return usage();
            };
            let Ok(s) = s.parse::<u64>() else {
                return usage();
            };
            anchors.push((s, h.trim().to_ascii_lowercase()));
        } else if file.is_none() {
            file = Some(a);
        } else {
            return usage();
        }
    }
    let Some(file) = file else { return usage() };
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        match std::fs::File::open(&file) {
            Ok(f) => Box::new(BufReader::with_capacity(1 << 20, f)),
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let mut io_error = None;
    let lines = reader.lines().map_while(|l| match l {
        Ok(l) => Some(l),
        Err(e) => {
            io_error = Some(e);
            None
        }
    });
    let result = verify_export(lines, &anchors);
    if let Some(e) = io_error {
        eprintln!("{file}: {e}");
        return ExitCode::from(2);
    }
    match result {
        Ok(s) => {
            println!(
                "OK: {} events verified; head {} {} (exported {})",
                s.events, s.head.sequence, s.head.hash, s.exported_at
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            match &e {
                ExportError::Chain(f) => println!(
                    "NOT VERIFIED: first bad sequence {} ({}): {e}",
                    f.sequence(),
                    f.kind()
                ),
                _ => println!("NOT VERIFIED: {e}"),
            }
            ExitCode::from(1)
        }
    }
}
