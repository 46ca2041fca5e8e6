package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"aduan/flows"
)

const sqlPseudonymKey = `SELECT inner_key, outer_key FROM pseudonym_key`

// errNoPseudonymKey is returned when an audit event is to be written before the
// deployment's pseudonym key could be read: the schema is older than this program.
var errNoPseudonymKey = fmt.Errorf("%w (no pseudonym key)", ErrOldSchema)

// pseudonymKey is the deployment's key of the pseudonyms that stand for people in the
// audit trail (table pseudonym_key, made by the migration).
type pseudonymKey struct{ inner, outer []byte }

// of returns the pseudonym of ref under prefix ("complainant" or "member") and channel,
// as the SQL function actor_pseudonym computes it: the prefix, a colon and the first 20
// hex digits of sha256(outer || sha256(inner || prefix ":" channel ":" ref)). An empty
// ref has the empty pseudonym. The same inputs always give the same pseudonym; without
// the key, a pseudonym says nothing of the ref.
func (k *pseudonymKey) of(prefix, channel, ref string) string {
	if ref == "" {
		return ""
	}
	var scratch [256]byte // the hashed inputs, on the stack when short enough
	msg := append(append(append(append(append(scratch[:0], k.inner...), prefix...), ':'), channel...), ':')
	in := sha256.Sum256(append(msg, ref...))
	out := sha256.Sum256(append(append(scratch[:0], k.outer...), in[:]...))
	var digits [2 * sha256.Size]byte
	hex.Encode(digits[:], out[:])
	return prefix + ":" + string(digits[:20])
}

// actorRef is what audit events store for actor a of a complaint whose complainant
// writes on channel: for the complainant the pseudonym of their conversation on that
// channel, for a unit member the pseudonym of their identity in the group, for the
// system nothing. A chat identity (on WhatsApp often the phone number) is never stored.
func (k *pseudonymKey) actorRef(a flows.Actor, channel string) string {
	switch a.Kind {
	case flows.ByComplainant:
		return k.of("complainant", channel, a.Ref)
	case flows.BySystem:
		return ""
	default:
		return k.of("member", "", a.Ref)
	}
}

// loadPseudonymKey reads the deployment's pseudonym key, once the migration that makes
// it has run; before, it leaves the DB without one and returns nil.
func (db *DB) loadPseudonymKey(ctx context.Context) error {
	if db.key.Load() != nil {
		return nil
	}
	var k pseudonymKey
	err := db.pool.QueryRow(ctx, sqlPseudonymKey).Scan(&k.inner, &k.outer)
	var pe *pgconn.PgError
	if errors.Is(err, pgx.ErrNoRows) || errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: read the pseudonym key: %w", err)
	}
	db.key.Store(&k)
	return nil
}

// pseudonyms returns the pseudonym key, or errNoPseudonymKey when it was not read.
func (db *DB) pseudonyms() (*pseudonymKey, error) {
	k := db.key.Load()
	if k == nil {
		return nil, errNoPseudonymKey
	}
	return k, nil
}

// ActorRef returns the pseudonym that the audit trail stores for actor a of a
// complaint whose complainant writes on channel (the complaint's contact channel): for
// the complainant, that of their conversation; for a unit member, that of their
// identity in the group, whatever the channel; for the system, the empty string. It
// lets an operator find a person's audit events without the trail holding who they
// are. It fails when the schema is older than this program.
func (db *DB) ActorRef(ctx context.Context, a flows.Actor, channel string) (string, error) {
	if err := db.loadPseudonymKey(ctx); err != nil {
		return "", err
	}
	k, err := db.pseudonyms()
	if err != nil {
		return "", fmt.Errorf("store: actor pseudonym: %w", err)
	}
	return k.actorRef(a, channel), nil
}
