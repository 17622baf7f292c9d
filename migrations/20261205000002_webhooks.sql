-- Webhooks (SPEC section 9): subscriptions, one delivery per subscription and event, and the log
-- of every attempt.
--
-- Fan-out: the sequencer (`domain::outbox::sequence`), in the very statement that gives committed
-- events their feed id, inserts one pending delivery per active subscription whose types match.
-- So a delivery exists exactly when its event is in the feed, and a subscription receives the
-- events numbered after it was created (or re-activated).
--
-- Delivery: each API instance runs a worker (`public-api/src/webhooks/`) that claims due
-- deliveries with `FOR UPDATE SKIP LOCKED` and leases them: a claim pushes `next_attempt_at` to
-- the lease's end, so a delivery is attempted by one instance at a time, and one whose instance
-- died is due again when its lease expires. No coordinator besides PostgreSQL.

CREATE TABLE webhook_subscriptions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url             TEXT NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    -- the event types it receives; empty: all of them
    types           TEXT[] NOT NULL DEFAULT '{}',
    -- the key of the HMAC-SHA256 signature of each delivery; never shown after creation
    secret          TEXT NOT NULL CHECK (length(secret) BETWEEN 16 AND 256),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- the first failed attempt since the last delivered one (NULL while it succeeds)
    failing_since   TIMESTAMPTZ,
    -- why and when it stopped receiving (automatically, or through the API)
    disabled_at     TIMESTAMPTZ,
    disabled_reason TEXT,
    CONSTRAINT webhook_subscriptions_disabled_check
        CHECK (NOT active OR (disabled_at IS NULL AND disabled_reason IS NULL))
);

CREATE TABLE webhook_deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id  BIGINT NOT NULL REFERENCES webhook_subscriptions ON DELETE CASCADE,
    -- the feed keeps an event 30 days, and its deliveries with it
    event_id         BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- when it is due: after its back-off, or when the lease of its claim expires
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- the worker attempting it and until when (NULL when nobody holds it)
    leased_by        TEXT,
    leased_until     TIMESTAMPTZ,
    -- the retry window runs from the first attempt
    first_attempt_at TIMESTAMPTZ,
    last_attempt_at  TIMESTAMPTZ,
    last_status_code INTEGER,
    last_error       TEXT,
    delivered_at     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- one delivery per event and subscription; also the index of the purge's cascade
    CONSTRAINT webhook_deliveries_event_subscription_key UNIQUE (event_id, subscription_id)
);
-- what the workers claim: the due pending deliveries
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
-- a subscription's delivery log, by cursor; and its dead letters
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id);
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (subscription_id, id)
    WHERE status = 'dead';

CREATE TABLE webhook_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  BIGINT NOT NULL REFERENCES webhook_deliveries ON DELETE CASCADE,
    attempted_at TIMESTAMPTZ NOT NULL,
    -- the receiver's HTTP status, or why there was none (timeout, refused connection)
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL CHECK (duration_ms >= 0),
    -- the worker that made it (instance and worker id)
    worker       TEXT NOT NULL,
    CHECK (status_code IS NOT NULL OR error IS NOT NULL)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
