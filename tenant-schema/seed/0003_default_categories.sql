-- Starter categories so a new store can list products at once. Idempotent by slug: a store that
-- renamed one keeps its name.
insert into public.categories (name, slug, description, position) values
  ('Uncategorized', 'uncategorized', 'Products without a category.', 0),
  ('New arrivals', 'new-arrivals', 'Recently added products.', 10),
  ('Sale', 'sale', 'Discounted products.', 20)
on conflict (slug) do nothing;
