//! The audit hash chain: each event's hash covers the previous event's hash and the event's
//! stored text, so altering, inserting or removing any row breaks the chain at that row.
//!
//! Since the chain is keyed, each hash is an HMAC-SHA256 under a secret kept outside the
//! database (the audit key file): whoever can write the database but not read the key cannot
//! recompute the hashes of a rewritten chain. Events written before the key carry `keyed =
//! false` and plain SHA-256; the first keyed event is [`KEY_START_ACTION`], and after it every
//! event must be keyed, so a chain rewritten as unkeyed events does not verify either.

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
    /// Position in the chain, from 1 without gaps.
    pub seq: i64,
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
    /// Its id.
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
        Some(event_hash(
            key,
            &self.prev_hash,
            self.seq,
            &[
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

/// The hash over the previous hash, the sequence number and the fields, each length-prefixed
/// so that no two different events can produce the same input: HMAC-SHA256 under `key`, or
/// plain SHA-256 without one (the chain before it was keyed).
pub fn event_hash(key: Option<&AuditKey>, prev_hash: &str, seq: i64, fields: &[&str]) -> String {
    let seq = seq.to_be_bytes();
    let lengths: Vec<[u8; 8]> = fields
        .iter()
        .map(|f| (f.len() as u64).to_be_bytes())
        .collect();
    let mut parts: Vec<&[u8]> = Vec::with_capacity(2 + 2 * fields.len());
    parts.push(prev_hash.as_bytes());
    parts.push(&seq);
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

/// The unkeyed hash of the chain before it was keyed (kept for the events written then).
pub fn chain_hash(prev_hash: &str, seq: i64, fields: &[&str]) -> String {
    event_hash(None, prev_hash, seq, fields)
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first event that does not verify (or the sequence number where one is missing).
    pub seq: i64,
    /// What is wrong, in Chinese.
    pub reason: String,
}

/// Checks a chain one record at a time, in sequence order, so that a chain of millions of
/// events is verified in constant memory.
#[derive(Debug)]
pub struct ChainVerifier<'k> {
    key: Option<&'k AuditKey>,
    prev_hash: String,
    expected_seq: i64,
    keyed_from: Option<i64>,
}

impl<'k> ChainVerifier<'k> {
    /// A verifier at the start of a chain; keyed records need `key`.
    pub fn new(key: Option<&'k AuditKey>) -> Self {
        ChainVerifier {
            key,
            prev_hash: GENESIS_HASH.to_string(),
            expected_seq: 1,
            keyed_from: None,
        }
    }

    /// The sequence number of the first keyed event so far.
    pub fn keyed_from(&self) -> Option<i64> {
        self.keyed_from
    }

    /// Checks the next record's link, sequence number, version and hash.
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        let brk = |reason: String| Err(ChainBreak { seq: r.seq, reason });
        if r.seq != self.expected_seq {
            return Err(ChainBreak {
                seq: self.expected_seq,
                reason: format!(
                    "缺少第 {} 号审计事件（下一条为第 {} 号）",
                    self.expected_seq, r.seq
                ),
            });
        }
        if r.prev_hash != self.prev_hash {
            return brk(format!("第 {} 号审计事件的前序哈希与上一事件不符", r.seq));
        }
        match (self.keyed_from, r.keyed) {
            (Some(_), false) => {
                return brk(format!(
                    "第 {} 号审计事件没有密钥签名，而其前的事件已有：审计链被改写",
                    r.seq
                ));
            }
            (None, true) if r.action != KEY_START_ACTION => {
                return brk(format!(
                    "第 {} 号审计事件是第一条密钥签名的事件，却不是密钥起点（{KEY_START_ACTION}）：审计链被改写",
                    r.seq
                ));
            }
            (None, true) => self.keyed_from = Some(r.seq),
            _ => {}
        }
        match r.expected_hash(self.key) {
            None => {
                return brk(format!(
                    "第 {} 号审计事件以密钥签名，验证需要审计密钥文件",
                    r.seq
                ));
            }
            Some(h) if h != r.hash => {
                return brk(format!(
                    "第 {} 号审计事件（{}）内容被篡改或哈希被重算：{}不符",
                    r.seq,
                    r.action,
                    if r.keyed { "密钥签名" } else { "哈希" }
                ));
            }
            Some(_) => {}
        }
        self.prev_hash.clone_from(&r.hash);
        self.expected_seq += 1;
        Ok(())
    }

    /// Ends the walk: the number of events, after checking the head the store keeps (last
    /// sequence number and hash), which catches removal of the newest events unless the head
    /// was rewritten too (the anchor catches that). A non-empty chain without a keyed part was
    /// rewritten unkeyed, when `require_keyed`.
    pub fn finish(self, head: Option<(i64, &str)>, require_keyed: bool) -> Result<i64, ChainBreak> {
        let count = self.expected_seq - 1;
        if let Some((head_seq, head_hash)) = head
            && (head_seq != count || head_hash != self.prev_hash)
        {
            return Err(ChainBreak {
                seq: count + 1,
                reason: format!(
                    "审计链头记录为第 {head_seq} 号，但链上只有 {count} 条可验证事件：末尾事件被删除"
                ),
            });
        }
        if require_keyed && count > 0 && self.keyed_from.is_none() {
            return Err(ChainBreak {
                seq: 1,
                reason: format!(
                    "审计链的 {count} 条事件都没有密钥签名（缺少密钥起点 {KEY_START_ACTION}）：审计链被改写"
                ),
            });
        }
        Ok(count)
    }

    /// The hash of the last record pushed (the genesis hash before any).
    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

/// Walks records in sequence order and checks every link. `head` is the chain head the store
/// keeps (last sequence number and hash), which catches removal of the newest events.
pub fn verify_chain<I>(
    records: I,
    head: Option<(i64, &str)>,
    key: Option<&AuditKey>,
) -> Result<i64, ChainBreak>
where
    I: IntoIterator<Item = AuditRecord>,
{
    let mut v = ChainVerifier::new(key);
    for r in records {
        v.push(&r)?;
    }
    v.finish(head, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    at: format!("2026-01-01T00:00:{seq:02}.000Z"),
                    jurisdiction_id: 1,
                    actor_id: 1,
                    actor: "admin".into(),
                    action: "user.create".into(),
                    entity_type: "user".into(),
                    entity_id: seq.to_string(),
                    before: String::new(),
                    after: format!("{{\"n\":{seq}}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                    keyed: false,
                };
                r.hash = r.expected_hash(None).unwrap();
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let head = (5, c[4].hash.clone());
        assert_eq!(verify_chain(c, Some((head.0, &head.1)), None), Ok(5));
    }

    #[test]
    fn an_altered_event_is_named() {
        let mut c = chain(5);
        c[2].after = "{\"n\":999}".into();
        assert_eq!(verify_chain(c, None, None).unwrap_err().seq, 3);
    }

    #[test]
    fn a_removed_event_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(c, None, None).unwrap_err().seq, 2);
    }

    #[test]
    fn a_removed_tail_is_caught_by_the_head() {
        let c = chain(5);
        let head_hash = c[4].hash.clone();
        let truncated: Vec<_> = c.into_iter().take(4).collect();
        assert_eq!(
            verify_chain(truncated, Some((5, &head_hash)), None)
                .unwrap_err()
                .seq,
            5
        );
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_next_link() {
        let mut c = chain(4);
        c[1].after = "{\"forged\":true}".into();
        c[1].hash = c[1].expected_hash(None).unwrap();
        assert_eq!(verify_chain(c, None, None).unwrap_err().seq, 3);
    }

    const KEY: AuditKey = AuditKey([7; 32]);

    /// A chain of `legacy` unkeyed events, the key start, then keyed events up to `n`.
    fn keyed_chain(legacy: i64, n: i64) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = chain(legacy);
        let mut prev = out
            .last()
            .map_or(GENESIS_HASH.to_string(), |r| r.hash.clone());
        for seq in legacy + 1..=n {
            let mut r = chain(1).remove(0);
            r.seq = seq;
            r.keyed = true;
            if seq == legacy + 1 {
                r.action = KEY_START_ACTION.into();
            }
            r.prev_hash = prev;
            r.hash = r.expected_hash(Some(&KEY)).unwrap();
            prev = r.hash.clone();
            out.push(r);
        }
        out
    }

    fn verify_keyed(c: &[AuditRecord], key: &AuditKey) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new(Some(key));
        for r in c {
            v.push(r)?;
        }
        v.finish(None, true)
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 1 and test case 6 (a key longer than the block) of RFC 4231.
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b; 20], &[b"Hi There"])),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                &[
                    b"Test Using Larger Than Block-Size Key - ",
                    b"Hash Key First"
                ]
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_keyed_chain_after_legacy_events_verifies() {
        let c = keyed_chain(3, 6);
        assert_eq!(verify_keyed(&c, &KEY), Ok(6));
    }

    #[test]
    fn a_keyed_chain_rehashed_without_the_key_is_named() {
        let mut c = keyed_chain(2, 6);
        c[3].after = "{\"forged\":true}".into();
        // The forger recomputes every later hash, but has only SHA-256, not the key.
        let mut prev = c[2].hash.clone();
        for r in &mut c[3..] {
            r.prev_hash = prev;
            r.hash = r.expected_hash(Some(&AuditKey([0; 32]))).unwrap();
            prev = r.hash.clone();
        }
        assert_eq!(verify_keyed(&c, &KEY).unwrap_err().seq, 4);
    }

    #[test]
    fn a_chain_rewritten_as_unkeyed_is_named() {
        let mut c = keyed_chain(2, 5);
        let mut prev = GENESIS_HASH.to_string();
        for r in &mut c {
            r.keyed = false;
            r.prev_hash = prev;
            r.hash = r.expected_hash(None).unwrap();
            prev = r.hash.clone();
        }
        assert_eq!(verify_keyed(&c, &KEY).unwrap_err().seq, 1);
        // Only the events after the start made unkeyed: named at the first of them.
        let mut c = keyed_chain(2, 5);
        c[4].keyed = false;
        assert_eq!(verify_keyed(&c, &KEY).unwrap_err().seq, 5);
    }
}
