-- The promotions a sale applies are looked up from its products and their categories
-- (domain::promotions::current_promotions, on the hot path of every sale and quote): products
-- have their index (promotion_products_product_idx); categories get theirs.
CREATE INDEX promotion_categories_category_idx ON promotion_categories (category_id);
