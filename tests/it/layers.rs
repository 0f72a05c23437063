//! Architecture tests: the library's top-level modules form layers, and the
//! files inside a module directory never import each other in a loop.
//!
//! Data flows ingest → normalise → store → query → render (STYLE.md §1), and a
//! module may use only modules of lower layers, so each stage can be read,
//! tested and moved without the ones after it. The test reads `src/` as text
//! with the standard library only: it lexes away comments and string literals,
//! then follows every `crate::`, `super::` and `self::` path, including grouped
//! `use` forms. `src/main.rs` and `src/cli/` are the binary and are skipped.
//!
//! To add a top-level module, put it in [`LAYERS`] in the lowest layer that is
//! above every module it uses. To let one module of a layer use another of the
//! same layer, add the pair to [`SAME_LAYER_ALLOWED`]. Both tests print
//! `file:line` for every violation.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules, lowest layer first.
const LAYERS: &[&[&str]] = &[
    &["error", "schema", "text", "atomic"], // 0: shared helpers
    &["ingest"],
    &["normalise"],
    &["store", "dedup"],
    &["gen", "query"],
    &["render"],
    &["pipeline"],
    &["config"],
    &["report", "sql"],
];

/// Allowed imports within one layer, as (importer, imported). `error` is the
/// lowest helper of all and imports nothing from the crate.
const SAME_LAYER_ALLOWED: &[(&str, &str)] = &[("schema", "error"), ("text", "error"), ("atomic", "error")];

/// Items that lib.rs defines or re-exports at the crate root. Any module may
/// use them.
const ROOT_ITEMS: &[&str] = &["Run", "Error", "ErrorKind", "Result"];

/// Top-level entries of `src/` that belong to the binary, which uses the
/// library as `sitrep::…` and so sits above every layer.
const BINARY: &[&str] = &["main", "cli", "bin"];

/// Keywords that introduce a named item. Module paths can resolve to these.
const ITEM_KINDS: &[&str] = &["struct", "enum", "fn", "trait", "const", "type", "static", "union"];

/// A token, its line, and its brace depth, where `{` and its matching `}` have
/// the same depth.
struct Tok(String, usize, usize);

/// Edges (from, to) between the children of a module directory, each with the
/// first `file:line` that creates it.
type Edges = BTreeMap<(String, String), String>;

/// A library source file, lexed.
struct File {
    /// `src/ingest/layout.rs`, for messages.
    shown: String,
    /// `src/render/chart/bars.rs` is `[render, chart, bars]`; `src/ingest/mod.rs` is `[ingest]`.
    module: Vec<String>,
    toks: Vec<Tok>,
    /// The names of items defined at file level: the public ones, then all of them.
    /// A `mod.rs` may share private items with its children.
    items: [BTreeSet<String>; 2],
}

/// Every library file under `src/`, sorted so that messages come out in a stable order.
fn library_files() -> Vec<File> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for path in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()) {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let (src, mut paths, mut files) = (super::repo("src"), Vec::new(), Vec::new());
    walk(&src, &mut paths);
    paths.sort();
    for path in paths {
        let rel: Vec<String> = path.strip_prefix(&src).unwrap().iter().map(|c| c.to_string_lossy().into()).collect();
        if rel == ["lib.rs"] || BINARY.contains(&rel[0].trim_end_matches(".rs")) {
            continue;
        }
        let mut module = rel.clone();
        if let Some(last) = module.pop().filter(|last| last != "mod.rs") {
            module.push(last.trim_end_matches(".rs").into());
        }
        let toks = lex(&fs::read_to_string(&path).unwrap());
        let items = [items(&toks, true), items(&toks, false)];
        files.push(File { shown: format!("src/{}", rel.join("/")), module, toks, items });
    }
    files
}

/// Splits source into identifiers, `::` and single-character punctuation,
/// dropping comments and string and char literals, so that a `crate::` in a
/// doc link or an error message is not taken for an import.
fn lex(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let word = |ch: char| ch.is_alphanumeric() || ch == '_';
    // The index after a string body that starts at `i`. Raw strings have no
    // escapes and end at `"` followed by `hashes` `#`s.
    let end_of_str = |mut i: usize, raw: bool, hashes: usize| {
        while i < c.len() && !(c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#')) {
            i += if c[i] == '\\' && !raw { 2 } else { 1 };
        }
        i + 1 + hashes
    };
    let (mut toks, mut i, mut line, mut depth) = (Vec::new(), 0, 1, 0);
    while i < c.len() {
        let (start, mut text) = (i, String::new());
        match c[i] {
            '/' if at(i + 1) == '/' => i = (i..c.len()).find(|&k| c[k] == '\n').unwrap_or(c.len()),
            '/' if at(i + 1) == '*' => {
                i = (i + 2..c.len()).find(|&k| c[k] == '*' && at(k + 1) == '/').map_or(c.len(), |k| k + 2)
            }
            '"' => i = end_of_str(i + 1, false, 0),
            // A char literal ('x', '\n', '\''); anything else after `'` is a lifetime.
            '\'' if at(i + 1) == '\\' => i = (i + 3..c.len()).find(|&k| c[k] == '\'').map_or(c.len(), |k| k + 1),
            '\'' if at(i + 2) == '\'' => i += 3,
            ch if word(ch) || ch == '\'' => {
                i = (i + 1..=c.len()).find(|&k| !word(at(k))).unwrap_or(c.len());
                text = c[start..i].iter().collect();
                let hashes = (i..c.len()).take_while(|&k| c[k] == '#').count();
                if matches!(text.as_str(), "r" | "br") && at(i + hashes) == '"' {
                    (text, i) = (String::new(), end_of_str(i + hashes + 1, true, hashes));
                }
            }
            ch if ch.is_whitespace() => i += 1,
            ':' if at(i + 1) == ':' => (text, i) = ("::".into(), i + 2),
            ch => (text, i) = (ch.into(), i + 1),
        }
        depth -= usize::from(text == "}" && depth > 0);
        if !text.is_empty() {
            toks.push(Tok(text.clone(), line, depth));
        }
        depth += usize::from(text == "{");
        line += c[start..i.min(c.len())].iter().filter(|&&ch| ch == '\n').count();
    }
    toks
}

fn is_word(s: &str) -> bool {
    s.starts_with(|ch: char| ch.is_alphabetic() || ch == '_')
}

/// The names of items defined at file level (brace depth 0). With `pub_only`,
/// only `pub` and `pub(…)` items count.
fn items(t: &[Tok], pub_only: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (k, Tok(kind, _, depth)) in t.iter().enumerate() {
        let name = t.get(k + 1 + usize::from(t.get(k + 1).is_some_and(|x| x.0 == "mut"))).map_or("", |x| &x.0);
        // Skips `const fn`, `const unsafe fn` and `fn(…)` pointer types.
        if *depth > 0
            || !ITEM_KINDS.contains(&kind.as_str())
            || !is_word(name)
            || ITEM_KINDS.contains(&name)
            || name == "unsafe"
        {
            continue;
        }
        let mut b =
            k - (0..k).rev().take_while(|&j| ["async", "unsafe", "extern", "const"].contains(&&*t[j].0)).count();
        if b > 0 && t[b - 1].0 == ")" {
            b = t[..b].iter().rposition(|x| x.0 == "(").unwrap_or(0);
        }
        if !pub_only || (b > 0 && t[b - 1].0 == "pub") {
            out.insert(name.to_string());
        }
    }
    out
}

/// Parses the path at token `i`, such as `a::b::{c, d::{self, e as f}}`, into
/// its expanded paths, and returns them with the index of the next token.
fn parse_path(t: &[Tok], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    while let Some(Tok(tok, ..)) = t.get(i) {
        if tok == "{" {
            let mut all = Vec::new();
            i += 1;
            while t.get(i).is_some_and(|x| x.0 != "}") {
                let (paths, next) = match t[i].0.as_str() {
                    "," => (Vec::new(), i + 1),
                    "as" => (Vec::new(), i + 2),
                    _ => parse_path(t, i),
                };
                all.extend(paths.into_iter().filter(|p| !p.is_empty()).map(|p| [prefix.clone(), p].concat()));
                i = next.max(i + 1);
            }
            return (all, i + 1);
        }
        if !is_word(tok) && tok != "*" {
            break;
        }
        prefix.push(tok.clone());
        if t.get(i + 1).is_none_or(|x| x.0 != "::") {
            return (vec![prefix], i + 1);
        }
        i += 2;
    }
    (vec![prefix], i)
}

/// Resolves a `crate::`/`super::`/`self::` path, written in module `base`, to a
/// module path from the crate root, or `None` if it climbs above the root.
fn resolve(base: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut abs = if path.first()? == "crate" { Vec::new() } else { base.to_vec() };
    for seg in path.iter().skip(usize::from(path[0] == "crate")) {
        match seg.as_str() {
            "self" => {}
            "super" => _ = abs.pop()?,
            _ => abs.push(seg.clone()),
        }
    }
    Some(abs)
}

/// Every path in a file that starts at `crate`, `super` or `self`, as (line,
/// path from the crate root). Inline modules are tracked because `super::`
/// inside `mod tests { … }` means the file's own module.
fn refs(file: &File) -> Vec<(usize, Vec<String>)> {
    let t = &file.toks;
    let (mut inline, mut out, mut i) = (Vec::<(&str, usize)>::new(), Vec::new(), 0);
    while i < t.len() {
        if t[i].0 == "}" && inline.last().is_some_and(|m| m.1 == t[i].2) {
            inline.pop();
        }
        if t[i].0 == "mod" && t.get(i + 2).is_some_and(|x| x.0 == "{") {
            inline.push((&t[i + 1].0, t[i + 2].2));
        }
        let rooted = ["crate", "super", "self"].contains(&&*t[i].0) && t.get(i + 1).is_some_and(|x| x.0 == "::");
        if !rooted || (i > 0 && t[i - 1].0 == "::") {
            i += 1;
            continue;
        }
        let (paths, next) = parse_path(t, i);
        let base: Vec<String> = file.module.iter().cloned().chain(inline.iter().map(|m| m.0.to_string())).collect();
        out.extend(paths.iter().filter_map(|p| resolve(&base, p)).map(|p| (t[i].1, p)));
        i = next;
    }
    out
}

#[test]
fn modules_import_only_lower_layers() {
    let layer = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    let files = library_files();
    let tops: BTreeSet<&str> = files.iter().map(|f| f.module[0].as_str()).collect();
    let mut problems: Vec<String> = (tops.iter().filter(|m| layer(m).is_none()))
        .map(|m| format!("src/{m}: module `{m}` is not in LAYERS; add it to the table in tests/it/layers.rs"))
        .collect();
    let mut seen = BTreeSet::new();
    for f in &files {
        let m = f.module[0].as_str();
        let Some(lm) = layer(m) else { continue };
        for (line, path) in refs(f) {
            let n = path.first().map_or(m, String::as_str);
            // One message per imported module per file; the first use gives the line.
            if n == m || ROOT_ITEMS.contains(&n) || !seen.insert((&f.shown, n.to_string())) {
                continue;
            }
            let why = match layer(n) {
                None if tops.contains(n) => continue, // reported above
                None => "which is neither in LAYERS nor in ROOT_ITEMS; add it to one of them".to_string(),
                Some(ln) if ln > lm => {
                    format!("(layer {ln}): lower layers must not import higher ones; move the shared code down")
                }
                Some(ln) if ln == lm && !SAME_LAYER_ALLOWED.contains(&(m, n)) => format!(
                    "(also layer {ln}): modules of one layer must not import each other; move the shared code down"
                ),
                _ => continue,
            };
            problems.push(format!("{}:{line} ({m}, layer {lm}) imports crate::{} {why}", f.shown, path.join("::")));
        }
    }
    assert!(problems.is_empty(), "{} layering violation(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn no_import_loops_between_files() {
    let files = library_files();
    // The edges between the children (files or subdirectories) of each module directory.
    let mut graphs: BTreeMap<&[String], Edges> = BTreeMap::new();
    for f in &files {
        for (line, path) in refs(f) {
            // The edge belongs to the directory where the path and the file's module
            // part. The layer test checks top-level edges. A path that ends in that
            // directory is skipped, and so is a path from its mod.rs, the façade.
            let common = path.iter().zip(&f.module).take_while(|(a, b)| a == b).count();
            if common == 0 || common >= f.module.len() || common >= path.len() {
                continue;
            }
            let (dir, from) = (&f.module[..common], f.module[common].clone());
            match child_defining(&files, dir, &path[common]) {
                Some(to) if to != from => {
                    let why = format!("{}:{line} uses crate::{}", f.shown, path.join("::"));
                    graphs.entry(dir).or_default().entry((from, to)).or_insert(why);
                }
                _ => {}
            }
        }
    }
    let mut problems = Vec::new();
    for (dir, edges) in &graphs {
        // One loop through each child that is on a loop not yet reported.
        let mut done = BTreeSet::new();
        for (start, _) in edges.keys() {
            let Some(cycle) = path_to(edges, start, start, &mut BTreeSet::new()).filter(|_| !done.contains(start))
            else {
                continue;
            };
            done.extend(cycle.iter().cloned());
            // A child that is a directory is shown as `src/…/name/`.
            let file = |n: &String| files.iter().find(|f| f.module == [dir, &[n.clone()][..]].concat());
            let shown: Vec<&str> =
                cycle.iter().map(|n| file(n).map_or(n.as_str(), |f| f.shown.trim_end_matches("mod.rs"))).collect();
            let why: Vec<&str> = cycle.windows(2).map(|w| edges[&(w[0].clone(), w[1].clone())].as_str()).collect();
            problems.push(format!(
                "import loop among {}\n    because {}\n    move what they share into a file that both can import",
                shown.join(" -> "),
                why.join("; ")
            ));
        }
    }
    assert!(problems.is_empty(), "{} import loop(s):\n{}", problems.len(), problems.join("\n"));
}

/// Finds the child of directory `dir` that holds `dir::name`, trying in order:
/// a child module called `name`; the façade, if it defines the item; the child
/// the façade imports it from (`pub use x::{A, B}`); the only child with a
/// public item of that name. Returns `None` if it is ambiguous or not found.
fn child_defining(files: &[File], dir: &[String], name: &str) -> Option<String> {
    let under = |f: &&File| f.module.len() > dir.len() && f.module.starts_with(dir);
    let is_child = |n: &str| files.iter().filter(under).any(|f| f.module[dir.len()] == n);
    if is_child(name) {
        return Some(name.to_string());
    }
    if let Some(facade) = files.iter().find(|f| f.module == dir) {
        // An edge to the façade, which has no outgoing edges, can't close a loop.
        if facade.items[1].contains(name) {
            return Some("mod.rs".to_string());
        }
        let t = &facade.toks;
        let uses = (0..t.len()).filter(|&k| t[k].0 == "use" && t[k].2 == 0).flat_map(|k| parse_path(t, k + 1).0);
        let rooted = |p: &[String]| p.first().is_some_and(|s| ["crate", "super", "self"].contains(&s.as_str()));
        let mut sources = uses.filter_map(|p| if rooted(&p) { resolve(dir, &p) } else { Some([dir, &p].concat()) });
        if let Some(abs) = sources.find(|a| {
            a.len() > dir.len() + 1 && a.starts_with(dir) && a.last().unwrap() == name && is_child(&a[dir.len()])
        }) {
            return Some(abs[dir.len()].clone());
        }
    }
    let mut defining =
        files.iter().filter(under).filter(|f| f.module.len() == dir.len() + 1 && f.items[0].contains(name));
    match (defining.next(), defining.next()) {
        (Some(f), None) => Some(f.module[dir.len()].clone()),
        _ => None,
    }
}

/// A path from `from` to `to` along `edges` that visits no node twice.
fn path_to(edges: &Edges, from: &str, to: &str, seen: &mut BTreeSet<String>) -> Option<Vec<String>> {
    for (_, next) in edges.keys().filter(|(a, _)| a == from) {
        if next == to {
            return Some(vec![from.into(), to.into()]);
        }
        if seen.insert(next.clone()) {
            if let Some(rest) = path_to(edges, next, to, seen) {
                return Some([vec![from.into()], rest].concat());
            }
        }
    }
    None
}
