-- One transition as DB.Apply runs it (store/complaints.go, store/outbox.go): BEGIN, the
-- complaint locked and read (sqlLockComplaint), written back if its version is the one
-- read (sqlUpdateComplaints), its audit event (sqlInsertAudit), its cards read
-- (sqlCards), three messages (sqlQueue: the complainant's, the regency's new card, the
-- edit of the national group's card), the regency's card (sqlPutCard) and the wake-up
-- (sqlNotify), COMMIT. The event is the national admin routing a submitted complaint
-- to the regency. Statements and variables as in file.sql; the complaint is one of
-- the :ncomplaints of setup.sql, at random, so a complaint may be routed again (its
-- version still goes up by one each time, and it may have two cards to read).
\set id random(1, :ncomplaints)
BEGIN;
SELECT id, tracking, version, type, privacy, category, title, body, place, event_date,
	attachments, contact_channel, contact_chat, contact_name, contact_phone, contact_email, contact_lang,
	state, unit, coalesce(team, ''), due_at, due_kind, reminded, overdue, warned, clock_from, next_check_at,
	lapor_id, rating, filed_at, updated_at, closed_at, taken_by FROM complaint WHERE id = :id FOR UPDATE \gset c_
\set version :c_version + 1
UPDATE complaint c SET version = u.version, state = u.state, unit = u.unit, team = nullif(u.team, ''),
	due_at = u.due_at, due_kind = u.due_kind, reminded = u.reminded, overdue = u.overdue, warned = u.warned,
	clock_from = u.clock_from, next_check_at = u.next_check_at, lapor_id = u.lapor_id, rating = u.rating,
	updated_at = u.updated_at, closed_at = u.closed_at
FROM unnest(ARRAY[:id]::bigint[], ARRAY[:c_version]::int[], ARRAY[:version]::int[], :r_state::text[],
	:r_unit::text[], :empty1::text[], :r_due::timestamptz[], :r_due_kind::text[], :false1::bool[], :false1::bool[],
	:false1::bool[], ARRAY[:c_clock_from]::timestamptz[], :r_next::timestamptz[], ARRAY[:c_lapor_id]::text[],
	ARRAY[:c_rating]::smallint[], ARRAY[:at]::timestamptz[], :null1::timestamptz[])
	AS u(id, old_version, version, state, unit, team, due_at, due_kind, reminded, overdue, warned,
	     clock_from, next_check_at, lapor_id, rating, updated_at, closed_at)
WHERE c.id = u.id AND c.version = u.old_version;
INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name,
	from_state, to_state, unit_before, unit_after, text)
SELECT * FROM unnest(ARRAY[:id]::bigint[], ARRAY[:at]::timestamptz[], :r_kind::text[], :r_actor_kind::text[],
	:r_actor_unit::text[], :r_actor_ref::text[], :r_actor_name::text[], :r_from::text[], :r_state::text[],
	:r_actor_unit::text[], :r_unit::text[], :empty1::text[]);
SELECT complaint_id, channel, chat, unit, outbox_id FROM card WHERE complaint_id = ANY(ARRAY[:id]::bigint[])
ORDER BY complaint_id, channel, chat \aset k_
INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, edit_of, created_at, next_attempt_at)
SELECT u.channel, u.chat, u.lang, nullif(u.complaint_id, 0), u.unit, u.payload, nullif(u.edit_of, 0), :at, :at
FROM unnest(:channel3::text[], ARRAY[:c_contact_chat, :r_unit_chat, :k_chat]::text[], :lang3::text[],
	ARRAY[:id, :id, :id]::bigint[], :r_units::text[], ARRAY[:r_payload1, :r_payload2, :r_payload3]::jsonb[],
	ARRAY[0, 0, :k_outbox_id]::bigint[], :ord3::int[])
	AS u(channel, chat, lang, complaint_id, unit, payload, edit_of, ord)
ORDER BY u.ord
RETURNING id \aset o_
INSERT INTO card (complaint_id, channel, chat, unit, outbox_id) VALUES (:id, :channel, :r_unit_chat, :r_card_unit, :o_id)
ON CONFLICT (complaint_id, channel, chat) DO UPDATE SET unit = :r_card_unit, outbox_id = :o_id;
SELECT pg_notify('aduan_outbox', '');
COMMIT;
