-- +goose Up

-- A lease belongs to a process: lease_owner is the key that process holds an advisory
-- lock on for as long as it lives (pg_advisory_lock(1633973601, lease_owner), on a
-- connection of its own). A lease whose owner's lock is gone is free at once, whatever
-- locked_until says; locked_until stays the limit for an owner that hangs.
ALTER TABLE outbox ADD COLUMN lease_owner bigint;
ALTER TABLE inbox ADD COLUMN lease_owner bigint;

-- How far a message sent in several parts got: parts the channel accepted (receipt is
-- the last one's reference, thread the forum topic opened for it), so that a retry after
-- a crash goes on from there instead of sending them again.
ALTER TABLE outbox ADD COLUMN parts_sent integer NOT NULL DEFAULT 0;

-- An answer to what a person just did in a group (a prompt for text, a confirmation, a
-- refusal): it does not wait behind the chat's pending card edits.
ALTER TABLE outbox ADD COLUMN answer boolean NOT NULL DEFAULT false;

-- Pending card edits, to find those a newer edit of the same message makes pointless.
CREATE INDEX outbox_pending_edit ON outbox (edit_of, id) WHERE edit_of IS NOT NULL AND delivered_at IS NULL AND failed_at IS NULL;

-- +goose Down
DROP INDEX outbox_pending_edit;
ALTER TABLE outbox DROP COLUMN answer, DROP COLUMN parts_sent, DROP COLUMN lease_owner;
ALTER TABLE inbox DROP COLUMN lease_owner;
