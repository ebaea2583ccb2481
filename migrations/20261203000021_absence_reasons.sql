-- Why a member is absent with reason: a typed code (illness, work, family, other) beside the
-- free text kept in `reason` (the detail; required for "other"). Rows written before keep
-- their text alone and read as before: no code. A code only belongs to an excused absence.
ALTER TABLE attendance
    ADD COLUMN reason_code text
        CONSTRAINT attendance_reason_code_known
        CHECK (reason_code IN ('illness', 'work', 'family', 'other')),
    ADD CONSTRAINT attendance_reason_code_excused
        CHECK (reason_code IS NULL OR presence = 'absent_excused'),
    ADD CONSTRAINT attendance_other_reason_written
        CHECK (reason_code IS DISTINCT FROM 'other' OR reason IS NOT NULL);
