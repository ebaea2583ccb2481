//! A secretary's whole month on a 390×844 phone, counted: for a 30-member branch, plan the
//! meeting from the template, take attendance with three exceptions, write the minutes, a
//! vote, a task and the reviews of last month's tasks, hold and close the minutes,
//! self-score, agree and send the score up, and print the minutes, in at most 40 taps and
//! 15 page loads. Then the ward's supervisor approves the score from the home page in at
//! most 3 taps.
//!
//! What counts is seen by the browser, not by the test's own bookkeeping: a script Chromium
//! runs at the start of every document counts the documents loaded and the real (trusted)
//! clicks in the tab's session storage. A choice in a drop-down list is two taps (open,
//! choose) although the test sets it without a click; typing is not a tap, reaching the
//! field is. The test's own tally must agree with what the browser saw.
//!
//! Waits are for conditions, never for time (see `browser.rs`).

use thirtyfour::prelude::*;
use uuid::Uuid;

use crate::browser::{heading, sign_in, start_browser, tap, tap_to_next_page, text_when, wait_for};
use crate::browser_attendance::{phone, row_is};
use crate::fixtures::{self, Status, demo};
use crate::support::{TestApp, created_id, month_value, months_ago, today};

const MAX_TAPS: u32 = 40;
const MAX_LOADS: u32 = 15;
const MAX_APPROVAL_TAPS: u32 = 3;
const BRANCH: &str = "Chi bộ Tổ dân phố Bắc Hải";
pub(crate) const SECRETARY: &str = "bithu-bachai";

/// Run by Chromium at the start of every document of the tab: counts the documents and the
/// trusted clicks (a WebDriver click is one; a script's is not).
const COUNTER: &str = "try {
  const s = window.sessionStorage;
  s.setItem('chiboLoads', String(Number(s.getItem('chiboLoads') || 0) + 1));
  document.addEventListener('click', function (e) {
    if (e.isTrusted) s.setItem('chiboClicks', String(Number(s.getItem('chiboClicks') || 0) + 1));
  }, true);
} catch (e) {}";

/// The walk's tally, checked against what the browser counted.
struct Walk<'a> {
    driver: &'a WebDriver,
    /// Every tap: clicks, and the second tap of a drop-down choice.
    taps: u32,
    /// The taps that are clicks, as the browser counts them.
    clicks: u32,
    loads: u32,
    /// The browser's counts when the walk began.
    start: (u32, u32),
    steps: Vec<String>,
}

impl<'a> Walk<'a> {
    async fn begin(driver: &'a WebDriver) -> WebDriverResult<Walk<'a>> {
        let start = seen(driver).await?;
        Ok(Walk {
            driver,
            taps: 0,
            clicks: 0,
            loads: 0,
            start,
            steps: Vec::new(),
        })
    }

    fn note(&mut self, what: &str) {
        self.steps.push(format!(
            "{:>2} taps {:>2} loads · {what}",
            self.taps, self.loads
        ));
    }

    /// A tap that loads the next page.
    async fn load_page(&mut self, what: &str, el: &WebElement) -> WebDriverResult<()> {
        tap_to_next_page(self.driver, el)
            .await
            .map_err(|e| WebDriverError::Timeout(format!("{what}: {e}")))?;
        self.taps += 1;
        self.clicks += 1;
        self.loads += 1;
        self.note(what);
        Ok(())
    }

    /// A tap that changes the page in place; the page must still be the same document.
    async fn in_place(&mut self, what: &str, el: &WebElement) -> WebDriverResult<()> {
        self.driver
            .execute("window.__chiboSamePage = true", vec![])
            .await?;
        tap(self.driver, el).await?;
        self.taps += 1;
        self.clicks += 1;
        self.note(what);
        Ok(())
    }

    /// After in-place taps: the page was not loaded again.
    async fn still_same_page(&self, what: &str) -> WebDriverResult<()> {
        let same: bool = self
            .driver
            .execute("return window.__chiboSamePage === true", vec![])
            .await?
            .convert()?;
        assert!(
            same,
            "{what} changed the page in place, without a page load"
        );
        Ok(())
    }

    /// Reaching a field (one tap), then typing into it.
    async fn type_into(&mut self, what: &str, css: &str, text: &str) -> WebDriverResult<()> {
        let el = self.driver.find(By::Css(css)).await?;
        tap(self.driver, &el).await?;
        el.send_keys(text).await?;
        self.taps += 1;
        self.clicks += 1;
        self.note(what);
        Ok(())
    }

    /// A date or time field: reached with a tap, the value set as its picker would.
    async fn pick(&mut self, what: &str, id: &str, value: &str) -> WebDriverResult<()> {
        let el = self.driver.find(By::Id(id)).await?;
        tap(self.driver, &el).await?;
        self.driver
            .execute(
                "arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![el.to_json()?, serde_json::json!(value)],
            )
            .await?;
        self.taps += 1;
        self.clicks += 1;
        self.note(what);
        Ok(())
    }

    /// A drop-down choice: two taps (open the list, choose), made without a click.
    async fn choose(&mut self, what: &str, id: &str, value: &str) -> WebDriverResult<()> {
        let el = self.driver.find(By::Id(id)).await?;
        self.driver
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});
                 arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![el.to_json()?, serde_json::json!(value)],
            )
            .await?;
        let chosen = el.prop("value").await?;
        assert_eq!(
            chosen.as_deref(),
            Some(value),
            "{what}: the option is there"
        );
        self.taps += 2;
        self.note(what);
        Ok(())
    }

    /// What the browser counted since the walk began (clicks, loads); it must be the tally.
    async fn checked(&self) -> WebDriverResult<(u32, u32)> {
        let (clicks, loads) = seen(self.driver).await?;
        let (clicks, loads) = (clicks - self.start.0, loads - self.start.1);
        assert_eq!(
            (clicks, loads),
            (self.clicks, self.loads),
            "the browser's counts of clicks and page loads are the walk's:\n{}",
            self.steps.join("\n")
        );
        Ok((self.taps, loads))
    }
}

/// The trusted clicks and documents the tab has counted so far.
async fn seen(driver: &WebDriver) -> WebDriverResult<(u32, u32)> {
    let v: Vec<u32> = driver
        .execute(
            "const s = window.sessionStorage;
             return [Number(s.getItem('chiboClicks') || 0), Number(s.getItem('chiboLoads') || 0)];",
            vec![],
        )
        .await?
        .convert()?;
    Ok((v[0], v[1]))
}

fn button(text: &str) -> By {
    By::XPath(format!("//button[normalize-space(.)='{text}']"))
}

/// The element `by`, once it is there (found afresh after a swap).
async fn find(driver: &WebDriver, what: &str, by: By) -> WebDriverResult<WebElement> {
    wait_for(what, || {
        let by = by.clone();
        async move { Ok(Some(driver.find(by).await?)) }
    })
    .await
}

/// The branch of the walk: 27 full members and 3 probationers, its bí thư (with a login)
/// and a chi ủy viên, and last month's meeting held and closed with two tasks given and
/// its self-score saved, all as the secretary did it through the app.
pub(crate) struct Branch {
    pub(crate) id: Uuid,
    pub(crate) members: Vec<Uuid>,
    pub(crate) last_month: Uuid,
}

pub(crate) async fn branch(app: &TestApp) -> Branch {
    let id = fixtures::branch(app, BRANCH, demo::WARD).await;
    let members =
        fixtures::members(app, id, &[(Status::Full, 27), (Status::Probationary, 3)]).await;
    for (member, role) in [(members[0], "secretary"), (members[1], "committee_member")] {
        sqlx::query(
            "INSERT INTO committee_roles (unit_id, member_id, role, term, valid_from)
             VALUES ($1, $2, $3, '2025–2030', $4)",
        )
        .bind(id)
        .bind(member)
        .bind(role)
        .bind(months_ago(12))
        .execute(&app.pool)
        .await
        .unwrap();
    }
    fixtures::login(app, SECRETARY, chibo::auth::Role::Secretary, Some(id)).await;
    let api = app.other_browser();
    api.login_as(SECRETARY).await;
    let r = api
        .plan_meeting(
            id,
            &[
                ("kind", "regular"),
                ("month", &month_value(months_ago(1))),
                ("agenda", "template"),
            ],
        )
        .await;
    let last = created_id(&r, "/meetings/");
    // Held on the 10th with everyone there, chaired by the bí thư with the chi ủy viên
    // taking the minutes.
    sqlx::query(
        "UPDATE attendance SET presence = 'present' WHERE meeting_id = $1 AND category = 'expected'",
    )
    .bind(last)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE meetings SET
                started_at = ((month + 9) + time '19:30') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                ended_at = ((month + 9) + time '21:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                chair_id = $2, secretary_id = $3,
                committee_met_on = month + 6, notice_sent_on = month + 6,
                materials_posted_on = month + 6, draft_resolution_on = month + 8
          WHERE id = $1",
    )
    .bind(last)
    .bind(members[0])
    .bind(members[1])
    .execute(&app.pool)
    .await
    .unwrap();
    let state = |to: &'static str| [("to", to)];
    let r = api
        .post(&format!("/meetings/{last}/state"), &state("held"))
        .await;
    assert!(r.status().is_redirection(), "hold last month's meeting");
    for (member, task) in [
        (members[2], "Vận động hộ gia đình phân loại rác tại nguồn"),
        (members[3], "Nắm tình hình dư luận trong tổ dân phố"),
    ] {
        let r = api
            .post(
                &format!("/meetings/{last}/tasks"),
                &[("member", &member.to_string()), ("description", task)],
            )
            .await;
        assert!(r.status().is_redirection(), "give the task {task}");
    }
    fixtures::write_item_minutes(app, last).await;
    let r = api
        .post(&format!("/meetings/{last}/state"), &state("closed"))
        .await;
    assert!(r.status().is_redirection(), "close last month's minutes");
    // The branch's first month in chibo has no earlier tasks to review: the committee gives
    // that criterion its points by hand, with the reason.
    let mut sheet = crate::evaluation::full_form("");
    sheet.push(("o-hoan_thanh", "10".into()));
    sheet.push((
        "r-hoan_thanh",
        "Tháng đầu dùng hệ thống; nhiệm vụ kỳ trước đã hoàn thành theo sổ nghị quyết.".into(),
    ));
    let r = api
        .post_form(&format!("/meetings/{last}/evaluation"), &sheet)
        .await;
    if !r.status().is_redirection() {
        let status = r.status();
        let page = crate::support::text(&r.text().await.unwrap());
        panic!("last month's self-score: {status}: {page}");
    }
    // Adopted by the branch's vote (a draft is no judgement to start a month from).
    let (_, _, _, version) = crate::evaluation::branch_sheet(app, last)
        .await
        .expect("last month's sheet");
    let r = crate::evaluation::agree(&api, last, &version.to_string()).await;
    assert!(r.status().is_redirection(), "last month's sheet agreed");
    Branch {
        id,
        members,
        last_month: last,
    }
}

#[tokio::test]
async fn a_secretary_does_the_months_work_on_a_phone_in_40_taps_and_the_ward_approves_in_3() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let b = branch(&app).await;
    let result = async {
        driver
            .cdp()
            .send_raw(
                "Page.addScriptToEvaluateOnNewDocument",
                serde_json::json!({ "source": COUNTER }),
            )
            .await?;
        phone(driver).await?;
        sign_in(driver, &app, SECRETARY).await?;
        heading(driver, "the branch home", |h| h == BRANCH).await?;
        let mut walk = Walk::begin(driver).await?;

        // Plan from the template, at 07:00 this morning.
        let plan = driver
            .find(By::LinkText("Lên kế hoạch buổi sinh hoạt"))
            .await?;
        walk.load_page("the planning form", &plan).await?;
        let day = today().format("%Y-%m-%d").to_string();
        walk.pick("the time", "planned_at", &format!("{day}T07:00"))
            .await?;
        let create = driver.find(button("Lên kế hoạch")).await?;
        walk.load_page("planned", &create).await?;
        let agenda = driver.find_all(By::Css("ol.agenda li")).await?;
        assert_eq!(agenda.len(), 11, "the template's agenda");

        // Attendance: everyone, then three exceptions.
        let sheet = driver.find(By::LinkText("Điểm danh")).await?;
        walk.load_page("the attendance sheet", &sheet).await?;
        let all = driver.find(button("Tất cả có mặt")).await?;
        walk.in_place("all present", &all).await?;
        text_when(
            driver,
            By::Css(".att-bar dl.counts"),
            "everyone present",
            |t| t.contains("30/30"),
        )
        .await?;
        let (ill, away, late) = (b.members[5], b.members[6], b.members[7]);
        for (member, presence) in [
            (ill, "absent_excused"),
            (away, "absent_unexcused"),
            (late, "late"),
        ] {
            let css = format!("li#m-{member} button[value={presence}]");
            let el = find(driver, &css, By::Css(&css)).await?;
            walk.in_place(presence, &el).await?;
            row_is(driver, member, presence).await?;
        }
        let code = format!("li#m-{ill} input[name=reason_code][value=illness]");
        let el = find(driver, "the reason codes", By::Css(&code)).await?;
        walk.in_place("ốm", &el).await?;
        text_when(
            driver,
            By::Css(format!("li#m-{ill} .who-row")),
            "the reason saved",
            |t| t.contains("Ốm"),
        )
        .await?;
        walk.still_same_page("the attendance taps").await?;
        let bar = driver.find(By::Css(".att-bar dl.counts")).await?.text().await?;
        assert!(bar.contains("28/30"), "{bar}");

        // The minutes: the time, the chair and the minute-taker come filled in.
        let minutes = find(driver, "the way on", By::LinkText("Ghi biên bản")).await?;
        walk.load_page("the minutes", &minutes).await?;
        let value = |id: &'static str| async move {
            driver.find(By::Id(id)).await?.prop("value").await
        };
        assert_eq!(value("started_at").await?.as_deref(), Some(&*format!("{day}T07:00")));
        assert_eq!(value("chair_id").await?, Some(b.members[0].to_string()), "the bí thư chairs");
        assert_eq!(
            value("secretary_id").await?,
            Some(b.members[1].to_string()),
            "last month's minute-taker"
        );
        walk.pick("the end", "ended_at", &format!("{day}T08:40"))
            .await?;
        let items: Vec<Uuid> = sqlx::query_scalar(
            "SELECT a.id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
              WHERE m.unit_id = $1 AND m.month = $2 ORDER BY a.position",
        )
        .bind(b.id)
        .bind(app.this_month())
        .fetch_all(&app.pool)
        .await
        .unwrap();
        assert_eq!(items.len(), 11);
        walk.type_into(
            "item 5",
            &format!("#minutes-{}", items[4]),
            "Đồng chí bí thư báo cáo kết quả tháng trước; hai nhiệm vụ đã kiểm điểm.",
        )
        .await?;
        walk.type_into(
            "item 7",
            &format!("#minutes-{}", items[6]),
            "5 đồng chí phát biểu về vệ sinh môi trường và an ninh trật tự.",
        )
        .await?;
        walk.type_into(
            "item 8",
            &format!("#conclusion-{}", items[7]),
            "Giao nhiệm vụ tuyên truyền cho đồng chí phụ trách.",
        )
        .await?;
        walk.type_into(
            "the resolution",
            "#resolution",
            "Chi bộ thống nhất các nhiệm vụ trọng tâm tháng tới.",
        )
        .await?;

        // A vote (the minutes above still unsaved): the show of hands is filled in (the 25
        // full members there).
        assert_eq!(value("votes_for").await?.as_deref(), Some("25"));
        walk.type_into("the vote", "#subject", "Thông qua nghị quyết tháng")
            .await?;
        let record = driver.find(button("Ghi biểu quyết")).await?;
        walk.in_place("vote recorded", &record).await?;
        text_when(driver, By::Id("record"), "the vote in the table", |t| {
            t.contains("Thông qua nghị quyết tháng") && t.contains("Thông qua")
        })
        .await?;
        // A task.
        walk.choose("the assignee", "member", &b.members[4].to_string())
            .await?;
        walk.type_into(
            "the task",
            "#description",
            "Đôn đốc thu đảng phí quý IV",
        )
        .await?;
        let give = driver.find(button("Giao nhiệm vụ")).await?;
        walk.in_place("task given", &give).await?;
        text_when(driver, By::Id("record"), "the task listed", |t| {
            t.contains("Đôn đốc thu đảng phí quý IV")
        })
        .await?;
        // Last month's two tasks reviewed: one done, one partly.
        for (n, label) in [(1, "Hoàn thành"), (2, "Một phần")] {
            let css = format!("ul.reviews > li:nth-child({n}) button");
            let el = wait_for(&format!("review {n}"), || {
                let css = css.clone();
                async move {
                    for b in driver.find_all(By::Css(&css)).await? {
                        if b.text().await? == label {
                            return Ok(Some(b));
                        }
                    }
                    Ok(None)
                }
            })
            .await?;
            walk.in_place(&format!("review {n}"), &el).await?;
            // The review shows on its line before the next one is tapped.
            let line = format!("ul.reviews > li:nth-child({n}) em");
            text_when(driver, By::Css(&line), &format!("review {n} shown"), |t| {
                t != "Chưa đánh giá"
            })
            .await?;
        }
        if let Err(e) = text_when(driver, By::Id("record"), "the completion rate", |t| {
            t.contains("75,0%")
        })
        .await
        {
            let shown = driver.find(By::Id("record")).await?.text().await?;
            panic!("{e}; the block reads: {shown}");
        }
        walk.still_same_page("the vote, the task and the reviews").await?;
        let typed = value("resolution").await?;
        assert_eq!(
            typed.as_deref(),
            Some("Chi bộ thống nhất các nhiệm vụ trọng tâm tháng tới."),
            "the minutes form is untouched by the in-place saves"
        );

        // The minutes typed above, saved at last, the blank items marked in the same save.
        let save = driver
            .find(button("Lưu và đánh dấu các nội dung còn trống “Không có nội dung ghi”"))
            .await?;
        walk.load_page("saved, the rest marked empty", &save).await?;
        let saved: (Option<String>, i64) = sqlx::query_as(
            "SELECT m.resolution, count(a.*) FILTER (WHERE a.minutes IS NOT NULL OR a.conclusion IS NOT NULL)
               FROM meetings m JOIN agenda_items a ON a.meeting_id = m.id
              WHERE m.unit_id = $1 AND m.month = $2 GROUP BY m.resolution",
        )
        .bind(b.id)
        .bind(app.this_month())
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(
            saved,
            (Some("Chi bộ thống nhất các nhiệm vụ trọng tâm tháng tới.".to_owned()), 3),
            "what was typed before the in-place saves is what the minutes hold"
        );

        // Held, then closed.
        let hold = driver.find(button("Xác nhận đã họp")).await?;
        walk.load_page("held", &hold).await?;
        let close = driver.find(button("Khóa biên bản")).await?;
        walk.load_page("closed", &close).await?;
        driver.find(button("Mở lại biên bản")).await?;

        // The self-score, from last month's judgement; agreed and sent up.
        let score = driver.find(By::LinkText("Chấm điểm chất lượng")).await?;
        walk.load_page("the score sheet", &score).await?;
        let earlier = format!(
            "Điền các tiêu chí đánh giá như tháng {}",
            months_ago(1).format("%m/%Y")
        );
        let fill = driver.find(By::LinkText(&earlier)).await?;
        walk.load_page("filled as last month", &fill).await?;
        let save = driver.find(button("Lưu bảng điểm")).await?;
        walk.load_page("sheet saved", &save).await?;
        let agree = driver
            .find(button("Chi bộ đã biểu quyết thông qua điểm và xếp loại"))
            .await?;
        assert_eq!(value("votes_for").await?.as_deref(), Some("25"));
        walk.load_page("agreed", &agree).await?;
        let send = driver.find(button("Gửi cấp ủy cấp trên")).await?;
        walk.load_page("sent up", &send).await?;
        text_when(
            driver,
            By::Id("xet-duyet"),
            "the sheet sent",
            |t| t.contains("Đã gửi cấp trên") || t.contains("Chờ phê duyệt"),
        )
        .await?;

        // The printed minutes, printed.
        let print = driver.find(By::LinkText("Bản in biên bản")).await?;
        walk.load_page("the printed minutes", &print).await?;
        heading(driver, "the minutes", |h| h.starts_with("BIÊN BẢN")).await?;
        driver
            .execute("window.print = function () { window.__chiboPrinted = true; };", vec![])
            .await?;
        let print = driver.find(By::Css("button[data-print]")).await?;
        walk.in_place("print", &print).await?;
        let printed: bool = driver
            .execute("return window.__chiboPrinted === true", vec![])
            .await?
            .convert()?;
        assert!(printed, "the print button prints");

        let (taps, loads) = walk.checked().await?;
        let report = walk.steps.join("\n");
        eprintln!("A secretary's month: {taps} taps, {loads} page loads\n{report}");
        assert!(taps <= MAX_TAPS, "{taps} taps:\n{report}");
        assert!(loads <= MAX_LOADS, "{loads} page loads:\n{report}");

        // The record is what was tapped.
        let (state, present, late_n, excused, unexcused): (String, i64, i64, i64, i64) =
            sqlx::query_as(
                "SELECT m.state,
                        count(*) FILTER (WHERE a.presence = 'present'),
                        count(*) FILTER (WHERE a.presence = 'late'),
                        count(*) FILTER (WHERE a.presence = 'absent_excused' AND a.reason_code = 'illness'),
                        count(*) FILTER (WHERE a.presence = 'absent_unexcused')
                   FROM meetings m JOIN attendance a ON a.meeting_id = m.id
                  WHERE m.unit_id = $1 AND m.month = $2 GROUP BY m.state",
            )
            .bind(b.id)
            .bind(app.this_month())
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!((state.as_str(), present, late_n, excused, unexcused), ("closed", 27, 1, 1, 1));
        let reviews: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT review FROM tasks WHERE meeting_id = $1 ORDER BY id",
        )
        .bind(b.last_month)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        assert_eq!(reviews, [Some("done".to_owned()), Some("partly".to_owned())]);
        let empty: i64 = sqlx::query_scalar(
            "SELECT count(*) FILTER (WHERE nothing_to_record) FROM agenda_items a
               JOIN meetings m ON m.id = a.meeting_id WHERE m.unit_id = $1 AND m.month = $2",
        )
        .bind(b.id)
        .bind(app.this_month())
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(empty, 8, "the 8 items left blank are marked empty");
        let (sheet, judged_same): (String, bool) = sqlx::query_as(
            "WITH judged AS (
                 SELECT e.meeting_id, i->>'code' AS code, i->'points' AS points
                   FROM evaluations e JOIN rubrics r ON r.id = e.rubric_id,
                        jsonb_array_elements(e.items) i
                  WHERE e.scorer = 'branch'
                    AND i->>'code' IN (SELECT c->>'code' FROM jsonb_path_query(r.sheet, '$.groups[*].criteria[*]') c
                                        WHERE c->'input'->>'type' <> 'computed'))
             SELECT e.state,
                    (SELECT jsonb_object_agg(code, points) FROM judged WHERE meeting_id = e.meeting_id)
                    = (SELECT jsonb_object_agg(code, points) FROM judged WHERE meeting_id = $3)
               FROM evaluations e JOIN meetings m ON m.id = e.meeting_id
              WHERE m.unit_id = $1 AND m.month = $2 AND e.scorer = 'branch'",
        )
        .bind(b.id)
        .bind(app.this_month())
        .bind(b.last_month)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(sheet, "submitted");
        assert!(judged_same, "the judged criteria are last month's");

        // The ward's supervisor, from the home page.
        driver.delete_all_cookies().await?;
        sign_in(driver, &app, "phuong").await?;
        let mut walk = Walk::begin(driver).await?;
        let queued = find(
            driver,
            "the branch in the approval queue",
            By::XPath(format!(
                "//section[@id='cho-phe-duyet']//a[.//strong[normalize-space(.)='{BRANCH}']]"
            )),
        )
        .await?;
        walk.load_page("the sheet in the queue", &queued).await?;
        let approve = find(
            driver,
            "the approval",
            By::XPath("//button[starts-with(normalize-space(.), 'Phê duyệt')]"),
        )
        .await?;
        walk.load_page("approved", &approve).await?;
        let (taps, _) = walk.checked().await?;
        let report = walk.steps.join("\n");
        eprintln!("The ward's approval: {taps} taps\n{report}");
        assert!(taps <= MAX_APPROVAL_TAPS, "{taps} taps:\n{report}");
        let approved: String = sqlx::query_scalar(
            "SELECT e.state FROM evaluations e JOIN meetings m ON m.id = e.meeting_id
              WHERE m.unit_id = $1 AND m.month = $2 AND e.scorer = 'branch'",
        )
        .bind(b.id)
        .bind(app.this_month())
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(approved, "approved");
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the secretary's month");
}
