-- last_active (CONTRACT §8) beside last_seen: a column of sys_user, and writes and reads of both in one call, one round
-- trip per flush, like last_seen alone. The functions are new ones, beside 002's and 005's, which stay as they were: a
-- node of the previous release still calls those during a rolling upgrade, and they leave last_active alone. They can
-- be dropped once no such node is left. Idempotent, like the migrations before it.
ALTER TABLE sys_user
  ADD COLUMN IF NOT EXISTS last_active TIMESTAMP WITH TIME ZONE;

-- Sets each user's last_seen and last_active to the given times, each unless it already holds a later one (never
-- backwards, each on its own). A NULL time gives nothing: PostgreSQL's GREATEST and max() skip NULLs, so one never
-- erases a value. A user given twice in one batch counts once, with the latest of each. Returns the ids that have no
-- sys_user row.
CREATE OR REPLACE FUNCTION presence_record_last_seen_and_active(p_ids text[], p_seen timestamptz[], p_active timestamptz[])
RETURNS TABLE (missing_id text)
LANGUAGE plpgsql AS $$
DECLARE
  id_type text := presence_sys_user_id_type();
  n integer := coalesce(array_length(p_ids, 1), 0);
BEGIN
  IF coalesce(array_length(p_seen, 1), 0) <> n OR coalesce(array_length(p_active, 1), 0) <> n THEN
    RAISE EXCEPTION 'p_ids, p_seen and p_active differ in length';
  END IF;
  RETURN QUERY EXECUTE format($q$
    WITH given AS (
      SELECT id, max(seen) AS seen, max(active) AS active
      FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS t(id, seen, active)
      GROUP BY id
    ), keyed AS (
      SELECT id, seen, active, CASE WHEN %2$s THEN id::%1$s END AS key FROM given
    ), updated AS (
      UPDATE sys_user u SET last_seen = GREATEST(u.last_seen, k.seen), last_active = GREATEST(u.last_active, k.active)
      FROM keyed k
      WHERE u.sys_user_id = k.key
        AND (u.last_seen IS NULL OR u.last_seen < k.seen OR (u.last_active IS NULL AND k.active IS NOT NULL) OR u.last_active < k.active)
      RETURNING u.sys_user_id
    )
    SELECT k.id FROM keyed k WHERE NOT EXISTS (SELECT 1 FROM sys_user u WHERE u.sys_user_id = k.key)
  $q$, id_type, presence_castable_id_predicate(id_type)) USING p_ids, p_seen, p_active;
END
$$;

-- The stored last_seen and last_active (NULL: none yet) of the given users that have a row and a last_seen.
CREATE OR REPLACE FUNCTION presence_last_seen_and_active(p_ids text[])
RETURNS TABLE (user_id text, seen_at timestamptz, active_at timestamptz, id_is_number boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  id_type text := presence_sys_user_id_type();
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT u.sys_user_id::text, u.last_seen, u.last_active, %3$L::boolean
    FROM (SELECT DISTINCT id FROM unnest($1::text[]) AS t(id) WHERE %2$s) AS given
    JOIN sys_user u ON u.sys_user_id = given.id::%1$s
    WHERE u.last_seen IS NOT NULL
  $q$, id_type, presence_castable_id_predicate(id_type), id_type IN ('smallint', 'integer', 'bigint')) USING p_ids;
END
$$;

-- 005's write with last_active: id_is_number and user_type go with last_seen (replaced unless a later last_seen is
-- stored), last_active moves on its own, so an older last_seen may still bring a newer last_active, and NULL erases
-- none. A user given twice in one batch counts once: the latest last_seen (the later in the arrays on a tie) with its
-- id form and type, and the latest last_active of them all.
CREATE OR REPLACE FUNCTION presence_record_tenant_last_seen_and_active(
  p_tenants text[], p_ids text[], p_id_is_number boolean[], p_seen timestamptz[], p_active timestamptz[], p_types text[]
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  n integer := coalesce(array_length(p_ids, 1), 0);
BEGIN
  IF coalesce(array_length(p_tenants, 1), 0) <> n OR coalesce(array_length(p_id_is_number, 1), 0) <> n
     OR coalesce(array_length(p_seen, 1), 0) <> n OR coalesce(array_length(p_active, 1), 0) <> n
     OR coalesce(array_length(p_types, 1), 0) <> n THEN
    RAISE EXCEPTION 'p_tenants, p_ids, p_id_is_number, p_seen, p_active and p_types differ in length';
  END IF;
  INSERT INTO presence_tenant_last_seen AS stored (tenant, user_key, id_is_number, last_seen, last_active, user_type)
  SELECT DISTINCT ON (g.tenant, g.id) g.tenant, g.id, g.is_number, g.seen, max(g.active) OVER (PARTITION BY g.tenant, g.id), g.type
  FROM unnest(p_tenants, p_ids, p_id_is_number, p_seen, p_active, p_types)
    WITH ORDINALITY AS g(tenant, id, is_number, seen, active, type, position)
  ORDER BY g.tenant, g.id, g.seen DESC, g.position DESC
  ON CONFLICT (tenant, user_key) DO UPDATE
    SET last_seen = GREATEST(stored.last_seen, excluded.last_seen),
        id_is_number = CASE WHEN stored.last_seen <= excluded.last_seen THEN excluded.id_is_number ELSE stored.id_is_number END,
        user_type = CASE WHEN stored.last_seen <= excluded.last_seen THEN excluded.user_type ELSE stored.user_type END,
        last_active = GREATEST(stored.last_active, excluded.last_active)
    WHERE stored.last_seen <= excluded.last_seen
       OR (stored.last_active IS NULL AND excluded.last_active IS NOT NULL) OR stored.last_active < excluded.last_active;
END
$$;

-- 005's read with last_active (NULL: none yet), through the primary key.
CREATE OR REPLACE FUNCTION presence_tenant_last_seen_and_active(p_tenant text, p_ids text[])
RETURNS TABLE (user_id text, seen_at timestamptz, active_at timestamptz, id_is_number boolean, user_type text)
LANGUAGE sql STABLE AS $$
  SELECT t.user_key, t.last_seen, t.last_active, t.id_is_number, t.user_type
  FROM presence_tenant_last_seen t
  WHERE t.tenant = p_tenant AND t.user_key = ANY (p_ids)
$$;
