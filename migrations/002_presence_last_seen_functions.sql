-- Batched last_seen writes and reads for the presence service: one call, one round trip, however many users.
-- sys_user_id may be an integer, a uuid or text; ids arrive as text and are compared in the column's own type,
-- so the primary key index is used. An id that cannot be of that type has no row, like an unknown one.

CREATE OR REPLACE FUNCTION presence_sys_user_id_type() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a
  WHERE a.attrelid = 'sys_user'::regclass AND a.attname = 'sys_user_id' AND NOT a.attisdropped
$$;

-- The SQL test that tells whether a text id can be cast to the column's type, for format() below.
CREATE OR REPLACE FUNCTION presence_castable_id_predicate(id_type text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN id_type IN ('smallint', 'integer', 'bigint') THEN $p$id ~ '^-?[0-9]{1,15}$'$p$
    WHEN id_type = 'uuid' THEN $p$id ~* '^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$'$p$
    ELSE 'true'
  END
$$;

-- Sets each user's last_seen to the given time unless it already holds a later one (never backwards).
-- Returns the ids that have no sys_user row.
CREATE OR REPLACE FUNCTION presence_record_last_seen(p_ids text[], p_seen timestamptz[])
RETURNS TABLE (missing_id text)
LANGUAGE plpgsql AS $$
DECLARE
  id_type text := presence_sys_user_id_type();
BEGIN
  IF coalesce(array_length(p_ids, 1), 0) <> coalesce(array_length(p_seen, 1), 0) THEN
    RAISE EXCEPTION 'p_ids and p_seen differ in length';
  END IF;
  RETURN QUERY EXECUTE format($q$
    WITH given AS (
      SELECT DISTINCT ON (id) id, seen FROM unnest($1::text[], $2::timestamptz[]) AS t(id, seen) ORDER BY id, seen DESC
    ), keyed AS (
      SELECT id, seen, CASE WHEN %2$s THEN id::%1$s END AS key FROM given
    ), updated AS (
      UPDATE sys_user u SET last_seen = k.seen
      FROM keyed k
      WHERE u.sys_user_id = k.key AND (u.last_seen IS NULL OR u.last_seen < k.seen)
      RETURNING u.sys_user_id
    )
    SELECT k.id FROM keyed k WHERE NOT EXISTS (SELECT 1 FROM sys_user u WHERE u.sys_user_id = k.key)
  $q$, id_type, presence_castable_id_predicate(id_type)) USING p_ids, p_seen;
END
$$;

-- The stored last_seen of the given users that have a row and a value; `id_is_number` says the id column is a number.
CREATE OR REPLACE FUNCTION presence_last_seen(p_ids text[])
RETURNS TABLE (user_id text, seen_at timestamptz, id_is_number boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  id_type text := presence_sys_user_id_type();
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT u.sys_user_id::text, u.last_seen, %3$L::boolean
    FROM (SELECT DISTINCT id FROM unnest($1::text[]) AS t(id) WHERE %2$s) AS given
    JOIN sys_user u ON u.sys_user_id = given.id::%1$s
    WHERE u.last_seen IS NOT NULL
  $q$, id_type, presence_castable_id_predicate(id_type), id_type IN ('smallint', 'integer', 'bigint')) USING p_ids;
END
$$;
