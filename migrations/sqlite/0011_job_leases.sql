-- A running job renews its lease (a heartbeat on locked_until); lease_id names the claim that
-- holds it, so an instance whose lease ran out and was taken can neither renew nor finish it.
ALTER TABLE jobs ADD COLUMN lease_id BLOB;
-- At most one live (queued or running) job per key: one Microsoft 365 sync per customer at a
-- time, across instances. An insert that meets a live job with its key adds nothing.
ALTER TABLE jobs ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key)
    WHERE dedupe_key IS NOT NULL AND done_at IS NULL AND failed_at IS NULL;
