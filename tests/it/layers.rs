//! The library's layers, as `src/lib.rs` and `docs/guide.md` list them, hold in the code:
//! every module names only modules of its own layer or those below (vocabulary at the
//! bottom), so that a change never has to reach up.

use std::path::{Path, PathBuf};

/// Each module of the library and its layer, from the bottom: 1 vocabulary, 2 pure builders
/// and models, 3 the error, 4 I/O, 5 runs.
const LAYERS: &[(&str, u8)] = &[
    ("id", 1),
    ("enums", 1),
    ("date", 1),
    ("timestamp", 1),
    ("stop", 1),
    ("transport", 1),
    ("logging", 1),
    ("endpoint", 1),
    ("clock", 1),
    ("gzip", 1),
    ("patch", 2),
    ("new_report", 2),
    ("model", 2),
    ("tenant", 2),
    ("verify", 2),
    ("desired", 2),
    ("plan", 2),
    ("saved_plan", 2),
    ("usage", 2),
    ("billing", 2),
    ("error", 3),
    ("exchange", 4),
    ("base_url", 4),
    ("auth", 4),
    ("retry", 4),
    ("client", 4),
    ("bulk", 5),
    ("apply", 5),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file of `src/` belongs to: `client/call.rs` to `client`.
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().unwrap();
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_owned()
}

/// The modules a line of code names as `crate::m` (comments and doc comments left out: a
/// link in the docs is no dependency).
fn named(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // `use crate::{a, b}` names each.
        if name.is_empty() && after.starts_with('{') {
            let inside = after[1..].split('}').next().unwrap_or("");
            for item in inside.split(',') {
                let item = item.trim().split("::").next().unwrap_or("").trim();
                if !item.is_empty() {
                    found.push(item.to_owned());
                }
            }
        } else if !name.is_empty() {
            found.push(name);
        }
        rest = after;
    }
    found
}

#[test]
fn every_module_names_only_its_own_layer_or_those_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut faults = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        if relative.starts_with("bin") || relative == Path::new("lib.rs") {
            continue; // the command-line tool and the crate root stand above every layer
        }
        let module = module_of(relative);
        let Some(own) = layer(&module) else {
            faults.push(format!(
                "{}: module `{module}` is in no layer: add it to LAYERS, lib.rs and docs/guide.md",
                relative.display()
            ));
            continue;
        };
        seen.insert(module.clone());
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for name in named(line) {
                if name == module || name == "self" {
                    continue;
                }
                match layer(&name) {
                    Some(l) if l <= own => {}
                    Some(l) => faults.push(format!(
                        "{}:{}: `{module}` (layer {own}) names `{name}` (layer {l}), above it",
                        relative.display(),
                        n + 1
                    )),
                    // A name re-exported at the crate root (`crate::Report`) hides its layer.
                    None => faults.push(format!(
                        "{}:{}: `crate::{name}`: name the module it comes from",
                        relative.display(),
                        n + 1
                    )),
                }
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    // Every module of the table exists, so that the table stays true.
    let listed: std::collections::BTreeSet<String> =
        LAYERS.iter().map(|(m, _)| (*m).to_owned()).collect();
    assert_eq!(seen, listed);
}

#[test]
fn the_layer_tables_of_the_docs_name_every_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for doc in ["src/lib.rs", "docs/guide.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        for (module, _) in LAYERS {
            assert!(
                text.contains(&format!("`{module}`")),
                "{doc}'s layer table does not name `{module}`"
            );
        }
    }
}

#[test]
fn the_line_reader_finds_what_is_named() {
    assert_eq!(named("use crate::id::ReportId;"), ["id"]);
    assert_eq!(named("use crate::{error, id::X};"), ["error", "id"]);
    assert_eq!(
        named("let x = crate::error::Error::x(); // crate::bulk"),
        ["error"]
    );
    assert!(named("/// [`Client`](crate::Client)").is_empty());
}
