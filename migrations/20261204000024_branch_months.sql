-- A branch's month as dashboards, trends and reports read it: its regular (or combined)
-- meeting with the figures kept on the meeting row, its self-score, and whether a thematic
-- meeting (or a combined session) was held that month.
--
-- Kept by the triggers below in the transaction of every write to a meeting or to a
-- branch's score sheet, whichever store makes it: a town's twelve-month trend reads one
-- row per branch-month instead of joining meetings and sheets (2,000 index lookups in
-- two tables). `tests/it/branch_months.rs` checks the table against a recomputation from
-- the meetings and sheets after every step of random sequences of writes, some of them
-- sent in parallel.
--
-- A row exists for every branch-month with a regular, combined or thematic meeting (even
-- one since deleted or moved: its row is then empty, `meeting_id` NULL and nothing held);
-- a branch-month with no row had none.
CREATE TABLE branch_months (
    unit_id             uuid NOT NULL REFERENCES units (id),
    month               date NOT NULL CHECK (extract(day FROM month) = 1),
    meeting_id          uuid,
    meeting_kind        text,
    meeting_state       text,
    started_at          timestamptz,
    ended_at            timestamptz,
    materials_posted_on date,
    expected_count      integer NOT NULL DEFAULT 0,
    present_count       integer NOT NULL DEFAULT 0,
    unexcused_count     integer NOT NULL DEFAULT 0,
    dang_so_count       integer NOT NULL DEFAULT 0,
    rubric_id           uuid,
    total_tenths        integer,
    -- As approved, else as the branch scored it.
    class               text,
    sheet_state         text,
    sheet_updated_at    timestamptz,
    capped_by           text[] NOT NULL DEFAULT '{}',
    thematic_held       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (unit_id, month)
);

-- Brings the row of one branch-month up to date with its meetings and sheet.
CREATE FUNCTION refresh_branch_month(p_unit uuid, p_month date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Writers of one branch-month queue on its row first (the insert waits for a writer
    -- still in progress on it, the lock for one that finished its insert); each statement
    -- below then reads the meetings afresh (read committed: what committed before it), so
    -- two transactions changing two meetings of the month (the regular and a thematic one)
    -- never leave the row with only one of their changes. A plain UPDATE would not: having
    -- waited, it writes what it computed before (tests/it/branch_months.rs shows it).
    INSERT INTO branch_months (unit_id, month) VALUES (p_unit, p_month) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM branch_months WHERE unit_id = p_unit AND month = p_month FOR UPDATE;
    UPDATE branch_months s
       SET (meeting_id, meeting_kind, meeting_state, started_at, ended_at, materials_posted_on,
            expected_count, present_count, unexcused_count, dang_so_count,
            rubric_id, total_tenths, class, sheet_state, sheet_updated_at, capped_by) =
           (SELECT m.id, m.kind, m.state, m.started_at, m.ended_at, m.materials_posted_on,
                   coalesce(m.expected_count, 0), coalesce(m.present_count, 0),
                   coalesce(m.unexcused_count, 0), coalesce(m.dang_so_count, 0),
                   e.rubric_id, e.total_tenths, coalesce(e.approved_class, e.class), e.state,
                   e.updated_at, coalesce(e.capped_by, '{}')
              FROM (SELECT 1) one
              LEFT JOIN meetings m ON m.unit_id = p_unit AND m.month = p_month
                                  AND m.kind IN ('regular', 'combined')
              LEFT JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'),
           thematic_held = EXISTS (
               SELECT 1 FROM meetings t
                WHERE t.unit_id = p_unit AND t.month = p_month
                  AND t.kind IN ('thematic', 'combined') AND t.state <> 'planned')
     WHERE s.unit_id = p_unit AND s.month = p_month;
END
$$;

CREATE FUNCTION meetings_refresh_branch_month() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.kind IN ('regular', 'combined', 'thematic') THEN
        PERFORM refresh_branch_month(OLD.unit_id, OLD.month);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.kind IN ('regular', 'combined', 'thematic')
       AND (TG_OP = 'INSERT' OR (NEW.unit_id, NEW.month, NEW.kind) IS DISTINCT FROM (OLD.unit_id, OLD.month, OLD.kind)) THEN
        PERFORM refresh_branch_month(NEW.unit_id, NEW.month);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER meetings_branch_month_rows AFTER INSERT OR DELETE ON meetings
    FOR EACH ROW EXECUTE FUNCTION meetings_refresh_branch_month();
-- Only a change to what the row keeps: a tick on the regular meeting changes its counts;
-- of a thematic meeting only its state counts (a tick there leaves the row alone); a
-- guest or the minutes' text touch nothing kept.
CREATE TRIGGER meetings_branch_month_changes AFTER UPDATE ON meetings
    FOR EACH ROW
    WHEN ((OLD.unit_id, OLD.month, OLD.kind, OLD.state)
          IS DISTINCT FROM (NEW.unit_id, NEW.month, NEW.kind, NEW.state)
          OR (NEW.kind IN ('regular', 'combined')
              AND (OLD.started_at, OLD.ended_at, OLD.materials_posted_on, OLD.expected_count,
                   OLD.present_count, OLD.unexcused_count, OLD.dang_so_count)
                  IS DISTINCT FROM
                  (NEW.started_at, NEW.ended_at, NEW.materials_posted_on, NEW.expected_count,
                   NEW.present_count, NEW.unexcused_count, NEW.dang_so_count)))
    EXECUTE FUNCTION meetings_refresh_branch_month();

CREATE FUNCTION evaluations_refresh_branch_month() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    m record;
BEGIN
    IF coalesce(NEW.scorer, OLD.scorer) <> 'branch' AND coalesce(OLD.scorer, NEW.scorer) <> 'branch' THEN
        RETURN NULL; -- a supervisor's sheet: not the branch's score
    END IF;
    FOR m IN
        SELECT DISTINCT mt.unit_id, mt.month FROM meetings mt
         WHERE mt.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.meeting_id END,
                         CASE WHEN TG_OP <> 'DELETE' THEN NEW.meeting_id END)
           AND mt.kind IN ('regular', 'combined')
    LOOP
        PERFORM refresh_branch_month(m.unit_id, m.month);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER evaluations_branch_month_rows AFTER INSERT OR DELETE ON evaluations
    FOR EACH ROW EXECUTE FUNCTION evaluations_refresh_branch_month();
CREATE TRIGGER evaluations_branch_month_changes AFTER UPDATE ON evaluations
    FOR EACH ROW
    WHEN ((OLD.scorer = 'branch' OR NEW.scorer = 'branch')
          AND (OLD.meeting_id, OLD.scorer, OLD.rubric_id, OLD.total_tenths, OLD.class,
               OLD.approved_class, OLD.state, OLD.updated_at, OLD.capped_by)
              IS DISTINCT FROM
              (NEW.meeting_id, NEW.scorer, NEW.rubric_id, NEW.total_tenths, NEW.class,
               NEW.approved_class, NEW.state, NEW.updated_at, NEW.capped_by))
    EXECUTE FUNCTION evaluations_refresh_branch_month();

-- Every branch-month rebuilt from the meetings and sheets at once: the migration's
-- backfill, and a repair. Writers wait until it commits (the lock), so none of their
-- refreshes is lost or collides with the rows it inserts. A month whose meetings have all
-- gone loses its (empty) row here, where the triggers keep it.
CREATE FUNCTION rebuild_branch_months() RETURNS bigint
LANGUAGE sql AS $$
    LOCK TABLE meetings, evaluations IN SHARE MODE;
    LOCK TABLE branch_months IN EXCLUSIVE MODE;
    DELETE FROM branch_months;
    INSERT INTO branch_months (unit_id, month, meeting_id, meeting_kind, meeting_state,
                               started_at, ended_at, materials_posted_on, expected_count,
                               present_count, unexcused_count, dang_so_count, rubric_id,
                               total_tenths, class, sheet_state, sheet_updated_at, capped_by,
                               thematic_held)
    SELECT k.unit_id, k.month, m.id, m.kind, m.state, m.started_at, m.ended_at,
           m.materials_posted_on, coalesce(m.expected_count, 0), coalesce(m.present_count, 0),
           coalesce(m.unexcused_count, 0), coalesce(m.dang_so_count, 0), e.rubric_id,
           e.total_tenths, coalesce(e.approved_class, e.class), e.state, e.updated_at,
           coalesce(e.capped_by, '{}'), k.thematic_held
      FROM (SELECT unit_id, month,
                   bool_or(kind IN ('thematic', 'combined') AND state <> 'planned') AS thematic_held
              FROM meetings WHERE kind IN ('regular', 'combined', 'thematic')
             GROUP BY unit_id, month) k
      LEFT JOIN meetings m ON m.unit_id = k.unit_id AND m.month = k.month
                          AND m.kind IN ('regular', 'combined')
      LEFT JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch';
    SELECT count(*) FROM branch_months;
$$;

SELECT rebuild_branch_months();
