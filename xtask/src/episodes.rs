//! The cross-reference from podcast episodes to the code that illustrates them.
//!
//! Each crate declares, in its `Cargo.toml`, the episodes it serves and its samples:
//!
//! ```toml
//! [package.metadata.episodes]
//! serves = ["E06", "E13"]
//!
//! [[package.metadata.episodes.samples]]
//! episodes = ["E06"]
//! title = "The three-state machine"
//! path = "src/breaker.rs"     # relative to the crate's folder
//! item = "CircuitBreaker"     # optional: a Rust item defined in that file
//! ```
//!
//! [`analyse`] checks those declarations against the catalog and the sources, and renders
//! `docs/episodes.md`; it works on an in-memory [`Model`] and a file reader so that it is pure.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::catalog::{self, CATALOG_PATH, Episode};
use crate::items::find_item;
use crate::workspace::{Package, Workspace};

/// Where the rendering lives, relative to the workspace root.
pub(crate) const RENDER_PATH: &str = "docs/episodes.md";

/// A crate's `[package.metadata.episodes]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EpisodesMeta {
    /// Ids of the episodes the crate serves.
    pub(crate) serves: Vec<String>,
    /// Code in the crate that illustrates some of those episodes.
    #[serde(default)]
    pub(crate) samples: Vec<Sample>,
}

/// One `[[package.metadata.episodes.samples]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sample {
    /// Ids of the episodes this sample illustrates; each must be in the crate's `serves`.
    pub(crate) episodes: Vec<String>,
    /// What the sample shows.
    pub(crate) title: String,
    /// The file, relative to the crate's folder.
    pub(crate) path: String,
    /// A Rust item (`Name` or `Type::method`) defined in that file.
    pub(crate) item: Option<String>,
}

/// One crate's declarations.
#[derive(Debug)]
pub(crate) struct CrateEpisodes {
    /// The crate's name.
    pub(crate) name: String,
    /// The crate's folder relative to the workspace root, with forward slashes.
    pub(crate) dir: String,
    /// Its `[package.metadata.episodes]` table.
    pub(crate) meta: EpisodesMeta,
}

/// Everything the check and the rendering look at, apart from file contents.
#[derive(Debug)]
pub(crate) struct Model {
    /// The catalog, in its own order.
    pub(crate) catalog: Vec<Episode>,
    /// The crates that declare episodes, in any order.
    pub(crate) crates: Vec<CrateEpisodes>,
}

/// The result of [`analyse`]: the rendering and every problem found on the way.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The contents `docs/episodes.md` should have.
    pub(crate) markdown: String,
    /// One message per problem.
    pub(crate) problems: Vec<String>,
}

/// A sample with its file resolved against the workspace root.
struct Located<'a> {
    crate_name: &'a str,
    sample: &'a Sample,
    file: String,
    line: Option<usize>,
}

/// Reads a file given relative to the workspace root; `None` if it can't be read.
pub(crate) type ReadFile<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Checks the crates' declarations and renders the cross-reference.
pub(crate) fn analyse(model: &Model, read: ReadFile<'_>) -> Outcome {
    let mut crates: Vec<&CrateEpisodes> = model.crates.iter().collect();
    crates.sort_by(|a, b| a.name.cmp(&b.name));
    let mut problems = Vec::new();
    let mut located = Vec::new();
    for krate in &crates {
        check_ids(model, krate, &mut problems);
        for sample in &krate.meta.samples {
            located.push(locate(krate, sample, read, &mut problems));
        }
    }
    let markdown = render(&model.catalog, &crates, &located);
    Outcome { markdown, problems }
}

/// [`analyse`], plus a problem if the rendering on disk differs from the fresh one.
pub(crate) fn check_all(model: &Model, read: ReadFile<'_>) -> Vec<String> {
    let Outcome {
        markdown,
        mut problems,
    } = analyse(model, read);
    match read(RENDER_PATH) {
        None => problems.push(format!(
            "{RENDER_PATH} is missing: run `cargo xtask episodes`"
        )),
        Some(on_disk) if on_disk.replace("\r\n", "\n") != markdown => problems.push(format!(
            "{RENDER_PATH} is out of date: run `cargo xtask episodes`"
        )),
        Some(_) => {}
    }
    problems
}

/// Reports episode ids that are not in the catalog, and sample episodes the crate doesn't serve.
fn check_ids(model: &Model, krate: &CrateEpisodes, problems: &mut Vec<String>) {
    let known = |id: &str| model.catalog.iter().any(|episode| episode.id == id);
    let name = &krate.name;
    for id in krate.meta.serves.iter().filter(|id| !known(id)) {
        problems.push(format!(
            "{name}: serves episode {id}, which is not in {CATALOG_PATH}"
        ));
    }
    for sample in &krate.meta.samples {
        let title = &sample.title;
        if sample.episodes.is_empty() {
            problems.push(format!("{name}: sample {title:?} lists no episodes"));
        }
        for id in &sample.episodes {
            if !known(id) {
                problems.push(format!(
                    "{name}: sample {title:?} cites episode {id}, which is not in {CATALOG_PATH}"
                ));
            } else if !krate.meta.serves.contains(id) {
                problems.push(format!(
                    "{name}: sample {title:?} cites episode {id}, which is not in the crate's `serves`"
                ));
            }
        }
    }
}

/// Resolves a sample's file and item, reporting a missing file or item.
fn locate<'a>(
    krate: &'a CrateEpisodes,
    sample: &'a Sample,
    read: ReadFile<'_>,
    problems: &mut Vec<String>,
) -> Located<'a> {
    let file = if krate.dir.is_empty() {
        sample.path.clone()
    } else {
        format!("{}/{}", krate.dir, sample.path)
    };
    let context = format!("{}: sample {:?}", krate.name, sample.title);
    let line = match (read(&file), &sample.item) {
        (None, _) => {
            problems.push(format!("{context}: {file} does not exist"));
            None
        }
        (Some(source), Some(item)) => {
            let line = find_item(&source, item);
            if line.is_none() {
                problems.push(format!("{context}: `{item}` is not defined in {file}"));
            }
            line
        }
        (Some(_), None) => None,
    };
    Located {
        crate_name: &krate.name,
        sample,
        file,
        line,
    }
}

/// Renders `docs/episodes.md`.
fn render(catalog: &[Episode], crates: &[&CrateEpisodes], located: &[Located<'_>]) -> String {
    let covered = |id: &str| {
        located
            .iter()
            .any(|l| l.sample.episodes.iter().any(|e| e == id))
    };
    let mut out = String::from(
        "<!-- Generated by `cargo xtask episodes` from docs/episodes.toml and each crate's \
         [package.metadata.episodes]. Do not edit by hand. -->\n\n\
         # Episodes and code\n\n\
         Which code in this repository illustrates which podcast episode.\n\n\
         ## By episode\n",
    );
    for episode in catalog.iter().filter(|e| covered(&e.id)) {
        let _ = write!(out, "\n### {}\n\n", heading(episode));
        for l in located
            .iter()
            .filter(|l| l.sample.episodes.contains(&episode.id))
        {
            out.push_str(&sample_bullet(l));
        }
    }
    out.push_str("\n## By crate\n\n| Crate | Episodes served |\n| --- | --- |\n");
    for krate in crates {
        out.push_str(&crate_row(catalog, krate, &covered));
    }
    let uncovered: Vec<&str> = catalog
        .iter()
        .filter(|e| !covered(&e.id))
        .map(|e| e.id.as_str())
        .collect();
    if !uncovered.is_empty() {
        let _ = write!(out, "\nNot yet covered: {}\n", uncovered.join(", "));
    }
    out
}

/// One row of the "By crate" table; served episodes that have samples link to their section.
fn crate_row(catalog: &[Episode], krate: &CrateEpisodes, covered: &dyn Fn(&str) -> bool) -> String {
    let served: Vec<String> = krate
        .meta
        .serves
        .iter()
        .map(
            |id| match catalog.iter().find(|e| &e.id == id && covered(id)) {
                Some(episode) => format!("[{id}](#{})", anchor(&heading(episode))),
                None => id.clone(),
            },
        )
        .collect();
    format!("| {} | {} |\n", krate.name, served.join(", "))
}

/// The heading text for an episode.
fn heading(episode: &Episode) -> String {
    format!("{} — {}", episode.id, episode.title)
}

/// One bullet of the "By episode" list, linking from `docs/` to the sample.
fn sample_bullet(located: &Located<'_>) -> String {
    let Located {
        crate_name,
        sample,
        file,
        line,
    } = located;
    let fragment = line.map(|line| format!("#L{line}")).unwrap_or_default();
    let item = match &sample.item {
        Some(item) => format!(" — `{item}`"),
        None => String::new(),
    };
    format!(
        "- [{crate_name}: {}](../{file}{fragment}){item}\n",
        sample.title
    )
}

/// The anchor GitHub gives a heading: lower case, spaces to `-`, other punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// `cargo xtask episodes import FILE`: writes the catalog from a TSV.
pub(crate) fn import(tsv: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(tsv).with_context(|| format!("reading {}", tsv.display()))?;
    let episodes = catalog::parse_tsv(&text).with_context(|| format!("in {}", tsv.display()))?;
    let root = Workspace::load()?.root;
    write_file(&root.join(CATALOG_PATH), &catalog::to_toml(&episodes)?)?;
    println!("wrote {CATALOG_PATH} ({} episodes)", episodes.len());
    Ok(())
}

/// `cargo xtask episodes`: renders `docs/episodes.md`, refusing if any declaration is wrong.
pub(crate) fn write() -> Result<()> {
    let (workspace, model) = load_model()?;
    let root = &workspace.root;
    let outcome = analyse(&model, &|file| {
        std::fs::read_to_string(root.join(file)).ok()
    });
    fail_on(&outcome.problems)?;
    write_file(&root.join(RENDER_PATH), &outcome.markdown)?;
    println!("wrote {RENDER_PATH}");
    Ok(())
}

/// `cargo xtask episodes --check`: reports every problem, the rendering's freshness included.
pub(crate) fn check() -> Result<()> {
    let (workspace, model) = load_model()?;
    let root = &workspace.root;
    fail_on(&check_all(&model, &|file| {
        std::fs::read_to_string(root.join(file)).ok()
    }))?;
    println!("{RENDER_PATH} and the crates' episode metadata are consistent");
    Ok(())
}

/// Prints each problem and fails if there is any.
fn fail_on(problems: &[String]) -> Result<()> {
    for problem in problems {
        eprintln!("error: {problem}");
    }
    match problems.len() {
        0 => Ok(()),
        n => bail!("{n} episode cross-reference problem(s)"),
    }
}

/// Reads the catalog and every member's `[package.metadata.episodes]`.
fn load_model() -> Result<(Workspace, Model)> {
    let workspace = Workspace::load()?;
    let catalog = catalog::load(&workspace.root.join(CATALOG_PATH))?;
    let mut crates = Vec::new();
    for package in &workspace.packages {
        if let Some(krate) = crate_episodes(&workspace, package)? {
            crates.push(krate);
        }
    }
    Ok((workspace, Model { catalog, crates }))
}

/// A member's declarations, if it has any.
fn crate_episodes(workspace: &Workspace, package: &Package) -> Result<Option<CrateEpisodes>> {
    let Some(table) = package.metadata.get("episodes") else {
        return Ok(None);
    };
    let manifest = workspace.relative(&package.manifest_path)?;
    let meta = serde_json::from_value(table.clone())
        .with_context(|| format!("{manifest}: invalid [package.metadata.episodes]"))?;
    let dir = manifest.rsplit_once('/').map_or("", |(dir, _)| dir);
    Ok(Some(CrateEpisodes {
        name: package.name.clone(),
        dir: dir.to_owned(),
        meta,
    }))
}

/// Writes `contents` to `path`, creating its folder.
fn write_file(path: &Path, contents: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const BREAKER_TOML: &str = r#"
        serves = ["E06", "E13"]

        [[samples]]
        episodes = ["E06", "E13"]
        title = "The three-state machine"
        path = "src/breaker.rs"
        item = "CircuitBreaker"

        [[samples]]
        episodes = ["E13"]
        title = "Configuration"
        path = "src/config.rs"
    "#;

    const CHAOS_TOML: &str = r#"
        serves = ["E02", "E06"]

        [[samples]]
        episodes = ["E02"]
        title = "Fault injection"
        path = "src/lib.rs"
        item = "Faulty::call"
    "#;

    fn episode(id: &str, title: &str) -> Episode {
        Episode {
            id: id.to_owned(),
            series: "Foundational".to_owned(),
            title: title.to_owned(),
            topics: vec![],
        }
    }

    fn krate(name: &str, dir: &str, meta: &str) -> CrateEpisodes {
        CrateEpisodes {
            name: name.to_owned(),
            dir: dir.to_owned(),
            meta: toml::from_str(meta).unwrap(),
        }
    }

    fn model(breaker: &str) -> Model {
        Model {
            catalog: vec![
                episode("E01", "Physics"),
                episode("E02", "Chaos Theory in Production"),
                episode("E06", "Resilience Patterns - The Iron Laws"),
                episode("E13", "Gold Tier"),
            ],
            crates: vec![
                krate("circuit-breaker", "patterns/circuit-breaker", breaker),
                krate("chaos", "chaos", CHAOS_TOML),
            ],
        }
    }

    fn files() -> HashMap<String, String> {
        [
            (
                "patterns/circuit-breaker/src/breaker.rs",
                "//! B\n\npub struct CircuitBreaker;\n",
            ),
            ("patterns/circuit-breaker/src/config.rs", "//! Config\n"),
            (
                "chaos/src/lib.rs",
                "struct Faulty;\nimpl Faulty {\n    pub fn call() {}\n}\n",
            ),
        ]
        .into_iter()
        .map(|(path, text)| (path.to_owned(), text.to_owned()))
        .collect()
    }

    /// Runs the full check with `files`, plus a fresh rendering unless `stale`.
    fn problems(model: &Model, mut files: HashMap<String, String>) -> Vec<String> {
        let markdown = analyse(model, &|path| files.get(path).cloned()).markdown;
        files.entry(RENDER_PATH.to_owned()).or_insert(markdown);
        check_all(model, &|path| files.get(path).cloned())
    }

    #[test]
    fn consistent_declarations_pass() {
        assert_eq!(
            problems(&model(BREAKER_TOML), files()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn missing_path_is_reported() {
        let mut files = files();
        files.remove("patterns/circuit-breaker/src/config.rs");
        assert_eq!(
            problems(&model(BREAKER_TOML), files),
            ["circuit-breaker: sample \"Configuration\": \
              patterns/circuit-breaker/src/config.rs does not exist"]
        );
    }

    #[test]
    fn missing_item_is_reported() {
        let breaker = BREAKER_TOML.replace("\"CircuitBreaker\"", "\"Breaker\"");
        assert_eq!(
            problems(&model(&breaker), files()),
            ["circuit-breaker: sample \"The three-state machine\": \
              `Breaker` is not defined in patterns/circuit-breaker/src/breaker.rs"]
        );
    }

    #[test]
    fn unknown_episode_ids_are_reported() {
        let breaker = BREAKER_TOML
            .replace(
                "serves = [\"E06\", \"E13\"]",
                "serves = [\"E06\", \"E13\", \"E99\"]",
            )
            .replace("episodes = [\"E13\"]", "episodes = [\"E13\", \"E99\"]");
        assert_eq!(
            problems(&model(&breaker), files()),
            [
                "circuit-breaker: serves episode E99, which is not in docs/episodes.toml",
                "circuit-breaker: sample \"Configuration\" cites episode E99, \
                 which is not in docs/episodes.toml",
            ]
        );
    }

    #[test]
    fn sample_episode_outside_serves_is_reported() {
        let breaker = BREAKER_TOML.replace("episodes = [\"E13\"]", "episodes = [\"E01\"]");
        assert_eq!(
            problems(&model(&breaker), files()),
            [
                "circuit-breaker: sample \"Configuration\" cites episode E01, \
              which is not in the crate's `serves`"
            ]
        );
    }

    #[test]
    fn sample_without_episodes_is_reported() {
        let breaker = BREAKER_TOML.replace("episodes = [\"E13\"]", "episodes = []");
        assert_eq!(
            problems(&model(&breaker), files()),
            ["circuit-breaker: sample \"Configuration\" lists no episodes"]
        );
    }

    #[test]
    fn stale_or_missing_rendering_is_reported() {
        let model = model(BREAKER_TOML);
        let mut files = files();
        files.insert(RENDER_PATH.to_owned(), "old\n".to_owned());
        let stale = ["docs/episodes.md is out of date: run `cargo xtask episodes`"];
        assert_eq!(check_all(&model, &|path| files.get(path).cloned()), stale);
        files.remove(RENDER_PATH);
        let missing = ["docs/episodes.md is missing: run `cargo xtask episodes`"];
        assert_eq!(check_all(&model, &|path| files.get(path).cloned()), missing);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let breaker = BREAKER_TOML
            .replace("\"CircuitBreaker\"", "\"Breaker\"")
            .replace("episodes = [\"E13\"]", "episodes = [\"E01\"]");
        let mut files = files();
        files.remove("chaos/src/lib.rs");
        files.insert(RENDER_PATH.to_owned(), String::new());
        let all = check_all(&model(&breaker), &|path| files.get(path).cloned());
        assert_eq!(all.len(), 4, "{all:#?}");
    }

    #[test]
    fn rendering_is_deterministic_and_links_to_lines() {
        let files = files();
        let read = |path: &str| files.get(path).cloned();
        let forward = analyse(&model(BREAKER_TOML), &read).markdown;
        let mut reversed = model(BREAKER_TOML);
        reversed.crates.reverse();
        assert_eq!(analyse(&reversed, &read).markdown, forward);

        assert!(forward.starts_with("<!-- Generated by `cargo xtask episodes`"));
        let expected_e06 = "### E06 — Resilience Patterns - The Iron Laws\n\n\
            - [circuit-breaker: The three-state machine]\
            (../patterns/circuit-breaker/src/breaker.rs#L3) — `CircuitBreaker`\n";
        assert!(forward.contains(expected_e06), "{forward}");
        assert!(forward.contains(
            "- [circuit-breaker: Configuration](../patterns/circuit-breaker/src/config.rs)\n"
        ));
        assert!(forward.contains("(../chaos/src/lib.rs#L3) — `Faulty::call`\n"));
        assert!(forward.contains(
            "| chaos | [E02](#e02--chaos-theory-in-production), \
             [E06](#e06--resilience-patterns---the-iron-laws) |\n"
        ));
        assert!(forward.ends_with("\nNot yet covered: E01\n"), "{forward}");
        let chaos_heading = forward.find("### E02").unwrap();
        assert!(
            chaos_heading < forward.find("### E06").unwrap(),
            "catalog order"
        );
    }
}
