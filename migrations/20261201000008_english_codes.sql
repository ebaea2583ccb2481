-- One language for stored codes: English snake_case (ARCHITECTURE.md, "Database codes").
-- Renamed: the member registry's gender, status and committee posts (with the member
-- history's JSON), and the branch types of units and agenda templates. Their Vietnamese
-- wording lives in the enums' labels. audit_log rows are kept verbatim, as written.

-- The CHECK constraints that name the old codes (the table-level ones have generated names).
DO $$
DECLARE c record;
BEGIN
    FOR c IN
        SELECT conrelid::regclass AS tbl, conname
          FROM pg_constraint
         WHERE contype = 'c'
           AND conrelid IN ('members'::regclass, 'committee_roles'::regclass)
           AND pg_get_constraintdef(oid) ~ '(chinh_thuc|du_bi|''nam''|''nu''|bi_thu|chi_uy_vien)'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.conname);
    END LOOP;
END $$;

DROP INDEX committee_roles_one_secretary;
DROP INDEX members_probationers;

UPDATE members
   SET gender = CASE gender WHEN 'nam' THEN 'male' WHEN 'nu' THEN 'female' ELSE gender END,
       status = CASE status WHEN 'du_bi' THEN 'probationary' WHEN 'chinh_thuc' THEN 'full' ELSE status END;

UPDATE committee_roles
   SET role = CASE role
                  WHEN 'bi_thu' THEN 'secretary'
                  WHEN 'pho_bi_thu' THEN 'deputy_secretary'
                  WHEN 'chi_uy_vien' THEN 'committee_member'
                  ELSE role
              END;

-- The record before and after each change, as kept in the member's history.
CREATE FUNCTION pg_temp.english_codes(doc jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT CASE
        WHEN doc IS NULL OR jsonb_typeof(doc) <> 'object' THEN doc
        ELSE doc
            || CASE doc->>'gender' WHEN 'nam' THEN '{"gender": "male"}'::jsonb
                                   WHEN 'nu' THEN '{"gender": "female"}'::jsonb
                                   ELSE '{}'::jsonb END
            || CASE doc->>'status' WHEN 'du_bi' THEN '{"status": "probationary"}'::jsonb
                                   WHEN 'chinh_thuc' THEN '{"status": "full"}'::jsonb
                                   ELSE '{}'::jsonb END
    END
$$;
UPDATE member_events
   SET before = pg_temp.english_codes(before),
       after = pg_temp.english_codes(after)
 WHERE before IS NOT NULL OR after IS NOT NULL;

ALTER TABLE members
    ADD CONSTRAINT members_gender_check CHECK (gender IN ('male', 'female')),
    ADD CONSTRAINT members_status_check CHECK (status IN ('probationary', 'full')),
    ADD CONSTRAINT members_full_has_official_date CHECK ((status = 'full') = (official_date IS NOT NULL));

ALTER TABLE committee_roles
    ADD CONSTRAINT committee_roles_role_check
        CHECK (role IN ('secretary', 'deputy_secretary', 'committee_member'));

CREATE UNIQUE INDEX committee_roles_one_secretary ON committee_roles (unit_id)
    WHERE role = 'secretary' AND valid_to IS NULL;
CREATE INDEX members_probationers ON members (id) WHERE status = 'probationary';

-- Branch types (units and the agenda templates' variants).
DO $$
DECLARE c record;
BEGIN
    FOR c IN
        SELECT conrelid::regclass AS tbl, conname
          FROM pg_constraint
         WHERE contype = 'c'
           AND conrelid IN ('units'::regclass, 'agenda_templates'::regclass)
           AND pg_get_constraintdef(oid) ~ 'to_dan_pho'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.conname);
    END LOOP;
END $$;

CREATE FUNCTION pg_temp.branch_type(code text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE code
        WHEN 'thon' THEN 'village'
        WHEN 'to_dan_pho' THEN 'residential_group'
        WHEN 'co_quan' THEN 'agency'
        WHEN 'su_nghiep' THEN 'public_service'
        WHEN 'dn_nha_nuoc' THEN 'state_enterprise'
        WHEN 'dn_ngoai_nha_nuoc' THEN 'private_enterprise'
        WHEN 'luc_luong_vu_trang' THEN 'armed_forces'
        WHEN 'hoc_sinh_sinh_vien' THEN 'students'
        WHEN 'khac' THEN 'other'
        ELSE code
    END
$$;
UPDATE units SET branch_type = pg_temp.branch_type(branch_type) WHERE branch_type IS NOT NULL;
UPDATE agenda_templates SET branch_type = pg_temp.branch_type(branch_type) WHERE branch_type IS NOT NULL;

ALTER TABLE units ADD CONSTRAINT units_branch_type_check CHECK (branch_type IN (
    'village', 'residential_group', 'agency', 'public_service', 'state_enterprise',
    'private_enterprise', 'armed_forces', 'students', 'other'));
ALTER TABLE agenda_templates ADD CONSTRAINT agenda_templates_branch_type_check CHECK (branch_type IN (
    'village', 'residential_group', 'agency', 'public_service', 'state_enterprise',
    'private_enterprise', 'armed_forces', 'students', 'other'));
