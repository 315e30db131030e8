-- Default store settings. The provisioning engine overwrites store.name (and currency, locale,
-- timezone when the organization chose them) after seeding; a store edits the rest itself.
-- Idempotent: an existing key is never overwritten.
insert into public.store_settings (key, value, description) values
  ('store.name', '"My store"', 'Name shown to shoppers.'),
  ('store.currency', '"EUR"', 'ISO 4217 currency for new products and orders.'),
  ('store.locale', '"en"', 'Default language (BCP 47).'),
  ('store.timezone', '"UTC"', 'IANA time zone for reports and order dates.'),
  ('store.contact_email', 'null', 'Where shoppers can reach the store.'),
  ('checkout.guest_enabled', 'true', 'Shoppers may order without an account.'),
  ('checkout.min_order_amount', '0', 'Smallest order subtotal accepted.'),
  ('inventory.track_stock', 'true', 'Refuse orders for products without stock.'),
  ('inventory.low_stock_threshold', '5', 'Stock level that marks a product as running low.'),
  ('tax.prices_include_tax', 'true', 'Catalogue prices include tax.'),
  ('tax.default_rate', '0.21', 'Tax rate applied when no rule matches.'),
  ('orders.number_prefix', '"#"', 'Shown before order numbers.')
on conflict (key) do nothing;
