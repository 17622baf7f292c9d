-- API clients limited to some stores (SPEC section 9): a partner serving one store reads and
-- sells in that store only. NULL: the whole chain (head office's clients, as before).
ALTER TABLE api_clients
    ADD COLUMN store_ids BIGINT[] CHECK (store_ids IS NULL OR cardinality(store_ids) BETWEEN 1 AND 1000),
    -- a client limited to stores cannot administer the chain
    ADD CONSTRAINT api_clients_stores_not_admin CHECK (store_ids IS NULL OR NOT ('admin' = ANY (scopes)));
