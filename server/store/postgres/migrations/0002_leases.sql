-- 0002_leases: one owner per exercise. A node drives an exercise only while
-- it holds the exercise's lease; token grows by one every time the lease
-- changes hands (a fencing token), and expiry is on the database's clock,
-- never a node's. Once an exercise has a lease row, the database refuses
-- every event of it whose transaction does not name the current holder
-- and token (SET LOCAL ttx.lease = 'node/token') while the lease is live:
-- an old owner — paused, partitioned — can never append. The check takes
-- a share lock on the lease row, so a takeover waits for the commits in
-- flight and the new owner's replay sees them.
CREATE TABLE exercise_leases (
    exercise_id TEXT        PRIMARY KEY REFERENCES exercises(id) ON DELETE CASCADE,
    node        TEXT        NOT NULL,
    token       BIGINT      NOT NULL CHECK (token > 0),
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION events_fenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    l exercise_leases%ROWTYPE;
BEGIN
    SELECT * INTO l FROM exercise_leases WHERE exercise_id = NEW.exercise_id FOR SHARE;
    IF NOT FOUND THEN
        RETURN NEW;
    END IF;
    IF current_setting('ttx.lease', true) IS DISTINCT FROM l.node || '/' || l.token THEN
        RAISE EXCEPTION 'exercise % is leased to % (token %), not to this writer', NEW.exercise_id, l.node, l.token
            USING ERRCODE = 'TXL01';
    END IF;
    IF l.expires_at <= clock_timestamp() THEN
        RAISE EXCEPTION 'the lease of exercise % (token %) expired', NEW.exercise_id, l.token
            USING ERRCODE = 'TXL01';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER events_fenced BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_fenced();
