//! SQL for meetings: planning from a template, the attendance list from the registry, and
//! per-row attendance writes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

use sqlx::PgPool;

use super::domain::{Category, Lack, MeetingKind, MeetingState, PrepStep, Presence, Review};
use crate::error::StoreError;
use crate::members::domain::{Lifecycle, MembershipKind, Status};
use crate::web::vn_date;

pub struct Meeting {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub month: NaiveDate,
    pub kind: MeetingKind,
    pub is_model: bool,
    pub topic: Option<String>,
    pub state: MeetingState,
    pub planned_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Meeting {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }

    pub fn planned_label(&self) -> Option<String> {
        self.planned_at.map(crate::web::vn_datetime)
    }

    pub fn is_closed(&self) -> bool {
        self.state == MeetingState::Closed
    }
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<Meeting>, sqlx::Error> {
    sqlx::query_as!(
        Meeting,
        r#"SELECT id, unit_id, month, kind AS "kind: MeetingKind", is_model, topic,
                  state AS "state: MeetingState", planned_at, location, started_at, ended_at, version
             FROM meetings WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

pub struct MeetingRow {
    pub id: Uuid,
    pub month: NaiveDate,
    pub kind: MeetingKind,
    pub state: MeetingState,
    pub planned_at: Option<DateTime<Utc>>,
    pub expected: i64,
    pub present: i64,
}

impl MeetingRow {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }

    pub fn date_label(&self) -> String {
        self.planned_at
            .map(crate::web::vn_datetime)
            .unwrap_or_default()
    }

    pub fn rate_label(&self) -> String {
        if self.expected == 0 || self.state == MeetingState::Planned {
            return String::new();
        }
        format!("{:.0}%", 100.0 * self.present as f64 / self.expected as f64)
    }
}

/// A branch's meetings, newest first, each with its attendance counted through the
/// attendance key (a lateral count: never a scan of every meeting's attendance).
pub async fn for_unit(pool: &PgPool, unit_id: Uuid) -> Result<Vec<MeetingRow>, sqlx::Error> {
    sqlx::query_as!(
        MeetingRow,
        r#"SELECT m.id, m.month, m.kind AS "kind: MeetingKind", m.state AS "state: MeetingState", m.planned_at, a.expected AS "expected!", a.present AS "present!"
             FROM meetings m
            CROSS JOIN LATERAL (
                  SELECT count(*) FILTER (WHERE category = 'expected') AS expected,
                         count(*) FILTER (WHERE category = 'expected' AND presence IN ('present', 'late')) AS present
                    FROM attendance WHERE meeting_id = m.id) a
            WHERE m.unit_id = $1
            ORDER BY m.month DESC, m.planned_at DESC NULLS LAST"#,
        unit_id
    )
    .fetch_all(pool)
    .await
}

/// The month's regular meeting (or combined session) of a branch, if planned.
pub async fn regular_of_month(
    pool: &PgPool,
    unit_id: Uuid,
    month: NaiveDate,
) -> Result<Option<MeetingRow>, sqlx::Error> {
    sqlx::query_as!(
        MeetingRow,
        r#"SELECT m.id, m.month, m.kind AS "kind: MeetingKind", m.state AS "state: MeetingState", m.planned_at, a.expected AS "expected!", a.present AS "present!"
             FROM meetings m
            CROSS JOIN LATERAL (
                  SELECT count(*) FILTER (WHERE category = 'expected') AS expected,
                         count(*) FILTER (WHERE category = 'expected' AND presence IN ('present', 'late')) AS present
                    FROM attendance WHERE meeting_id = m.id) a
            WHERE m.unit_id = $1 AND m.month = $2 AND m.kind IN ('regular', 'combined')"#,
        unit_id,
        month
    )
    .fetch_optional(pool)
    .await
}

pub struct NewMeeting {
    pub kind: MeetingKind,
    pub month: NaiveDate,
    pub is_model: bool,
    pub topic: Option<String>,
    /// Local time in Vietnam.
    pub planned_at: Option<NaiveDateTime>,
    pub location: Option<String>,
    /// Start from a copy of the previous meeting's agenda of the same kind.
    pub copy_last: bool,
}

/// Vietnam has no daylight saving: local time is UTC+7 all year.
pub fn vn_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(local - chrono::Duration::hours(7), Utc)
}

/// Plans a meeting: checks the month against the branch's life and the one-regular-meeting
/// rule, copies the agenda (template, or last meeting's), and lists every member the registry
/// holds for the meeting's date with their category.
pub async fn create(
    pool: &PgPool,
    actor: Option<Uuid>,
    unit_id: Uuid,
    m: NewMeeting,
) -> Result<Uuid, StoreError> {
    let mut tx = pool.begin().await?;
    let unit = sqlx::query!(
        "SELECT name, kind, branch_type, valid_from, valid_to FROM units WHERE id = $1 FOR SHARE",
        unit_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let month_end = m
        .month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(m.month);
    if unit.valid_from >= month_end || unit.valid_to.is_some_and(|to| to <= m.month) {
        return Err(StoreError::invalid(
            "month",
            format!(
                "{} không hoạt động trong tháng {} (thành lập {}{}).",
                unit.name,
                m.month.format("%m/%Y"),
                vn_date(unit.valid_from),
                unit.valid_to
                    .map(|t| format!(", ngừng hoạt động {}", vn_date(t)))
                    .unwrap_or_default()
            ),
        ));
    }
    if let Some(at) = m.planned_at {
        let d = at.date();
        if d < m.month || d >= month_end {
            return Err(StoreError::invalid(
                "planned_at",
                "Ngày họp phải nằm trong tháng của buổi sinh hoạt.",
            ));
        }
    }
    if m.kind.is_regular() {
        let taken = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM meetings WHERE unit_id = $1 AND month = $2
                              AND kind IN ('regular', 'combined')) AS "e!""#,
            unit_id,
            m.month
        )
        .fetch_one(&mut *tx)
        .await?;
        if taken {
            return Err(StoreError::invalid(
                "kind",
                format!(
                    "Tháng {} chi bộ đã có buổi sinh hoạt thường kỳ.",
                    m.month.format("%m/%Y")
                ),
            ));
        }
    }
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO meetings (id, unit_id, month, kind, is_model, topic, planned_at, location)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        unit_id,
        m.month,
        m.kind.as_str(),
        m.is_model,
        m.topic,
        m.planned_at.map(vn_to_utc),
        m.location
    )
    .execute(&mut *tx)
    .await?;

    let last = if m.copy_last {
        sqlx::query_scalar!(
            "SELECT id FROM meetings WHERE unit_id = $1 AND kind = $2 AND id <> $3
              ORDER BY month DESC, created_at DESC LIMIT 1",
            unit_id,
            m.kind.as_str(),
            id
        )
        .fetch_optional(&mut *tx)
        .await?
    } else {
        None
    };
    match last {
        Some(previous) => {
            sqlx::query!(
                "INSERT INTO agenda_items (meeting_id, position, title, presenter, notes)
                 SELECT $1, position, title, presenter, notes FROM agenda_items WHERE meeting_id = $2",
                id,
                previous
            )
            .execute(&mut *tx)
            .await?;
        }
        None => {
            // The branch type's own template when there is one, else the general one.
            sqlx::query!(
                "INSERT INTO agenda_items (meeting_id, position, title, notes)
                 SELECT $1, i.position, i.title, i.notes
                   FROM agenda_template_items i
                  WHERE i.template_id = (SELECT id FROM agenda_templates
                                          WHERE kind = $2 AND (branch_type = $3 OR branch_type IS NULL)
                                          ORDER BY branch_type NULLS LAST LIMIT 1)",
                id,
                m.kind.as_str(),
                unit.branch_type
            )
            .execute(&mut *tx)
            .await?;
        }
    }

    let on = m.planned_at.map(|t| t.date()).unwrap_or(m.month);
    let listed = sqlx::query!(
        r#"SELECT ms.member_id, ms.kind AS "membership: MembershipKind",
                  m.lifecycle_state AS "lifecycle_state: Lifecycle", m.status AS "status: Status"
             FROM memberships ms JOIN members m ON m.id = ms.member_id
            WHERE ms.unit_id = $1 AND ms.valid_from <= $2 AND (ms.valid_to IS NULL OR ms.valid_to > $2)"#,
        unit_id,
        on
    )
    .fetch_all(&mut *tx)
    .await?;
    let (mut ids, mut cats, mut full) = (Vec::new(), Vec::new(), Vec::new());
    for r in listed {
        ids.push(r.member_id);
        cats.push(
            Category::of(r.lifecycle_state, r.membership == MembershipKind::Temporary)
                .as_str()
                .to_owned(),
        );
        full.push(r.status == Status::Full);
    }
    sqlx::query!(
        "INSERT INTO attendance (meeting_id, member_id, category, full_member)
         SELECT $1, m, c, f FROM unnest($2::uuid[], $3::text[], $4::bool[]) AS x(m, c, f)",
        id,
        &ids,
        &cats,
        &full
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO meeting_events (meeting_id, kind, user_id) VALUES ($1, 'planned', $2)",
        id,
        actor
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub struct AgendaItem {
    pub id: Uuid,
    pub position: i32,
    pub title: String,
    pub presenter: Option<String>,
    pub notes: Option<String>,
}

pub async fn agenda(pool: &PgPool, meeting: Uuid) -> Result<Vec<AgendaItem>, sqlx::Error> {
    sqlx::query_as!(
        AgendaItem,
        "SELECT id, position, title, presenter, notes FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
        meeting
    )
    .fetch_all(pool)
    .await
}

pub struct AttendanceRow {
    pub member_id: Uuid,
    pub full_name: String,
    pub category: Category,
    pub full_member: bool,
    pub presence: Option<Presence>,
    pub reason: Option<String>,
    pub spoke: bool,
}

impl AttendanceRow {
    pub fn presence_label(&self) -> &'static str {
        self.presence
            .map(Presence::label)
            .unwrap_or("Chưa điểm danh")
    }

    pub fn is(&self, presence: Presence) -> bool {
        self.presence == Some(presence)
    }

    pub fn mark(&self) -> super::domain::Mark {
        super::domain::Mark {
            category: self.category,
            full_member: self.full_member,
            presence: self.presence,
        }
    }
}

/// The meeting's attendance list, by category, then the Vietnamese way by name.
pub async fn attendance(pool: &PgPool, meeting: Uuid) -> Result<Vec<AttendanceRow>, sqlx::Error> {
    sqlx::query_as!(
        AttendanceRow,
        r#"SELECT a.member_id, m.full_name, a.category AS "category: Category", a.full_member,
                  a.presence AS "presence: Presence", a.reason, a.spoke
             FROM attendance a JOIN members m ON m.id = a.member_id
            WHERE a.meeting_id = $1
            ORDER BY CASE a.category WHEN 'expected' THEN 0 WHEN 'exempt' THEN 1 WHEN 'away' THEN 2 ELSE 3 END,
                     m.given_name COLLATE "vi-VN-x-icu", m.full_name COLLATE "vi-VN-x-icu""#,
        meeting
    )
    .fetch_all(pool)
    .await
}

pub struct MarkInput<'a> {
    pub presence: Presence,
    pub reason: Option<&'a str>,
    pub spoke: bool,
}

/// One member's row, written alone: another person ticking other members at the same time
/// loses nothing. Refused once the minutes are closed.
pub async fn mark(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    member: Uuid,
    input: MarkInput<'_>,
) -> Result<(), StoreError> {
    if input.presence == Presence::AbsentExcused && input.reason.is_none() {
        return Err(StoreError::invalid(
            "reason",
            "Vắng có lý do: vui lòng ghi lý do.",
        ));
    }
    let updated = sqlx::query_scalar!(
        r#"UPDATE attendance a SET presence = $3, reason = $4, spoke = $5 AND $3 IN ('present', 'late'),
                  updated_at = now(), updated_by = $6
             FROM meetings m
            WHERE a.meeting_id = $1 AND a.member_id = $2 AND m.id = a.meeting_id AND m.state <> 'closed'
        RETURNING a.member_id"#,
        meeting,
        member,
        input.presence.as_str(),
        input.reason,
        input.spoke,
        actor
    )
    .fetch_optional(pool)
    .await?;
    if updated.is_some() {
        return Ok(());
    }
    let closed = sqlx::query_scalar!(
        "SELECT state = 'closed' AS \"c!\" FROM meetings WHERE id = $1",
        meeting
    )
    .fetch_optional(pool)
    .await?;
    match closed {
        Some(true) => Err(StoreError::invalid(
            "form",
            "Biên bản đã khóa: không sửa được điểm danh.",
        )),
        _ => Err(StoreError::NotFound),
    }
}

pub struct Minutes {
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub chair_id: Option<Uuid>,
    pub secretary_id: Option<Uuid>,
    pub resolution: Option<String>,
    pub prepared_on: Option<NaiveDate>,
    pub committee_met_on: Option<NaiveDate>,
    pub notice_sent_on: Option<NaiveDate>,
    pub materials_posted_on: Option<NaiveDate>,
    pub draft_resolution_on: Option<NaiveDate>,
}

pub async fn minutes(pool: &PgPool, id: Uuid) -> Result<Minutes, sqlx::Error> {
    sqlx::query_as!(
        Minutes,
        "SELECT started_at, ended_at, chair_id, secretary_id, resolution, prepared_on, committee_met_on,
                notice_sent_on, materials_posted_on, draft_resolution_on
           FROM meetings WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await
}

pub struct ItemMinutes {
    pub id: Uuid,
    pub minutes: Option<String>,
    pub conclusion: Option<String>,
}

pub async fn item_minutes(pool: &PgPool, id: Uuid) -> Result<Vec<ItemMinutes>, sqlx::Error> {
    sqlx::query_as!(
        ItemMinutes,
        "SELECT id, minutes, conclusion FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
        id
    )
    .fetch_all(pool)
    .await
}

/// Locks the meeting row and checks it may still be edited with the form's version.
async fn lock_editable(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    id: Uuid,
    version: Option<i32>,
) -> Result<(MeetingState, NaiveDate, MeetingKind), StoreError> {
    let m = sqlx::query!(
        r#"SELECT state AS "state: MeetingState", month, kind AS "kind: MeetingKind", version
             FROM meetings WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if m.state == MeetingState::Closed {
        return Err(StoreError::invalid(
            "form",
            "Biên bản đã khóa: muốn sửa phải mở lại biên bản (có ghi lý do).",
        ));
    }
    if version.is_some_and(|v| v != m.version) {
        return Err(StoreError::Stale);
    }
    Ok((m.state, m.month, m.kind))
}

pub struct MinutesInput {
    pub version: i32,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub chair_id: Option<Uuid>,
    pub secretary_id: Option<Uuid>,
    pub resolution: Option<String>,
    pub prep: [Option<NaiveDate>; 5],
    pub items: Vec<(Uuid, Option<String>, Option<String>)>,
}

/// Saves the record of the meeting: times, chair and minute-taker, preparation dates, the
/// minutes of each item, the resolution. One versioned form: a stale one is refused.
pub async fn save_minutes(pool: &PgPool, id: Uuid, m: MinutesInput) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_editable(&mut tx, id, Some(m.version)).await?;
    if let (Some(s), Some(e)) = (m.started_at, m.ended_at) {
        super::domain::duration_minutes(s, e)
            .map_err(|msg| StoreError::invalid("ended_at", msg))?;
    }
    for (field, person) in [("chair_id", m.chair_id), ("secretary_id", m.secretary_id)] {
        if let Some(p) = person {
            let listed = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM attendance WHERE meeting_id = $1 AND member_id = $2) AS "e!""#,
                id,
                p
            )
            .fetch_one(&mut *tx)
            .await?;
            if !listed {
                return Err(StoreError::invalid(
                    field,
                    "Người được chọn không có trong danh sách của buổi sinh hoạt.",
                ));
            }
        }
    }
    sqlx::query!(
        "UPDATE meetings SET started_at = $2, ended_at = $3, chair_id = $4, secretary_id = $5, resolution = $6,
                prepared_on = $7, committee_met_on = $8, notice_sent_on = $9, materials_posted_on = $10,
                draft_resolution_on = $11, version = version + 1
          WHERE id = $1",
        id,
        m.started_at.map(vn_to_utc),
        m.ended_at.map(vn_to_utc),
        m.chair_id,
        m.secretary_id,
        m.resolution,
        m.prep[0],
        m.prep[1],
        m.prep[2],
        m.prep[3],
        m.prep[4]
    )
    .execute(&mut *tx)
    .await?;
    for (item, minutes, conclusion) in &m.items {
        sqlx::query!(
            "UPDATE agenda_items SET minutes = $3, conclusion = $4 WHERE id = $1 AND meeting_id = $2",
            item,
            id,
            minutes.as_deref(),
            conclusion.as_deref()
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub struct VoteRow {
    pub id: Uuid,
    pub subject: String,
    pub votes_for: i32,
    pub against: i32,
    pub abstain: i32,
    pub eligible: i32,
    pub passed: bool,
}

pub async fn votes(pool: &PgPool, id: Uuid) -> Result<Vec<VoteRow>, sqlx::Error> {
    sqlx::query_as!(
        VoteRow,
        "SELECT id, subject, votes_for, against, abstain, eligible, passed FROM votes WHERE meeting_id = $1 ORDER BY id",
        id
    )
    .fetch_all(pool)
    .await
}

/// Records a vote against the eligible base computed from the attendance now.
pub async fn add_vote(
    pool: &PgPool,
    id: Uuid,
    subject: &str,
    votes_for: u32,
    against: u32,
    abstain: u32,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_editable(&mut tx, id, None).await?;
    let marks: Vec<super::domain::Mark> = sqlx::query!(
        "SELECT category, full_member, presence FROM attendance WHERE meeting_id = $1",
        id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| super::domain::Mark {
        category: Category::parse(&r.category).unwrap_or(Category::Expected),
        full_member: r.full_member,
        presence: r.presence.as_deref().and_then(Presence::parse),
    })
    .collect();
    let eligible = super::domain::eligible_voters(&marks) as u32;
    let passed = super::domain::vote_outcome(votes_for, against, abstain, eligible)
        .map_err(|m| StoreError::invalid("votes_for", m))?;
    sqlx::query!(
        "INSERT INTO votes (meeting_id, subject, votes_for, against, abstain, eligible, passed)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        subject,
        votes_for as i32,
        against as i32,
        abstain as i32,
        eligible as i32,
        passed
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub struct TaskRow {
    pub id: Uuid,
    pub assignee: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub review: Option<Review>,
    pub review_note: Option<String>,
}

impl TaskRow {
    pub fn due_label(&self) -> String {
        self.due_on.map(vn_date).unwrap_or_default()
    }

    pub fn review_label(&self) -> &'static str {
        self.review.map(Review::label).unwrap_or("Chưa đánh giá")
    }
}

pub async fn tasks(pool: &PgPool, id: Uuid) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as!(
        TaskRow,
        r#"SELECT t.id, coalesce(m.full_name, t.group_label, '') AS "assignee!", t.description, t.due_on,
                  t.review AS "review: Review", t.review_note
             FROM tasks t LEFT JOIN members m ON m.id = t.member_id
            WHERE t.meeting_id = $1 ORDER BY t.id"#,
        id
    )
    .fetch_all(pool)
    .await
}

/// Gives a task to a member listed at the meeting, or to a group.
pub async fn add_task(
    pool: &PgPool,
    id: Uuid,
    member: Option<Uuid>,
    group: Option<&str>,
    description: &str,
    due_on: Option<NaiveDate>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let (_, month, _) = lock_editable(&mut tx, id, None).await?;
    if let Some(p) = member {
        let listed = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM attendance WHERE meeting_id = $1 AND member_id = $2) AS "e!""#,
            id,
            p
        )
        .fetch_one(&mut *tx)
        .await?;
        if !listed {
            return Err(StoreError::invalid(
                "member",
                "Chỉ giao nhiệm vụ cho đảng viên sinh hoạt ở chi bộ này.",
            ));
        }
    } else if group.is_none() {
        return Err(StoreError::invalid(
            "member",
            "Vui lòng chọn đảng viên hoặc ghi tên nhóm.",
        ));
    }
    if due_on.is_some_and(|d| d < month) {
        return Err(StoreError::invalid(
            "due_on",
            "Thời hạn không thể trước tháng của buổi sinh hoạt.",
        ));
    }
    sqlx::query!(
        "INSERT INTO tasks (meeting_id, member_id, group_label, description, due_on) VALUES ($1, $2, $3, $4, $5)",
        id,
        member,
        group,
        description,
        due_on
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// planned → held → closed; closed → held again only with a reason. Every change recorded.
pub async fn change_state(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    to: MeetingState,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let m = sqlx::query!(
        r#"SELECT state AS "state: MeetingState", started_at, ended_at FROM meetings WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let timed = m.started_at.is_some() && m.ended_at.is_some();
    let event = super::domain::transition(m.state, to, timed, reason)
        .map_err(|(field, message)| StoreError::invalid(field, message))?;
    sqlx::query!(
        "UPDATE meetings SET state = $2, version = version + 1 WHERE id = $1",
        id,
        to.as_str()
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO meeting_events (meeting_id, kind, reason, user_id) VALUES ($1, $2, $3, $4)",
        id,
        event.as_str(),
        reason,
        actor
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The tasks given at the branch's previous meeting (the latest one before this meeting's
/// month), to review at this one.
pub async fn previous_tasks(pool: &PgPool, meeting: &Meeting) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as!(
        TaskRow,
        r#"SELECT t.id, coalesce(m.full_name, t.group_label, '') AS "assignee!", t.description, t.due_on,
                  t.review AS "review: Review", t.review_note
             FROM tasks t LEFT JOIN members m ON m.id = t.member_id
            WHERE t.meeting_id = (SELECT id FROM meetings
                                   WHERE unit_id = $1 AND month < $2 AND kind IN ('regular', 'combined')
                                   ORDER BY month DESC LIMIT 1)
            ORDER BY t.id"#,
        meeting.unit_id,
        meeting.month
    )
    .fetch_all(pool)
    .await
}

/// Reviews one of the previous meeting's tasks at this meeting.
pub async fn review_task(
    pool: &PgPool,
    meeting: Uuid,
    task: Uuid,
    review: Review,
    note: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let (_, month, _) = lock_editable(&mut tx, meeting, None).await?;
    let updated = sqlx::query!(
        "UPDATE tasks t SET review = $3, review_note = $4, reviewed_in = $1
           FROM meetings given, meetings now
          WHERE t.id = $2 AND given.id = t.meeting_id AND now.id = $1
            AND given.unit_id = now.unit_id AND given.month < $5",
        meeting,
        task,
        review.as_str(),
        note,
        month
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Adds an item at the end of the agenda.
pub async fn add_item(
    pool: &PgPool,
    meeting: Uuid,
    title: &str,
    presenter: Option<&str>,
    notes: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_editable(&mut tx, meeting, None).await?;
    sqlx::query!(
        "INSERT INTO agenda_items (meeting_id, position, title, presenter, notes)
         SELECT $1, coalesce(max(position), 0) + 1, $2, $3, $4 FROM agenda_items WHERE meeting_id = $1",
        meeting,
        title,
        presenter,
        notes
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn update_item(
    pool: &PgPool,
    meeting: Uuid,
    item: Uuid,
    title: &str,
    presenter: Option<&str>,
    notes: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_editable(&mut tx, meeting, None).await?;
    let n = sqlx::query!(
        "UPDATE agenda_items SET title = $3, presenter = $4, notes = $5 WHERE id = $2 AND meeting_id = $1",
        meeting,
        item,
        title,
        presenter,
        notes
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

pub async fn remove_item(pool: &PgPool, meeting: Uuid, item: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_editable(&mut tx, meeting, None).await?;
    let n = sqlx::query!(
        "DELETE FROM agenda_items WHERE id = $2 AND meeting_id = $1",
        meeting,
        item
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Swaps an item with its neighbour above (`up`) or below.
pub async fn move_item(
    pool: &PgPool,
    meeting: Uuid,
    item: Uuid,
    up: bool,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_editable(&mut tx, meeting, None).await?;
    let ids: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT id FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id FOR UPDATE",
        meeting
    )
    .fetch_all(&mut *tx)
    .await?;
    let i = ids
        .iter()
        .position(|x| *x == item)
        .ok_or(StoreError::NotFound)?;
    let j = if up {
        i.checked_sub(1)
    } else {
        Some(i + 1).filter(|j| *j < ids.len())
    };
    if let Some(j) = j {
        let mut order = ids.clone();
        order.swap(i, j);
        // Renumber 1..n in the new order.
        sqlx::query!(
            "UPDATE agenda_items a SET position = o.pos
               FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, pos)
              WHERE a.id = o.id",
            &order
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub struct Guest {
    pub id: Uuid,
    pub name: String,
    pub position: Option<String>,
    pub from_unit: Option<String>,
}

pub async fn guests(pool: &PgPool, meeting: Uuid) -> Result<Vec<Guest>, sqlx::Error> {
    sqlx::query_as!(
        Guest,
        "SELECT id, name, position, from_unit FROM meeting_guests WHERE meeting_id = $1 ORDER BY id",
        meeting
    )
    .fetch_all(pool)
    .await
}

pub async fn add_guest(
    pool: &PgPool,
    meeting: Uuid,
    name: &str,
    position: Option<&str>,
    from_unit: Option<&str>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_editable(&mut tx, meeting, None).await?;
    sqlx::query!(
        "INSERT INTO meeting_guests (meeting_id, name, position, from_unit) VALUES ($1, $2, $3, $4)",
        meeting,
        name,
        position,
        from_unit
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_guest(pool: &PgPool, meeting: Uuid, guest: Uuid) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    lock_editable(&mut tx, meeting, None).await?;
    sqlx::query!(
        "DELETE FROM meeting_guests WHERE id = $2 AND meeting_id = $1",
        meeting,
        guest
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub struct QuarterPlan {
    pub quarter: i32,
    pub topic: Option<String>,
    /// Thematic meetings (or combined sessions) held in the quarter: "dd/mm/yyyy: topic".
    pub held: Vec<String>,
}

/// The year's thematic plan of a branch, quarter by quarter, with what was held.
pub async fn thematic_year(
    pool: &PgPool,
    unit: Uuid,
    year: i32,
) -> Result<Vec<QuarterPlan>, sqlx::Error> {
    let plans = sqlx::query!(
        "SELECT quarter, topic FROM thematic_plans WHERE unit_id = $1 AND year = $2",
        unit,
        year
    )
    .fetch_all(pool)
    .await?;
    let held = sqlx::query!(
        r#"SELECT extract(quarter FROM month)::int AS "quarter!", month, topic, started_at
             FROM meetings
            WHERE unit_id = $1 AND extract(year FROM month) = $2 AND kind IN ('thematic', 'combined')
              AND state <> 'planned'
            ORDER BY month"#,
        unit,
        year as f64
    )
    .fetch_all(pool)
    .await?;
    Ok((1..=4)
        .map(|q| QuarterPlan {
            quarter: q,
            topic: plans
                .iter()
                .find(|p| p.quarter == q)
                .map(|p| p.topic.clone()),
            held: held
                .iter()
                .filter(|h| h.quarter == q)
                .map(|h| {
                    let day = h
                        .started_at
                        .map(crate::web::vn_datetime)
                        .unwrap_or_else(|| h.month.format("%m/%Y").to_string());
                    format!("{day}: {}", h.topic.clone().unwrap_or_default())
                })
                .collect(),
        })
        .collect())
}

pub async fn plan_topic(
    pool: &PgPool,
    unit: Uuid,
    year: i32,
    quarter: i32,
    topic: Option<&str>,
) -> Result<(), sqlx::Error> {
    match topic {
        Some(t) => {
            sqlx::query!(
                "INSERT INTO thematic_plans (unit_id, year, quarter, topic) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (unit_id, year, quarter) DO UPDATE SET topic = excluded.topic",
                unit,
                year,
                quarter,
                t
            )
            .execute(pool)
            .await?;
        }
        None => {
            sqlx::query!(
                "DELETE FROM thematic_plans WHERE unit_id = $1 AND year = $2 AND quarter = $3",
                unit,
                year,
                quarter
            )
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// What a meeting still lacks, in the order a secretary would do it: for the branch home.
pub async fn missing(pool: &PgPool, meeting: &Meeting) -> Result<Vec<Lack>, sqlx::Error> {
    let rec = minutes(pool, meeting.id).await?;
    let unmarked = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM attendance WHERE meeting_id = $1 AND category = 'expected' AND presence IS NULL"#,
        meeting.id
    )
    .fetch_one(pool)
    .await?;
    let mut out = Vec::new();
    if meeting.planned_at.is_none() {
        out.push(Lack::Unscheduled);
    }
    let steps = [
        (rec.prepared_on, PrepStep::Prepared),
        (rec.committee_met_on, PrepStep::CommitteeMet),
        (rec.notice_sent_on, PrepStep::NoticeSent),
        (rec.materials_posted_on, PrepStep::MaterialsPosted),
        (rec.draft_resolution_on, PrepStep::DraftResolution),
    ];
    for (done, step) in steps {
        if done.is_none() {
            out.push(Lack::Step(step));
        }
    }
    if unmarked > 0 {
        out.push(Lack::Unmarked(unmarked));
    }
    if rec.started_at.is_none() || rec.ended_at.is_none() {
        out.push(Lack::Times);
    }
    match meeting.state {
        MeetingState::Planned => out.push(Lack::NotConfirmed),
        MeetingState::Held => out.push(Lack::MinutesOpen),
        MeetingState::Closed => {}
    }
    Ok(out)
}
