-- Signed-in employees of the web UI. Stored in PostgreSQL so that any web instance behind the
-- load balancer accepts any session. Only the SHA-256 of the cookie value is kept.
CREATE TABLE web_sessions (
    token_hash   TEXT PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    employee_id  BIGINT NOT NULL REFERENCES employees (id) ON DELETE CASCADE,
    -- sent back in every form of this session and checked on every state change
    csrf_token   TEXT NOT NULL CHECK (length(csrf_token) >= 32),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT web_sessions_expiry CHECK (expires_at > created_at)
);
CREATE INDEX web_sessions_employee_id_idx ON web_sessions (employee_id);
CREATE INDEX web_sessions_expires_at_idx ON web_sessions (expires_at);
