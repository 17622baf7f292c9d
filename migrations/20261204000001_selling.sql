-- Selling like a store (SPEC section 6): customers and loyalty, promotions, manual discounts,
-- gift cards, store credit, several tenders per sale, parked carts, and what the till's shift
-- needs (paid-outs and float top-ups, the cash count by denomination, the stores' tax numbers).
--
-- Balances (points, credit, gift card) are kept on their row with a CHECK (>= 0), so that two
-- tills spending the same balance at once cannot take it below zero: the second conditional
-- UPDATE finds too little and the sale is refused. Every change of a balance also writes a
-- movement row; a balance always equals the sum of its movements.

-- The chain's tax registration numbers printed on the receipts (GST/TPS and QST/TVQ).
ALTER TABLE stores
    ADD COLUMN gst_number TEXT NOT NULL DEFAULT '' CHECK (length(gst_number) <= 30),
    ADD COLUMN qst_number TEXT NOT NULL DEFAULT '' CHECK (length(qst_number) <= 30);

CREATE TABLE customers (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- personal fields: each optional, blanked when the customer is anonymised
    name              TEXT CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email             TEXT CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    -- digits only, as typed without spaces or dashes (10 to 15 digits)
    phone             TEXT CHECK (phone ~ '^[0-9]{10,15}$'),
    -- printed as a barcode on the loyalty card; the till's scan finds it like a product code
    loyalty_card      TEXT NOT NULL CHECK (loyalty_card ~ '^[0-9]{13}$'),
    marketing_consent BOOLEAN NOT NULL DEFAULT FALSE,
    points            BIGINT NOT NULL DEFAULT 0 CHECK (points >= 0),
    credit            NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (credit >= 0),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    anonymized_at     TIMESTAMPTZ,
    CONSTRAINT customers_loyalty_card_key UNIQUE (loyalty_card),
    CONSTRAINT customers_anonymized_blank CHECK (
        anonymized_at IS NULL OR (name IS NULL AND email IS NULL AND phone IS NULL
                                  AND NOT marketing_consent))
);
CREATE UNIQUE INDEX customers_email_key ON customers (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX customers_phone_key ON customers (phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops);

CREATE TABLE promotions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    kind        TEXT NOT NULL CHECK (kind IN ('pourcentage', 'montant', 'prix_fixe', 'lot')),
    -- pourcentage: percent off (0, 100]; montant: $ off each unit; prix_fixe: the unit price
    value       NUMERIC(12, 2) CHECK (value >= 0),
    -- lot: buy `buy` units, pay `pay` (3 for 2)
    buy         INTEGER CHECK (buy >= 2),
    pay         INTEGER CHECK (pay >= 1),
    -- dates in the store's time zone, both days included
    starts_on   DATE NOT NULL,
    ends_on     DATE NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT promotions_dates CHECK (ends_on >= starts_on),
    CONSTRAINT promotions_kind_fields CHECK (
        CASE kind
            WHEN 'lot' THEN value IS NULL AND buy IS NOT NULL AND pay IS NOT NULL AND pay < buy
            WHEN 'pourcentage' THEN value > 0 AND value <= 100 AND buy IS NULL AND pay IS NULL
            ELSE value IS NOT NULL AND buy IS NULL AND pay IS NULL
        END)
);
-- what a promotion applies to: products and/or categories; in every store unless it lists some
CREATE TABLE promotion_products (
    promotion_id BIGINT NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    product_id   BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (promotion_id, product_id)
);
CREATE INDEX promotion_products_product_idx ON promotion_products (product_id);
CREATE TABLE promotion_categories (
    promotion_id BIGINT NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    category_id  BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (promotion_id, category_id)
);
CREATE TABLE promotion_stores (
    promotion_id BIGINT NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    store_id     BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    PRIMARY KEY (promotion_id, store_id)
);
CREATE INDEX promotions_current_idx ON promotions (ends_on) WHERE active;

CREATE TABLE gift_cards (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- 16 digits, also printed as a barcode; no expiry (Quebec law)
    code           TEXT NOT NULL CHECK (code ~ '^[0-9]{16}$'),
    initial_amount NUMERIC(12, 2) NOT NULL CHECK (initial_amount > 0),
    balance        NUMERIC(12, 2) NOT NULL CHECK (balance >= 0),
    store_id       BIGINT NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT gift_cards_code_key UNIQUE (code)
);

-- Sales: the customer, the discounts and who gave and approved them, the points, the gift cards
-- sold with the sale (not revenue, not taxed: outside subtotal and total), and the tenders.
ALTER TABLE sales
    ADD COLUMN customer_id BIGINT REFERENCES customers (id) ON DELETE RESTRICT,
    -- promotions' savings and manual discounts (line and cart), before tax
    ADD COLUMN promotion_savings NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (promotion_savings >= 0),
    ADD COLUMN manual_discounts NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (manual_discounts >= 0),
    ADD COLUMN cart_discount NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (cart_discount >= 0),
    ADD COLUMN discount_approved_by BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    ADD COLUMN points_earned BIGINT NOT NULL DEFAULT 0 CHECK (points_earned >= 0),
    ADD COLUMN gift_cards_sold NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (gift_cards_sold >= 0),
    DROP CONSTRAINT sales_cash_fields,
    DROP CONSTRAINT sales_payment_method_check,
    -- the main tender (the largest); every tender is in sale_payments
    ADD CONSTRAINT sales_payment_method_check CHECK (
        payment_method IN ('especes', 'carte', 'carte_cadeau', 'credit', 'points')),
    -- cash handed over and change given, when cash was one of the tenders
    ADD CONSTRAINT sales_cash_fields CHECK (
        (amount_tendered IS NULL) = (change_given IS NULL)
        AND (change_given IS NULL OR amount_tendered >= change_given));
CREATE INDEX sales_customer_id_idx ON sales (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX sales_discount_approved_by_idx ON sales (discount_approved_by)
    WHERE discount_approved_by IS NOT NULL;

-- unit_price is the unit price after the promotion; original_price the catalogue's;
-- line_total what the line really cost before tax, after the promotion and both discounts.
ALTER TABLE sale_lines
    ADD COLUMN original_price NUMERIC(12, 2) CHECK (original_price >= 0),
    ADD COLUMN promotion_id BIGINT REFERENCES promotions (id) ON DELETE RESTRICT,
    ADD COLUMN promotion_saving NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (promotion_saving >= 0),
    ADD COLUMN line_discount NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (line_discount >= 0),
    ADD COLUMN cart_discount NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (cart_discount >= 0),
    DROP CONSTRAINT sale_lines_total,
    ADD CONSTRAINT sale_lines_total CHECK (
        line_total = COALESCE(original_price, unit_price) * quantity - promotion_saving
                     - line_discount - cart_discount);
CREATE INDEX sale_lines_promotion_id_idx ON sale_lines (promotion_id)
    WHERE promotion_id IS NOT NULL;

-- A gift card sold by a sale (its issue movement also points at the sale).
CREATE TABLE sale_gift_cards (
    sale_id      BIGINT NOT NULL REFERENCES sales (id) ON DELETE RESTRICT,
    gift_card_id BIGINT NOT NULL REFERENCES gift_cards (id) ON DELETE RESTRICT,
    amount       NUMERIC(12, 2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (sale_id, gift_card_id)
);
CREATE UNIQUE INDEX sale_gift_cards_card_key ON sale_gift_cards (gift_card_id);

-- Every tender of a sale: they sum to total + gift_cards_sold (+ change for cash).
CREATE TABLE sale_payments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sale_id      BIGINT NOT NULL REFERENCES sales (id) ON DELETE RESTRICT,
    seq          INTEGER NOT NULL CHECK (seq >= 1),
    mode         TEXT NOT NULL CHECK (mode IN ('especes', 'carte', 'carte_cadeau', 'credit',
                                               'points')),
    -- what this tender pays of the sale (cash: net of the change)
    amount       NUMERIC(12, 2) NOT NULL CHECK (amount > 0),
    reference    TEXT CHECK (length(reference) <= 100),
    gift_card_id BIGINT REFERENCES gift_cards (id) ON DELETE RESTRICT,
    points       BIGINT CHECK (points > 0),
    CONSTRAINT sale_payments_seq_key UNIQUE (sale_id, seq),
    CONSTRAINT sale_payments_kind_fields CHECK (
        (mode = 'carte_cadeau') = (gift_card_id IS NOT NULL)
        AND (mode = 'points') = (points IS NOT NULL))
);
CREATE INDEX sale_payments_gift_card_idx ON sale_payments (gift_card_id)
    WHERE gift_card_id IS NOT NULL;

-- The sales recorded before this migration were paid with one tender.
INSERT INTO sale_payments (sale_id, seq, mode, amount)
SELECT id, 1, payment_method, total FROM sales WHERE total > 0;

-- Returns: several refund tenders, or store credit when the customer prefers.
ALTER TABLE returns
    DROP CONSTRAINT returns_refund_method_check,
    ADD CONSTRAINT returns_refund_method_check CHECK (
        refund_method IN ('especes', 'carte', 'carte_cadeau', 'credit', 'points'));
-- the net value (before tax) of the returned units of each line, their share of the discounts
ALTER TABLE return_lines ADD COLUMN amount NUMERIC(12, 2) CHECK (amount >= 0);
UPDATE return_lines rl SET amount = rl.quantity * l.unit_price
FROM sale_lines l WHERE l.id = rl.sale_line_id;
ALTER TABLE return_lines ALTER COLUMN amount SET NOT NULL;

CREATE TABLE return_refunds (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    return_id    BIGINT NOT NULL REFERENCES returns (id) ON DELETE RESTRICT,
    mode         TEXT NOT NULL CHECK (mode IN ('especes', 'carte', 'carte_cadeau', 'credit',
                                               'points')),
    amount       NUMERIC(12, 2) NOT NULL CHECK (amount > 0),
    gift_card_id BIGINT REFERENCES gift_cards (id) ON DELETE RESTRICT,
    points       BIGINT CHECK (points > 0),
    -- the sale's tender this refund comes back from, when it goes elsewhere (store credit at
    -- the customer's request); NULL: to the same tender
    from_mode    TEXT CHECK (from_mode IN ('especes', 'carte', 'carte_cadeau', 'credit',
                                           'points'))
);
CREATE INDEX return_refunds_return_idx ON return_refunds (return_id);
INSERT INTO return_refunds (return_id, mode, amount)
SELECT id, refund_method, refund_amount FROM returns WHERE refund_amount > 0;

CREATE TABLE loyalty_movements (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id   BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    delta         BIGINT NOT NULL CHECK (delta <> 0),
    reason        TEXT NOT NULL CHECK (reason IN ('earned', 'redeemed', 'reversed', 'refunded',
                                                  'adjusted')),
    sale_id       BIGINT REFERENCES sales (id) ON DELETE RESTRICT,
    return_id     BIGINT REFERENCES returns (id) ON DELETE RESTRICT,
    employee_id   BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    api_client_id BIGINT REFERENCES api_clients (id) ON DELETE RESTRICT,
    note          TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX loyalty_movements_customer_idx ON loyalty_movements (customer_id, created_at);
CREATE INDEX loyalty_movements_sale_idx ON loyalty_movements (sale_id) WHERE sale_id IS NOT NULL;

CREATE TABLE store_credit_movements (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id   BIGINT NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    delta         NUMERIC(12, 2) NOT NULL CHECK (delta <> 0),
    reason        TEXT NOT NULL CHECK (reason IN ('refund', 'spent', 'refunded', 'adjusted')),
    sale_id       BIGINT REFERENCES sales (id) ON DELETE RESTRICT,
    return_id     BIGINT REFERENCES returns (id) ON DELETE RESTRICT,
    employee_id   BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    api_client_id BIGINT REFERENCES api_clients (id) ON DELETE RESTRICT,
    note          TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX store_credit_movements_customer_idx
    ON store_credit_movements (customer_id, created_at);

CREATE TABLE gift_card_movements (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gift_card_id  BIGINT NOT NULL REFERENCES gift_cards (id) ON DELETE RESTRICT,
    delta         NUMERIC(12, 2) NOT NULL CHECK (delta <> 0),
    reason        TEXT NOT NULL CHECK (reason IN ('issued', 'redeemed', 'refunded', 'adjusted')),
    sale_id       BIGINT REFERENCES sales (id) ON DELETE RESTRICT,
    return_id     BIGINT REFERENCES returns (id) ON DELETE RESTRICT,
    employee_id   BIGINT REFERENCES employees (id) ON DELETE RESTRICT,
    api_client_id BIGINT REFERENCES api_clients (id) ON DELETE RESTRICT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX gift_card_movements_card_idx ON gift_card_movements (gift_card_id, created_at);

-- A cart a till parked under a name; it expires when the register's session closes.
CREATE TABLE parked_carts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  BIGINT NOT NULL REFERENCES register_sessions (id) ON DELETE CASCADE,
    name        TEXT NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    -- the till's cart as it was: lines, customer, discounts (the till's own JSON shape)
    cart        JSONB NOT NULL,
    employee_id BIGINT NOT NULL REFERENCES employees (id) ON DELETE RESTRICT,
    parked_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX parked_carts_session_idx ON parked_carts (session_id);

-- Cash taken out (paid-out: a delivery paid from the drawer) or added (float top-up) during a
-- shift; the expected cash at closing counts them.
CREATE TABLE cash_movements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  BIGINT NOT NULL REFERENCES register_sessions (id) ON DELETE RESTRICT,
    kind        TEXT NOT NULL CHECK (kind IN ('paid_out', 'top_up')),
    amount      NUMERIC(12, 2) NOT NULL CHECK (amount > 0),
    reason      TEXT NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 200),
    employee_id BIGINT NOT NULL REFERENCES employees (id) ON DELETE RESTRICT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX cash_movements_session_idx ON cash_movements (session_id);

-- the closing count by denomination ({"100": 2, "0.25": 12, ...}), when counted that way
ALTER TABLE register_sessions ADD COLUMN counted_denominations JSONB;

-- every foreign key indexed (the lookups of an employee's, a client's or a return's rows, and
-- the deletes that check them), partially where the key is mostly NULL
CREATE INDEX cash_movements_employee_idx ON cash_movements (employee_id);
CREATE INDEX gift_cards_store_idx ON gift_cards (store_id);
CREATE INDEX gift_card_movements_sale_idx ON gift_card_movements (sale_id)
    WHERE sale_id IS NOT NULL;
CREATE INDEX gift_card_movements_return_idx ON gift_card_movements (return_id)
    WHERE return_id IS NOT NULL;
CREATE INDEX gift_card_movements_employee_idx ON gift_card_movements (employee_id)
    WHERE employee_id IS NOT NULL;
CREATE INDEX gift_card_movements_api_client_idx ON gift_card_movements (api_client_id)
    WHERE api_client_id IS NOT NULL;
CREATE INDEX loyalty_movements_return_idx ON loyalty_movements (return_id)
    WHERE return_id IS NOT NULL;
CREATE INDEX loyalty_movements_employee_idx ON loyalty_movements (employee_id)
    WHERE employee_id IS NOT NULL;
CREATE INDEX loyalty_movements_api_client_idx ON loyalty_movements (api_client_id)
    WHERE api_client_id IS NOT NULL;
CREATE INDEX store_credit_movements_sale_idx ON store_credit_movements (sale_id)
    WHERE sale_id IS NOT NULL;
CREATE INDEX store_credit_movements_return_idx ON store_credit_movements (return_id)
    WHERE return_id IS NOT NULL;
CREATE INDEX store_credit_movements_employee_idx ON store_credit_movements (employee_id)
    WHERE employee_id IS NOT NULL;
CREATE INDEX store_credit_movements_api_client_idx ON store_credit_movements (api_client_id)
    WHERE api_client_id IS NOT NULL;
CREATE INDEX parked_carts_employee_idx ON parked_carts (employee_id);
CREATE INDEX promotion_categories_category_idx ON promotion_categories (category_id);
CREATE INDEX promotion_stores_store_idx ON promotion_stores (store_id);
CREATE INDEX return_refunds_gift_card_idx ON return_refunds (gift_card_id)
    WHERE gift_card_id IS NOT NULL;
