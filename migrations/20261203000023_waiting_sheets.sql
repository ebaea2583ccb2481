-- The dashboard's approval queue reads the branch sheets sent up and waiting, the longest
-- waiting first: a few rows among every sheet a province has scored over the years.
CREATE INDEX evaluations_waiting ON evaluations (updated_at)
    WHERE scorer = 'branch' AND state = 'submitted';
