-- Monthly rollup of daily_product_sales per store, so that the top-product lists of a long
-- period read the best rows of a few (store, month) buckets instead of grouping every daily row
-- of the period (threshold pruning, domain/src/reporting/top.rs).
--
-- A row is the sum of the daily_product_sales rows of its store, product and local month, kept
-- EXACT by statement-level triggers ON daily_product_sales itself: whatever writes the daily
-- rows (checkout, corrections, the rebuild) writes this table in the same statement's
-- transaction. Like the daily rows, it counts sales, not returns. Daily rows are deleted only by
-- daily_aggregates_rebuild(), which clears this table first, and by cascades (store or product
-- deleted), which reach this table too; so there is no DELETE trigger.
-- Rows are per store on purpose: a network-wide row per product would be one hot row updated by
-- every store's sales of that product.

CREATE TABLE monthly_product_sales (
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    store_id   BIGINT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    -- first day of the store's local month
    month      DATE NOT NULL CHECK (EXTRACT(DAY FROM month) = 1),
    units      BIGINT NOT NULL DEFAULT 0,
    revenue    NUMERIC NOT NULL DEFAULT 0,
    sales      BIGINT NOT NULL DEFAULT 0,
    -- a candidate's sum over the full months of a period: one range scan per product
    PRIMARY KEY (product_id, month, store_id) INCLUDE (units, revenue, sales)
);
-- the best rows of a (store, month) bucket, one per top list
CREATE INDEX monthly_product_sales_units_idx
    ON monthly_product_sales (store_id, month, units DESC) INCLUDE (product_id);
CREATE INDEX monthly_product_sales_revenue_idx
    ON monthly_product_sales (store_id, month, revenue DESC) INCLUDE (product_id);

-- A candidate's sum over the edge days of a period (outside its full months): one range scan
-- per product. Replaces the plain (product_id) index, which it also serves.
CREATE INDEX daily_product_sales_product_day_idx
    ON daily_product_sales (product_id, day) INCLUDE (store_id, units, revenue, sales);
DROP INDEX daily_product_sales_product_idx;

-- Adds the inserted daily rows, or the difference between the updated rows' new and old values.
CREATE FUNCTION monthly_product_sales_apply() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO monthly_product_sales AS m (product_id, month, store_id, units, revenue, sales)
        SELECT n.product_id, date_trunc('month', n.day::TIMESTAMP)::DATE, n.store_id,
               sum(n.units), sum(n.revenue), sum(n.sales)
        FROM new_rows n
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (product_id, month, store_id) DO UPDATE
        SET units = m.units + EXCLUDED.units, revenue = m.revenue + EXCLUDED.revenue,
            sales = m.sales + EXCLUDED.sales;
    ELSE
        INSERT INTO monthly_product_sales AS m (product_id, month, store_id, units, revenue, sales)
        SELECT d.product_id, date_trunc('month', d.day::TIMESTAMP)::DATE, d.store_id,
               sum(d.units), sum(d.revenue), sum(d.sales)
        FROM (SELECT product_id, store_id, day, units, revenue, sales FROM new_rows
              UNION ALL
              SELECT product_id, store_id, day, -units, -revenue, -sales FROM old_rows) d
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (product_id, month, store_id) DO UPDATE
        SET units = m.units + EXCLUDED.units, revenue = m.revenue + EXCLUDED.revenue,
            sales = m.sales + EXCLUDED.sales;
    END IF;
    RETURN NULL;
END $$;
-- An INSERT ... ON CONFLICT DO UPDATE fires both: the inserted rows in the first, the updated
-- ones in the second.
CREATE TRIGGER monthly_product_sales_insert AFTER INSERT ON daily_product_sales
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION monthly_product_sales_apply();
CREATE TRIGGER monthly_product_sales_update AFTER UPDATE ON daily_product_sales
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION monthly_product_sales_apply();

-- The rebuild clears the monthly rows of its stores; inserting the daily rows again fills them
-- through the trigger above. The rest is the rebuild of 20261125000001_daily_aggregates.sql.
CREATE OR REPLACE FUNCTION daily_aggregates_rebuild(only_stores BIGINT[] DEFAULT NULL)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM monthly_product_sales WHERE only_stores IS NULL OR store_id = ANY(only_stores);
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

-- Backfill of the data already there.
INSERT INTO monthly_product_sales (product_id, store_id, month, units, revenue, sales)
SELECT product_id, store_id, date_trunc('month', day::TIMESTAMP)::DATE, sum(units), sum(revenue),
       sum(sales)
FROM daily_product_sales
GROUP BY 1, 2, 3;
