//! The audit hash chain: each event's hash covers the previous event's hash and the event's
//! stored text, so altering, inserting or removing any row breaks the chain at that row.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hash that precedes the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
}

impl AuditRecord {
    /// The hash this record must carry given its content and `prev_hash`.
    pub fn expected_hash(&self) -> String {
        chain_hash(
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
        )
    }
}

/// SHA-256 over the previous hash, the sequence number and the fields, each length-prefixed so
/// that no two different events can produce the same input.
pub fn chain_hash(prev_hash: &str, seq: i64, fields: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(seq.to_be_bytes());
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first event that does not verify (or the sequence number where one is missing).
    pub seq: i64,
    /// What is wrong, in Chinese.
    pub reason: String,
}

/// Walks records in sequence order and checks every link. `head` is the chain head the store
/// keeps (last sequence number and hash), which catches removal of the newest events.
pub fn verify_chain<I>(records: I, head: Option<(i64, &str)>) -> Result<i64, ChainBreak>
where
    I: IntoIterator<Item = AuditRecord>,
{
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut expected_seq = 1;
    for r in records {
        if r.seq != expected_seq {
            return Err(ChainBreak {
                seq: expected_seq,
                reason: format!(
                    "缺少第 {expected_seq} 号审计事件（下一条为第 {} 号）",
                    r.seq
                ),
            });
        }
        if r.prev_hash != prev_hash {
            return Err(ChainBreak {
                seq: r.seq,
                reason: format!("第 {} 号审计事件的前序哈希与上一事件不符", r.seq),
            });
        }
        if r.expected_hash() != r.hash {
            return Err(ChainBreak {
                seq: r.seq,
                reason: format!(
                    "第 {} 号审计事件（{}）内容被篡改：哈希不符",
                    r.seq, r.action
                ),
            });
        }
        prev_hash = r.hash;
        expected_seq += 1;
    }
    let count = expected_seq - 1;
    if let Some((head_seq, head_hash)) = head
        && (head_seq != count || head_hash != prev_hash)
    {
        return Err(ChainBreak {
            seq: count + 1,
            reason: format!(
                "审计链头记录为第 {head_seq} 号，但链上只有 {count} 条可验证事件：末尾事件被删除"
            ),
        });
    }
    Ok(count)
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
                };
                r.hash = r.expected_hash();
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let head = (5, c[4].hash.clone());
        assert_eq!(verify_chain(c, Some((head.0, &head.1))), Ok(5));
    }

    #[test]
    fn an_altered_event_is_named() {
        let mut c = chain(5);
        c[2].after = "{\"n\":999}".into();
        assert_eq!(verify_chain(c, None).unwrap_err().seq, 3);
    }

    #[test]
    fn a_removed_event_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(c, None).unwrap_err().seq, 2);
    }

    #[test]
    fn a_removed_tail_is_caught_by_the_head() {
        let c = chain(5);
        let head_hash = c[4].hash.clone();
        let truncated: Vec<_> = c.into_iter().take(4).collect();
        assert_eq!(
            verify_chain(truncated, Some((5, &head_hash)))
                .unwrap_err()
                .seq,
            5
        );
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_next_link() {
        let mut c = chain(4);
        c[1].after = "{\"forged\":true}".into();
        c[1].hash = c[1].expected_hash();
        assert_eq!(verify_chain(c, None).unwrap_err().seq, 3);
    }
}
