-- Failed sign-ins per login and per client address, shared by every web instance. Checked and
-- counted in one upsert before any password is verified; a row whose lock and forget window
-- have passed (`expires_at`) counts as empty and is purged on the way.
CREATE TABLE sign_in_throttle (
    scope        TEXT NOT NULL CHECK (scope IN ('login', 'address')),
    -- the normalised login (lowercase, trimmed, at most 64 characters) or the address
    -- (IPv4, or the /64 network of an IPv6 address)
    subject      TEXT NOT NULL CHECK (length(subject) <= 64),
    failures     INTEGER NOT NULL CHECK (failures >= 0),
    -- no attempt is verified before this time
    locked_until TIMESTAMPTZ,
    expires_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX sign_in_throttle_expires_at_idx ON sign_in_throttle (expires_at);
