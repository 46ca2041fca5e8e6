-- One filing as DB.File sends it (store/complaints.go), one statement per round trip:
-- BEGIN, the complaint with its audit event, its two messages and the national group's
-- card in one statement (sqlFile), COMMIT, and the senders' wake-up in a transaction of
-- its own (sqlWake). DB.File sends the same statements in one round trip.
-- TestPgbenchScripts (store/pgbench_test.go) checks that these are the statements the
-- store sends, in its order. The statements are the store's with
-- $n replaced by pgbench variables; an array parameter holding a per-transaction value
-- is written ARRAY[:v]::type[], since pgbench variables are scalars, and the empty
-- strings are literals, since pgbench cannot define an empty variable. Constant values
-- come from -D (scripts/bench.sh sets them to what DB.File stores for
-- flowstest.Report(), the actor's pseudonym one of the length the store writes, the
-- payloads without the complaint's ID, which the statement adds); the tracking number
-- and the complainant's chat are random.
\set trk random(1, 999999999999)
\set chat random(1, 50000)
BEGIN;
WITH filed AS (
INSERT INTO complaint (tracking, version, type, privacy, category, title, body, place, event_date,
	attachments, contact_channel, contact_chat, contact_name, contact_phone, contact_email, contact_lang,
	state, unit, due_at, due_kind, clock_from, next_check_at, filed_at, updated_at, contact_nik)
VALUES (:trk, 1, :type, :privacy, :category, :title, :body, :place, '', :attachments, :channel, :chat,
	:name, :phone, '', :lang, :state, :unit, :due, :due_kind, :now, :next, :now, :now, '')
ON CONFLICT (tracking) DO NOTHING
RETURNING id),
audit AS (
INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name,
	from_state, to_state, unit_before, unit_after, text)
SELECT id, :now, :f_kind, :f_actor_kind, '', :f_actor_ref, '', '', :f_to, '', :f_unit_after, '' FROM filed),
queued AS (
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, created_at, next_attempt_at, answer)
SELECT u.channel, u.chat, u.lang, f.id, u.unit, u.payload || jsonb_build_object('complaint', f.id), :now, :now, u.answer
FROM filed f, unnest(:channel2::text[], ARRAY[:chat, :f_unit_chat]::text[], :lang2::text[], :f_units::text[],
	ARRAY[:f_payload1, :f_payload2]::jsonb[], :ord2::int[], :false2::boolean[])
	AS u(channel, chat, lang, unit, payload, ord, answer)
ORDER BY u.ord
RETURNING id, channel, chat, complaint_id, unit, payload),
cards AS (
INSERT INTO card (complaint_id, channel, chat, unit, outbox_id)
SELECT DISTINCT ON (complaint_id, channel, chat) complaint_id, channel, chat, unit, id FROM queued
WHERE payload @> '{"card": true}' AND unit <> ''
ORDER BY complaint_id, channel, chat, id DESC
ON CONFLICT (complaint_id, channel, chat) DO UPDATE SET unit = excluded.unit, outbox_id = excluded.outbox_id)
SELECT id FROM filed;
COMMIT;
SELECT set_config('synchronous_commit', 'off', true), pg_notify('aduan_outbox', '');
