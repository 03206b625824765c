//! `lab chaos proxy`: TCP chaos proxies, driven over Toxiproxy's HTTP API until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chaos::{ApiServer, Proxies, Seed};

/// Run TCP chaos proxies, driven by a Toxiproxy-compatible HTTP API.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Toxiproxy's clients and its CLI work against the API (version 2):
  curl -X POST localhost:8474/proxies \\
    -d '{\"name\": \"redis\", \"listen\": \"127.0.0.1:26379\", \"upstream\": \"127.0.0.1:6379\"}'
  curl -X POST localhost:8474/proxies/redis/toxics \\
    -d '{\"type\": \"latency\", \"attributes\": {\"latency\": 1000}}'

Exit status: 0 after Ctrl-C, 1 on a failure while running, 2 on bad usage or input.")]
pub(crate) struct Args {
    /// Address of the HTTP API.
    #[arg(long, default_value = "127.0.0.1:8474")]
    api: String,
    /// Proxies to create at start: a JSON array in Toxiproxy's populate format,
    /// `[{"name": ..., "listen": ..., "upstream": ..., "enabled": ...}]`.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seed for toxicity draws, jitter and slice sizes [default: `CHAOS_SEED`, else random];
    /// printed, so a run can be replayed.
    #[arg(long)]
    seed: Option<Seed>,
}

/// Serves until Ctrl-C.
pub(crate) fn run(args: Args) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async {
        let running = match start(args).await {
            Ok(running) => running,
            Err(error) => {
                eprintln!("error: {error:#}");
                return ExitCode::from(2);
            }
        };
        running.print();
        let stopped = tokio::signal::ctrl_c().await;
        running.server.shutdown().await;
        match stopped {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: cannot wait for Ctrl-C: {error}");
                ExitCode::from(1)
            }
        }
    })
}

/// A proxy set and the API serving it.
#[derive(Debug)]
struct Running {
    seed: Seed,
    proxies: Proxies,
    server: ApiServer,
}

impl Running {
    fn print(&self) {
        let seed = self.seed;
        println!("seed {seed} (replay with --seed {seed} or CHAOS_SEED={seed})");
        for proxy in self.proxies.list() {
            let state = if proxy.is_enabled() {
                "enabled"
            } else {
                "disabled"
            };
            println!(
                "proxy {}: {} -> {} ({state})",
                proxy.name(),
                proxy.listen(),
                proxy.upstream()
            );
        }
        println!(
            "Toxiproxy-compatible API on http://{} (Ctrl-C to stop)",
            self.server.local_addr()
        );
    }
}

/// Creates the proxies of the config file and starts the API.
async fn start(args: Args) -> anyhow::Result<Running> {
    let seed = match args.seed {
        Some(seed) => seed,
        None => Seed::from_env_or_random()?,
    };
    let proxies = Proxies::new(seed)?;
    if let Some(path) = args.config {
        let json =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        proxies
            .populate_json(&json)
            .with_context(|| format!("cannot create the proxies of {}", path.display()))?;
    }
    let server = ApiServer::bind(args.api.as_str(), proxies.clone())
        .await
        .with_context(|| format!("cannot serve the API on {}", args.api))?;
    Ok(Running {
        seed,
        proxies,
        server,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use chaos::Seed;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::{Args, start};

    /// A file in the temporary directory, removed when dropped.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(name: &str, contents: &str) -> Self {
            let path = std::env::temp_dir().join(format!("{}-{name}", std::process::id()));
            std::fs::write(&path, contents).expect("a writable temporary directory");
            Self(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            // Best effort: a leftover file in the temporary directory harms nothing.
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn args(config: Option<&TempFile>) -> Args {
        Args {
            api: "127.0.0.1:0".to_owned(),
            config: config.map(|file| file.0.clone()),
            seed: Some(Seed::new(7)),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn serves_the_configured_proxies_over_the_api() {
        let config = TempFile::new(
            "lab-proxy-config.json",
            r#"[
                {"name": "redis", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:6379"},
                {"name": "db", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:5432",
                 "enabled": false}
            ]"#,
        );
        let running = start(args(Some(&config))).await.expect("a valid config");
        let api = running.server.local_addr();

        let mut client = TcpStream::connect(api).await.expect("the API listens");
        client
            .write_all(b"GET /proxies HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
            .await
            .expect("a request");
        let mut response = String::new();
        client
            .read_to_string(&mut response)
            .await
            .expect("a response");
        let (head, body) = response.split_once("\r\n\r\n").expect("a full response");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let proxies: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(proxies["redis"]["upstream"], "127.0.0.1:6379");
        assert_eq!(proxies["redis"]["enabled"], true);
        assert_eq!(proxies["db"]["enabled"], false);

        running.server.shutdown().await;
        assert!(TcpStream::connect(api).await.is_err(), "stopped");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_malformed_config_is_refused_naming_the_file() {
        let config = TempFile::new("lab-proxy-bad.json", r#"[{"name": "redis"}]"#);
        let error = start(args(Some(&config))).await.expect_err("no upstream");
        let message = format!("{error:#}");
        assert!(message.contains("lab-proxy-bad.json"), "{message}");
        assert!(
            message.contains("missing required field: upstream at proxy 1"),
            "{message}"
        );
    }
}
