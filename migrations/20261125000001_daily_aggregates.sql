-- Daily pre-aggregates of sales and returns, so that period reports (KPIs, per store, per
-- register, per day, top products) read a few thousand rows instead of millions of sales.
--
-- A day is the store's local date (sold_at AT TIME ZONE stores.time_zone), as in the reports.
-- The tables are kept EXACT by statement-level triggers, in the transaction that writes the
-- sale, its lines or the return: checkout, returns, and any later correction (re-dated sale,
-- store moved to another time zone) go through them. Rows whose counts fall back to zero are
-- kept; readers ignore them (HAVING sum(sales) > 0). daily_aggregates_rebuild() recomputes
-- everything from the raw tables (bulk loads disable the triggers, then call it).

CREATE TABLE daily_sales (
    store_id    BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day         DATE NOT NULL,
    -- NULL: external channels (no register)
    register_id BIGINT REFERENCES registers (id) ON DELETE CASCADE,
    sales       BIGINT NOT NULL DEFAULT 0,
    subtotal    NUMERIC NOT NULL DEFAULT 0,
    tps         NUMERIC NOT NULL DEFAULT 0,
    tvq         NUMERIC NOT NULL DEFAULT 0,
    total       NUMERIC NOT NULL DEFAULT 0,
    units       BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT daily_sales_key UNIQUE NULLS NOT DISTINCT (store_id, day, register_id)
);
CREATE INDEX daily_sales_day_idx ON daily_sales (day);
CREATE INDEX daily_sales_register_id_idx ON daily_sales (register_id);

CREATE TABLE daily_product_sales (
    store_id    BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day         DATE NOT NULL,
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    units       BIGINT NOT NULL DEFAULT 0,
    revenue     NUMERIC NOT NULL DEFAULT 0,
    -- sales containing the product (a cart holds each product on one line)
    sales       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day, product_id)
);
CREATE INDEX daily_product_sales_day_idx ON daily_product_sales (day, store_id)
    INCLUDE (product_id, units, revenue, sales);
CREATE INDEX daily_product_sales_product_idx ON daily_product_sales (product_id);

CREATE TABLE daily_returns (
    store_id    BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day         DATE NOT NULL,
    returns     BIGINT NOT NULL DEFAULT 0,
    subtotal    NUMERIC NOT NULL DEFAULT 0,
    tps         NUMERIC NOT NULL DEFAULT 0,
    tvq         NUMERIC NOT NULL DEFAULT 0,
    refunded    NUMERIC NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day)
);
CREATE INDEX daily_returns_day_idx ON daily_returns (day);

-- The stock alerts of the KPIs count these rows: a partial index keeps them one scan away.
CREATE INDEX store_stock_alert_idx ON store_stock (store_id) WHERE quantity <= alert_threshold;

-- Adds (sign = 1) or removes (sign = -1) the contribution of a set of sales given as a query
-- returning sales rows; used by the triggers below with their transition tables.
CREATE FUNCTION daily_sales_apply(sale_ids BIGINT[], sign INTEGER, with_lines BOOLEAN)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_sales AS d (store_id, day, register_id, sales, subtotal, tps, tvq, total, units)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, sa.register_id,
           sign * count(*), sign * sum(sa.subtotal), sign * sum(sa.tps), sign * sum(sa.tvq),
           sign * sum(sa.total),
           CASE WHEN with_lines THEN sign * COALESCE(sum((SELECT sum(l.quantity) FROM sale_lines l
                                                          WHERE l.sale_id = sa.id)), 0)
                ELSE 0 END
    FROM sales sa JOIN stores st ON st.id = sa.store_id
    WHERE sa.id = ANY(sale_ids)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, register_id) DO UPDATE
    SET sales = d.sales + EXCLUDED.sales, subtotal = d.subtotal + EXCLUDED.subtotal,
        tps = d.tps + EXCLUDED.tps, tvq = d.tvq + EXCLUDED.tvq, total = d.total + EXCLUDED.total,
        units = d.units + EXCLUDED.units;
    IF with_lines THEN
        INSERT INTO daily_product_sales AS d (store_id, day, product_id, units, revenue, sales)
        SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, l.product_id,
               sign * sum(l.quantity), sign * sum(l.line_total), sign * count(DISTINCT l.sale_id)
        FROM sales sa JOIN stores st ON st.id = sa.store_id JOIN sale_lines l ON l.sale_id = sa.id
        WHERE sa.id = ANY(sale_ids)
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (store_id, day, product_id) DO UPDATE
        SET units = d.units + EXCLUDED.units, revenue = d.revenue + EXCLUDED.revenue,
            sales = d.sales + EXCLUDED.sales;
    END IF;
END $$;

-- A new sale counts at once (its amounts); its lines add the units and the products.
CREATE FUNCTION daily_sales_on_insert() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_sales_apply(ARRAY(SELECT id FROM new_rows), 1, FALSE);
    RETURN NULL;
END $$;
CREATE TRIGGER daily_sales_insert AFTER INSERT ON sales
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION daily_sales_on_insert();

CREATE FUNCTION daily_sale_lines_on_insert() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_sales AS d (store_id, day, register_id, units)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, sa.register_id,
           sum(n.quantity)
    FROM new_rows n JOIN sales sa ON sa.id = n.sale_id JOIN stores st ON st.id = sa.store_id
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, register_id) DO UPDATE SET units = d.units + EXCLUDED.units;
    INSERT INTO daily_product_sales AS d (store_id, day, product_id, units, revenue, sales)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, n.product_id,
           sum(n.quantity), sum(n.line_total), count(DISTINCT n.sale_id)
    FROM new_rows n JOIN sales sa ON sa.id = n.sale_id JOIN stores st ON st.id = sa.store_id
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, product_id) DO UPDATE
    SET units = d.units + EXCLUDED.units, revenue = d.revenue + EXCLUDED.revenue,
        sales = d.sales + EXCLUDED.sales;
    RETURN NULL;
END $$;
CREATE TRIGGER daily_sale_lines_insert AFTER INSERT ON sale_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION daily_sale_lines_on_insert();

-- A corrected sale (re-dated, other store or register, other amounts) moves its contribution:
-- the BEFORE trigger removes the old one while the row still has its old values, the AFTER
-- trigger adds the new one.
CREATE FUNCTION daily_sales_before_update() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_sales_apply(ARRAY[OLD.id], -1, TRUE);
    RETURN NEW;
END $$;
CREATE TRIGGER daily_sales_before_update BEFORE UPDATE OF sold_at, store_id, register_id,
    subtotal, tps, tvq, total ON sales FOR EACH ROW
    WHEN (OLD.sold_at IS DISTINCT FROM NEW.sold_at OR OLD.store_id IS DISTINCT FROM NEW.store_id
          OR OLD.register_id IS DISTINCT FROM NEW.register_id
          OR OLD.subtotal IS DISTINCT FROM NEW.subtotal OR OLD.tps IS DISTINCT FROM NEW.tps
          OR OLD.tvq IS DISTINCT FROM NEW.tvq OR OLD.total IS DISTINCT FROM NEW.total)
    EXECUTE FUNCTION daily_sales_before_update();

CREATE FUNCTION daily_sales_after_update() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_sales_apply(ARRAY[NEW.id], 1, TRUE);
    RETURN NULL;
END $$;
CREATE TRIGGER daily_sales_after_update AFTER UPDATE OF sold_at, store_id, register_id,
    subtotal, tps, tvq, total ON sales FOR EACH ROW
    WHEN (OLD.sold_at IS DISTINCT FROM NEW.sold_at OR OLD.store_id IS DISTINCT FROM NEW.store_id
          OR OLD.register_id IS DISTINCT FROM NEW.register_id
          OR OLD.subtotal IS DISTINCT FROM NEW.subtotal OR OLD.tps IS DISTINCT FROM NEW.tps
          OR OLD.tvq IS DISTINCT FROM NEW.tvq OR OLD.total IS DISTINCT FROM NEW.total)
    EXECUTE FUNCTION daily_sales_after_update();

-- Returns: adds new ones; a corrected return moves its contribution.
CREATE FUNCTION daily_returns_apply(return_ids BIGINT[], sign INTEGER)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_returns AS d (store_id, day, returns, subtotal, tps, tvq, refunded)
    SELECT rt.store_id, (rt.returned_at AT TIME ZONE st.time_zone)::DATE, sign * count(*),
           sign * sum(rt.subtotal), sign * sum(rt.tps), sign * sum(rt.tvq),
           sign * sum(rt.refund_amount)
    FROM returns rt JOIN stores st ON st.id = rt.store_id
    WHERE rt.id = ANY(return_ids)
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (store_id, day) DO UPDATE
    SET returns = d.returns + EXCLUDED.returns, subtotal = d.subtotal + EXCLUDED.subtotal,
        tps = d.tps + EXCLUDED.tps, tvq = d.tvq + EXCLUDED.tvq,
        refunded = d.refunded + EXCLUDED.refunded;
END $$;

CREATE FUNCTION daily_returns_on_insert() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_returns_apply(ARRAY(SELECT id FROM new_rows), 1);
    RETURN NULL;
END $$;
CREATE TRIGGER daily_returns_insert AFTER INSERT ON returns
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION daily_returns_on_insert();

CREATE FUNCTION daily_returns_before_update() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_returns_apply(ARRAY[OLD.id], -1);
    RETURN NEW;
END $$;
CREATE TRIGGER daily_returns_before_update BEFORE UPDATE OF returned_at, store_id, subtotal,
    tps, tvq, refund_amount ON returns FOR EACH ROW
    WHEN (OLD.returned_at IS DISTINCT FROM NEW.returned_at
          OR OLD.store_id IS DISTINCT FROM NEW.store_id
          OR OLD.subtotal IS DISTINCT FROM NEW.subtotal OR OLD.tps IS DISTINCT FROM NEW.tps
          OR OLD.tvq IS DISTINCT FROM NEW.tvq
          OR OLD.refund_amount IS DISTINCT FROM NEW.refund_amount)
    EXECUTE FUNCTION daily_returns_before_update();

CREATE FUNCTION daily_returns_after_update() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_returns_apply(ARRAY[NEW.id], 1);
    RETURN NULL;
END $$;
CREATE TRIGGER daily_returns_after_update AFTER UPDATE OF returned_at, store_id, subtotal,
    tps, tvq, refund_amount ON returns FOR EACH ROW
    WHEN (OLD.returned_at IS DISTINCT FROM NEW.returned_at
          OR OLD.store_id IS DISTINCT FROM NEW.store_id
          OR OLD.subtotal IS DISTINCT FROM NEW.subtotal OR OLD.tps IS DISTINCT FROM NEW.tps
          OR OLD.tvq IS DISTINCT FROM NEW.tvq
          OR OLD.refund_amount IS DISTINCT FROM NEW.refund_amount)
    EXECUTE FUNCTION daily_returns_after_update();

-- Recomputes the aggregates of some stores (NULL: all) from the raw tables.
CREATE FUNCTION daily_aggregates_rebuild(only_stores BIGINT[] DEFAULT NULL)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM daily_sales WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    DELETE FROM daily_product_sales WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    DELETE FROM daily_returns WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    INSERT INTO daily_sales (store_id, day, register_id, sales, subtotal, tps, tvq, total, units)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, sa.register_id, count(*),
           sum(sa.subtotal), sum(sa.tps), sum(sa.tvq), sum(sa.total), COALESCE(sum(u.units), 0)
    FROM sales sa JOIN stores st ON st.id = sa.store_id
    LEFT JOIN (SELECT sale_id, sum(quantity) AS units FROM sale_lines GROUP BY sale_id) u
           ON u.sale_id = sa.id
    WHERE only_stores IS NULL OR sa.store_id = ANY(only_stores)
    GROUP BY 1, 2, 3;
    INSERT INTO daily_product_sales (store_id, day, product_id, units, revenue, sales)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, l.product_id,
           sum(l.quantity), sum(l.line_total), count(DISTINCT l.sale_id)
    FROM sales sa JOIN stores st ON st.id = sa.store_id JOIN sale_lines l ON l.sale_id = sa.id
    WHERE only_stores IS NULL OR sa.store_id = ANY(only_stores)
    GROUP BY 1, 2, 3;
    INSERT INTO daily_returns (store_id, day, returns, subtotal, tps, tvq, refunded)
    SELECT rt.store_id, (rt.returned_at AT TIME ZONE st.time_zone)::DATE, count(*),
           sum(rt.subtotal), sum(rt.tps), sum(rt.tvq), sum(rt.refund_amount)
    FROM returns rt JOIN stores st ON st.id = rt.store_id
    WHERE only_stores IS NULL OR rt.store_id = ANY(only_stores)
    GROUP BY 1, 2;
END $$;

-- A store moved to another time zone: its sales fall on other local days.
CREATE FUNCTION daily_aggregates_on_time_zone() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM daily_aggregates_rebuild(ARRAY[NEW.id]);
    RETURN NULL;
END $$;
CREATE TRIGGER daily_aggregates_time_zone AFTER UPDATE OF time_zone ON stores FOR EACH ROW
    WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION daily_aggregates_on_time_zone();

-- Backfill of the data already there.
SELECT daily_aggregates_rebuild();
