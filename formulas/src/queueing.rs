//! Queueing: Little's law, the M/M/1 and M/M/c queues (Erlang B and C), and the arithmetic of
//! fan-out.
//!
//! Rates are per second and times in seconds throughout, but any consistent unit works: the
//! formulas only ever multiply a rate by a time.

use crate::Error;
use crate::error::check;

/// The most servers an M/M/c computation or a staffing search considers. Erlang B is computed
/// by a recursion over the servers, so this bounds the work too.
pub const SERVERS_MAX: u32 = 1_000_000;

/// The three quantities of Little's law, `L = lambda * W`, after solving for the missing one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Little {
    /// `L`: the mean number of items in the system.
    pub in_system: f64,
    /// `lambda`: the mean arrival rate (equal to the throughput in a stable system).
    pub arrival_rate: f64,
    /// `W`: the mean time an item spends in the system.
    pub time_in_system: f64,
}

/// Solves Little's law, `L = lambda * W`, for whichever of the three is `None`.
///
/// Little's law holds for any stable system, whatever the arrival and service distributions
/// and the scheduling discipline: it is what makes it the first tool for checking a capacity
/// claim. Exactly two of the three must be given.
///
/// ```
/// // Wikipedia's example: ten jobs in the system at 50 per second take 0.2 s each.
/// let little = formulas::littles_law(Some(10.0), Some(50.0), None)?;
/// assert!((little.time_in_system - 0.2).abs() < 1e-12);
/// # Ok::<(), formulas::Error>(())
/// ```
pub fn littles_law(
    in_system: Option<f64>,
    arrival_rate: Option<f64>,
    time_in_system: Option<f64>,
) -> Result<Little, Error> {
    let given = |name, value: Option<f64>| value.map(|v| check::non_negative(name, v)).transpose();
    let in_system = given("in_system", in_system)?;
    let arrival_rate = given("arrival_rate", arrival_rate)?;
    let time_in_system = given("time_in_system", time_in_system)?;
    let little = match (in_system, arrival_rate, time_in_system) {
        (None, Some(arrival_rate), Some(time_in_system)) => Little {
            in_system: arrival_rate * time_in_system,
            arrival_rate,
            time_in_system,
        },
        (Some(in_system), None, Some(time_in_system)) => Little {
            in_system,
            arrival_rate: check::positive("time_in_system", time_in_system)
                .map(|w| in_system / w)?,
            time_in_system,
        },
        (Some(in_system), Some(arrival_rate), None) => Little {
            in_system,
            arrival_rate,
            time_in_system: check::positive("arrival_rate", arrival_rate)
                .map(|lambda| in_system / lambda)?,
        },
        _ => {
            return Err(Error::Arguments(
                "give exactly two of `in_system`, `arrival_rate` and `time_in_system`",
            ));
        }
    };
    Ok(little)
}

/// The M/M/1 queue: Poisson arrivals at `arrival_rate`, one server, exponential service times
/// with mean `service_time`, first come first served.
///
/// Its response time `R = S / (1 - rho)` is the hockey stick every capacity plan must respect:
/// halving the idle capacity doubles the response time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mm1 {
    utilization: f64,
    service_time: f64,
}

impl Mm1 {
    /// A queue with the given arrival rate (per second) and mean service time (seconds).
    /// Refuses a utilization `rho = lambda * S` at or above 1.
    pub fn new(arrival_rate: f64, service_time: f64) -> Result<Self, Error> {
        check::non_negative("arrival_rate", arrival_rate)?;
        check::positive("service_time", service_time)?;
        let utilization = arrival_rate * service_time;
        if utilization >= 1.0 {
            return Err(Error::Unstable {
                name: "arrival_rate",
                utilization,
            });
        }
        Ok(Self {
            utilization,
            service_time,
        })
    }

    /// `rho = lambda * S`: the fraction of time the server is busy.
    #[must_use]
    pub fn utilization(&self) -> f64 {
        self.utilization
    }

    /// `L = rho / (1 - rho)`: mean number in the system, waiting or in service.
    #[must_use]
    pub fn in_system(&self) -> f64 {
        self.utilization / (1.0 - self.utilization)
    }

    /// `Lq = rho^2 / (1 - rho)`: mean number waiting, not counting the one in service.
    #[must_use]
    pub fn queue_length(&self) -> f64 {
        self.utilization * self.in_system()
    }

    /// `R = S / (1 - rho)`: mean response time, waiting plus service.
    #[must_use]
    pub fn response_time(&self) -> f64 {
        self.service_time / (1.0 - self.utilization)
    }

    /// `Wq = rho S / (1 - rho)`: mean time spent waiting before service starts.
    #[must_use]
    pub fn wait_time(&self) -> f64 {
        self.utilization * self.response_time()
    }

    /// The `percentile` (0.99 for p99) of the response time. In M/M/1 the response time is
    /// exponential with mean `R`, so its quantile is `-ln(1 - p) R`: the p99 is 4.6 times the
    /// mean, whatever the load.
    pub fn response_time_percentile(&self, percentile: f64) -> Result<f64, Error> {
        check::open_unit("percentile", percentile)?;
        Ok(-(-percentile).ln_1p() * self.response_time())
    }

    /// The `percentile` of the time spent waiting. A fraction `1 - rho` of arrivals do not
    /// wait at all, so low percentiles are zero; above that, `P(Wq > t) = rho e^(-t / R)`.
    pub fn wait_time_percentile(&self, percentile: f64) -> Result<f64, Error> {
        check::open_unit("percentile", percentile)?;
        Ok((self.response_time() * (self.utilization / (1.0 - percentile)).ln()).max(0.0))
    }
}

/// The Erlang B formula: the probability that an arrival finds all `servers` busy and is
/// turned away, when `traffic` Erlangs are offered to a loss system (no queue).
///
/// Computed by the recursion `B(0) = 1`, `B(k) = A B(k-1) / (k + A B(k-1))`, which never
/// forms the factorials of the textbook formula and so never overflows.
pub fn erlang_b(traffic: f64, servers: u32) -> Result<f64, Error> {
    check::non_negative("traffic", traffic)?;
    check_servers(servers)?;
    Ok(blocking(traffic, servers))
}

/// The Erlang C formula: the probability that an arrival has to wait, when `traffic` Erlangs
/// are offered to `servers` servers with an unbounded queue (the M/M/c queue).
pub fn erlang_c(traffic: f64, servers: u32) -> Result<f64, Error> {
    Ok(Mmc::new(servers, traffic)?.wait_probability())
}

/// `B(servers)` for valid arguments.
fn blocking(traffic: f64, servers: u32) -> f64 {
    (1..=servers).fold(1.0, |previous, k| next_blocking(previous, traffic, k))
}

/// `B(k)` from `B(k - 1)`.
fn next_blocking(previous: f64, traffic: f64, k: u32) -> f64 {
    let carried = traffic * previous;
    carried / (f64::from(k) + carried)
}

/// `C = c B / (c - A (1 - B))`: Erlang C from Erlang B for the same servers and traffic.
fn erlang_c_from_b(blocking: f64, traffic: f64, servers: u32) -> f64 {
    let c = f64::from(servers);
    c * blocking / (c - traffic * (1.0 - blocking))
}

fn check_servers(servers: u32) -> Result<(), Error> {
    if servers == 0 || servers > SERVERS_MAX {
        return Err(Error::domain(
            "servers",
            format!("must be between 1 and {SERVERS_MAX}"),
            f64::from(servers),
        ));
    }
    Ok(())
}

/// The M/M/c queue: Poisson arrivals, `c` identical servers, exponential service times, one
/// shared unbounded queue. A call centre's agents, a thread pool's workers, a database's
/// connections.
///
/// It is described here by the offered traffic `A = lambda * S` in Erlangs (the mean number of
/// busy servers); quantities with a time in them take the mean service time `S`, so the same
/// queue can be read in seconds or in multiples of `S`.
///
/// ```
/// // 100 calls per 30 minutes, 3-minute calls, 14 agents (pyworkforce's README example):
/// let traffic = 100.0 / 1800.0 * 180.0; // 10 Erlangs
/// let queue = formulas::Mmc::new(14, traffic)?;
/// assert!((queue.wait_probability() - 0.1741).abs() < 0.0001);
/// assert!((queue.service_level(180.0, 20.0)? - 0.8884).abs() < 0.0001);
/// # Ok::<(), formulas::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mmc {
    servers: u32,
    traffic: f64,
    wait_probability: f64,
}

impl Mmc {
    /// `traffic` Erlangs offered to `servers` servers. Refuses traffic at or above the number
    /// of servers: the queue would grow without bound.
    pub fn new(servers: u32, traffic: f64) -> Result<Self, Error> {
        check_servers(servers)?;
        check::non_negative("traffic", traffic)?;
        let utilization = traffic / f64::from(servers);
        if utilization >= 1.0 {
            return Err(Error::Unstable {
                name: "servers",
                utilization,
            });
        }
        Ok(Self {
            servers,
            traffic,
            wait_probability: erlang_c_from_b(blocking(traffic, servers), traffic, servers),
        })
    }

    /// `servers` servers each busy a fraction `utilization` of the time.
    pub fn from_utilization(servers: u32, utilization: f64) -> Result<Self, Error> {
        check::non_negative("utilization", utilization)?;
        if utilization >= 1.0 {
            return Err(Error::Unstable {
                name: "utilization",
                utilization,
            });
        }
        check_servers(servers)?;
        Self::new(servers, utilization * f64::from(servers))
    }

    /// A queue with `arrival_rate` arrivals per second and a mean `service_time` in seconds.
    /// Errors name `arrival_rate` and `service_time`; an overload names `servers`.
    pub fn with_rates(servers: u32, arrival_rate: f64, service_time: f64) -> Result<Self, Error> {
        check::non_negative("arrival_rate", arrival_rate)?;
        check::positive("service_time", service_time)?;
        Self::new(servers, arrival_rate * service_time)
    }

    /// The number of servers.
    #[must_use]
    pub fn servers(&self) -> u32 {
        self.servers
    }

    /// `A = lambda * S`: the offered traffic in Erlangs, the mean number of busy servers.
    #[must_use]
    pub fn traffic(&self) -> f64 {
        self.traffic
    }

    /// `rho = A / c`: the fraction of time each server is busy (a call centre's occupancy).
    #[must_use]
    pub fn utilization(&self) -> f64 {
        self.traffic / f64::from(self.servers)
    }

    /// Erlang C: the probability that an arrival finds every server busy and waits.
    #[must_use]
    pub fn wait_probability(&self) -> f64 {
        self.wait_probability
    }

    /// `Lq = C rho / (1 - rho)`: mean number waiting.
    #[must_use]
    pub fn queue_length(&self) -> f64 {
        let rho = self.utilization();
        self.wait_probability * rho / (1.0 - rho)
    }

    /// `L = Lq + A`: mean number in the system, waiting or in service.
    #[must_use]
    pub fn in_system(&self) -> f64 {
        self.queue_length() + self.traffic
    }

    /// `Wq = C S / (c - A)`: mean wait before service, in the unit of `service_time`
    /// (a call centre's average speed of answer).
    pub fn wait_time(&self, service_time: f64) -> Result<f64, Error> {
        check::positive("service_time", service_time)?;
        Ok(self.wait_probability * service_time / self.headroom())
    }

    /// `R = Wq + S`: mean response time.
    pub fn response_time(&self, service_time: f64) -> Result<f64, Error> {
        Ok(self.wait_time(service_time)? + service_time)
    }

    /// The fraction of arrivals that wait no longer than `answer_time`:
    /// `1 - C e^(-(c - A) t / S)` (a call centre's service level).
    pub fn service_level(&self, service_time: f64, answer_time: f64) -> Result<f64, Error> {
        check::positive("service_time", service_time)?;
        check::non_negative("target_answer_time", answer_time)?;
        Ok(1.0 - self.wait_probability * (-self.headroom() * answer_time / service_time).exp())
    }

    /// The `percentile` of the waiting time: zero while `percentile <= 1 - C`, since that
    /// many arrivals find a free server; above, the inverse of the service level.
    pub fn wait_time_percentile(&self, service_time: f64, percentile: f64) -> Result<f64, Error> {
        check::positive("service_time", service_time)?;
        check::open_unit("percentile", percentile)?;
        let ratio = self.wait_probability / (1.0 - percentile);
        Ok((service_time / self.headroom() * ratio.ln()).max(0.0))
    }

    /// `c - A`: the idle servers on average, the rate at which the queue drains.
    fn headroom(&self) -> f64 {
        f64::from(self.servers) - self.traffic
    }
}

/// The fewest servers for which the fraction of arrivals answered within `answer_time` is at
/// least `target`, with `traffic` Erlangs of mean service time `service_time`. Searches up to
/// [`SERVERS_MAX`].
pub fn servers_for_service_level(
    traffic: f64,
    service_time: f64,
    answer_time: f64,
    target: f64,
) -> Result<u32, Error> {
    check::positive("service_time", service_time)?;
    check::non_negative("target_answer_time", answer_time)?;
    check::open_unit("target_service_level", target)?;
    first_stable_servers(traffic, |queue| {
        queue
            .service_level(service_time, answer_time)
            .is_ok_and(|level| level >= target)
    })
}

/// The fewest servers that keep the Erlang B blocking probability at or below `target`.
pub fn servers_for_blocking(traffic: f64, target: f64) -> Result<u32, Error> {
    check::non_negative("traffic", traffic)?;
    check::open_unit("target_blocking", target)?;
    let mut b = 1.0;
    for servers in 1..=SERVERS_MAX {
        b = next_blocking(b, traffic, servers);
        if b <= target {
            return Ok(servers);
        }
    }
    Err(Error::Unreachable {
        what: "no number of servers meets the target blocking",
        bound: u64::from(SERVERS_MAX),
    })
}

/// Walks server counts upwards from the first stable one until `good` holds.
fn first_stable_servers(traffic: f64, good: impl Fn(&Mmc) -> bool) -> Result<u32, Error> {
    check::non_negative("traffic", traffic)?;
    let mut b = 1.0;
    for servers in 1..=SERVERS_MAX {
        b = next_blocking(b, traffic, servers);
        if traffic >= f64::from(servers) {
            continue;
        }
        let queue = Mmc {
            servers,
            traffic,
            wait_probability: erlang_c_from_b(b, traffic, servers),
        };
        if good(&queue) {
            return Ok(servers);
        }
    }
    Err(Error::Unreachable {
        what: "no number of servers meets the target service level",
        bound: u64::from(SERVERS_MAX),
    })
}

/// The probability that a request fanned out to `fan_out` servers meets at least one slow
/// one, when each is slow independently with `probability`: `1 - (1 - p)^N`.
///
/// ```
/// // Dean and Barroso, "The Tail at Scale" (CACM 2013): 1% slow, 100 servers: 63%.
/// let p = formulas::fan_out_probability(0.01, 100)?;
/// assert_eq!((p * 100.0).round(), 63.0);
/// # Ok::<(), formulas::Error>(())
/// ```
pub fn fan_out_probability(probability: f64, fan_out: u32) -> Result<f64, Error> {
    check::probability("probability", probability)?;
    check_fan_out(fan_out)?;
    // -expm1(N ln(1 - p)) keeps its digits when p is tiny; 1 - (1 - p)^N does not.
    Ok(-(f64::from(fan_out) * (-probability).ln_1p()).exp_m1())
}

/// The percentile each leaf must meet so that a request waiting for all `fan_out` leaves
/// meets `request_percentile`: `q^(1/N)`. A p99 over 100 leaves needs each leaf's p99.99.
pub fn fan_out_leaf_percentile(request_percentile: f64, fan_out: u32) -> Result<f64, Error> {
    check::open_unit("percentile", request_percentile)?;
    check_fan_out(fan_out)?;
    Ok((request_percentile.ln() / f64::from(fan_out)).exp())
}

/// Where a leaf's `leaf_percentile` latency falls in the distribution of a request that
/// waits for all `fan_out` leaves: `q^N`. A leaf's p99 is a 100-way request's p37.
pub fn fan_out_request_percentile(leaf_percentile: f64, fan_out: u32) -> Result<f64, Error> {
    check::open_unit("percentile", leaf_percentile)?;
    check_fan_out(fan_out)?;
    Ok((leaf_percentile.ln() * f64::from(fan_out)).exp())
}

fn check_fan_out(fan_out: u32) -> Result<(), Error> {
    if fan_out == 0 {
        return Err(Error::domain("fan_out", "must be at least 1", 0.0));
    }
    Ok(())
}
