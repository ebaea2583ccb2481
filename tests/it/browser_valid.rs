//! Every page valid and accessible: the pages a secretary, a ward supervisor and the
//! administrator reach by following links (one page of each shape, printed documents
//! included) pass the W3C Nu validator with no error, and axe-core in Chromium finds no
//! serious or critical violation on them. The tools come from `scripts/install-deps.sh`
//! (target/test-tools); without them the test says so and passes, unless CI is set.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use thirtyfour::prelude::*;

use crate::browser::{sign_in, start_browser};
use crate::support::{TestApp, links_of, shape};

/// Pages per user at most (one of each shape).
const PAGES: usize = 70;

fn tool(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-tools")
        .join(name);
    if p.exists() {
        return Some(p);
    }
    let required = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    assert!(
        !required,
        "{} is missing: run scripts/install-deps.sh",
        p.display()
    );
    eprintln!(
        "VALIDATION SKIPPED: {} is missing (scripts/install-deps.sh fetches it)",
        p.display()
    );
    None
}

fn followed(path: &str) -> bool {
    !(path == "/logout"
        || path.starts_with("/static")
        || path.ends_with(".xlsx")
        || path.ends_with(".csv")
        || path.contains("/export/")
        || path.contains("template.xlsx"))
}

/// The pages `user` reaches from the home page, one per shape, with their HTML.
async fn crawl(app: &TestApp, user: &str, first: &[String]) -> Vec<(String, String)> {
    let browser = app.other_browser();
    browser.login_as(user).await;
    let mut queue: VecDeque<String> = first.iter().cloned().collect();
    queue.push_back("/".to_owned());
    let (mut shapes, mut pages) = (BTreeSet::new(), Vec::new());
    while let Some(path) = queue.pop_front() {
        if pages.len() >= PAGES || !shapes.insert(shape(&path)) {
            continue;
        }
        let r = browser.client.get(browser.url(&path)).send().await.unwrap();
        if r.status().is_redirection() {
            // The home sends a user with one unit on to it.
            if let Some(to) = r.headers().get("location").and_then(|l| l.to_str().ok()) {
                shapes.remove(&shape(&path));
                queue.push_front(to.to_owned());
                shapes.insert(shape(&path));
            }
            continue;
        }
        if r.status() != StatusCode::OK
            || !r
                .headers()
                .get("content-type")
                .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/html"))
        {
            continue;
        }
        let final_path = r.url().path().to_owned();
        let html = r.text().await.unwrap();
        queue.extend(links_of(&html).into_iter().filter(|l| followed(l)));
        pages.push((final_path, html));
    }
    pages
}

#[tokio::test]
async fn browser_every_page_is_valid_html_and_has_no_serious_accessibility_violation() {
    let (Some(vnu), Some(axe)) = (tool("vnu.jar"), tool("axe.min.js")) else {
        return;
    };
    let app = TestApp::spawn().await;
    // A meeting of this month still planned: its sheet and forms are checked whatever the
    // demo's meetings are on the day the test runs.
    let branch = app.unit_id(crate::fixtures::demo::BRANCH).await;
    let planned = crate::fixtures::meeting(&app, branch, crate::fixtures::State::Planned)
        .await
        .id;
    let first = [
        format!("/meetings/{planned}/attendance"),
        format!("/meetings/{planned}/agenda"),
        format!("/meetings/{planned}"),
    ];
    let users = ["bithu", "phuong", "admin"];
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut all: Vec<(&str, String)> = Vec::new();
    for user in users {
        for (i, (path, html)) in crawl(&app, user, &first).await.into_iter().enumerate() {
            let file = dir.path().join(format!("{user}-{i:03}.html"));
            std::fs::write(&file, &html).unwrap();
            files.push((file, path.clone()));
            all.push((user, path));
        }
    }
    eprintln!("{} pages to check", files.len());
    assert!(files.len() > 60, "the crawl reached the app's pages");

    // The Nu validator, once over every page.
    let out = Command::new("java")
        .args(["-jar"])
        .arg(&vnu)
        // htmx's hx-* attributes are the one extension the pages use on purpose; every
        // other message is an error.
        .args([
            "--errors-only",
            "--format",
            "gnu",
            "--filterpattern",
            ".*Attribute “hx-[a-z-]+” not allowed.*",
        ])
        .args(files.iter().map(|(f, _)| f))
        .output()
        .expect("java (scripts/install-deps.sh installs a JRE)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let named: String = files.iter().fold(report, |r, (f, path)| {
        r.replace(&format!("\"file:{}\"", f.display()), path)
            .replace(&f.display().to_string(), path)
    });
    assert!(out.status.success(), "the Nu validator's errors:\n{named}");

    // axe-core in Chromium, page by page, as each user.
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let script = std::fs::read_to_string(&axe).unwrap();
    let result = async {
        let mut found = Vec::new();
        for user in users {
            driver.delete_all_cookies().await?;
            sign_in(driver, &app, user).await?;
            for (_, path) in all.iter().filter(|(u, _)| *u == user) {
                driver.goto(app.url(path)).await?;
                driver.execute(&script, vec![]).await?;
                let violations: Vec<String> = driver
                    .execute_async(
                        "const done = arguments[arguments.length - 1];
                         axe.run(document, {resultTypes: ['violations']}).then(r => done(
                           r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                             .map(v => v.id + ': ' + v.help + ' — ' +
                                  v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))));",
                        vec![],
                    )
                    .await?
                    .convert()?;
                found.extend(violations.into_iter().map(|v| format!("{user} {path}: {v}")));
            }
        }
        assert!(found.is_empty(), "axe-core:\n{}", found.join("\n"));
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("axe-core over the pages");
}
