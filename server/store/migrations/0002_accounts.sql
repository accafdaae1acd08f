-- 0002_accounts: facilitator accounts and their sessions, observer tokens,
-- and scenarios uploaded through the API. Secrets are stored only as hashes:
-- bcrypt for passwords, hex SHA-256 for 256-bit random session ids and tokens.

CREATE TABLE accounts (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash       TEXT    NOT NULL,
    must_change         INTEGER NOT NULL DEFAULT 0 CHECK (must_change IN (0, 1)),
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE observers (
    id          TEXT    PRIMARY KEY,
    exercise_id TEXT    NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX observers_exercise ON observers(exercise_id);

CREATE TABLE scenario_uploads (
    slug        TEXT    PRIMARY KEY,     -- the id written in the file
    file        TEXT    NOT NULL,        -- file name given at upload, for error positions
    source      BLOB    NOT NULL,
    uploaded_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    uploaded_at INTEGER NOT NULL
);
