//! SQL for meetings: planning from a template, the attendance list from the registry, and
//! per-row attendance writes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

use sqlx::PgPool;

use super::domain::{Category, MeetingKind, Presence};
use crate::error::StoreError;
use crate::web::vn_date;

pub struct Meeting {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub month: NaiveDate,
    pub kind: String,
    pub is_model: bool,
    pub topic: Option<String>,
    pub state: String,
    pub planned_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Meeting {
    pub fn kind_label(&self) -> &'static str {
        MeetingKind::parse(&self.kind)
            .map(MeetingKind::label)
            .unwrap_or("")
    }

    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn state_label(&self) -> &'static str {
        state_label(&self.state)
    }

    pub fn planned_label(&self) -> Option<String> {
        self.planned_at.map(crate::web::vn_datetime)
    }

    pub fn is_closed(&self) -> bool {
        self.state == "closed"
    }
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        "planned" => "Đã lên kế hoạch",
        "held" => "Đã họp",
        "closed" => "Đã khóa biên bản",
        _ => "",
    }
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<Meeting>, sqlx::Error> {
    sqlx::query_as!(
        Meeting,
        "SELECT id, unit_id, month, kind, is_model, topic, state, planned_at, location, started_at,
                ended_at, version
           FROM meetings WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await
}

pub struct MeetingRow {
    pub id: Uuid,
    pub month: NaiveDate,
    pub kind: String,
    pub state: String,
    pub planned_at: Option<DateTime<Utc>>,
    pub expected: i64,
    pub present: i64,
}

impl MeetingRow {
    pub fn kind_label(&self) -> &'static str {
        MeetingKind::parse(&self.kind)
            .map(MeetingKind::label)
            .unwrap_or("")
    }

    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn state_label(&self) -> &'static str {
        state_label(&self.state)
    }

    pub fn date_label(&self) -> String {
        self.planned_at
            .map(crate::web::vn_datetime)
            .unwrap_or_default()
    }

    pub fn rate_label(&self) -> String {
        if self.expected == 0 || self.state == "planned" {
            return String::new();
        }
        format!("{:.0}%", 100.0 * self.present as f64 / self.expected as f64)
    }
}

/// A branch's meetings, newest first, with their attendance in one query.
pub async fn for_unit(pool: &PgPool, unit_id: Uuid) -> Result<Vec<MeetingRow>, sqlx::Error> {
    sqlx::query_as!(
        MeetingRow,
        r#"SELECT m.id, m.month, m.kind, m.state, m.planned_at,
                  count(a.member_id) FILTER (WHERE a.category = 'expected') AS "expected!",
                  count(a.member_id) FILTER (WHERE a.category = 'expected' AND a.presence IN ('present', 'late')) AS "present!"
             FROM meetings m LEFT JOIN attendance a ON a.meeting_id = m.id
            WHERE m.unit_id = $1
            GROUP BY m.id
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
    Ok(for_unit(pool, unit_id).await?.into_iter().find(|m| {
        m.month == month && MeetingKind::parse(&m.kind).is_some_and(MeetingKind::is_regular)
    }))
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
        r#"SELECT ms.member_id, ms.kind AS membership, m.lifecycle_state, m.status
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
            Category::of(&r.lifecycle_state, r.membership == "temporary")
                .as_str()
                .to_owned(),
        );
        full.push(r.status == "chinh_thuc");
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
    pub category: String,
    pub full_member: bool,
    pub presence: Option<String>,
    pub reason: Option<String>,
    pub spoke: bool,
}

impl AttendanceRow {
    pub fn presence_label(&self) -> &'static str {
        self.presence
            .as_deref()
            .and_then(Presence::parse)
            .map(Presence::label)
            .unwrap_or("Chưa điểm danh")
    }

    pub fn is(&self, presence: &str) -> bool {
        self.presence.as_deref() == Some(presence)
    }

    pub fn mark(&self) -> super::domain::Mark {
        super::domain::Mark {
            category: Category::parse(&self.category).unwrap_or(Category::Expected),
            full_member: self.full_member,
            presence: self.presence.as_deref().and_then(Presence::parse),
        }
    }
}

/// The meeting's attendance list, by category, then the Vietnamese way by name.
pub async fn attendance(pool: &PgPool, meeting: Uuid) -> Result<Vec<AttendanceRow>, sqlx::Error> {
    sqlx::query_as!(
        AttendanceRow,
        r#"SELECT a.member_id, m.full_name, a.category, a.full_member, a.presence, a.reason, a.spoke
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
