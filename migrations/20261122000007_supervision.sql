-- Supervision (DOMAIN.md §9.2–§9.3): per-meeting attendance figures kept by the database so
-- dashboards read one row per meeting, alert thresholds, the model-meeting programme and the
-- numbered monthly reports.

-- A meeting's attendance figures, kept current by statement triggers on attendance: a
-- dashboard over 2,000 branches and 12 months reads 24,000 meeting rows, never 800,000
-- attendance rows.
ALTER TABLE meetings
    ADD COLUMN expected_count  integer NOT NULL DEFAULT 0,
    ADD COLUMN present_count   integer NOT NULL DEFAULT 0,
    ADD COLUMN unexcused_count integer NOT NULL DEFAULT 0,
    ADD COLUMN dang_so_count   integer NOT NULL DEFAULT 0;

CREATE FUNCTION meetings_recount(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    UPDATE meetings m
       SET expected_count  = c.expected,
           present_count   = c.present,
           unexcused_count = c.unexcused,
           dang_so_count   = c.dang_so
      FROM (SELECT x.id,
                   count(a.member_id) FILTER (WHERE a.category = 'expected') AS expected,
                   count(a.member_id) FILTER (WHERE a.category = 'expected' AND a.presence IN ('present', 'late')) AS present,
                   count(a.member_id) FILTER (WHERE a.category = 'expected' AND a.presence = 'absent_unexcused') AS unexcused,
                   count(a.member_id) FILTER (WHERE a.category IN ('expected', 'exempt', 'away')) AS dang_so
              FROM unnest(ids) AS x(id)
              LEFT JOIN attendance a ON a.meeting_id = x.id
             GROUP BY x.id) c
     WHERE m.id = c.id
$$;

CREATE FUNCTION attendance_recount_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_recount(ARRAY(SELECT DISTINCT meeting_id FROM new_rows));
    RETURN NULL;
END $$;

-- Rows removed with their meeting (a cascade) need no recount: only meetings still there.
CREATE FUNCTION attendance_recount_old() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[] := ARRAY(SELECT DISTINCT o.meeting_id FROM old_rows o
                         WHERE EXISTS (SELECT 1 FROM meetings m WHERE m.id = o.meeting_id));
BEGIN
    IF cardinality(ids) > 0 THEN
        PERFORM meetings_recount(ids);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER attendance_counts_insert AFTER INSERT ON attendance
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_recount_new();
CREATE TRIGGER attendance_counts_update AFTER UPDATE ON attendance
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_recount_new();
CREATE TRIGGER attendance_counts_delete AFTER DELETE ON attendance
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION attendance_recount_old();

SELECT meetings_recount(ARRAY(SELECT id FROM meetings));

-- Deleting a branch's meetings together (their tasks go with them) runs the attendance
-- trigger inside the cascade, which would check "reviewed in" links mid-statement, before
-- the tasks holding them are gone. Checked at commit instead: the rule is unchanged.
ALTER TABLE tasks ALTER CONSTRAINT tasks_reviewed_in_fkey DEFERRABLE INITIALLY DEFERRED;

-- Dashboards look meetings up by month over a subtree's branches; alerts look for absences
-- without reason and for probationers, both a small share of their tables.
CREATE INDEX meetings_month_unit ON meetings (month, unit_id);
CREATE INDEX attendance_unexcused ON attendance (meeting_id) WHERE presence = 'absent_unexcused';
CREATE INDEX members_probationers ON members (id) WHERE status = 'du_bi';

-- Alert thresholds an administrator may change (one row).
CREATE TABLE alert_settings (
    id                    boolean PRIMARY KEY DEFAULT true CHECK (id),
    -- Minutes still open this many days after the meeting.
    minutes_open_days     integer NOT NULL DEFAULT 3 CHECK (minutes_open_days BETWEEN 1 AND 60),
    -- The branch's score not sent up this many days after the meeting.
    score_unsent_days     integer NOT NULL DEFAULT 7 CHECK (score_unsent_days BETWEEN 1 AND 60),
    -- A score sent up and not approved after this many days.
    approval_days         integer NOT NULL DEFAULT 10 CHECK (approval_days BETWEEN 1 AND 90),
    -- Months of the year with an absence without reason that prompt a review (DOMAIN.md §4.2).
    unexcused_months      integer NOT NULL DEFAULT 3 CHECK (unexcused_months BETWEEN 1 AND 12),
    -- Days before the meeting the materials must be posted (HD 42: 1).
    materials_days_before integer NOT NULL DEFAULT 1 CHECK (materials_days_before BETWEEN 0 AND 14),
    version               integer NOT NULL DEFAULT 1,
    updated_by            uuid REFERENCES users (id),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
INSERT INTO alert_settings DEFAULT VALUES;

-- The model-meeting programme (sinh hoạt chi bộ điểm, DOMAIN.md §3.1): which branch hosts in
-- which month, and the on-the-spot review afterwards.
CREATE TABLE model_meetings (
    id             uuid PRIMARY KEY DEFAULT uuid_v7(),
    -- The committee running the programme, and the branch hosting.
    programme_unit uuid NOT NULL REFERENCES units (id),
    branch_id      uuid NOT NULL REFERENCES units (id),
    month          date NOT NULL CHECK (extract(day FROM month) = 1),
    -- Who attended from the upper level, and the review (rút kinh nghiệm).
    upper_attendees text,
    review         text,
    reviewed_at    date,
    version        integer NOT NULL DEFAULT 1,
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (branch_id, month)
);
CREATE INDEX model_meetings_programme ON model_meetings (programme_unit, month);

-- A committee's monthly report: its number (per unit and term) and the text the supervisor
-- writes before printing.
CREATE TABLE monthly_reports (
    id         uuid PRIMARY KEY DEFAULT uuid_v7(),
    unit_id    uuid NOT NULL REFERENCES units (id),
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    term_start integer NOT NULL,
    number     integer NOT NULL CHECK (number > 0),
    summary    text NOT NULL DEFAULT '',
    version    integer NOT NULL DEFAULT 1,
    updated_by uuid REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, month),
    UNIQUE (unit_id, term_start, number)
);
