//! The payees a caller has paid before (收款人), for the payment form's picker: a unit operator
//! types the same payees again and again.

use lingji_domain::Refusal;
use lingji_domain::execution::PayeeKind;
use lingji_domain::foundation::authz::Resource;
use lingji_store::execution::payees::{self as store, KnownPayee, PayeeFilter};
use serde::Serialize;

use crate::Scope;
use crate::error::AppResult;

/// At most this many payees in one answer.
pub const PAYEES_MAX: i64 = 50;
/// The longest search text read (characters).
pub const PAYEE_SEARCH_MAX: usize = 50;

/// A payee paid before: name, type and account, as the payment form fills them in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PayeeRow {
    /// 收款人.
    pub payee_name: String,
    /// unit (单位), individual (个人) or official_card (公务卡).
    #[schema(value_type = crate::schema::PayeeKind)]
    pub payee_kind: PayeeKind,
    /// Its Chinese name.
    pub payee_kind_label: &'static str,
    /// 收款账号 or 公务卡号 used last with this payee.
    pub payee_account: String,
}

impl From<KnownPayee> for PayeeRow {
    fn from(p: KnownPayee) -> Self {
        PayeeRow {
            payee_name: p.name,
            payee_kind: p.kind,
            payee_kind_label: p.kind.label(),
            payee_account: p.account,
        }
    }
}

impl crate::ExecutionUseCases<'_> {
    /// The distinct payees of the payments the caller may see (a unit its own, a department its
    /// units', finance and audit the jurisdiction's), most recently used first, at most
    /// [`PAYEES_MAX`]; `search` keeps those whose name contains it (at most
    /// [`PAYEE_SEARCH_MAX`] characters, longer is refused).
    #[tracing::instrument(skip_all, fields(jurisdiction = scope.jurisdiction))]
    pub async fn known_payees(&self, scope: &Scope, search: &str) -> AppResult<Vec<PayeeRow>> {
        let (caller, jurisdiction_id) = (&scope.caller, scope.jurisdiction);
        let (department_id, unit_id) = caller.read_scope(Resource::Payment, jurisdiction_id)?;
        let search = search.trim();
        if search.chars().count() > PAYEE_SEARCH_MAX {
            return Err(Refusal::new(
                "PAYEE_SEARCH_TOO_LONG",
                format!("收款人查找文字最多 {PAYEE_SEARCH_MAX} 个字"),
            )
            .field("q")
            .into());
        }
        let filter = PayeeFilter {
            unit_id,
            department_id,
            search: Some(search.to_string()).filter(|s| !s.is_empty()),
            limit: PAYEES_MAX,
        };
        let mut conn = self.store.read().acquire().await?;
        Ok(store::known(&mut conn, jurisdiction_id, &filter)
            .await?
            .into_iter()
            .map(PayeeRow::from)
            .collect())
    }
}
