-- Meetings of a branch: agenda from templates, preparation, attendance, guests, votes,
-- member tasks, minutes; planned -> held -> closed, every state change recorded.

CREATE TABLE agenda_templates (
    id          uuid PRIMARY KEY DEFAULT uuid_v7(),
    kind        text NOT NULL CHECK (kind IN ('regular', 'thematic', 'combined', 'committee', 'extraordinary')),
    -- NULL: for every branch type; otherwise the suggested content of that type (DOMAIN.md §3.4).
    branch_type text,
    title       text NOT NULL,
    version     integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX agenda_templates_kind_type ON agenda_templates (kind, coalesce(branch_type, ''));

CREATE TABLE agenda_template_items (
    id          uuid PRIMARY KEY DEFAULT uuid_v7(),
    template_id uuid NOT NULL REFERENCES agenda_templates (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    title       text NOT NULL,
    notes       text
);
CREATE INDEX agenda_template_items_template ON agenda_template_items (template_id, position);

CREATE TABLE meetings (
    id            uuid PRIMARY KEY,
    unit_id       uuid NOT NULL REFERENCES units (id),
    -- The month the meeting belongs to: its first day.
    month         date NOT NULL CHECK (extract(day FROM month) = 1),
    kind          text NOT NULL CHECK (kind IN ('regular', 'thematic', 'combined', 'committee', 'extraordinary')),
    is_model      boolean NOT NULL DEFAULT false,
    topic         text,
    state         text NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'held', 'closed')),
    planned_at    timestamptz,
    location      text,
    started_at    timestamptz,
    ended_at      timestamptz,
    chair_id      uuid REFERENCES members (id),
    secretary_id  uuid REFERENCES members (id),
    resolution    text,
    -- Preparation checklist (DOMAIN.md §3.2): the day each step was done.
    prepared_on           date,
    committee_met_on      date,
    notice_sent_on        date,
    materials_posted_on   date,
    draft_resolution_on   date,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR started_at IS NULL OR ended_at > started_at)
);
-- One regular meeting (or combined session) per branch and month.
CREATE UNIQUE INDEX meetings_one_regular_per_month ON meetings (unit_id, month)
    WHERE kind IN ('regular', 'combined');
CREATE INDEX meetings_unit_month ON meetings (unit_id, month);

CREATE TABLE agenda_items (
    id          uuid PRIMARY KEY DEFAULT uuid_v7(),
    meeting_id  uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    title       text NOT NULL,
    presenter   text,
    notes       text,
    -- The minutes of the item: who spoke and the gist, then the chair's conclusion.
    minutes     text,
    conclusion  text
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);

-- One row per member the registry lists for the meeting's date. Written row by row, so two
-- people ticking at once never overwrite each other's rows.
CREATE TABLE attendance (
    meeting_id  uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id   uuid NOT NULL REFERENCES members (id),
    category    text NOT NULL CHECK (category IN ('expected', 'exempt', 'away', 'attached')),
    full_member boolean NOT NULL,
    presence    text CHECK (presence IN ('present', 'late', 'absent_excused', 'absent_unexcused')),
    reason      text,
    spoke       boolean NOT NULL DEFAULT false,
    updated_at  timestamptz,
    updated_by  uuid REFERENCES users (id),
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE meeting_guests (
    id          uuid PRIMARY KEY DEFAULT uuid_v7(),
    meeting_id  uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    name        text NOT NULL,
    position    text,
    from_unit   text
);

CREATE TABLE votes (
    id          uuid PRIMARY KEY DEFAULT uuid_v7(),
    meeting_id  uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    subject     text NOT NULL,
    votes_for   integer NOT NULL CHECK (votes_for >= 0),
    against     integer NOT NULL CHECK (against >= 0),
    abstain     integer NOT NULL CHECK (abstain >= 0),
    eligible    integer NOT NULL CHECK (eligible >= 0),
    passed      boolean NOT NULL,
    CHECK (votes_for + against + abstain <= eligible)
);

CREATE TABLE tasks (
    id           uuid PRIMARY KEY DEFAULT uuid_v7(),
    meeting_id   uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id    uuid REFERENCES members (id),
    group_label  text,
    description  text NOT NULL,
    due_on       date,
    review       text CHECK (review IN ('done', 'partly', 'not_done')),
    review_note  text,
    reviewed_in  uuid REFERENCES meetings (id),
    CHECK (member_id IS NOT NULL OR group_label IS NOT NULL)
);
CREATE INDEX tasks_meeting ON tasks (meeting_id);

-- State changes (held, closed, reopened): who, when, why.
CREATE TABLE meeting_events (
    id          bigserial PRIMARY KEY,
    meeting_id  uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    reason      text,
    user_id     uuid REFERENCES users (id),
    at          timestamptz NOT NULL DEFAULT now()
);

-- The standard order of a monthly meeting (HD 42 era, DOMAIN.md §3.2), and the thematic one
-- (§3.3). Administrators can edit these; a meeting copies them when it is planned.
WITH t AS (
    INSERT INTO agenda_templates (kind, title) VALUES
        ('regular', 'Sinh hoạt thường kỳ (theo Hướng dẫn 42-HD/BTCTW)'),
        ('thematic', 'Sinh hoạt chuyên đề'),
        ('combined', 'Sinh hoạt thường kỳ kết hợp chuyên đề'),
        ('committee', 'Họp chi ủy chuẩn bị sinh hoạt'),
        ('extraordinary', 'Sinh hoạt bất thường')
    RETURNING id, kind
)
INSERT INTO agenda_template_items (template_id, position, title, notes)
SELECT t.id, i.position, i.title, i.notes
  FROM t JOIN (VALUES
    ('regular', 1, 'Tuyên bố lý do, giới thiệu đại biểu; cử thư ký', NULL),
    ('regular', 2, 'Điểm danh: có mặt, vắng có lý do, vắng không lý do', NULL),
    ('regular', 3, 'Báo cáo tình hình thu, nộp đảng phí', NULL),
    ('regular', 4, 'Thông qua chương trình sinh hoạt', NULL),
    ('regular', 5, 'Bí thư báo cáo kết quả tháng trước, đánh giá việc thực hiện nhiệm vụ của đảng viên', 'Kiểm điểm các nhiệm vụ đã giao ở kỳ trước'),
    ('regular', 6, 'Thông tin thời sự, định hướng tư tưởng; phổ biến văn bản cấp trên', NULL),
    ('regular', 7, 'Thảo luận; tự phê bình và phê bình', NULL),
    ('regular', 8, 'Kết luận; phân công nhiệm vụ cho đảng viên, có thời hạn', NULL),
    ('regular', 9, 'Biểu quyết thông qua nghị quyết (kết luận)', NULL),
    ('regular', 10, 'Đánh giá, chấm điểm chất lượng buổi sinh hoạt', NULL),
    ('regular', 11, 'Thông qua biên bản; bế mạc', NULL),
    ('thematic', 1, 'Bí thư nêu mục đích, yêu cầu của chuyên đề', NULL),
    ('thematic', 2, 'Đảng viên được phân công trình bày chuyên đề', NULL),
    ('thematic', 3, 'Thảo luận, liên hệ bản thân và đơn vị', NULL),
    ('thematic', 4, 'Bí thư đánh giá, kết luận chuyên đề', NULL),
    ('thematic', 5, 'Thông qua biên bản', NULL),
    ('combined', 1, 'Tuyên bố lý do, giới thiệu đại biểu; cử thư ký', NULL),
    ('combined', 2, 'Điểm danh: có mặt, vắng có lý do, vắng không lý do', NULL),
    ('combined', 3, 'Phần thường kỳ: kết quả tháng trước, nhiệm vụ tháng tới, thảo luận', NULL),
    ('combined', 4, 'Phần chuyên đề: trình bày, thảo luận, kết luận', NULL),
    ('combined', 5, 'Phân công nhiệm vụ; biểu quyết nghị quyết', NULL),
    ('combined', 6, 'Đánh giá, chấm điểm; thông qua biên bản', NULL),
    ('committee', 1, 'Thống nhất nội dung sinh hoạt chi bộ', NULL),
    ('committee', 2, 'Đánh giá kết quả tháng trước, dự kiến nhiệm vụ tháng tới', NULL),
    ('committee', 3, 'Phân công chuẩn bị dự thảo nghị quyết, tài liệu', NULL),
    ('extraordinary', 1, 'Tuyên bố lý do', NULL),
    ('extraordinary', 2, 'Nội dung cần giải quyết', NULL),
    ('extraordinary', 3, 'Biểu quyết; thông qua biên bản', NULL)
  ) AS i(kind, position, title, notes) ON i.kind = t.kind;
