-- +goose Up

-- A reply that quotes one of the desk's messages is matched to the message by the
-- channel's reference of it (the receipt) in its chat: the pending action whose prompt
-- it answers, the complaint the message was about. Only delivered messages can be
-- quoted; the lookups say so (delivered_at IS NOT NULL AND receipt <> ''), so that the
-- index also serves their generic plans, and take the newest row of a receipt (a card
-- and its edits share one) from the index's order.
DROP INDEX outbox_chat_receipt;
CREATE INDEX outbox_delivered_receipt ON outbox (channel, chat, receipt, id)
    WHERE delivered_at IS NOT NULL AND receipt <> '';

-- A message that is delivered or given up keeps only what the record and the lookups
-- need: its message ID, the complaint, its tracking number, report type, state and
-- unit, and whether it was a card. What people wrote (answers, reasons, replies), names,
-- template data, lists, choices and files are dropped, as the inbox drops what a
-- handled message said. store.keptPayload is the same expression.
UPDATE outbox SET payload = jsonb_strip_nulls(jsonb_build_object(
        'msg', payload->'msg', 'complaint', payload->'complaint', 'tracking', payload->'tracking',
        'report', payload->'report', 'state', payload->'state', 'unit', payload->'unit', 'card', payload->'card'))
WHERE delivered_at IS NOT NULL OR failed_at IS NOT NULL;

-- The key of the pseudonyms that stand for people in the audit trail, one per
-- deployment, made here from PostgreSQL's strong random source (each UUID holds 122
-- random bits). It never leaves the database but for the program that writes audit
-- events.
CREATE TABLE pseudonym_key (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    inner_key bytea NOT NULL CHECK (length(inner_key) = 32),
    outer_key bytea NOT NULL CHECK (length(outer_key) = 32)
);
INSERT INTO pseudonym_key (inner_key, outer_key) VALUES (
    sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')),
    sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));

-- actor_pseudonym is the stable pseudonym of a person in the audit trail: prefix
-- ('complainant' or 'member'), a colon and 20 hex digits of
-- sha256(outer_key || sha256(inner_key || prefix ':' channel ':' ref)); empty for an
-- empty ref. A complainant's ref is their conversation on channel; a unit member's is
-- their identity in the group, with an empty channel. store.pseudonymKey.of computes
-- the same.
-- +goose StatementBegin
CREATE FUNCTION actor_pseudonym(prefix text, channel text, ref text) RETURNS text
LANGUAGE sql STABLE STRICT AS $$
SELECT CASE WHEN ref = '' THEN '' ELSE prefix || ':' || left(encode(sha256(k.outer_key ||
    sha256(k.inner_key || convert_to(prefix || ':' || channel || ':' || ref, 'UTF8'))), 'hex'), 20) END
FROM pseudonym_key k
$$;
-- +goose StatementEnd

-- The audit trail held chat identities (on WhatsApp, often a phone number): each
-- becomes its pseudonym, the one time the append-only trail is rewritten.
ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only;
UPDATE audit_event a SET actor_ref = actor_pseudonym('complainant', c.contact_channel, a.actor_ref)
FROM complaint c WHERE c.id = a.complaint_id AND a.actor_kind = 'complainant' AND a.actor_ref <> '';
UPDATE audit_event SET actor_ref = actor_pseudonym('member', '', actor_ref)
WHERE actor_kind NOT IN ('complainant', 'system') AND actor_ref <> '';
ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only;

-- +goose Down
-- The pseudonyms in the audit trail and the dropped payloads stay as they are.
DROP FUNCTION actor_pseudonym(text, text, text);
DROP TABLE pseudonym_key;
DROP INDEX outbox_delivered_receipt;
CREATE INDEX outbox_chat_receipt ON outbox (channel, chat, receipt) WHERE receipt <> '';
