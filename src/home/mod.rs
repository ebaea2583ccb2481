//! Where a user lands: the home page (their units, or straight to the one they have), and a
//! unit's page — a committee's units below with their counts, a branch's counts, committee
//! warnings and this month's meeting with what it still lacks. It stands above the features
//! whose figures it shows.

mod owed;
mod store;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::auth::scope::Read;
use crate::auth::{Role, User};
use crate::error::AppResult;
use crate::meetings::domain::MeetingState;
use crate::members::domain::BranchCounts;
use crate::org::domain::{BranchType, UnitKind};
use crate::org::scope::UnitInScope;
use crate::org::store::{ChildRow, Link, Unit};
use crate::state::AppState;
use crate::web::vn_date;
use crate::{meetings, members, org};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/units/{id}", get(unit_page))
        .route("/units/{id}/history", get(unit_history))
}

#[derive(Template, WebTemplate)]
#[template(path = "home/history.html")]
struct HistoryPage {
    crumbs: Vec<org::Crumb>,
    unit: Unit,
    lines: Vec<crate::audit::Line>,
    limit: usize,
}

/// The unit's "Lịch sử": the changes to the unit itself (creation, renames, moves,
/// closing, merging), its reports and plans, and its model meetings; the latest first.
async fn unit_history(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Read>,
) -> AppResult<HistoryPage> {
    let crumbs = org::crumbs(&state, &user, &unit).await?;
    let rows = org::store::history(&state.pool, unit.id, crate::audit::PAGE_LIMIT).await?;
    // A unit's history holds audit rows only: no feature event to word.
    let lines = rows.into_iter().map(|r| r.line(str::to_owned)).collect();
    Ok(HistoryPage {
        crumbs,
        unit,
        lines,
        limit: crate::audit::PAGE_LIMIT as usize,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "home/home.html")]
struct HomePage {
    units: Vec<(String, String, String)>,
}

async fn home(State(state): State<AppState>, user: User) -> AppResult<Response> {
    let mut units: Vec<(String, String, String)> = Vec::new();
    for g in user.grants.iter().filter(|g| g.role != Role::Member) {
        match (g.unit_id, &g.unit_name) {
            // A supervisor starts from the dashboard of their committee for this month.
            (Some(id), Some(name)) if g.role == Role::Supervisor => units.push((
                format!("/dashboard/{id}"),
                name.clone(),
                g.role.label().into(),
            )),
            (Some(id), Some(name)) => {
                units.push((format!("/units/{id}"), name.clone(), g.role.label().into()))
            }
            _ => {
                // A system-wide administrator starts from the top-level units.
                for u in org::store::top_units(&state.pool).await? {
                    units.push((format!("/units/{}", u.id), u.name, g.role.label().into()));
                }
            }
        }
    }
    if units.is_empty()
        && let Some(member) = user.member_id
    {
        return Ok(Redirect::to(&format!("/members/{member}")).into_response());
    }
    if units.len() == 1 {
        return Ok(Redirect::to(&units[0].0).into_response());
    }
    Ok(HomePage { units }.into_response())
}

pub struct ChildView {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub is_committee: bool,
    pub closed: Option<String>,
    pub branches: i64,
    pub members: i64,
}

impl From<ChildRow> for ChildView {
    fn from(c: ChildRow) -> Self {
        ChildView {
            href: format!("/units/{}", c.id),
            name: c.name,
            // A branch is described by its type (thôn, cơ quan...), anything else by its kind.
            kind: match c.branch_type.as_deref().and_then(BranchType::parse) {
                Some(t) => t.label(),
                None => UnitKind::parse(&c.kind).map(UnitKind::label).unwrap_or(""),
            },
            is_committee: UnitKind::parse(&c.kind).is_some_and(UnitKind::is_committee),
            closed: c.valid_to.map(vn_date),
            branches: c.branches,
            members: c.members,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home/unit.html")]
struct UnitPage {
    crumbs: Vec<org::Crumb>,
    unit: Unit,
    /// May the user write this branch's records (a supervisor above only reads them).
    keeps: bool,

    kind_label: &'static str,
    branch_type_label: &'static str,
    valid_from: String,
    closed_on: Option<String>,
    successors: Vec<Link>,
    predecessors: Vec<Link>,
    open_children: Vec<ChildView>,
    closed_children: Vec<ChildView>,
    /// Show the "branches" column only when some unit below is a committee.
    branch_column: bool,
    is_branch: bool,
    counts: BranchCounts,
    warnings: Vec<String>,
    /// This month's regular meeting of a branch, and the month's label.
    this_month: Option<meetings::store::MeetingRow>,
    /// What this month's meeting still lacks.
    missing: Vec<meetings::domain::Lack>,
    month_label: String,
    can_admin: bool,
    /// What the branch still owes from every month (shown to its keepers), oldest first.
    owed: Vec<owed::OwedLine>,
}

/// The month a unit's page shows: `?month=yyyy-mm` (a supervisor's drill-down keeps the
/// month it came from), this month otherwise or for a month not yet come.
#[derive(serde::Deserialize, Default)]
struct UnitQuery {
    month: Option<String>,
}

async fn unit_page(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Read>,
    axum::extract::Query(q): axum::extract::Query<UnitQuery>,
) -> AppResult<UnitPage> {
    let crumbs = org::crumbs(&state, &user, &unit).await?;
    let (open_children, closed_children): (Vec<ChildView>, Vec<ChildView>) =
        org::store::children(&state.pool, &unit)
            .await?
            .into_iter()
            .map(ChildView::from)
            .partition(|c| c.closed.is_none());
    let is_branch = unit.kind.is_branch();
    let (counts, warnings) = if is_branch {
        let (_, counts, warnings) = members::branch_summary(&state, &unit).await?;
        (counts, warnings)
    } else {
        (BranchCounts::default(), Vec::new())
    };
    let branch_column = open_children.iter().any(|c| c.is_committee);
    let now = state.clock.this_month();
    let month = q
        .month
        .as_deref()
        .and_then(crate::meetings::parse_month)
        .filter(|m| *m <= now)
        .unwrap_or(now);
    let this_month = if is_branch {
        meetings::store::regular_of_month(&state.pool, unit.id, month).await?
    } else {
        None
    };
    let missing = match &this_month {
        Some(row) => match meetings::store::get(&state.pool, row.id).await? {
            Some(m) => meetings::store::missing(&state.pool, &m).await?,
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let keeps = user.keeps(&unit.path);
    let owed = if is_branch && keeps {
        owed::in_order(store::owed(&state.pool, unit.id, state.clock.today()).await?)
    } else {
        Vec::new()
    };
    let (successors, predecessors) = org::store::lineage(&state.pool, unit.id).await?;
    Ok(UnitPage {
        owed,
        keeps,
        crumbs,
        branch_column,
        kind_label: unit.kind.label(),
        branch_type_label: unit.branch_type.map(BranchType::label).unwrap_or(""),
        valid_from: vn_date(unit.valid_from),
        closed_on: unit.valid_to.map(vn_date),
        successors,
        predecessors,
        open_children,
        closed_children,
        is_branch,
        counts,
        warnings,
        this_month,
        missing,
        month_label: month.format("%m/%Y").to_string(),
        can_admin: user.administers(&unit.path),
        unit,
    })
}
