-- The customers' movements reference employees, API clients, sales and returns: each of those
-- keys gets an index (partial: most rows leave most of them empty), so that deleting or locking
-- the referenced row never scans the movements and the schema test finds every key indexed.
-- IF NOT EXISTS: the same index may come from another branch of this release.
CREATE INDEX IF NOT EXISTS loyalty_movements_employee_idx
    ON loyalty_movements (employee_id) WHERE employee_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS loyalty_movements_api_client_idx
    ON loyalty_movements (api_client_id) WHERE api_client_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS loyalty_movements_return_idx
    ON loyalty_movements (return_id) WHERE return_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS store_credit_movements_employee_idx
    ON store_credit_movements (employee_id) WHERE employee_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS store_credit_movements_api_client_idx
    ON store_credit_movements (api_client_id) WHERE api_client_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS store_credit_movements_sale_idx
    ON store_credit_movements (sale_id) WHERE sale_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS store_credit_movements_return_idx
    ON store_credit_movements (return_id) WHERE return_id IS NOT NULL;
