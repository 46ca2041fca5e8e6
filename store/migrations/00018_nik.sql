-- +goose Up

-- The complainant's population number (NIK), asked only for the categories whose case
-- needs the population record and never for an anonymous report; empty when not given.
-- Units are shown it masked; the anonymisation of deletion and retention empties it.
ALTER TABLE complaint ADD COLUMN contact_nik text NOT NULL DEFAULT ''
    CHECK (contact_nik = '' OR contact_nik ~ '^[0-9]{16}$');

-- +goose Down
ALTER TABLE complaint DROP COLUMN contact_nik;
