//! The one error type of use cases; the web layer turns it into problem+json or a page message.

use lingji_domain::Refusal;
use lingji_store::StoreError;

/// `Retry-After` while the database is out of reach: long enough not to hammer it as it comes
/// back, short enough that users are not kept waiting once it is.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Why a use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input or a policy rule refused (HTTP 422).
    #[error("{0}")]
    Refused(Refusal),
    /// The caller's role or organisation scope does not allow it (HTTP 403).
    #[error("{0}")]
    Forbidden(Refusal),
    /// No such thing, or not visible to the caller (HTTP 404).
    #[error("{0}")]
    NotFound(Refusal),
    /// Many inputs are wrong at once, e.g. rows of an imported file (HTTP 422): a summary and
    /// every refusal, each naming its row and column.
    #[error("{summary}")]
    Invalid {
        /// What happened as a whole.
        summary: Refusal,
        /// One refusal per wrong cell or row.
        errors: Vec<Refusal>,
    },
    /// It exists already, or somebody changed it first (HTTP 409).
    #[error("{0}")]
    Conflict(Refusal),
    /// Not signed in, or wrong credentials (HTTP 401).
    #[error("{0}")]
    Unauthenticated(Refusal),
    /// Too many failed attempts from this address (HTTP 429 with `Retry-After`).
    #[error("{refusal}")]
    Throttled {
        /// What the user reads.
        refusal: Refusal,
        /// Seconds until an attempt is taken again.
        retry_after: u64,
    },
    /// The database cannot be reached; details go to the log (HTTP 503 with `Retry-After`).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A fault of ours; details go to the log, not to the user (HTTP 500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The refusal carried, or a generic one for internal faults.
    pub fn refusal(&self) -> Refusal {
        match self {
            AppError::Refused(r)
            | AppError::Forbidden(r)
            | AppError::NotFound(r)
            | AppError::Conflict(r)
            | AppError::Unauthenticated(r)
            | AppError::Throttled { refusal: r, .. }
            | AppError::Invalid { summary: r, .. } => r.clone(),
            AppError::Unavailable(_) => {
                Refusal::new("DATABASE_UNAVAILABLE", "数据库暂时无法连接，请稍后重试")
            }
            AppError::Internal(_) => {
                Refusal::new("INTERNAL", "系统内部错误，请稍后重试或联系管理员")
            }
        }
    }

    /// Several refusals at once, under one summary.
    pub fn invalid(code: &'static str, message: &str, errors: Vec<Refusal>) -> AppError {
        AppError::Invalid {
            summary: Refusal::new(code, format!("{message}：{} 处需要修改", errors.len())),
            errors,
        }
    }

    /// Seconds after which a client may try again: for throttling, until the wait ends; while
    /// the database is out of reach, a few seconds.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Throttled { retry_after, .. } => Some(*retry_after),
            AppError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        }
    }

    /// A not-found error for a kind of thing.
    pub fn not_found(what: &str) -> AppError {
        AppError::NotFound(Refusal::new("NOT_FOUND", format!("{what}不存在或无权查看")))
    }

    /// The error for a row changed by somebody else since it was read.
    pub fn stale() -> AppError {
        AppError::Conflict(Refusal::new(
            "STALE_VERSION",
            "数据已被他人修改，请刷新后重新提交",
        ))
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        if r.code == "FORBIDDEN" {
            AppError::Forbidden(r)
        } else {
            AppError::Refused(r)
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Stale => AppError::stale(),
            StoreError::Conflict(what) => AppError::Conflict(Refusal::new(
                "DUPLICATE",
                format!("记录已存在（{what}），不能重复创建"),
            )),
            StoreError::Unstorable => AppError::Refused(Refusal::new(
                "TEXT_CONTROL_CHAR",
                "输入中含有不可见的控制字符，请删去后重试",
            )),
            e @ StoreError::Unavailable(_) => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::from(StoreError::from(e))
    }
}

/// Result of a use case.
pub type AppResult<T> = Result<T, AppError>;

/// A reason or note a decision needs: `text` trimmed, when it is given and at most 500
/// characters; else `refusal` (which names the field and, where there is one, the clause).
pub(crate) fn required_note(text: &str, refusal: impl FnOnce() -> Refusal) -> AppResult<&str> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 500 {
        return Err(refusal().into());
    }
    Ok(text)
}
