//! The audit trail: a row for each change that matters — the organisation tree, committee
//! posts, a meeting's record (attendance, agenda and guests, minutes, votes, tasks and their
//! review), score sheets and their review, rubrics, the model-meeting programme, thematic
//! plans, agenda templates, alert thresholds, monthly reports, accounts and passwords —
//! written in the same transaction as the change (never a change without its row, nor a
//! row without its change). Members keep their own history (`member_events`), meetings
//! their state changes (`meeting_events`); a change lands in exactly one of the three.
//! All three are append-only: triggers refuse UPDATE, DELETE and TRUNCATE (migration
//! `20261203000019`). The row's time is the database's: when it was really written.
//!
//! The "Lịch sử" pages read a record's rows through its feature's store and show them as
//! [`Line`]s: who, when, what ([`Action::label`] or the feature's event label) and the
//! fields that changed, before → after ([`changes`]).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

crate::codes::text_code! {
    /// What an audit row records. The code is stored in `audit_log.action`; rows written
    /// before a code existed keep their text and show it as is.
    pub enum Action {
        UnitCreated = "unit_created",
        UnitRenamed = "unit_renamed",
        UnitMoved = "unit_moved",
        UnitClosed = "unit_closed",
        UnitMerged = "unit_merged",
        PostAdded = "post_added",
        PostEnded = "post_ended",
        AttendanceMarked = "attendance_marked",
        AgendaItemAdded = "agenda_item_added",
        AgendaItemChanged = "agenda_item_changed",
        AgendaItemRemoved = "agenda_item_removed",
        AgendaItemMoved = "agenda_item_moved",
        GuestAdded = "guest_added",
        GuestRemoved = "guest_removed",
        MinutesSaved = "minutes_saved",
        VoteAdded = "vote_added",
        TaskAdded = "task_added",
        TaskReviewed = "task_reviewed",
        EvaluationSaved = "evaluation_saved",
        EvaluationAgreed = "evaluation_agreed",
        EvaluationSubmitted = "evaluation_submitted",
        EvaluationReturned = "evaluation_returned",
        EvaluationApproved = "evaluation_approved",
        EvaluationReopened = "evaluation_reopened",
        EvaluationWithdrawn = "evaluation_withdrawn",
        RubricDrafted = "rubric_drafted",
        RubricEdited = "rubric_edited",
        RubricEnded = "rubric_ended",
        RubricPublished = "rubric_published",
        ModelMeetingPlanned = "model_meeting_planned",
        ModelMeetingReviewed = "model_meeting_reviewed",
        ThematicTopicPlanned = "thematic_topic_planned",
        TemplateVariantCreated = "template_variant_created",
        TemplateItemChanged = "template_item_changed",
        AlertSettingsChanged = "alert_settings_changed",
        MonthlyReportSaved = "monthly_report_saved",
        NoticeNumbered = "notice_numbered",
        UserCreated = "user_created",
        UserDeactivated = "user_deactivated",
        UserUnlocked = "user_unlocked",
        PasswordChanged = "password_changed",
    }
}

impl Action {
    /// What the "Lịch sử" pages say happened.
    pub fn label(self) -> &'static str {
        match self {
            Action::UnitCreated => "Thành lập đơn vị",
            Action::UnitRenamed => "Đổi tên đơn vị",
            Action::UnitMoved => "Chuyển đơn vị cấp trên",
            Action::UnitClosed => "Ngừng hoạt động",
            Action::UnitMerged => "Sáp nhập",
            Action::PostAdded => "Bổ nhiệm chức vụ cấp ủy",
            Action::PostEnded => "Thôi chức vụ cấp ủy",
            Action::AttendanceMarked => "Điểm danh",
            Action::AgendaItemAdded => "Thêm nội dung chương trình",
            Action::AgendaItemChanged => "Sửa nội dung chương trình",
            Action::AgendaItemRemoved => "Xóa nội dung chương trình",
            Action::AgendaItemMoved => "Đổi thứ tự chương trình",
            Action::GuestAdded => "Mời khách",
            Action::GuestRemoved => "Bỏ khách mời",
            Action::MinutesSaved => "Ghi biên bản",
            Action::VoteAdded => "Ghi kết quả biểu quyết",
            Action::TaskAdded => "Giao nhiệm vụ",
            Action::TaskReviewed => "Kiểm điểm nhiệm vụ",
            Action::EvaluationSaved => "Lưu phiếu chấm điểm",
            Action::EvaluationAgreed => "Chi bộ thống nhất điểm",
            Action::EvaluationSubmitted => "Gửi điểm lên cấp trên",
            Action::EvaluationReturned => "Cấp trên trả lại phiếu điểm",
            Action::EvaluationApproved => "Cấp trên phê duyệt phiếu điểm",
            Action::EvaluationReopened => "Mở lại phiếu điểm",
            Action::EvaluationWithdrawn => "Cấp trên hủy phê duyệt phiếu điểm",
            Action::RubricDrafted => "Soạn bộ tiêu chí",
            Action::RubricEdited => "Sửa bộ tiêu chí",
            Action::RubricEnded => "Kết thúc hiệu lực bộ tiêu chí",
            Action::RubricPublished => "Ban hành bộ tiêu chí",
            Action::ModelMeetingPlanned => "Chọn chi bộ sinh hoạt điểm",
            Action::ModelMeetingReviewed => "Nhận xét buổi sinh hoạt điểm",
            Action::ThematicTopicPlanned => "Lập kế hoạch chuyên đề",
            Action::TemplateVariantCreated => "Tạo chương trình mẫu riêng",
            Action::TemplateItemChanged => "Sửa chương trình mẫu",
            Action::AlertSettingsChanged => "Đổi ngưỡng cảnh báo",
            Action::MonthlyReportSaved => "Lưu báo cáo tháng",
            Action::NoticeNumbered => "Vào số thông báo",
            Action::UserCreated => "Tạo tài khoản",
            Action::UserDeactivated => "Khóa tài khoản hệ thống",
            Action::UserUnlocked => "Mở khóa tài khoản",
            Action::PasswordChanged => "Đổi mật khẩu",
        }
    }

    /// The label of a stored action code; an unknown code (a row older than its enum
    /// variant) shows as written.
    pub fn label_of(code: &str) -> String {
        Action::parse(code).map_or_else(|| code.to_owned(), |a| a.label().to_owned())
    }
}

/// One change: who, what, on which record, and the record before and after where they
/// matter.
pub struct Entry<'a> {
    pub user: Option<Uuid>,
    pub action: Action,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(conn: &mut PgConnection, e: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6)",
        e.user,
        e.action.as_str(),
        e.entity,
        e.entity_id,
        e.before,
        e.after
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How many rows a "Lịch sử" page shows: the latest, so that a big unit's page stays fast.
pub const PAGE_LIMIT: i64 = 200;

/// A history row as a feature's store reads it: from `audit_log` (`source` "audit", `code`
/// an [`Action`] code) or from the feature's own events (`source` "event", `code` the
/// feature's event code, labelled by the feature).
pub struct Row {
    pub source: String,
    pub code: String,
    pub note: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub user_name: Option<String>,
    pub at: DateTime<Utc>,
}

impl Row {
    /// Whether the row is one of the feature's own events rather than an audit row.
    pub fn is_event(&self) -> bool {
        self.source == "event"
    }

    /// The row as a page shows it, `what` worded by the caller for the feature's events
    /// and by [`Action::label`] for audit rows. The record a change is about (a member's
    /// tick, an agenda item) is the snapshot's `about`, shown with the note.
    pub fn line(self, event_label: impl FnOnce(&str) -> String) -> Line {
        let what = if self.is_event() {
            event_label(&self.code)
        } else {
            Action::label_of(&self.code)
        };
        let about = [self.after.as_ref(), self.before.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|v| v.get("about").and_then(Value::as_str).map(str::to_owned));
        let note = match (about, self.note) {
            (Some(a), Some(n)) => Some(format!("{a} · {n}")),
            (a, n) => a.or(n),
        };
        Line {
            changes: changes(self.before.as_ref(), self.after.as_ref()),
            at: self.at,
            who: self.user_name,
            what,
            note,
        }
    }
}

/// One line of a "Lịch sử" page.
pub struct Line {
    pub at: DateTime<Utc>,
    pub who: Option<String>,
    pub what: String,
    /// A reason, a reference or a note given with the change.
    pub note: Option<String>,
    pub changes: Vec<Change>,
}

impl Line {
    /// The line with the stored codes of its changes worded by the feature that owns them
    /// (`label(key, code)`: "present" of `presence` as "Có mặt"); a value the feature does
    /// not word shows as stored.
    pub fn worded(mut self, label: impl Fn(&str, &str) -> Option<&'static str>) -> Line {
        for c in &mut self.changes {
            for v in [&mut c.before, &mut c.after] {
                if let Some(word) = label(&c.key, v) {
                    *v = word.to_owned();
                }
            }
        }
        self
    }

    /// dd/mm/yyyy HH:MM, Vietnam's time.
    pub fn when(&self) -> String {
        self.at
            .with_timezone(&crate::clock::ZONE)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
}

/// A field that changed: its label, the value before and the value after.
#[derive(Debug, PartialEq, Eq)]
pub struct Change {
    /// The snapshot's key (`presence`), for a feature to word its coded values.
    pub key: String,
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Keys that change with every write and say nothing to a reader.
const NOISE: &[&str] = &[
    "id",
    "version",
    "lock_version",
    "updated_at",
    "updated_by",
    "created_at",
    "created_by",
    "meeting_id",
    "member_id",
    "unit_id",
    "evaluation_id",
    "password_hash",
    "about",
];

/// The fields that differ between two snapshots (JSON objects), in key order. A missing
/// side counts as empty, so a creation lists what was set and a removal what was there.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let empty = serde_json::Map::new();
    let as_map = |v: Option<&Value>| match v {
        Some(Value::Object(m)) => Some(m.clone()),
        Some(Value::Null) | None => None,
        Some(other) => Some(std::iter::once(("value".to_owned(), other.clone())).collect()),
    };
    let (b, a) = (as_map(before), as_map(after));
    let (b, a) = (b.as_ref().unwrap_or(&empty), a.as_ref().unwrap_or(&empty));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !NOISE.contains(&k.as_str()))
        .filter_map(|k| {
            let (x, y) = (
                b.get(k).unwrap_or(&Value::Null),
                a.get(k).unwrap_or(&Value::Null),
            );
            (x != y).then(|| Change {
                key: k.clone(),
                field: field_label(k),
                before: value_text(x),
                after: value_text(y),
            })
        })
        .collect()
}

/// A snapshot's key as a reader knows the field; an unknown key shows as stored.
pub fn field_label(key: &str) -> String {
    let label = match key {
        "full_name" => "Họ và tên",
        "name" => "Tên",
        "gender" => "Giới tính",
        "birth_date" => "Ngày sinh",
        "hometown" => "Quê quán",
        "phone" => "Điện thoại",
        "card_no" => "Số thẻ đảng",
        "admission_date" => "Ngày vào Đảng",
        "official_date" => "Ngày chính thức",
        "status" => "Loại đảng viên",
        "state" => "Trạng thái",
        "presence" => "Điểm danh",
        "reason" => "Lý do",
        "reason_code" => "Mã lý do vắng",
        "spoke" => "Phát biểu",
        "title" => "Tiêu đề",
        "presenter" => "Người trình bày",
        "notes" => "Ghi chú",
        "position" => "Vị trí",
        "from_unit" => "Đơn vị",
        "started_at" => "Bắt đầu",
        "ended_at" => "Kết thúc",
        "chair_id" => "Chủ trì",
        "secretary_id" => "Thư ký",
        "resolution" => "Nghị quyết",
        "subject" => "Nội dung biểu quyết",
        "votes_for" => "Tán thành",
        "against" => "Không tán thành",
        "abstain" => "Không biểu quyết",
        "eligible" => "Số có quyền biểu quyết",
        "passed" => "Thông qua",
        "description" => "Nhiệm vụ",
        "due_on" => "Hạn",
        "review" => "Đánh giá",
        "review_note" => "Ghi chú đánh giá",
        "upper_attendees" => "Cấp trên dự",
        "reviewed_at" => "Ngày nhận xét",
        "month" => "Tháng",
        "topic" => "Chuyên đề",
        "total_tenths" => "Tổng điểm (phần mười)",
        "class" => "Xếp loại",
        "role" => "Chức vụ",
        "term" => "Nhiệm kỳ",
        "valid_from" => "Từ ngày",
        "valid_to" => "Đến ngày",
        "reference" => "Số văn bản",
        "parent" | "parent_id" => "Đơn vị cấp trên",
        "summary" => "Nội dung báo cáo",
        "username" => "Tên đăng nhập",
        "display_name" => "Tên hiển thị",
        "grants" => "Quyền",
        "is_active" => "Hoạt động",
        "assignee" => "Người thực hiện",
        "prepared_on" => "Ngày chuẩn bị",
        "committee_met_on" => "Ngày họp chi ủy",
        "notice_sent_on" => "Ngày gửi thông báo",
        "materials_posted_on" => "Ngày gửi tài liệu",
        "draft_resolution_on" => "Ngày dự thảo nghị quyết",
        "lifecycle_state" => "Tình trạng sinh hoạt",
        "effective_from" => "Hiệu lực từ",
        "effective_to" => "Hiệu lực đến",
        "code" => "Mã",
        _ => {
            if let Some(n) = key.strip_prefix("item_") {
                return format!("Nội dung {n}");
            }
            key
        }
    };
    label.to_owned()
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "có".to_owned(),
        Value::Bool(false) => "không".to_owned(),
        Value::String(s) if s.is_empty() => "—".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_action_has_a_vietnamese_label_and_its_code_parses_back() {
        for a in Action::ALL {
            assert!(!a.label().is_empty());
            assert_eq!(Action::parse(a.as_str()), Some(*a));
        }
        assert_eq!(Action::label_of("unit_renamed"), "Đổi tên đơn vị");
        assert_eq!(Action::label_of("something_old"), "something_old");
    }

    #[test]
    fn changes_list_only_the_fields_that_differ() {
        let b = json!({"presence": null, "reason": null, "version": 1, "spoke": false});
        let a = json!({"presence": "present", "reason": null, "version": 2, "spoke": true});
        assert_eq!(
            changes(Some(&b), Some(&a)),
            vec![
                Change {
                    key: "presence".into(),
                    field: "Điểm danh".into(),
                    before: "—".into(),
                    after: "present".into()
                },
                Change {
                    key: "spoke".into(),
                    field: "Phát biểu".into(),
                    before: "không".into(),
                    after: "có".into()
                },
            ]
        );
        // A feature words its own codes; the rest stays as stored.
        let line = Line {
            at: chrono::DateTime::UNIX_EPOCH,
            who: None,
            what: String::new(),
            note: None,
            changes: changes(Some(&b), Some(&a)),
        }
        .worded(|key, code| ((key, code) == ("presence", "present")).then_some("Có mặt"));
        assert_eq!(
            line.changes
                .iter()
                .map(|c| c.after.as_str())
                .collect::<Vec<_>>(),
            ["Có mặt", "có"]
        );
        // A creation lists what was set; nothing before, nothing after: nothing.
        assert_eq!(changes(None, Some(&json!({"title": "Mở đầu"}))).len(), 1);
        assert!(changes(None, None).is_empty());
    }
}
