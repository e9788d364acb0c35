-- CONTRACT §10's webhook outbox for a node whose store is in memory, with DATABASE_URL: the events not yet
-- acknowledged by every endpoint, written every WEBHOOK_BATCH_MS in one round trip with the endpoints' cursors, and
-- read back when the node starts again, so that a restart (or a kill -9, but for the last interval) loses none.
-- `event` is JSON, not JSONB, so that receivers get each event's fields in the order the service wrote them.
-- Endpoints are named by a hash of their URL (a URL can hold credentials). Idempotent, like the migrations before it.
CREATE TABLE IF NOT EXISTS presence_webhook_outbox (
  seq BIGINT PRIMARY KEY,
  appended_at TIMESTAMP WITH TIME ZONE NOT NULL,
  event JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS presence_webhook_cursors (
  endpoint TEXT PRIMARY KEY,
  seq BIGINT NOT NULL
);
