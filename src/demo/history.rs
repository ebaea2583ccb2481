//! Months of meeting history (twelve by default) for every open branch of the demo, generated in SQL
//! (a seeded random(), so the same every run): a regular meeting most months (a few gaps),
//! a thematic meeting most quarters, attendance with a few absentees, minutes, votes, tasks
//! reviewed at the following meeting; the minutes of every item of a closed meeting. The
//! current month is left for the user to plan.

use chrono::{Datelike, Months, NaiveDate};
use sqlx::{Postgres, Transaction};

const TOPICS: &[&str] = &[
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Quán triệt Chỉ thị 50-CT/TW về đổi mới, nâng cao chất lượng sinh hoạt chi bộ",
    "Xây dựng khu dân cư văn minh, bảo vệ môi trường",
    "Phát huy dân chủ ở cơ sở, thực hiện hương ước, quy ước",
    "Phòng, chống tham nhũng, lãng phí, tiêu cực",
    "Chuyển đổi số trong công tác đảng",
];

const TASKS: &[&str] = &[
    "Vận động các hộ gia đình thực hiện vệ sinh môi trường, phân loại rác",
    "Nắm tình hình tư tưởng đảng viên, quần chúng trong khu dân cư",
    "Đôn đốc thu nộp đảng phí đúng hạn",
    "Tuyên truyền nghị quyết mới đến các hộ dân",
    "Theo dõi, giúp đỡ quần chúng ưu tú trong diện phát triển đảng",
    "Phối hợp tổ hòa giải giải quyết mâu thuẫn trong khu dân cư",
    "Hướng dẫn đảng viên cài đặt và sử dụng Sổ tay đảng viên điện tử",
];

const REASONS: &[&str] = &[
    "Ốm",
    "Đi công tác",
    "Việc gia đình",
    "Đi làm ăn xa",
    "Tuổi cao, sức yếu",
];

pub async fn seed(
    tx: &mut Transaction<'_, Postgres>,
    today: NaiveDate,
    months: u32,
) -> anyhow::Result<()> {
    let this_month = today.with_day(1).expect("day 1 exists");
    let first = this_month - Months::new(months.max(1));
    let last = this_month - Months::new(1);
    let topics: Vec<String> = TOPICS.iter().map(|s| (*s).to_owned()).collect();
    let tasks: Vec<String> = TASKS.iter().map(|s| (*s).to_owned()).collect();
    let reasons: Vec<String> = REASONS.iter().map(|s| (*s).to_owned()).collect();

    sqlx::query("SELECT setseed(0.1193)")
        .execute(&mut **tx)
        .await?;
    // Meetings: regular ones in 95 months out of 100, thematic ones in the middle month of
    // three quarters out of four. Held between the 5th and the 24th at 19:30, 80–135 minutes.
    sqlx::query(
        "INSERT INTO meetings (id, unit_id, month, kind, topic, state, planned_at, location, started_at, ended_at,
                               prepared_on, committee_met_on, notice_sent_on, materials_posted_on,
                               draft_resolution_on, resolution)
         SELECT uuid_v7(), unit_id, month, kind, topic,
                CASE WHEN month < $2 THEN 'closed' ELSE 'held' END,
                start, 'Nhà văn hóa', start, start + make_interval(mins => minutes),
                start::date - 5, start::date - 3, start::date - 3,
                CASE WHEN random() < 0.85 THEN start::date - 1 ELSE start::date END, start::date - 2,
                'Chi bộ thống nhất đánh giá kết quả tháng qua và các nhiệm vụ trọng tâm tháng tới.'
           FROM (SELECT u.id AS unit_id, m::date AS month, k.kind,
                        CASE WHEN k.kind = 'thematic' THEN ($4::text[])[1 + floor(random() * array_length($4, 1))::int] END AS topic,
                        (m::date + (4 + floor(random() * 20))::int + time '12:30') AT TIME ZONE 'UTC' AS start,
                        80 + floor(random() * 56)::int AS minutes
                   FROM units u
                  CROSS JOIN generate_series($1::date, $2::date, interval '1 month') m
                  CROSS JOIN (VALUES ('regular'), ('thematic')) k(kind)
                  WHERE u.kind IN ('branch', 'grassroots_branch') AND u.valid_to IS NULL
                    AND u.valid_from <= m::date
                    AND ((k.kind = 'regular' AND random() < 0.95)
                      OR (k.kind = 'thematic' AND extract(month FROM m) IN (2, 5, 8, 11) AND random() < 0.75))) x",
    )
    .bind(first)
    .bind(last)
    .bind(this_month)
    .bind(&topics)
    .execute(&mut **tx)
    .await?;

    // A closed meeting's minutes are written under every item (docs/rules.md §3.5: the
    // minutes close only so); last month's, still open, are left for the secretary.
    sqlx::query(
        "INSERT INTO agenda_items (meeting_id, position, title, notes, minutes, conclusion)
         SELECT m.id, i.position, i.title, i.notes,
                CASE WHEN m.state = 'closed' THEN 'Chi bộ trao đổi về nội dung “' || i.title || '”; các ý kiến phát biểu thống nhất.' END,
                CASE WHEN m.state = 'closed' THEN 'Chủ trì kết luận; chi bộ thống nhất thực hiện.' END
           FROM meetings m
           JOIN agenda_templates t ON t.kind = m.kind AND t.branch_type IS NULL
           JOIN agenda_template_items i ON i.template_id = t.id",
    )
    .execute(&mut **tx)
    .await?;

    // Everyone the branch held on the day, as they stood that day; most came.
    sqlx::query(
        "INSERT INTO attendance (meeting_id, member_id, category, full_member, presence, reason, spoke)
         SELECT meeting_id, member_id, category, full_member, presence,
                CASE WHEN presence = 'absent_excused' THEN ($1::text[])[1 + floor(random() * array_length($1, 1))::int] END,
                coalesce(presence IN ('present', 'late'), false) AND random() < 0.45
           FROM (SELECT m.id AS meeting_id, ms.member_id,
                        CASE WHEN ms.kind = 'temporary' THEN 'attached'
                             ELSE CASE member_state_on(ms.member_id, m.started_at::date)
                                      WHEN 'exempt' THEN 'exempt' WHEN 'away' THEN 'away'
                                      ELSE 'expected' END END AS category,
                        mb.status = 'full' AND mb.official_date <= m.started_at::date AS full_member,
                        random() AS r
                   FROM meetings m
                   JOIN memberships ms ON ms.unit_id = m.unit_id
                        AND ms.valid_from <= m.started_at::date
                        AND (ms.valid_to IS NULL OR ms.valid_to > m.started_at::date)
                   JOIN members mb ON mb.id = ms.member_id AND mb.admission_date <= m.started_at::date) a
          CROSS JOIN LATERAL (SELECT CASE
                    WHEN category IN ('exempt', 'away') THEN NULL
                    WHEN r < 0.86 THEN 'present'
                    WHEN r < 0.90 THEN 'late'
                    WHEN r < 0.975 THEN 'absent_excused'
                    ELSE 'absent_unexcused' END AS presence) p",
    )
    .bind(&reasons)
    .execute(&mut **tx)
    .await?;

    // The bí thư chairs, the phó bí thư keeps the minutes; a branch without them has one of
    // those present do it (a held meeting always names both: docs/rules.md §3.5).
    sqlx::query(
        "UPDATE meetings m SET
            chair_id = coalesce(
                (SELECT member_id FROM committee_roles r WHERE r.unit_id = m.unit_id AND r.role = 'secretary'
                    AND r.valid_to IS NULL),
                (SELECT member_id FROM attendance a WHERE a.meeting_id = m.id AND a.presence = 'present'
                  ORDER BY member_id LIMIT 1)),
            secretary_id = coalesce(
                (SELECT member_id FROM committee_roles r WHERE r.unit_id = m.unit_id AND r.role = 'deputy_secretary'
                    AND r.valid_to IS NULL),
                (SELECT member_id FROM attendance a WHERE a.meeting_id = m.id AND a.presence = 'present'
                  ORDER BY member_id DESC LIMIT 1))",
    )
    .execute(&mut **tx)
    .await?;

    // The resolution vote: every full member present approves.
    sqlx::query(
        "INSERT INTO votes (meeting_id, subject, votes_for, against, abstain, eligible, passed)
         SELECT m.id, 'Thông qua nghị quyết (kết luận) của buổi sinh hoạt', v.present, 0, 0, v.eligible, 2 * v.present > v.eligible
           FROM meetings m
           JOIN (SELECT meeting_id,
                        count(*) FILTER (WHERE full_member AND category IN ('expected', 'exempt')
                                         AND presence IN ('present', 'late')) AS present,
                        count(*) FILTER (WHERE full_member AND (category = 'expected'
                                         OR (category = 'exempt' AND presence IN ('present', 'late')))) AS eligible
                   FROM attendance GROUP BY meeting_id) v ON v.meeting_id = m.id
          WHERE m.kind = 'regular'",
    )
    .execute(&mut **tx)
    .await?;

    // Two tasks per regular meeting, reviewed at the next one.
    sqlx::query(
        "INSERT INTO tasks (meeting_id, member_id, description, due_on)
         SELECT m.id, a.member_id, ($1::text[])[1 + floor(random() * array_length($1, 1))::int],
                (m.month + interval '1 month' + interval '14 days')::date
           FROM meetings m
          CROSS JOIN LATERAL (SELECT member_id FROM attendance
                               WHERE meeting_id = m.id AND presence = 'present'
                               ORDER BY random() LIMIT 2) a
          WHERE m.kind = 'regular'",
    )
    .bind(&tasks)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE tasks t SET reviewed_in = n.id,
                review = CASE WHEN r < 0.72 THEN 'done' WHEN r < 0.92 THEN 'partly' ELSE 'not_done' END
           FROM meetings given,
                LATERAL (SELECT id FROM meetings n WHERE n.unit_id = given.unit_id AND n.month > given.month
                           AND n.kind = 'regular' ORDER BY n.month LIMIT 1) n,
                LATERAL (SELECT random() + 0 * extract(epoch FROM given.month) AS r) x
          WHERE given.id = t.meeting_id",
    )
    .execute(&mut **tx)
    .await?;

    sqlx::query(
        "INSERT INTO meeting_events (meeting_id, kind, at)
         SELECT id, e.kind, started_at + e.delay
           FROM meetings
          CROSS JOIN (VALUES ('planned', interval '-10 days'), ('held', interval '2 hours'),
                             ('closed', interval '3 hours')) e(kind, delay)
          WHERE e.kind <> 'closed' OR state = 'closed'",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
