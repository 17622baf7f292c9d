-- Integrations (SPEC section 9): every business change writes an event in its own transaction,
-- a transactional outbox. Triggers write them, so that no path that changes these tables (the
-- API, the tills, a batch, a future import) can forget its event or write one that rolls back.
--
-- The feed's order is the commit order, and a poller reading `id > last` must never skip an
-- event. A number given while the writer's transaction is still open cannot promise that: a
-- lower number can commit after a higher one has been read. So an event gets two numbers:
-- * `seq`, given when it is written (the order of writing, internal);
-- * `id`, its place in the feed, given after it committed by the sequencer
--   (`domain::outbox::sequence`): one transaction at a time (an advisory lock), it numbers the
--   committed events that have no id yet, in `seq` order, from `event_sequencer.last_id`.
-- A sequencer's ids are all above those of the one before it, which committed before it began,
-- and a sequencer commits its ids at once: every reader sees the ids 1..n for some n and nothing
-- above, so `id > after` never skips one that commits later.

CREATE TABLE events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          BIGINT,
    type        TEXT NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- the store the event belongs to (a sale's, a store's stock); NULL for the whole chain
    -- (products, prices, customers, the warehouse). No foreign key: events outlive what they tell.
    store_id    BIGINT,
    data        JSONB NOT NULL,
    CONSTRAINT events_id_key UNIQUE (id)
);
-- what the sequencer has left to number
CREATE INDEX events_unsequenced_idx ON events (seq) WHERE id IS NULL;
-- the purge (30 days kept)
CREATE INDEX events_occurred_at_idx ON events (occurred_at);

CREATE TABLE event_sequencer (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    last_id   BIGINT NOT NULL CHECK (last_id >= 0)
);
INSERT INTO event_sequencer (singleton, last_id) VALUES (TRUE, 0);

-- Sales: one event per sale with its lines and tenders. The sale, its lines and its tenders
-- are written by one statement, whose AFTER STATEMENT triggers run once it has written them all.
CREATE FUNCTION events_on_sales() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, store_id, data)
    SELECT 'sale.created', s.store_id, jsonb_build_object(
        'id', s.id, 'client_sale_id', s.client_sale_id, 'store_id', s.store_id,
        'register_id', s.register_id, 'session_id', s.session_id,
        'employee_id', s.employee_id, 'api_client_id', s.api_client_id,
        'customer_id', s.customer_id, 'sold_at', s.sold_at,
        'subtotal', s.subtotal, 'tps', s.tps, 'tvq', s.tvq, 'total', s.total,
        'payment_method', s.payment_method,
        'lines', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                      'line_no', l.line_no, 'product_id', l.product_id, 'quantity', l.quantity,
                      'unit_price', l.unit_price, 'line_total', l.line_total,
                      'taxable', l.taxable, 'promotion_id', l.promotion_id)
                      ORDER BY l.line_no), '[]'::JSONB)
                  FROM sale_lines l WHERE l.sale_id = s.id),
        'tenders', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'mode', p.mode, 'amount', p.amount) ORDER BY p.seq), '[]'::JSONB)
                    FROM sale_payments p WHERE p.sale_id = s.id))
    FROM new_rows s
    ORDER BY s.id;
    RETURN NULL;
END $$;
CREATE TRIGGER events_sales AFTER INSERT ON sales
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_on_sales();

-- Returns: their lines and refunds are written by later statements of the transaction, so the
-- event is written at commit (a deferred constraint trigger), when the return is whole.
CREATE FUNCTION events_on_returns() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, store_id, data)
    SELECT 'return.created', r.store_id, jsonb_build_object(
        'id', r.id, 'sale_id', r.sale_id, 'store_id', r.store_id, 'reason', r.reason,
        'employee_id', r.employee_id, 'api_client_id', r.api_client_id,
        'returned_at', r.returned_at, 'subtotal', r.subtotal, 'tps', r.tps, 'tvq', r.tvq,
        'refund_amount', r.refund_amount, 'refund_method', r.refund_method,
        'lines', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                      'sale_line_id', rl.sale_line_id, 'product_id', l.product_id,
                      'quantity', rl.quantity, 'amount', rl.amount) ORDER BY rl.id), '[]'::JSONB)
                  FROM return_lines rl JOIN sale_lines l ON l.id = rl.sale_line_id
                  WHERE rl.return_id = r.id),
        'refunds', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'mode', f.mode, 'amount', f.amount) ORDER BY f.id), '[]'::JSONB)
                    FROM return_refunds f WHERE f.return_id = r.id))
    FROM returns r WHERE r.id = NEW.id;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER events_returns AFTER INSERT ON returns
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_on_returns();

-- Stock: one event per movement, with the row's quantity once the statement that moved it
-- (the movement and the change of quantity are always one statement) has run.
CREATE FUNCTION events_on_stock_movements() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, store_id, data)
    SELECT 'stock.changed', m.store_id, jsonb_build_object(
        'movement_id', m.id, 'product_id', m.product_id, 'location', m.location,
        'store_id', m.store_id, 'delta', m.delta, 'reason', m.reason,
        'quantity', coalesce(ss.quantity, cs.quantity),
        'sale_id', m.sale_id, 'return_id', m.return_id, 'request_id', m.request_id)
    FROM new_rows m
    LEFT JOIN store_stock ss ON m.location = 'store' AND ss.store_id = m.store_id
                             AND ss.product_id = m.product_id
    LEFT JOIN central_stock cs ON m.location = 'warehouse' AND cs.product_id = m.product_id
    ORDER BY m.id;
    RETURN NULL;
END $$;
CREATE TRIGGER events_stock_movements AFTER INSERT ON stock_movements
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION events_on_stock_movements();

-- Replenishment: the request, then each step (its status names it).
CREATE FUNCTION events_on_replenishment() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, store_id, data)
    VALUES ('replenishment.' || CASE NEW.status
                WHEN 'en_attente' THEN 'requested' WHEN 'validee' THEN 'approved'
                WHEN 'livree' THEN 'delivered' WHEN 'refusee' THEN 'refused'
                ELSE 'cancelled' END,
            NEW.store_id,
            jsonb_build_object('id', NEW.id, 'store_id', NEW.store_id,
                'product_id', NEW.product_id, 'quantity', NEW.quantity, 'status', NEW.status,
                'note', NEW.note, 'refusal_reason', NEW.refusal_reason));
    RETURN NULL;
END $$;
CREATE TRIGGER events_replenishment_insert AFTER INSERT ON replenishment_requests
    FOR EACH ROW EXECUTE FUNCTION events_on_replenishment();
CREATE TRIGGER events_replenishment_status AFTER UPDATE OF status ON replenishment_requests
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION events_on_replenishment();

-- Products: created, updated (what the catalogue shows, not the bookkeeping of updated_at),
-- deleted; a new price is also its own event, the one e-commerce listens to.
CREATE FUNCTION events_product_json(p products) RETURNS JSONB LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', p.id, 'code', p.code, 'name', p.name,
        'description', p.description, 'price', p.price, 'category_id', p.category_id,
        'taxable', p.taxable, 'active', p.active)
$$;
CREATE FUNCTION events_on_products() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO events (type, data) VALUES ('product.created', events_product_json(NEW));
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO events (type, data)
        VALUES ('product.deleted', jsonb_build_object('id', OLD.id, 'code', OLD.code));
    ELSE
        INSERT INTO events (type, data) VALUES ('product.updated', events_product_json(NEW));
        IF OLD.price IS DISTINCT FROM NEW.price THEN
            INSERT INTO events (type, data)
            VALUES ('price.changed', jsonb_build_object('product_id', NEW.id, 'code', NEW.code,
                        'old_price', OLD.price, 'price', NEW.price));
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER events_products_insert_delete AFTER INSERT OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION events_on_products();
CREATE TRIGGER events_products_update AFTER UPDATE ON products
    FOR EACH ROW WHEN ((OLD.code, OLD.name, OLD.description, OLD.price, OLD.category_id,
                        OLD.taxable, OLD.active)
                       IS DISTINCT FROM (NEW.code, NEW.name, NEW.description, NEW.price,
                                         NEW.category_id, NEW.taxable, NEW.active))
    EXECUTE FUNCTION events_on_products();

-- Customers: created, their profile updated, anonymised. Balances (points, credit) move with
-- sales and returns, whose own events carry them.
CREATE FUNCTION events_on_customers() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO events (type, data)
    VALUES (CASE WHEN TG_OP = 'INSERT' THEN 'customer.created'
                 WHEN NEW.anonymized_at IS NOT NULL AND OLD.anonymized_at IS NULL
                     THEN 'customer.anonymized'
                 ELSE 'customer.updated' END,
            jsonb_build_object('id', NEW.id, 'name', NEW.name, 'email', NEW.email,
                'phone', NEW.phone, 'loyalty_card', NEW.loyalty_card,
                'marketing_consent', NEW.marketing_consent));
    RETURN NULL;
END $$;
CREATE TRIGGER events_customers_insert AFTER INSERT ON customers
    FOR EACH ROW EXECUTE FUNCTION events_on_customers();
CREATE TRIGGER events_customers_update AFTER UPDATE ON customers
    FOR EACH ROW WHEN ((OLD.name, OLD.email, OLD.phone, OLD.marketing_consent,
                        OLD.anonymized_at)
                       IS DISTINCT FROM (NEW.name, NEW.email, NEW.phone,
                                         NEW.marketing_consent, NEW.anonymized_at))
    EXECUTE FUNCTION events_on_customers();

-- Promotions (price rules): created, updated, deleted.
CREATE FUNCTION events_on_promotions() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO events (type, data)
        VALUES ('promotion.deleted', jsonb_build_object('id', OLD.id));
    ELSE
        INSERT INTO events (type, data)
        VALUES (CASE TG_OP WHEN 'INSERT' THEN 'promotion.created' ELSE 'promotion.updated' END,
                jsonb_build_object('id', NEW.id, 'name', NEW.name, 'kind', NEW.kind,
                    'value', NEW.value, 'buy', NEW.buy, 'pay', NEW.pay,
                    'starts_on', NEW.starts_on, 'ends_on', NEW.ends_on, 'active', NEW.active));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER events_promotions AFTER INSERT OR UPDATE OR DELETE ON promotions
    FOR EACH ROW EXECUTE FUNCTION events_on_promotions();
