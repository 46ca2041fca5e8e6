-- file.sql with the audit event, the messages and the wake-up sent together in one
-- pipeline (\startpipeline … \endpipeline), as DB.File would send them if record()
-- queued them in one pgx.Batch: a filing then takes four round trips instead of six.
-- The store does not do this today; scripts/bench.sh runs it to measure the gain.
-- Statements and variables as in file.sql.
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
\startpipeline
INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name,
	from_state, to_state, unit_before, unit_after, text)
SELECT * FROM unnest(ARRAY[:id]::bigint[], ARRAY[:now]::timestamptz[], :f_kind::text[], :f_actor_kind::text[],
	:empty1::text[], ARRAY[:chat]::text[], :empty1::text[], :empty1::text[], :f_to::text[], :empty1::text[],
	:f_unit_after::text[], :empty1::text[]);
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, created_at, next_attempt_at)
SELECT u.channel, u.chat, u.lang, nullif(u.complaint_id, 0), u.unit, u.payload, :now, :now
FROM unnest(:channel2::text[], ARRAY[:chat, :f_unit_chat]::text[], :lang2::text[], ARRAY[:id, :id]::bigint[],
	:f_units::text[], ARRAY[:f_payload1, :f_payload2]::jsonb[], :ord2::int[])
	AS u(channel, chat, lang, complaint_id, unit, payload, ord)
ORDER BY u.ord;
SELECT pg_notify('aduan_outbox', '');
\endpipeline
COMMIT;
