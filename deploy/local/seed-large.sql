-- The large data set (issue #6): 100,000 products and 2,000,000 sales over the last 365 days,
-- generated set-based on top of the demo data (its 5 stores, 3 registers each, employees).
-- Run by deploy/local/seed-large.sh in ONE transaction: a failure leaves nothing behind.
--
-- Shortcuts (documented in loadtest/RESULTS.md):
--  * store and warehouse stock levels are drawn at random, not derived from the sales, and the
--    sales' and returns' stock movements are not written (5 M rows the reports do not read:
--    days of cover read the sale lines); each stock row gets one 'initial' movement instead;
--  * one closed register session per register and day (09:00-21:00 local), which may overlap
--    the demo's own sessions; its expected cash is computed from its cash sales;
--  * returns (1 % of the sales) are full returns of one-line sales: the refund is the sale total.
-- The daily aggregates' triggers are disabled during the load and the aggregates rebuilt once.
-- The integration events' triggers too: a year of history loaded at once is not a business
-- change an integrator should receive (2 M `sale.created`); the feed starts after the load.

\set ON_ERROR_STOP on
\timing on
SELECT setseed(0.6);

ALTER TABLE sales DISABLE TRIGGER daily_sales_insert;
ALTER TABLE sale_lines DISABLE TRIGGER daily_sale_lines_insert;
ALTER TABLE returns DISABLE TRIGGER daily_returns_insert;
ALTER TABLE sales DISABLE TRIGGER events_sales;
ALTER TABLE returns DISABLE TRIGGER events_returns;
ALTER TABLE stock_movements DISABLE TRIGGER events_stock_movements;
ALTER TABLE products DISABLE TRIGGER events_products_insert_delete;

\echo categories and 100000 products
INSERT INTO categories (name, description)
SELECT format('Rayon %s', lpad(i::TEXT, 2, '0')), 'Catégorie du grand jeu de données'
FROM generate_series(1, 20) AS i;

CREATE TEMPORARY TABLE words (kind INT, n INT, word TEXT) ON COMMIT DROP;
INSERT INTO words
SELECT 1, ord - 1, w FROM unnest(ARRAY['Café', 'Thé', 'Chocolat', 'Savon', 'Shampoing',
    'Biscuits', 'Pâtes', 'Riz', 'Farine', 'Huile', 'Vinaigre', 'Confiture', 'Miel', 'Céréales',
    'Jus', 'Eau', 'Lait', 'Beurre', 'Fromage', 'Yogourt', 'Pain', 'Craquelins', 'Sauce',
    'Épices', 'Sirop', 'Noix', 'Bonbons', 'Crayons', 'Cahier', 'Piles', 'Ampoule', 'Détergent',
    'Papier', 'Serviettes', 'Brosse', 'Dentifrice', 'Lampe', 'Tasse', 'Bougie', 'Gants'])
    WITH ORDINALITY AS t(w, ord)
UNION ALL
SELECT 2, ord - 1, w FROM unnest(ARRAY['bio', 'classique', 'extra', 'léger', 'doux', 'fort',
    'nature', 'vanille', 'érable', 'citron', 'fraise', 'menthe', 'noir', 'blanc', 'rouge',
    'vert', 'familial', 'format voyage', 'sans sucre', 'artisanal'])
    WITH ORDINALITY AS t(w, ord)
UNION ALL
SELECT 3, ord - 1, w FROM unnest(ARRAY['Laurentides', 'Boréal', 'Saint-Laurent', 'Gaspésie',
    'Maison Roy', 'Tremblay', 'Beauce', 'Charlevoix', 'Outaouais', 'Mauricie', 'Estrie',
    'Abitibi', 'Lanaudière', 'Montérégie', 'Saguenay', 'Côte-Nord'])
    WITH ORDINALITY AS t(w, ord);

CREATE TEMPORARY TABLE large_categories ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM categories WHERE name LIKE 'Rayon %';

INSERT INTO products (code, name, description, price, category_id, taxable)
SELECT format('LG-%s', lpad(i::TEXT, 6, '0')),
       format('%s %s %s %s', w1.word, w2.word, w3.word, i),
       format('%s %s de la maison %s, format %s g', w1.word, w2.word, w3.word, 50 + i % 950),
       round((1 + random() * 99)::NUMERIC, 2),
       c.id,
       i % 5 <> 0
FROM generate_series(1, 100000) AS i
JOIN words w1 ON w1.kind = 1 AND w1.n = i % 40
JOIN words w2 ON w2.kind = 2 AND w2.n = (i / 40) % 20
JOIN words w3 ON w3.kind = 3 AND w3.n = (i / 800) % 16
JOIN large_categories c ON c.n = i % 20;

CREATE TEMPORARY TABLE large_products ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, price, taxable
FROM products WHERE code LIKE 'LG-%';
ALTER TABLE large_products ADD PRIMARY KEY (n);
ANALYZE large_products;

\echo warehouse and store stock
INSERT INTO central_stock (product_id, quantity, alert_threshold)
SELECT id, (random() * 5000)::INT, 100 FROM large_products;
INSERT INTO store_stock (store_id, product_id, quantity, alert_threshold)
SELECT st.id, p.id, (random() * 300)::INT, 10 FROM stores st CROSS JOIN large_products p;
INSERT INTO stock_movements (location, store_id, product_id, delta, reason, note)
SELECT 'store', store_id, product_id, quantity, 'initial', 'grand jeu de données'
FROM store_stock k JOIN large_products p ON p.id = k.product_id WHERE quantity > 0;
INSERT INTO stock_movements (location, product_id, delta, reason, note)
SELECT 'warehouse', product_id, quantity, 'initial', 'grand jeu de données'
FROM central_stock k JOIN large_products p ON p.id = k.product_id WHERE quantity > 0;

\echo register sessions: one per register and day
CREATE TEMPORARY TABLE large_stores ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY st.id) - 1 AS n, st.id, st.time_zone,
       (SELECT min(e.id) FROM employees e WHERE e.store_id = st.id AND e.active) AS employee_id
FROM stores st;
CREATE TEMPORARY TABLE large_registers ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY r.store_id, r.number) - 1 AS n,
       row_number() OVER (PARTITION BY r.store_id ORDER BY r.number) - 1 AS k,
       r.id, s.n AS store_n, s.id AS store_id, s.time_zone, s.employee_id
FROM registers r JOIN large_stores s ON s.id = r.store_id;
SELECT count(*) AS registers FROM large_registers \gset

-- sessions of the 365 days ending yesterday (local), ids chosen so a sale finds its session
CREATE TEMPORARY TABLE large_sessions ON COMMIT DROP AS
SELECT r.n AS register_n, d AS day_n, r.id AS register_id, r.employee_id,
       ((current_date - 365 + d)::TIMESTAMP + TIME '09:00') AT TIME ZONE r.time_zone AS opened_at,
       ((current_date - 365 + d)::TIMESTAMP + TIME '21:00') AT TIME ZONE r.time_zone AS closed_at,
       (SELECT COALESCE(max(id), 0) FROM register_sessions) + 1 + r.n * 365 + d AS id
FROM large_registers r CROSS JOIN generate_series(0, 364) AS d;
INSERT INTO register_sessions (id, register_id, opened_by, opened_at, opening_float, closed_by,
                               closed_at, counted_cash, expected_cash, cash_difference)
OVERRIDING SYSTEM VALUE
SELECT id, register_id, employee_id, opened_at, 200, employee_id, closed_at, 200, 200, 0
FROM large_sessions;
SELECT setval(pg_get_serial_sequence('register_sessions', 'id'), (SELECT max(id) FROM register_sessions));

\echo 2000000 sales and their lines
-- sale g: store g % 5 ... its register, day and time; 1 to 4 lines of distinct products drawn
-- with a skew (a few products sell much more than the rest)
CREATE TEMPORARY TABLE large_sales ON COMMIT DROP AS
SELECT g, (SELECT COALESCE(max(id), 0) FROM sales) + g AS id,
       r.store_id, r.employee_id,
       CASE WHEN g % 20 = 0 THEN NULL ELSE r.id END AS register_id,
       CASE WHEN g % 20 = 0 THEN NULL ELSE s.id END AS session_id,
       s.opened_at + (random() * INTERVAL '12 hours') AS sold_at,
       1 + (g * 7) % 4 AS lines,
       (power(random(), 3) * 100000)::INT % 100000 AS base,
       CASE WHEN random() < 0.6 THEN 'carte' ELSE 'especes' END AS method
FROM generate_series(1, 2000000) AS g
JOIN large_registers r ON r.n = g % :registers
JOIN large_sessions s ON s.register_n = r.n AND s.day_n = (g / :registers) % 365;

CREATE TEMPORARY TABLE large_lines ON COMMIT DROP AS
SELECT sa.id AS sale_id, k AS line_no, p.id AS product_id,
       1 + (sa.g + k) % 3 AS quantity, p.price, p.taxable,
       (1 + (sa.g + k) % 3) * p.price AS line_total
FROM large_sales sa
CROSS JOIN LATERAL generate_series(1, sa.lines) AS k
JOIN large_products p ON p.n = (sa.base + (k - 1) * 7919) % 100000;

CREATE TEMPORARY TABLE large_totals ON COMMIT DROP AS
SELECT sale_id, sum(line_total) AS subtotal,
       round(sum(line_total) FILTER (WHERE taxable) * 0.05, 2) AS tps,
       round(sum(line_total) FILTER (WHERE taxable) * 0.09975, 2) AS tvq
FROM large_lines GROUP BY sale_id;

INSERT INTO sales (id, client_sale_id, store_id, register_id, session_id, employee_id, sold_at,
                   subtotal, tps, tvq, total, payment_method, amount_tendered, change_given)
OVERRIDING SYSTEM VALUE
SELECT sa.id, 'large-' || sa.g, sa.store_id, sa.register_id, sa.session_id,
       CASE WHEN sa.register_id IS NULL THEN NULL ELSE sa.employee_id END, sa.sold_at,
       t.subtotal, COALESCE(t.tps, 0), COALESCE(t.tvq, 0),
       t.subtotal + COALESCE(t.tps, 0) + COALESCE(t.tvq, 0),
       m.method,
       CASE WHEN m.method = 'especes' THEN ceil((t.subtotal + COALESCE(t.tps, 0) + COALESCE(t.tvq, 0)) / 5) * 5 END,
       CASE WHEN m.method = 'especes' THEN ceil((t.subtotal + COALESCE(t.tps, 0) + COALESCE(t.tvq, 0)) / 5) * 5
                                           - (t.subtotal + COALESCE(t.tps, 0) + COALESCE(t.tvq, 0)) END
FROM large_sales sa JOIN large_totals t ON t.sale_id = sa.id
CROSS JOIN LATERAL (SELECT CASE WHEN sa.register_id IS NULL THEN 'carte' ELSE sa.method END AS method) m
ORDER BY sa.id;
SELECT setval(pg_get_serial_sequence('sales', 'id'), (SELECT max(id) FROM sales));
INSERT INTO sale_payments (sale_id, seq, mode, amount)
SELECT id, 1, payment_method, total FROM sales
WHERE client_sale_id LIKE 'large-%' AND total > 0 ORDER BY id;

INSERT INTO sale_lines (sale_id, line_no, product_id, quantity, unit_price, taxable, line_total)
SELECT sale_id, line_no, product_id, quantity, price, taxable, line_total
FROM large_lines ORDER BY sale_id, line_no;

\echo returns: 1 % of the sales (one-line sales, fully returned)
CREATE TEMPORARY TABLE large_returns ON COMMIT DROP AS
SELECT (SELECT COALESCE(max(id), 0) FROM returns) + row_number() OVER (ORDER BY s.id) AS id,
       s.id AS sale_id, s.store_id, s.employee_id, s.subtotal, s.tps, s.tvq, s.total,
       s.payment_method,
       least(s.sold_at + (1 + s.id % 10) * INTERVAL '1 day', now() - INTERVAL '1 hour')
           AS returned_at
FROM large_sales sa JOIN sales s ON s.id = sa.id
-- hashint8 spreads the returns over every register and day (a plain modulo of g would not)
WHERE sa.lines = 1 AND abs(hashint8(sa.g)) % 25 = 3;
INSERT INTO returns (id, sale_id, store_id, employee_id, reason, subtotal, tps, tvq,
                     refund_amount, refund_method, returned_at)
OVERRIDING SYSTEM VALUE
SELECT id, sale_id, store_id, employee_id, 'Article défectueux', subtotal, tps, tvq, total,
       payment_method, returned_at
FROM large_returns ORDER BY id;
SELECT setval(pg_get_serial_sequence('returns', 'id'), (SELECT max(id) FROM returns));
INSERT INTO return_refunds (return_id, mode, amount)
SELECT id, payment_method, total FROM large_returns WHERE total > 0 ORDER BY id;
INSERT INTO return_lines (return_id, sale_line_id, quantity, amount)
SELECT rt.id, l.id, l.quantity, l.line_total
FROM large_returns rt JOIN sale_lines l ON l.sale_id = rt.sale_id;
UPDATE sale_lines l SET returned_quantity = l.quantity
FROM large_returns rt WHERE l.sale_id = rt.sale_id;

\echo expected cash of the sessions
UPDATE register_sessions rs
SET expected_cash = 200 + c.cash, counted_cash = 200 + c.cash, cash_difference = 0
FROM (SELECT session_id, sum(total) AS cash FROM sales
      WHERE payment_method = 'especes' AND client_sale_id LIKE 'large-%'
      GROUP BY session_id) c
WHERE rs.id = c.session_id;

ALTER TABLE sales ENABLE TRIGGER daily_sales_insert;
ALTER TABLE sale_lines ENABLE TRIGGER daily_sale_lines_insert;
ALTER TABLE returns ENABLE TRIGGER daily_returns_insert;
ALTER TABLE sales ENABLE TRIGGER events_sales;
ALTER TABLE returns ENABLE TRIGGER events_returns;
ALTER TABLE stock_movements ENABLE TRIGGER events_stock_movements;
ALTER TABLE products ENABLE TRIGGER events_products_insert_delete;

\echo daily aggregates rebuilt from the raw tables
SELECT daily_aggregates_rebuild();
