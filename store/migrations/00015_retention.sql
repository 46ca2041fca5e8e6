-- +goose Up

-- When a complaint's personal data was removed (store.DB.Anonymise: retention, or a
-- deletion request); NULL while it still holds it. What stays is the substance and
-- the statistics: type, privacy mode, category, states, units, dates, deadlines,
-- rating, the LAPOR! ID, the number and kinds of attachments.
ALTER TABLE complaint ADD COLUMN anonymised_at timestamptz;

-- The retention sweep reads the closed and archived complaints still holding personal
-- data, oldest closure first: its cost follows the number it takes, not the total.
CREATE INDEX complaint_retention ON complaint (closed_at, id)
    WHERE anonymised_at IS NULL AND state IN ('closed', 'archived');

-- Anonim complaints whose chat identity is still kept after closure: the sweep erases
-- it once the closing messages are out.
CREATE INDEX complaint_anonim_chat ON complaint (id)
    WHERE privacy = 'anonim' AND state IN ('closed', 'archived') AND contact_chat <> '(erased)';

-- The files a complaint still holds, for the purge of files no complaint or draft
-- holds (only complaints with attachments that were not anonymised are in it).
CREATE INDEX complaint_files ON complaint USING gin (attachments jsonb_path_ops)
    WHERE attachments <> '[]' AND anonymised_at IS NULL;

-- The desk's messages to citizens, by chat: what a deletion erases from the outbox.
CREATE INDEX outbox_citizen_chat ON outbox (channel, chat, id) WHERE unit = '';

-- A citizen's request to delete their personal data (/hapusdata). requester is their
-- pseudonym in the audit trail (actor_pseudonym('complainant', channel, chat)); the
-- chat itself is never kept here. Complaints that were closed or archived are erased
-- when the request is confirmed (erased); open ones are listed in
-- deletion_request_complaint and erased by the sweep once they close (waiting).
-- completed_at is set when none waits any more.
CREATE TABLE deletion_request (
    id           bigserial PRIMARY KEY,
    channel      text NOT NULL,
    requester    text NOT NULL,
    requested_at timestamptz NOT NULL,
    erased       integer NOT NULL DEFAULT 0,
    waiting      integer NOT NULL DEFAULT 0,
    completed_at timestamptz
);
CREATE INDEX deletion_request_open ON deletion_request (id) WHERE completed_at IS NULL;

CREATE TABLE deletion_request_complaint (
    request_id   bigint NOT NULL REFERENCES deletion_request (id),
    complaint_id bigint NOT NULL REFERENCES complaint (id),
    erased_at    timestamptz,
    PRIMARY KEY (request_id, complaint_id)
);
CREATE INDEX deletion_request_waiting ON deletion_request_complaint (complaint_id) WHERE erased_at IS NULL;

-- How far the purge of unreferenced attachment files got: every file up to upto was
-- kept by a complaint or deleted.
CREATE TABLE purge_mark (
    name text PRIMARY KEY,
    upto bigint NOT NULL
);

-- +goose Down
DROP TABLE purge_mark;
DROP TABLE deletion_request_complaint;
DROP TABLE deletion_request;
DROP INDEX outbox_citizen_chat;
DROP INDEX complaint_files;
DROP INDEX complaint_anonim_chat;
DROP INDEX complaint_retention;
ALTER TABLE complaint DROP COLUMN anonymised_at;
