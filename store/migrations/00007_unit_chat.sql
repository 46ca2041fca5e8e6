-- +goose Up

-- The group chats of the units, any number per unit on any channel. A chat serves one
-- unit (checked at the end of the transaction, so that `units apply` can move a chat
-- from one unit to another); a retired unit keeps none (unit_change keeps them).
CREATE TABLE unit_chat (
    unit    text NOT NULL REFERENCES unit (code),
    channel text NOT NULL CHECK (channel <> ''),
    chat    text NOT NULL CHECK (chat <> ''),
    CONSTRAINT unit_chat_one_unit UNIQUE (channel, chat) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX unit_chat_unit ON unit_chat (unit);

-- +goose StatementBegin
DO $$
DECLARE
    shared record;
BEGIN
    SELECT channel, chat, string_agg(code, ', ' ORDER BY code) AS units INTO shared
    FROM (SELECT code, 'telegram' AS channel, telegram_chat::text AS chat FROM unit WHERE NOT retired AND telegram_chat IS NOT NULL
          UNION ALL
          SELECT code, 'whatsapp', whatsapp_jid FROM unit WHERE NOT retired AND coalesce(whatsapp_jid, '') <> '') c
    GROUP BY channel, chat HAVING count(*) > 1
    ORDER BY channel, chat LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'units % share the % chat %: a group chat now serves one unit', shared.units, shared.channel, shared.chat
            USING HINT = 'give each unit its own group with the previous release''s `aduan units apply`, then migrate again';
    END IF;
END
$$;
-- +goose StatementEnd

INSERT INTO unit_chat (unit, channel, chat)
SELECT code, 'telegram', telegram_chat::text FROM unit WHERE NOT retired AND telegram_chat IS NOT NULL;
INSERT INTO unit_chat (unit, channel, chat)
SELECT code, 'whatsapp', whatsapp_jid FROM unit WHERE NOT retired AND coalesce(whatsapp_jid, '') <> '';

ALTER TABLE unit DROP COLUMN telegram_chat, DROP COLUMN whatsapp_jid;

-- +goose Down
ALTER TABLE unit ADD COLUMN telegram_chat bigint, ADD COLUMN whatsapp_jid text;
UPDATE unit SET
    telegram_chat = (SELECT min(chat::bigint) FROM unit_chat WHERE unit = code AND channel = 'telegram'),
    whatsapp_jid = (SELECT min(chat) FROM unit_chat WHERE unit = code AND channel = 'whatsapp');
DROP TABLE unit_chat;
