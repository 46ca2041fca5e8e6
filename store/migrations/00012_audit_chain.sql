-- +goose Up

-- The audit trail is hash-chained per complaint: each event carries the hash of the one
-- before it (prev_hash; the first event of a complaint 32 zero bytes), the hash of what
-- its people wrote (body_hash), and its own hash over both and every other field, so that
-- an event changed, removed or slipped in behind the application's back breaks the
-- chain. `aduan audit verify` (store.VerifyAudit) recomputes every chain in Go.
--
-- The canonical encoding, which store/audit_chain.go repeats: a text is its length in
-- bytes (4 bytes, big-endian) and its UTF-8 bytes; a number 8 bytes big-endian; `at` the
-- microseconds since 1970-01-01 UTC as a number.
--   body_hash = sha256(text(actor_name) || text(text))
--   hash      = sha256(prev_hash || number(id) || number(complaint_id) || number(at) ||
--                      text(kind) || text(actor_kind) || text(actor_unit) || text(actor_ref) ||
--                      text(from_state) || text(to_state) || text(unit_before) || text(unit_after) ||
--                      body_hash)
-- actor_name and text, the only fields that hold personal data or free text, enter the
-- hash only through body_hash: redaction (below) empties them and keeps the chain whole.
ALTER TABLE audit_event
    ADD COLUMN body_hash bytea,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash bytea,
    ADD COLUMN redacted_at timestamptz;

-- +goose StatementBegin
CREATE FUNCTION audit_text(t text) RETURNS bytea LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT int4send(octet_length(t)) || convert_to(t, 'UTF8')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_body_hash(actor_name text, body text) RETURNS bytea LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
SELECT sha256(audit_text(actor_name) || audit_text(body))
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_event_hash(prev bytea, e audit_event, body_hash bytea) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT sha256(prev || int8send(e.id) || int8send(e.complaint_id) ||
    int8send((extract(epoch FROM e.at) * 1000000)::bigint) ||
    audit_text(e.kind) || audit_text(e.actor_kind) || audit_text(e.actor_unit) || audit_text(e.actor_ref) ||
    audit_text(e.from_state) || audit_text(e.to_state) || audit_text(e.unit_before) || audit_text(e.unit_after) ||
    body_hash)
$$;
-- +goose StatementEnd

-- audit_event_chain computes an inserted event's hashes, whoever inserts it. Events of
-- one complaint are chained one at a time: the transaction-scoped advisory lock
-- (0x61647562 "adub", the complaint's id) is held until COMMIT, so the event found last
-- is the complaint's latest committed one. An event whose id was drawn before a
-- concurrent one's that committed first draws another, so that the chain's order is
-- the order of the ids.
-- +goose StatementBegin
CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_chain();

-- The events already there are chained in (complaint_id, id) order: audit_chain is the
-- running hash of a complaint's events, as a window aggregate.
-- +goose StatementBegin
CREATE FUNCTION audit_chain_step(prev bytea, e audit_event) RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT audit_event_hash(prev, e, audit_body_hash(e.actor_name, e.text))
$$;
-- +goose StatementEnd
CREATE AGGREGATE audit_chain(audit_event) (
    SFUNC = audit_chain_step,
    STYPE = bytea,
    INITCOND = '\x0000000000000000000000000000000000000000000000000000000000000000'
);

ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only;
UPDATE audit_event a SET body_hash = audit_body_hash(a.actor_name, a.text), prev_hash = c.prev_hash, hash = c.hash
FROM (SELECT id, hash, lag(hash, 1, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
        OVER (PARTITION BY complaint_id ORDER BY id) AS prev_hash
      FROM (SELECT e.id, e.complaint_id, audit_chain(e) OVER (PARTITION BY e.complaint_id ORDER BY e.id) AS hash
            FROM audit_event e) r) c
WHERE c.id = a.id;
ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only;

-- The trail stays append-only but for one change, redaction (deletion on request,
-- retention): actor_name and text emptied and redacted_at set, once, nothing else
-- changed. The retention job redacts with exactly
--   UPDATE audit_event SET actor_name = '', text = '', redacted_at = $now
--   WHERE complaint_id = ANY($ids) AND redacted_at IS NULL
-- and appends an event of kind 'redact' per complaint.
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER audit_event_chain ON audit_event;
DROP FUNCTION audit_event_chain();
DROP AGGREGATE audit_chain(audit_event);
DROP FUNCTION audit_chain_step(bytea, audit_event);
DROP FUNCTION audit_event_hash(bytea, audit_event, bytea);
DROP FUNCTION audit_body_hash(text, text);
DROP FUNCTION audit_text(text);
ALTER TABLE audit_event DROP COLUMN body_hash, DROP COLUMN prev_hash, DROP COLUMN hash, DROP COLUMN redacted_at;
