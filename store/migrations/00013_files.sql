-- +goose Up

-- Attachments behind a storage interface (store.FileStore). attachment_file keeps, for
-- every file a citizen sent, what it is, its SHA-256 (sha256, since 00002: computed
-- when the file was kept, verified on every read; not recomputed here, which would
-- hide a change made before) and:
--   stored        where its bytes are: 'postgres' in data, or 'dir' in the files
--                 directory (--files-dir) under their SHA-256, data NULL;
--   complaint_id  the complaint that owns it, once filed (deleted with it);
--   session_chat  until then, the chat (of channel) whose draft holds it: dropping the
--                 draft (cancelled, expired) deletes the file.
ALTER TABLE attachment_file
    ADD COLUMN stored text NOT NULL DEFAULT 'postgres',
    ADD COLUMN complaint_id bigint REFERENCES complaint (id) ON DELETE CASCADE,
    ADD COLUMN session_chat text,
    ALTER COLUMN data DROP NOT NULL;
ALTER TABLE attachment_file ADD CONSTRAINT attachment_file_bytes CHECK ((stored = 'postgres') = (data IS NOT NULL));

-- The owners of the files kept before: the complaint whose attachments name it, else
-- the session whose draft does. A file neither names was left by a dropped draft: the
-- sweep deletes it (store.DB.SweepFiles).
UPDATE attachment_file f SET complaint_id = c.id
FROM complaint c, jsonb_array_elements(c.attachments) a
WHERE c.attachments <> '[]' AND jsonb_typeof(c.attachments) = 'array' AND a->>'Ref' = 'file:' || f.id;
UPDATE attachment_file f SET session_chat = s.chat
FROM session s, jsonb_array_elements(s.draft->'Attachment') a
WHERE f.complaint_id IS NULL AND jsonb_typeof(s.draft->'Attachment') = 'array'
  AND s.channel = f.channel AND a->>'Ref' = 'file:' || f.id;

CREATE INDEX attachment_file_complaint ON attachment_file (complaint_id) WHERE complaint_id IS NOT NULL;
CREATE INDEX attachment_file_unfiled ON attachment_file (created_at) WHERE complaint_id IS NULL;
CREATE INDEX attachment_file_elsewhere ON attachment_file (sha256) WHERE stored <> 'postgres';

-- The bytes kept outside PostgreSQL whose last row is gone, to be deleted from their
-- store once committed (store.DB.PurgeFiles): filled by a trigger, so that every
-- DELETE — a dropped draft, a complaint deleted, the retention job — is covered.
CREATE TABLE attachment_purge (
    sha256 bytea NOT NULL,
    stored text NOT NULL,
    PRIMARY KEY (sha256, stored)
);

-- +goose StatementBegin
CREATE FUNCTION attachment_file_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attachment_purge (sha256, stored) VALUES (OLD.sha256, OLD.stored) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER attachment_file_gone AFTER DELETE ON attachment_file
    FOR EACH ROW WHEN (OLD.stored <> 'postgres') EXECUTE FUNCTION attachment_file_gone();

-- Filing transfers a draft's files to the complaint, on every path that inserts one
-- (and if its attachments change): the session no longer owns them.
-- +goose StatementBegin
CREATE FUNCTION complaint_owns_files() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE attachment_file SET complaint_id = NEW.id, session_chat = NULL
    WHERE complaint_id IS NULL AND id IN (
        SELECT substr(a->>'Ref', 6)::bigint FROM jsonb_array_elements(NEW.attachments) a
        WHERE a->>'Ref' ~ '^file:[0-9]{1,18}$');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER complaint_owns_files AFTER INSERT OR UPDATE OF attachments ON complaint
    FOR EACH ROW WHEN (jsonb_typeof(NEW.attachments) = 'array' AND NEW.attachments <> '[]')
    EXECUTE FUNCTION complaint_owns_files();

-- +goose Down
DROP TRIGGER complaint_owns_files ON complaint;
DROP FUNCTION complaint_owns_files();
DROP TRIGGER attachment_file_gone ON attachment_file;
DROP FUNCTION attachment_file_gone();
DROP TABLE attachment_purge;
DROP INDEX attachment_file_elsewhere;
DROP INDEX attachment_file_unfiled;
DROP INDEX attachment_file_complaint;
ALTER TABLE attachment_file DROP CONSTRAINT attachment_file_bytes;
ALTER TABLE attachment_file ALTER COLUMN data SET NOT NULL;
ALTER TABLE attachment_file DROP COLUMN session_chat, DROP COLUMN complaint_id, DROP COLUMN stored;
