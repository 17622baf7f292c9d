-- What the custom report's product and category groupings need beyond the daily and monthly
-- aggregates, so that it never reads raw sales (domain/src/reporting/custom/):
--   * the taxes of each product: a sale's taxes shared among its taxable lines by value
--     (daily_product_sales.tax, rolled up into monthly_product_sales.tax);
--   * the refunds of each product: a return's refund, its lines' value plus their share of its
--     taxes (daily_product_returns);
--   * the sales containing each category (daily_category_sales): a sale with two products of a
--     category counts once, so this cannot be summed from the products.
-- Each line's share is the exact NUMERIC quotient the report used to compute per line, and the
-- tables add those quotients up exactly, so the report's figures do not change by a cent.
--
-- Kept EXACT, like the other aggregates, by the triggers of the transaction that writes: sale
-- lines and return lines may come in several statements (a return writes one line at a time),
-- so a statement adds the shares of its sale or return computed with every line minus those
-- computed without its own lines. A corrected sale or return moves its contribution; a product
-- moved to another category recounts the days it sold; the rebuild recomputes everything.

ALTER TABLE daily_product_sales ADD COLUMN tax NUMERIC NOT NULL DEFAULT 0;
ALTER TABLE monthly_product_sales ADD COLUMN tax NUMERIC NOT NULL DEFAULT 0;

CREATE TABLE daily_product_returns (
    store_id   BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day        DATE NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    -- units returned: a product has returns in a period when their sum is positive
    units      BIGINT NOT NULL DEFAULT 0,
    -- the goods' value plus their share of the return's taxes
    refunded   NUMERIC NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day, product_id)
);
CREATE INDEX daily_product_returns_product_idx ON daily_product_returns (product_id);

-- Split in 16 slots (the sale id modulo 16) like daily_sales: every sale updates the rows of
-- its categories, and a store has few categories.
CREATE TABLE daily_category_sales (
    store_id    BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    day         DATE NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    slot        SMALLINT NOT NULL,
    sales       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day, category_id, slot)
);
CREATE INDEX daily_category_sales_category_idx ON daily_category_sales (category_id);

-- The lines of some sales (leaving out the lines `leave_out`) with each line's share of its
-- sale's taxes, computed over the lines kept.
CREATE FUNCTION sale_line_facts(sale_ids BIGINT[], leave_out BIGINT[])
RETURNS TABLE (sale_id BIGINT, store_id BIGINT, day DATE, product_id BIGINT, category_id BIGINT,
               quantity INTEGER, line_total NUMERIC, tax NUMERIC)
LANGUAGE sql STABLE AS $$
    SELECT sa.id, sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, l.product_id,
           p.category_id, l.quantity, l.line_total,
           CASE WHEN l.taxable THEN (sa.tps + sa.tvq) * l.line_total
                / NULLIF(sum(l.line_total) FILTER (WHERE l.taxable)
                             OVER (PARTITION BY l.sale_id), 0)
           END
    FROM sales sa
    JOIN stores st ON st.id = sa.store_id
    JOIN sale_lines l ON l.sale_id = sa.id
    JOIN products p ON p.id = l.product_id
    WHERE sa.id = ANY(sale_ids) AND l.id <> ALL(leave_out)
$$;

-- The lines of some returns (leaving out `leave_out`) with what each refunds: its value plus its
-- share of the return's taxes, computed over the lines kept.
CREATE FUNCTION return_line_facts(return_ids BIGINT[], leave_out BIGINT[])
RETURNS TABLE (store_id BIGINT, day DATE, product_id BIGINT, quantity INTEGER,
               refunded NUMERIC)
LANGUAGE sql STABLE AS $$
    SELECT rt.store_id, (rt.returned_at AT TIME ZONE st.time_zone)::DATE, l.product_id,
           rl.quantity,
           rl.quantity * l.unit_price
           + COALESCE(CASE WHEN l.taxable THEN (rt.tps + rt.tvq) * rl.quantity * l.unit_price
                          / NULLIF(sum(rl.quantity * l.unit_price) FILTER (WHERE l.taxable)
                                       OVER (PARTITION BY rt.id), 0)
                      END, 0)
    FROM returns rt
    JOIN stores st ON st.id = rt.store_id
    JOIN return_lines rl ON rl.return_id = rt.id
    JOIN sale_lines l ON l.id = rl.sale_line_id
    WHERE rt.id = ANY(return_ids) AND rl.id <> ALL(leave_out)
$$;

-- Adds (sign = 1) or removes (sign = -1) the taxes and the category counts of whole sales.
CREATE FUNCTION sale_shares_apply(sale_ids BIGINT[], sign INTEGER)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_product_sales AS d (store_id, day, product_id, tax)
    SELECT f.store_id, f.day, f.product_id, sign * COALESCE(sum(f.tax), 0)
    FROM sale_line_facts(sale_ids, '{}') f
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, product_id) DO UPDATE SET tax = d.tax + EXCLUDED.tax;
    INSERT INTO daily_category_sales AS d (store_id, day, category_id, slot, sales)
    SELECT f.store_id, f.day, f.category_id, (f.sale_id % 16)::SMALLINT,
           sign * count(DISTINCT f.sale_id)
    FROM sale_line_facts(sale_ids, '{}') f
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (store_id, day, category_id, slot) DO UPDATE SET sales = d.sales + EXCLUDED.sales;
END $$;

-- As in 20261127000001_daily_sales_slots.sql, with the taxes and the categories: a corrected
-- sale moves them too.
CREATE OR REPLACE FUNCTION daily_sales_apply(sale_ids BIGINT[], sign INTEGER, with_lines BOOLEAN)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_sales AS d (store_id, day, register_id, slot, sales, subtotal, tps, tvq,
                                  total, units)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, sa.register_id,
           (sa.id % 16)::SMALLINT,
           sign * count(*), sign * sum(sa.subtotal), sign * sum(sa.tps), sign * sum(sa.tvq),
           sign * sum(sa.total),
           CASE WHEN with_lines THEN sign * COALESCE(sum((SELECT sum(l.quantity) FROM sale_lines l
                                                          WHERE l.sale_id = sa.id)), 0)
                ELSE 0 END
    FROM sales sa JOIN stores st ON st.id = sa.store_id
    WHERE sa.id = ANY(sale_ids)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (store_id, day, register_id, slot) DO UPDATE
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
        PERFORM sale_shares_apply(sale_ids, sign);
    END IF;
END $$;

-- As in 20261127000001_daily_sales_slots.sql, plus the taxes and categories of the sales whose
-- lines came: what their shares are now minus what they were before this statement.
CREATE OR REPLACE FUNCTION daily_sale_lines_on_insert() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    sale_ids BIGINT[] := ARRAY(SELECT DISTINCT sale_id FROM new_rows ORDER BY 1);
    new_ids BIGINT[] := ARRAY(SELECT id FROM new_rows);
BEGIN
    INSERT INTO daily_sales AS d (store_id, day, register_id, slot, units)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, sa.register_id,
           (sa.id % 16)::SMALLINT, sum(n.quantity)
    FROM new_rows n JOIN sales sa ON sa.id = n.sale_id JOIN stores st ON st.id = sa.store_id
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (store_id, day, register_id, slot) DO UPDATE SET units = d.units + EXCLUDED.units;
    INSERT INTO daily_product_sales AS d (store_id, day, product_id, units, revenue, sales, tax)
    SELECT x.store_id, x.day, x.product_id, sum(x.units)::BIGINT, sum(x.revenue),
           sum(x.sales)::BIGINT, sum(x.tax)
    FROM (
        SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE AS day, n.product_id,
               sum(n.quantity) AS units, sum(n.line_total) AS revenue,
               count(DISTINCT n.sale_id) AS sales, 0 AS tax
        FROM new_rows n JOIN sales sa ON sa.id = n.sale_id JOIN stores st ON st.id = sa.store_id
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT f.store_id, f.day, f.product_id, 0, 0, 0, COALESCE(sum(f.tax), 0)
        FROM sale_line_facts(sale_ids, '{}') f GROUP BY 1, 2, 3
        UNION ALL
        SELECT f.store_id, f.day, f.product_id, 0, 0, 0, -COALESCE(sum(f.tax), 0)
        FROM sale_line_facts(sale_ids, new_ids) f GROUP BY 1, 2, 3) x
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, product_id) DO UPDATE
    SET units = d.units + EXCLUDED.units, revenue = d.revenue + EXCLUDED.revenue,
        sales = d.sales + EXCLUDED.sales, tax = d.tax + EXCLUDED.tax;
    -- a sale counts in a category when this statement brought its first line of it
    WITH now_in AS (SELECT DISTINCT f.store_id, f.day, f.category_id, f.sale_id
                    FROM sale_line_facts(sale_ids, '{}') f),
         before AS (SELECT DISTINCT f.category_id, f.sale_id
                    FROM sale_line_facts(sale_ids, new_ids) f)
    INSERT INTO daily_category_sales AS d (store_id, day, category_id, slot, sales)
    SELECT a.store_id, a.day, a.category_id, (a.sale_id % 16)::SMALLINT, count(*)
    FROM now_in a
    WHERE NOT EXISTS (SELECT 1 FROM before b
                      WHERE b.sale_id = a.sale_id AND b.category_id = a.category_id)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (store_id, day, category_id, slot) DO UPDATE SET sales = d.sales + EXCLUDED.sales;
    RETURN NULL;
END $$;

-- The monthly rollup carries the taxes too (as in 20261126000001_monthly_product_sales.sql).
CREATE OR REPLACE FUNCTION monthly_product_sales_apply() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO monthly_product_sales AS m (product_id, month, store_id, units, revenue, sales,
                                                tax)
        SELECT n.product_id, date_trunc('month', n.day::TIMESTAMP)::DATE, n.store_id,
               sum(n.units), sum(n.revenue), sum(n.sales), sum(n.tax)
        FROM new_rows n
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (product_id, month, store_id) DO UPDATE
        SET units = m.units + EXCLUDED.units, revenue = m.revenue + EXCLUDED.revenue,
            sales = m.sales + EXCLUDED.sales, tax = m.tax + EXCLUDED.tax;
    ELSE
        INSERT INTO monthly_product_sales AS m (product_id, month, store_id, units, revenue, sales,
                                                tax)
        SELECT d.product_id, date_trunc('month', d.day::TIMESTAMP)::DATE, d.store_id,
               sum(d.units), sum(d.revenue), sum(d.sales), sum(d.tax)
        FROM (SELECT product_id, store_id, day, units, revenue, sales, tax FROM new_rows
              UNION ALL
              SELECT product_id, store_id, day, -units, -revenue, -sales, -tax FROM old_rows) d
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (product_id, month, store_id) DO UPDATE
        SET units = m.units + EXCLUDED.units, revenue = m.revenue + EXCLUDED.revenue,
            sales = m.sales + EXCLUDED.sales, tax = m.tax + EXCLUDED.tax;
    END IF;
    RETURN NULL;
END $$;

-- Adds (sign = 1) or removes (sign = -1) the refunds of whole returns, per product.
CREATE FUNCTION product_returns_apply(return_ids BIGINT[], sign INTEGER)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_product_returns AS d (store_id, day, product_id, units, refunded)
    SELECT f.store_id, f.day, f.product_id, sign * sum(f.quantity), sign * sum(f.refunded)
    FROM return_line_facts(return_ids, '{}') f
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, product_id) DO UPDATE
    SET units = d.units + EXCLUDED.units, refunded = d.refunded + EXCLUDED.refunded;
END $$;

-- As in 20261125000001_daily_aggregates.sql, with the products' refunds: a corrected return
-- moves them too (a new return has no line yet: its lines add them).
CREATE OR REPLACE FUNCTION daily_returns_apply(return_ids BIGINT[], sign INTEGER)
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
    PERFORM product_returns_apply(return_ids, sign);
END $$;

-- Return lines: what their returns refund per product now, minus what they refunded before
-- this statement's lines.
CREATE FUNCTION daily_return_lines_on_insert() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    return_ids BIGINT[] := ARRAY(SELECT DISTINCT return_id FROM new_rows ORDER BY 1);
    new_ids BIGINT[] := ARRAY(SELECT id FROM new_rows);
BEGIN
    INSERT INTO daily_product_returns AS d (store_id, day, product_id, units, refunded)
    SELECT x.store_id, x.day, x.product_id, sum(x.units)::BIGINT, sum(x.refunded)
    FROM (
        SELECT f.store_id, f.day, f.product_id, sum(f.quantity) AS units,
               sum(f.refunded) AS refunded
        FROM return_line_facts(return_ids, '{}') f GROUP BY 1, 2, 3
        UNION ALL
        SELECT f.store_id, f.day, f.product_id, -sum(f.quantity), -sum(f.refunded)
        FROM return_line_facts(return_ids, new_ids) f GROUP BY 1, 2, 3) x
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, product_id) DO UPDATE
    SET units = d.units + EXCLUDED.units, refunded = d.refunded + EXCLUDED.refunded;
    RETURN NULL;
END $$;
CREATE TRIGGER daily_return_lines_insert AFTER INSERT ON return_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION daily_return_lines_on_insert();

-- The category counts of some (store, day) pairs, computed again from their sales.
CREATE FUNCTION daily_category_sales_recount(pair_stores BIGINT[], pair_days DATE[])
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM daily_category_sales c
    USING unnest(pair_stores, pair_days) AS p(store_id, day)
    WHERE c.store_id = p.store_id AND c.day = p.day;
    INSERT INTO daily_category_sales AS d (store_id, day, category_id, slot, sales)
    SELECT sa.store_id, p.day, pr.category_id, (sa.id % 16)::SMALLINT, count(DISTINCT sa.id)
    FROM unnest(pair_stores, pair_days) AS p(store_id, day)
    JOIN stores st ON st.id = p.store_id
    -- a day and its neighbours by instants (the index), then exactly by local date
    JOIN sales sa ON sa.store_id = p.store_id
                 AND sa.sold_at >= ((p.day - 1)::TIMESTAMP AT TIME ZONE st.time_zone)
                 AND sa.sold_at < ((p.day + 2)::TIMESTAMP AT TIME ZONE st.time_zone)
                 AND (sa.sold_at AT TIME ZONE st.time_zone)::DATE = p.day
    JOIN sale_lines l ON l.sale_id = sa.id
    JOIN products pr ON pr.id = l.product_id
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (store_id, day, category_id, slot) DO UPDATE SET sales = d.sales + EXCLUDED.sales;
END $$;

-- A product moved to another category: the days it sold are counted again.
CREATE FUNCTION daily_category_sales_on_product_update() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    pair_stores BIGINT[];
    pair_days DATE[];
BEGIN
    SELECT array_agg(x.store_id), array_agg(x.day) INTO pair_stores, pair_days
    FROM (SELECT DISTINCT d.store_id, d.day
          FROM new_rows n JOIN old_rows o ON o.id = n.id
          JOIN daily_product_sales d ON d.product_id = n.id
          WHERE o.category_id IS DISTINCT FROM n.category_id) x;
    IF pair_stores IS NOT NULL THEN
        PERFORM daily_category_sales_recount(pair_stores, pair_days);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER daily_category_sales_product_update AFTER UPDATE ON products
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION daily_category_sales_on_product_update();

-- As in 20261126000001_monthly_product_sales.sql, with the taxes, the products' refunds and
-- the categories' counts.
CREATE OR REPLACE FUNCTION daily_aggregates_rebuild(only_stores BIGINT[] DEFAULT NULL)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM monthly_product_sales WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    DELETE FROM daily_sales WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    DELETE FROM daily_product_sales WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    DELETE FROM daily_returns WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    DELETE FROM daily_product_returns WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    DELETE FROM daily_category_sales WHERE only_stores IS NULL OR store_id = ANY(only_stores);
    INSERT INTO daily_sales (store_id, day, register_id, sales, subtotal, tps, tvq, total, units)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, sa.register_id, count(*),
           sum(sa.subtotal), sum(sa.tps), sum(sa.tvq), sum(sa.total), COALESCE(sum(u.units), 0)
    FROM sales sa JOIN stores st ON st.id = sa.store_id
    LEFT JOIN (SELECT sale_id, sum(quantity) AS units FROM sale_lines GROUP BY sale_id) u
           ON u.sale_id = sa.id
    WHERE only_stores IS NULL OR sa.store_id = ANY(only_stores)
    GROUP BY 1, 2, 3;
    INSERT INTO daily_product_sales (store_id, day, product_id, units, revenue, sales, tax)
    SELECT f.store_id, f.day, f.product_id, sum(f.quantity), sum(f.line_total),
           count(DISTINCT f.sale_id), COALESCE(sum(f.tax), 0)
    FROM (SELECT sa.id AS sale_id, sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE AS day,
                 l.product_id, l.quantity, l.line_total,
                 CASE WHEN l.taxable THEN (sa.tps + sa.tvq) * l.line_total
                      / NULLIF(sum(l.line_total) FILTER (WHERE l.taxable)
                                   OVER (PARTITION BY l.sale_id), 0)
                 END AS tax
          FROM sales sa JOIN stores st ON st.id = sa.store_id
          JOIN sale_lines l ON l.sale_id = sa.id
          WHERE only_stores IS NULL OR sa.store_id = ANY(only_stores)) f
    GROUP BY 1, 2, 3;
    INSERT INTO daily_returns (store_id, day, returns, subtotal, tps, tvq, refunded)
    SELECT rt.store_id, (rt.returned_at AT TIME ZONE st.time_zone)::DATE, count(*),
           sum(rt.subtotal), sum(rt.tps), sum(rt.tvq), sum(rt.refund_amount)
    FROM returns rt JOIN stores st ON st.id = rt.store_id
    WHERE only_stores IS NULL OR rt.store_id = ANY(only_stores)
    GROUP BY 1, 2;
    INSERT INTO daily_product_returns (store_id, day, product_id, units, refunded)
    SELECT f.store_id, f.day, f.product_id, sum(f.quantity), sum(f.refunded)
    FROM (SELECT rt.store_id, (rt.returned_at AT TIME ZONE st.time_zone)::DATE AS day,
                 l.product_id, rl.quantity,
                 rl.quantity * l.unit_price
                 + COALESCE(CASE WHEN l.taxable THEN (rt.tps + rt.tvq) * rl.quantity * l.unit_price
                                / NULLIF(sum(rl.quantity * l.unit_price) FILTER (WHERE l.taxable)
                                             OVER (PARTITION BY rt.id), 0)
                            END, 0) AS refunded
          FROM returns rt JOIN stores st ON st.id = rt.store_id
          JOIN return_lines rl ON rl.return_id = rt.id
          JOIN sale_lines l ON l.id = rl.sale_line_id
          WHERE only_stores IS NULL OR rt.store_id = ANY(only_stores)) f
    GROUP BY 1, 2, 3;
    INSERT INTO daily_category_sales (store_id, day, category_id, slot, sales)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, p.category_id,
           (sa.id % 16)::SMALLINT, count(DISTINCT sa.id)
    FROM sales sa JOIN stores st ON st.id = sa.store_id
    JOIN sale_lines l ON l.sale_id = sa.id
    JOIN products p ON p.id = l.product_id
    WHERE only_stores IS NULL OR sa.store_id = ANY(only_stores)
    GROUP BY 1, 2, 3, 4;
END $$;

-- Backfill of the data already there.
SELECT daily_aggregates_rebuild();
