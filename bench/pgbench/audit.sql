-- Data for the audit chain benchmark (store.BenchmarkAuditVerify, `aduan audit verify`):
-- :ncomplaints closed complaints on a freshly migrated database without audit events, each
-- with the five events of a whole journey (file, route, distribute, answer, satisfied),
-- chained as the trigger audit_event_chain chains them but computed in one statement
-- (a recursive query, one step of every complaint's chain at a time), not the
-- trigger's one row at a time.
--
--   psql -v ncomplaints=1000000 -f bench/pgbench/audit.sql "$URL"

SET work_mem = '256MB';

INSERT INTO unit (code, name, kind, parent, updated_at) VALUES
    ('nasional', 'Admin Nasional SP4N LAPOR!', 'national', NULL,       '2026-01-01 00:00+07'),
    ('kuburaya', 'Admin Kabupaten Kubu Raya',  'regency',  'nasional', '2026-01-01 00:00+07'),
    ('dukcapil', 'Dinas Dukcapil Kubu Raya',   'agency',   'kuburaya', '2026-01-01 00:00+07')
ON CONFLICT (code) DO NOTHING;

INSERT INTO complaint (tracking, version, type, privacy, category, title, body, place, event_date,
    attachments, contact_channel, contact_chat, contact_name, contact_phone, contact_email, contact_lang,
    state, unit, due_at, due_kind, clock_from, next_check_at, filed_at, updated_at, closed_at)
SELECT 'AU-' || g, 5, 'pengaduan', 'biasa', 'kk', 'KK belum jadi',
    'Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai.', 'Sungai Raya', '',
    '[]', 'telegram', (1 + g % 50000)::text, 'Budi', '081234567890', '', 'id',
    'closed', 'dukcapil', NULL, '', '2026-11-02 09:00+07', NULL,
    '2026-11-02 09:00+07'::timestamptz + g * interval '1 second', '2026-11-04 13:00+07', '2026-11-04 13:00+07'
FROM generate_series(1, :ncomplaints) g;

ALTER TABLE audit_event DISABLE TRIGGER audit_event_chain;
WITH RECURSIVE step (k, kind, actor_kind, actor_unit, actor_ref, actor_name, from_state, to_state, unit_before, unit_after, text) AS (
    VALUES
        (1, 'file', 'complainant', '', 'complainant:9d41e07bc35a28f6d1e4', '', '', 'submitted', '', 'nasional', ''),
        (2, 'route', 'unit', 'nasional', 'member:5f0c2a9e81d47b3c6e20', 'Petugas nasional', 'submitted', 'routed', 'nasional', 'kuburaya', ''),
        (3, 'distribute', 'unit', 'kuburaya', 'member:0b7e4d1c9a3f5e2d8c61', 'Petugas kuburaya', 'routed', 'distributed', 'kuburaya', 'dukcapil', ''),
        (4, 'answer', 'unit', 'dukcapil', 'member:e2c81f0a7b4d9c3e5f16', 'Petugas dukcapil', 'distributed', 'answered', 'dukcapil', 'dukcapil', 'Sudah selesai diproses.'),
        (5, 'satisfied', 'complainant', '', 'complainant:9d41e07bc35a28f6d1e4', '', 'answered', 'closed', 'dukcapil', 'dukcapil', '')
), chain (k, complaint_id, filed_at, prev_hash, hash) AS (
    SELECT 0, id, filed_at, NULL::bytea, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea FROM complaint
    UNION ALL
    -- the migration's audit_event_hash, written out over the step's fields
    SELECT s.k, c.complaint_id, c.filed_at, c.hash, sha256(c.hash || int8send((c.complaint_id - 1) * 5 + s.k) ||
        int8send(c.complaint_id) || int8send((extract(epoch FROM c.filed_at + (s.k - 1) * interval '1 hour') * 1000000)::bigint) ||
        audit_text(s.kind) || audit_text(s.actor_kind) || audit_text(s.actor_unit) || audit_text(s.actor_ref) ||
        audit_text(s.from_state) || audit_text(s.to_state) || audit_text(s.unit_before) || audit_text(s.unit_after) ||
        audit_body_hash(s.actor_name, s.text))
    FROM chain c JOIN step s ON s.k = c.k + 1
)
INSERT INTO audit_event (id, complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name, from_state,
    to_state, unit_before, unit_after, text, body_hash, prev_hash, hash)
SELECT (c.complaint_id - 1) * 5 + s.k, c.complaint_id, c.filed_at + (s.k - 1) * interval '1 hour', s.kind, s.actor_kind,
    s.actor_unit, s.actor_ref, s.actor_name, s.from_state, s.to_state, s.unit_before, s.unit_after, s.text,
    audit_body_hash(s.actor_name, s.text), c.prev_hash, c.hash
FROM chain c JOIN step s ON s.k = c.k
ORDER BY c.complaint_id, s.k;
ALTER TABLE audit_event ENABLE TRIGGER audit_event_chain;
SELECT setval(pg_get_serial_sequence('audit_event', 'id'), max(id)) FROM audit_event;

VACUUM ANALYZE complaint, audit_event;
