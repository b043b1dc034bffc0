//! `/payments`: the payment requests a person may see, by state, filtered, sorted, totalled
//! and paged (issue 20, point 4).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;

use lingji_app::AppResult;
use lingji_app::execution::payments::PaymentRow;
use lingji_app::store::execution::payments::PaymentFilter;
use lingji_domain::execution::PaymentStatus;

use super::payments::may_request;
use crate::pages::listing::{self, Key, Listing, Orgs};
use crate::pages::{Layout, Page, error_page, render};

#[derive(Template)]
#[template(path = "payments.html")]
struct ListPage<'a> {
    layout: &'a Layout,
    rows: Vec<PaymentRow>,
    status: String,
    queue: bool,
    may_request: bool,
    listing: Listing,
    orgs: Orgs,
    /// 金额 of every payment the filters find.
    total: String,
    /// The use case lists at most this many; more are left out, newest kept.
    capped: bool,
}

impl ListPage<'_> {
    fn tabs(&self) -> Vec<(&'static str, &'static str)> {
        let mut t = vec![("", "全部")];
        t.extend(PaymentStatus::ALL.iter().map(|s| (s.as_str(), s.label())));
        t
    }
    /// A state tab's link, with the other filters kept.
    fn tab_link(&self, status: &str) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for f in ["year", "unit_id", "q"] {
            let v = self.listing.filter(f);
            if !v.is_empty() {
                s.append_pair(f, v);
            }
        }
        if !status.is_empty() {
            s.append_pair("status", status);
        }
        let q = s.finish();
        if q.is_empty() {
            "/payments".into()
        } else {
            format!("/payments?{q}")
        }
    }
}

/// The payments' filters and the columns they sort by.
const PAYMENT_FILTERS: [&str; 4] = ["status", "year", "unit_id", "q"];
const PAYMENT_SORTS: [&str; 6] = ["id", "date", "unit", "payee", "amount", "status"];
/// The most payments the use case lists at once.
const PAYMENT_CAP: i64 = 1000;

/// Payments filtered by state, year and unit in the use case (the store), by payee, purpose
/// or number here; sorted, totalled and paged here.
pub(super) async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut listing = Listing::new(uri.path(), &q, &PAYMENT_SORTS, &PAYMENT_FILTERS);
    let status = listing.filter("status").to_string();
    let parsed = PaymentStatus::parse(&status);
    // A list of what waits for finance is worked in QJ-4a order: priority subjects first.
    let queue = matches!(parsed, Some(PaymentStatus::Held | PaymentStatus::Pending));
    let filter = PaymentFilter {
        status: parsed,
        queue,
        unit_id: listing.id_filter("unit_id"),
        fiscal_year: listing.filter("year").parse().ok(),
        limit: PAYMENT_CAP,
        ..PaymentFilter::default()
    };
    let loaded = async {
        let rows = state.app.execution().payments(&id.scope(), filter).await?;
        let orgs = Orgs::of(&state, &id).await?;
        AppResult::Ok((rows, orgs))
    };
    match loaded.await {
        Ok((mut rows, orgs)) => {
            let capped = rows.len() as i64 == PAYMENT_CAP;
            let text = listing.filter("q").to_lowercase();
            rows.retain(|p| {
                text.is_empty()
                    || p.id.to_string() == text
                    || p.draft.payee_name.to_lowercase().contains(&text)
                    || p.draft.purpose.to_lowercase().contains(&text)
            });
            let total = listing.shown(listing::total(&rows, |p| p.draft.amount));
            listing.sort(&mut rows, |p, key| match key {
                "date" => Key::from(p.draft.date.to_string()),
                "unit" => Key::from(orgs.name(&p.unit_id)),
                "payee" => Key::from(p.draft.payee_name.as_str()),
                "amount" => Key::from(p.draft.amount),
                "status" => Key::from(p.status_label),
                _ => Key::from(p.id),
            });
            let rows = listing.paginate(rows);
            let layout = Layout::new(&id, "支付申请", uri.path());
            render(
                StatusCode::OK,
                &ListPage {
                    layout: &layout,
                    rows,
                    status,
                    queue,
                    may_request: may_request(&id),
                    listing,
                    orgs,
                    total,
                    capped,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
