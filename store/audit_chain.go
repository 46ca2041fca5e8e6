package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"regexp"
	"sync"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
)

// The audit chain (migration 00012): every event carries prev_hash, the hash of the
// complaint's event before it (32 zero bytes for the first), body_hash over what people
// wrote (actor_name, text) and, since migration 00017, a random salt of its own
// (body_salt, emptied by the redaction), and hash over prev_hash, the other fields and
// body_hash, in the canonical encoding the migrations describe. The database computes
// them on insert; VerifyAudit recomputes them here, so that a changed function in the
// database cannot vouch for itself.

const (
	// sqlAuditChain reads every event up to $1 in chain order. The columns are read raw:
	// int8 and timestamptz in PostgreSQL's binary format, which for int8 is the canonical
	// encoding and for timestamptz microseconds since 2000-01-01.
	sqlAuditChain = `SELECT complaint_id, id, at, kind, actor_kind, actor_unit, actor_ref, from_state, to_state,
	unit_before, unit_after, actor_name, text, body_hash, prev_hash, hash, redacted_at IS NOT NULL, body_salt
FROM audit_event WHERE id <= $1 AND complaint_id BETWEEN $2 AND $3 ORDER BY complaint_id, id`
	// sqlAuditBounds are the last event and the range of complaint IDs, and the snapshot
	// the parts of the check share.
	sqlAuditBounds = `SELECT coalesce(max(id), 0), (SELECT coalesce(min(id), 0) FROM complaint),
	(SELECT coalesce(max(id), 0) FROM complaint), pg_export_snapshot() FROM audit_event`
	// sqlUntrailed finds the complaints that have no audit event at all: their trail
	// was removed, for the filing always records one.
	sqlUntrailed = `SELECT count(*), min(c.tracking) FROM complaint c
WHERE NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.complaint_id = c.id)`
	sqlTrackingOf = `SELECT tracking FROM complaint WHERE id = $1`
)

// AuditGenesis is the prev_hash of a complaint's first event.
var AuditGenesis = make([]byte, sha256.Size)

// pgEpochMicros is 2000-01-01 UTC, PostgreSQL's epoch, in Unix microseconds.
const pgEpochMicros = 946684800000000

// AuditCheck is the outcome of VerifyAudit.
type AuditCheck struct {
	Through    int64 // the last event ID checked: every event up to it was
	Complaints int64 // complaints with at least one event up to Through
	Events     int64
	Redacted   int64 // events whose actor_name and text were redacted (not checked against body_hash)
	Broken     int64 // events with a broken link, body or fields
	// BrokenChains counts the complaints with at least one broken event, and the
	// complaints without any audit event (Untrailed).
	BrokenChains int64
	Untrailed    int64
	First        *AuditBreak // the first broken event, in (complaint, event) order; nil when none
	FirstBare    string      // the tracking number of the first complaint without any event
	// HeadDigest is sha256 over every chain's head up to Through: for each complaint in
	// ID order, its ID (8 bytes, big-endian) and the hash of its last event. Written down
	// away from the server, it lets a later check (VerifyAudit with the same through)
	// show that no chain was rewritten since, even by someone able to recompute every
	// hash.
	HeadDigest []byte
}

// OK reports whether every chain verified.
func (c AuditCheck) OK() bool { return c.Broken == 0 && c.Untrailed == 0 }

// AuditBreak is a broken link of an audit chain.
type AuditBreak struct {
	Tracking    string
	ComplaintID int64
	EventID     int64
	// What differs: "link" (prev_hash is not the previous event's hash: an event before
	// it was removed, inserted or changed), "body" (actor_name, text or body_salt differ
	// from body_hash, or a redacted event holds text or a salt again), "fields" (the
	// other fields or body_hash differ from hash), "unchained" (the event has no hashes:
	// it was inserted with the chain's trigger disabled).
	What []string
}

// auditParts is the number of ranges of complaints VerifyAudit reads at once, each on
// a connection of its own: the database reads and sends the rows of one while the
// program hashes those of another.
const auditParts = 2

// VerifyAudit recomputes every complaint's audit chain, events up to through (0: every
// event there is), in one snapshot of the database. A chain that does not verify is
// no error: it is counted, and the first broken event named, in the AuditCheck.
func (db *DB) VerifyAudit(ctx context.Context, through int64) (AuditCheck, error) {
	var out AuditCheck
	err := db.readSnapshot(ctx, func(tx pgx.Tx) error {
		var last, lo, hi int64
		var snapshot string
		if err := tx.QueryRow(ctx, sqlAuditBounds).Scan(&last, &lo, &hi, &snapshot); err != nil {
			return err
		}
		if through <= 0 || through > last {
			through = last
		}
		// Only the whole trail tells whether a redaction was recorded: the event that
		// records it may come after an earlier through.
		whole := through == last
		out.Through = through
		var bare *string
		if err := tx.QueryRow(ctx, sqlUntrailed).Scan(&out.Untrailed, &bare); err != nil {
			return err
		}
		if bare != nil {
			out.FirstBare = *bare
		}
		out.BrokenChains = out.Untrailed
		if err := db.verifyParts(ctx, snapshot, through, whole, lo, hi, &out); err != nil {
			return err
		}
		if out.First != nil {
			return tx.QueryRow(ctx, sqlTrackingOf, out.First.ComplaintID).Scan(&out.First.Tracking)
		}
		return nil
	})
	if err != nil {
		return AuditCheck{}, fmt.Errorf("store: verify audit chains: %w", err)
	}
	return out, nil
}

// readSnapshot runs fn in a read-only transaction that sees one snapshot throughout.
func (db *DB) readSnapshot(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// verifyParts checks the chains of complaints lo…hi in auditParts ranges at once, each
// in a transaction that imports snapshot, and adds up what they found in out.
func (db *DB) verifyParts(ctx context.Context, snapshot string, through int64, whole bool, lo, hi int64, out *AuditCheck) error {
	if !snapshotID.MatchString(snapshot) {
		return fmt.Errorf("unexpected snapshot ID %q", snapshot)
	}
	parts := make([]AuditCheck, auditParts)
	heads := make([][]byte, auditParts)
	errs := make([]error, auditParts)
	size := (hi-lo)/auditParts + 1
	var wg sync.WaitGroup
	for i := range auditParts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := lo + int64(i)*size
			errs[i] = db.readSnapshot(ctx, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+snapshot+"'"); err != nil {
					return err
				}
				return verifyChains(ctx, tx, through, whole, from, from+size-1, &parts[i], &heads[i])
			})
		}()
	}
	wg.Wait()
	digest := sha256.New()
	for i, p := range parts {
		if errs[i] != nil {
			return errs[i]
		}
		out.Complaints += p.Complaints
		out.Events += p.Events
		out.Redacted += p.Redacted
		out.Broken += p.Broken
		out.BrokenChains += p.BrokenChains
		if out.First == nil {
			out.First = p.First
		}
		digest.Write(heads[i])
	}
	out.HeadDigest = digest.Sum(nil)
	return nil
}

// redactKind is the kind of the event that records a redaction (flows.EvRedact).
const redactKind = string(flows.EvRedact)

// snapshotID is what pg_export_snapshot returns.
var snapshotID = regexp.MustCompile(`^[0-9A-F-]+$`)

// verifyChains reads the events up to through of complaints from…to in chain order and
// checks each against the event before it — and, over the whole trail (whole), that
// every redacted event is followed by the event recording a redaction —, adding what
// it finds to out, and each chain's head (its complaint's ID, 8 bytes big-endian, and its last hash) to heads.
func verifyChains(ctx context.Context, tx pgx.Tx, through int64, whole bool, from, to int64, out *AuditCheck, heads *[]byte) error {
	rows, err := tx.Query(ctx, sqlAuditChain, through, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	// Text columns are the same bytes in either format; the others must be binary.
	for _, i := range []int{0, 1, 2, 13, 14, 15, 16, 17} {
		if f := rows.FieldDescriptions()[i]; f.Format != pgx.BinaryFormatCode {
			return fmt.Errorf("column %s came in text format", f.Name)
		}
	}
	var (
		h         = sha256.New()
		enc       []byte
		sum             = make([]byte, 0, sha256.Size)
		body            = make([]byte, 0, sha256.Size)
		complaint int64 = -1
		prev            = make([]byte, 0, sha256.Size) // the stored hash of the chain's event before
		chainBad  bool
		// unsealed is the first event of the chain redacted with no redaction event
		// (kind "redact") after it: a redaction is itself an event of the trail.
		unsealed int64
	)
	endChain := func() {
		if complaint < 0 {
			return
		}
		if unsealed != 0 && whole {
			out.Broken++
			chainBad = true
			if out.First == nil {
				out.First = &AuditBreak{ComplaintID: complaint, EventID: unsealed, What: []string{"unsealed"}}
			}
			unsealed = 0
		}
		*heads = binary.BigEndian.AppendUint64(*heads, uint64(complaint))
		*heads = append(*heads, prev...)
		if chainBad {
			out.BrokenChains++
		}
	}
	for rows.Next() {
		v := rows.RawValues()
		if len(v[0]) != 8 || len(v[1]) != 8 || len(v[2]) != 8 {
			return errors.New("unexpected binary encoding of complaint_id, id or at")
		}
		cid := int64(binary.BigEndian.Uint64(v[0]))
		if cid != complaint {
			endChain()
			complaint, chainBad = cid, false
			prev = append(prev[:0], AuditGenesis...)
			out.Complaints++
		}
		out.Events++
		redacted := len(v[16]) == 1 && v[16][0] == 1
		if redacted {
			out.Redacted++
			if unsealed == 0 {
				unsealed = int64(binary.BigEndian.Uint64(v[1]))
			}
		}
		if string(v[3]) == redactKind {
			unsealed = 0
		}
		storedBody, storedPrev, storedHash := v[13], v[14], v[15]
		var what []string
		if storedBody == nil || storedPrev == nil || storedHash == nil {
			what = append(what, "unchained")
		} else {
			if !bytes.Equal(storedPrev, prev) {
				what = append(what, "link")
			}
			if redacted {
				if len(v[11]) != 0 || len(v[12]) != 0 || v[17] != nil {
					what = append(what, "body")
				}
			} else if body = auditBodyHash(h, body[:0], v[17], v[11], v[12]); !bytes.Equal(body, storedBody) {
				what = append(what, "body")
			}
			enc = auditFields(enc[:0], storedPrev, v, storedBody)
			h.Reset()
			h.Write(enc)
			if sum = h.Sum(sum[:0]); !bytes.Equal(sum, storedHash) {
				what = append(what, "fields")
			}
		}
		if len(what) > 0 {
			out.Broken++
			chainBad = true
			if out.First == nil {
				out.First = &AuditBreak{ComplaintID: cid, EventID: int64(binary.BigEndian.Uint64(v[1])), What: what}
			}
		}
		// The next event links to this one as stored: one changed event is one break.
		prev = append(prev[:0], storedHash...)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	endChain()
	return nil
}

// auditBodyHash appends to dst sha256(salt || text(name) || text(body)); an event
// without a salt (nil: inserted before migration 00017) has sha256(text(name) ||
// text(body)).
func auditBodyHash(h hash.Hash, dst, salt, name, body []byte) []byte {
	h.Reset()
	h.Write(salt)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(name)))
	h.Write(n[:])
	h.Write(name)
	binary.BigEndian.PutUint32(n[:], uint32(len(body)))
	h.Write(n[:])
	h.Write(body)
	return h.Sum(dst)
}

// auditFields appends to dst what an event's hash is taken over: prev, id,
// complaint_id, at (Unix microseconds), the eight text fields and body. v are the raw
// columns of sqlAuditChain.
func auditFields(dst, prev []byte, v [][]byte, body []byte) []byte {
	dst = append(dst, prev...)
	dst = append(dst, v[1]...) // id
	dst = append(dst, v[0]...) // complaint_id
	at := int64(binary.BigEndian.Uint64(v[2])) + pgEpochMicros
	dst = binary.BigEndian.AppendUint64(dst, uint64(at))
	for _, t := range v[3:11] { // kind … unit_after
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(t)))
		dst = append(dst, t...)
	}
	return append(dst, body...)
}
