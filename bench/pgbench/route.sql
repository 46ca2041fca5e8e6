-- One transition as DB.Apply sends it (store/complaints.go, store/outbox.go), one
-- statement per round trip: BEGIN, the complaint locked and read (sqlLockComplaint),
-- its cards read (sqlCardsOf), the complaint written back if its version is the one read
-- (sqlUpdateComplaint), its audit event (sqlInsertAuditEvent), three messages with the
-- regency's card (sqlQueue: the complainant's, the regency's new card, the edit of the
-- national group's card), COMMIT, and the senders' wake-up in a transaction of its own
-- (sqlWake). DB.Apply sends the same statements in two round trips.
-- TestPgbenchScripts (store/pgbench_test.go) checks that these are the statements the
-- store sends, in its order. The event is the
-- national admin routing a submitted complaint to the regency. Statements and
-- variables as in file.sql; the complaint is one of the :ncomplaints of setup.sql, at
-- random, so a complaint may be routed again (its version still goes up by one each
-- time, and it may have two cards to read).
\set id random(1, :ncomplaints)
BEGIN;
SELECT id, tracking, version, type, privacy, category, title, body, place, event_date,
	attachments, contact_channel, contact_chat, contact_name, contact_phone, contact_email, contact_lang,
	state, unit, coalesce(team, ''), due_at, due_kind, reminded, overdue, warned, clock_from, next_check_at,
	lapor_id, rating, filed_at, updated_at, closed_at, taken_by, contact_nik FROM complaint WHERE id = :id FOR UPDATE \gset c_
SELECT k.complaint_id, k.channel, k.chat, k.unit, k.outbox_id FROM card k JOIN unit u ON u.code = k.unit
WHERE k.complaint_id = :id AND NOT u.retired ORDER BY k.channel, k.chat \aset k_
\set version :c_version + 1
UPDATE complaint SET version = :version, state = :r_state, unit = :r_unit, team = nullif('', ''), due_at = :r_due,
	due_kind = :r_due_kind, reminded = false, overdue = false, warned = false, clock_from = :c_clock_from,
	next_check_at = :r_next, lapor_id = :c_lapor_id, rating = :c_rating, updated_at = :at, closed_at = NULL
WHERE id = :id AND version = :c_version;
INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name,
	from_state, to_state, unit_before, unit_after, text)
VALUES (:id, :at, :r_kind, :r_actor_kind, :r_actor_unit, :r_actor_ref, :r_actor_name, :r_from, :r_state,
	:r_actor_unit, :r_unit, '');
WITH queued AS (
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, edit_of, created_at, next_attempt_at, answer)
SELECT u.channel, u.chat, u.lang, nullif(u.complaint_id, 0), u.unit, u.payload, nullif(u.edit_of, 0), :at, :at, u.answer
FROM unnest(:channel3::text[], ARRAY[:c_contact_chat, :r_unit_chat, :k_chat]::text[], :lang3::text[],
	ARRAY[:id, :id, :id]::bigint[], :r_units::text[], ARRAY[:r_payload1, :r_payload2, :r_payload3]::jsonb[],
	ARRAY[0, 0, :k_outbox_id]::bigint[], :ord3::int[], :false3::boolean[])
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
