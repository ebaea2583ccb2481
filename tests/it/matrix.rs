//! The authorisation matrix, generated from the router itself: every route the source
//! registers (`.route("…", get(…).post(…))` in `src/`), every method on it, seven roles
//! (anonymous, member, secretary, ward supervisor, another commune's supervisor, the ward's
//! administrator, the system administrator) and an object inside and one outside the ward.
//!
//! What each route needs is stated once below ([`NEEDS`]); the answer each role must get
//! follows from that need and where the object lies ([`expect`]). A refusal must be exactly
//! the expected status (the login page, 404 naming nothing of the object, 403) and must leave
//! the database as it was — every table but the sessions carries a statement trigger that
//! counts writes during the test. A route added to the router without a line here fails the
//! test, so no route reaches a user unconsidered.

use std::collections::BTreeSet;

use chibo::auth::Role;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::{
    self,
    demo::{BRANCH, COMMUNE, WARD},
};
use crate::support::{TestApp, location, text};

/// What a route asks of its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Reading the object's unit: its officers and every committee above.
    Read,
    /// Keeping a branch's records: its posts and its administrators (not a supervisor).
    Keep,
    /// Scoring a meeting: the branch's posts (self-score) and the committees above.
    Score,
    /// A committee's own work (reports, model meetings): supervisors and administrators.
    Oversee,
    /// A staged import: its uploader's alone (another keeper of the branch does not find it).
    Staged,
    /// Restructuring a unit: its administrators.
    Administer,
    /// The rubric registry: read by any administrator, changed by the scope's ones.
    RubricRead,
    RubricManage,
    /// An account: the administrators of a unit it holds a grant in.
    Accounts,
    /// Installation-wide settings: the system administrator alone.
    System,
}

/// Which object a route's `{id}` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    None,
    Branch,
    Committee,
    Meeting,
    Member,
    Template,
    Rubric,
    Account,
}

/// Every route × method of the router with what it needs and the object its path names.
/// Paths are the router's own patterns; the query a page passes is added by [`fill`].
const NEEDS: &[(&str, &str, Need, Obj)] = &[
    ("GET", "/healthz", Need::Public, Obj::None),
    ("GET", "/readyz", Need::Public, Obj::None),
    ("GET", "/static/{*path}", Need::Public, Obj::None),
    ("GET", "/login", Need::Public, Obj::None),
    ("POST", "/login", Need::Public, Obj::None),
    ("POST", "/logout", Need::SignedIn, Obj::None),
    ("GET", "/account/password", Need::SignedIn, Obj::None),
    ("POST", "/account/password", Need::SignedIn, Obj::None),
    ("GET", "/", Need::SignedIn, Obj::None),
    // Documents.
    ("GET", "/meetings/{id}/print", Need::Read, Obj::Meeting),
    ("GET", "/meetings/{id}/notice", Need::Read, Obj::Meeting),
    (
        "POST",
        "/meetings/{id}/notice/number",
        Need::Keep,
        Obj::Meeting,
    ),
    (
        "GET",
        "/meetings/{id}/evaluation/print",
        Need::Read,
        Obj::Meeting,
    ),
    // Scoring.
    ("GET", "/meetings/{id}/evaluation", Need::Read, Obj::Meeting),
    (
        "POST",
        "/meetings/{id}/evaluation",
        Need::Score,
        Obj::Meeting,
    ),
    (
        "POST",
        "/meetings/{id}/evaluation/step",
        Need::Score,
        Obj::Meeting,
    ),
    ("GET", "/units/{id}/evaluations", Need::Read, Obj::Branch),
    ("GET", "/units/{id}/rubrics", Need::Read, Obj::Branch),
    ("GET", "/admin/rubrics", Need::RubricRead, Obj::None),
    ("POST", "/admin/rubrics", Need::RubricRead, Obj::None),
    ("GET", "/admin/rubrics/{id}", Need::RubricRead, Obj::Rubric),
    (
        "GET",
        "/admin/rubrics/{id}/edit",
        Need::RubricManage,
        Obj::Rubric,
    ),
    (
        "POST",
        "/admin/rubrics/{id}/edit",
        Need::RubricManage,
        Obj::Rubric,
    ),
    (
        "GET",
        "/admin/rubrics/{id}/export/{format}",
        Need::RubricRead,
        Obj::Rubric,
    ),
    (
        "POST",
        "/admin/rubrics/{id}/copy",
        Need::RubricManage,
        Obj::Rubric,
    ),
    (
        "POST",
        "/admin/rubrics/{id}/publish",
        Need::RubricManage,
        Obj::Rubric,
    ),
    // History (Lịch sử): whoever reads the object.
    ("GET", "/meetings/{id}/history", Need::Read, Obj::Meeting),
    ("GET", "/members/{id}/history", Need::Read, Obj::Member),
    ("GET", "/units/{id}/history", Need::Read, Obj::Branch),
    // Units and their meetings.
    ("GET", "/units/{id}", Need::Read, Obj::Branch),
    ("GET", "/units/{id}/meetings", Need::Read, Obj::Branch),
    ("POST", "/units/{id}/meetings", Need::Keep, Obj::Branch),
    ("GET", "/units/{id}/thematic", Need::Read, Obj::Branch),
    ("POST", "/units/{id}/thematic", Need::Keep, Obj::Branch),
    ("GET", "/admin/templates", Need::System, Obj::None),
    ("POST", "/admin/templates", Need::System, Obj::None),
    ("GET", "/admin/templates/{id}", Need::System, Obj::Template),
    (
        "POST",
        "/admin/templates/{id}/items/{item}",
        Need::System,
        Obj::Template,
    ),
    ("GET", "/meetings/new", Need::Keep, Obj::Branch),
    ("POST", "/meetings/new", Need::Keep, Obj::Branch),
    ("GET", "/meetings/{id}", Need::Read, Obj::Meeting),
    ("GET", "/meetings/{id}/attendance", Need::Read, Obj::Meeting),
    (
        "POST",
        "/meetings/{id}/attendance/{member}",
        Need::Keep,
        Obj::Meeting,
    ),
    (
        "POST",
        "/meetings/{id}/attendance/{member}/reason",
        Need::Keep,
        Obj::Meeting,
    ),
    (
        "POST",
        "/meetings/{id}/attendance/{member}/spoke",
        Need::Keep,
        Obj::Meeting,
    ),
    (
        "POST",
        "/meetings/{id}/all-present",
        Need::Keep,
        Obj::Meeting,
    ),
    ("GET", "/meetings/{id}/agenda", Need::Read, Obj::Meeting),
    ("POST", "/meetings/{id}/agenda", Need::Keep, Obj::Meeting),
    (
        "POST",
        "/meetings/{id}/agenda/{item}",
        Need::Keep,
        Obj::Meeting,
    ),
    ("POST", "/meetings/{id}/guests", Need::Keep, Obj::Meeting),
    (
        "POST",
        "/meetings/{id}/guests/{guest}/delete",
        Need::Keep,
        Obj::Meeting,
    ),
    ("GET", "/meetings/{id}/minutes", Need::Keep, Obj::Meeting),
    ("POST", "/meetings/{id}/minutes", Need::Keep, Obj::Meeting),
    ("POST", "/meetings/{id}/votes", Need::Keep, Obj::Meeting),
    ("POST", "/meetings/{id}/tasks", Need::Keep, Obj::Meeting),
    (
        "POST",
        "/meetings/{id}/reviews/{task}",
        Need::Keep,
        Obj::Meeting,
    ),
    ("POST", "/meetings/{id}/state", Need::Keep, Obj::Meeting),
    // Members.
    ("GET", "/units/{id}/members", Need::Read, Obj::Branch),
    ("GET", "/units/{id}/members.xlsx", Need::Read, Obj::Branch),
    ("GET", "/members/new", Need::Keep, Obj::Branch),
    ("POST", "/members/new", Need::Keep, Obj::Branch),
    ("GET", "/members/{id}", Need::Read, Obj::Member),
    ("GET", "/members/{id}/edit", Need::Keep, Obj::Member),
    ("POST", "/members/{id}/edit", Need::Keep, Obj::Member),
    ("GET", "/members/{id}/{action}", Need::Keep, Obj::Member),
    ("POST", "/members/{id}/{action}", Need::Keep, Obj::Member),
    ("GET", "/units/{id}/committee", Need::Read, Obj::Branch),
    ("POST", "/units/{id}/committee", Need::Keep, Obj::Branch),
    (
        "POST",
        "/units/{id}/committee/{post}/end",
        Need::Keep,
        Obj::Branch,
    ),
    ("GET", "/units/{id}/members/import", Need::Keep, Obj::Branch),
    (
        "POST",
        "/units/{id}/members/import",
        Need::Keep,
        Obj::Branch,
    ),
    (
        "GET",
        "/units/{id}/members/import/template.xlsx",
        Need::Keep,
        Obj::Branch,
    ),
    (
        "GET",
        "/units/{id}/members/import/template.csv",
        Need::Keep,
        Obj::Branch,
    ),
    (
        "GET",
        "/units/{id}/members/import/{batch}",
        Need::Staged,
        Obj::Branch,
    ),
    (
        "POST",
        "/units/{id}/members/import/{batch}/commit",
        Need::Staged,
        Obj::Branch,
    ),
    (
        "POST",
        "/units/{id}/members/import/{batch}/rows/{line}",
        Need::Staged,
        Obj::Branch,
    ),
    (
        "POST",
        "/units/{id}/members/import/{batch}/rows/{line}/skip",
        Need::Staged,
        Obj::Branch,
    ),
    // The organisation tree.
    ("GET", "/admin", Need::RubricRead, Obj::None),
    // Locked accounts: any administrator lists those of their units and unlocks them.
    ("GET", "/admin/locks", Need::RubricRead, Obj::None),
    (
        "POST",
        "/admin/users/{id}/unlock",
        Need::Accounts,
        Obj::Account,
    ),
    ("GET", "/admin/units/new", Need::Administer, Obj::Committee),
    ("POST", "/admin/units/new", Need::Administer, Obj::Committee),
    (
        "GET",
        "/admin/units/{id}/rename",
        Need::Administer,
        Obj::Branch,
    ),
    (
        "POST",
        "/admin/units/{id}/rename",
        Need::Administer,
        Obj::Branch,
    ),
    (
        "GET",
        "/admin/units/{id}/move",
        Need::Administer,
        Obj::Branch,
    ),
    (
        "POST",
        "/admin/units/{id}/move",
        Need::Administer,
        Obj::Branch,
    ),
    (
        "GET",
        "/admin/units/{id}/close",
        Need::Administer,
        Obj::Branch,
    ),
    (
        "POST",
        "/admin/units/{id}/close",
        Need::Administer,
        Obj::Branch,
    ),
    (
        "GET",
        "/admin/units/{id}/merge",
        Need::Administer,
        Obj::Branch,
    ),
    (
        "POST",
        "/admin/units/{id}/merge",
        Need::Administer,
        Obj::Branch,
    ),
    // Supervision and reports.
    ("GET", "/reports/monthly/{file}", Need::Read, Obj::Committee),
    (
        "POST",
        "/reports/monthly/{file}",
        Need::Oversee,
        Obj::Committee,
    ),
    ("GET", "/reports/yearly/{id}", Need::Read, Obj::Committee),
    ("GET", "/dashboard/{id}", Need::Read, Obj::Committee),
    ("GET", "/alerts/{id}", Need::Read, Obj::Committee),
    ("GET", "/admin/alerts", Need::System, Obj::None),
    ("POST", "/admin/alerts", Need::System, Obj::None),
    ("GET", "/model-meetings/{id}", Need::Read, Obj::Committee),
    (
        "POST",
        "/model-meetings/{id}",
        Need::Oversee,
        Obj::Committee,
    ),
    (
        "POST",
        "/model-meetings/{id}/{planned}",
        Need::Oversee,
        Obj::Committee,
    ),
];

/// The roles, as their logins; `None` is a browser that never signed in.
const ROLES: &[Option<&str>] = &[
    None,
    Some("dangvien"),
    Some("bithu"),
    Some("phuong"),
    Some("xaductho"),
    Some("quantriphuong"),
    Some("admin"),
];

/// Where the object lies: in the ward of `phuong` (the branch of `bithu`), or in the commune
/// of `xaductho`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Inside,
    Outside,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Served: not a refusal (a page, a redirect after a write, or a form refused for its
    /// content — the matrix posts empty forms).
    Allowed,
    Login,
    NotFound,
    Forbidden,
}

/// The answer `role` must get for a route needing `need` on an object of kind `obj` lying
/// on `side`.
fn expect(role: Option<&str>, need: Need, obj: Obj, side: Side, uploader: &str) -> Outcome {
    use Outcome::*;
    let Some(role) = role else {
        return if need == Need::Public { Allowed } else { Login };
    };
    match need {
        Need::Public | Need::SignedIn => return Allowed,
        Need::Accounts => {
            return match role {
                "admin" => Allowed,
                "quantriphuong" if side == Side::Inside => Allowed,
                _ => NotFound,
            };
        }
        Need::System => return if role == "admin" { Allowed } else { NotFound },
        Need::RubricRead | Need::RubricManage => {
            // The registry is the administrators': the province's rubric is read by the
            // ward's administrator and changed by the province's alone.
            return match role {
                "admin" => Allowed,
                "quantriphuong" if need == Need::RubricRead => Allowed,
                "quantriphuong" if obj == Obj::Rubric => Forbidden,
                _ => NotFound,
            };
        }
        _ => {}
    }
    let branch_level = matches!(obj, Obj::Branch | Obj::Meeting | Obj::Member);
    let in_scope = match role {
        "admin" => true,
        "phuong" | "quantriphuong" => side == Side::Inside,
        "xaductho" => side == Side::Outside,
        "bithu" => side == Side::Inside && branch_level,
        // A member reads their own record only; the object is someone else's.
        _ => false,
    };
    if !in_scope {
        return NotFound;
    }
    let allowed = match need {
        Need::Read | Need::Score => true,
        Need::Keep => matches!(role, "bithu" | "quantriphuong" | "admin"),
        Need::Staged if role == uploader => true,
        Need::Staged if matches!(role, "bithu" | "quantriphuong" | "admin") => return NotFound,
        Need::Staged => false,
        Need::Oversee => matches!(role, "phuong" | "xaductho" | "quantriphuong" | "admin"),
        Need::Administer => matches!(role, "quantriphuong" | "admin"),
        _ => unreachable!(),
    };
    if allowed { Allowed } else { Forbidden }
}

/// The routes the source registers: (method, pattern), read from every `.route(` of `src/`.
fn registered_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = vec![std::path::PathBuf::from(root)];
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let src = std::fs::read_to_string(&p).unwrap();
        let mut rest = src.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(open) = rest.find('"') else { break };
            let after = &rest[open + 1..];
            let close = after.find('"').unwrap();
            let path = after[..close].to_owned();
            // The route's arguments run to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let args = &rest[..end];
            for method in ["get", "post", "put", "patch", "delete"] {
                // `post(handler)`, or a function building the method router (`post_login(…)`).
                let found = [format!("{method}("), format!("{method}_")]
                    .iter()
                    .any(|call| {
                        args.match_indices(call.as_str()).any(|(i, _)| {
                            i == 0
                                || !args.as_bytes()[i - 1].is_ascii_alphanumeric()
                                    && args.as_bytes()[i - 1] != b'_'
                        })
                    });
                if found {
                    routes.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    routes
}

/// The ids the paths are filled with, on one side.
#[derive(Debug, Clone, Default)]
struct Ids {
    branch: Uuid,
    committee: Uuid,
    meeting: Uuid,
    member: Uuid,
    attendee: Uuid,
    item: Uuid,
    guest: Uuid,
    task: Uuid,
    post: Uuid,
    planned: Uuid,
    batch: Uuid,
    /// The line of the staged import's one row.
    line: usize,
    /// Who staged the import.
    uploader: &'static str,
    /// An account of the side (`bithu` inside, `xaductho` outside).
    account: Uuid,
    /// Names that a 404 must not show.
    names: Vec<String>,
}

async fn one(app: &TestApp, sql: &str, id: Uuid) -> Uuid {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no row for {sql} ({id})"))
}

/// Ids on one side, the import staged by `uploader` (a browser signed in as that user).
async fn side_ids(
    app: &TestApp,
    branch: Uuid,
    committee: Uuid,
    uploader: &'static str,
    card: &str,
    account: &str,
) -> Ids {
    let account: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(account)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let meeting = one(
        app,
        "SELECT m.id FROM meetings m WHERE m.unit_id = $1
            AND EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = m.id)
            AND EXISTS (SELECT 1 FROM tasks t WHERE t.meeting_id = m.id)
          ORDER BY m.month DESC, m.id LIMIT 1",
        branch,
    )
    .await;
    let member = one(
        app,
        "SELECT ms.member_id FROM memberships ms
          WHERE ms.unit_id = $1 AND ms.valid_to IS NULL
            AND NOT EXISTS (SELECT 1 FROM users u WHERE u.member_id = ms.member_id)
          ORDER BY ms.member_id LIMIT 1",
        branch,
    )
    .await;
    let attendee = one(
        app,
        "SELECT member_id FROM attendance WHERE meeting_id = $1 ORDER BY member_id LIMIT 1",
        meeting,
    )
    .await;
    let item = one(
        app,
        "SELECT id FROM agenda_items WHERE meeting_id = $1 ORDER BY position LIMIT 1",
        meeting,
    )
    .await;
    let task = one(
        app,
        "SELECT id FROM tasks WHERE meeting_id = $1 ORDER BY id LIMIT 1",
        meeting,
    )
    .await;
    let post = one(
        app,
        "SELECT id FROM committee_roles WHERE unit_id = $1 ORDER BY id LIMIT 1",
        branch,
    )
    .await;
    let guest: Uuid = sqlx::query_scalar(
        "INSERT INTO meeting_guests (meeting_id, name) VALUES ($1, 'Khách mời ma trận') RETURNING id",
    )
    .bind(meeting)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let planned: Uuid = sqlx::query_scalar(
        "INSERT INTO model_meetings (programme_unit, branch_id, month)
         VALUES ($1, $2, date_trunc('month', now())::date) RETURNING id",
    )
    .bind(committee)
    .bind(branch)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let up = app.other_browser();
    up.login_as(uploader).await;
    let file = format!(
        "Họ và tên,Giới tính,Ngày sinh,Quê quán,Điện thoại,Số thẻ đảng viên,Ngày kết nạp,\
         Ngày quyết định kết nạp,Ngày công nhận chính thức,Đảng viên\n\
         Trần Văn Ma Trận,Nam,02/03/1970,,,{card},05/05/1995,,05/05/1996,Chính thức"
    );
    let part = reqwest::multipart::Part::bytes(file.into_bytes()).file_name("ma-tran.csv");
    let r = up
        .client
        .post(up.url(&format!("/units/{branch}/members/import")))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let preview = location(&r);
    let batch: Uuid = preview
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("staged import: {} {preview}", r.status()));
    let line: i64 = sqlx::query_scalar(
        "SELECT (rows -> 0 ->> 'line')::bigint FROM member_imports WHERE id = $1",
    )
    .bind(batch)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let names = sqlx::query_scalar(
        "SELECT name FROM units WHERE id IN ($1, $2)
         UNION ALL SELECT full_name FROM members WHERE id = $3",
    )
    .bind(branch)
    .bind(committee)
    .bind(member)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    Ids {
        branch,
        committee,
        meeting,
        member,
        attendee,
        item,
        guest,
        task,
        post,
        planned,
        batch,
        line: line as usize,
        uploader,
        account,
        names,
    }
}

/// The request a page of ours would make on this route for this object: the path with its
/// ids, and the form (empty but for the object a form names).
fn fill(
    pattern: &str,
    obj: Obj,
    ids: &Ids,
    template: (Uuid, Uuid),
    rubric: Uuid,
) -> (String, Vec<(String, String)>) {
    let id = match obj {
        Obj::None => Uuid::nil(),
        Obj::Branch => ids.branch,
        Obj::Committee => ids.committee,
        Obj::Meeting => ids.meeting,
        Obj::Member => ids.member,
        Obj::Template => template.0,
        Obj::Rubric => rubric,
        Obj::Account => ids.account,
    };
    let mut path = pattern
        .replace("{id}", &id.to_string())
        .replace("{*path}", "app.css")
        .replace("{file}", &ids.committee.to_string())
        .replace("{format}", "json")
        .replace("{action}", "transfer")
        .replace("{member}", &ids.attendee.to_string())
        .replace("{guest}", &ids.guest.to_string())
        .replace("{task}", &ids.task.to_string())
        .replace("{post}", &ids.post.to_string())
        .replace("{planned}", &ids.planned.to_string())
        .replace("{batch}", &ids.batch.to_string())
        .replace("{line}", &ids.line.to_string());
    path = if pattern.starts_with("/admin/templates/") {
        path.replace("{item}", &template.1.to_string())
    } else {
        path.replace("{item}", &ids.item.to_string())
    };
    let mut form = Vec::new();
    match pattern {
        "/meetings/new" | "/members/new" => path = format!("{path}?unit={}", ids.branch),
        "/admin/units/new" => {
            path = format!("{path}?parent={}", ids.committee);
            form.push(("parent".to_owned(), ids.committee.to_string()));
        }
        _ => {}
    }
    (path, form)
}

const WRITES: &str = "SELECT n FROM matrix_writes";

/// Counts, from here on, every statement that writes any table but the sessions.
async fn count_writes(app: &TestApp) {
    sqlx::raw_sql(
        r#"CREATE TABLE matrix_writes (n bigint NOT NULL);
           INSERT INTO matrix_writes VALUES (0);
           CREATE FUNCTION matrix_count() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN UPDATE matrix_writes SET n = n + 1; RETURN NULL; END $$;
           DO $$ DECLARE t text; BEGIN
             FOR t IN SELECT tablename FROM pg_tables
                       WHERE schemaname = 'public' AND tablename NOT IN ('sessions', 'matrix_writes')
             LOOP
               EXECUTE format('CREATE TRIGGER matrix_count AFTER INSERT OR UPDATE OR DELETE
                               ON %I FOR EACH STATEMENT EXECUTE FUNCTION matrix_count()', t);
             END LOOP;
           END $$;"#,
    )
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn writes(app: &TestApp) -> i64 {
    sqlx::query_scalar(WRITES)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_route_answers_every_role_as_its_scope_says_and_a_refusal_changes_nothing() {
    // Every route of the router has its line, and every line is a route.
    let registered = registered_routes();
    let listed: BTreeSet<(String, String)> = NEEDS
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "routes with no line in the matrix: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "matrix lines with no route: {stale:?}");

    let app = TestApp::spawn().await;
    let ward = app.unit_id(WARD).await;
    fixtures::login(&app, "quantriphuong", Role::Admin, Some(ward)).await;
    let inside = side_ids(
        &app,
        app.unit_id(BRANCH).await,
        ward,
        "bithu",
        "99990001",
        "bithu",
    )
    .await;
    let commune = app.unit_id(COMMUNE).await;
    let far_branch = one(
        &app,
        "SELECT b.id FROM units b JOIN units c ON b.path <@ c.path
          WHERE c.id = $1 AND b.kind = 'branch' AND b.valid_to IS NULL
            AND EXISTS (SELECT 1 FROM meetings m WHERE m.unit_id = b.id
                          AND EXISTS (SELECT 1 FROM tasks t WHERE t.meeting_id = m.id))
            AND EXISTS (SELECT 1 FROM committee_roles r WHERE r.unit_id = b.id)
          ORDER BY b.name LIMIT 1",
        commune,
    )
    .await;
    let outside = side_ids(&app, far_branch, commune, "admin", "99990002", "xaductho").await;
    let template: (Uuid, Uuid) = sqlx::query_as(
        "SELECT t.id, i.id FROM agenda_templates t JOIN agenda_template_items i ON i.template_id = t.id
          ORDER BY t.id, i.position LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let rubric: Uuid = sqlx::query_scalar(
        "SELECT id FROM rubrics WHERE scope_unit_id IS NOT NULL ORDER BY code LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();

    let mut browsers = Vec::new();
    for role in ROLES {
        let b = app.other_browser();
        if let Some(name) = role {
            b.login_as(name).await;
        }
        browsers.push(b);
    }
    // What each role's own pages show (its units, in the layout) is no leak when a 404 shows
    // it too.
    let mut known = Vec::new();
    for b in &browsers {
        let (_, page) = b.get("/account/password").await;
        known.push(text(&page));
    }
    count_writes(&app).await;

    let mut checked = 0;
    let mut failures = Vec::new();
    for ((role, browser), known) in ROLES.iter().zip(&browsers).zip(&known) {
        // Signing out ends the browser's session: that line goes last.
        let mut lines: Vec<_> = NEEDS.iter().collect();
        // A staged import is committed after its rows are edited.
        lines.sort_by_key(|(_, p, _, _)| (*p == "/logout", p.ends_with("/commit")));
        for &&(method, pattern, need, obj) in &lines {
            let sides: &[Side] = if obj == Obj::None || obj == Obj::Template || obj == Obj::Rubric {
                &[Side::Inside]
            } else {
                &[Side::Inside, Side::Outside]
            };
            for &side in sides {
                let ids = if side == Side::Inside {
                    &inside
                } else {
                    &outside
                };
                let (path, form) = fill(pattern, obj, ids, template, rubric);
                let want = expect(*role, need, obj, side, ids.uploader);
                let before = writes(&app).await;
                let r = match method {
                    "GET" => browser.client.get(browser.url(&path)).send().await,
                    _ => {
                        browser
                            .client
                            .post(browser.url(&path))
                            .form(&form)
                            .send()
                            .await
                    }
                }
                .unwrap();
                let status = r.status();
                let to = location(&r);
                let body = r.text().await.unwrap_or_default();
                let after = writes(&app).await;
                checked += 1;
                let who = role.unwrap_or("anonymous");
                let line = format!("{who} {method} {pattern} ({side:?}): {status} {to}");
                let got_login = status == StatusCode::SEE_OTHER && to.starts_with("/login");
                let refused = match want {
                    Outcome::Allowed => {
                        // Signing out is served by a redirect to the login page.
                        if status.is_server_error()
                            || got_login && pattern != "/logout"
                            || matches!(
                                status,
                                StatusCode::NOT_FOUND
                                    | StatusCode::FORBIDDEN
                                    | StatusCode::UNAUTHORIZED
                            )
                        {
                            failures.push(format!("{line}: expected to be served"));
                        }
                        false
                    }
                    Outcome::Login => {
                        if !got_login {
                            failures.push(format!("{line}: expected the login page"));
                        }
                        true
                    }
                    Outcome::NotFound => {
                        if status != StatusCode::NOT_FOUND {
                            failures.push(format!("{line}: expected 404"));
                        } else if let Some(name) = ids.names.iter().find(|n| {
                            text(&body).contains(n.as_str()) && !known.contains(n.as_str())
                        }) {
                            failures.push(format!("{line}: the 404 names {name}"));
                        }
                        true
                    }
                    Outcome::Forbidden => {
                        if status != StatusCode::FORBIDDEN {
                            failures.push(format!("{line}: expected 403"));
                        }
                        true
                    }
                };
                if refused && after != before {
                    failures.push(format!("{line}: refused, yet {} writes", after - before));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} requests answered wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The size the README states: routes × roles × objects.
    eprintln!(
        "matrix: {} route lines × {} roles, {checked} requests",
        NEEDS.len(),
        ROLES.len()
    );
}
