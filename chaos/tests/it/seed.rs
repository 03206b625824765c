//! `Seed`: parsing `CHAOS_SEED` values, printing them back, per-site streams; `TestSeed`:
//! replay commands and sweeps.

use std::panic::{self, AssertUnwindSafe};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chaos::{SWEEP_CASES_MAX, Seed, SeedError, SweepError, TestSeed};
use proptest::prelude::*;

#[test]
fn decimal_and_hex_values_parse() {
    let cases = [
        ("0", 0),
        ("42", 42),
        ("0x2a", 42),
        ("0X2A", 42),
        ("18446744073709551615", u64::MAX),
        ("0xffffffffffffffff", u64::MAX),
    ];
    for (text, value) in cases {
        assert_eq!(text.parse::<Seed>(), Ok(Seed::new(value)), "{text:?}");
    }
}

#[test]
fn a_bad_value_is_an_error_that_quotes_it_and_names_the_variable() {
    for text in [
        "",
        "0x",
        "-1",
        "abc",
        "0xfg",
        " 42",
        "18446744073709551616",
        "1e6",
    ] {
        let err = text.parse::<Seed>().expect_err(text);
        assert!(
            matches!(&err, SeedError::Invalid { value, .. } if value == text),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains(&format!("{text:?}")), "{message}");
        assert!(message.contains(Seed::ENV_VAR), "{message}");
    }
}

#[test]
fn from_env_or_random_honours_the_variable_when_set() {
    // The environment is only read here: writing it is unsafe in edition 2024, and the
    // unset, set and malformed cases are covered without it by the crate's unit tests.
    let from_env = Seed::from_env_or_random();
    match std::env::var(Seed::ENV_VAR) {
        Ok(text) => assert_eq!(from_env, text.parse()),
        Err(_) => assert!(from_env.is_ok()),
    }
}

#[test]
fn a_site_stream_depends_only_on_the_seed_and_the_name() {
    // Computed by a separate implementation of the published derivation: FNV-1a of the name,
    // XORed into the seed, expanded by `SplitMix64` into `xoshiro256**`. A change here would
    // stop recorded CHAOS_SEED values from replaying.
    let seed = Seed::new(42);
    let draw3 = |site: &str| {
        let mut rng = seed.stream(site);
        [rng.next_u64(), rng.next_u64(), rng.next_u64()]
    };
    assert_eq!(
        draw3("backend"),
        [
            17_448_960_756_167_680_305,
            964_451_026_774_859_168,
            4_743_212_371_311_729_935,
        ]
    );
    assert_eq!(
        draw3("cache"),
        [
            7_898_743_356_744_224_482,
            12_570_336_644_489_585_679,
            2_476_647_089_082_654_977,
        ]
    );
}

#[test]
fn adding_a_site_leaves_other_sites_streams_unchanged() {
    let seed = Seed::new(7);
    let mut alone = seed.stream("backend");
    let expected: Vec<u64> = (0..100).map(|_| alone.next_u64()).collect();

    let mut backend = seed.stream("backend");
    let mut added = seed.stream("cache");
    let interleaved: Vec<u64> = (0..100)
        .map(|_| {
            added.next_u64();
            backend.next_u64()
        })
        .collect();
    assert_eq!(interleaved, expected);
}

#[test]
fn the_replay_command_names_the_package_the_target_and_the_test() {
    let seed = TestSeed::new(Seed::new(42), "chaos", "it");
    assert_eq!(
        seed.replay_command(),
        "CHAOS_SEED=0x000000000000002a cargo test -p chaos --test it -- \
         seed::the_replay_command_names_the_package_the_target_and_the_test --exact"
    );
    // A unit test's crate is the library, named as the package with `_` for `-`.
    let unit = TestSeed::new(Seed::new(1), "circuit-breaker", "circuit_breaker");
    assert!(
        unit.replay_command()
            .starts_with("CHAOS_SEED=0x0000000000000001 cargo test -p circuit-breaker --lib -- ")
    );
    // Outside the test harness's named threads there is no test to name.
    let unnamed =
        std::thread::spawn(|| TestSeed::new(Seed::new(1), "chaos", "it").replay_command())
            .join()
            .expect("no panic");
    assert_eq!(
        unnamed,
        "CHAOS_SEED=0x0000000000000001 cargo test -p chaos --test it"
    );
}

/// Set in a child run of this test binary to make one test fail on purpose.
const DEMO_FAILURE: &str = "CHAOS_DEMO_FAILURE";

#[test]
fn a_failure_prints_the_command_that_replays_it() {
    match std::env::var(DEMO_FAILURE).as_deref() {
        Ok("test") => {
            let _seed = chaos::test_seed!().expect("valid CHAOS_SEED");
            panic!("the failure this test demonstrates");
        }
        Ok("sweep") => {
            let seed = chaos::test_seed!().expect("valid CHAOS_SEED");
            let mut cases = 0;
            let _ = seed.sweep(10, |_| {
                cases += 1;
                assert!(cases < 4, "case 3 fails");
                Ok::<_, SweepError>(())
            });
        }
        _ => {
            let name = "seed::a_failure_prints_the_command_that_replays_it";
            let command = format!(
                "CHAOS_SEED=0x000000000000002a cargo test -p chaos --test it -- {name} --exact"
            );

            let failed = replay_failing_child("test", name);
            assert!(
                failed.contains("chaos: CHAOS_SEED=0x000000000000002a for "),
                "{failed}"
            );
            assert!(
                failed.contains(&format!("{name} failed; replay it with:\n    {command}")),
                "{failed}"
            );

            let swept = replay_failing_child("sweep", name);
            let case_3 = TestSeed::new(Seed::new(42), "chaos", "it");
            let mut case_seeds = Vec::new();
            case_3
                .sweep(4, |seed| {
                    case_seeds.push(seed);
                    Ok::<_, SweepError>(())
                })
                .expect("passes");
            let expected = format!(
                "chaos: sweep case 3 of 10 panicked with CHAOS_SEED={}; replay it with:\n    \
                 CHAOS_SEED={} cargo test -p chaos --test it -- {name} --exact",
                case_seeds[3], case_seeds[3]
            );
            assert!(swept.contains(&expected), "{swept}");
            assert!(
                !swept.contains("failed; replay it with"),
                "reported once: {swept}"
            );
        }
    }
}

/// Runs this one test in a child process, made to fail `how`; returns its stderr.
fn replay_failing_child(how: &str, name: &str) -> String {
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(DEMO_FAILURE, how)
        .env(Seed::ENV_VAR, "42")
        .output()
        .expect("the test binary runs");
    assert!(!output.status.success(), "the child fails on purpose");
    String::from_utf8(output.stderr).expect("UTF-8 output")
}

#[test]
fn a_sweep_runs_the_root_seed_first_then_seeds_derived_from_it() {
    let seeds = |root| {
        let mut seen = Vec::new();
        TestSeed::new(Seed::new(root), "chaos", "it")
            .sweep(50, |seed| {
                seen.push(seed);
                Ok::<_, SweepError>(())
            })
            .expect("every case passes");
        seen
    };
    let swept = seeds(7);
    assert_eq!(swept.len(), 50);
    assert_eq!(swept[0], Seed::new(7));
    assert_eq!(swept, seeds(7), "the same root replays the same sweep");
    let mut distinct = swept.clone();
    distinct.sort_unstable_by_key(|seed| seed.value());
    distinct.dedup();
    assert_eq!(distinct.len(), 50);
    assert_ne!(swept[1..], seeds(8)[1..], "another root, other cases");
}

#[test]
fn a_failing_case_names_its_seed_and_replaying_that_seed_fails_at_once() {
    let root = TestSeed::new(Seed::new(99), "chaos", "it");
    // Fails for about one seed in eight.
    let fails = |seed: Seed| {
        if seed.stream("dice").below(8) == 0 {
            Err(format!("bad luck with {seed}"))
        } else {
            Ok(())
        }
    };
    let err = root
        .sweep(1_000, fails)
        .expect_err("one in 8 of 1,000 cases fails");
    let SweepError::Failed {
        case,
        cases,
        seed,
        command,
        source,
    } = err
    else {
        panic!("{err:?}");
    };
    assert_eq!(cases, 1_000);
    assert!(case > 0, "the root seed passes");
    assert_eq!(source.to_string(), format!("bad luck with {seed}"));
    assert!(command.starts_with(&format!("CHAOS_SEED={seed} cargo test -p chaos --test it")));

    let replay = TestSeed::new(seed, "chaos", "it");
    let again = replay.sweep(1_000, fails).expect_err("the same case fails");
    assert!(matches!(again, SweepError::Failed { case: 0, seed: s, .. } if s == seed));
}

#[test]
fn a_panicking_case_panics_the_sweep_with_its_own_message() {
    let seed = TestSeed::new(Seed::new(3), "chaos", "it");
    let mut ran = 0;
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        seed.sweep(10, |_| {
            ran += 1;
            assert!(ran < 3, "the third case fails");
            Ok::<_, SweepError>(())
        })
    }));
    let payload = outcome.expect_err("the panic is resumed");
    let message = payload.downcast_ref::<&str>().expect("a literal message");
    assert_eq!(*message, "the third case fails");
    assert_eq!(ran, 3, "the sweep stopped at the failing case");
}

#[test]
fn a_sweep_takes_between_one_and_the_maximum_cases() {
    let seed = TestSeed::new(Seed::new(1), "chaos", "it");
    for cases in [0, SWEEP_CASES_MAX + 1] {
        let err = seed
            .sweep(cases, |_| Ok::<_, SweepError>(()))
            .expect_err("out of bounds");
        assert!(matches!(err, SweepError::InvalidCases { cases: c } if c == cases));
        assert!(err.to_string().contains(&SWEEP_CASES_MAX.to_string()));
    }
}

/// Counts its drops: proof that a task holding it was torn down.
struct DropCounter(Arc<AtomicU32>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn an_async_sweep_gives_each_case_a_fresh_paused_runtime() {
    let seed = TestSeed::new(Seed::new(5), "chaos", "it");
    let torn_down = Arc::new(AtomicU32::new(0));
    let mut swept = Vec::new();
    let wall = std::time::Instant::now();
    seed.sweep_async(20, |case| {
        let earlier_cases = swept.len() as u32;
        swept.push(case);
        let torn_down = Arc::clone(&torn_down);
        let guard = DropCounter(Arc::clone(&torn_down));
        async move {
            let found = torn_down.load(Ordering::SeqCst);
            if found != earlier_cases {
                return Err(format!(
                    "{found} of {earlier_cases} earlier tasks torn down"
                ));
            }
            // A task left running when the case ends: its runtime's end must drop it.
            tokio::spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
            let start = tokio::time::Instant::now();
            tokio::time::sleep(Duration::from_hours(1)).await;
            if start.elapsed() == Duration::from_hours(1) {
                Ok(())
            } else {
                Err("the paused clock did not advance exactly".to_owned())
            }
        }
    })
    .expect("every case passes");
    assert_eq!(
        torn_down.load(Ordering::SeqCst),
        20,
        "no task outlived its case"
    );
    assert!(
        wall.elapsed() < Duration::from_secs(10),
        "20 simulated hours took no real time"
    );

    let mut sync_seeds = Vec::new();
    seed.sweep(20, |case| {
        sync_seeds.push(case);
        Ok::<_, SweepError>(())
    })
    .expect("passes");
    assert_eq!(swept, sync_seeds, "the same seeds as a synchronous sweep");
}

proptest! {
    #[test]
    fn display_parses_back_to_the_same_seed(value: u64) {
        let printed = Seed::new(value).to_string();
        prop_assert_eq!(printed.len(), 18, "fixed width: 0x and 16 digits");
        prop_assert_eq!(printed.parse::<Seed>(), Ok(Seed::new(value)));
    }

    #[test]
    fn sites_draw_uncorrelated_streams(value: u64, a in "[a-z.]{1,12}", b in "[a-z.]{1,12}") {
        prop_assume!(a != b);
        let seed = Seed::new(value);
        let (mut first, mut second) = (seed.stream(&a), seed.stream(&b));
        // Independent streams agree on each bit with chance 1/2: agreements over 10_000 pairs
        // are Binomial(640_000, 0.5), mean 320_000, standard deviation 400; allow six.
        let agreeing: u32 = (0..10_000)
            .map(|_| (!(first.next_u64() ^ second.next_u64())).count_ones())
            .sum();
        prop_assert!(agreeing.abs_diff(320_000) <= 2_400, "{} agreeing bits", agreeing);
    }

    #[test]
    fn seeds_draw_uncorrelated_streams(value: u64, delta in 1_u64..) {
        // The same bound as between sites: nearby or related seeds must not share a stream.
        let (mut first, mut second) =
            (Seed::new(value).stream("site"), Seed::new(value ^ delta).stream("site"));
        let agreeing: u32 = (0..10_000)
            .map(|_| (!(first.next_u64() ^ second.next_u64())).count_ones())
            .sum();
        prop_assert!(agreeing.abs_diff(320_000) <= 2_400, "{} agreeing bits", agreeing);
    }
}
