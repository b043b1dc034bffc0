//! What the tests that run `lingji serve` as a process share: a port, a server stopped with the
//! test, plain HTTP/1.1 requests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server that is killed (SIGKILL) when dropped, pass or fail.
pub struct Server(pub Child, pub u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nobody listens on.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request with `Connection: close`: (status, body), or `None` when the server did
/// not answer.
pub fn http(port: u16, method: &str, path: &str, token: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status = raw.get(9..12)?.parse().ok()?;
    let body = raw.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

/// `lingji serve` from `lingji` (the command with its database and folder set) on a free port,
/// once it answers `/healthz`.
pub fn serve(mut lingji: Command) -> Server {
    let port = free_port();
    let child = lingji
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child, port);
    let since = Instant::now();
    while http(port, "GET", "/healthz", "", "").is_none_or(|(s, _)| s != 200) {
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "server on {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// A fresh database with the lived demo, as `lingji demo` loads it: the command runs once for
/// this build of the tests and its database is copied for each test that starts from it (it
/// takes a quarter of a minute on SQLite, twice that on PostgreSQL, in a debug build).
pub async fn demo_db(
    backend: lingji_app::store::Backend,
) -> Option<lingji_app::store::testing::TestDb> {
    lingji_app::store::testing::TestDb::from_template(backend, "cli_demo", async |config| {
        let key = config.audit_key_path();
        let out = Command::new(env!("CARGO_BIN_EXE_lingji"))
            .arg("demo")
            .env("LINGJI_DATABASE_URL", &config.database_url)
            .env("LINGJI_AUDIT_KEY_FILE", &key)
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .output()
            .expect("run lingji demo");
        assert!(
            out.status.success(),
            "lingji demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    })
    .await
}
