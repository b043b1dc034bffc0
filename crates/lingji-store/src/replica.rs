//! Read-your-writes on a PostgreSQL streaming replica.
//!
//! A replica replays the primary's write-ahead log a moment later. Whoever just wrote must
//! still see the write on their next read, whichever lingji server behind the load balancer
//! answers it. The position in the log is the currency: after a request that wrote, the web
//! layer asks the primary where its log now ends ([`crate::Store::primary_lsn`]) and gives it
//! to the client (a cookie for browsers, a header for API clients); the client's next request
//! brings it back, and runs inside [`within_request`] with it. A read of that request
//! ([`crate::Store::read`]) then uses the replica only if the replica has replayed that far
//! (`pg_last_wal_replay_lsn()`), and the primary otherwise — no waiting, no stale answer.
//! Reads of requests that carry no position go to the replica as it is.
//!
//! A request that has written reads on the primary from then on: the answer to a write shows
//! what was written.
//!
//! Work outside any request — a command of the CLI, a background job, a task a request spawned,
//! a test calling a use case — knows no position, and may read what it just wrote: its reads go
//! to the primary. Without a replica configured, every read goes where it always went.

use std::cell::Cell;
use std::fmt;
use std::str::FromStr;

/// A position in PostgreSQL's write-ahead log (`pg_lsn`), written `16/B374D848`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lsn(pub u64);

impl FromStr for Lsn {
    type Err = ();

    /// Two hexadecimal halves of at most 8 digits around a slash, as PostgreSQL writes them.
    fn from_str(s: &str) -> Result<Lsn, ()> {
        let (hi, lo) = s.trim().split_once('/').ok_or(())?;
        let half = |h: &str| {
            if h.is_empty() || h.len() > 8 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(());
            }
            u32::from_str_radix(h, 16).map_err(|_| ())
        };
        Ok(Lsn((u64::from(half(hi)?) << 32) | u64::from(half(lo)?)))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// What one request brought and did.
struct Request {
    /// The log position the caller has seen written (its own last write).
    after: Option<Lsn>,
    /// Whether the request used the primary for a write (a transaction or the write pool).
    wrote: Cell<bool>,
}

tokio::task_local! {
    static REQUEST: Request;
}

/// Runs one request's work: its reads see at least `after` (the caller's last write), and the
/// answer says whether it wrote (so that the caller is given the primary's new position).
/// Work spawned onto other tasks is outside the request: it reads from the replica as it is.
pub async fn within_request<F: Future>(after: Option<Lsn>, work: F) -> (F::Output, bool) {
    let request = Request {
        after,
        wrote: Cell::new(false),
    };
    REQUEST
        .scope(request, async move {
            let out = work.await;
            let wrote = REQUEST.with(|r| r.wrote.get());
            (out, wrote)
        })
        .await
}

/// Where the current request's reads must go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Outside any request, or a request that has written: what the primary has.
    Primary,
    /// At least what the caller last wrote, if the request brought that.
    After(Option<Lsn>),
}

/// Where the current request's reads must go: a request that has written reads its own write
/// from the primary (the replica has not replayed it yet); one that has not needs what it
/// brought.
pub(crate) fn required() -> Need {
    REQUEST
        .try_with(|r| {
            if r.wrote.get() {
                Need::Primary
            } else {
                Need::After(r.after)
            }
        })
        .unwrap_or(Need::Primary)
}

/// Notes that the current request wrote (no-op outside a request).
pub(crate) fn note_write() {
    let _ = REQUEST.try_with(|r| r.wrote.set(true));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_read_and_write_as_postgres_does() {
        let lsn: Lsn = "16/B374D848".parse().unwrap();
        assert_eq!(lsn.0, 0x16_B374_D848);
        assert_eq!(lsn.to_string(), "16/B374D848");
        assert_eq!("0/0".parse::<Lsn>().unwrap(), Lsn(0));
        assert!("9/FC425970".parse::<Lsn>().unwrap() < "A/0".parse::<Lsn>().unwrap());
        for bad in [
            "",
            "16",
            "/1",
            "1/",
            "x/1",
            "1/123456789",
            "1/2/3",
            "-1/2",
            "+1/2",
        ] {
            assert!(bad.parse::<Lsn>().is_err(), "{bad:?} accepted");
        }
    }

    #[tokio::test]
    async fn a_request_remembers_what_it_brought_and_whether_it_wrote() {
        assert_eq!(required(), Need::Primary);
        note_write(); // outside a request: nothing to note
        let (need, wrote) = within_request(Some(Lsn(7)), async { required() }).await;
        assert_eq!((need, wrote), (Need::After(Some(Lsn(7))), false));
        let (need, _) = within_request(None, async { required() }).await;
        assert_eq!(need, Need::After(None));
        let (need, wrote) = within_request(None, async {
            note_write();
            required()
        })
        .await;
        assert_eq!((need, wrote), (Need::Primary, true));
    }
}
