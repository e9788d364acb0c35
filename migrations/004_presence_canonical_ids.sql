-- Only an id in its canonical text form may name a row of a numeric or uuid sys_user_id: "07" is a user of its
-- own, not sys_user 7, and "7.0", "+7", "-0" or an upper-case uuid are not those rows either (CONTRACT §1). Such
-- an id has no row, like an unknown one: it is skipped and counted, and never moves another user's last_seen.
-- Replaces 003's test, keeping its range checks; a numeric column, with or without a precision, takes whole numbers.
CREATE OR REPLACE FUNCTION presence_castable_id_predicate(id_type text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN id_type = 'smallint' THEN $p$(CASE WHEN id ~ '^(0|-?[1-9][0-9]{0,4})$' THEN id::numeric BETWEEN -32768 AND 32767 ELSE false END)$p$
    WHEN id_type = 'integer' THEN $p$(CASE WHEN id ~ '^(0|-?[1-9][0-9]{0,9})$' THEN id::numeric BETWEEN -2147483648 AND 2147483647 ELSE false END)$p$
    WHEN id_type = 'bigint' THEN $p$(CASE WHEN id ~ '^(0|-?[1-9][0-9]{0,18})$' THEN id::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 ELSE false END)$p$
    WHEN id_type = 'numeric' OR id_type LIKE 'numeric(%' THEN $p$id ~ '^(0|-?[1-9][0-9]{0,130})$'$p$
    WHEN id_type = 'uuid' THEN $p$id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'$p$
    ELSE 'true'
  END
$$;
