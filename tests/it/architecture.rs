//! The shape ARCHITECTURE.md promises, checked from the source: the top-level modules of
//! src/ form layers, and a module names only modules of lower layers (`crate::x` paths), so
//! that there is no import cycle between features.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Lowest first. A module may use only modules of a strictly lower layer.
const LAYERS: &[&[&str]] = &[
    &["clock", "config", "codes", "rate"],
    &["db", "web", "state", "audit"],
    &["error"],
    &["auth"],
    &["org"],
    &["members"],
    &["meetings"],
    &["evaluation"],
    &["documents"],
    &["home", "supervision"],
    &["reports"],
    &["demo", "cli"],
    &["app"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Every `crate::name` a file mentions (code or doc comment alike: a doc link is a
/// dependency too), including each name of a group `crate::{a, b::c}`.
fn crate_paths(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // The first level of the group: names separated by commas, nested braces skipped.
            let (mut depth, mut start) = (0, 0);
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        found.push(ident(&group[start..j]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(ident(&group[start..j]));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            found.push(ident(after));
        }
        rest = after;
    }
    found.retain(|n| !n.is_empty());
    found
}

#[test]
fn modules_import_downward_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" || top == "main" {
            continue; // the crate root declares every module
        }
        let Some(own) = layer_of(&top) else {
            unknown.push(top);
            continue;
        };
        let source = std::fs::read_to_string(file).unwrap();
        for used in crate_paths(&source) {
            if used == top {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l < own => {}
                _ => wrong
                    .entry(format!("{}", rel.display()))
                    .or_default()
                    .push(used),
            }
        }
    }
    unknown.sort();
    unknown.dedup();
    assert!(
        unknown.is_empty(),
        "modules missing from LAYERS (add them, and to ARCHITECTURE.md): {unknown:?}"
    );
    assert!(
        wrong.is_empty(),
        "imports that point sideways or upward (see ARCHITECTURE.md): {wrong:#?}"
    );
}

#[test]
fn the_check_reads_paths_it_is_meant_to() {
    let found = crate_paths("use crate::web::FieldErrors;\nlet x = crate::org::store::get;");
    assert_eq!(found, vec!["web".to_owned(), "org".to_owned()]);
    let grouped = crate_paths("use crate::{meetings, members::domain::{Status, Gender}, org};");
    assert_eq!(grouped, vec!["meetings", "members", "org"]);
}

/// Where SQL may be written: the stores, the database module, the audit trail, the session
/// store, and the demo generator (which bulk-loads generated data). Everything else — every
/// handler — calls a store.
fn may_hold_sql(path: &str) -> bool {
    path.contains("/store/")
        || path.ends_with("/store.rs")
        || path.starts_with("src/db/")
        || path.starts_with("src/demo/")
        || ["src/audit.rs", "src/auth/sessions.rs"].contains(&path)
}

#[test]
fn handlers_never_write_sql() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut offenders: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let path = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let source = std::fs::read_to_string(file).unwrap();
            let sql = ["sqlx::query", "query!(", "query_as!(", "query_scalar!("]
                .iter()
                .any(|needle| source.contains(needle));
            (sql && !may_hold_sql(&path)).then_some(path)
        })
        .collect();
    offenders.sort();
    assert!(
        offenders.is_empty(),
        "SQL outside a store (ARCHITECTURE.md, \"Inside a feature\"): {offenders:?}"
    );
    assert!(may_hold_sql("src/meetings/store/agenda.rs") && !may_hold_sql("src/meetings/pages.rs"));
}

/// A string literal with a Vietnamese letter: text for a reader.
fn vietnamese_literals(source: &str) -> Vec<String> {
    const MARKED: &str = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ";
    // A line's code: up to a `//` outside a string literal.
    let code = |line: &str| {
        let bytes = line.as_bytes();
        let mut in_string = false;
        for i in 0..bytes.len() {
            match bytes[i] {
                b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    return line[..i].to_owned();
                }
                _ => {}
            }
        }
        line.to_owned()
    };
    source
        .lines()
        .map(code)
        .flat_map(|l| {
            l.split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|lit| lit.to_lowercase().chars().any(|c| MARKED.contains(c)))
        .collect()
}

#[test]
fn stores_never_word_text_for_a_page() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut worded: Vec<String> = Vec::new();
    for file in &files {
        let path = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let is_store = path.contains("/store/") || path.ends_with("/store.rs");
        if !is_store {
            continue;
        }
        let source = std::fs::read_to_string(file).unwrap();
        worded.extend(
            vietnamese_literals(&source)
                .into_iter()
                .map(|l| format!("{path}: \"{l}\"")),
        );
    }
    assert!(
        worded.is_empty(),
        "a store words text (return a typed refusal or value; the domain or page words it): {worded:#?}"
    );
    assert_eq!(
        vietnamese_literals("let a = \"chi bộ\"; // \"ghi chú\"\nlet b = \"held\";"),
        vec!["chi bộ".to_owned()]
    );
}
