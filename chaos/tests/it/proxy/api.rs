//! Toxiproxy's HTTP API, driven with the requests of Toxiproxy's README and `api_test.go`, and
//! checked against the status codes, JSON shapes and defaults they document.

use std::io::ErrorKind;
use std::net::SocketAddr;

use chaos::{ApiServer, Proxies};
use serde_json::{Value, json};
use tokio::net::TcpStream;

use super::support::{connect, echo_server, http, http_as, proxies, round_trip};

/// An API server on a free loopback port, over a fresh set of proxies.
async fn api() -> (ApiServer, Proxies) {
    let proxies = proxies();
    let server = ApiServer::bind("127.0.0.1:0", proxies.clone())
        .await
        .expect("a free port");
    (server, proxies)
}

fn listen_addr(proxy: &Value) -> SocketAddr {
    proxy["listen"]
        .as_str()
        .and_then(|listen| listen.parse().ok())
        .expect("a resolved listen address")
}

/// Toxiproxy's error shape: `{"error": "...", "status": N}`, the message starting as given.
#[track_caller]
fn assert_error(response: &(u16, Value), status: u16, message: &str) {
    assert_eq!(response.0, status, "{response:?}");
    assert_eq!(response.1["status"], status, "{response:?}");
    let error = response.1["error"].as_str().expect("an error message");
    assert!(
        error.starts_with(message),
        "{error:?} should start with {message:?}"
    );
}

async fn create(api: SocketAddr, name: &str, upstream: &str) -> Value {
    let body = json!({ "name": name, "listen": "127.0.0.1:0", "upstream": upstream });
    let (status, proxy) = http(api, "POST", "/proxies", Some(&body.to_string())).await;
    assert_eq!(status, 201, "{proxy}");
    proxy
}

#[tokio::test]
async fn version_reports_the_server_version() {
    let (server, _) = api().await;
    let (status, body) = http(server.local_addr(), "GET", "/version", None).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "version": chaos::API_VERSION }));
}

#[tokio::test]
async fn a_created_proxy_reports_its_bound_address_and_serves() {
    let (server, _) = api().await;
    let api = server.local_addr();
    let echo = echo_server().await.to_string();

    let created = create(api, "mysql_master", &echo).await;
    assert_eq!(created["name"], "mysql_master");
    assert_eq!(created["upstream"], echo.as_str());
    assert_eq!(created["enabled"], true, "enabled by default");
    assert_eq!(created["toxics"], json!([]));
    let listen = listen_addr(&created);
    assert_ne!(listen.port(), 0, "port 0 is reported as the port bound");

    let (status, shown) = http(api, "GET", "/proxies/mysql_master", None).await;
    assert_eq!((status, &shown), (200, &created));
    let (status, all) = http(api, "GET", "/proxies", None).await;
    assert_eq!(status, 200);
    assert_eq!(all, json!({ "mysql_master": created }), "a map by name");

    round_trip(&mut connect(listen).await, b"ping").await;
}

#[tokio::test]
async fn malformed_or_conflicting_proxies_get_4xx_json_errors() {
    let (server, _) = api().await;
    let api = server.local_addr();
    let post = |body: &'static str| http(api, "POST", "/proxies", Some(body));

    assert_error(
        &post(r#"{"name": "", "upstream": ""}"#).await,
        400,
        "missing required field: name",
    );
    assert_error(
        &post(r#"{"name": "test", "upstream": ""}"#).await,
        400,
        "missing required field: upstream",
    );
    assert_error(&post(r#"{"name": "#).await, 400, "bad request body");
    assert_error(
        &post(r#"["not", "a", "proxy"]"#).await,
        400,
        "bad request body",
    );
    assert_error(
        &post(r#"{"name": "x", "upstrem": "127.0.0.1:1"}"#).await,
        400,
        "bad request body: unknown field `upstrem`",
    );
    assert_error(
        &post(r#"{"name": "x", "listen": "local373", "upstream": "127.0.0.1:1"}"#).await,
        400,
        "invalid listen",
    );

    create(api, "mysql_master", "127.0.0.1:20001").await;
    assert_error(
        &post(r#"{"name": "mysql_master", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:1"}"#)
            .await,
        409,
        "proxy already exists",
    );
}

#[tokio::test]
async fn a_listen_address_in_use_is_a_500_as_in_toxiproxy() {
    let (server, _) = api().await;
    let api = server.local_addr();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let body = json!({
        "name": "test",
        "listen": taken.local_addr().expect("bound").to_string(),
        "upstream": "127.0.0.1:20001",
    });
    let response = http(api, "POST", "/proxies", Some(&body.to_string())).await;
    assert_error(&response, 500, "listen 127.0.0.1:");
}

#[tokio::test]
async fn a_proxy_is_disabled_and_enabled_by_update() {
    let (server, _) = api().await;
    let api = server.local_addr();
    let echo = echo_server().await.to_string();
    let body = json!({ "name": "db", "listen": "127.0.0.1:0", "upstream": echo, "enabled": false });
    let (status, created) = http(api, "POST", "/proxies", Some(&body.to_string())).await;
    assert_eq!(status, 201);
    assert_eq!(created["enabled"], false);
    assert_eq!(
        created["listen"], "127.0.0.1:0",
        "not resolved until it listens"
    );

    let (status, enabled) = http(api, "POST", "/proxies/db", Some(r#"{"enabled": true}"#)).await;
    assert_eq!((status, &enabled["enabled"]), (200, &json!(true)));
    let listen = listen_addr(&enabled);
    round_trip(&mut connect(listen).await, b"ping").await;

    // PATCH is Toxiproxy's newer spelling of the same update.
    let (status, disabled) = http(api, "PATCH", "/proxies/db", Some(r#"{"enabled": false}"#)).await;
    assert_eq!((status, &disabled["enabled"]), (200, &json!(false)));
    assert_eq!(listen_addr(&disabled), listen, "keeps the address it had");
    let refused = TcpStream::connect(listen).await.expect_err("down");
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);

    assert_error(
        &http(
            api,
            "POST",
            "/proxies/db",
            Some(r#"{"upstream": "nowhere"}"#),
        )
        .await,
        400,
        "invalid upstream",
    );
    assert_error(
        &http(
            api,
            "POST",
            "/proxies/missing",
            Some(r#"{"enabled": true}"#),
        )
        .await,
        404,
        "proxy not found",
    );
}

#[tokio::test]
async fn deleting_a_proxy_stops_it() {
    let (server, _) = api().await;
    let api = server.local_addr();
    let created = create(api, "mysql_master", "127.0.0.1:20001").await;

    let (status, body) = http(api, "DELETE", "/proxies/mysql_master", None).await;
    assert_eq!((status, body), (204, Value::Null));
    assert!(
        TcpStream::connect(listen_addr(&created)).await.is_err(),
        "not listening"
    );
    assert_error(
        &http(api, "GET", "/proxies/mysql_master", None).await,
        404,
        "proxy not found",
    );
    assert_error(
        &http(api, "DELETE", "/proxies/mysql_master", None).await,
        404,
        "proxy not found",
    );
    assert_eq!(http(api, "GET", "/proxies", None).await, (200, json!({})));
}

#[tokio::test]
async fn toxics_are_created_with_toxiproxys_defaults() {
    let (server, _) = api().await;
    let api = server.local_addr();
    create(api, "mysql_master", "127.0.0.1:20001").await;
    let toxics = "/proxies/mysql_master/toxics";

    // TestAddToxic: a named latency toxic; Toxiproxy answers 200, not 201.
    let body = json!({
        "name": "foobar", "type": "latency", "stream": "downstream",
        "attributes": { "latency": 100, "jitter": 10 },
    });
    let (status, toxic) = http(api, "POST", toxics, Some(&body.to_string())).await;
    assert_eq!(status, 200);
    assert_eq!(
        toxic,
        json!({
            "name": "foobar", "type": "latency", "stream": "downstream", "toxicity": 1.0,
            "attributes": { "latency": 100, "jitter": 10 },
        })
    );

    // Defaults: the name <type>_<stream>, the downstream, toxicity 1, attributes zero.
    let (status, toxic) = http(api, "POST", toxics, Some(r#"{"type": "latency"}"#)).await;
    assert_eq!(status, 200);
    assert_eq!(toxic["name"], "latency_downstream");
    assert_eq!(toxic["stream"], "downstream");
    assert_eq!(toxic["toxicity"], 1.0);
    assert_eq!(toxic["attributes"], json!({ "latency": 0, "jitter": 0 }));
    let body = r#"{"type": "latency", "stream": "upstream", "toxicity": 0.2}"#;
    let (status, toxic) = http(api, "POST", toxics, Some(body)).await;
    assert_eq!(
        (status, &toxic["name"], &toxic["toxicity"]),
        (200, &json!("latency_upstream"), &json!(0.2))
    );
    let (status, noop) = http(
        api,
        "POST",
        toxics,
        Some(r#"{"name": "quiet", "type": "noop"}"#),
    )
    .await;
    assert_eq!((status, &noop["attributes"]), (200, &json!({})));

    // Listed upstream first, then downstream, each in the order added.
    let (status, listed) = http(api, "GET", toxics, None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|toxic| toxic["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(
        names,
        ["latency_upstream", "foobar", "latency_downstream", "quiet"]
    );
    let (status, proxy) = http(api, "GET", "/proxies/mysql_master", None).await;
    assert_eq!((status, &proxy["toxics"]), (200, &listed));
}

#[tokio::test]
async fn every_toxic_type_takes_its_attributes() {
    let (server, _) = api().await;
    let api = server.local_addr();
    create(api, "p", "127.0.0.1:20001").await;
    let cases = [
        ("latency", json!({ "latency": 5, "jitter": 1 })),
        ("bandwidth", json!({ "rate": 100 })),
        ("slow_close", json!({ "delay": 10 })),
        ("timeout", json!({ "timeout": 0 })),
        ("reset_peer", json!({ "timeout": 20 })),
        (
            "slicer",
            json!({ "average_size": 10, "size_variation": 5, "delay": 100 }),
        ),
        ("limit_data", json!({ "bytes": 1000 })),
    ];
    for (kind, attributes) in cases {
        let body = json!({ "type": kind, "stream": "upstream", "attributes": attributes });
        let (status, toxic) = http(api, "POST", "/proxies/p/toxics", Some(&body.to_string())).await;
        assert_eq!(status, 200, "{toxic}");
        assert_eq!(toxic["attributes"], attributes, "{kind}");
    }
}

#[tokio::test]
async fn malformed_or_conflicting_toxics_get_4xx_json_errors() {
    let (server, _) = api().await;
    let api = server.local_addr();
    create(api, "mysql_master", "127.0.0.1:20001").await;
    let toxics = "/proxies/mysql_master/toxics";
    let post = |body: &'static str| http(api, "POST", toxics, Some(body));

    let (status, _) = post(r#"{"name": "foobar", "type": "latency", "stream": "upstream"}"#).await;
    assert_eq!(status, 200);
    // TestAddConflictingToxic(sMultistream): names are unique across both streams.
    assert_error(
        &post(r#"{"name": "foobar", "type": "slow_close", "stream": "downstream"}"#).await,
        409,
        "toxic already exists",
    );
    // TestInvalidStream.
    assert_error(
        &post(r#"{"type": "latency", "stream": "walrustream"}"#).await,
        400,
        "stream was invalid, can be either upstream or downstream",
    );
    assert_error(&post(r#"{"type": "lag"}"#).await, 400, "invalid toxic type");
    assert_error(&post(r#"{"name": "x"}"#).await, 400, "invalid toxic type");
    assert_error(
        &post(r#"{"type": "latency", "attributes": {"latncy": 5}}"#).await,
        400,
        "invalid attribute \"latncy\" of a latency toxic: unknown; expected one of latency, jitter",
    );
    assert_error(
        &post(r#"{"type": "latency", "attributes": {"latency": -5}}"#).await,
        400,
        "invalid attribute \"latency\" of a latency toxic: must be a non-negative integer",
    );
    assert_error(
        &post(r#"{"type": "slicer", "attributes": {"average_size": 0}}"#).await,
        400,
        "invalid attribute \"average_size\"",
    );
    assert_error(
        &post(r#"{"type": "noop", "toxicity": 2}"#).await,
        400,
        "invalid toxicity",
    );
    assert_error(
        &post(r#"{"type": "noop", "kind": "x"}"#).await,
        400,
        "bad request body",
    );
    assert_error(
        &http(
            api,
            "POST",
            "/proxies/missing/toxics",
            Some(r#"{"type": "noop"}"#),
        )
        .await,
        404,
        "proxy not found",
    );
    let (status, listed) = http(api, "GET", toxics, None).await;
    assert_eq!(
        (status, listed.as_array().map(Vec::len)),
        (200, Some(1)),
        "only foobar"
    );
}

#[tokio::test]
async fn a_toxic_update_merges_attributes_and_keeps_an_unset_toxicity() {
    let (server, _) = api().await;
    let api = server.local_addr();
    create(api, "mysql_master", "127.0.0.1:20001").await;
    let body = r#"{"type": "latency", "attributes": {"latency": 100, "jitter": 10}}"#;
    http(api, "POST", "/proxies/mysql_master/toxics", Some(body)).await;
    let toxic = "/proxies/mysql_master/toxics/latency_downstream";

    // TestUpdateToxics.
    let body = r#"{"toxicity": 0.5, "attributes": {"latency": 1000}}"#;
    let (status, updated) = http(api, "POST", toxic, Some(body)).await;
    assert_eq!(status, 200);
    assert_eq!(updated["toxicity"], 0.5);
    assert_eq!(
        updated["attributes"],
        json!({ "latency": 1000, "jitter": 10 })
    );
    let (status, updated) = http(
        api,
        "PATCH",
        toxic,
        Some(r#"{"attributes": {"latency": 500}}"#),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(updated["toxicity"], 0.5, "kept when not given");
    assert_eq!(
        updated["attributes"],
        json!({ "latency": 500, "jitter": 10 })
    );
    assert_eq!(http(api, "GET", toxic, None).await, (200, updated));

    assert_error(
        &http(api, "POST", toxic, Some(r#"{"type": "bandwidth"}"#)).await,
        400,
        "invalid type: cannot change",
    );
    assert_error(
        &http(api, "POST", "/proxies/mysql_master/toxics/nope", Some("{}")).await,
        404,
        "toxic not found",
    );
}

#[tokio::test]
async fn a_removed_toxic_is_gone() {
    let (server, _) = api().await;
    let api = server.local_addr();
    create(api, "mysql_master", "127.0.0.1:20001").await;
    http(
        api,
        "POST",
        "/proxies/mysql_master/toxics",
        Some(r#"{"type": "latency"}"#),
    )
    .await;
    let toxic = "/proxies/mysql_master/toxics/latency_downstream";

    assert_eq!(http(api, "DELETE", toxic, None).await, (204, Value::Null));
    assert_error(&http(api, "GET", toxic, None).await, 404, "toxic not found");
    assert_error(
        &http(api, "DELETE", toxic, None).await,
        404,
        "toxic not found",
    );
    assert_eq!(
        http(api, "GET", "/proxies/mysql_master/toxics", None).await,
        (200, json!([]))
    );
}

#[tokio::test]
async fn populate_creates_in_order_and_defaults_to_enabled() {
    let (server, _) = api().await;
    let api = server.local_addr();
    let body = r#"[
        {"name": "one", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:7171"},
        {"name": "two", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:7474", "enabled": false}
    ]"#;
    let (status, populated) = http(api, "POST", "/populate", Some(body)).await;
    assert_eq!(status, 201, "{populated}");
    let proxies = populated["proxies"]
        .as_array()
        .expect("{\"proxies\": [...]}");
    assert_eq!(proxies.len(), 2);
    assert_eq!(
        (&proxies[0]["name"], &proxies[0]["enabled"]),
        (&json!("one"), &json!(true))
    );
    assert_eq!(
        (&proxies[1]["name"], &proxies[1]["enabled"]),
        (&json!("two"), &json!(false))
    );
    assert!(
        TcpStream::connect(listen_addr(&proxies[0])).await.is_ok(),
        "one listens"
    );
}

#[tokio::test]
async fn populate_keeps_an_unchanged_proxy_and_replaces_a_changed_one() {
    let (server, _) = api().await;
    let api = server.local_addr();
    let one = create(api, "one", "127.0.0.1:7171").await;
    create(api, "two", "127.0.0.1:7474").await;
    http(
        api,
        "POST",
        "/proxies/one/toxics",
        Some(r#"{"type": "latency"}"#),
    )
    .await;
    http(
        api,
        "POST",
        "/proxies/two/toxics",
        Some(r#"{"type": "latency"}"#),
    )
    .await;

    let body = json!([
        { "name": "one", "listen": one["listen"], "upstream": "127.0.0.1:7171" },
        { "name": "two", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:7676" },
    ]);
    let (status, populated) = http(api, "POST", "/populate", Some(&body.to_string())).await;
    assert_eq!(status, 201, "{populated}");
    let (one_after, two_after) = (&populated["proxies"][0], &populated["proxies"][1]);
    assert_eq!(one_after["listen"], one["listen"]);
    assert_eq!(
        one_after["toxics"].as_array().map(Vec::len),
        Some(1),
        "one untouched"
    );
    assert_eq!(two_after["upstream"], "127.0.0.1:7676");
    assert_eq!(
        two_after["toxics"],
        json!([]),
        "two replaced, toxics and all"
    );
}

#[tokio::test]
async fn populate_checks_every_proxy_before_creating_any() {
    let (server, _) = api().await;
    let api = server.local_addr();
    let body = r#"[
        {"name": "one", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:7171"},
        {"name": "", "listen": ""}
    ]"#;
    let response = http(api, "POST", "/populate", Some(body)).await;
    assert_error(&response, 400, "missing required field: name at proxy 2");
    assert_eq!(response.1["proxies"], json!([]));
    assert_eq!(http(api, "GET", "/proxies", None).await, (200, json!({})));

    assert_error(
        &http(api, "POST", "/populate", Some(r#"{"name": "one"}"#)).await,
        400,
        "bad request body",
    );
}

#[tokio::test]
async fn reset_enables_every_proxy_and_removes_every_toxic() {
    let (server, _) = api().await;
    let api = server.local_addr();
    create(api, "mysql_master", "127.0.0.1:20001").await;
    let body = r#"{"type": "latency", "attributes": {"latency": 100, "jitter": 10}}"#;
    http(api, "POST", "/proxies/mysql_master/toxics", Some(body)).await;
    http(
        api,
        "POST",
        "/proxies/mysql_master",
        Some(r#"{"enabled": false}"#),
    )
    .await;

    assert_eq!(http(api, "POST", "/reset", None).await, (204, Value::Null));
    let (status, proxy) = http(api, "GET", "/proxies/mysql_master", None).await;
    assert_eq!(status, 200);
    assert_eq!(proxy["enabled"], true);
    assert_eq!(proxy["toxics"], json!([]));
    assert!(
        TcpStream::connect(listen_addr(&proxy)).await.is_ok(),
        "listening again"
    );
}

#[tokio::test]
async fn unknown_routes_methods_browsers_and_huge_bodies_get_json_errors() {
    let (server, _) = api().await;
    let api = server.local_addr();
    assert_error(
        &http(api, "GET", "/nope", None).await,
        404,
        "no such endpoint: /nope",
    );
    assert_error(
        &http(api, "GET", "/proxies/", None).await,
        404,
        "no such endpoint",
    );
    assert_error(
        &http(api, "PUT", "/proxies", None).await,
        405,
        "method PUT not allowed",
    );
    assert_error(
        &http(api, "GET", "/reset", None).await,
        405,
        "method GET not allowed",
    );
    let browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36";
    assert_error(
        &http_as(api, "GET", "/proxies", None, browser).await,
        403,
        "User agent not allowed",
    );
    let huge = "x".repeat(chaos::REQUEST_BODY_BYTES_MAX + 1);
    assert_error(
        &http(api, "POST", "/proxies", Some(&huge)).await,
        413,
        "request body larger",
    );
}

#[tokio::test]
async fn names_in_paths_are_percent_decoded() {
    let (server, _) = api().await;
    let api = server.local_addr();
    create(api, "my db", "127.0.0.1:20001").await;
    let (status, proxy) = http(api, "GET", "/proxies/my%20db", None).await;
    assert_eq!((status, &proxy["name"]), (200, &json!("my db")));
    assert_error(
        &http(api, "GET", "/proxies/my%2", None).await,
        400,
        "malformed percent-encoding",
    );
}

#[tokio::test]
async fn shutdown_stops_the_api_but_not_the_proxies() {
    let (server, proxies) = api().await;
    let api = server.local_addr();
    let proxy = create(api, "db", &echo_server().await.to_string()).await;
    server.shutdown().await;
    assert!(TcpStream::connect(api).await.is_err(), "the API is gone");
    assert_eq!(proxies.list().len(), 1);
    round_trip(&mut connect(listen_addr(&proxy)).await, b"ping").await;
}
