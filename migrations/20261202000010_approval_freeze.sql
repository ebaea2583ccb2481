-- Approval freezes the record (docs/rules.md §3.6): the meeting row carries the upper
-- committee's approval of its score, so that the meetings store (which knows nothing of
-- score sheets) refuses every change to an approved meeting under the same row lock as
-- every other check. The evaluation store sets and clears it inside the approve and
-- withdraw transactions.
ALTER TABLE meetings
    ADD COLUMN approved_at timestamptz,
    ADD COLUMN approved_by uuid REFERENCES users (id);

-- A minutes item the secretary marked as having nothing to record ("Không có nội dung
-- ghi"): the minutes close only once every item is written or so marked (§3.5).
ALTER TABLE agenda_items ADD COLUMN nothing_to_record boolean NOT NULL DEFAULT false;

-- The meeting page and the printed minutes list a meeting's history (reopenings and
-- withdrawals with their reasons); nothing indexed meeting_events by meeting.
CREATE INDEX meeting_events_meeting ON meeting_events (meeting_id, id);

-- Backfill: every score already approved freezes its meeting from its decision, and the
-- meeting's history shows the approval.
UPDATE meetings m
   SET approved_at = coalesce(e.decided_at, e.updated_at), approved_by = e.decided_by
  FROM evaluations e
 WHERE e.meeting_id = m.id AND e.scorer = 'branch' AND e.state = 'approved';
INSERT INTO meeting_events (meeting_id, kind, user_id, at)
SELECT id, 'approved', approved_by, approved_at FROM meetings WHERE approved_at IS NOT NULL;
