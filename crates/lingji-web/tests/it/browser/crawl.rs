//! The crawl: as every demo role, every navigation link two levels deep, nothing English, no ISO
//! time, no overflow (issue 20, point 7). It reads each page as the person sees it — the text
//! the browser lays out, the console, the boxes — and lists every fault it finds before failing,
//! so that one run shows all of them. Screenshots of each role's main pages are written under
//! `target/screenshots/<login>/` for people to look at (CI keeps them as artefacts).

use std::collections::{BTreeMap, BTreeSet};

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;

use super::*;
use crate::common::TestApp;

/// One of each demo role: finance, department reviewer, unit, auditor, a joint reviewer, the
/// administrator.
const ROLES: [&str; 6] = ["caizheng", "zhuguan", "danwei", "shenji", "shuju", "admin"];

/// Latin words a Chinese page may show: names of formats and of the programming interface.
const ALLOWED_WORDS: [&str; 6] = ["Excel", "CSV", "JSON", "API", "PDF", "OFD"];

/// Pages that may show text as it was typed (`data-verbatim`), skipped by the English check:
/// the account pages show the login names they administer.
const VERBATIM_PAGES: [&str; 2] = ["/admin/users", "/users/"];

/// Pages of one shape (the same path with another id) visited at most this often.
const PER_SHAPE: usize = 2;

/// Chromedriver's console log since the last call (`goog:loggingPrefs` is set in `browser()`).
#[derive(Debug)]
struct ConsoleLog;

impl WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(r#"{"type":"browser"}"#.to_string()))
    }
}

/// What the page under test reports of itself: its answer's status, the links it offers and
/// what a reader would notice. Run in the page after it has loaded.
const INSPECT: &str = r#"
const nav = performance.getEntriesByType("navigation")[0];
const text = document.body ? document.body.innerText : "";
const allowed = new Set(arguments[0]);
const verbatim = [...document.querySelectorAll("[data-verbatim]")].map(e => e.innerText);
const english = [];
for (const m of text.matchAll(/[A-Za-z0-9_\-.:\/%]+/g)) {
  const t = m[0];
  if (verbatim.some(v => v.includes(t))) continue;
  if (/[A-Za-z]{2,}/.test(t) && !/\d/.test(t)) {
    for (const w of t.split(/[^A-Za-z]+/)) {
      if (w.length >= 2 && !allowed.has(w)) english.push(t);
    }
  }
}
const iso = (text.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[^\s]*/g) || []);
const overflow = [];
const viewport = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth > viewport + 1) {
  overflow.push("整页横向溢出 " + document.documentElement.scrollWidth + " > " + viewport);
}
for (const box of document.querySelectorAll(".card, fieldset, .actions, .toolbar")) {
  const style = getComputedStyle(box);
  if (style.overflowX !== "visible" || box.clientWidth === 0) continue;
  if (box.scrollWidth > box.clientWidth + 1) {
    const name = (box.querySelector("h2, h3, legend") || box).innerText.split("\n")[0].slice(0, 30);
    overflow.push(box.tagName.toLowerCase() + "「" + name + "」" + box.scrollWidth + " > " + box.clientWidth);
  }
}
const links = [];
for (const a of document.querySelectorAll("a[href]")) {
  if (a.hasAttribute("download")) continue;
  const u = new URL(a.href, location.href);
  if (u.origin !== location.origin) continue;
  u.hash = "";
  links.push(u.pathname + u.search);
}
return {
  status: nav ? nav.responseStatus : 0,
  title: document.title,
  english: [...new Set(english)],
  iso: [...new Set(iso)],
  percent: text.includes("%%"),
  verbatim: verbatim.length,
  overflow,
  links,
  nav: [...document.querySelectorAll("nav.sidebar a[href]")].map(a => new URL(a.href).pathname),
};
"#;

/// The page's own report, as [`INSPECT`] returns it.
#[derive(serde::Deserialize)]
struct Report {
    status: u16,
    english: Vec<String>,
    iso: Vec<String>,
    percent: bool,
    /// How many elements show text as typed (login names, rule expressions).
    verbatim: usize,
    overflow: Vec<String>,
    links: Vec<String>,
    nav: Vec<String>,
}

/// A link worth following: a page of ours, not a file, not the way out, not the API.
fn followable(link: &str) -> bool {
    let path = link.split('?').next().unwrap_or(link);
    !(path.starts_with("/api")
        || path.starts_with("/assets")
        || path == "/logout"
        || path.ends_with(".xlsx")
        || path.ends_with(".csv")
        || path.contains("/download")
        || link.contains("format=xlsx")
        || path.starts_with("/attachments"))
}

/// The shape of a link: ids in the path as `#`, query values dropped except the year's.
fn shape(link: &str) -> String {
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    let path: Vec<String> = path
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                "#".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    let mut keys: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split('=').next().unwrap_or(kv))
        .collect();
    keys.sort();
    format!("{}?{}", path.join("/"), keys.join("&"))
}

/// A file name for a page's screenshot.
fn shot_name(path: &str) -> String {
    let name: String = path
        .trim_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if name.is_empty() { "home".into() } else { name }
}

/// Visits `link`, checks it and returns what it found there; faults go into `faults`.
async fn visit(c: &Client, base: &str, who: &str, link: &str, faults: &mut Vec<String>) -> Report {
    c.goto(&format!("{base}{link}")).await.unwrap();
    let value = c
        .execute(INSPECT, vec![json!(ALLOWED_WORDS)])
        .await
        .unwrap_or_else(|e| panic!("{who} {link}: {e}"));
    let report: Report = serde_json::from_value(value).unwrap();
    let mut fault = |what: String| faults.push(format!("{who} {link}: {what}"));
    if !(200..300).contains(&report.status) {
        fault(format!("answered {}", report.status));
    }
    if c.current_url().await.unwrap().path() == "/login" {
        fault("sent back to sign in".into());
    }
    if report.verbatim > 0 && !VERBATIM_PAGES.iter().any(|p| link.starts_with(p)) {
        fault(format!("{} elements shown as typed", report.verbatim));
    }
    if !report.english.is_empty() {
        fault(format!("English words {:?}", report.english));
    }
    if !report.iso.is_empty() {
        fault(format!("ISO times {:?}", report.iso));
    }
    if report.percent {
        fault("shows %%".into());
    }
    if !report.overflow.is_empty() {
        fault(format!("overflows {:?}", report.overflow));
    }
    let log = c.issue_cmd(ConsoleLog).await.unwrap();
    for entry in log.as_array().into_iter().flatten() {
        if entry["level"] == "SEVERE" {
            fault(format!("console error {}", entry["message"]));
        }
    }
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zx_crawl_every_role_two_levels_deep_finds_only_chinese_working_pages() {
    if !browser_available() {
        return;
    }
    let Some(t) = TestApp::demo_with_projects(Backend::Sqlite).await else {
        return;
    };
    let base = serve(t.router.clone()).await;
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    let mut faults = Vec::new();
    let mut visited = 0;
    for who in ROLES {
        let (c, _driver, _profile) = browser().await;
        login(&c, &base, who).await;
        let dir = shots.join(who);
        std::fs::create_dir_all(&dir).unwrap();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut level = vec!["/".to_string()];
        for depth in 0..=2 {
            let mut next = Vec::new();
            for link in level {
                if !done.insert(link.clone()) {
                    continue;
                }
                let report = visit(&c, &base, who, &link, &mut faults).await;
                visited += 1;
                if link == "/" || (depth == 1 && report.nav.contains(&link)) {
                    let png = c.screenshot().await.unwrap();
                    std::fs::write(dir.join(format!("{}.png", shot_name(&link))), png).unwrap();
                }
                if depth == 2 {
                    continue;
                }
                for l in report.links.into_iter().filter(|l| followable(l)) {
                    let n = seen.entry(shape(&l)).or_default();
                    if *n < PER_SHAPE && !done.contains(&l) {
                        *n += 1;
                        next.push(l);
                    }
                }
            }
            level = next;
        }
        c.close().await.unwrap();
    }
    eprintln!("crawl: {visited} pages as {} roles", ROLES.len());
    assert!(visited > 100, "the crawl reached only {visited} pages");
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}
