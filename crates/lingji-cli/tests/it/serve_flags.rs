//! `lingji serve --metrics-listen ADDR --secure-cookies`: the metrics move to their own
//! address and browsers are told to keep to HTTPS.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Server, free_port};

use lingji_app::store::Backend;
use lingji_app::store::testing::TestDb;

/// One GET with `Connection: close`: the whole answer, head and body.
fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    Some(raw)
}

#[test]
fn serve_moves_metrics_to_their_own_address_and_sends_hsts_with_secure_cookies() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(TestDb::new(Backend::Sqlite)) else {
        return;
    };
    let (main, metrics) = (free_port(), free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_lingji"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{main}"),
            "--metrics-listen",
            &format!("127.0.0.1:{metrics}"),
            "--secure-cookies",
        ])
        .env("LINGJI_DATABASE_URL", &db.config.database_url)
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Server(child, main);
    let since = Instant::now();
    let health = loop {
        if let Some(raw) = get(main, "/healthz").filter(|r| r.starts_with("HTTP/1.1 200")) {
            break raw;
        }
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let health = health.to_lowercase();
    assert!(
        health.contains("strict-transport-security: max-age="),
        "{health}"
    );
    assert!(health.contains("content-security-policy:"), "{health}");

    let on_main = get(main, "/metrics").unwrap();
    assert!(on_main.starts_with("HTTP/1.1 404"), "{on_main}");
    let own = get(metrics, "/metrics").unwrap();
    assert!(own.starts_with("HTTP/1.1 200"), "{own}");
    assert!(own.contains("lingji_http_requests_total"), "{own}");
}
