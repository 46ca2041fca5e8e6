-- +goose Up

-- The key of the complaints' access codes, one per deployment, made here from
-- PostgreSQL's strong random source (each UUID holds 122 random bits). A complaint's
-- access code is derived from its tracking number under this key (store.AccessCode):
-- nothing per complaint is stored, and without the key a tracking number says nothing
-- of its code. Replacing the key changes every complaint's code.
CREATE TABLE access_code_key (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    key bytea NOT NULL CHECK (length(key) = 32)
);
INSERT INTO access_code_key (key) VALUES (
    sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));

-- +goose Down
DROP TABLE access_code_key;
