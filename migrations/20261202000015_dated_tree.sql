-- The organisation tree as it stood on any day, and a monthly report frozen once issued.
--
-- `units` holds the tree as it is now (the access rules read it). A unit's place (parent,
-- path) and name as they were are kept here, one row per period: from `since` until the
-- next change (`until`, exclusive; NULL while current). Open and closed are already dated
-- on the unit (valid_from, valid_to). Reports, dashboards and alerts of a month read the
-- versions holding on the day the month is judged, so moving or renaming a unit changes
-- the months from the change on, never the months already reported.
CREATE TABLE unit_versions (
    unit_id   uuid NOT NULL REFERENCES units (id),
    since     date NOT NULL,
    until     date,
    parent_id uuid REFERENCES units (id),
    path      ltree NOT NULL,
    name      text NOT NULL,
    PRIMARY KEY (unit_id, since),
    CHECK (until IS NULL OR until > since)
);
CREATE UNIQUE INDEX unit_versions_current ON unit_versions (unit_id) WHERE until IS NULL;
CREATE INDEX unit_versions_path_gist ON unit_versions USING gist (path);

-- Backfill: no earlier place or name was recorded, so each unit's one version runs from
-- its founding with its place and name of today.
INSERT INTO unit_versions (unit_id, since, parent_id, path, name)
SELECT id, valid_from, parent_id, path, name FROM units;

-- Brings the versions of the units under `root` (itself included) up to date with
-- `units` after a change made on `day`: a unit whose place or name differs from its
-- current version gets a new version from `day` (the current one ends there), or, when
-- the current version starts on or after `day` (a second change the same day, or a unit
-- not yet founded), the current version is corrected in place. A unit with no version
-- yet (just created) gets its first one from its founding.
CREATE FUNCTION record_unit_versions(root ltree, day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    changed integer := 0;
    r record;
BEGIN
    FOR r IN
        SELECT u.id, u.parent_id, u.path, u.name, u.valid_from, v.since
          FROM units u
          LEFT JOIN unit_versions v ON v.unit_id = u.id AND v.until IS NULL
         WHERE u.path <@ root
           AND (v.unit_id IS NULL
                OR (v.parent_id, v.path, v.name) IS DISTINCT FROM (u.parent_id, u.path, u.name))
    LOOP
        IF r.since IS NULL THEN
            INSERT INTO unit_versions (unit_id, since, parent_id, path, name)
            VALUES (r.id, r.valid_from, r.parent_id, r.path, r.name);
        ELSIF r.since >= day THEN
            UPDATE unit_versions SET parent_id = r.parent_id, path = r.path, name = r.name
             WHERE unit_id = r.id AND until IS NULL;
        ELSE
            UPDATE unit_versions SET until = day WHERE unit_id = r.id AND until IS NULL;
            INSERT INTO unit_versions (unit_id, since, parent_id, path, name)
            VALUES (r.id, day, r.parent_id, r.path, r.name);
        END IF;
        changed := changed + 1;
    END LOOP;
    RETURN changed;
END
$$;

-- A new unit's first version, from its founding, whoever inserts it (the store, the demo).
CREATE FUNCTION units_first_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO unit_versions (unit_id, since, parent_id, path, name)
    VALUES (NEW.id, NEW.valid_from, NEW.parent_id, NEW.path, NEW.name);
    RETURN NULL;
END
$$;
CREATE TRIGGER units_first_version AFTER INSERT ON units
    FOR EACH ROW EXECUTE FUNCTION units_first_version();

-- Every unit as it stood on `day` (founded by then; closed ones too, with their closing
-- date, so a caller decides what "open in the month" means). A plain SQL function, which
-- the planner inlines, so a filter on `path` uses the versions' index.
CREATE FUNCTION units_on(day date)
RETURNS TABLE (id uuid, parent_id uuid, path ltree, name text, kind text, branch_type text,
               valid_from date, valid_to date)
LANGUAGE sql STABLE AS $$
    SELECT u.id, v.parent_id, v.path, v.name, u.kind, u.branch_type, u.valid_from, u.valid_to
      FROM unit_versions v JOIN units u ON u.id = v.unit_id
     WHERE v.since <= day AND (v.until IS NULL OR v.until > day)
$$;

-- An issued report: when the committee gives its report a number, the rows, totals and
-- alerts it stated are stored with it (`issued`, the document as issued, written by the
-- application) and always shown so; a later change to the record shows beside it.
ALTER TABLE monthly_reports
    ADD COLUMN issued    jsonb,
    ADD COLUMN issued_at timestamptz;

-- A branch's members on a past day (đảng số, probationers, the registry of a meeting's
-- day) are its memberships covering that day, closed ones included: the partial indexes
-- on open memberships cannot find them, and without this index each dated read scanned
-- every membership of the province (a ward's dashboard: 20 ms → 1 ms).
CREATE INDEX memberships_by_unit ON memberships (unit_id, valid_from);
