-- The year's plan of thematic topics, one per quarter (a thematic meeting at least once a
-- quarter, DOMAIN.md §3.1); which were held is read from the meetings.
CREATE TABLE thematic_plans (
    unit_id  uuid NOT NULL REFERENCES units (id),
    year     integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quarter  integer NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    topic    text NOT NULL CHECK (length(btrim(topic)) BETWEEN 1 AND 300),
    PRIMARY KEY (unit_id, year, quarter)
);
