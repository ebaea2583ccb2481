-- The registry as of a date (issue 11): a member's life-cycle state over time, so that a
-- meeting of any day lists its members as they stood on that day.
--
-- A member's status on day D needs no table: chính thức iff official_date <= D. Their branch
-- on D is in memberships (valid_from <= D < valid_to). Their life-cycle state (active,
-- exempt, away, struck off, …) is here: one row per period, [valid_from, valid_to) like
-- memberships, valid_to null for the current one, periods of a member never overlapping.
-- members.lifecycle_state and state_since stay as the current period, read by the pages.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE member_states (
    member_id  uuid NOT NULL REFERENCES members (id),
    state      text NOT NULL CHECK (state IN (
                   'active', 'exempt', 'away', 'struck_off', 'expelled', 'deceased',
                   'transferred_out')),
    valid_from date NOT NULL,
    valid_to   date,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);

-- Backfill: every member's periods from the history they have. The first period begins,
-- active, on the earliest of the admission, the first membership and the first recorded
-- change; each life-cycle event then starts the state it led to; when the events do not end
-- in the member's current state (records written without events: the demo, older data),
-- the current state begins on state_since. Of several changes on one day the last counts,
-- and a change to the state already held starts nothing.
-- (tests/it/registry_history.rs runs the statement between the markers again on members
-- whose periods it removed, and compares them with what the store wrote.)
-- backfill:begin
INSERT INTO member_states (member_id, state, valid_from, valid_to)
WITH changes AS (
    SELECT e.member_id, e.on_date AS day, 1 AS ord, e.created_at, e.id,
           CASE e.kind
               WHEN 'exempted' THEN 'exempt'
               WHEN 'exemption_ended' THEN 'active'
               WHEN 'temporary_transfer' THEN 'away'
               -- The return ends "away"; a member exempt meanwhile stays exempt.
               WHEN 'temporary_transfer_ended' THEN
                   CASE WHEN coalesce(e.before ->> 'lifecycle_state', 'away') = 'away' THEN 'active' END
               -- A permanent transfer to another branch of chibo changes only the branch.
               WHEN 'transferred' THEN
                   CASE WHEN jsonb_typeof(e.after -> 'branch') = 'null' THEN 'transferred_out' END
               ELSE e.kind
           END AS state
      FROM member_events e
     WHERE e.kind IN ('exempted', 'exemption_ended', 'temporary_transfer',
                      'temporary_transfer_ended', 'transferred', 'struck_off', 'expelled', 'deceased')
       AND NOT EXISTS (SELECT 1 FROM member_states s WHERE s.member_id = e.member_id)),
todo AS (
    SELECT m.id, m.admission_date, m.lifecycle_state, m.state_since,
           least(m.admission_date,
                 (SELECT min(ms.valid_from) FROM memberships ms WHERE ms.member_id = m.id),
                 (SELECT min(c.day) FROM changes c WHERE c.member_id = m.id)) AS first_day
      FROM members m
     WHERE NOT EXISTS (SELECT 1 FROM member_states s WHERE s.member_id = m.id)),
steps AS (
    SELECT id AS member_id, first_day AS day, 0 AS ord, NULL::timestamptz AS created_at,
           NULL::uuid AS id, 'active' AS state
      FROM todo
    UNION ALL
    SELECT member_id, day, ord, created_at, id, state FROM changes WHERE state IS NOT NULL),
last_step AS (
    SELECT DISTINCT ON (member_id) member_id, day, state
      FROM steps
     ORDER BY member_id, day DESC, ord DESC, created_at DESC, id DESC),
reconciled AS (
    SELECT * FROM steps
    UNION ALL
    SELECT t.id, greatest(coalesce(t.state_since, t.first_day), l.day), 2, NULL, NULL, t.lifecycle_state
      FROM todo t JOIN last_step l ON l.member_id = t.id
     WHERE l.state <> t.lifecycle_state),
daily AS (
    SELECT DISTINCT ON (member_id, day) member_id, day, state
      FROM reconciled
     ORDER BY member_id, day, ord DESC, created_at DESC, id DESC),
starts AS (
    SELECT member_id, day, state,
           lag(state) OVER (PARTITION BY member_id ORDER BY day) AS before
      FROM daily)
SELECT member_id, state, day, lead(day) OVER (PARTITION BY member_id ORDER BY day)
  FROM starts
 WHERE before IS DISTINCT FROM state;
-- backfill:end

ALTER TABLE member_states
    ADD PRIMARY KEY (member_id, valid_from),
    ADD CONSTRAINT member_states_no_overlap
        EXCLUDE USING gist (member_id WITH =, daterange(valid_from, valid_to) WITH &&);

-- The state of a member on a day; null before their first period.
CREATE FUNCTION member_state_on(member uuid, day date) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT s.state FROM member_states s
     WHERE s.member_id = member AND s.valid_from <= day AND (s.valid_to IS NULL OR s.valid_to > day)
$$;

-- Lists already made for meetings still planned: their unmarked rows take the member's state
-- and status on the meeting's day (the list itself came from the memberships of that day).
UPDATE attendance a
   SET category = x.category, full_member = x.full_member
  FROM (SELECT a.meeting_id, a.member_id,
               CASE coalesce(member_state_on(a.member_id, d.day), 'active')
                   WHEN 'exempt' THEN 'exempt' WHEN 'away' THEN 'away' ELSE 'expected' END AS category,
               coalesce(mb.official_date <= d.day, false) AS full_member
          FROM (SELECT id, coalesce((coalesce(started_at, planned_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
                                    month) AS day
                  FROM meetings WHERE state = 'planned') d
          JOIN attendance a ON a.meeting_id = d.id
          JOIN members mb ON mb.id = a.member_id
         WHERE a.presence IS NULL AND a.category <> 'attached') x
 WHERE a.meeting_id = x.meeting_id AND a.member_id = x.member_id
   AND (a.category, a.full_member) IS DISTINCT FROM (x.category, x.full_member);
