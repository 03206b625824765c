//! Deterministic network simulation: hosts, simulated TCP, partitions and crashes, all on one
//! thread in simulated time, reproducible from a [`Seed`](crate::Seed). Feature `sim`.
//!
//! A [`Simulation`] wraps a [turmoil](https://docs.rs/turmoil) simulation (re-exported as
//! [`turmoil`], so dependents use the same version) and adds what tests of distributed
//! patterns keep needing:
//!
//! - seeding from a [`Seed`](crate::Seed), and a fixed wall-clock epoch, so a printed
//!   `CHAOS_SEED` replays the whole run;
//! - named hosts numbered as a nemesis numbers nodes, and a [`SimConfig`] that bounds every run
//!   in simulated time (and so in steps);
//! - partition, repair, hold, release, heal, crash and bounce, which compose where turmoil's
//!   link switches would overwrite each other;
//! - [`Simulation::apply`] and [`Simulation::run_schedule`], which play a nemesis
//!   [`Schedule`](crate::Schedule)'s faults against the hosts at their times.
//!
//! Code under test uses [`turmoil::net`]'s `TcpStream` and `TcpListener` (or `UdpSocket`) where
//! it would use tokio's, and `tokio::time` as usual.
//!
//! ```
//! use std::time::Duration;
//!
//! use chaos::Seed;
//! use chaos::sim::turmoil::net::{TcpListener, TcpStream};
//! use chaos::sim::{SimConfig, Simulation};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let mut sim = Simulation::new(&SimConfig::default(), Seed::new(7))?;
//! sim.host("server", || async {
//!     let listener = TcpListener::bind("0.0.0.0:80").await?;
//!     loop {
//!         let (mut stream, _) = listener.accept().await?;
//!         let byte = stream.read_u8().await?;
//!         stream.write_u8(byte + 1).await?;
//!     }
//! })?;
//! sim.client("client", async {
//!     // Up at first...
//!     let mut stream = TcpStream::connect("server:80").await?;
//!     stream.write_u8(1).await?;
//!     assert_eq!(stream.read_u8().await?, 2);
//!     // ...then cut off by the partition below, from 1 s to 2 s...
//!     tokio::time::sleep(Duration::from_millis(1_500)).await;
//!     assert!(TcpStream::connect("server:80").await.is_err());
//!     // ...then healed.
//!     tokio::time::sleep(Duration::from_secs(1)).await;
//!     assert!(TcpStream::connect("server:80").await.is_ok());
//!     Ok(())
//! })?;
//!
//! sim.run_until(Duration::from_secs(1))?;
//! sim.partition("client", "server")?;
//! sim.run_until(Duration::from_secs(2))?;
//! sim.heal();
//! sim.run()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod error;
mod links;
mod simulation;

pub use config::{STEPS_MAX, SimConfig};
pub use error::SimError;
pub use simulation::Simulation;
pub use turmoil;
