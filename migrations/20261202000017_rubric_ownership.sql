-- Issue 12: the province owns its rubrics (docs/rules.md §1, §2.4), and the branch's vote
-- adopting its self-score (docs/rules.md §3.6).

-- The shipped Hà Tĩnh rubrics are scoped to the province by migration 016
-- (`rubrics.scope_province`, attached when the province's unit is created or renamed).

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
