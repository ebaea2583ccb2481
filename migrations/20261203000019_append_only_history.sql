-- The histories are append-only: audit_log, member_events and meeting_events rows are
-- written once, in the transaction of the change they record, and never edited or removed
-- by anything the app runs. Triggers refuse UPDATE, DELETE and TRUNCATE (a role could be
-- bypassed by the owner the app connects as; a trigger applies to the owner too). A
-- deletion cascading from a parent (a meeting's events) is refused with it, so a meeting
-- or member with a history cannot be deleted: the app deletes neither.

CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

CREATE TRIGGER member_events_append_only
    BEFORE UPDATE OR DELETE ON member_events
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER member_events_no_truncate
    BEFORE TRUNCATE ON member_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

CREATE TRIGGER meeting_events_append_only
    BEFORE UPDATE OR DELETE ON meeting_events
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER meeting_events_no_truncate
    BEFORE TRUNCATE ON meeting_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

-- The "Lịch sử" pages read the latest rows of one record: newest first, by record.
CREATE INDEX audit_log_entity_latest ON audit_log (entity, entity_id, id DESC);
CREATE INDEX member_events_member_latest ON member_events (member_id, created_at DESC);
