-- Concurrent sales of one store used to queue on a single daily_sales row per (store, day,
-- register): every sale's trigger updates that row and holds its lock until the sale commits,
-- and the API's sales all share the register-NULL row. The row is now split into 16 slots (the
-- sale id modulo 16), so concurrent sales update different rows. Every reader already sums the
-- rows of a day (and ignores days whose sums are zero); the rebuild writes slot 0.

ALTER TABLE daily_sales ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE daily_sales DROP CONSTRAINT daily_sales_key;
ALTER TABLE daily_sales
    ADD CONSTRAINT daily_sales_key UNIQUE NULLS NOT DISTINCT (store_id, day, register_id, slot);

-- As in 20261125000001_daily_aggregates.sql, with the slot of each sale.
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
    END IF;
END $$;

-- A new sale's amounts, straight from the inserted rows (a sale is inserted about a thousand
-- times a second at peak: no second read of the sales, no helper call).
CREATE OR REPLACE FUNCTION daily_sales_on_insert() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_sales AS d (store_id, day, register_id, slot, sales, subtotal, tps, tvq,
                                  total)
    SELECT n.store_id, (n.sold_at AT TIME ZONE st.time_zone)::DATE, n.register_id,
           (n.id % 16)::SMALLINT, count(*), sum(n.subtotal), sum(n.tps), sum(n.tvq),
           sum(n.total)
    FROM new_rows n JOIN stores st ON st.id = n.store_id
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (store_id, day, register_id, slot) DO UPDATE
    SET sales = d.sales + EXCLUDED.sales, subtotal = d.subtotal + EXCLUDED.subtotal,
        tps = d.tps + EXCLUDED.tps, tvq = d.tvq + EXCLUDED.tvq, total = d.total + EXCLUDED.total;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION daily_sale_lines_on_insert() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_sales AS d (store_id, day, register_id, slot, units)
    SELECT sa.store_id, (sa.sold_at AT TIME ZONE st.time_zone)::DATE, sa.register_id,
           (sa.id % 16)::SMALLINT, sum(n.quantity)
    FROM new_rows n JOIN sales sa ON sa.id = n.sale_id JOIN stores st ON st.id = sa.store_id
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (store_id, day, register_id, slot) DO UPDATE SET units = d.units + EXCLUDED.units;
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
