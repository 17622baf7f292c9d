-- The version of what prices a cart: products, stores, promotions and their link tables. Every
-- committed change to them bumps it once, so an instance keeping them in memory (the quotes'
-- price book, domain::sales::book) knows its copy is current by reading one number in the
-- statement it runs anyway.
CREATE TABLE pricing_version (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    version   BIGINT NOT NULL DEFAULT 1
);
INSERT INTO pricing_version DEFAULT VALUES;

-- Fired at commit (deferred constraint triggers), once per transaction whatever it changed:
-- the row's lock is taken there and held only until the commit, so two transactions editing
-- the catalogue never deadlock over it, and a reader that sees the new number also sees the
-- change (both commit together).
CREATE FUNCTION bump_pricing_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('mm.pricing_version_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE pricing_version SET version = version + 1;
        PERFORM set_config('mm.pricing_version_bumped', 'on', true);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER products_pricing_version AFTER INSERT OR UPDATE OR DELETE ON products
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_pricing_version();
CREATE CONSTRAINT TRIGGER stores_pricing_version AFTER INSERT OR UPDATE OR DELETE ON stores
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_pricing_version();
CREATE CONSTRAINT TRIGGER promotions_pricing_version AFTER INSERT OR UPDATE OR DELETE ON promotions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_pricing_version();
CREATE CONSTRAINT TRIGGER promotion_products_pricing_version
    AFTER INSERT OR UPDATE OR DELETE ON promotion_products
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_pricing_version();
CREATE CONSTRAINT TRIGGER promotion_categories_pricing_version
    AFTER INSERT OR UPDATE OR DELETE ON promotion_categories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_pricing_version();
CREATE CONSTRAINT TRIGGER promotion_stores_pricing_version
    AFTER INSERT OR UPDATE OR DELETE ON promotion_stores
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_pricing_version();
