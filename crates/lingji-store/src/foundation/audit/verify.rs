//! `lingji audit verify`: the whole log walked with the key — main chain, line chains, seals —
//! the anchor kept elsewhere, and every payment held to its events and its ledger entry.

use std::collections::HashMap;

use lingji_domain::foundation::audit::{
    AuditRecord, ChainBreak, KEY_START_ACTION, LogVerifier, MAIN_CHAIN,
};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use super::{KeyStart, Row, installed_key};
use crate::error::StoreError;

/// What a payment request's audit event records (`payment.request`, its `after`): what
/// `lingji audit verify` holds the stored payment to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditedPayment {
    /// The line it draws on.
    pub line_id: i64,
    /// Amount in fen.
    pub amount: i64,
    pub payee_name: String,
    /// Payee's account.
    pub payee_account: String,
    pub economic_code: String,
    /// Idempotency key (the reference of its ledger entries).
    pub idempotency_key: String,
    /// State after the checks.
    pub status: String,
}

/// The action of a payment request's event.
pub const PAYMENT_REQUEST_ACTION: &str = "payment.request";

/// A payment as its events left it, compact so that a year of payments fits in memory: the
/// payee, account, code and key as one digest.
struct Tracked {
    seq: i64,
    line_id: i64,
    amount: i64,
    rest: [u8; 16],
    status: Box<str>,
}

fn rest_digest(name: &str, account: &str, code: &str, key: &str) -> [u8; 16] {
    use lingji_domain::foundation::audit::hmac_sha256;
    let d = hmac_sha256(
        b"payment",
        &[
            name.as_bytes(),
            b"\0",
            account.as_bytes(),
            b"\0",
            code.as_bytes(),
            b"\0",
            key.as_bytes(),
        ],
    );
    let mut out = [0_u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

/// What `lingji audit verify` found.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// The log: its event count (main chain and line chains), or where it breaks.
    pub chain: Result<i64, ChainBreak>,
    /// The main chain's last verified event (position and hash): the anchor to keep.
    pub head: (i64, String),
    /// The log's number of the first keyed event.
    pub keyed_from: Option<i64>,
    /// The anchor given, when one was: reached, or why not.
    pub anchor: Option<Result<(), String>>,
    /// Payments against their events and ledger entries: the number checked, or every damage
    /// found (a damaged payment each, named by id).
    pub payments: Result<i64, Vec<String>>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn is_intact(&self) -> bool {
        self.chain.is_ok() && self.payments.is_ok() && !matches!(self.anchor, Some(Err(_)))
    }
}

/// Verifies the whole log against the heads with the installed key; the number of events on an
/// intact log. See [`verify_all`] for the payments and the anchor.
pub async fn verify(conn: &mut AnyConnection) -> Result<Result<i64, ChainBreak>, StoreError> {
    Ok(verify_all(conn, None).await?.chain)
}

/// How many payment damages are listed before the rest are only counted.
const DAMAGE_LIST: usize = 20;

/// Verifies the whole log with the installed key — the main chain, every line chain and every
/// seal — reading in pages inside one snapshot (memory flat but for one entry per line and per
/// audited payment); checks the main chain still reaches `anchor` (position and hash kept
/// elsewhere), and cross-checks every payment against its request and decision events and its
/// hold in the ledger.
pub async fn verify_all(
    conn: &mut AnyConnection,
    anchor: Option<(i64, &str)>,
) -> Result<VerifyReport, StoreError> {
    use sqlx::Connection;
    let key = installed_key()?;
    // One snapshot for every page, the heads and the payments: on PostgreSQL, events commit
    // out of the log's order (a line's request may commit after a later number), so pages read
    // at different moments could miss one.
    let mut tx = conn.begin().await?;
    if crate::is_postgres(&tx) {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    let (head_link, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    let mut v = LogVerifier::new(key);
    let mut tracked: HashMap<i64, Tracked> = HashMap::new();
    let mut start = KeyStart::default();
    let mut anchor_seen = None;
    let mut broken = None;
    let mut damage = Vec::new();
    let mut after = 0_i64;
    'pages: loop {
        let page: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            audit_columns!(),
            " FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 5000"
        ))
        .bind(after)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for row in page {
            let r = AuditRecord::from(row);
            if let Err(b) = v.push(&r) {
                broken = Some(b);
                break 'pages;
            }
            if let Some((link, hash)) = anchor
                && r.chain == MAIN_CHAIN
                && r.link == link
            {
                anchor_seen = Some(r.hash == hash);
            }
            track(&r, &mut tracked, &mut start, &mut damage);
        }
    }
    let keyed_from = v.main.keyed_from();
    let (verified, last_hash) = {
        let (link, hash) = v.main.position();
        (link, hash.to_string())
    };
    let chain = match broken {
        Some(b) => Err(b),
        None => finish_log(&mut tx, v, (head_link, &head_hash)).await?,
    };
    let anchor = anchor.map(|(link, _)| match anchor_seen {
        Some(true) => Ok(()),
        Some(false) => Err(format!(
            "锚点第 {link} 条事件的哈希与保存的锚点不符：审计链被改写"
        )),
        None if link > verified && chain.is_ok() => Err(format!(
            "审计主链只到第 {verified} 条事件，达不到锚点第 {link} 条：末尾事件被删除"
        )),
        None => Err(format!(
            "审计链在主链第 {} 条事件处断开，无法核对锚点第 {link} 条",
            verified + 1
        )),
    });
    let payments = if chain.is_ok() {
        check_payments(&mut tx, tracked, start, damage).await?
    } else {
        Err(vec!["审计链不可信，未核对支付申请".into()])
    };
    tx.rollback().await?;
    Ok(VerifyReport {
        chain,
        head: (verified, last_hash),
        keyed_from,
        anchor,
        payments,
    })
}

/// Ends the walk: the main chain against its head, every line chain against its head (read in
/// pages); the number of events on an intact log.
async fn finish_log(
    conn: &mut AnyConnection,
    v: LogVerifier<'_>,
    main_head: (i64, &str),
) -> Result<Result<i64, ChainBreak>, StoreError> {
    let LogVerifier { main, mut lines } = v;
    let main = match main.finish(Some(main_head), true) {
        Ok(n) => n,
        Err(b) => return Ok(Err(b)),
    };
    let mut after = 0_i64;
    loop {
        let page: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT line_id, link, hash FROM audit_line_heads WHERE line_id > $1 \
             ORDER BY line_id LIMIT 5000",
        )
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (line, link, hash) in page {
            if let Err(b) = lines.check_head(line, link, &hash) {
                return Ok(Err(b));
            }
        }
    }
    Ok(lines.finish().map(|on_lines| main + on_lines))
}

/// Notes what a verified event says about payments.
fn track(
    r: &AuditRecord,
    tracked: &mut HashMap<i64, Tracked>,
    start: &mut KeyStart,
    damage: &mut Vec<String>,
) {
    #[derive(Deserialize)]
    struct Status {
        status: String,
    }
    if r.action == KEY_START_ACTION && r.keyed {
        *start = serde_json::from_str(&r.after).unwrap_or_default();
        return;
    }
    if r.entity_type != "payment" {
        return;
    }
    let Ok(id) = r.entity_id.parse::<i64>() else {
        return;
    };
    if r.action == PAYMENT_REQUEST_ACTION {
        match serde_json::from_str::<AuditedPayment>(&r.after) {
            Ok(p) => {
                tracked.insert(
                    id,
                    Tracked {
                        seq: r.seq,
                        line_id: p.line_id,
                        amount: p.amount,
                        rest: rest_digest(
                            &p.payee_name,
                            &p.payee_account,
                            &p.economic_code,
                            &p.idempotency_key,
                        ),
                        status: p.status.into(),
                    },
                );
            }
            Err(e) => damage.push(format!("第 {} 号审计事件的支付内容无法读取：{e}", r.seq)),
        }
    } else if let (Some(t), Ok(s)) = (
        tracked.get_mut(&id),
        serde_json::from_str::<Status>(&r.after),
    ) {
        t.status = s.status.into();
    }
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    id: i64,
    line_id: i64,
    amount: i64,
    payee_name: String,
    payee_account: String,
    economic_code: String,
    idempotency_key: String,
    status: String,
}

/// Every payment against its events, and every held payment against its ledger entry.
async fn check_payments(
    conn: &mut AnyConnection,
    mut tracked: HashMap<i64, Tracked>,
    start: KeyStart,
    damage: Vec<String>,
) -> Result<Result<i64, Vec<String>>, StoreError> {
    let mut damage = Damage {
        listed: damage,
        more: 0,
    };
    let count = check_against_events(conn, &mut tracked, start, &mut damage).await?;
    let mut gone: Vec<(i64, i64)> = tracked.iter().map(|(id, t)| (*id, t.seq)).collect();
    gone.sort_unstable();
    for (id, seq) in gone {
        damage.note(format!(
            "支付申请 #{id} 已从数据库中删除（第 {seq} 号审计事件记载了它）"
        ));
    }
    check_ledger_holds(conn, &mut damage).await?;
    Ok(damage.into_result(count))
}

/// Damage found in the payments: the first [`DAMAGE_LIST`] listed, the rest only counted.
struct Damage {
    listed: Vec<String>,
    more: usize,
}

impl Damage {
    fn note(&mut self, what: String) {
        if self.listed.len() < DAMAGE_LIST {
            self.listed.push(what);
        } else {
            self.more += 1;
        }
    }

    fn into_result(mut self, count: i64) -> Result<i64, Vec<String>> {
        if self.more > 0 {
            self.listed.push(format!("另有 {} 处不符未列出", self.more));
        }
        if self.listed.is_empty() {
            Ok(count)
        } else {
            Err(self.listed)
        }
    }
}

/// Every stored payment (in pages) against what its events recorded; the payments read. A
/// payment matched is taken out of `tracked`, so what is left there was deleted.
async fn check_against_events(
    conn: &mut AnyConnection,
    tracked: &mut HashMap<i64, Tracked>,
    start: KeyStart,
    damage: &mut Damage,
) -> Result<i64, StoreError> {
    let mut count = 0_i64;
    let mut after = 0_i64;
    loop {
        let page: Vec<PaymentRow> = sqlx::query_as(
            "SELECT id, line_id, amount, payee_name, payee_account, economic_code, \
             idempotency_key, status FROM payments WHERE id > $1 ORDER BY id LIMIT 5000",
        )
        .bind(after)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for p in page {
            count += 1;
            let Some(t) = tracked.remove(&p.id) else {
                if p.id > start.payments_before {
                    damage.note(format!(
                        "支付申请 #{} 没有申请审计事件：不是经由 lingji 记录的（直接写入数据库）",
                        p.id
                    ));
                }
                continue;
            };
            let wrong = changed(&t, &p);
            if !wrong.is_empty() {
                damage.note(format!(
                    "支付申请 #{} 被改动：{}与第 {} 号起的审计事件不符",
                    p.id,
                    wrong.join("、"),
                    t.seq
                ));
            }
        }
    }
    Ok(count)
}

/// What of a stored payment differs from what its events recorded.
fn changed(t: &Tracked, p: &PaymentRow) -> Vec<String> {
    let mut wrong = Vec::new();
    if t.amount != p.amount {
        wrong.push(format!(
            "金额（审计事件记载 {} 分，数据库中 {} 分）",
            t.amount, p.amount
        ));
    }
    if t.line_id != p.line_id {
        wrong.push(format!(
            "预算指标（审计事件记载 #{}，数据库中 #{}）",
            t.line_id, p.line_id
        ));
    }
    if t.rest
        != rest_digest(
            &p.payee_name,
            &p.payee_account,
            &p.economic_code,
            &p.idempotency_key,
        )
    {
        wrong.push("收款人、账号、经济分类或请求标识".into());
    }
    if *t.status != *p.status {
        wrong.push(format!(
            "状态（审计事件记载 {}，数据库中 {}）",
            t.status, p.status
        ));
    }
    wrong
}

/// A payment that holds money has its hold in the ledger, on its line, with its key; and every
/// hold in the ledger has its payment.
async fn check_ledger_holds(
    conn: &mut AnyConnection,
    damage: &mut Damage,
) -> Result<(), StoreError> {
    let unheld: Vec<(i64,)> = sqlx::query_as(
        "SELECT p.id FROM payments p WHERE p.status IN ('held', 'pending', 'paid', 'released') \
         AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.line_id = p.line_id \
         AND e.reference = p.idempotency_key AND e.kind = 'reserve' AND e.amount = p.amount) \
         ORDER BY p.id LIMIT 21",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (id,) in unheld {
        damage.note(format!(
            "支付申请 #{id} 与其指标账的占用分录不符（金额、指标或分录被改动或删除）"
        ));
    }
    let orphans: Vec<(i64, String)> = sqlx::query_as(
        "SELECT e.line_id, e.reference FROM ledger_entries e WHERE e.kind = 'reserve' \
         AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.line_id = e.line_id \
         AND p.idempotency_key = e.reference) ORDER BY e.id LIMIT 21",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (line, reference) in orphans {
        damage.note(format!(
            "指标 #{line} 的占用分录（{reference}）没有对应的支付申请：支付申请被删除或改动"
        ));
    }
    Ok(())
}
