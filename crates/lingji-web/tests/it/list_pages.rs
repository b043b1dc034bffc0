//! Lists that add up (issue 20): the project library, 待我审核, payments and budget lines on
//! the lived demo — filters, sorting by a column, totals over every filtered row, page numbers
//! and a bulk review refused for one project that keeps what was ticked and typed.

use crate::common::{Session, TestApp};
use lingji_app::store::{Backend, backend_tests};
use lingji_domain::Money;

/// The text of the element carrying `data-testid="{id}"` (its first text node).
pub(crate) fn testid<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in the page"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap();
    rest[start..start + end].trim()
}

/// (count, page, pages) of the pager: "共 123 条，第 2/7 页".
pub(crate) fn pager(html: &str) -> (usize, usize, usize) {
    let s = testid(html, "pager-count");
    let nums: Vec<usize> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|x| !x.is_empty())
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 3, "{s}");
    (nums[0], nums[1], nums[2])
}

/// The text of the table's `<td class="num">` cells in its body, in order.
fn body_cells(html: &str, table: &str) -> Vec<String> {
    let at = html.find(&format!("data-testid=\"{table}\"")).unwrap();
    let body = &html[at..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<td class=\"num\">")
        .skip(1)
        .map(|c| {
            let cell = &c[..c.find("</td>").unwrap()];
            // The text of the cell, without a link around it.
            cell.split('<')
                .map(|part| part.split_once('>').map_or(part, |(_, t)| t))
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect()
}

/// The amounts (or numbers) of the table's `<td class="num">` cells in its body, in order.
pub(crate) fn body_amounts(html: &str, table: &str) -> Vec<Money> {
    body_cells(html, table)
        .iter()
        // A score reads "63分": its number.
        .map(|text| Money::parse(&text.trim_end_matches('分').replace(',', "")).unwrap())
        .collect()
}

pub(crate) fn money(s: &str) -> Money {
    Money::parse(&s.replace(',', "")).unwrap_or_else(|e| panic!("{s}: {e:?}"))
}

async fn the_library_filters_sorts_totals_and_pages(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let all = t.get("/projects", Some(&fin)).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let all = all.text;
    let (count, page, pages) = pager(&all);
    assert!(count > 50, "the lived demo has more than a page: {count}");
    assert_eq!((page, pages), (1, count.div_ceil(50)));
    assert!(
        all.contains("单位</a></th>") && all.contains("年度</a></th>"),
        "{all}"
    );
    let total = money(testid(&all, "projects-total"));

    // Sorted by amount, largest first: the first page falls, and the total is the same.
    let by_amount = t
        .get("/projects?sort=amount&dir=desc", Some(&fin))
        .await
        .text;
    let amounts = body_amounts(&by_amount, "project-table");
    assert_eq!(amounts.len(), 50);
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "{amounts:?}");
    assert_eq!(money(testid(&by_amount, "projects-total")), total);
    // The pager keeps the sort; the second page continues where the first stopped.
    assert!(by_amount.contains("href=\"/projects?sort=amount&#38;dir=desc&#38;page=2\""));
    let second = t
        .get("/projects?sort=amount&dir=desc&page=2", Some(&fin))
        .await
        .text;
    assert_eq!(pager(&second).1, 2);
    let next = body_amounts(&second, "project-table");
    assert!(next[0] <= amounts[49]);

    // Filtered by state: fewer rows, and the total adds up what the filter finds.
    let funded = t.get("/projects?state=funded", Some(&fin)).await.text;
    let (n, _, _) = pager(&funded);
    assert!(n > 0 && n < count, "{n} of {count}");
    let mut sum = Money::ZERO;
    let mut p = 1;
    loop {
        let page = t
            .get(&format!("/projects?state=funded&page={p}"), Some(&fin))
            .await
            .text;
        for a in body_amounts(&page, "project-table") {
            sum = sum.checked_add(a).unwrap();
        }
        if p == pager(&page).2 {
            break;
        }
        p += 1;
    }
    assert_eq!(money(testid(&funded, "projects-total")), sum);
    assert!(funded.contains("<span class=\"state state-funded\">"));
    assert!(!funded.contains("<span class=\"state state-submitted\">"));
    // A year typed as words is refused beside the field, not dropped.
    let words = t.get("/projects?year=二〇二六", Some(&fin)).await;
    assert_eq!(words.status, 422);
    assert!(words.text.contains("“二〇二六”不是年度"), "{}", words.text);
}

/// Each body row of the table as the text of its cells, in order.
fn body_rows(html: &str, table: &str) -> Vec<Vec<String>> {
    let at = html.find(&format!("data-testid=\"{table}\"")).unwrap();
    let body = &html[at..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|c| {
                    let cell = &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()];
                    cell.split('<')
                        .map(|part| part.split_once('>').map_or(part, |(_, t)| t))
                        .collect::<String>()
                        .trim()
                        .to_string()
                })
                .collect()
        })
        .collect()
}

/// Every row of a list's `table`, page after page, as `path` (with its query) sorts it.
async fn every_page(t: &TestApp, who: &Session, path: &str, table: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut p = 1;
    loop {
        let page = t.get(&format!("{path}&page={p}"), Some(who)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        rows.extend(body_rows(&page.text, table));
        if p == pager(&page.text).2 {
            return rows;
        }
        p += 1;
    }
}

/// The library sorted by a column is sorted by the store over every project (issue 21): each
/// project comes once across the pages, in the order of that column as shown — 单位 by name,
/// 类别 and 状态 by their labels, not by stored codes.
async fn every_sort_of_the_library_lists_each_project_once_in_its_columns_order(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let own = every_page(&t, &fin, "/projects?year=2026", "project-table").await;
    let mut codes: Vec<&String> = own.iter().map(|r| &r[0]).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(
        codes.len(),
        own.len(),
        "each project once in the library's own order"
    );
    assert!(own.len() > 50);
    for (key, column, desc) in [
        ("name", 1, false),
        ("unit", 2, true),
        ("kind", 4, false),
        ("state", 8, true),
    ] {
        let dir = if desc { "&dir=desc" } else { "" };
        let rows = every_page(
            &t,
            &fin,
            &format!("/projects?year=2026&sort={key}{dir}"),
            "project-table",
        )
        .await;
        let mut sorted: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
        sorted.sort();
        assert_eq!(sorted, codes, "sorted by {key}: every project once");
        let shown: Vec<&String> = rows.iter().map(|r| &r[column]).collect();
        assert!(
            shown
                .windows(2)
                .all(|w| if desc { w[0] >= w[1] } else { w[0] <= w[1] }),
            "sorted by {key}: {shown:?}"
        );
    }
}

/// The value of every `name="{name}" value="…"` in the page, in order.
fn values(html: &str, name: &str) -> Vec<String> {
    let key = format!("name=\"{name}\" value=\"");
    html.split(&key)
        .skip(1)
        .map(|v| v[..v.find('"').unwrap()].to_string())
        .collect()
}

/// ZB-5a: a department passes its whole queue at once; one row has no rank, so nothing is
/// done, and the queue comes back with every tick, the opinion and the ranks as typed, the
/// refusal beside the project it is about, named by code and name with its clause.
async fn zb_5a_a_refused_bulk_review_keeps_the_ticks_and_names_the_project(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let dept = t.login("zhuguan").await;
    let page = t.get("/reviews", Some(&dept)).await.text;
    let waiting = testid(&page, "queue-total").to_string();
    let picks = values(&page, "pick");
    assert!(picks.len() >= 2, "{page}");
    assert!(page.contains("data-select-all=\"pick\""));
    let (count, _, _) = pager(&page);
    assert_eq!(count.to_string(), waiting);
    let sum = body_amounts(&page, "queue")
        .into_iter()
        .try_fold(Money::ZERO, Money::checked_add)
        .unwrap();
    if count <= 50 {
        assert_eq!(money(testid(&page, "queue-sum")), sum);
    }
    let missing = &picks[1];
    let mut form: Vec<(String, String)> = Vec::new();
    for (i, p) in picks.iter().enumerate() {
        form.push(("pick".into(), p.clone()));
        let version = values(&page, &format!("version_{p}"))[0].clone();
        form.push((format!("version_{p}"), version));
        let rank = if p == missing {
            String::new()
        } else {
            (i + 1).to_string()
        };
        form.push((format!("rank_{p}"), rank));
    }
    form.push(("opinion".into(), "材料齐全，同意报送".into()));
    form.push(("decision".into(), "pass".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = t.form("/reviews", &dept, &pairs, None).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let again = r.text;
    // Nothing was done: the queue waits as before.
    assert_eq!(testid(&again, "queue-total"), waiting);
    // The refusal sits beside its project, by code and name, with its clause.
    let project = t
        .get(&format!("/api/v1/projects/{missing}"), Some(&dept))
        .await
        .json();
    let named = format!(
        "{} {}：主管部门初审通过须给出部门排序（1 为最优先）（ZB-5a）",
        project["code"].as_str().unwrap(),
        project["name"].as_str().unwrap()
    );
    assert_eq!(testid(&again, &format!("row-error-{missing}")), named);
    assert!(
        !again.contains(&format!("项目 {missing}")),
        "named by number"
    );
    // Every tick, the opinion and each typed rank are kept.
    for p in &picks {
        assert!(
            again.contains(&format!("value=\"{p}\" data-testid=\"pick-{p}\" checked")),
            "{p} lost its tick"
        );
    }
    assert!(again.contains("value=\"材料齐全，同意报送\""));
    assert!(again.contains(&format!(
        "name=\"rank_{missing}\" type=\"number\" min=\"1\" size=\"4\" value=\"\""
    )));
    assert!(again.contains(&format!(
        "name=\"rank_{}\" type=\"number\" min=\"1\" size=\"4\" value=\"1\"",
        picks[0]
    )));

    // Sorted by amount and filtered by code, the queue still adds up.
    let sorted = t
        .get("/reviews?sort=amount&dir=desc", Some(&dept))
        .await
        .text;
    let amounts = body_amounts(&sorted, "queue");
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "{amounts:?}");
    let code = project["code"].as_str().unwrap();
    let one = t.get(&format!("/reviews?q={code}"), Some(&dept)).await.text;
    assert_eq!(pager(&one).0, 1);
    assert_eq!(
        money(testid(&one, "queue-sum")),
        money(project["request"].as_str().unwrap())
    );
}

/// ZB-7a: each budget line shows what is paid and what is still available, and the footer adds
/// up every line the filters find; the control figures put each total in its own column.
async fn zb_7a_budget_lines_show_paid_and_available_and_add_up(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let page = t.get("/budget-lines?year=2025", Some(&fin)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let page = page.text;
    assert!(page.contains("已支付（元）") && page.contains("可用（元）"));
    let (count, _, pages) = pager(&page);
    // Every line of the year read through the API adds up to the page's total.
    let api = t
        .get("/api/v1/budget-lines?year=2025&limit=100000", Some(&fin))
        .await
        .json();
    let lines = api.as_array().unwrap();
    assert_eq!(lines.len(), count);
    let approved = lines
        .iter()
        .map(|l| money(l["approved"].as_str().unwrap()))
        .try_fold(Money::ZERO, Money::checked_add)
        .unwrap();
    assert_eq!(money(testid(&page, "lines-total")), approved);
    let spent = money(testid(&page, "lines-spent"));
    assert!(spent > Money::ZERO, "2025 was lived: money was paid");
    let available = money(testid(&page, "lines-available"));
    assert!(available < approved);
    // Each row: paid and available of a line as its own ledger shows them.
    let (by_paid, _, _) = (
        t.get("/budget-lines?year=2025&sort=spent&dir=desc", Some(&fin))
            .await
            .text,
        0,
        0,
    );
    let cells = body_amounts(&by_paid, "budget-lines");
    // id, approved, spent, available per row.
    let first_spent = cells[2];
    assert!(first_spent > Money::ZERO);
    assert!(
        cells.chunks(4).all(|c| c[2] <= first_spent),
        "sorted by paid, largest first"
    );
    if pages > 1 {
        let last = t
            .get(&format!("/budget-lines?year=2025&page={pages}"), Some(&fin))
            .await
            .text;
        assert_eq!(pager(&last).1, pages);
    }
    // Over every page sorted by 可用 (the store sorts and sums): each line once, in order, and
    // the columns add up to the totals under them.
    let rows = every_page(
        &t,
        &fin,
        "/budget-lines?year=2025&sort=available",
        "budget-lines",
    )
    .await;
    let mut ids: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "each line once");
    let column = |i: usize| -> Vec<Money> { rows.iter().map(|r| money(&r[i])).collect() };
    let sum = |v: &[Money]| {
        v.iter()
            .try_fold(Money::ZERO, |a, b| a.checked_add(*b))
            .unwrap()
    };
    let (approved_col, spent_col, available_col) = (column(6), column(7), column(8));
    assert!(
        available_col.windows(2).all(|w| w[0] <= w[1]),
        "{available_col:?}"
    );
    assert_eq!(sum(&approved_col), approved);
    assert_eq!(sum(&spent_col), spent);
    assert_eq!(sum(&available_col), available);

    // A unit's lines: fewer, and they still add up.
    let unit = t.org_id("101001").await;
    let mine = t
        .get(
            &format!("/budget-lines?year=2025&unit_id={unit}"),
            Some(&fin),
        )
        .await
        .text;
    let (n, _, _) = pager(&mine);
    assert!(n > 0 && n < count, "{n} of {count}");

    // 控制数: the basic and project totals under their columns, their sum under 合计.
    let figures = t.get("/control-figures?year=2026", Some(&fin)).await.text;
    let basic = money(testid(&figures, "figures-basic"));
    let projects = money(testid(&figures, "figures-projects"));
    assert_eq!(
        money(testid(&figures, "figures-total")),
        basic.checked_add(projects).unwrap()
    );
    assert!(figures.contains("<th class=\"num\">合计（元）</th>"));
}

/// Payments: filtered by state and unit in the use case, sorted by amount, the total of every
/// payment found in the footer.
async fn payments_filter_sort_and_add_up(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let all = t.get("/payments", Some(&fin)).await.text;
    let (count, _, _) = pager(&all);
    assert!(count > 0);
    let paid = t
        .get("/payments?status=paid&sort=amount&dir=desc", Some(&fin))
        .await
        .text;
    let (n, _, pages) = pager(&paid);
    assert!(n <= count);
    let amounts = body_amounts(&paid, "payments");
    // number, amount per row
    let amounts: Vec<Money> = amounts.chunks(2).map(|c| c[1]).collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "{amounts:?}");
    if pages == 1 {
        assert_eq!(
            money(testid(&paid, "payments-total")),
            amounts
                .into_iter()
                .try_fold(Money::ZERO, Money::checked_add)
                .unwrap()
        );
    }
    // The state tabs keep the other filters.
    let unit = t.org_id("101001").await;
    let one = t
        .get(&format!("/payments?unit_id={unit}"), Some(&fin))
        .await
        .text;
    assert!(
        one.contains(&format!(
            "href=\"/payments?unit_id={unit}&#38;status=held\""
        )),
        "{one}"
    );
}

/// The other lists of the year: rule hits, spending plans, adjustments and evaluations page,
/// sort by their amount and total it over every row found.
async fn the_years_other_lists_sort_and_add_up(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    for (path, table, total, columns, amount) in [
        ("/monitoring/hits?year=2025", "hits", "hits-total", 1, 0),
        ("/adjustments", "adjustments", "adjustments-total", 2, 1),
    ] {
        let page = t.get(path, Some(&fin)).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text);
        let (count, _, _) = pager(&page.text);
        let sort = "amount";
        let sep = if path.contains('?') { '&' } else { '?' };
        let sorted = t
            .get(&format!("{path}{sep}sort={sort}&dir=desc"), Some(&fin))
            .await
            .text;
        assert_eq!(pager(&sorted).0, count, "{path}");
        let cells = body_amounts(&sorted, table);
        let amounts: Vec<Money> = cells.chunks(columns).map(|c| c[amount]).collect();
        assert!(
            amounts.windows(2).all(|w| w[0] >= w[1]),
            "{path}: {amounts:?}"
        );
        if count <= 50 {
            assert_eq!(
                money(testid(&sorted, total)),
                amounts
                    .into_iter()
                    .try_fold(Money::ZERO, Money::checked_add)
                    .unwrap(),
                "{path}"
            );
        }
    }
    let evaluations = t
        .get("/evaluations?year=2025&sort=budget&dir=desc", Some(&fin))
        .await;
    assert_eq!(evaluations.status, 200);
    assert!(pager(&evaluations.text).0 > 0);
    testid(&evaluations.text, "evaluations-budget");
    let plans = t.get("/spending-plans", Some(&fin)).await;
    assert_eq!(plans.status, 200, "{}", plans.text);
    pager(&plans.text);
    testid(&plans.text, "plans-total");
}

/// The href of the link carrying `data-testid="{id}"`, as a browser follows it.
fn href(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in the page"));
    let tag = &html[html[..at].rfind('<').unwrap()..];
    let start = tag.find("href=\"").unwrap() + 6;
    let end = tag[start..].find('"').unwrap();
    tag[start..start + end]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// A figure in 万元 as the tables show it ("1,234.5678"), in fen.
fn wan(s: &str) -> Money {
    money(&format!("{s}万元"))
}

/// Big tables read in 万元 at one click: the budget lines of a unit and the control figures,
/// each amount exact (no rounding), so the 万元 total is the 元 total to the fen; the filters
/// stay, and sorting and paging stay in 万元.
async fn big_tables_switch_to_wan_and_still_add_up(backend: Backend) {
    let Some(t) = TestApp::demo_with_projects(backend).await else {
        return;
    };
    let fin = t.login("caizheng").await;
    let unit = t.org_id("101001").await;
    let yuan = t
        .get(
            &format!("/budget-lines?year=2025&unit_id={unit}"),
            Some(&fin),
        )
        .await
        .text;
    assert!(yuan.contains("批复数（元）"));
    let shown = t.get(&href(&yuan, "amounts-wan"), Some(&fin)).await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let in_wan = shown.text;
    assert!(in_wan.contains("批复数（万元）") && in_wan.contains("可用（万元）"));
    assert_eq!(pager(&in_wan).0, pager(&yuan).0, "the unit filter is kept");
    for total in ["lines-total", "lines-spent", "lines-available"] {
        assert_eq!(
            wan(testid(&in_wan, total)),
            money(testid(&yuan, total)),
            "{total}"
        );
    }
    // Each row in 万元 is its 元 figure exactly.
    let rows_yuan = body_amounts(&yuan, "budget-lines");
    let rows_wan: Vec<Money> = body_cells(&in_wan, "budget-lines")
        .iter()
        .enumerate()
        // The first cell of a row is the line's number, not an amount.
        .map(|(i, c)| if i % 4 == 0 { money(c) } else { wan(c) })
        .collect();
    assert_eq!(rows_wan, rows_yuan);
    // Sorting keeps 万元; the switch goes back to 元 with the filter.
    let sorted = t
        .get(&href(&in_wan, "sort-approved"), Some(&fin))
        .await
        .text;
    assert!(sorted.contains("批复数（万元）"));
    let back = t.get(&href(&sorted, "amounts-yuan"), Some(&fin)).await.text;
    assert!(back.contains("批复数（元）"));
    assert_eq!(pager(&back).0, pager(&yuan).0);

    // 控制数 in 万元: the same figures, exact.
    let figures = t.get("/control-figures?year=2026", Some(&fin)).await.text;
    let figures_wan = t.get(&href(&figures, "amounts-wan"), Some(&fin)).await.text;
    assert!(figures_wan.contains("合计（万元）"));
    for total in ["figures-basic", "figures-projects", "figures-total"] {
        assert_eq!(
            wan(testid(&figures_wan, total)),
            money(testid(&figures, total)),
            "{total}"
        );
    }
}

backend_tests!(
    the_years_other_lists_sort_and_add_up,
    big_tables_switch_to_wan_and_still_add_up,
    zb_7a_budget_lines_show_paid_and_available_and_add_up,
    payments_filter_sort_and_add_up,
    the_library_filters_sorts_totals_and_pages,
    every_sort_of_the_library_lists_each_project_once_in_its_columns_order,
    zb_5a_a_refused_bulk_review_keeps_the_ticks_and_names_the_project
);
