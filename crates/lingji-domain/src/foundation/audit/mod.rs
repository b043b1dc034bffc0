//! The audit hash chains: each event's hash covers the previous event's hash in its chain and
//! the event's stored text, so altering, inserting or removing any row breaks its chain there.
//!
//! The log has one main chain and one chain per budget line. A payment request's event goes to
//! its line's chain ([`lines`]): requests on one line already wait for each other on the line's
//! row, and requests on different lines then no longer wait for one head — each commits with
//! its own disk flush shared with others (group commit) instead of one after another. The main
//! chain seals the lines' heads now and then ([`SEAL_ACTION`]), so an anchor of the main chain
//! covers the line chains up to that seal.
//!
//! Since the chain is keyed, each hash is an HMAC-SHA256 under a secret kept outside the
//! database (the audit key file): whoever can write the database but not read the key cannot
//! recompute the hashes of a rewritten chain. Events written before the key carry `keyed =
//! false` and plain SHA-256; the first keyed event is [`KEY_START_ACTION`], and after it every
//! event must be keyed, so a chain rewritten as unkeyed events does not verify either.

mod chain;
pub mod lines;
pub mod words;

pub use chain::{ChainBreak, ChainVerifier, verify_chain};
pub use lines::{LineChains, LogVerifier, SEAL_ACTION, Seal};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hash that precedes the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The action of the event that starts the keyed part of a chain (its `after` says how many
/// unkeyed events precede it and the last payment id they cover).
pub const KEY_START_ACTION: &str = "audit.key";

/// The secret the chain is keyed with (32 random bytes, from the audit key file).
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    /// A key from its bytes.
    pub fn new(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// A key from its 64 hex digits (the key file's content), or `None`.
    pub fn from_hex(text: &str) -> Option<AuditKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(AuditKey(bytes.try_into().ok()?))
    }

    /// Its 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for AuditKey {
    // The key is a secret: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

/// HMAC-SHA256 (RFC 2104) over the concatenation of `parts`, written out over `sha2` because
/// the `hmac` crate in the lock file is for the next major version of `digest`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0_u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// An audit event exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The log's number: the order events were written in across all chains (with gaps where
    /// a transaction rolled back on PostgreSQL). Within one chain it grows with [`Self::link`].
    pub seq: i64,
    /// The chain that holds it: 0 for the main chain, else the id of the budget line.
    pub chain: i64,
    /// Position in its chain, from 1 without gaps.
    pub link: i64,
    /// When, RFC 3339 UTC with milliseconds.
    pub at: String,
    /// Jurisdiction the event belongs to (0 for system-wide events).
    pub jurisdiction_id: i64,
    /// Acting user id (0 for the system).
    pub actor_id: i64,
    /// Acting user's login name, or `system`.
    pub actor: String,
    /// What happened, e.g. `user.create`.
    pub action: String,
    /// Kind of thing changed, e.g. `user`.
    pub entity_type: String,
    pub entity_id: String,
    /// JSON before the change, empty when created.
    pub before: String,
    /// JSON after the change, empty when deleted.
    pub after: String,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
    /// Whether the hash is keyed (HMAC under the audit key) or plain SHA-256 (events written
    /// before the chain was keyed).
    pub keyed: bool,
}

impl AuditRecord {
    /// The hash this record must carry given its content and `prev_hash`: keyed with `key` when
    /// the record is keyed (no key, no hash).
    pub fn expected_hash(&self, key: Option<&AuditKey>) -> Option<String> {
        let key = if self.keyed { Some(key?) } else { None };
        Some(record_hash(
            key,
            &self.prev_hash,
            self.chain,
            self.link,
            [
                &self.at,
                &self.jurisdiction_id.to_string(),
                &self.actor_id.to_string(),
                &self.actor,
                &self.action,
                &self.entity_type,
                &self.entity_id,
                &self.before,
                &self.after,
            ],
        ))
    }
}

/// The hash of an event at `link` of `chain` whose content is, in order: time, jurisdiction,
/// actor id, actor, action, entity type, entity id, before, after. A line chain's events also
/// cover the line's id, so an event moved to another line's chain does not verify there; the
/// main chain's are hashed as they always were (its events written before line chains keep
/// verifying).
pub fn record_hash(
    key: Option<&AuditKey>,
    prev_hash: &str,
    chain: i64,
    link: i64,
    content: [&str; 9],
) -> String {
    if chain == MAIN_CHAIN {
        return event_hash(key, prev_hash, link, &content);
    }
    let line = format!("line:{chain}");
    let mut fields = content.to_vec();
    fields.push(&line);
    event_hash(key, prev_hash, link, &fields)
}

/// The main chain's number ([`AuditRecord::chain`]).
pub const MAIN_CHAIN: i64 = 0;

/// The hash over the previous hash, the position in the chain and the fields, each length-prefixed
/// so that no two different events can produce the same input: HMAC-SHA256 under `key`, or
/// plain SHA-256 without one (the chain before it was keyed).
pub fn event_hash(key: Option<&AuditKey>, prev_hash: &str, link: i64, fields: &[&str]) -> String {
    let link = link.to_be_bytes();
    let lengths: Vec<[u8; 8]> = fields
        .iter()
        .map(|f| (f.len() as u64).to_be_bytes())
        .collect();
    let mut parts: Vec<&[u8]> = Vec::with_capacity(2 + 2 * fields.len());
    parts.push(prev_hash.as_bytes());
    parts.push(&link);
    for (f, len) in fields.iter().zip(&lengths) {
        parts.push(len);
        parts.push(f.as_bytes());
    }
    match key {
        Some(k) => hex::encode(hmac_sha256(&k.0, &parts)),
        None => {
            let mut h = Sha256::new();
            for p in parts {
                h.update(p);
            }
            hex::encode(h.finalize())
        }
    }
}
