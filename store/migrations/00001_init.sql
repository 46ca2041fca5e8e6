-- +goose Up

-- The routing tree. Units are never deleted: a unit dropped from the configuration is
-- retired, so that the complaints and audit events that name it keep their meaning.
CREATE TABLE unit (
    code          text PRIMARY KEY,
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('national', 'regency', 'agency', 'team', 'ombudsman')),
    parent        text REFERENCES unit (code) DEFERRABLE INITIALLY DEFERRED,
    telegram_chat bigint,
    whatsapp_jid  text,
    retired       boolean NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL
);

-- Every change `aduan units apply` made, with the unit before and after.
CREATE TABLE unit_change (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL,
    code    text NOT NULL,
    change  text NOT NULL CHECK (change IN ('added', 'updated', 'retired', 'restored')),
    before  jsonb,
    after   jsonb
);

CREATE TABLE complaint (
    id              bigserial PRIMARY KEY,
    tracking        text NOT NULL UNIQUE,
    version         integer NOT NULL,
    type            text NOT NULL CHECK (type IN ('pengaduan', 'aspirasi', 'informasi')),
    privacy         text NOT NULL CHECK (privacy IN ('biasa', 'rahasia', 'anonim')),
    category        text NOT NULL DEFAULT '',
    title           text NOT NULL DEFAULT '',
    body            text NOT NULL,
    place           text NOT NULL DEFAULT '',
    event_date      text NOT NULL DEFAULT '',
    attachments     jsonb NOT NULL DEFAULT '[]',
    contact_channel text NOT NULL,
    contact_chat    text NOT NULL,
    contact_name    text NOT NULL DEFAULT '',
    contact_phone   text NOT NULL DEFAULT '',
    contact_email   text NOT NULL DEFAULT '',
    contact_lang    text NOT NULL DEFAULT 'id',
    state           text NOT NULL CHECK (state IN ('submitted', 'routed', 'distributed', 'in_progress',
                                                   'answered', 'closed', 'ombudsman', 'archived')),
    unit            text NOT NULL REFERENCES unit (code),
    team            text REFERENCES unit (code),
    due_at          timestamptz,
    due_kind        text NOT NULL DEFAULT '',
    reminded        boolean NOT NULL DEFAULT false,
    overdue         boolean NOT NULL DEFAULT false,
    warned          boolean NOT NULL DEFAULT false,
    clock_from      timestamptz NOT NULL,
    next_check_at   timestamptz,
    lapor_id        text NOT NULL DEFAULT '',
    rating          smallint NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    filed_at        timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    closed_at       timestamptz
);
-- The sweep reads only what is due: its cost follows the number due, not the total.
CREATE INDEX complaint_next_check ON complaint (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX complaint_contact ON complaint (contact_channel, contact_chat, id);
CREATE INDEX complaint_open_unit ON complaint (unit) WHERE state NOT IN ('closed', 'archived');
CREATE INDEX complaint_open_team ON complaint (team) WHERE state = 'in_progress';

-- The audit trail: one row per event, never updated or deleted.
CREATE TABLE audit_event (
    id           bigserial PRIMARY KEY,
    complaint_id bigint NOT NULL REFERENCES complaint (id),
    at           timestamptz NOT NULL,
    kind         text NOT NULL,
    actor_kind   text NOT NULL,
    actor_unit   text NOT NULL DEFAULT '',
    actor_ref    text NOT NULL DEFAULT '',
    actor_name   text NOT NULL DEFAULT '',
    from_state   text NOT NULL DEFAULT '',
    to_state     text NOT NULL,
    unit_before  text NOT NULL DEFAULT '',
    unit_after   text NOT NULL,
    text         text NOT NULL DEFAULT ''
);
CREATE INDEX audit_event_complaint ON audit_event (complaint_id, id);

-- +goose StatementBegin
CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();

-- Messages waiting for a channel to confirm delivery, in order per (channel, chat).
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    channel         text NOT NULL,
    chat            text NOT NULL,
    lang            text NOT NULL DEFAULT 'id',
    complaint_id    bigint REFERENCES complaint (id),
    unit            text NOT NULL DEFAULT '', -- the unit whose group the chat is; empty for a complainant
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    delivered_at    timestamptz,
    failed_at       timestamptz,
    receipt         text NOT NULL DEFAULT '',
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending_chat ON outbox (channel, chat, id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_pending_due ON outbox (channel, next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

-- Inbound messages, stored before they are acknowledged; the key de-duplicates redeliveries.
CREATE TABLE inbox (
    channel     text NOT NULL,
    message_id  text NOT NULL,
    chat        text NOT NULL,
    payload     jsonb NOT NULL,
    received_at timestamptz NOT NULL,
    handled_at  timestamptz,
    PRIMARY KEY (channel, message_id)
);
CREATE INDEX inbox_unhandled ON inbox (received_at) WHERE handled_at IS NULL;

-- The working-day calendar's days off. Built-in rows come with the binary; operators
-- add closures and remove days (removed rows stay, so a later seed does not restore them).
CREATE TABLE holiday (
    day         date PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('LN', 'CB', 'closure')),
    name        text NOT NULL,
    source      text NOT NULL DEFAULT '',
    provisional boolean NOT NULL DEFAULT false,
    builtin     boolean NOT NULL DEFAULT false,
    removed     boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL
);

-- One row per unit and working day whose digest is queued, so that it goes out once.
CREATE TABLE digest_sent (
    unit text NOT NULL REFERENCES unit (code),
    day  date NOT NULL,
    PRIMARY KEY (unit, day)
);

-- +goose Down
DROP TABLE digest_sent, holiday, inbox, outbox, audit_event, complaint, unit_change, unit;
DROP FUNCTION audit_event_is_append_only();
