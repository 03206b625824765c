//! Every example config loads and validates; bad configs are refused by name.

use std::path::Path;
use std::time::Duration;

use circuit_breaker::{Config, Error, SlidingWindow, ThrottleConfig, WaitInOpen};

#[test]
fn every_example_config_loads_and_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with("adaptive-throttle") {
            let config: ThrottleConfig =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            config.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        } else {
            let config: Config = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            config.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        loaded += 1;
    }
    assert_eq!(
        loaded, 4,
        "one test per file: update the count when adding an example"
    );
}

#[test]
fn the_default_file_is_resilience4j_s_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/default.toml");
    let config: Config = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(
        config,
        Config {
            seed: 24301,
            ..Config::default()
        }
    );
}

#[test]
fn durations_are_human_readable_and_off_disables() {
    let config: Config = toml::from_str(
        r#"
        slow_call_duration = "off"
        max_wait_in_half_open = "1m 30s"
        wait_in_open = { kind = "exponential", initial = "250ms", multiplier = 1.5, max = "1m" }
        "#,
    )
    .unwrap();
    assert_eq!(config.slow_call_duration, None);
    assert_eq!(config.max_wait_in_half_open, Some(Duration::from_secs(90)));
    assert_eq!(
        config.wait_in_open,
        WaitInOpen::Exponential {
            initial: Duration::from_millis(250),
            multiplier: 1.5,
            max: Duration::from_mins(1),
            randomization: 0.0,
        }
    );
}

#[test]
fn unknown_fields_and_bad_durations_are_rejected_with_their_name() {
    let unknown = toml::from_str::<Config>("failure_rate = 50.0").unwrap_err();
    assert!(unknown.to_string().contains("failure_rate"), "{unknown}");
    let bad = toml::from_str::<Config>("slow_call_duration = \"soon\"").unwrap_err();
    assert!(bad.to_string().contains("slow_call_duration"), "{bad}");
}

#[test]
fn validation_names_the_field_and_the_rule() {
    let cases: [(Config, &str); 8] = [
        (
            Config {
                failure_rate_threshold: 0.0,
                ..Config::default()
            },
            "failure_rate_threshold",
        ),
        (
            Config {
                slow_call_rate_threshold: 100.5,
                ..Config::default()
            },
            "slow_call_rate_threshold",
        ),
        (
            Config {
                minimum_calls: 0,
                ..Config::default()
            },
            "minimum_calls",
        ),
        (
            Config {
                permitted_calls_in_half_open: 0,
                ..Config::default()
            },
            "permitted_calls_in_half_open",
        ),
        (
            Config {
                sliding_window: SlidingWindow::Count { size: 0 },
                ..Config::default()
            },
            "sliding_window.size",
        ),
        (
            Config {
                wait_in_open: WaitInOpen::Exponential {
                    initial: Duration::from_secs(1),
                    multiplier: 0.5,
                    max: Duration::from_secs(2),
                    randomization: 0.0,
                },
                ..Config::default()
            },
            "wait_in_open.multiplier",
        ),
        (
            Config {
                event_capacity: 0,
                ..Config::default()
            },
            "event_capacity",
        ),
        (
            Config {
                state_after_max_wait_in_half_open: circuit_breaker::State::HalfOpen,
                ..Config::default()
            },
            "state_after_max_wait_in_half_open",
        ),
    ];
    for (config, field) in cases {
        let error = config.validate().unwrap_err();
        assert!(
            matches!(error, Error::InvalidConfig { field: f, .. } if f == field),
            "{error}"
        );
        assert!(error.to_string().contains(field));
    }
    let nan = Config {
        failure_rate_threshold: f32::NAN,
        ..Config::default()
    };
    assert!(nan.validate().is_err());
}

#[test]
fn throttle_validation_names_the_field() {
    for (config, field) in [
        (
            ThrottleConfig {
                k: 0.5,
                ..ThrottleConfig::default()
            },
            "k",
        ),
        (
            ThrottleConfig {
                buckets: 0,
                ..ThrottleConfig::default()
            },
            "buckets",
        ),
        (
            ThrottleConfig {
                window: Duration::from_micros(10),
                ..ThrottleConfig::default()
            },
            "window",
        ),
    ] {
        assert!(
            matches!(config.validate(), Err(Error::InvalidConfig { field: f, .. }) if f == field)
        );
    }
}
