-- +goose Up

-- What people wrote is hashed with a salt of its own. body_hash outlives a redaction
-- (it is what keeps a redacted chain verifiable), and a name is short enough to be
-- found again by hashing guesses: each event inserted from here on gets 16 random
-- bytes, body_salt, that enter its body_hash, and the redaction empties body_salt
-- with actor_name and text, so that the body_hash it keeps can no longer be tested
-- against a guess. The canonical form of migration 00012 becomes, for such an event,
--   body_hash = sha256(body_salt || text(actor_name) || text(text))
-- with body_salt's 16 bytes as they are (no length before them); an event without a
-- salt (inserted before this migration: body_salt is NULL) keeps 00012's
--   body_hash = sha256(text(actor_name) || text(text))
-- body_salt enters the event's hash only through body_hash; hash is 00012's.
-- `aduan audit verify` (store/audit_chain.go) recomputes both forms.
ALTER TABLE audit_event ADD COLUMN body_salt bytea;

-- +goose StatementBegin
CREATE FUNCTION audit_body_hash(salt bytea, actor_name text, body text) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT sha256(coalesce(salt, '\x'::bytea) || audit_text(actor_name) || audit_text(body))
$$;
-- +goose StatementEnd

-- audit_event_chain is 00012's, with the salt drawn (gen_random_uuid: 122 random bits
-- from the server's strong random source, in 16 bytes) whatever the insert gave.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last record;
BEGIN
    PERFORM pg_advisory_xact_lock(1633973602, (NEW.complaint_id % 2147483648)::int);
    SELECT id, hash INTO last FROM audit_event WHERE complaint_id = NEW.complaint_id ORDER BY id DESC LIMIT 1;
    IF NOT FOUND THEN
        NEW.prev_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    ELSE
        NEW.prev_hash := last.hash;
        IF last.id > NEW.id THEN
            NEW.id := nextval(pg_get_serial_sequence('audit_event', 'id'));
        END IF;
    END IF;
    NEW.body_salt := uuid_send(gen_random_uuid());
    NEW.body_hash := audit_body_hash(NEW.body_salt, NEW.actor_name, NEW.text);
    NEW.hash := audit_event_hash(NEW.prev_hash, NEW, NEW.body_hash);
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_chain_step(prev bytea, e audit_event) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT audit_event_hash(prev, e, audit_body_hash(e.body_salt, e.actor_name, e.text))
$$;
-- +goose StatementEnd

-- The trail stays append-only but for the redaction, which now empties the salt too:
-- actor_name and text emptied, body_salt set to NULL and redacted_at set, once,
-- nothing else changed. The retention job redacts with exactly
--   UPDATE audit_event SET actor_name = '', text = '', body_salt = NULL, redacted_at = $now
--   WHERE complaint_id = ANY($ids) AND redacted_at IS NULL
-- and appends an event of kind 'redact' per complaint.
--
-- The check is the trigger's WHEN condition, comparing the columns themselves: the
-- executor evaluates it for each row without calling a function, and the function,
-- which only refuses, runs for the UPDATEs refused. (00012 compared the rows as jsonb
-- in the function: most of the redaction's time.) Every column of audit_event is
-- named here; TestAppendOnlyCoversEveryColumn (store/audit_chain_test.go) fails for a
-- column added later and not added here.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_event is append-only: UPDATE refused (only redaction may change an event: actor_name and text emptied, body_salt NULL, redacted_at set, nothing else)';
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER audit_event_append_only ON audit_event;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event
    FOR EACH ROW WHEN (NOT coalesce(
        OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
        AND NEW.actor_name = '' AND NEW.text = '' AND NEW.body_salt IS NULL
        AND (NEW.id, NEW.complaint_id, NEW.at, NEW.kind, NEW.actor_kind, NEW.actor_unit, NEW.actor_ref,
             NEW.from_state, NEW.to_state, NEW.unit_before, NEW.unit_after, NEW.body_hash, NEW.prev_hash, NEW.hash)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.complaint_id, OLD.at, OLD.kind, OLD.actor_kind, OLD.actor_unit, OLD.actor_ref,
             OLD.from_state, OLD.to_state, OLD.unit_before, OLD.unit_after, OLD.body_hash, OLD.prev_hash, OLD.hash),
        false))
    EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();

-- An anonymised complaint's attachments keep their kind and size and no reference:
-- 00013's trigger, which gives a complaint the files its attachments name, has nothing
-- to do for them and is not called.
DROP TRIGGER complaint_owns_files ON complaint;
CREATE TRIGGER complaint_owns_files AFTER INSERT OR UPDATE OF attachments ON complaint
    FOR EACH ROW WHEN (jsonb_typeof(NEW.attachments) = 'array' AND NEW.attachments @? '$[*] ? (@.Ref starts with "file:")')
    EXECUTE FUNCTION complaint_owns_files();

-- Files no complaint holds are found by their owner (attachment_file.complaint_id,
-- 00013: SweepFiles), no longer by searching the complaints' attachments.
DROP INDEX complaint_files;

-- +goose Down
CREATE INDEX complaint_files ON complaint USING gin (attachments jsonb_path_ops)
    WHERE attachments <> '[]' AND anonymised_at IS NULL;
DROP TRIGGER complaint_owns_files ON complaint;
CREATE TRIGGER complaint_owns_files AFTER INSERT OR UPDATE OF attachments ON complaint
    FOR EACH ROW WHEN (jsonb_typeof(NEW.attachments) = 'array' AND NEW.attachments <> '[]')
    EXECUTE FUNCTION complaint_owns_files();
DROP TRIGGER audit_event_no_delete ON audit_event;
DROP TRIGGER audit_event_append_only ON audit_event;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
        AND NEW.actor_name = '' AND NEW.text = ''
        AND to_jsonb(NEW) - '{actor_name,text,redacted_at}'::text[] = to_jsonb(OLD) - '{actor_name,text,redacted_at}'::text[] THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_event is append-only: UPDATE refused (only redaction may change an event: actor_name and text emptied, redacted_at set, nothing else)';
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_chain_step(prev bytea, e audit_event) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT audit_event_hash(prev, e, audit_body_hash(e.actor_name, e.text))
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last record;
BEGIN
    PERFORM pg_advisory_xact_lock(1633973602, (NEW.complaint_id % 2147483648)::int);
    SELECT id, hash INTO last FROM audit_event WHERE complaint_id = NEW.complaint_id ORDER BY id DESC LIMIT 1;
    IF NOT FOUND THEN
        NEW.prev_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    ELSE
        NEW.prev_hash := last.hash;
        IF last.id > NEW.id THEN
            NEW.id := nextval(pg_get_serial_sequence('audit_event', 'id'));
        END IF;
    END IF;
    NEW.body_hash := audit_body_hash(NEW.actor_name, NEW.text);
    NEW.hash := audit_event_hash(NEW.prev_hash, NEW, NEW.body_hash);
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
DROP FUNCTION audit_body_hash(bytea, text, text);
-- The events salted since 00017 lose their salt: their bodies no longer verify.
ALTER TABLE audit_event DROP COLUMN body_salt;
