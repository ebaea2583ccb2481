//! Property-based tests from outside: random values typed into every form the pages offer,
//! and random workbooks sent to the member import. Whatever is sent, the answer is a page —
//! never a 5xx — and a refusal says what is wrong (a field message or the error page's
//! message) in the layout.
//!
//! The forms are not listed by hand: each role's pages are crawled from its home page and
//! every `<form method="post">` found is exercised with its own fields, so a form added to a
//! page is covered without touching this file.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::StatusCode;

use crate::fixtures::{self, demo::BRANCH};
use crate::support::{TestApp, links_of, location, shape};

/// A field of a scraped form, with what the page offers for it.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    /// The value the page put there (or the first option).
    value: String,
    /// The values the page offers (a select's options, a button's or radio's values).
    offered: Vec<String>,
    /// A field the user types into (text, number, date, textarea), not one the page fills.
    typed: bool,
    /// A field that takes free text (a text input or a textarea).
    free_text: bool,
}

impl Field {
    /// Is `v` what the page could have sent here?
    fn sendable(&self, v: &str) -> bool {
        self.typed || v == self.value || self.offered.iter().any(|o| o == v)
    }
}

#[derive(Debug, Clone)]
struct FormSpec {
    /// The page the form was found on.
    page: String,
    action: String,
    fields: Vec<Field>,
}

/// Paths the crawl does not follow: leaving the session, and documents that are files.
fn skipped(path: &str) -> bool {
    path == "/logout"
        || path.starts_with("/static")
        || path.ends_with(".xlsx")
        || path.ends_with(".csv")
        || path.contains("/export/")
        || path.ends_with("/print")
        || path.ends_with("/notice")
}

fn forms_of(page: &str, html: &str) -> Vec<FormSpec> {
    let doc = scraper::Html::parse_document(html);
    let form_sel = scraper::Selector::parse("form").unwrap();
    let field_sel = scraper::Selector::parse("input, select, textarea, button").unwrap();
    let option_sel = scraper::Selector::parse("option").unwrap();
    let mut forms = Vec::new();
    for form in doc.select(&form_sel) {
        let el = form.value();
        if !el
            .attr("method")
            .is_some_and(|m| m.eq_ignore_ascii_case("post"))
            || el.attr("enctype") == Some("multipart/form-data")
        {
            continue;
        }
        let action = match el.attr("action") {
            Some(a) if !a.is_empty() => a.to_owned(),
            _ => page.to_owned(),
        };
        let mut by_name: BTreeMap<String, Field> = BTreeMap::new();
        for f in form.select(&field_sel) {
            let v = f.value();
            let Some(name) = v.attr("name") else { continue };
            let kind = v.attr("type").unwrap_or("");
            let typed = v.name() == "textarea"
                || v.name() == "input"
                    && !matches!(kind, "hidden" | "checkbox" | "radio" | "submit" | "button");
            let free_text = v.name() == "textarea"
                || v.name() == "input" && matches!(kind, "" | "text" | "search");
            let entry = by_name.entry(name.to_owned()).or_insert_with(|| Field {
                name: name.to_owned(),
                value: String::new(),
                offered: Vec::new(),
                typed,
                free_text,
            });
            match v.name() {
                "select" => {
                    for o in f.select(&option_sel) {
                        let value = o
                            .value()
                            .attr("value")
                            .map(str::to_owned)
                            .unwrap_or_else(|| o.text().collect());
                        if o.value().attr("selected").is_some() || entry.value.is_empty() {
                            entry.value = value.clone();
                        }
                        entry.offered.push(value);
                    }
                }
                "textarea" => entry.value = f.text().collect(),
                "button" => entry.offered.push(v.attr("value").unwrap_or("").to_owned()),
                // What a browser sends: the checked radio, a checked box (an unchecked one
                // as empty), the first submit button.
                _ if matches!(kind, "checkbox" | "radio") => {
                    let value = v.attr("value").unwrap_or("on").to_owned();
                    if v.attr("checked").is_some() {
                        entry.value = value.clone();
                    }
                    entry.offered.push(value);
                }
                _ if kind == "submit" => {
                    let value = v.attr("value").unwrap_or("").to_owned();
                    if entry.value.is_empty() {
                        entry.value = value.clone();
                    }
                    entry.offered.push(value);
                }
                _ => entry.value = v.attr("value").unwrap_or("").to_owned(),
            }
        }
        for f in by_name.values_mut() {
            if f.value.is_empty()
                && !f.offered.is_empty()
                && f.offered.len() > 1
                && let Some(first) = f.offered.first()
            {
                f.value = first.clone();
            }
        }
        forms.push(FormSpec {
            page: page.to_owned(),
            action,
            fields: by_name.into_values().collect(),
        });
    }
    forms
}

/// Crawls `browser`'s pages from `roots` (at most `limit` pages) and answers every post form
/// found, one per (action shape, field names).
async fn crawl(browser: &TestApp, roots: &[String], limit: usize) -> Vec<FormSpec> {
    let mut queue: VecDeque<String> = roots.iter().cloned().collect();
    let mut seen_pages = BTreeSet::new();
    let mut seen_shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_forms = BTreeSet::new();
    let mut forms = Vec::new();
    let mut fetched = 0;
    while let Some(path) = queue.pop_front() {
        if fetched >= limit || !seen_pages.insert(path.clone()) || skipped(&path) {
            continue;
        }
        // A few pages of each shape are enough to find its forms.
        let n = seen_shapes.entry(shape(&path)).or_default();
        *n += 1;
        if *n > 2 {
            continue;
        }
        fetched += 1;
        let r = browser.client.get(browser.url(&path)).send().await.unwrap();
        let status = r.status();
        let to = location(&r);
        if status == StatusCode::SEE_OTHER {
            queue.push_front(to);
            continue;
        }
        assert!(!status.is_server_error(), "GET {path}: {status}");
        let html = r.text().await.unwrap();
        for f in forms_of(&path, &html) {
            if skipped(&f.action) || f.action.starts_with("/login") {
                continue;
            }
            let names: Vec<_> = f.fields.iter().map(|x| x.name.clone()).collect();
            if seen_forms.insert((shape(&f.action), names)) {
                forms.push(f);
            }
        }
        queue.extend(links_of(&html));
    }
    forms
}

/// What a person (or a script) may type into a field: what the page offered, or anything.
fn value_for(field: &Field) -> BoxedStrategy<String> {
    let edges = prop::sample::select(vec![
        String::new(),
        " ".into(),
        "-1".into(),
        "0".into(),
        "4294967295".into(),
        "18446744073709551616".into(),
        "1e400".into(),
        "NaN".into(),
        "3,5".into(),
        "31/02/2026".into(),
        "29/02/2100".into(),
        "01/01/0001".into(),
        "-262143-01-01".into(),
        "+275760-09-13".into(),
        "2026-13-45".into(),
        "25:61".into(),
        "24:00".into(),
        "2026-12".into(),
        "0000-00".into(),
        "<script>alert(1)</script>".into(),
        "' OR 1=1 --".into(),
        "\u{0}".into(),
        "a\u{7}b".into(),
        "Nguyễn\u{202e}Văn".into(),
        uuid::Uuid::nil().to_string(),
        "x".repeat(5_000),
    ]);
    let mut choices: Vec<BoxedStrategy<String>> = vec![
        Just(field.value.clone()).boxed(),
        Just(field.value.clone()).boxed(),
        Just(field.value.clone()).boxed(),
        edges.boxed(),
        any::<String>()
            .prop_map(|s| s.chars().take(40).collect())
            .boxed(),
        "[0-9]{1,12}".boxed(),
        "\\PC{0,60}".boxed(),
    ];
    if !field.offered.is_empty() {
        choices.push(prop::sample::select(field.offered.clone()).boxed());
        choices.push(prop::sample::select(field.offered.clone()).boxed());
    }
    prop::strategy::Union::new(choices).boxed()
}

/// A refusal, as the user sees it: in the layout, in Vietnamese, saying what is wrong. What
/// a person typed is refused at its field, on the form shown again (`at_field`); a value no
/// page of ours sends (a tampered choice or hidden field) may get the error page instead.
fn says_what_is_wrong(status: StatusCode, body: &str, at_field: bool) -> bool {
    let in_layout = body.contains("lang=\"vi\"") && body.contains("</html>");
    let on_form = body.contains("field-error") || body.contains("alert error");
    let on_page = body.contains("class=\"lead\"");
    let message = if status == StatusCode::UNPROCESSABLE_ENTITY && at_field {
        on_form
    } else {
        on_form || on_page
    };
    in_layout && message
}

async fn try_forms(browser: &TestApp, forms: &[FormSpec], cases: u32) -> usize {
    let handle = tokio::runtime::Handle::current();
    let mut tried = 0;
    for form in forms {
        let strategy: Vec<BoxedStrategy<String>> = form.fields.iter().map(value_for).collect();
        let mut runner = TestRunner::new(Config {
            cases,
            max_shrink_iters: 400,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |values| {
            let pairs: Vec<(String, String)> = form
                .fields
                .iter()
                .zip(&values)
                .map(|(f, v)| (f.name.clone(), v.clone()))
                .collect();
            let (status, body) = tokio::task::block_in_place(|| {
                handle.block_on(async {
                    let r = browser
                        .client
                        .post(browser.url(&form.action))
                        .form(&pairs)
                        .send()
                        .await
                        .unwrap();
                    let status = r.status();
                    (status, r.text().await.unwrap_or_default())
                })
            });
            if status.is_server_error() {
                return Err(TestCaseError::fail(format!("{status}")));
            }
            let sendable = form.fields.iter().zip(&values).all(|(f, v)| f.sendable(v));
            if status.is_client_error() && !says_what_is_wrong(status, &body, sendable) {
                return Err(TestCaseError::fail(format!(
                    "{status} without a message: {}",
                    crate::support::text(&body)
                )));
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!(
                "POST {} (form of {}), fields {:?}: {e}",
                form.action,
                form.page,
                form.fields.iter().map(|f| &f.name).collect::<Vec<_>>()
            );
        }
        tried += 1;
    }
    tried
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

/// Posts `form` as the page filled it, but for field `k`, which carries `value`.
async fn post_one_changed(
    browser: &TestApp,
    form: &FormSpec,
    k: usize,
    value: &str,
) -> (reqwest::StatusCode, String) {
    let pairs: Vec<(String, String)> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let v = if i == k { value } else { f.value.as_str() };
            (f.name.clone(), v.to_owned())
        })
        .collect();
    let r = browser
        .client
        .post(browser.url(&form.action))
        .form(&pairs)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.text().await.unwrap_or_default())
}

/// Who crawls from where: a secretary from the pages of this month's meeting (held, its
/// minutes open: every form of a meeting is on them), a ward supervisor, the administrator.
fn crawl_roots(branch: uuid::Uuid, held: uuid::Uuid) -> Vec<(&'static str, Vec<String>)> {
    vec![
        (
            "bithu",
            vec![
                "/".to_owned(),
                format!("/meetings/{held}"),
                format!("/meetings/{held}/attendance"),
                format!("/meetings/{held}/agenda"),
                format!("/meetings/{held}/minutes"),
                format!("/meetings/{held}/evaluation"),
                format!("/units/{branch}/members"),
                format!("/units/{branch}/committee"),
                format!("/units/{branch}/thematic"),
                "/account/password".to_owned(),
            ],
        ),
        ("phuong", vec!["/".to_owned()]),
        (
            "admin",
            vec![
                "/admin".to_owned(),
                "/admin/alerts".to_owned(),
                "/admin/templates".to_owned(),
                "/admin/rubrics".to_owned(),
            ],
        ),
    ]
}

/// A NUL typed into each free-text field of every form, one field at a time, the rest as
/// the page filled them: refused with a message on the form (never a 500, never a page
/// without the form), so the user sees where and keeps what was typed. Random values
/// reach a field's control character only now and then; this reaches every one.
#[tokio::test]
async fn a_control_character_in_any_text_field_is_told_on_the_form() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let held = fixtures::meeting(&app, branch, fixtures::State::Held).await;
    let mut tried = 0;
    let mut failures = Vec::new();
    for (login, roots) in crawl_roots(branch, held.id) {
        let browser = app.other_browser();
        browser.login_as(login).await;
        for form in crawl(&browser, &roots, 90).await {
            for (i, field) in form.fields.iter().enumerate().filter(|(_, f)| f.free_text) {
                let (status, body) = post_one_changed(&browser, &form, i, "Ab\u{0}c").await;
                tried += 1;
                if status.is_server_error()
                    || (status.is_client_error() && !says_what_is_wrong(status, &body, true))
                {
                    failures.push(format!(
                        "{login} POST {} field {}: {status} {}",
                        shape(&form.action),
                        field.name,
                        crate::support::text(&body)
                            .chars()
                            .take(200)
                            .collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(
        tried > 50,
        "the crawl reached the forms' text fields: {tried}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("control characters: {tried} fields tried");
}

#[tokio::test(flavor = "multi_thread")]
async fn random_values_in_every_form_get_a_page_and_a_message_never_a_server_error() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    // This month's meeting, held and its minutes open: every form of a meeting is on its
    // pages.
    let held = fixtures::meeting(&app, branch, fixtures::State::Held).await;
    let mut total = 0;
    let mut actions = BTreeSet::new();
    for (login, roots) in crawl_roots(branch, held.id) {
        let browser = app.other_browser();
        browser.login_as(login).await;
        let forms = crawl(&browser, &roots, 90).await;
        for f in &forms {
            actions.insert(shape(&f.action));
        }
        total += try_forms(&browser, &forms, cases()).await;
    }
    // The crawl reached the forms a month's work needs; a broken crawl must not pass as
    // "nothing failed".
    for needed in [
        "/meetings/{id}/attendance/{id}",
        "/meetings/{id}/agenda",
        "/meetings/{id}/minutes",
        "/meetings/{id}/votes",
        "/meetings/{id}/tasks",
        "/meetings/{id}/evaluation",
        "/members/new",
        "/admin/units/new",
        "/admin/alerts",
    ] {
        assert!(
            actions.contains(needed),
            "{needed} not reached: {actions:?}"
        );
    }
    eprintln!("property: {total} forms × {} cases: {actions:?}", cases());
}

/// A cell a workbook may hold.
#[derive(Debug, Clone)]
enum Cell {
    Blank,
    Text(String),
    Number(f64),
    Bool(bool),
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Blank),
        "\\PC{0,40}".prop_map(Cell::Text),
        any::<String>().prop_map(|s| Cell::Text(s.chars().take(30).collect())),
        prop::sample::select(vec![
            "31/02/1980",
            "01/01/1900",
            "Chính thức",
            "Dự bị",
            "Nam",
            "Nữ",
            "12345678",
            "",
        ])
        .prop_map(|s| Cell::Text(s.to_owned())),
        any::<f64>().prop_map(Cell::Number),
        (-1e7f64..3e6).prop_map(Cell::Number),
        any::<bool>().prop_map(Cell::Bool),
    ]
}

fn workbook(header: bool, rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut first = 0;
    if header {
        for (c, h) in chibo::members::domain::COLUMNS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        first = 1;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (first + r as u32, c as u16);
            // The writer refuses what Excel cannot hold (NaN, control characters in some
            // places): such a cell is left blank, as Excel would not save it either.
            let _ = match cell {
                Cell::Blank => continue,
                Cell::Text(s) => sheet.write_string(r, c, s).map(drop),
                Cell::Number(n) => sheet.write_number(r, c, *n).map(drop),
                Cell::Bool(b) => sheet.write_boolean(r, c, *b).map(drop),
            };
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn random_workbooks_get_a_preview_or_a_message_never_a_server_error() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let before = app.open_members(branch).await;
    let handle = tokio::runtime::Handle::current();
    let strategy = (
        any::<bool>(),
        prop::collection::vec(prop::collection::vec(cell(), 0..14), 0..6),
    );
    let mut runner = TestRunner::new(Config {
        cases: cases() * 3,
        failure_persistence: None,
        ..Config::default()
    });
    let previews = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&strategy, |(header, rows)| {
        let bytes = workbook(header, &rows);
        let (status, body, preview) = tokio::task::block_in_place(|| {
            handle.block_on(async {
                let part = reqwest::multipart::Part::bytes(bytes).file_name("ds.xlsx");
                let r = app
                    .client
                    .post(app.url(&format!("/units/{branch}/members/import")))
                    .multipart(reqwest::multipart::Form::new().part("file", part))
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                if status == StatusCode::SEE_OTHER {
                    // The preview itself must show.
                    let to = location(&r);
                    let (s, body) = app.get(&to).await;
                    return (s, body, true);
                }
                (status, r.text().await.unwrap_or_default(), false)
            })
        });
        if status.is_server_error() {
            return Err(TestCaseError::fail(format!("{status}")));
        }
        if preview {
            previews.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            prop_assert_eq!(status, StatusCode::OK);
        } else {
            prop_assert!(
                says_what_is_wrong(status, &body, true),
                "{} without a message: {}",
                status,
                crate::support::text(&body)
            );
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("member import: {e}");
    }
    // Nothing is written before the secretary commits.
    assert_eq!(app.open_members(branch).await, before);
    eprintln!(
        "property: {} workbooks, {} previews",
        cases() * 3,
        previews.into_inner()
    );
}

/// Markup a person might paste (or an attacker type) into a text field.
const MARK: &str = "<b class=\"xss-mark\">đậm</b><script>xss()</script><img src=x onerror=xss()>";

/// Does `html` carry the mark as markup (an element, a script) rather than as text?
fn runs_markup(html: &str) -> bool {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(".xss-mark, img[onerror]").unwrap();
    doc.select(&sel).next().is_some() || html.contains("<script>xss()")
}

#[tokio::test(flavor = "multi_thread")]
async fn markup_typed_into_every_text_field_shows_as_text_on_every_page_print_and_workbook() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let held = fixtures::meeting(&app, branch, fixtures::State::Held).await;
    let ward = app.unit_id(crate::fixtures::demo::WARD).await;
    let month = app.this_month().format("%Y-%m").to_string();
    let roles: Vec<(&str, Vec<String>)> = vec![
        (
            "bithu",
            vec![
                "/".to_owned(),
                format!("/meetings/{}", held.id),
                format!("/meetings/{}/agenda", held.id),
                format!("/meetings/{}/minutes", held.id),
                format!("/meetings/{}/evaluation", held.id),
                format!("/units/{branch}/members"),
                format!("/units/{branch}/committee"),
                format!("/units/{branch}/thematic"),
            ],
        ),
        (
            "phuong",
            vec![
                "/".to_owned(),
                format!("/reports/monthly/{ward}?month={month}"),
            ],
        ),
        (
            "admin",
            vec!["/admin".to_owned(), "/admin/templates".to_owned()],
        ),
    ];
    let mut browsers = Vec::new();
    // Every free-text field of every form gets the mark; the answer (a page, a form shown
    // again) must show it as text.
    let mut posted = 0;
    for (login, roots) in &roles {
        let browser = app.other_browser();
        browser.login_as(login).await;
        for form in crawl(&browser, roots, 90).await {
            if !form.fields.iter().any(|f| f.free_text) || form.action == "/account/password" {
                continue;
            }
            // One field at a time, the others as the page filled them: a field that refuses
            // the mark (a card number) does not keep the others from being stored.
            for (k, marked) in form.fields.iter().enumerate() {
                if !marked.free_text {
                    continue;
                }
                let (status, body) = post_one_changed(&browser, &form, k, MARK).await;
                assert!(!status.is_server_error(), "POST {}: {status}", form.action);
                assert!(
                    !runs_markup(&body),
                    "POST {} ({}) answers markup",
                    form.action,
                    marked.name
                );
                posted += 1;
            }
        }
        browsers.push((browser, roots.clone()));
    }
    // A full member's hometown, typed on the member's form as a secretary would.
    let member: uuid::Uuid = sqlx::query_scalar(
        "SELECT m.id FROM members m JOIN memberships ms ON ms.member_id = m.id AND ms.valid_to IS NULL
          WHERE ms.unit_id = $1 AND m.status = 'full' AND m.official_date IS NOT NULL
          ORDER BY m.id LIMIT 1",
    )
    .bind(branch)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (secretary, _) = &browsers[0];
    let (_, page) = secretary.get(&format!("/members/{member}/edit")).await;
    let form = forms_of(&format!("/members/{member}/edit"), &page)
        .into_iter()
        .find(|f| f.action.ends_with("/edit"))
        .expect("the member's form");
    let pairs: Vec<(String, String)> = form
        .fields
        .iter()
        .map(|f| {
            let v = if f.name == "hometown" {
                MARK.to_owned()
            } else {
                f.value.clone()
            };
            (f.name.clone(), v)
        })
        .collect();
    let r = secretary.post_form(&form.action, &pairs).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        crate::support::text(&r.text().await.unwrap())
    );

    // What was stored: the mark sits in many records.
    let stored: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM members WHERE full_name LIKE '%xss-mark%' OR hometown LIKE '%xss-mark%')
              + (SELECT count(*) FROM agenda_items WHERE title LIKE '%xss-mark%' OR minutes LIKE '%xss-mark%')
              + (SELECT count(*) FROM meeting_guests WHERE name LIKE '%xss-mark%')
              + (SELECT count(*) FROM tasks WHERE description LIKE '%xss-mark%')
              + (SELECT count(*) FROM votes WHERE subject LIKE '%xss-mark%')
              + (SELECT count(*) FROM units WHERE name LIKE '%xss-mark%')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(stored >= 3, "the mark was stored in {stored} records");

    // Every page the roles reach, documents included, shows it as text only.
    let mut shown = 0;
    for (browser, roots) in &browsers {
        let mut roots = roots.clone();
        roots.push(format!("/meetings/{}/print", held.id));
        roots.push(format!("/meetings/{}/notice", held.id));
        roots.push(format!("/meetings/{}/evaluation/print", held.id));
        roots.push(format!("/meetings/{}/history", held.id));
        for path in pages_of(browser, &roots, 120).await {
            let (status, html) = browser.get(&path).await;
            assert!(!status.is_server_error(), "GET {path}: {status}");
            assert!(!runs_markup(&html), "GET {path} runs the stored markup");
            // Shown as the characters typed.
            if crate::support::text(&html).contains("<b class=\"xss-mark\">") {
                shown += 1;
            }
        }
    }
    assert!(shown >= 5, "the mark shown as text on {shown} pages");

    // The branch's workbook holds it as the text typed, in a text cell, never a formula.
    let r = secretary
        .client
        .get(secretary.url(&format!("/units/{branch}/members.xlsx")))
        .send()
        .await
        .unwrap();
    let bytes = r.bytes().await.unwrap();
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let marked = sheet
        .cells()
        .filter(|(_, _, c)| matches!(c, calamine::Data::String(s) if s.contains("xss-mark")))
        .count();
    let in_branch: Vec<String> = sqlx::query_scalar(
        "SELECT m.full_name || ' / ' || coalesce(m.hometown, '') FROM members m
           JOIN memberships ms ON ms.member_id = m.id AND ms.valid_to IS NULL
          WHERE ms.unit_id = $1 AND (m.full_name LIKE '%xss-mark%' OR m.hometown LIKE '%xss-mark%')",
    )
    .bind(branch)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(
        marked >= 1,
        "the workbook keeps the typed text: {in_branch:?}"
    );
    eprintln!("markup: {posted} forms posted, {stored} records, {shown} pages show it as text");
}

/// The pages `browser` reaches from `roots` (at most `limit`), documents included.
async fn pages_of(browser: &TestApp, roots: &[String], limit: usize) -> Vec<String> {
    let mut queue: VecDeque<String> = roots.iter().cloned().collect();
    let mut seen = BTreeSet::new();
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut pages = Vec::new();
    while let Some(path) = queue.pop_front() {
        if pages.len() >= limit
            || !seen.insert(path.clone())
            || path == "/logout"
            || path.starts_with("/static")
            || path.ends_with(".xlsx")
            || path.ends_with(".csv")
            || path.contains("/export/")
        {
            continue;
        }
        let n = shapes.entry(shape(&path)).or_default();
        *n += 1;
        if *n > 3 {
            continue;
        }
        let r = browser.client.get(browser.url(&path)).send().await.unwrap();
        if r.status() == StatusCode::SEE_OTHER {
            queue.push_front(location(&r));
            continue;
        }
        let html = r.text().await.unwrap_or_default();
        pages.push(path);
        queue.extend(links_of(&html));
    }
    pages
}
