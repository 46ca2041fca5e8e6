-- +goose Up

-- A citizen's conversation: language, step and the complaint being written.
CREATE TABLE session (
    channel       text NOT NULL,
    chat          text NOT NULL,
    lang          text NOT NULL DEFAULT 'id',
    step          text NOT NULL DEFAULT '',
    draft         jsonb NOT NULL DEFAULT '{}',
    fixing        boolean NOT NULL DEFAULT false,
    focus         text NOT NULL DEFAULT '',
    resume        text NOT NULL DEFAULT '',
    nudged        boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL,
    next_check_at timestamptz,
    PRIMARY KEY (channel, chat)
);
CREATE INDEX session_next_check ON session (next_check_at) WHERE next_check_at IS NOT NULL;

-- The card of a complaint in each group chat that received one: the outbox row that
-- carried it (whose receipt is the channel's message ID) and the forum topic, if any.
CREATE TABLE card (
    complaint_id bigint NOT NULL REFERENCES complaint (id),
    channel      text NOT NULL,
    chat         text NOT NULL,
    unit         text NOT NULL,
    outbox_id    bigint NOT NULL REFERENCES outbox (id),
    thread       text NOT NULL DEFAULT '',
    PRIMARY KEY (complaint_id, channel, chat)
);
CREATE INDEX card_outbox ON card (outbox_id);

-- Card edits point at the card message they replace; threads are kept per card.
ALTER TABLE outbox ADD COLUMN edit_of bigint REFERENCES outbox (id);
ALTER TABLE outbox ADD COLUMN thread text NOT NULL DEFAULT '';
CREATE INDEX outbox_edit_of ON outbox (edit_of) WHERE edit_of IS NOT NULL;

-- An action pressed on a card that waits for its text (a reason, an answer, findings…),
-- then for confirmation.
CREATE TABLE pending_action (
    id           bigserial PRIMARY KEY,
    channel      text NOT NULL,
    chat         text NOT NULL,
    unit         text NOT NULL,
    complaint_id bigint NOT NULL REFERENCES complaint (id),
    version      integer NOT NULL,
    event        text NOT NULL,
    target       text NOT NULL DEFAULT '',
    prompt_id    bigint NOT NULL REFERENCES outbox (id),
    text         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    done_at      timestamptz
);
CREATE INDEX pending_action_prompt ON pending_action (prompt_id);

-- Inbound messages are handled in order per chat, under a lease, like the outbox.
ALTER TABLE inbox ADD COLUMN id bigserial;
ALTER TABLE inbox ADD COLUMN locked_until timestamptz;
ALTER TABLE inbox ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN last_error text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX inbox_id ON inbox (id);
CREATE INDEX inbox_pending_chat ON inbox (channel, chat, id) WHERE handled_at IS NULL;

-- Files citizens sent, kept so that the record does not depend on the chat network.
CREATE TABLE attachment_file (
    id         bigserial PRIMARY KEY,
    channel    text NOT NULL,
    file_ref   text NOT NULL,
    name       text NOT NULL DEFAULT '',
    mime       text NOT NULL DEFAULT '',
    size       bigint NOT NULL,
    sha256     bytea NOT NULL,
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE attachment_file;
DROP INDEX inbox_pending_chat;
DROP INDEX inbox_id;
ALTER TABLE inbox DROP COLUMN last_error, DROP COLUMN attempts, DROP COLUMN locked_until, DROP COLUMN id;
DROP TABLE pending_action;
ALTER TABLE outbox DROP COLUMN thread, DROP COLUMN edit_of;
DROP TABLE card;
DROP TABLE session;
