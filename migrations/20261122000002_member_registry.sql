-- The member registry: the admission decision date, every change kept as an event,
-- committee roles per branch and term, and staged spreadsheet imports.

ALTER TABLE members ADD COLUMN admission_decision_date date;
ALTER TABLE members ADD CONSTRAINT members_decision_before_ceremony
    CHECK (admission_decision_date IS NULL OR admission_decision_date <= admission_date);

-- Every change to a member, never overwritten: what happened, on which date, under which
-- decision or letter, by whom, and the record before and after.
CREATE TABLE member_events (
    id         uuid PRIMARY KEY DEFAULT uuid_v7(),
    member_id  uuid NOT NULL REFERENCES members (id),
    unit_id    uuid REFERENCES units (id),
    kind       text NOT NULL CHECK (kind IN (
                   'created', 'edited', 'recognised', 'exempted', 'exemption_ended',
                   'transferred', 'temporary_transfer', 'temporary_transfer_ended',
                   'struck_off', 'expelled', 'deceased', 'imported')),
    on_date    date NOT NULL,
    reference  text,
    reason     text,
    before     jsonb,
    after      jsonb,
    user_id    uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_events_member_idx ON member_events (member_id, on_date);

-- Bí thư, phó bí thư, chi ủy viên of a branch, with dates (DOMAIN.md §4.1).
CREATE TABLE committee_roles (
    id         uuid PRIMARY KEY DEFAULT uuid_v7(),
    unit_id    uuid NOT NULL REFERENCES units (id),
    member_id  uuid NOT NULL REFERENCES members (id),
    role       text NOT NULL CHECK (role IN ('bi_thu', 'pho_bi_thu', 'chi_uy_vien')),
    term       text,
    valid_from date NOT NULL,
    valid_to   date,
    reference  text,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX committee_roles_one_secretary ON committee_roles (unit_id)
    WHERE role = 'bi_thu' AND valid_to IS NULL;
CREATE UNIQUE INDEX committee_roles_one_open_role_per_member ON committee_roles (unit_id, member_id)
    WHERE valid_to IS NULL;

-- A spreadsheet being imported: its rows (as typed, with fixes) wait here between the
-- preview and the commit.
CREATE TABLE member_imports (
    id         uuid PRIMARY KEY,
    unit_id    uuid NOT NULL REFERENCES units (id),
    user_id    uuid NOT NULL REFERENCES users (id),
    file_name  text NOT NULL,
    rows       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    committed_at timestamptz
);
