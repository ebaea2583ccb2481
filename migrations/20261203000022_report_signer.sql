-- Who signs a committee's monthly report for it ("T/M ĐẢNG ỦY / BÍ THƯ" and the name): the
-- committee's secretary is not a member of any of its branches, so the report says it.
ALTER TABLE monthly_reports
    ADD COLUMN signer_title text CHECK (signer_title IN ('secretary', 'deputy_secretary')),
    ADD COLUMN signer_name  text CHECK (char_length(signer_name) BETWEEN 1 AND 120);
