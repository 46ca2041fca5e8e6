-- +goose Up

-- The web channel's chats as the page shows them: every line of a web chat (a
-- citizen's conversation in a browser, or a practice desk's unit group), the desk's
-- messages as rendered for the page and what the person sent, in order. A line the
-- desk edits later (a card kept current) keeps its ref and gets a new version, so a
-- page asks for what changed since the version it shows.
CREATE SEQUENCE web_line_version;
CREATE TABLE web_line (
    id         bigserial PRIMARY KEY,
    chat       text NOT NULL,
    ref        text NOT NULL UNIQUE,  -- the receipt's reference ('w' and the id); what an edit names
    outbox_id  bigint UNIQUE,         -- the outbox message delivered: delivering it again changes nothing
    body       jsonb NOT NULL,        -- the line (bot/web.Line)
    version    bigint NOT NULL DEFAULT nextval('web_line_version'),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX web_line_chat ON web_line (chat, version);

-- +goose Down
DROP TABLE web_line;
DROP SEQUENCE web_line_version;
