-- The foundation: organisation tree, members (the minimum the tree and accounts need;
-- the registry grows in later migrations), accounts, roles and the audit trail.

CREATE EXTENSION IF NOT EXISTS ltree;

-- Time-ordered ids (UUID version 7) for rows created in SQL; Rust code uses Uuid::now_v7().
-- A v4 uuid with its first 48 bits replaced by the Unix time in milliseconds and its
-- version nibble turned from 4 into 7.
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- Organisation units of any depth (DOMAIN.md §5, §9.1). `path` is the materialised path of
-- ids (32 hex digits each), so "everything under this ward" is `path <@ ward.path`, one GiST
-- index scan. Units are never deleted: they close (valid_to) and may name successors.
CREATE TABLE units (
    id          uuid PRIMARY KEY,
    parent_id   uuid REFERENCES units (id),
    path        ltree NOT NULL UNIQUE,
    kind        text NOT NULL CHECK (kind IN (
                    'province', 'upper_committee', 'grassroots_committee',
                    'partial_committee', 'grassroots_branch', 'branch', 'cell')),
    branch_type text CHECK (branch_type IN (
                    'thon', 'to_dan_pho', 'co_quan', 'su_nghiep', 'dn_nha_nuoc',
                    'dn_ngoai_nha_nuoc', 'luc_luong_vu_trang', 'hoc_sinh_sinh_vien', 'khac')),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    valid_from  date NOT NULL,
    valid_to    date,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CHECK ((kind IN ('grassroots_branch', 'branch')) = (branch_type IS NOT NULL)),
    CHECK ((parent_id IS NULL) = (nlevel(path) = 1))
);
CREATE INDEX units_path_gist ON units USING gist (path);
CREATE INDEX units_parent_idx ON units (parent_id);

-- A closed unit names where its work went (the 2025 mergers: several communes into one).
CREATE TABLE unit_successors (
    unit_id      uuid NOT NULL REFERENCES units (id),
    successor_id uuid NOT NULL REFERENCES units (id),
    PRIMARY KEY (unit_id, successor_id),
    CHECK (unit_id <> successor_id)
);
CREATE INDEX unit_successors_successor_idx ON unit_successors (successor_id);

CREATE TABLE members (
    id              uuid PRIMARY KEY,
    full_name       text NOT NULL CHECK (length(btrim(full_name)) BETWEEN 2 AND 120),
    -- Vietnamese names sort by the given name (the last word), then the full name.
    given_name      text GENERATED ALWAYS AS (regexp_replace(btrim(full_name), '^.*\s', '')) STORED,
    gender          text NOT NULL CHECK (gender IN ('nam', 'nu')),
    birth_date      date NOT NULL,
    hometown        text,
    phone           text,
    card_no         text UNIQUE,
    admission_date  date NOT NULL,
    official_date   date,
    status          text NOT NULL CHECK (status IN ('du_bi', 'chinh_thuc')),
    lifecycle_state text NOT NULL DEFAULT 'active' CHECK (lifecycle_state IN (
                        'active', 'exempt', 'away', 'struck_off', 'expelled', 'deceased',
                        'transferred_out')),
    state_since     date,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (admission_date > birth_date),
    CHECK (official_date IS NULL OR official_date >= admission_date),
    CHECK ((status = 'chinh_thuc') = (official_date IS NOT NULL))
);

-- Membership of branches over time: one open permanent branch, at most one open temporary one.
CREATE TABLE memberships (
    id         uuid PRIMARY KEY,
    member_id  uuid NOT NULL REFERENCES members (id),
    unit_id    uuid NOT NULL REFERENCES units (id),
    kind       text NOT NULL CHECK (kind IN ('permanent', 'temporary')),
    valid_from date NOT NULL,
    valid_to   date,
    reference  text,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX memberships_one_open_per_kind ON memberships (member_id, kind) WHERE valid_to IS NULL;
CREATE INDEX memberships_open_by_unit ON memberships (unit_id) WHERE valid_to IS NULL;
-- Đảng số of every unit in a subtree: an index-only count.
CREATE INDEX memberships_open_permanent_by_unit ON memberships (unit_id)
    WHERE valid_to IS NULL AND kind = 'permanent';
CREATE INDEX memberships_member_idx ON memberships (member_id);

CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    username            text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,50}$'),
    display_name        text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 120),
    password_hash       text NOT NULL,
    member_id           uuid REFERENCES members (id),
    is_active           boolean NOT NULL DEFAULT true,
    failed_logins       integer NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- What a user may see and do, and where. An admin grant without a unit covers every tree.
CREATE TABLE role_grants (
    id      uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    text NOT NULL CHECK (role IN ('admin', 'supervisor', 'secretary', 'deputy', 'committee', 'member')),
    unit_id uuid REFERENCES units (id),
    CHECK (unit_id IS NOT NULL OR role = 'admin')
);
CREATE UNIQUE INDEX role_grants_unique ON role_grants (user_id, role, coalesce(unit_id, '00000000-0000-0000-0000-000000000000'));
CREATE INDEX role_grants_user_idx ON role_grants (user_id);

-- Who changed what, when: before and after, never edited.
CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    user_id   uuid REFERENCES users (id),
    action    text NOT NULL,
    entity    text NOT NULL,
    entity_id uuid,
    before    jsonb,
    after     jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);

-- The demo logins' password, so every start can print it (demo data only).
CREATE TABLE demo_info (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    password  text NOT NULL,
    seeded_at timestamptz NOT NULL DEFAULT now()
);

-- Login sessions (tower-sessions records as JSON).
CREATE TABLE sessions (
    id         text PRIMARY KEY,
    record     jsonb NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
