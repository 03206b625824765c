//! The episode catalog: `docs/episodes.toml`, imported once from a TSV and edited by hand since.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use serde::{Deserialize, Serialize};

/// Where the catalog lives, relative to the workspace root.
pub(crate) const CATALOG_PATH: &str = "docs/episodes.toml";

/// The header line the TSV import expects.
const TSV_HEADER: &str = "id\tseries\ttitle\ttopics";

/// Comment written above the imported catalog.
const TOML_BANNER: &str = "\
# The episode catalog: every episode id a crate may cite in `[package.metadata.episodes]`.
# This file is the source of truth; edit it by hand.
";

/// One podcast episode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Episode {
    /// Stable identifier such as `E06` or `E19-netflix`.
    pub(crate) id: String,
    /// The series the episode belongs to.
    pub(crate) series: String,
    /// The episode's title.
    pub(crate) title: String,
    /// Topics the episode covers.
    pub(crate) topics: Vec<String>,
}

/// The on-disk shape of the catalog: an array of `[[episode]]` tables.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(rename = "episode")]
    episodes: Vec<Episode>,
}

/// Parses the TSV export: a header line, then one episode per line with comma-separated topics.
pub(crate) fn parse_tsv(text: &str) -> Result<Vec<Episode>> {
    let mut lines = text.lines().map(|line| line.trim_end_matches('\r'));
    let header = lines.next().unwrap_or_default();
    ensure!(
        header == TSV_HEADER,
        "line 1: expected the header {TSV_HEADER:?}, found {header:?}"
    );
    let episodes = lines
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| parse_tsv_line(line).with_context(|| format!("line {}", index + 2)))
        .collect::<Result<Vec<_>>>()?;
    validate(&episodes)?;
    Ok(episodes)
}

/// Parses one data line of the TSV.
fn parse_tsv_line(line: &str) -> Result<Episode> {
    let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
    let [id, series, title, topics] = fields[..] else {
        bail!(
            "expected 4 tab-separated fields (id, series, title, topics), found {}",
            fields.len()
        );
    };
    for (name, value) in [("id", id), ("series", series), ("title", title)] {
        ensure!(!value.is_empty(), "the {name} field is empty");
    }
    Ok(Episode {
        id: id.to_owned(),
        series: series.to_owned(),
        title: title.to_owned(),
        topics: topics
            .split(',')
            .map(str::trim)
            .filter(|topic| !topic.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// Checks that ids are well formed (letters, digits and `-`) and unique.
fn validate(episodes: &[Episode]) -> Result<()> {
    let mut seen = HashSet::new();
    for episode in episodes {
        let id = &episode.id;
        ensure!(
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "episode id {id:?} may only contain ASCII letters, digits and '-'"
        );
        ensure!(seen.insert(id.as_str()), "episode id {id} appears twice");
    }
    Ok(())
}

/// Serialises the catalog as TOML, with a comment banner.
pub(crate) fn to_toml(episodes: &[Episode]) -> Result<String> {
    let file = CatalogFile {
        episodes: episodes.to_vec(),
    };
    Ok(format!("{TOML_BANNER}\n{}", toml::to_string(&file)?))
}

/// Parses and validates the catalog's TOML text.
pub(crate) fn from_toml(text: &str) -> Result<Vec<Episode>> {
    let file: CatalogFile = toml::from_str(text)?;
    validate(&file.episodes)?;
    Ok(file.episodes)
}

/// Reads the catalog from `path`.
pub(crate) fn load(path: &Path) -> Result<Vec<Episode>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    from_toml(&text).with_context(|| format!("parsing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir::TestDir;

    const TSV: &str = "id\tseries\ttitle\ttopics\n\
        E01\tFoundational\tThe Physics Tax\tlatency, speed of light, RTT >= 2d/c\n\
        E19-netflix\tDeep Dives\tNetflix \"Streaming\" Empire\tchaos engineering\n\
        E03\tFoundational\tThe Human Factor\t\n";

    #[test]
    fn tsv_round_trips_through_the_toml_catalog() {
        let episodes = parse_tsv(TSV).unwrap();
        assert_eq!(episodes.len(), 3);
        assert_eq!(
            episodes[0].topics,
            ["latency", "speed of light", "RTT >= 2d/c"]
        );
        assert_eq!(episodes[1].id, "E19-netflix");
        assert!(episodes[2].topics.is_empty());

        let dir = TestDir::new("catalog");
        let path = dir.path().join("episodes.toml");
        std::fs::write(&path, to_toml(&episodes).unwrap()).unwrap();
        assert_eq!(load(&path).unwrap(), episodes);
    }

    #[test]
    fn toml_uses_an_array_of_episode_tables() {
        let text = to_toml(&parse_tsv(TSV).unwrap()).unwrap();
        assert!(text.contains("[[episode]]\nid = \"E01\"\nseries = \"Foundational\"\n"));
    }

    #[test]
    fn malformed_line_is_reported_with_its_number() {
        let tsv = "id\tseries\ttitle\ttopics\nE01\tA\tB\tc\nE02\tmissing fields\n";
        let error = format!("{:#}", parse_tsv(tsv).unwrap_err());
        assert!(
            error.starts_with("line 3: expected 4 tab-separated fields"),
            "{error}"
        );
    }

    #[test]
    fn wrong_header_and_duplicate_ids_are_rejected() {
        let error = parse_tsv("id,series\n").unwrap_err().to_string();
        assert!(error.starts_with("line 1: expected the header"), "{error}");
        let tsv = "id\tseries\ttitle\ttopics\nE01\tA\tB\t\nE01\tA\tC\t\n";
        assert_eq!(
            parse_tsv(tsv).unwrap_err().to_string(),
            "episode id E01 appears twice"
        );
    }
}
