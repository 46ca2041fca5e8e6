-- +goose Up

-- What a surface without buttons showed with a delivered message: the options it
-- numbered, in order ([{"label", "key", "data"}, …]; [] when it showed none), and
-- whether typed text was an answer too. NULL for a message that offered nothing to
-- answer (or that a surface with buttons showed). A typed "2" or a label is read against
-- the message it quotes, or in a private chat against the chat's latest such message.
ALTER TABLE outbox ADD COLUMN choices jsonb;
ALTER TABLE outbox ADD COLUMN free_text boolean NOT NULL DEFAULT false;

-- The latest message of a chat that offered something to answer.
CREATE INDEX outbox_chat_choices ON outbox (channel, chat, id) WHERE choices IS NOT NULL;

-- +goose Down
DROP INDEX outbox_chat_choices;
ALTER TABLE outbox DROP COLUMN free_text, DROP COLUMN choices;
