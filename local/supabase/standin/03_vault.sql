-- Local stand-in for Supabase Vault 0.3.1's SQL surface (reference §1.1–1.6): schema `vault`,
-- `vault.secrets`, the `vault.decrypted_secrets` view, `vault.create_secret` / `vault.update_secret`
-- and the three `_crypto_aead_det_*` functions, with the grants Supabase applies (§1.3).
--
-- Applied as the cluster superuser `supabase_admin` (so every object below belongs to it, as on
-- hosted Supabase); never a migration. Idempotent: applied on every dev start and test run.
--
-- Crypto: hosted Vault uses libsodium's deterministic XChaCha20 AEAD with a root key that SQL can
-- never see. This stand-in uses pgcrypto (schema `extensions`, installed by 01_roles.sql) as an
-- encrypt-then-MAC SIV construction:
--   siv = HMAC-SHA256(k_siv, len‖nonce‖len‖additional‖message)[0:16]
--   ct  = AES-256-CBC(k_enc, iv = siv, message)        -- extensions.encrypt_iv
--   tag = HMAC-SHA256(k_mac, len‖additional‖len‖nonce‖siv‖ct)
--   out = siv ‖ ct ‖ tag
-- with k_enc / k_siv / k_mac derived by HMAC from the 32-byte root key, key_id and context.
-- AAD (`additional`) is the row id, so ciphertext moved to another row fails to decrypt with
-- `22000 pgsodium_crypto_aead_det_decrypt_by_id: invalid ciphertext`, as on hosted Vault.
-- The root key lives in `vault._root_key`, readable by its owner only; applyStandin() in
-- local/supabase/database.ts inserts it (bind parameter) once this table exists.
-- Not emulated: libsodium's algorithm and ciphertext length, the root key living outside SQL.

create schema if not exists vault;
comment on schema vault is 'Supabase Vault (local stand-in: local/supabase/standin/03_vault.sql).';
revoke all on schema vault from public;

-- The root key: owner-only (supabase_admin). Hosted Vault keeps it in server memory instead.
create table if not exists vault._root_key (
  id int primary key check (id = 1),
  key bytea not null check (length(key) = 32)
);
comment on table vault._root_key is 'Local stand-in only: the 32-byte Vault root key (hosted Vault reads it from vault.getkey_script at server start and never exposes it to SQL). Owner-only.';
revoke all on table vault._root_key from public, postgres, anon, authenticated, service_role;

-- Key derivation: one 32-byte subkey per purpose, key_id and 8-byte context.
create or replace function vault._derive_key(purpose text, key_id bigint, context bytea) returns bytea
language plpgsql stable security definer set search_path = ''
as $$
declare
  root bytea;
begin
  if context is null or length(context) <> 8 then
    raise exception 'context must be 8 bytes' using errcode = '22023';
  end if;
  select k.key into root from vault._root_key k where k.id = 1;
  if root is null then
    raise exception 'pgsodium_derive: no server secret key defined.' using errcode = 'XX000';
  end if;
  return extensions.hmac(convert_to('supabase-vault-standin/' || purpose || '/', 'utf8') || pg_catalog.int8send(coalesce(key_id, 0)) || context, root, 'sha256');
end
$$;
comment on function vault._derive_key(text, bigint, bytea) is 'Local stand-in only: HMAC-SHA256 subkey derivation from vault._root_key.';
revoke all on function vault._derive_key(text, bigint, bytea) from public, postgres, anon, authenticated, service_role;

create or replace function vault._crypto_aead_det_noncegen() returns bytea
language sql volatile security definer set search_path = ''
as $$ select extensions.gen_random_bytes(16) $$;
comment on function vault._crypto_aead_det_noncegen() is 'Vault: 16 random bytes for a secret''s nonce (local stand-in over pgcrypto).';

create or replace function vault._crypto_aead_det_encrypt(message bytea, additional bytea, key_id bigint, context bytea = 'pgsodium', nonce bytea = null) returns bytea
language plpgsql stable security definer set search_path = ''
as $$
declare
  n bytea := coalesce(nonce, ''::bytea);
  a bytea := coalesce(additional, ''::bytea);
  siv bytea;
  ct bytea;
begin
  if message is null then
    return null;
  end if;
  siv := substring(extensions.hmac(
    pg_catalog.int4send(length(n)) || n || pg_catalog.int4send(length(a)) || a || message,
    vault._derive_key('siv', key_id, context), 'sha256') from 1 for 16);
  ct := extensions.encrypt_iv(message, vault._derive_key('enc', key_id, context), siv, 'aes-cbc/pad:pkcs');
  return siv || ct || extensions.hmac(
    pg_catalog.int4send(length(a)) || a || pg_catalog.int4send(length(n)) || n || siv || ct,
    vault._derive_key('mac', key_id, context), 'sha256');
end
$$;
comment on function vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea) is 'Vault: deterministic AEAD encryption (local stand-in: AES-256-CBC + HMAC-SHA256, SIV).';

create or replace function vault._crypto_aead_det_decrypt(message bytea, additional bytea, key_id bigint, context bytea = 'pgsodium', nonce bytea = null) returns bytea
language plpgsql stable security definer set search_path = ''
as $$
declare
  n bytea := coalesce(nonce, ''::bytea);
  a bytea := coalesce(additional, ''::bytea);
  total int;
  siv bytea;
  ct bytea;
  tag bytea;
  plain bytea;
begin
  if message is null then
    return null;
  end if;
  total := length(message);
  -- siv (16) + at least one AES block (16) + tag (32)
  if total < 64 or (total - 48) % 16 <> 0 then
    raise exception 'pgsodium_crypto_aead_det_decrypt_by_id: invalid ciphertext' using errcode = '22000';
  end if;
  siv := substring(message from 1 for 16);
  ct := substring(message from 17 for total - 48);
  tag := substring(message from total - 31 for 32);
  if tag <> extensions.hmac(
       pg_catalog.int4send(length(a)) || a || pg_catalog.int4send(length(n)) || n || siv || ct,
       vault._derive_key('mac', key_id, context), 'sha256') then
    raise exception 'pgsodium_crypto_aead_det_decrypt_by_id: invalid ciphertext' using errcode = '22000';
  end if;
  plain := extensions.decrypt_iv(ct, vault._derive_key('enc', key_id, context), siv, 'aes-cbc/pad:pkcs');
  if siv <> substring(extensions.hmac(
       pg_catalog.int4send(length(n)) || n || pg_catalog.int4send(length(a)) || a || plain,
       vault._derive_key('siv', key_id, context), 'sha256') from 1 for 16) then
    raise exception 'pgsodium_crypto_aead_det_decrypt_by_id: invalid ciphertext' using errcode = '22000';
  end if;
  return plain;
end
$$;
comment on function vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea) is 'Vault: deterministic AEAD decryption; 22000 invalid ciphertext on a bad tag (local stand-in).';

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default vault._crypto_aead_det_noncegen(),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
create unique index if not exists secrets_name_idx on vault.secrets using btree (name) where name is not null;
comment on table vault.secrets is 'Vault: encrypted secrets (base64 ciphertext in `secret`). Write only through vault.create_secret / vault.update_secret.';

create or replace view vault.decrypted_secrets as
select
  s.id,
  s.name,
  s.description,
  s.secret,
  convert_from(
    vault._crypto_aead_det_decrypt(
      message := decode(s.secret, 'base64'),
      additional := convert_to(s.id::text, 'utf8'),
      key_id := 0,
      context := 'pgsodium'::bytea,
      nonce := s.nonce
    ),
    'utf8'
  ) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;
comment on view vault.decrypted_secrets is 'Vault: secrets with their plaintext. Needs USAGE on vault, SELECT here and EXECUTE on vault._crypto_aead_det_decrypt.';

-- Unlike hosted Vault 0.3.1 (INSERT plaintext, then UPDATE to ciphertext, leaving a plaintext dead
-- tuple until vacuum), the stand-in encrypts before its single INSERT. Same SQL surface and result.
create or replace function vault.create_secret(new_secret text, new_name text = null, new_description text = '', new_key_id uuid = null) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  new_id uuid := gen_random_uuid();
  new_nonce bytea := vault._crypto_aead_det_noncegen();
begin
  insert into vault.secrets (id, secret, name, description, nonce)
  values (
    new_id,
    encode(vault._crypto_aead_det_encrypt(convert_to(new_secret, 'utf8'), convert_to(new_id::text, 'utf8'), 0, 'pgsodium'::bytea, new_nonce), 'base64'),
    new_name,
    coalesce(new_description, ''),
    new_nonce
  );
  return new_id;
end
$$;
comment on function vault.create_secret(text, text, text, uuid) is 'Vault: stores a new encrypted secret and returns its id; a duplicate name raises unique_violation (secrets_name_idx).';

create or replace function vault.update_secret(secret_id uuid, new_secret text = null, new_name text = null, new_description text = null, new_key_id uuid = null) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  -- As hosted Vault does: read the current plaintext first (fails on a tampered row).
  current_secret text := (select d.decrypted_secret from vault.decrypted_secrets d where d.id = secret_id);
begin
  update vault.secrets s
  set
    secret = case
      when new_secret is null then s.secret
      else encode(vault._crypto_aead_det_encrypt(convert_to(new_secret, 'utf8'), convert_to(s.id::text, 'utf8'), 0, 'pgsodium'::bytea, s.nonce), 'base64')
    end,
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = now()
  where s.id = secret_id;
end
$$;
comment on function vault.update_secret(uuid, text, text, text, uuid) is 'Vault: re-encrypts (same nonce), renames or re-describes a secret; a silent no-op for an unknown id.';

-- Grants as Supabase applies them after CREATE EXTENSION supabase_vault (reference §1.3).
revoke all on function
  vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_noncegen(),
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid)
from public, anon, authenticated;
revoke all on table vault.secrets, vault.decrypted_secrets from public, anon, authenticated;
revoke all on schema vault from anon, authenticated;

grant usage on schema vault to postgres with grant option;
grant select, delete, truncate, references on table vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
to postgres with grant option;

grant usage on schema vault to service_role;
grant select, delete on table vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
to service_role;
