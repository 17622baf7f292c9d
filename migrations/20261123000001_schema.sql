-- The chain's data model (SPEC section 1). Constraints keep the data true even if a caller
-- forgets a rule: money is exact and never negative, stock never goes below zero, statuses are
-- limited to their values, and history (sales, movements) is never deleted by a cascade.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE stores (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    address     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    time_zone   TEXT NOT NULL DEFAULT 'America/Montreal',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT stores_name_key UNIQUE (name)
);

CREATE TABLE registers (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id    BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL CHECK (number >= 1),
    name        TEXT NOT NULL CHECK (length(btrim(name)) >= 1),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT registers_store_number_key UNIQUE (store_id, number)
);

CREATE TABLE employees (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         TEXT NOT NULL CHECK (login ~ '^[a-z0-9._-]{2,40}$'),
    full_name     TEXT NOT NULL CHECK (length(btrim(full_name)) >= 1),
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('caissier', 'gerant', 'admin')),
    store_id      BIGINT REFERENCES stores (id) ON DELETE RESTRICT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT employees_login_key UNIQUE (login),
    -- cashiers and managers belong to one store; an admin works for the whole chain
    CONSTRAINT employees_store_by_role CHECK ((role = 'admin') = (store_id IS NULL))
);
CREATE INDEX employees_store_id_idx ON employees (store_id);

CREATE TABLE api_clients (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    token_hash    TEXT NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    scopes        TEXT[] NOT NULL CHECK (
                      cardinality(scopes) >= 1
                      AND scopes <@ ARRAY['read', 'write', 'admin']::TEXT[]),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    CONSTRAINT api_clients_name_key UNIQUE (name),
    CONSTRAINT api_clients_token_hash_key UNIQUE (token_hash)
);

CREATE TABLE register_sessions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    register_id     BIGINT NOT NULL REFERENCES registers (id) ON DELETE RESTRICT,
    opened_by       BIGINT NOT NULL REFERENCES employees (id) ON DELETE RESTRICT,
    opened_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    opening_float   NUMERIC(12, 2) NOT NULL CHECK (opening_float >= 0),
    closed_by       BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    closed_at       TIMESTAMPTZ,
    counted_cash    NUMERIC(12, 2) CHECK (counted_cash >= 0),
    -- expected = float + cash sales - cash refunds; refunds of earlier sessions' sales can make
    -- it (and so the difference) negative, which is information, not an error.
    expected_cash   NUMERIC(12, 2),
    cash_difference NUMERIC(12, 2),
    CONSTRAINT register_sessions_closed_fields CHECK (
        (closed_at IS NULL AND closed_by IS NULL AND counted_cash IS NULL
            AND expected_cash IS NULL AND cash_difference IS NULL)
        OR (closed_at IS NOT NULL AND closed_by IS NOT NULL AND counted_cash IS NOT NULL
            AND expected_cash IS NOT NULL AND cash_difference IS NOT NULL
            AND closed_at >= opened_at))
);
-- at most one open session per register
CREATE UNIQUE INDEX register_sessions_one_open_idx
    ON register_sessions (register_id) WHERE closed_at IS NULL;
CREATE INDEX register_sessions_register_id_idx ON register_sessions (register_id, opened_at);
CREATE INDEX register_sessions_opened_by_idx ON register_sessions (opened_by);
CREATE INDEX register_sessions_closed_by_idx ON register_sessions (closed_by);

CREATE TABLE categories (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    description TEXT NOT NULL DEFAULT '',
    CONSTRAINT categories_name_key UNIQUE (name)
);

CREATE TABLE products (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL CHECK (code ~ '^[A-Za-z0-9._-]{1,64}$'),
    name        TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    description TEXT NOT NULL DEFAULT '',
    price       NUMERIC(12, 2) NOT NULL CHECK (price >= 0),
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    taxable     BOOLEAN NOT NULL DEFAULT TRUE,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT products_code_key UNIQUE (code)
);
CREATE INDEX products_category_id_idx ON products (category_id);
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_code_trgm_idx ON products USING gin (code gin_trgm_ops);
CREATE INDEX products_description_trgm_idx ON products USING gin (description gin_trgm_ops);

CREATE TABLE store_stock (
    store_id        BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    product_id      BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity        INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    alert_threshold INTEGER NOT NULL DEFAULT 10 CHECK (alert_threshold >= 0),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, product_id)
);
CREATE INDEX store_stock_product_id_idx ON store_stock (product_id);

CREATE TABLE central_stock (
    product_id      BIGINT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    quantity        INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    alert_threshold INTEGER NOT NULL DEFAULT 100 CHECK (alert_threshold >= 0),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sales (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- generated by the client (till or external channel): a retried submission finds the first
    client_sale_id  TEXT NOT NULL CHECK (length(client_sale_id) BETWEEN 1 AND 200),
    store_id        BIGINT NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    -- a till sale has a register and its open session; an external channel's sale has neither
    register_id     BIGINT REFERENCES registers (id) ON DELETE RESTRICT,
    session_id      BIGINT REFERENCES register_sessions (id) ON DELETE RESTRICT,
    employee_id     BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    api_client_id   BIGINT REFERENCES api_clients (id) ON DELETE RESTRICT,
    sold_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    subtotal        NUMERIC(12, 2) NOT NULL CHECK (subtotal >= 0),
    tps             NUMERIC(12, 2) NOT NULL CHECK (tps >= 0),
    tvq             NUMERIC(12, 2) NOT NULL CHECK (tvq >= 0),
    total           NUMERIC(12, 2) NOT NULL CHECK (total >= 0),
    payment_method  TEXT NOT NULL CHECK (payment_method IN ('especes', 'carte')),
    amount_tendered NUMERIC(12, 2) CHECK (amount_tendered >= 0),
    change_given    NUMERIC(12, 2) CHECK (change_given >= 0),
    CONSTRAINT sales_client_sale_id_key UNIQUE (client_sale_id),
    CONSTRAINT sales_total_sum CHECK (total = subtotal + tps + tvq),
    CONSTRAINT sales_register_session CHECK ((register_id IS NULL) = (session_id IS NULL)),
    CONSTRAINT sales_cash_fields CHECK (
        (payment_method = 'especes' AND amount_tendered IS NOT NULL AND change_given IS NOT NULL
            AND amount_tendered = total + change_given)
        OR (payment_method = 'carte' AND amount_tendered IS NULL AND change_given IS NULL))
);
CREATE INDEX sales_store_sold_at_idx ON sales (store_id, sold_at);
CREATE INDEX sales_sold_at_idx ON sales (sold_at);
CREATE INDEX sales_register_id_idx ON sales (register_id, sold_at);
CREATE INDEX sales_session_id_idx ON sales (session_id);
CREATE INDEX sales_employee_id_idx ON sales (employee_id);
CREATE INDEX sales_api_client_id_idx ON sales (api_client_id);

CREATE TABLE sale_lines (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sale_id           BIGINT NOT NULL REFERENCES sales (id) ON DELETE RESTRICT,
    line_no           INTEGER NOT NULL CHECK (line_no >= 1),
    product_id        BIGINT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit_price        NUMERIC(12, 2) NOT NULL CHECK (unit_price >= 0),
    taxable           BOOLEAN NOT NULL,
    line_total        NUMERIC(12, 2) NOT NULL CHECK (line_total >= 0),
    -- maintained by returns; the CHECK makes over-returning impossible even under concurrency
    returned_quantity INTEGER NOT NULL DEFAULT 0 CHECK (returned_quantity >= 0),
    CONSTRAINT sale_lines_line_no_key UNIQUE (sale_id, line_no),
    CONSTRAINT sale_lines_total CHECK (line_total = quantity * unit_price),
    CONSTRAINT sale_lines_returned_bound CHECK (returned_quantity <= quantity)
);
CREATE INDEX sale_lines_product_id_idx ON sale_lines (product_id);

CREATE TABLE returns (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sale_id        BIGINT NOT NULL REFERENCES sales (id) ON DELETE RESTRICT,
    store_id       BIGINT NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    -- the till session that paid the refund out, when it happened at a till
    session_id     BIGINT REFERENCES register_sessions (id) ON DELETE RESTRICT,
    employee_id    BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    api_client_id  BIGINT REFERENCES api_clients (id) ON DELETE RESTRICT,
    reason         TEXT NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    subtotal       NUMERIC(12, 2) NOT NULL CHECK (subtotal >= 0),
    tps            NUMERIC(12, 2) NOT NULL CHECK (tps >= 0),
    tvq            NUMERIC(12, 2) NOT NULL CHECK (tvq >= 0),
    refund_amount  NUMERIC(12, 2) NOT NULL CHECK (refund_amount >= 0),
    refund_method  TEXT NOT NULL CHECK (refund_method IN ('especes', 'carte')),
    returned_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT returns_refund_sum CHECK (refund_amount = subtotal + tps + tvq)
);
CREATE INDEX returns_sale_id_idx ON returns (sale_id);
CREATE INDEX returns_store_returned_at_idx ON returns (store_id, returned_at);
CREATE INDEX returns_session_id_idx ON returns (session_id);
CREATE INDEX returns_employee_id_idx ON returns (employee_id);
CREATE INDEX returns_api_client_id_idx ON returns (api_client_id);

CREATE TABLE return_lines (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    return_id    BIGINT NOT NULL REFERENCES returns (id) ON DELETE RESTRICT,
    sale_line_id BIGINT NOT NULL REFERENCES sale_lines (id) ON DELETE RESTRICT,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    CONSTRAINT return_lines_line_key UNIQUE (return_id, sale_line_id)
);
CREATE INDEX return_lines_sale_line_id_idx ON return_lines (sale_line_id);

CREATE TABLE replenishment_requests (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store_id       BIGINT NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    product_id     BIGINT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    status         TEXT NOT NULL DEFAULT 'en_attente'
                   CHECK (status IN ('en_attente', 'validee', 'livree', 'refusee', 'annulee')),
    note           TEXT NOT NULL DEFAULT '',
    requested_by   BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    requested_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    approved_by    BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    approved_at    TIMESTAMPTZ,
    delivered_by   BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    delivered_at   TIMESTAMPTZ,
    refused_by     BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    refused_at     TIMESTAMPTZ,
    refusal_reason TEXT,
    cancelled_by   BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    cancelled_at   TIMESTAMPTZ,
    -- each status carries exactly the timestamps of the steps that led to it
    CONSTRAINT replenishment_status_steps CHECK (
        CASE status
            WHEN 'en_attente' THEN approved_at IS NULL AND delivered_at IS NULL
                                   AND refused_at IS NULL AND cancelled_at IS NULL
            WHEN 'validee' THEN approved_at IS NOT NULL AND delivered_at IS NULL
                                AND refused_at IS NULL AND cancelled_at IS NULL
            WHEN 'livree' THEN approved_at IS NOT NULL AND delivered_at IS NOT NULL
                               AND refused_at IS NULL AND cancelled_at IS NULL
            WHEN 'refusee' THEN refused_at IS NOT NULL AND approved_at IS NULL
                                AND delivered_at IS NULL AND cancelled_at IS NULL
            WHEN 'annulee' THEN cancelled_at IS NOT NULL AND approved_at IS NULL
                                AND delivered_at IS NULL AND refused_at IS NULL
        END)
);
CREATE INDEX replenishment_store_status_idx ON replenishment_requests (store_id, status);
CREATE INDEX replenishment_status_idx ON replenishment_requests (status, requested_at);
CREATE INDEX replenishment_product_id_idx ON replenishment_requests (product_id);
CREATE INDEX replenishment_requested_by_idx ON replenishment_requests (requested_by);
CREATE INDEX replenishment_approved_by_idx ON replenishment_requests (approved_by);
CREATE INDEX replenishment_delivered_by_idx ON replenishment_requests (delivered_by);
CREATE INDEX replenishment_refused_by_idx ON replenishment_requests (refused_by);
CREATE INDEX replenishment_cancelled_by_idx ON replenishment_requests (cancelled_by);

CREATE TABLE stock_movements (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location      TEXT NOT NULL CHECK (location IN ('store', 'warehouse')),
    store_id      BIGINT REFERENCES stores (id) ON DELETE RESTRICT,
    product_id    BIGINT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    delta         INTEGER NOT NULL CHECK (delta <> 0),
    reason        TEXT NOT NULL CHECK (reason IN ('sale', 'return', 'replenishment_out',
                                                  'replenishment_in', 'adjustment', 'initial')),
    sale_id       BIGINT REFERENCES sales (id) ON DELETE RESTRICT,
    return_id     BIGINT REFERENCES returns (id) ON DELETE RESTRICT,
    request_id    BIGINT REFERENCES replenishment_requests (id) ON DELETE RESTRICT,
    employee_id   BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    api_client_id BIGINT REFERENCES api_clients (id) ON DELETE RESTRICT,
    note          TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT stock_movements_location CHECK ((location = 'store') = (store_id IS NOT NULL)),
    CONSTRAINT stock_movements_reference CHECK (
        CASE reason
            WHEN 'sale' THEN sale_id IS NOT NULL AND delta < 0
            WHEN 'return' THEN return_id IS NOT NULL AND delta > 0
            WHEN 'replenishment_out' THEN request_id IS NOT NULL AND delta < 0
                                          AND location = 'warehouse'
            WHEN 'replenishment_in' THEN request_id IS NOT NULL AND delta > 0
                                         AND location = 'store'
            ELSE TRUE
        END)
);
CREATE INDEX stock_movements_location_idx ON stock_movements (store_id, product_id, created_at);
CREATE INDEX stock_movements_product_id_idx ON stock_movements (product_id, created_at);
CREATE INDEX stock_movements_sale_id_idx ON stock_movements (sale_id);
CREATE INDEX stock_movements_return_id_idx ON stock_movements (return_id);
CREATE INDEX stock_movements_request_id_idx ON stock_movements (request_id);
CREATE INDEX stock_movements_employee_id_idx ON stock_movements (employee_id);
CREATE INDEX stock_movements_api_client_id_idx ON stock_movements (api_client_id);
