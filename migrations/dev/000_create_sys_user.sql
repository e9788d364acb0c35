-- LOCAL DEVELOPMENT ONLY (applied by `npm run migrate -- --dev`, never by plain `npm run migrate`).
-- A minimal sys_user for a standalone PostgreSQL, where the application's own table does not exist.
-- Harmless where the table exists (a Supabase project): it creates nothing then.
CREATE TABLE IF NOT EXISTS sys_user (
  sys_user_id BIGINT PRIMARY KEY,
  sys_user_email TEXT
);
