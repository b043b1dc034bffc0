//! The budget lines' chains, the seals that tie them to the main chain, and the walk over the
//! whole log.
//!
//! A line's chain holds the request events of the payments on that line, keyed like every
//! event; its head (last position and hash) is kept by the store beside the line. Removing the
//! newest events of a line and resetting its head needs no key, as for the main chain; what
//! catches it is a seal: an event of the main chain that records the heads of the lines that
//! moved since the last seal. An anchor of the main chain kept outside the database therefore
//! covers every line chain up to the last seal before it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::chain::check_hash;
use super::{
    AuditKey, AuditRecord, ChainBreak, ChainVerifier, GENESIS_HASH, KEY_START_ACTION, MAIN_CHAIN,
};

/// The action of a seal event on the main chain (its `after` is a [`Seal`]).
pub const SEAL_ACTION: &str = "audit.seal";

/// What a seal records: the head of every line chain that moved since the last seal, as
/// `[line, position, hash]`, by line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seal {
    /// `[line id, last position, its hash]`.
    pub lines: Vec<(i64, i64, String)>,
}

/// Where one line's chain stands (compact: a province's lines all fit in memory).
#[derive(Debug, Clone, Copy)]
struct Position {
    link: i64,
    seq: i64,
    hash: [u8; 32],
}

fn decode(hash: &str) -> Option<[u8; 32]> {
    hex::decode(hash).ok()?.try_into().ok()
}

/// Checks every line chain as its records come, in the log's order.
#[derive(Debug)]
pub struct LineChains<'k> {
    key: &'k AuditKey,
    at: HashMap<i64, Position>,
    events: i64,
}

impl<'k> LineChains<'k> {
    /// No line chain walked yet; every line event is keyed.
    pub fn new(key: &'k AuditKey) -> Self {
        LineChains {
            key,
            at: HashMap::new(),
            events: 0,
        }
    }

    /// Checks the next record of its line's chain.
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        let line = r.chain;
        let brk = |reason: String| Err(ChainBreak { seq: r.seq, reason });
        if !r.keyed || r.action == KEY_START_ACTION {
            return brk(format!(
                "第 {} 号审计事件（指标 #{line} 的审计链）没有密钥签名：审计链被改写",
                r.seq
            ));
        }
        let genesis = [0_u8; 32];
        let (link, prev) = self
            .at
            .get(&line)
            .map_or((0, genesis), |p| (p.link, p.hash));
        if r.link != link + 1 {
            return brk(format!(
                "指标 #{line} 的审计链缺少第 {} 条事件（在其位置的是第 {} 号审计事件，链上第 {} 条）：事件被删除或改动",
                link + 1,
                r.seq,
                r.link
            ));
        }
        if decode(&r.prev_hash) != Some(prev) {
            return brk(format!(
                "第 {} 号审计事件的前序哈希与指标 #{line} 审计链的上一事件不符",
                r.seq
            ));
        }
        check_hash(r, Some(self.key))?;
        let Some(hash) = decode(&r.hash) else {
            return brk(format!("第 {} 号审计事件的哈希不可读", r.seq));
        };
        self.at.insert(
            line,
            Position {
                link: r.link,
                seq: r.seq,
                hash,
            },
        );
        self.events += 1;
        Ok(())
    }

    /// Checks a seal (the main chain's event `seal_seq`) against the line chains as walked so
    /// far: a line written after the seal waited for it, so each sealed line stands exactly
    /// where the seal says.
    pub fn check_seal(&self, seal_seq: i64, seal: &Seal) -> Result<(), ChainBreak> {
        for (line, link, hash) in &seal.lines {
            let now = self.at.get(line);
            if now.is_some_and(|p| p.link == *link && decode(hash) == Some(p.hash)) {
                continue;
            }
            let found = match now {
                Some(p) if p.link == *link => format!("第 {link} 条的哈希不同"),
                Some(p) => format!("链上此时为第 {} 条", p.link),
                None => "链上此时没有事件".into(),
            };
            return Err(ChainBreak {
                seq: seal_seq,
                reason: format!(
                    "第 {seal_seq} 号审计事件封存时，指标 #{line} 的审计链到第 {link} 条，而{found}：该指标的支付审计事件被删除或改动"
                ),
            });
        }
        Ok(())
    }

    /// Checks a line's head as the store keeps it (each line once), which catches removal of
    /// its newest events unless the head was rewritten too (the next seal catches that).
    pub fn check_head(&mut self, line: i64, link: i64, hash: &str) -> Result<(), ChainBreak> {
        let p = self.at.remove(&line);
        let (walked, seq) = p.map_or((0, 0), |p| (p.link, p.seq));
        let hash_ok = p.map_or(hash == GENESIS_HASH, |p| decode(hash) == Some(p.hash));
        if walked == link && hash_ok {
            return Ok(());
        }
        Err(ChainBreak {
            seq: seq + 1,
            reason: format!(
                "指标 #{line} 的审计链头记录为第 {link} 条，但链上有 {walked} 条可验证事件：末尾事件被删除或链头被改动"
            ),
        })
    }

    /// Ends the walk after every head was checked: the number of line events, unless a chain
    /// has no head (its head was deleted).
    pub fn finish(self) -> Result<i64, ChainBreak> {
        if let Some((line, p)) = self.at.iter().min_by_key(|(line, _)| **line) {
            return Err(ChainBreak {
                seq: p.seq,
                reason: format!(
                    "指标 #{line} 的审计链有 {} 条事件，却没有链头记录：链头被删除",
                    p.link
                ),
            });
        }
        Ok(self.events)
    }
}

/// The walk over the whole log in the log's order: the main chain, every line chain, and
/// every seal against the line chains.
#[derive(Debug)]
pub struct LogVerifier<'k> {
    /// The main chain.
    pub main: ChainVerifier<'k>,
    /// The line chains.
    pub lines: LineChains<'k>,
}

impl<'k> LogVerifier<'k> {
    /// At the start of the log.
    pub fn new(key: &'k AuditKey) -> Self {
        LogVerifier {
            main: ChainVerifier::new(Some(key)),
            lines: LineChains::new(key),
        }
    }

    /// Checks the next record of the log in its chain (and, for a seal, the lines it sealed).
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        if r.chain != MAIN_CHAIN {
            return self.lines.push(r);
        }
        self.main.push(r)?;
        if r.keyed && r.action == SEAL_ACTION {
            let seal: Seal = serde_json::from_str(&r.after).map_err(|e| ChainBreak {
                seq: r.seq,
                reason: format!("第 {} 号审计事件（封存）内容不可读：{e}", r.seq),
            })?;
            self.lines.check_seal(r.seq, &seal)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: AuditKey = AuditKey([9; 32]);

    fn event(
        seq: i64,
        chain: i64,
        link: i64,
        action: &str,
        after: String,
        prev: &str,
    ) -> AuditRecord {
        let mut r = AuditRecord {
            seq,
            chain,
            link,
            at: "2026-03-01T08:00:00.000Z".into(),
            jurisdiction_id: 1,
            actor_id: 2,
            actor: "unit".into(),
            action: action.into(),
            entity_type: "payment".into(),
            entity_id: seq.to_string(),
            before: String::new(),
            after,
            prev_hash: prev.into(),
            hash: String::new(),
            keyed: true,
        };
        r.hash = r.expected_hash(Some(&KEY)).unwrap();
        r
    }

    /// A log: the key start on the main chain, then payments on lines 7 and 8 interleaved,
    /// a seal of both, and one more payment on line 7 after the seal.
    struct Log {
        records: Vec<AuditRecord>,
        main_head: (i64, String),
        line_heads: Vec<(i64, i64, String)>,
    }

    fn log() -> Log {
        let mut records = vec![event(1, 0, 1, KEY_START_ACTION, "{}".into(), GENESIS_HASH)];
        let mut heads: HashMap<i64, (i64, String)> = HashMap::new();
        let mut seq = 1;
        for line in [7, 8, 7, 7, 8] {
            seq += 1;
            let (link, prev) = heads
                .get(&line)
                .cloned()
                .unwrap_or((0, GENESIS_HASH.into()));
            let r = event(
                seq,
                line,
                link + 1,
                "payment.request",
                format!("{{\"n\":{seq}}}"),
                &prev,
            );
            heads.insert(line, (r.link, r.hash.clone()));
            records.push(r);
        }
        let mut sealed: Vec<(i64, i64, String)> = heads
            .iter()
            .map(|(l, (k, h))| (*l, *k, h.clone()))
            .collect();
        sealed.sort();
        let seal = serde_json::to_string(&Seal { lines: sealed }).unwrap();
        let seal = event(seq + 1, 0, 2, SEAL_ACTION, seal, &records[0].hash.clone());
        records.push(seal);
        let (link, prev) = heads[&7].clone();
        let last = event(seq + 2, 7, link + 1, "payment.request", "{}".into(), &prev);
        heads.insert(7, (last.link, last.hash.clone()));
        records.push(last);
        let main_head = (2, records[6].hash.clone());
        let mut line_heads: Vec<_> = heads.into_iter().map(|(l, (k, h))| (l, k, h)).collect();
        line_heads.sort();
        Log {
            records,
            main_head,
            line_heads,
        }
    }

    fn verify(log: &Log) -> Result<(i64, i64), ChainBreak> {
        let mut v = LogVerifier::new(&KEY);
        for r in &log.records {
            v.push(r)?;
        }
        let main = v
            .main
            .finish(Some((log.main_head.0, &log.main_head.1)), true)?;
        for (line, link, hash) in &log.line_heads {
            v.lines.check_head(*line, *link, hash)?;
        }
        Ok((main, v.lines.finish()?))
    }

    #[test]
    fn a_log_of_main_and_line_chains_verifies() {
        assert_eq!(verify(&log()), Ok((2, 6)));
    }

    #[test]
    fn an_altered_line_event_is_named() {
        let mut l = log();
        l.records[3].after = "{\"amount\":1}".into();
        let brk = verify(&l).unwrap_err();
        assert_eq!(brk.seq, 4);
        assert!(brk.reason.contains("篡改"), "{}", brk.reason);
    }

    #[test]
    fn an_event_moved_to_another_line_does_not_verify_there() {
        let mut l = log();
        // Line 8's first event re-filed as line 9's: its hash covered line 8.
        l.records[2].chain = 9;
        l.line_heads.push((9, 1, l.records[2].hash.clone()));
        assert_eq!(verify(&l).unwrap_err().seq, 3);
    }

    #[test]
    fn a_removed_line_event_is_named_at_the_next_one_of_its_line() {
        let mut l = log();
        l.records.remove(3); // line 7's second event
        let brk = verify(&l).unwrap_err();
        assert_eq!(brk.seq, 5);
        assert!(
            brk.reason.contains("指标 #7 的审计链缺少第 2 条"),
            "{}",
            brk.reason
        );
    }

    #[test]
    fn a_removed_newest_line_event_is_caught_by_the_line_head() {
        let mut l = log();
        l.records.pop();
        let brk = verify(&l).unwrap_err();
        assert!(
            brk.reason.contains("指标 #7 的审计链头记录为第 4 条"),
            "{}",
            brk.reason
        );
    }

    #[test]
    fn a_line_truncated_before_its_seal_is_caught_by_the_seal_even_with_its_head_reset() {
        let mut l = log();
        // Line 8's newest event (before the seal) removed and its head set back by hand.
        let removed = l.records.remove(5);
        let head = l.line_heads.iter_mut().find(|h| h.0 == 8).unwrap();
        head.1 = 1;
        head.2 = removed.prev_hash.clone();
        let brk = verify(&l).unwrap_err();
        assert_eq!(brk.seq, 7, "named at the seal");
        assert!(
            brk.reason.contains("指标 #8 的审计链到第 2 条"),
            "{}",
            brk.reason
        );
    }

    #[test]
    fn a_deleted_line_head_is_named() {
        let mut l = log();
        l.line_heads.retain(|h| h.0 != 8);
        let brk = verify(&l).unwrap_err();
        assert!(
            brk.reason
                .contains("指标 #8 的审计链有 2 条事件，却没有链头记录"),
            "{}",
            brk.reason
        );
    }

    #[test]
    fn an_unkeyed_line_event_is_refused() {
        let mut l = log();
        l.records[2].keyed = false;
        l.records[2].hash = l.records[2].expected_hash(None).unwrap();
        assert_eq!(verify(&l).unwrap_err().seq, 3);
    }
}
