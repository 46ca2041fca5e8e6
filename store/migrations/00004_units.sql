-- +goose Up

-- Who of the technical team took the task (their display name); empty while nobody has.
ALTER TABLE complaint ADD COLUMN taken_by text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE complaint DROP COLUMN taken_by;
