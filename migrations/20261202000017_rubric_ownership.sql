-- Issue 12: the province owns its rubrics (docs/rules.md §1, §2.4), and the branch's vote
-- adopting its self-score (docs/rules.md §3.6).

-- A shipped rubric issued by a province names that province here: the unit does not exist
-- when the migrations run (an administrator or the demo creates it later), so the rubric
-- is attached to it when it appears. Attached once: after that the scope is the unit's id.
ALTER TABLE rubrics ADD COLUMN scope_pending text;

UPDATE rubrics SET scope_pending = 'Đảng bộ tỉnh Hà Tĩnh'
 WHERE code LIKE 'HT-%' AND scope_unit_id IS NULL;

CREATE FUNCTION attach_pending_rubrics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rubrics SET scope_unit_id = NEW.id, scope_pending = NULL
     WHERE scope_pending = NEW.name AND scope_unit_id IS NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER units_attach_rubrics AFTER INSERT ON units
    FOR EACH ROW WHEN (NEW.parent_id IS NULL) EXECUTE FUNCTION attach_pending_rubrics();

-- A database that already holds the province: attached now.
UPDATE rubrics r SET scope_unit_id = u.id, scope_pending = NULL
  FROM units u
 WHERE u.parent_id IS NULL AND u.name = r.scope_pending AND r.scope_unit_id IS NULL;

-- One timeline per code and scope: two published versions never cover the same day, even
-- if two publications race past the registry's lock (the store checks first and words the
-- refusal; this is the guarantee).
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE rubrics ADD CONSTRAINT rubrics_published_periods
    EXCLUDE USING gist (
        code WITH =,
        (coalesce(scope_unit_id, '00000000-0000-0000-0000-000000000000'::uuid)) WITH =,
        daterange(effective_from, effective_to, '[]') WITH &&
    ) WHERE (status = 'published');

-- The branch's vote adopting its self-score (Quy định 17-QĐ/TU: the chi ủy proposes, the
-- chi bộ votes, the minutes record it): a vote of the meeting, tied to the sheet it
-- adopted, with the score it adopted (sending the sheet up may score it again).
ALTER TABLE votes
    ADD COLUMN evaluation_id  uuid REFERENCES evaluations (id) ON DELETE CASCADE,
    ADD COLUMN adopted_tenths integer,
    ADD COLUMN adopted_class  text,
    ADD CHECK ((evaluation_id IS NULL) = (adopted_tenths IS NULL)
               AND (evaluation_id IS NULL) = (adopted_class IS NULL));
CREATE UNIQUE INDEX votes_adoption ON votes (evaluation_id) WHERE evaluation_id IS NOT NULL;
