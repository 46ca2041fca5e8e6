-- +goose Up

-- Text a citizen typed while several complaints waited for their reply, kept until they
-- say which complaint it answers; and whether the description may go on in a further
-- message (a chat app splits a long text).
ALTER TABLE session ADD COLUMN pending text NOT NULL DEFAULT '';
ALTER TABLE session ADD COLUMN partial boolean NOT NULL DEFAULT false;

-- A citizen's reply to one of the desk's messages is matched to the message by its
-- receipt.
CREATE INDEX outbox_chat_receipt ON outbox (channel, chat, receipt) WHERE receipt <> '';

-- +goose Down
DROP INDEX outbox_chat_receipt;
ALTER TABLE session DROP COLUMN partial, DROP COLUMN pending;
