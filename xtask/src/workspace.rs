//! The workspace as `cargo metadata` describes it: its root, target directory and members.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use serde::Deserialize;

/// What the commands need to know about the workspace.
#[derive(Debug, Deserialize)]
pub(crate) struct Workspace {
    /// The folder holding the workspace's `Cargo.toml`.
    #[serde(rename = "workspace_root")]
    pub(crate) root: PathBuf,
    /// Where build output, Criterion results included, is written.
    #[serde(rename = "target_directory")]
    pub(crate) target_dir: PathBuf,
    /// The workspace members.
    pub(crate) packages: Vec<Package>,
}

/// One workspace member.
#[derive(Debug, Deserialize)]
pub(crate) struct Package {
    /// The crate's name.
    pub(crate) name: String,
    /// Absolute path to the crate's `Cargo.toml`.
    pub(crate) manifest_path: PathBuf,
    /// The `[package.metadata]` table, `null` when absent.
    #[serde(default)]
    pub(crate) metadata: serde_json::Value,
}

impl Workspace {
    /// Runs `cargo metadata --no-deps` with the cargo that launched us.
    pub(crate) fn load() -> Result<Self> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(&cargo)
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .with_context(|| format!("running `{cargo} metadata`"))?;
        ensure!(
            output.status.success(),
            "`{cargo} metadata` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
        serde_json::from_slice(&output.stdout).context("parsing `cargo metadata` output")
    }

    /// `path` relative to the workspace root, with forward slashes.
    pub(crate) fn relative(&self, path: &Path) -> Result<String> {
        let relative = path.strip_prefix(&self.root).with_context(|| {
            format!(
                "{} is outside the workspace root {}",
                path.display(),
                self.root.display()
            )
        })?;
        Ok(to_slashes(relative))
    }
}

/// Joins a relative path's components with `/`, whatever the platform's separator.
pub(crate) fn to_slashes(path: &Path) -> String {
    path.components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
