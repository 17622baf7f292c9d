-- Responses of the API's idempotent writes (POST /stores/{id}/sales with Idempotency-Key): the
-- first answer for a (client, key) is stored and replayed for retries with the same request.
CREATE TABLE idempotency_keys (
    client        TEXT NOT NULL CHECK (length(client) BETWEEN 1 AND 200),
    key           TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  TEXT NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    status_code   SMALLINT NOT NULL CHECK (status_code BETWEEN 100 AND 599),
    response_body BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (client, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
