-- Default permissions and the three system roles. Idempotent: existing rows are left as they are,
-- so a store that narrowed a role keeps its choice.
insert into public.permissions (key, description) values
  ('catalog.read', 'View products and categories.'),
  ('catalog.write', 'Create, edit and archive products and categories.'),
  ('orders.read', 'View orders.'),
  ('orders.write', 'Update order status, refunds and notes.'),
  ('customers.read', 'View customers.'),
  ('customers.write', 'Edit and erase customers.'),
  ('settings.read', 'View store settings.'),
  ('settings.write', 'Change store settings.'),
  ('staff.manage', 'Invite staff and assign roles.')
on conflict (key) do nothing;

insert into public.roles (key, name, description, is_system) values
  ('store_admin', 'Store admin', 'Everything, including settings and staff.', true),
  ('staff', 'Staff', 'Runs the shop: catalogue, orders and customers.', true),
  ('viewer', 'Viewer', 'Read-only access.', true)
on conflict (key) do nothing;

insert into public.role_permissions (role_key, permission_key)
select 'store_admin', key from public.permissions
where key in ('catalog.read', 'catalog.write', 'orders.read', 'orders.write', 'customers.read',
              'customers.write', 'settings.read', 'settings.write', 'staff.manage')
union all
select 'staff', key from public.permissions
where key in ('catalog.read', 'catalog.write', 'orders.read', 'orders.write', 'customers.read',
              'customers.write', 'settings.read')
union all
select 'viewer', key from public.permissions
where key in ('catalog.read', 'orders.read', 'customers.read', 'settings.read')
on conflict (role_key, permission_key) do nothing;
