-- Data for the pgbench scripts, on a database that has the store's migrations
-- (scripts/bench.sh applies their Up sections with psql first): the routing tree of
-- aduan/flows/flowstest, and :ncomplaints submitted complaints for route.sql, each
-- as DB.File stores one filed on Tuesday 2026-12-01 09:00 Asia/Pontianak, with its
-- card in the national group (a delivered message).
--
--   psql -v ncomplaints=100000 -f bench/pgbench/setup.sql "$URL"

INSERT INTO unit (code, name, kind, parent, updated_at) VALUES
    ('nasional',  'Admin Nasional SP4N LAPOR!',  'national',  NULL,       '2026-01-01 00:00+07'),
    ('kuburaya',  'Admin Kabupaten Kubu Raya',   'regency',   'nasional', '2026-01-01 00:00+07'),
    ('dukcapil',  'Dinas Dukcapil Kubu Raya',    'agency',    'kuburaya', '2026-01-01 00:00+07'),
    ('tim-kk',    'Tim Teknis KK & KTP-el',      'team',      'dukcapil', '2026-01-01 00:00+07'),
    ('tim-akta',  'Tim Teknis Akta',             'team',      'dukcapil', '2026-01-01 00:00+07'),
    ('dinkes',    'Dinas Kesehatan',             'agency',    'kuburaya', '2026-01-01 00:00+07'),
    ('ombudsman', 'Penghubung Ombudsman Kalbar', 'ombudsman', NULL,       '2026-01-01 00:00+07');
INSERT INTO unit_chat (unit, channel, chat) VALUES
    ('nasional', 'telegram', '-1001'), ('kuburaya', 'telegram', '-1002'), ('dukcapil', 'telegram', '-1003'),
    ('tim-kk', 'telegram', '-1004'), ('tim-akta', 'telegram', '-1005'), ('dinkes', 'telegram', '-1006'),
    ('ombudsman', 'telegram', '-1007');

INSERT INTO complaint (tracking, version, type, privacy, category, title, body, place, event_date,
    attachments, contact_channel, contact_chat, contact_name, contact_phone, contact_email, contact_lang,
    state, unit, due_at, due_kind, clock_from, next_check_at, filed_at, updated_at)
SELECT 'PB-' || g, 1, 'pengaduan', 'biasa', 'kk', 'KK belum jadi',
    'Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai.', 'Sungai Raya', '',
    '[]', 'telegram', (1 + g % 50000)::text, 'Budi', '081234567890', '', 'id',
    'submitted', 'nasional', '2026-12-04 09:00+07', 'route', '2026-12-01 09:00+07', '2026-12-04 07:00+07',
    '2026-12-01 09:00+07', '2026-12-01 09:00+07'
FROM generate_series(1, :ncomplaints) g;

INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, created_at, next_attempt_at, attempts,
    delivered_at, receipt)
SELECT 'telegram', '-1001', 'id', c.id, 'nasional',
    jsonb_build_object('msg', 'unit.new', 'card', true, 'complaint', c.id, 'tracking', c.tracking, 'state', 'submitted',
                       'due', '2026-12-04T09:00:00+07:00'),
    c.filed_at, c.filed_at, 1, c.filed_at, c.id::text
FROM complaint c ORDER BY c.id;

INSERT INTO card (complaint_id, channel, chat, unit, outbox_id)
SELECT complaint_id, channel, chat, unit, id FROM outbox;

VACUUM ANALYZE;
