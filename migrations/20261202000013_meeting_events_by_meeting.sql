-- A past month's alerts read each meeting's last state change before the month's end
-- (supervision::store::states_on); the history had no index by meeting.
CREATE INDEX meeting_events_meeting_at ON meeting_events (meeting_id, at);
