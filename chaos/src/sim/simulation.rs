//! [`Simulation`]: a seeded turmoil simulation with named hosts, bounded runs, and network and
//! node faults, including a nemesis's.

use std::future::Future;
use std::time::{Duration, SystemTime};

use super::config::SimConfig;
use super::error::SimError;
use super::links::{Change, Links, Pair, pair};
use crate::{Fault, NodeId, Seed, TimedFault};

/// The fixed start of every simulation's wall clock, so that `SystemTime` inside one does not
/// depend on when the test ran: 2001-09-09T01:46:40Z, Unix time 1,000,000,000.
const EPOCH_SECS: u64 = 1_000_000_000;

/// A deterministic simulation of hosts on a network, in simulated time, built on turmoil.
///
/// Hosts run server software (restartable, so they can crash and come back); clients run the
/// test's own code, and the simulation is done when every client has finished. Both use
/// turmoil's simulated networking ([`turmoil::net`](super::turmoil::net)) and `tokio::time`,
/// which the simulation drives: a minute of simulated traffic takes a fraction of a second.
///
/// Everything random in it (link latencies) comes from the [`Seed`], and hosts run in the order
/// they were added, so the same seed and the same software give the same run.
///
/// Faults take effect between steps: [`partition`](Self::partition) and
/// [`repair`](Self::repair) a link, [`hold`](Self::hold) and [`release`](Self::release) its
/// messages, [`heal`](Self::heal) the whole network, [`crash`](Self::crash) and
/// [`bounce`](Self::bounce) a host, or [`apply`](Self::apply) a nemesis [`Fault`], where
/// [`NodeId`]`(i)` is the `i`-th host added. Faults compose: a link cut by a partition and
/// held by a pause stays cut until the partition heals, and held until the pause ends.
pub struct Simulation<'a> {
    sim: turmoil::Sim<'a>,
    config: SimConfig,
    /// Hosts in the order added: `NodeId(i)` is `hosts[i]`.
    hosts: Vec<String>,
    clients: Vec<String>,
    links: Links,
    /// Whether every client had finished at the last step.
    clients_finished: bool,
}

impl<'a> Simulation<'a> {
    /// An empty simulation following `config`, with every random choice drawn from `seed`.
    pub fn new(config: &SimConfig, seed: Seed) -> Result<Self, SimError> {
        config.validate()?;
        let epoch = SystemTime::UNIX_EPOCH + Duration::from_secs(EPOCH_SECS);
        let sim = turmoil::Builder::new()
            .simulation_duration(config.duration)
            .tick_duration(config.tick)
            .min_message_latency(config.latency_min)
            .max_message_latency(config.latency_max)
            .epoch(epoch)
            .rng_seed(seed.stream("chaos::sim").next_u64())
            .build();
        Ok(Self {
            sim,
            config: config.clone(),
            hosts: Vec::new(),
            clients: Vec::new(),
            links: Links::default(),
            clients_finished: true,
        })
    }

    /// Adds a host running `software`, and returns its node id (hosts are numbered in the order
    /// added). `software` is called again each time the host restarts.
    pub fn host<F, Fut>(&mut self, name: &str, software: F) -> Result<NodeId, SimError>
    where
        F: Fn() -> Fut + 'a,
        Fut: Future<Output = turmoil::Result> + 'static,
    {
        self.check_new_name(name)?;
        self.sim.host(name, software);
        self.hosts.push(name.to_owned());
        Ok(NodeId(self.hosts.len() - 1))
    }

    /// Adds a client running `client`: test code that talks to the hosts, and whose end ends
    /// the simulation once every client has ended.
    pub fn client<F>(&mut self, name: &str, client: F) -> Result<(), SimError>
    where
        F: Future<Output = turmoil::Result> + 'static,
    {
        self.check_new_name(name)?;
        self.sim.client(name, client);
        self.clients.push(name.to_owned());
        self.clients_finished = false;
        Ok(())
    }

    /// The name of host `node`.
    pub fn host_name(&self, node: NodeId) -> Result<&str, SimError> {
        self.hosts
            .get(node.0)
            .map(String::as_str)
            .ok_or(SimError::UnknownNode {
                node,
                nodes: self.hosts.len(),
            })
    }

    /// Simulated time since the start.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.sim.elapsed()
    }

    /// Runs until simulated time reaches `at` (whole ticks, so possibly a little past), whether
    /// or not the clients finish first; returns whether every client has finished.
    pub fn run_until(&mut self, at: Duration) -> Result<bool, SimError> {
        if at > self.config.duration {
            return Err(SimError::PastBound {
                at,
                duration: self.config.duration,
            });
        }
        while self.sim.elapsed() < at {
            self.step()?;
        }
        Ok(self.clients_finished)
    }

    /// Runs until every client has finished; with no client, returns at once.
    pub fn run(&mut self) -> Result<(), SimError> {
        while !self.clients_finished {
            if self.sim.elapsed() >= self.config.duration {
                return Err(SimError::DurationExceeded {
                    duration: self.config.duration,
                });
            }
            self.step()?;
        }
        Ok(())
    }

    /// Applies each fault at its time, counted from now, running the simulation in between;
    /// returns once the last fault is applied. Faults must come in time order, as a nemesis
    /// [`Schedule`](crate::Schedule) yields them.
    pub fn run_schedule(
        &mut self,
        faults: impl IntoIterator<Item = TimedFault>,
    ) -> Result<(), SimError> {
        let start = self.elapsed();
        for TimedFault { at, fault } in faults {
            self.run_until(start + at)?;
            self.apply(&fault)?;
        }
        Ok(())
    }

    /// Applies a nemesis fault: `Partition` cuts its links, `Heal` restores the network,
    /// `Kill` and `Restart` crash and bounce the host, `Pause` and `Resume` hold and release
    /// every link of the host.
    ///
    /// turmoil cannot freeze a host's tasks, so a paused host's timers still run: what the pause
    /// stops is its communication. Nothing it sends arrives and nothing sent to it is delivered
    /// until it resumes, when the held messages arrive at once, as after a process wakes from
    /// `SIGSTOP`.
    pub fn apply(&mut self, fault: &Fault) -> Result<(), SimError> {
        tracing::info!(elapsed = ?self.elapsed(), ?fault, "chaos: simulation fault");
        match fault {
            Fault::Partition(partition) => {
                for (a, b) in partition.cut_links() {
                    let link = pair(self.host_name(a)?, self.host_name(b)?);
                    self.links.cut(link.clone());
                    self.sync(&link);
                }
            }
            Fault::Heal => self.heal(),
            Fault::Kill(node) => {
                let host = self.host_name(*node)?.to_owned();
                self.crash(&host)?;
            }
            Fault::Restart(node) => {
                let host = self.host_name(*node)?.to_owned();
                self.bounce(&host)?;
            }
            Fault::Pause(node) => {
                let host = self.host_name(*node)?.to_owned();
                self.links.pause(&host);
                self.sync_host(&host);
            }
            Fault::Resume(node) => {
                let host = self.host_name(*node)?.to_owned();
                self.links.resume(&host);
                self.sync_host(&host);
            }
        }
        Ok(())
    }

    /// Cuts the link between `a` and `b`: messages either way are dropped, those in flight
    /// included, until [`repair`](Self::repair) or [`heal`](Self::heal). A connection attempt
    /// across it is refused; an open connection's data is lost.
    pub fn partition(&mut self, a: &str, b: &str) -> Result<(), SimError> {
        let link = self.link(a, b)?;
        self.links.cut(link.clone());
        self.sync(&link);
        Ok(())
    }

    /// Undoes [`partition`](Self::partition) on one link.
    pub fn repair(&mut self, a: &str, b: &str) -> Result<(), SimError> {
        let link = self.link(a, b)?;
        self.links.uncut(&link);
        self.sync(&link);
        Ok(())
    }

    /// Holds messages between `a` and `b`, those in flight included, until
    /// [`release`](Self::release) or [`heal`](Self::heal) delivers them.
    pub fn hold(&mut self, a: &str, b: &str) -> Result<(), SimError> {
        let link = self.link(a, b)?;
        self.links.hold(link.clone());
        self.sync(&link);
        Ok(())
    }

    /// Undoes [`hold`](Self::hold) on one link: the held messages arrive at once.
    pub fn release(&mut self, a: &str, b: &str) -> Result<(), SimError> {
        let link = self.link(a, b)?;
        self.links.unhold(&link);
        self.sync(&link);
        Ok(())
    }

    /// Repairs every partition and releases every hold. Paused hosts stay paused.
    pub fn heal(&mut self) {
        self.links.heal();
        for link in self.links.unhealthy() {
            self.sync(&link);
        }
    }

    /// Stops host `name`'s software abruptly: its tasks and sockets are dropped, and it is down
    /// until [`bounce`](Self::bounce)d.
    pub fn crash(&mut self, name: &str) -> Result<(), SimError> {
        self.check_host(name)?;
        self.sim.crash(name);
        Ok(())
    }

    /// Restarts host `name`'s software from scratch, whether it was running or crashed.
    pub fn bounce(&mut self, name: &str) -> Result<(), SimError> {
        self.check_host(name)?;
        self.sim.bounce(name);
        Ok(())
    }

    /// Whether host `name`'s software is running: not crashed, and not finished.
    pub fn is_running(&mut self, name: &str) -> Result<bool, SimError> {
        self.check_host(name)?;
        Ok(self.sim.is_host_running(name))
    }

    /// The turmoil simulation underneath, for what this type does not cover. Changing links
    /// through it bypasses the bookkeeping that lets faults compose.
    pub fn turmoil(&mut self) -> &mut turmoil::Sim<'a> {
        &mut self.sim
    }

    fn step(&mut self) -> Result<(), SimError> {
        self.clients_finished = self.sim.step().map_err(|error| SimError::Software {
            message: error.to_string(),
        })?;
        Ok(())
    }

    /// Brings turmoil's link to the state the faults in effect want.
    fn sync(&mut self, link: &Pair) {
        let Some(change) = self.links.sync(link) else {
            return;
        };
        let (a, b) = (link.0.as_str(), link.1.as_str());
        match change {
            Change::Partition => self.sim.partition(a, b),
            Change::Hold => self.sim.hold(a, b),
            Change::RepairThenHold => {
                self.sim.repair(a, b);
                self.sim.hold(a, b);
            }
            Change::Repair => self.sim.repair(a, b),
            Change::Release => self.sim.release(a, b),
        }
    }

    /// Syncs every link of `host`.
    fn sync_host(&mut self, host: &str) {
        let others: Vec<Pair> = self
            .hosts
            .iter()
            .chain(&self.clients)
            .filter(|other| *other != host)
            .map(|other| pair(host, other))
            .collect();
        for link in others {
            self.sync(&link);
        }
    }

    fn link(&self, a: &str, b: &str) -> Result<Pair, SimError> {
        self.check_known(a)?;
        self.check_known(b)?;
        Ok(pair(a, b))
    }

    fn check_new_name(&self, name: &str) -> Result<(), SimError> {
        if name.is_empty() || self.is_known(name) {
            return Err(SimError::BadHostName {
                name: name.to_owned(),
            });
        }
        Ok(())
    }

    fn check_known(&self, name: &str) -> Result<(), SimError> {
        if self.is_known(name) {
            Ok(())
        } else {
            Err(SimError::UnknownHost {
                name: name.to_owned(),
            })
        }
    }

    fn check_host(&self, name: &str) -> Result<(), SimError> {
        self.check_known(name)?;
        if self.clients.iter().any(|client| client == name) {
            return Err(SimError::NotAHost {
                name: name.to_owned(),
            });
        }
        Ok(())
    }

    fn is_known(&self, name: &str) -> bool {
        self.hosts
            .iter()
            .chain(&self.clients)
            .any(|known| known == name)
    }
}
