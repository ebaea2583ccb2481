-- Failed sign-ins are counted per (typed user name, client address), not per account:
-- wrong passwords sent from one address lock that address out of that account only, so
-- nobody can lock a named person (the administrator included) out from elsewhere. The
-- name is kept as typed (trimmed, lower case), whether or not such an account exists, so
-- that an unknown name is counted exactly as a known one and nothing tells them apart.
CREATE TABLE login_failures (
    username        text NOT NULL CHECK (length(username) <= 100),
    address         inet NOT NULL,
    failures        integer NOT NULL CHECK (failures >= 0),
    locked_until    timestamptz,
    last_failed_at  timestamptz NOT NULL,
    PRIMARY KEY (username, address)
);

-- Old rows are forgotten (see auth::lockout): the clean-up scans by age.
CREATE INDEX login_failures_last_failed_at ON login_failures (last_failed_at);

-- The account-wide counter is gone: it let anyone lock anyone.
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;
