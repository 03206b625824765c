//! Configuration: the example files load and build, and bad values name their field.

use hashing::{
    Algorithm, Anchor, Config, ConsistentHash, Error, Jump, Maglev, Membership, MultiProbe, NodeId,
    Rendezvous, Ring,
};

#[test]
fn every_example_config_loads_validates_and_builds() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/config");
    let mut loaded = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let config: Config = toml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        config
            .validate()
            .unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let mut placer = config.build().unwrap();
        placer.add(NodeId(1)).unwrap();
        assert_eq!(placer.get(b"key"), Some(NodeId(1)), "{path:?}");
        loaded += 1;
    }
    assert_eq!(loaded, 6);
}

#[test]
fn unknown_fields_are_rejected() {
    let error = toml::from_str::<Config>("nodes_max = 4\nvnodes = 3").unwrap_err();
    assert!(
        error.to_string().contains("unknown field `vnodes`"),
        "{error}"
    );
}

fn invalid(field: &'static str, rule: &'static str) -> Error {
    Error::InvalidConfig { field, rule }
}

#[test]
fn bad_values_name_the_field_and_the_rule() {
    let cases = [
        (
            0,
            Algorithm::Jump,
            invalid("nodes_max", "must be in 1..=65536"),
        ),
        (
            70_000,
            Algorithm::Anchor,
            invalid("nodes_max", "must be in 1..=65536"),
        ),
        (
            8,
            Algorithm::Ring { vnodes: 0 },
            invalid("algorithm.vnodes", "must be in 1..=4096"),
        ),
        (
            65_536,
            Algorithm::Ring { vnodes: 160 },
            invalid(
                "algorithm.vnodes",
                "times `nodes_max` must be at most 4194304 points",
            ),
        ),
        (
            8,
            Algorithm::MultiProbe { probes: 0 },
            invalid("algorithm.probes", "must be in 1..=64"),
        ),
        (
            8,
            Algorithm::MultiProbe { probes: 65 },
            invalid("algorithm.probes", "must be in 1..=64"),
        ),
        (
            1_000,
            Algorithm::Maglev {
                table_size: Some(65_536),
            },
            invalid("algorithm.table_size", "must be prime"),
        ),
        (
            1_000,
            Algorithm::Maglev {
                table_size: Some(997),
            },
            invalid("algorithm.table_size", "must be greater than `nodes_max`"),
        ),
        (
            8,
            Algorithm::Maglev {
                table_size: Some(16_777_259),
            },
            invalid("algorithm.table_size", "must be at most 16777216"),
        ),
    ];
    for (nodes_max, algorithm, want) in cases {
        let config = Config {
            nodes_max,
            algorithm,
        };
        assert_eq!(config.validate(), Err(want.clone()), "{config:?}");
        assert_eq!(config.build().unwrap_err(), want, "{config:?}");
    }
}

#[test]
fn the_default_is_a_ketama_ring_and_valid() {
    let config = Config::default();
    assert_eq!(config.algorithm, Algorithm::Ring { vnodes: 160 });
    config.validate().unwrap();
}

#[test]
fn maglev_defaults_to_a_prime_table_above_a_hundred_entries_per_node() {
    assert_eq!(Maglev::new(1_000).unwrap().table_size(), 100_003);
}

#[test]
fn node_changes_are_checked() {
    let mut ring = Ring::new(10, 2).unwrap();
    ring.add(NodeId(1)).unwrap();
    assert_eq!(ring.add(NodeId(1)), Err(Error::DuplicateNode(NodeId(1))));
    assert_eq!(
        ring.add_weighted(NodeId(2), 0),
        Err(Error::InvalidWeight {
            node: NodeId(2),
            weight: 0,
            max: 1_000
        })
    );
    ring.add(NodeId(2)).unwrap();
    assert_eq!(ring.add(NodeId(3)), Err(Error::TooManyNodes { max: 2 }));
    assert_eq!(ring.remove(NodeId(9)), Err(Error::UnknownNode(NodeId(9))));

    let mut multi = MultiProbe::new(21, 8).unwrap();
    assert_eq!(
        multi.add_weighted(NodeId(1), 2),
        Err(Error::WeightUnsupported {
            algorithm: "multi-probe"
        })
    );
    assert!(multi.is_empty());

    let mut jump = Jump::new(8).unwrap();
    jump.add(NodeId(5)).unwrap();
    jump.add(NodeId(6)).unwrap();
    assert_eq!(
        jump.remove(NodeId(5)),
        Err(Error::NotLastNode {
            algorithm: "jump",
            node: NodeId(5),
            last: NodeId(6)
        })
    );

    let mut anchor = Anchor::new(1).unwrap();
    anchor.add(NodeId(1)).unwrap();
    assert_eq!(anchor.add(NodeId(2)), Err(Error::TooManyNodes { max: 1 }));

    let mut hrw = Rendezvous::new(4).unwrap();
    assert_eq!(
        hrw.add_weighted(NodeId(1), 1_001),
        Err(Error::InvalidWeight {
            node: NodeId(1),
            weight: 1_001,
            max: 1_000
        })
    );
}

#[test]
fn a_ring_refuses_more_points_than_it_may_hold_and_stays_unchanged() {
    let mut ring = Ring::new(4_096, 1_024).unwrap();
    ring.add_weighted(NodeId(1), 1_000).unwrap();
    assert_eq!(
        ring.add_weighted(NodeId(2), 100),
        Err(Error::TooManyPoints {
            node: NodeId(2),
            max: hashing::RING_POINTS_MAX
        })
    );
    assert_eq!(ring.len(), 1);
    assert_eq!(ring.points(), 4_096_000);
}

#[test]
fn a_failed_batch_adds_nothing() {
    let mut maglev = Maglev::with_table_size(101, 4).unwrap();
    let error = maglev.add_all([(NodeId(1), 1), (NodeId(2), 1), (NodeId(1), 1)]);
    assert_eq!(error, Err(Error::DuplicateNode(NodeId(1))));
    assert!(maglev.is_empty());
    let mut placer = crate::empty(&Algorithm::Anchor);
    let error = placer.add_all([(NodeId(1), 1), (NodeId(1), 1)]);
    assert_eq!(error, Err(Error::DuplicateNode(NodeId(1))));
    assert!(placer.is_empty());
}
