-- The numbers of the documents a unit issues besides its monthly report (which keeps its
-- own, monthly_reports.number): from 01 per document type within a party term (docs/rules.md
-- §6.1), given once when the secretary enters the document in the register, never changed.
CREATE TABLE document_numbers (
    id         uuid PRIMARY KEY DEFAULT uuid_v7(),
    unit_id    uuid NOT NULL REFERENCES units (id),
    doc_type   text NOT NULL CHECK (doc_type IN ('notice')),
    term_start integer NOT NULL,
    number     integer NOT NULL CHECK (number > 0),
    -- The meeting the document is of (a notice: the meeting it calls).
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    -- The document's date, as printed.
    issued_on  date NOT NULL,
    issued_by  uuid REFERENCES users (id),
    issued_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, doc_type, term_start, number),
    UNIQUE (doc_type, meeting_id)
);

-- A number given is part of the record: never edited, never taken back.
CREATE TRIGGER document_numbers_append_only
    BEFORE UPDATE OR DELETE ON document_numbers
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
