//! The state each link should be in, kept apart from turmoil's so that overlapping faults
//! compose: a link cut by a partition stays cut when a pause on one of its ends is lifted.

use std::collections::{BTreeMap, BTreeSet};

/// What a link between two hosts does with messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LinkState {
    /// Messages arrive after the link's latency.
    Healthy,
    /// Messages are queued until the link is released, then arrive at once.
    Held,
    /// Messages are dropped.
    Cut,
}

/// A link, as its two host names in order.
pub(super) type Pair = (String, String);

pub(super) fn pair(a: &str, b: &str) -> Pair {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// The faults in effect on the network, and what turmoil was last told about each link.
#[derive(Debug, Default)]
pub(super) struct Links {
    cut: BTreeSet<Pair>,
    held: BTreeSet<Pair>,
    paused: BTreeSet<String>,
    /// Links turmoil has in a state other than healthy.
    applied: BTreeMap<Pair, LinkState>,
}

/// A change to make in turmoil to bring a link to its wanted state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Partition,
    Hold,
    /// Repair a cut link, then hold it.
    RepairThenHold,
    /// Repair a cut link.
    Repair,
    /// Deliver held messages and make the link healthy.
    Release,
}

impl Links {
    pub(super) fn cut(&mut self, link: Pair) {
        self.cut.insert(link);
    }

    pub(super) fn uncut(&mut self, link: &Pair) {
        self.cut.remove(link);
    }

    pub(super) fn hold(&mut self, link: Pair) {
        self.held.insert(link);
    }

    pub(super) fn unhold(&mut self, link: &Pair) {
        self.held.remove(link);
    }

    pub(super) fn pause(&mut self, host: &str) {
        self.paused.insert(host.to_owned());
    }

    pub(super) fn resume(&mut self, host: &str) {
        self.paused.remove(host);
    }

    /// Forgets every cut and hold; pauses stay, as they belong to hosts, not to the network.
    pub(super) fn heal(&mut self) {
        self.cut.clear();
        self.held.clear();
    }

    /// The links turmoil has in a state other than healthy.
    pub(super) fn unhealthy(&self) -> Vec<Pair> {
        self.applied.keys().cloned().collect()
    }

    /// The change that brings `link` to the state the faults in effect want, if any, and
    /// records it as made.
    pub(super) fn sync(&mut self, link: &Pair) -> Option<Change> {
        let wanted = self.wanted(link);
        let current = self
            .applied
            .get(link)
            .copied()
            .unwrap_or(LinkState::Healthy);
        let change = match (current, wanted) {
            (LinkState::Healthy | LinkState::Held, LinkState::Cut) => Change::Partition,
            (LinkState::Healthy, LinkState::Held) => Change::Hold,
            (LinkState::Cut, LinkState::Held) => Change::RepairThenHold,
            (LinkState::Cut, LinkState::Healthy) => Change::Repair,
            (LinkState::Held, LinkState::Healthy) => Change::Release,
            (LinkState::Healthy, LinkState::Healthy)
            | (LinkState::Held, LinkState::Held)
            | (LinkState::Cut, LinkState::Cut) => return None,
        };
        if wanted == LinkState::Healthy {
            self.applied.remove(link);
        } else {
            self.applied.insert(link.clone(), wanted);
        }
        Some(change)
    }

    /// A cut drops messages, so it wins over a hold: holding them would deliver them later.
    fn wanted(&self, link: &Pair) -> LinkState {
        if self.cut.contains(link) {
            LinkState::Cut
        } else if self.held.contains(link)
            || self.paused.contains(&link.0)
            || self.paused.contains(&link.1)
        {
            LinkState::Held
        } else {
            LinkState::Healthy
        }
    }
}
