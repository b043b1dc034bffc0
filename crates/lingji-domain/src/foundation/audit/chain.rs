//! Walking one chain: every link, every hash, the keyed part, and the head the store keeps.

use super::{AuditKey, AuditRecord, GENESIS_HASH, KEY_START_ACTION};

/// Where and why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The log's number of the first event that does not verify (when one is missing: of the
    /// event found in its place; when the newest are missing: one past the last verified).
    pub seq: i64,
    /// What is wrong, in Chinese.
    pub reason: String,
}

/// Checks the main chain one record at a time, in order, so that a chain of millions of events
/// is verified in constant memory.
#[derive(Debug)]
pub struct ChainVerifier<'k> {
    key: Option<&'k AuditKey>,
    prev_hash: String,
    next_link: i64,
    last_seq: i64,
    keyed_from: Option<i64>,
}

impl<'k> ChainVerifier<'k> {
    /// A verifier at the start of a chain; keyed records need `key`.
    pub fn new(key: Option<&'k AuditKey>) -> Self {
        ChainVerifier {
            key,
            prev_hash: GENESIS_HASH.to_string(),
            next_link: 1,
            last_seq: 0,
            keyed_from: None,
        }
    }

    /// The log's number of the first keyed event so far.
    pub fn keyed_from(&self) -> Option<i64> {
        self.keyed_from
    }

    /// Checks the next record's position, link, version and hash.
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        let brk = |reason: String| Err(ChainBreak { seq: r.seq, reason });
        if r.link != self.next_link {
            return brk(format!(
                "审计主链缺少第 {} 条事件（在其位置的是第 {} 号审计事件，链上第 {} 条）：事件被删除或改动",
                self.next_link, r.seq, r.link
            ));
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
        check_hash(r, self.key)?;
        self.prev_hash.clone_from(&r.hash);
        self.next_link += 1;
        self.last_seq = r.seq;
        Ok(())
    }

    /// Ends the walk: the number of events, after checking the head the store keeps (last
    /// position and hash), which catches removal of the newest events unless the head was
    /// rewritten too (the anchor catches that). A non-empty chain without a keyed part was
    /// rewritten unkeyed, when `require_keyed`.
    pub fn finish(self, head: Option<(i64, &str)>, require_keyed: bool) -> Result<i64, ChainBreak> {
        let count = self.next_link - 1;
        if let Some((head_link, head_hash)) = head
            && (head_link != count || head_hash != self.prev_hash)
        {
            return Err(ChainBreak {
                seq: self.last_seq + 1,
                reason: format!(
                    "审计链头记录为第 {head_link} 条，但链上只有 {count} 条可验证事件：末尾事件被删除"
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

    /// The last position verified and its hash (the genesis hash at 0): the anchor to keep.
    pub fn position(&self) -> (i64, &str) {
        (self.next_link - 1, &self.prev_hash)
    }
}

/// Checks a record's own hash under `key`.
pub(super) fn check_hash(r: &AuditRecord, key: Option<&AuditKey>) -> Result<(), ChainBreak> {
    match r.expected_hash(key) {
        None => Err(ChainBreak {
            seq: r.seq,
            reason: format!("第 {} 号审计事件以密钥签名，验证需要审计密钥文件", r.seq),
        }),
        Some(h) if h != r.hash => Err(ChainBreak {
            seq: r.seq,
            reason: format!(
                "第 {} 号审计事件（{}）内容被篡改或哈希被重算：{}不符",
                r.seq,
                r.action,
                if r.keyed { "密钥签名" } else { "哈希" }
            ),
        }),
        Some(_) => Ok(()),
    }
}

/// Walks the records of one chain in order and checks every link. `head` is the chain head the
/// store keeps (last position and hash), which catches removal of the newest events.
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
    use crate::foundation::audit::{GENESIS_HASH, hmac_sha256};

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    chain: 0,
                    link: seq,
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
        // Found at the event in its place, whose message names the missing position.
        let brk = verify_chain(c, None, None).unwrap_err();
        assert_eq!(brk.seq, 3);
        assert!(brk.reason.contains("缺少第 2 条"), "{}", brk.reason);
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
            r.link = seq;
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
            r.hash = r.expected_hash(Some(&AuditKey::new([0; 32]))).unwrap();
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
