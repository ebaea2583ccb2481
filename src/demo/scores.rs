//! Scores for the demo history: every held meeting scored by its branch through the same
//! scoring code a secretary's form uses, with the figures its record gives and the judged
//! criteria drawn from a per-branch level of care, so the classes cover the whole range.
//! Most older scores are approved by the ward or town above; a few were returned with a
//! comment or still wait; last month's are at every step their minutes allow (a meeting
//! whose minutes are still open is only scored and agreed: sending up needs them closed).
//! Some get a supervisor's own score. An approved score freezes its meeting, as the review
//! does (`meetings.approved_at`, and the approval in the meeting's history).

use crate::evaluation::domain::{Scorer, SheetState};
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use uuid::Uuid;

use crate::evaluation::rubric::{Input, Rubric};
use crate::evaluation::scoring::{self, Entries, Entry};
use crate::evaluation::store;

const RETURN_COMMENTS: &[&str] = &[
    "Đề nghị chi bộ chấm lại tiêu chí nội dung sinh hoạt: chưa bám sát nghị quyết của đảng ủy.",
    "Biên bản chưa ghi rõ ý kiến phát biểu của đảng viên; đề nghị bổ sung rồi gửi lại.",
    "Tự chấm điểm tiêu chí điều hành cao hơn thực tế; đề nghị chi ủy xem xét lại.",
];

const REMARKS: &[&str] = &[
    "Ưu điểm: chuẩn bị chu đáo, nhiều đảng viên phát biểu. Hạn chế: còn đảng viên đến muộn; khắc phục: thông báo sớm hơn.",
    "Nội dung thiết thực, gắn với nhiệm vụ của khu dân cư. Cần nâng cao chất lượng tự phê bình.",
    "Một số nhiệm vụ tháng trước chưa hoàn thành; chi ủy phân công đảng viên theo dõi, đôn đốc.",
];

/// Entries a branch of this care level would give its judged criteria.
fn judged(r: &Rubric, care: f64, rng: &mut StdRng) -> Entries {
    r.criteria()
        .map(|c| {
            let good = rng.random_bool(care.clamp(0.05, 0.98));
            let value = match &c.input {
                Input::Check => if good { "on" } else { "" }.to_owned(),
                Input::Number => {
                    let share = if good {
                        rng.random_range(0.85..=1.0)
                    } else {
                        rng.random_range(0.3..0.85)
                    };
                    // Whole or half points, as a scorer writes them.
                    let halves = (f64::from(c.max.0) / 5.0 * share).round() as i32;
                    crate::evaluation::rubric::Points(halves * 5).to_string()
                }
                Input::Choice { options } => {
                    let best = options.iter().position(|o| o.points == c.max).unwrap_or(0);
                    if good {
                        best.to_string()
                    } else {
                        rng.random_range(0..options.len()).to_string()
                    }
                }
                Input::Computed { .. } => String::new(),
            };
            (
                c.code.clone(),
                Entry {
                    value,
                    ..Entry::default()
                },
            )
        })
        .collect()
}

struct Target {
    id: Uuid,
    unit_id: Uuid,
    kind: String,
    month: NaiveDate,
    day: NaiveDate,
    is_model: bool,
    closed: bool,
    supervisor: Option<Uuid>,
}

pub async fn seed(pool: &PgPool, today: NaiveDate, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    // The history was typed in from the paper books: one account stands for those scorers.
    let clerk = crate::auth::store::create_user(
        pool,
        crate::auth::store::NewUser {
            username: "so-bien-ban",
            display_name: "Nhập từ sổ biên bản (dữ liệu mẫu)",
            password: &format!("{:032x}", rng.random::<u128>()),
            member_id: None,
            grants: &[],
        },
    )
    .await?;
    // Its password follows from the public seed: a system account, never signed in with.
    crate::auth::store::deactivate_user(pool, clerk).await?;
    let targets: Vec<Target> = sqlx::query!(
        r#"SELECT m.id, m.unit_id, m.kind, m.month, m.is_model, m.state = 'closed' AS "closed!",
                  (coalesce(m.started_at, m.planned_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS "day!",
                  (SELECT g.user_id FROM role_grants g JOIN units gu ON gu.id = g.unit_id
                    WHERE g.role = 'supervisor' AND gu.path @> u.path AND gu.id <> u.id
                    ORDER BY nlevel(gu.path) DESC LIMIT 1) AS supervisor
             FROM meetings m JOIN units u ON u.id = m.unit_id
            WHERE m.state <> 'planned' AND m.kind IN ('regular', 'thematic', 'combined')
            ORDER BY m.id"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Target {
        id: r.id,
        unit_id: r.unit_id,
        kind: r.kind,
        month: r.month,
        day: r.day,
        is_model: r.is_model,
        closed: r.closed,
        supervisor: r.supervisor,
    })
    .collect();
    let last_month = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(1)))
        .expect("a month");
    let mut rubrics: HashMap<Uuid, Rubric> = HashMap::new();
    // Each branch's level of care, fixed for the year.
    let mut care: HashMap<Uuid, f64> = HashMap::new();

    for chunk in targets.chunks(4000) {
        let wanted: Vec<(Uuid, String, NaiveDate)> = chunk
            .iter()
            .map(|t| (t.unit_id, t.kind.clone(), t.day))
            .collect();
        let picks = store::rubric_ids_in_force(pool, &wanted).await?;
        let ids: Vec<Uuid> = chunk.iter().map(|t| t.id).collect();
        let records = store::records(pool, &ids).await?;
        let mut rows = Rows::default();
        for (t, pick) in chunk.iter().zip(picks) {
            let Some(rubric_id) = pick else { continue };
            if let std::collections::hash_map::Entry::Vacant(slot) = rubrics.entry(rubric_id) {
                let r = store::rubric(pool, rubric_id).await?.expect("picked");
                slot.insert(r.rubric);
            }
            let r = &rubrics[&rubric_id];
            let level = *care
                .entry(t.unit_id)
                .or_insert_with(|| [0.97, 0.9, 0.8, 0.65, 0.45][rng.random_range(0..5)]);
            // A few meetings were never scored.
            if rng.random_bool(0.03) {
                continue;
            }
            let rec = records.get(&t.id).cloned().unwrap_or_default();
            let facts = scoring::facts(r, &rec);
            let mut entries = judged(r, level, &mut rng);
            // Whatever the record cannot give (no tasks last time), the scorer enters.
            let (_, errors) = scoring::score(r, &facts, &entries);
            for (code, _) in errors {
                if let Some(c) = r.criterion(&code) {
                    entries.insert(
                        code,
                        Entry {
                            override_points: c.max.to_string(),
                            reason: "Kỳ trước không giao nhiệm vụ; chi bộ thống nhất tính đủ điểm."
                                .into(),
                            ..Entry::default()
                        },
                    );
                }
            }
            let (s, errors) = scoring::score(r, &facts, &entries);
            if !errors.is_empty() {
                continue;
            }
            let recent = t.month >= last_month;
            let x: f64 = rng.random();
            let state = if recent {
                [
                    SheetState::Draft,
                    SheetState::Agreed,
                    SheetState::Submitted,
                    SheetState::Approved,
                ][rng.random_range(0..4)]
            } else if x < 0.9 {
                SheetState::Approved
            } else if x < 0.95 {
                SheetState::Submitted
            } else {
                SheetState::Returned
            };
            // Only closed minutes are sent up (and so approved or returned).
            let state = if t.closed || matches!(state, SheetState::Draft | SheetState::Agreed) {
                state
            } else {
                SheetState::Agreed
            };
            let decider = t.supervisor.unwrap_or(clerk);
            let upper_scores = t.is_model || rng.random_bool(0.08);
            let mut upper_class = None;
            if upper_scores {
                // The supervisor judges a little more strictly.
                let strict = judged(r, (level - 0.1).max(0.05), &mut rng);
                let mut e2 = entries.clone();
                for (k, v) in strict {
                    if !v.value.is_empty()
                        || r.criterion(&k)
                            .is_some_and(|c| matches!(c.input, Input::Check))
                    {
                        e2.insert(k, v);
                    }
                }
                let (u, errs) = scoring::score(r, &facts, &e2);
                if errs.is_empty() {
                    upper_class = Some(u.class.clone());
                    rows.push(
                        t.id,
                        rubric_id,
                        Scorer::Upper,
                        decider,
                        if state == SheetState::Approved {
                            SheetState::Approved
                        } else {
                            SheetState::Draft
                        },
                        &u,
                        None,
                        None,
                        None,
                        None,
                    );
                }
            }
            let comment = (state == SheetState::Returned)
                .then(|| RETURN_COMMENTS[rng.random_range(0..RETURN_COMMENTS.len())]);
            let remark = rng
                .random_bool(0.4)
                .then(|| REMARKS[rng.random_range(0..REMARKS.len())]);
            let approved = (state == SheetState::Approved)
                .then(|| upper_class.clone().unwrap_or(s.class.clone()));
            let decided =
                matches!(state, SheetState::Approved | SheetState::Returned).then_some(decider);
            // Quy định 17-QĐ/TU: an agreed score was adopted by the branch's vote.
            if state != SheetState::Draft {
                rows.adopted.push(t.id);
                rows.adoption_subject
                    .push(crate::evaluation::domain::adoption_subject(
                        &s.total.to_string(),
                        &r.band_label(&s.class),
                    ));
            }
            rows.push(
                t.id,
                rubric_id,
                Scorer::Branch,
                clerk,
                state,
                &s,
                remark,
                approved,
                comment,
                decided,
            );
        }
        rows.insert(pool).await?;
    }
    // Every approved score freezes its meeting from its decision.
    sqlx::query!(
        "WITH a AS (
            UPDATE meetings m SET approved_at = e.decided_at, approved_by = e.decided_by
              FROM evaluations e
             WHERE e.meeting_id = m.id AND e.scorer = 'branch' AND e.state = 'approved'
            RETURNING m.id, m.approved_at, m.approved_by)
         INSERT INTO meeting_events (meeting_id, kind, user_id, at)
         SELECT id, 'approved', approved_by, approved_at FROM a"
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[derive(Default)]
struct Rows {
    meeting: Vec<Uuid>,
    rubric: Vec<Uuid>,
    scorer: Vec<String>,
    by: Vec<Uuid>,
    state: Vec<String>,
    items: Vec<serde_json::Value>,
    total: Vec<i32>,
    band: Vec<String>,
    class: Vec<String>,
    capped: Vec<serde_json::Value>,
    remarks: Vec<Option<String>>,
    approved: Vec<Option<String>>,
    comment: Vec<Option<String>>,
    decided_by: Vec<Option<Uuid>>,
    /// Branch sheets the branch agreed: the meeting, and the subject of its adoption vote.
    adopted: Vec<Uuid>,
    adoption_subject: Vec<String>,
}

impl Rows {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        meeting: Uuid,
        rubric: Uuid,
        scorer: Scorer,
        by: Uuid,
        state: SheetState,
        s: &scoring::Scored,
        remarks: Option<&str>,
        approved: Option<String>,
        comment: Option<&str>,
        decided_by: Option<Uuid>,
    ) {
        self.meeting.push(meeting);
        self.rubric.push(rubric);
        self.scorer.push(scorer.to_string());
        self.by.push(by);
        self.state.push(state.to_string());
        self.items
            .push(serde_json::to_value(&s.items).expect("items serialise"));
        self.total.push(s.total.0);
        self.band.push(s.band.clone());
        self.class.push(s.class.clone());
        self.capped
            .push(serde_json::to_value(&s.capped_by).expect("labels serialise"));
        self.remarks.push(remarks.map(str::to_owned));
        self.approved.push(approved);
        self.comment.push(comment.map(str::to_owned));
        self.decided_by.push(decided_by);
    }

    async fn insert(self, pool: &PgPool) -> anyhow::Result<()> {
        let mut tx = pool.begin().await?;
        sqlx::query!(
            "WITH e AS (
                INSERT INTO evaluations (meeting_id, rubric_id, scorer, scored_by, state, items, total_tenths,
                                         band, class, capped_by, remarks, approved_class, review_comment,
                                         decided_by, decided_at, created_at, updated_at)
                SELECT x.m, x.r, x.sc, x.b, x.st, x.it, x.t, x.bd, x.cl,
                       ARRAY(SELECT jsonb_array_elements_text(x.cp)), x.rm, x.ap, x.co, x.db,
                       CASE WHEN x.db IS NULL THEN NULL ELSE mt.ended_at + interval '4 days' END,
                       mt.ended_at + interval '1 hour', mt.ended_at + interval '1 day'
                  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::jsonb[],
                              $7::int4[], $8::text[], $9::text[], $10::jsonb[], $11::text[], $12::text[],
                              $13::text[], $14::uuid[])
                       AS x(m, r, sc, b, st, it, t, bd, cl, cp, rm, ap, co, db)
                  JOIN meetings mt ON mt.id = x.m
                RETURNING id, scorer, state, scored_by, decided_by, review_comment, created_at, updated_at, decided_at)
             INSERT INTO evaluation_events (evaluation_id, kind, comment, user_id, at)
             SELECT e.id, s.kind, CASE WHEN s.kind = 'returned' THEN e.review_comment END,
                    CASE WHEN s.kind IN ('approved', 'returned') THEN e.decided_by ELSE e.scored_by END,
                    CASE s.kind WHEN 'saved' THEN e.created_at WHEN 'approved' THEN e.decided_at
                                WHEN 'returned' THEN e.decided_at ELSE e.updated_at END
               FROM e CROSS JOIN LATERAL (VALUES (1, 'saved'), (2, 'agreed'), (3, 'submitted'),
                                                 (4, 'returned'), (4, 'approved')) s(n, kind)
              WHERE e.scorer = 'branch'
                AND (s.kind = 'saved'
                  OR (s.kind = 'agreed' AND e.state IN ('agreed', 'submitted', 'returned', 'approved'))
                  OR (s.kind = 'submitted' AND e.state IN ('submitted', 'returned', 'approved'))
                  OR s.kind = e.state AND s.kind IN ('returned', 'approved'))",
            &self.meeting,
            &self.rubric,
            &self.scorer,
            &self.by,
            &self.state,
            &self.items,
            &self.total,
            &self.band,
            &self.class,
            &self.capped,
            &self.remarks as &[Option<String>],
            &self.approved as &[Option<String>],
            &self.comment as &[Option<String>],
            &self.decided_by as &[Option<Uuid>]
        )
        .execute(&mut *tx)
        .await?;
        // The adoption votes: the eligible voters present voted for (docs/rules.md §3.5–3.6).
        sqlx::query!(
            "INSERT INTO votes (meeting_id, subject, votes_for, against, abstain, eligible, passed,
                                evaluation_id, adopted_tenths, adopted_class)
             SELECT x.m, x.subject, base.present, 0, 0, base.eligible, true, e.id, e.total_tenths, e.class
               FROM unnest($1::uuid[], $2::text[]) AS x(m, subject)
               JOIN evaluations e ON e.meeting_id = x.m AND e.scorer = 'branch'
              CROSS JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE a.category = 'expected'
                                               OR (a.category = 'exempt' AND a.presence IN ('present', 'late')))::int AS eligible,
                           count(*) FILTER (WHERE a.category IN ('expected', 'exempt')
                                              AND a.presence IN ('present', 'late'))::int AS present
                      FROM attendance a WHERE a.meeting_id = x.m AND a.full_member) base
              WHERE 2 * base.present > base.eligible",
            &self.adopted,
            &self.adoption_subject
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
