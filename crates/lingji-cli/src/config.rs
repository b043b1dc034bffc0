//! Layered configuration: defaults → `lingji.toml` → `LINGJI_*` environment → flags.
//! Secrets can come from files: `LINGJI_DATABASE_URL_FILE` names a file holding the URL.

use std::net::SocketAddr;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use lingji_app::{Settings, StoreConfig};
use lingji_web::WebConfig;
use lingji_web::forwarded::TrustedProxies;
use serde::{Deserialize, Serialize};

/// Everything the binary can be told.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    pub database_url: String,
    pub read_database_url: Option<String>,
    /// Listen address of `serve`.
    pub listen: SocketAddr,
    /// Serve `/metrics` on this address only, off the main listener.
    pub metrics_listen: Option<SocketAddr>,
    /// Connections in the read pool.
    pub max_read_connections: u32,
    /// Mark cookies Secure.
    pub secure_cookies: bool,
    /// Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-* headers are believed.
    pub trusted_proxies: Vec<String>,
    /// Session idle timeout in minutes.
    pub session_ttl_minutes: i64,
    /// Log filter, e.g. `info` or `lingji_web=debug`.
    pub log: String,
    /// The audit key file (HMAC key of the audit chain, created with mode 0600 when missing);
    /// by default next to the SQLite database (`lingji.db.audit-key`), else
    /// `lingji-audit.key` in the working directory.
    pub audit_key_file: Option<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite:lingji.db".into(),
            read_database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            metrics_listen: None,
            max_read_connections: 8,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            session_ttl_minutes: Settings::default().session_ttl_minutes,
            log: "info,sqlx=warn".into(),
            audit_key_file: None,
        }
    }
}

impl Config {
    /// Loads the layers; flags given on the command line win.
    pub fn load(
        database_url: Option<String>,
        read_database_url: Option<String>,
        audit_key_file: Option<std::path::PathBuf>,
    ) -> anyhow::Result<Config> {
        let mut config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file("lingji.toml"))
            .merge(Env::prefixed("LINGJI_").ignore(&["log", "user_password"]))
            .extract()?;
        if let Ok(path) = std::env::var("LINGJI_DATABASE_URL_FILE") {
            config.database_url = std::fs::read_to_string(&path)?.trim().to_string();
        }
        if let Some(url) = database_url {
            config.database_url = url;
        }
        if read_database_url.is_some() {
            config.read_database_url = read_database_url;
        }
        if audit_key_file.is_some() {
            config.audit_key_file = audit_key_file;
        }
        Ok(config)
    }

    pub fn store(&self) -> StoreConfig {
        StoreConfig {
            database_url: self.database_url.clone(),
            read_database_url: self.read_database_url.clone(),
            max_read_connections: self.max_read_connections,
            audit_key_file: self.audit_key_file.clone(),
        }
    }

    /// Sign-in settings.
    pub fn settings(&self) -> Settings {
        Settings {
            session_ttl_minutes: self.session_ttl_minutes,
            ..Settings::default()
        }
    }

    /// Web settings; refuses a trusted proxy that is not an address or block.
    pub fn web(&self, demo: bool) -> anyhow::Result<WebConfig> {
        Ok(WebConfig {
            secure_cookies: self.secure_cookies,
            trusted_proxies: TrustedProxies::parse(&self.trusted_proxies)
                .map_err(anyhow::Error::msg)?,
            show_demo_logins: demo,
            metrics_listen: self.metrics_listen,
        })
    }

    /// The database URL without its password, for printing.
    pub fn redacted_database_url(&self) -> String {
        match url::Url::parse(&self.database_url) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            _ => self.database_url.clone(),
        }
    }
}
