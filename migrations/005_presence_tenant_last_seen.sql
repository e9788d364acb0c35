-- last_seen of users partitioned by tenant (CONTRACT §9): a table of the service's own, keyed by (tenant, user id), so
-- that the same id in two tenants is two users; sys_user is not written while tenants are on. Rows are made on write.
-- Idempotent, like the migrations before it.
CREATE TABLE IF NOT EXISTS presence_tenant_last_seen (
  tenant text NOT NULL,
  -- The id's canonical text (String(userId)): 7 and "7" are one user, "07" another.
  user_key text NOT NULL,
  -- Whether the id was given as a number, so that 7 reads back as the number 7.
  id_is_number boolean NOT NULL,
  last_seen timestamptz NOT NULL,
  last_active timestamptz NULL,
  user_type text NULL,
  PRIMARY KEY (tenant, user_key)
);

-- On Supabase every table of the public schema is reachable with the anon key: without row level security any client
-- could read or write every tenant's users. With it and no policy, only the table's owner and roles that bypass it
-- (service_role, which the presence service uses) see the rows.
ALTER TABLE presence_tenant_last_seen ENABLE ROW LEVEL SECURITY;

-- Sets each (tenant, user)'s last_seen, id_is_number and user_type to the given ones unless a later last_seen is
-- stored (never backwards). A user given twice in one batch counts once, with its latest time (the later in the
-- arrays on a tie). A NULL type is stored as given: the user was online with no type.
CREATE OR REPLACE FUNCTION presence_record_tenant_last_seen(
  p_tenants text[], p_ids text[], p_id_is_number boolean[], p_seen timestamptz[], p_types text[]
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  n integer := coalesce(array_length(p_ids, 1), 0);
BEGIN
  IF coalesce(array_length(p_tenants, 1), 0) <> n OR coalesce(array_length(p_id_is_number, 1), 0) <> n
     OR coalesce(array_length(p_seen, 1), 0) <> n OR coalesce(array_length(p_types, 1), 0) <> n THEN
    RAISE EXCEPTION 'p_tenants, p_ids, p_id_is_number, p_seen and p_types differ in length';
  END IF;
  INSERT INTO presence_tenant_last_seen AS stored (tenant, user_key, id_is_number, last_seen, last_active, user_type)
  SELECT DISTINCT ON (g.tenant, g.id) g.tenant, g.id, g.is_number, g.seen, NULL, g.type
  FROM unnest(p_tenants, p_ids, p_id_is_number, p_seen, p_types) WITH ORDINALITY AS g(tenant, id, is_number, seen, type, position)
  ORDER BY g.tenant, g.id, g.seen DESC, g.position DESC
  -- last_active is left as it is: this write has none to give, and NULL must not erase one.
  ON CONFLICT (tenant, user_key) DO UPDATE
    SET last_seen = excluded.last_seen, id_is_number = excluded.id_is_number, user_type = excluded.user_type
    WHERE stored.last_seen <= excluded.last_seen;
END
$$;

-- The stored rows of one tenant for the given ids (through the primary key); ids never seen have none.
CREATE OR REPLACE FUNCTION presence_tenant_last_seen(p_tenant text, p_ids text[])
RETURNS TABLE (user_id text, seen_at timestamptz, id_is_number boolean, user_type text)
LANGUAGE sql STABLE AS $$
  SELECT t.user_key, t.last_seen, t.id_is_number, t.user_type
  FROM presence_tenant_last_seen t
  WHERE t.tenant = p_tenant AND t.user_key = ANY (p_ids)
$$;
