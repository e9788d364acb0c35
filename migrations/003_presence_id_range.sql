-- An id that looks like a number but does not fit the sys_user_id column (9999999999 for an integer column) has no
-- row, like any unknown id: it must not fail the whole batch it came in. Replaces 002's test with one that checks
-- the range of the column's integer type.
CREATE OR REPLACE FUNCTION presence_castable_id_predicate(id_type text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE id_type
    WHEN 'smallint' THEN $p$(CASE WHEN id ~ '^-?[0-9]{1,5}$' THEN id::numeric BETWEEN -32768 AND 32767 ELSE false END)$p$
    WHEN 'integer' THEN $p$(CASE WHEN id ~ '^-?[0-9]{1,10}$' THEN id::numeric BETWEEN -2147483648 AND 2147483647 ELSE false END)$p$
    WHEN 'bigint' THEN $p$(CASE WHEN id ~ '^-?[0-9]{1,19}$' THEN id::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 ELSE false END)$p$
    WHEN 'uuid' THEN $p$id ~* '^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$'$p$
    ELSE 'true'
  END
$$;
