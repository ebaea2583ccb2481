//! The minutes (biên bản) and the notice of a meeting in the party document layout, for
//! printing. The printed minutes end with the meeting's score sheet, so this module stands
//! above both meetings and evaluation.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Back, DocType, Heading, Signer, score_sheet};
use crate::auth::scope::{Keep, Read};
use crate::error::AppResult;
use crate::meetings::domain::{Category, Presence};
use crate::meetings::scope::MeetingInScope;
use crate::meetings::store::{AgendaItem, AttendanceRow, Meeting, TaskRow, VoteRow};
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::vn_date;
use crate::{meetings, org};

#[derive(Template, WebTemplate)]
#[template(path = "meetings/print.html")]
pub struct MinutesPrint {
    head: Heading,
    back: Back,
    unit: Unit,
    meeting: Meeting,
    agenda: Vec<meetings::store::ItemMinutes>,
    titles: Vec<AgendaItem>,
    people: Vec<AttendanceRow>,
    counts: meetings::Counts,
    votes: Vec<VoteRow>,
    tasks: Vec<TaskRow>,
    guests: Vec<meetings::store::Guest>,
    record: meetings::store::Minutes,
    chair: String,
    secretary: String,
    /// Each reopening of the minutes and each withdrawal of the approval, as printed
    /// ("Biên bản được mở lại ngày … vì …"), oldest first.
    reopenings: Vec<String>,
    /// The score sheet, attached after the minutes when the meeting was scored.
    score_sheet: String,
    /// The branch's adoption of its self-score (Quy định 17-QĐ/TU): the score proposed, its
    /// class, and the vote.
    adoption: Option<Adopted>,
}

/// The adoption of the self-score as the minutes print it.
pub struct Adopted {
    pub total: String,
    pub class: String,
    pub vote: VoteRow,
}

impl MinutesPrint {
    pub fn absent(&self, presence: Presence) -> Vec<&AttendanceRow> {
        self.people
            .iter()
            .filter(|p| p.category == Category::Expected && p.is(presence))
            .collect()
    }

    pub fn time(&self, at: &Option<DateTime<Utc>>) -> String {
        at.map(|t| {
            t.with_timezone(&crate::clock::ZONE)
                .format("%H giờ %M")
                .to_string()
        })
        .unwrap_or_else(|| "…".into())
    }

    pub fn day(&self) -> String {
        self.record
            .started_at
            .map(|t| vn_date(t.with_timezone(&crate::clock::ZONE).date_naive()))
            .unwrap_or_else(|| "…/…/……".into())
    }

    pub fn minutes_of(&self, item: &Uuid) -> Option<&meetings::store::ItemMinutes> {
        self.agenda.iter().find(|i| i.id == *item)
    }
}

/// The minutes (biên bản) in the party document layout, for printing.
pub async fn minutes(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m, unit, ..
    }: MeetingInScope<Read>,
) -> AppResult<MinutesPrint> {
    let id = m.id;
    let mut unit = unit;
    (unit.name, _) = org::document_names(&state, &unit, m.list_day()).await?;
    // The minutes are dated the day of the meeting; they carry no number.
    let head = super::heading_of(&state, &unit, m.list_day(), m.list_day(), None).await?;
    let people = meetings::store::attendance(&state.pool, id).await?;
    let record = meetings::store::minutes(&state.pool, id).await?;
    let name_of = |who: Option<Uuid>| {
        who.and_then(|w| people.iter().find(|p| p.member_id == w))
            .map(|p| p.full_name.clone())
            .unwrap_or_default()
    };
    let (chair, secretary) = (name_of(record.chair_id), name_of(record.secretary_id));
    let score_sheet = score_sheet::printed_sheet(&state, &m)
        .await?
        .map(|s| s.html(&m))
        .unwrap_or_default();
    let (adoptions, votes): (Vec<VoteRow>, Vec<VoteRow>) = meetings::store::votes(&state.pool, id)
        .await?
        .into_iter()
        .partition(|v| v.evaluation_id.is_some());
    let adoption = match adoptions.into_iter().next() {
        None => None,
        Some(vote) => {
            let sheets = crate::evaluation::store::evaluations(&state.pool, id).await?;
            let rubric = match sheets.iter().find(|e| Some(e.id) == vote.evaluation_id) {
                Some(e) => crate::evaluation::store::rubric(&state.pool, e.rubric_id).await?,
                None => None,
            };
            let class = vote.adopted_class.clone().unwrap_or_default();
            Some(Adopted {
                total: crate::evaluation::rubric::Points(vote.adopted_tenths.unwrap_or(0))
                    .to_string(),
                class: rubric.map(|r| r.rubric.band_label(&class)).unwrap_or(class),
                vote,
            })
        }
    };
    let reopenings = meetings::store::events(&state.pool, id)
        .await?
        .iter()
        .filter_map(meetings::store::MeetingEventRow::printed)
        .collect();
    Ok(MinutesPrint {
        head,
        back: Back {
            href: format!("/meetings/{id}"),
            label: "Trở lại buổi sinh hoạt",
        },
        reopenings,
        score_sheet,
        agenda: meetings::store::item_minutes(&state.pool, id).await?,
        titles: meetings::store::agenda(&state.pool, id).await?,
        counts: meetings::Counts::of(&people),
        votes,
        adoption,
        tasks: meetings::store::tasks(&state.pool, id).await?,
        guests: meetings::store::guests(&state.pool, id).await?,
        people,
        record,
        chair,
        secretary,
        unit,
        meeting: m,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/notice.html")]
pub struct NoticePage {
    head: Heading,
    back: Back,
    signer: Signer,
    /// May the user enter the notice in the register (the branch's keepers), and has it.
    keeps: bool,
    numbered: bool,
    unit: Unit,
    meeting: Meeting,
    agenda: Vec<AgendaItem>,
}

/// The notice of a meeting (thông báo): time, place and agenda, for members and the upper
/// level, in the party document layout.
pub async fn notice(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Read>,
) -> AppResult<NoticePage> {
    let id = m.id;
    let keeps = user.keeps(&unit.path);
    let mut unit = unit;
    (unit.name, _) = org::document_names(&state, &unit, m.list_day()).await?;
    // The notice goes out before the meeting, headed with the names of the meeting's day:
    // dated the day it was entered in the register, or today until it is.
    let entered = super::store::notice_number(&state.pool, id).await?;
    let numbered = entered.is_some();
    let (today, number) = match entered {
        Some(e) => (e.issued_on, Some(e.number)),
        None => (state.clock.today(), None),
    };
    let number = Some((DocType::Notice, number));
    Ok(NoticePage {
        keeps,
        numbered,
        head: super::heading_of(&state, &unit, m.list_day(), today, number).await?,
        back: Back {
            href: format!("/meetings/{id}"),
            label: "Trở lại buổi sinh hoạt",
        },
        signer: super::signer(&state, &unit, today).await?,
        agenda: meetings::store::agenda(&state.pool, id).await?,
        unit,
        meeting: m,
    })
}

/// Enters the meeting's notice in the branch's register: its number of the term, dated
/// today; then back to the notice, now numbered.
pub async fn number_notice(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
) -> AppResult<axum::response::Redirect> {
    super::store::number_notice(
        &state.pool,
        user.id,
        unit.id,
        m.id,
        state.clock.today(),
        state.clock.now(),
    )
    .await?;
    Ok(axum::response::Redirect::to(&format!(
        "/meetings/{}/notice",
        m.id
    )))
}
