-- One filing as DB.File sends it (store/complaints.go, store/outbox.go), one statement
-- per round trip: BEGIN, the complaint (sqlInsertComplaint), its audit event
-- (sqlInsertAudit), its two messages with the national group's card (sqlQueue), COMMIT,
-- and the senders' wake-up in a transaction of its own (sqlWake). DB.File sends the
-- same statements in two round trips.
-- TestPgbenchScripts (store/pgbench_test.go) checks that these are the statements the
-- store sends, in its order. The statements are the store's with
-- $n replaced by pgbench variables; an array parameter holding a per-transaction value
-- is written ARRAY[:v]::type[], since pgbench variables are scalars, and the two empty
-- strings are literals, since pgbench cannot define an empty variable. Constant values
-- come from -D (scripts/bench.sh sets them to what DB.File stores for
-- flowstest.Report(), the actor's pseudonym one of the length the store writes); the
-- tracking number and the complainant's chat are random.
\set trk random(1, 999999999999)
\set chat random(1, 50000)
BEGIN;
INSERT INTO complaint (tracking, version, type, privacy, category, title, body, place, event_date,
	attachments, contact_channel, contact_chat, contact_name, contact_phone, contact_email, contact_lang,
	state, unit, due_at, due_kind, clock_from, next_check_at, filed_at, updated_at)
VALUES (:trk, 1, :type, :privacy, :category, :title, :body, :place, '', :attachments, :channel, :chat,
	:name, :phone, '', :lang, :state, :unit, :due, :due_kind, :now, :next, :now, :now)
ON CONFLICT (tracking) DO NOTHING
RETURNING id \gset
INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name,
	from_state, to_state, unit_before, unit_after, text)
SELECT * FROM unnest(ARRAY[:id]::bigint[], ARRAY[:now]::timestamptz[], :f_kind::text[], :f_actor_kind::text[],
	:empty1::text[], :f_actor_ref::text[], :empty1::text[], :empty1::text[], :f_to::text[], :empty1::text[],
	:f_unit_after::text[], :empty1::text[]);
WITH queued AS (
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, edit_of, created_at, next_attempt_at, answer)
SELECT u.channel, u.chat, u.lang, nullif(u.complaint_id, 0), u.unit, u.payload, nullif(u.edit_of, 0), :now, :now, u.answer
FROM unnest(:channel2::text[], ARRAY[:chat, :f_unit_chat]::text[], :lang2::text[], ARRAY[:id, :id]::bigint[],
	:f_units::text[], ARRAY[:f_payload1, :f_payload2]::jsonb[], :zero2::bigint[], :ord2::int[], :false2::boolean[])
	AS u(channel, chat, lang, complaint_id, unit, payload, edit_of, ord, answer)
ORDER BY u.ord
RETURNING id, channel, chat, complaint_id, unit, payload, edit_of),
cards AS (
INSERT INTO card (complaint_id, channel, chat, unit, outbox_id)
SELECT DISTINCT ON (complaint_id, channel, chat) complaint_id, channel, chat, unit, id FROM queued
WHERE payload @> '{"card": true}' AND edit_of IS NULL AND complaint_id IS NOT NULL AND unit <> ''
ORDER BY complaint_id, channel, chat, id DESC
ON CONFLICT (complaint_id, channel, chat) DO UPDATE SET unit = excluded.unit, outbox_id = excluded.outbox_id)
SELECT id FROM queued ORDER BY id;
COMMIT;
SELECT set_config('synchronous_commit', 'off', true), pg_notify('aduan_outbox', '');
