//! A service protected by a circuit breaker, against a dependency that fails and recovers.
//!
//! ```text
//! cargo run -p circuit-breaker --example protected_service [-- SEED]
//! ```
//!
//! A "checkout" handler calls an "inventory" dependency through a breaker. Inventory is
//! healthy for 40 calls, fails every call for 2 seconds, then recovers. The timeline shows
//! the breaker opening, shedding calls (each answered at once by a fallback), probing, and
//! closing again. It runs in real time and takes about 4 seconds.

use std::sync::Arc;
use std::time::Duration;

use chaos::{FaultLayer, FaultPlan, FaultSpec, Seed, Until};
use circuit_breaker::{
    CallNotPermitted, CircuitBreaker, CircuitBreakerLayer, Config, EventKind, SlidingWindow,
    WaitInOpen,
};
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let seed = std::env::args().nth(1).map_or(Ok(42), |arg| arg.parse())?;
    println!("seed {seed} (pass it as the first argument to replay this run)");

    let config = Config {
        minimum_calls: 10,
        sliding_window: SlidingWindow::Count { size: 10 },
        permitted_calls_in_half_open: 3,
        wait_in_open: WaitInOpen::Fixed {
            duration: Duration::from_millis(500),
        },
        ..Config::default()
    };
    let breaker = Arc::new(CircuitBreaker::new("inventory", config)?);
    let mut events = breaker.subscribe();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            if let EventKind::StateTransition { from, to } = event.kind {
                println!("  -- breaker {}: {from} -> {to}", event.breaker);
            }
        }
    });

    let plan = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Calls(40))
        .phase(FaultSpec::failing(), Until::Elapsed(Duration::from_secs(2)))
        .forever(FaultSpec::healthy())?;
    let mut inventory = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Arc::clone(&breaker)))
        .layer(FaultLayer::new(plan, Seed::new(seed).stream("inventory")))
        .service_fn(|sku: u32| async move { Ok::<_, BoxError>(sku % 7) });

    for order in 0..200u32 {
        let line = match inventory.ready().await?.call(order).await {
            Ok(stock) => format!("in stock: {stock}"),
            Err(error) if error.is::<CallNotPermitted>() => {
                "shed; fallback: 'try again shortly'".into()
            }
            Err(error) => format!("inventory failed: {error}"),
        };
        if order % 5 == 0 {
            println!("order {order:>3} [{}] {line}", breaker.state());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let metrics = breaker.metrics();
    println!(
        "done: state {}, {} calls refused in all",
        metrics.state, metrics.not_permitted_calls
    );
    Ok(())
}
