-- An alert's input kept: every line of a meeting's attendance marked absent without reason
-- (whatever the line's category: a member attached to the branch for a while is counted as
-- one on its list), with the meeting's branch and month. The alert "absent without reason in N months of
-- the year" reads these rows by branch and month (one index range per branch) instead of
-- the year's meetings and their attendance lines. Kept by triggers on `attendance` in the
-- transaction of every tick and every retaking of a meeting's list, whichever store makes
-- it; `tests/it/meeting_counts.rs` checks the rows against the attendance lines after every
-- step of its random sequences.
CREATE TABLE unexcused_absences (
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id  uuid NOT NULL REFERENCES members (id),
    unit_id    uuid NOT NULL REFERENCES units (id),
    month      date NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX unexcused_absences_by_unit ON unexcused_absences (unit_id, month);

CREATE FUNCTION attendance_keep_unexcused() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM unexcused_absences WHERE meeting_id = OLD.meeting_id AND member_id = OLD.member_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.presence = 'absent_unexcused' THEN
        INSERT INTO unexcused_absences (meeting_id, member_id, unit_id, month)
        SELECT NEW.meeting_id, NEW.member_id, m.unit_id, m.month FROM meetings m WHERE m.id = NEW.meeting_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER attendance_unexcused_rows AFTER INSERT OR DELETE ON attendance
    FOR EACH ROW EXECUTE FUNCTION attendance_keep_unexcused();
CREATE TRIGGER attendance_unexcused_changes AFTER UPDATE ON attendance
    FOR EACH ROW
    WHEN ((OLD.meeting_id, OLD.member_id, OLD.presence)
          IS DISTINCT FROM (NEW.meeting_id, NEW.member_id, NEW.presence))
    EXECUTE FUNCTION attendance_keep_unexcused();

INSERT INTO unexcused_absences (meeting_id, member_id, unit_id, month)
SELECT a.meeting_id, a.member_id, m.unit_id, m.month
  FROM attendance a JOIN meetings m ON m.id = a.meeting_id
 WHERE a.presence = 'absent_unexcused';

-- A meeting never changes branch or month (no store writes them): the rows copy both.
