-- The column the presence service writes each user's last sign of life to, and its index.
-- Idempotent: safe to run again, and on a Supabase project where the column already exists.
ALTER TABLE sys_user
  ADD COLUMN IF NOT EXISTS last_seen TIMESTAMP WITH TIME ZONE DEFAULT NOW();

CREATE INDEX IF NOT EXISTS idx_sys_user_last_seen ON sys_user (last_seen);
