//! `/payments`: the payment requests a person may see, by state, filtered, sorted, totalled
//! and paged by the store (issue 20, point 4), exact at any number of payments (issue 21).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;

use lingji_app::AppResult;
use lingji_app::execution::payment_list::check_text;
use lingji_app::execution::payments::PaymentRow;
use lingji_app::store::execution::payment_list::{PaymentSearch, PaymentSort};
use lingji_app::store::execution::payments::PaymentFilter;
use lingji_domain::Money;
use lingji_domain::execution::PaymentStatus;

use super::payments::may_request;
use crate::pages::listing::{Listing, Orgs};
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
    /// Why the text filter was refused, shown beside it.
    text_error: Option<String>,
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

/// The search the query asks for: filters, text, sort and the listing's page, all answered by
/// the store.
fn search_of(listing: &Listing, status: Option<PaymentStatus>, queue: bool) -> PaymentSearch {
    let text = listing.filter("q");
    PaymentSearch {
        filter: PaymentFilter {
            status,
            queue,
            unit_id: listing.id_filter("unit_id"),
            fiscal_year: listing.filter("year").parse().ok(),
            ..PaymentFilter::default()
        },
        text: (!text.is_empty()).then(|| text.to_string()),
        sort: PaymentSort::parse(&listing.sort).unwrap_or_default(),
        desc: listing.desc,
        offset: i64::try_from(listing.offset()).unwrap_or(i64::MAX),
        limit: i64::try_from(listing.per_page()).unwrap_or(50),
    }
}

/// Payments filtered by state, year, unit and text, counted, totalled, sorted and paged by the
/// use case (the store): the count and the total are of every payment found, however many.
pub(super) async fn list(
    Page { state, id, uri }: Page,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let mut listing = Listing::new(uri.path(), &q, &PAYMENT_SORTS, &PAYMENT_FILTERS);
    let status = listing.filter("status").to_string();
    let parsed = PaymentStatus::parse(&status);
    // A list of what waits for finance is worked in QJ-4a order: priority subjects first.
    let queue = matches!(parsed, Some(PaymentStatus::Held | PaymentStatus::Pending));
    // A text longer than the store searches by is refused beside its field, and nothing listed.
    let text_error = check_text(Some(listing.filter("q")))
        .err()
        .map(|e| e.refusal().message);
    let execution = state.app.execution();
    let loaded = async {
        let orgs = Orgs::of(&state, &id).await?;
        if text_error.is_some() {
            listing.counted(0);
            return AppResult::Ok((Vec::new(), Some(Money::ZERO), orgs));
        }
        let mut page = execution
            .payments_page(&id.scope(), search_of(&listing, parsed, queue))
            .await?;
        // A page past the last shows the last.
        if listing.counted(usize::try_from(page.count).unwrap_or(usize::MAX)) && page.count > 0 {
            page = execution
                .payments_page(&id.scope(), search_of(&listing, parsed, queue))
                .await?;
        }
        AppResult::Ok((page.rows, Some(page.total), orgs))
    };
    match loaded.await {
        Ok((rows, total, orgs)) => {
            let total = listing.shown(total);
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
                    text_error,
                },
            )
        }
        Err(e) => error_page(&id, uri.path(), &e),
    }
}
