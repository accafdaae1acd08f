-- 0001_init: scenarios, exercises, teams, participants and the append-only
-- event log. Times are INTEGER unix nanoseconds (UTC); JSON is stored as TEXT.

CREATE TABLE scenarios (
    id        INTEGER PRIMARY KEY,
    slug      TEXT    NOT NULL,          -- the id written in the file
    title     TEXT    NOT NULL,
    source    BLOB    NOT NULL,          -- the exact bytes an exercise was started from
    sha256    TEXT    NOT NULL UNIQUE,   -- identical sources are stored once
    loaded_at INTEGER NOT NULL
);

CREATE TABLE exercises (
    id          TEXT    PRIMARY KEY,
    scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
    title       TEXT    NOT NULL,
    params      TEXT    NOT NULL DEFAULT '{}',
    status      TEXT    NOT NULL DEFAULT 'lobby'
                CHECK (status IN ('lobby', 'running', 'paused', 'ended')),
    outcome     TEXT    NOT NULL DEFAULT '',
    join_code   TEXT    UNIQUE,          -- NULL when none; set by the API
    created_at  INTEGER NOT NULL,
    started_at  INTEGER,
    ended_at    INTEGER
);
CREATE INDEX exercises_status ON exercises(status, created_at);

CREATE TABLE teams (
    exercise_id TEXT NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    team_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,        -- order in the scenario file
    PRIMARY KEY (exercise_id, team_id)
) WITHOUT ROWID;

CREATE TABLE participants (
    id           TEXT    PRIMARY KEY,
    exercise_id  TEXT    NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    team_id      TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    is_lead      INTEGER NOT NULL DEFAULT 0 CHECK (is_lead IN (0, 1)),
    joined_at    INTEGER NOT NULL,
    left_at      INTEGER,
    token_hash   TEXT    UNIQUE,         -- hash of the participant's bearer token; never the token
    FOREIGN KEY (exercise_id, team_id) REFERENCES teams(exercise_id, team_id)
);
CREATE INDEX participants_exercise ON participants(exercise_id, team_id);

-- The event log: the truth about every exercise. Rows are only ever
-- inserted; seq is dense per exercise, starting at 1.
CREATE TABLE events (
    exercise_id      TEXT    NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL CHECK (seq > 0),
    kind             TEXT    NOT NULL,
    wall_time        INTEGER NOT NULL,
    exercise_time_ns INTEGER NOT NULL,
    payload          TEXT    NOT NULL DEFAULT '{}',
    audience         TEXT    NOT NULL DEFAULT '[]',
    client_id        TEXT,               -- idempotency key of the command that wrote it
    PRIMARY KEY (exercise_id, seq)
);
-- UNIQUE (exercise_id, client_id), indexing only the rows that have one:
-- most events (ticks, sim output) have none, and skipping them keeps each
-- append to one index write.
CREATE UNIQUE INDEX events_client_id ON events(exercise_id, client_id) WHERE client_id IS NOT NULL;

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
