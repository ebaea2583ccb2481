-- No silent overwrite: an agenda item, a template item and a quarter's thematic topic carry
-- the version their form was built from, like the meetings, members and units already do;
-- a save from an older version is refused as stale instead of replacing what another
-- person saved meanwhile.
ALTER TABLE agenda_items ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE agenda_template_items ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE thematic_plans ADD COLUMN version integer NOT NULL DEFAULT 1;
