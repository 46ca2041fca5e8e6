-- +goose Up

-- A citizen's request about their personal data (UU 27/2022): a copy of it ('access',
-- /datasaya) or its deletion ('erasure', /hapusdata). person is the pseudonym of their
-- conversation (actor_pseudonym('complainant', channel, chat)), never the chat itself;
-- completed_at is when the desk answered it (the law allows 3×24 hours); detail says
-- what was done, without personal data ("3 complaints, 1 draft").
CREATE TABLE data_request (
    id           bigserial PRIMARY KEY,
    person       text NOT NULL CHECK (person <> ''),
    channel      text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('access', 'erasure')),
    requested_at timestamptz NOT NULL,
    completed_at timestamptz,
    detail       text NOT NULL DEFAULT ''
);
CREATE INDEX data_request_requested ON data_request (requested_at);
CREATE INDEX data_request_open ON data_request (requested_at) WHERE completed_at IS NULL;

-- Every view or export of personal data: who (staff: "cli:<os user>", a unit's group
-- "unit:<code>"; a citizen's own copy: their pseudonym), what ("complaints.show",
-- "record", "data_copy", …), when, the complaint when one, and person, the pseudonym of
-- the citizen whose data it was (kept as it was then: a later erasure leaves the log
-- meaningful). Append-only.
CREATE TABLE access_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL,
    who          text NOT NULL CHECK (who <> ''),
    what         text NOT NULL CHECK (what <> ''),
    complaint_id bigint REFERENCES complaint (id),
    person       text NOT NULL DEFAULT ''
);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_complaint ON access_log (complaint_id, at) WHERE complaint_id IS NOT NULL;
CREATE INDEX access_log_person ON access_log (person, at) WHERE person <> '';

-- +goose StatementBegin
CREATE FUNCTION access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only();

-- +goose Down
DROP TABLE access_log;
DROP FUNCTION access_log_is_append_only();
DROP TABLE data_request;
