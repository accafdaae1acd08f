-- Ad-hoc injects a facilitator saved to send again, per account and scenario.
CREATE TABLE inject_templates (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scenario    TEXT    NOT NULL,           -- scenario slug
    name        TEXT    NOT NULL,
    inject      TEXT    NOT NULL,           -- the ad-hoc inject as JSON
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, scenario, name)
);
