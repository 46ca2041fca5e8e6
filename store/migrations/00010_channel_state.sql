-- +goose Up

-- The state of each chat channel that holds one connection for the whole desk
-- (WhatsApp): whether the replica holding it was connected when it last reported, and
-- the channel's last alert (logged out, replaced, banned, client outdated, …), for
-- `aduan whatsapp status` and for whichever replica takes the connection over.
CREATE TABLE channel_state (
    channel      text PRIMARY KEY,
    connected    boolean NOT NULL DEFAULT false,
    seen_at      timestamptz,
    alert        text NOT NULL DEFAULT '',
    alert_detail text NOT NULL DEFAULT '',
    alert_at     timestamptz,
    alert_until  timestamptz,
    alert_build  text NOT NULL DEFAULT '',
    cleared_at   timestamptz
);

-- +goose Down
DROP TABLE channel_state;
