package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// journey files a complaint and takes it to closure: route, distribute, answer (with a
// text), satisfied. It returns the complaint.
func journey(t *testing.T, db *store.DB, rules *flows.Rules, day string) flows.Complaint {
	t.Helper()
	c := mustFile(t, db, rules, flowstest.At(t, day+" 09:00"))
	nat, reg, agy := flowstest.Member(flowstest.National), flowstest.Member(flowstest.Regency), flowstest.Member(flowstest.Agency)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: nat, Target: flowstest.Regency}, flowstest.At(t, day+" 10:00"))
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: reg, Target: flowstest.Agency}, flowstest.At(t, day+" 11:00"))
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvAnswer, Actor: agy, Text: "Sudah selesai diproses."}, flowstest.At(t, day+" 12:00"))
	return mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvSatisfied, Actor: flowstest.Complainant}, flowstest.At(t, day+" 13:00"))
}

func mustVerify(t *testing.T, db *store.DB, through int64) store.AuditCheck {
	t.Helper()
	got, err := db.VerifyAudit(ctx, through)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// tamper runs q as a superuser would behind the application's back: with the audit
// trail's triggers disabled.
func tamper(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	err := pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_event DISABLE TRIGGER USER`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER TABLE audit_event ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// eventIDs returns the IDs of complaint id's audit events, oldest first.
func eventIDs(t *testing.T, db *store.DB, id int64) []int64 {
	t.Helper()
	rows, err := db.Pool().Query(ctx, `SELECT id FROM audit_event WHERE complaint_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func wantBreak(t *testing.T, got store.AuditCheck, c flows.Complaint, event int64, what ...string) {
	t.Helper()
	if got.OK() || got.First == nil {
		t.Fatalf("the chains verify (%+v); want a break at event %d of %s", got, event, c.Tracking)
	}
	b := got.First
	if b.Tracking != c.Tracking || b.ComplaintID != c.ID || b.EventID != event || !slices.Equal(b.What, what) {
		t.Errorf("first break = %+v, want %s (complaint %d) event %d %v", *b, c.Tracking, c.ID, event, what)
	}
	if got.BrokenChains != 1 {
		t.Errorf("broken chains = %d, want 1", got.BrokenChains)
	}
}

// A journey's chain verifies, the Go recomputation agrees with the database's, and the
// head digest is the same for the same events however often it is taken.
func TestAuditChainVerifies(t *testing.T) {
	db, rules := setup(t)
	a := journey(t, db, rules, "2026-11-30")
	b := journey(t, db, rules, "2026-12-01")
	got := mustVerify(t, db, 0)
	if !got.OK() || got.First != nil || got.Complaints != 2 || got.Events != 10 || got.Redacted != 0 || len(got.HeadDigest) != 32 {
		t.Fatalf("verify = %+v, want 2 complaints with 10 events, all whole", got)
	}
	// The chains the trigger wrote are the ones the migration's aggregate computes.
	var same bool
	err := db.Pool().QueryRow(ctx, `SELECT bool_and(hash = h AND prev_hash = coalesce(p, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea))
FROM (SELECT hash, prev_hash, audit_chain(e) OVER w AS h, lag(hash) OVER w AS p FROM audit_event e
      WINDOW w AS (PARTITION BY complaint_id ORDER BY id)) r`).Scan(&same)
	if err != nil || !same {
		t.Errorf("trigger's hashes = the aggregate's: %v (%v)", same, err)
	}
	// More events change the digest; the digest through the earlier last event does not.
	mustApply(t, db, rules, b.ID, flows.Event{Kind: flows.EvRate, Actor: flowstest.Complainant, Rating: 5}, flowstest.At(t, "2026-12-01 14:00"))
	later := mustVerify(t, db, 0)
	if !later.OK() || later.Events != 11 || bytes.Equal(later.HeadDigest, got.HeadDigest) {
		t.Errorf("after one more event: %+v (digest %x before)", later, got.HeadDigest)
	}
	if again := mustVerify(t, db, got.Through); !bytes.Equal(again.HeadDigest, got.HeadDigest) || again.Events != 10 {
		t.Errorf("through %d again: %+v, want the first digest %x", got.Through, again, got.HeadDigest)
	}
	_ = a
}

// An UPDATE made with the triggers disabled is named: a changed text as "body", a
// changed state as "fields"; the events after it still link to it as stored.
func TestAuditChainDetectsTamperedEvent(t *testing.T) {
	db, rules := setup(t)
	journey(t, db, rules, "2026-11-30")
	c := journey(t, db, rules, "2026-12-01")
	ids := eventIDs(t, db, c.ID)
	tamper(t, db, `UPDATE audit_event SET text = 'Tidak pernah diproses.' WHERE id = $1`, ids[3])
	got := mustVerify(t, db, 0)
	wantBreak(t, got, c, ids[3], "body")
	if got.Broken != 1 {
		t.Errorf("broken events = %d, want 1", got.Broken)
	}
	tamper(t, db, `UPDATE audit_event SET to_state = 'closed' WHERE id = $1`, ids[1])
	got = mustVerify(t, db, 0)
	wantBreak(t, got, c, ids[1], "fields")
	if got.Broken != 2 {
		t.Errorf("broken events = %d, want 2", got.Broken)
	}
}

// A removed event breaks the link of the one after it; a removed first event too.
func TestAuditChainDetectsDeletedEvent(t *testing.T) {
	db, rules := setup(t)
	c := journey(t, db, rules, "2026-11-30")
	d := journey(t, db, rules, "2026-12-01")
	ids := eventIDs(t, db, c.ID)
	tamper(t, db, `DELETE FROM audit_event WHERE id = $1`, ids[2])
	wantBreak(t, mustVerify(t, db, 0), c, ids[3], "link")

	first := eventIDs(t, db, d.ID)
	tamper(t, db, `DELETE FROM audit_event WHERE id = $1`, first[0])
	got := mustVerify(t, db, 0)
	if got.BrokenChains != 2 || got.Broken != 2 {
		t.Errorf("after removing %s's first event: %+v, want 2 broken chains", d.Tracking, got)
	}
	// A complaint whose every event was removed has no trail at all.
	tamper(t, db, `DELETE FROM audit_event WHERE complaint_id = $1`, d.ID)
	got = mustVerify(t, db, 0)
	if got.OK() || got.Untrailed != 1 || got.FirstBare != d.Tracking || got.BrokenChains != 2 {
		t.Errorf("after removing %s's trail: %+v", d.Tracking, got)
	}
	// An event slipped in with the chain's trigger disabled has no hashes.
	tamper(t, db, `INSERT INTO audit_event (complaint_id, at, kind, actor_kind, to_state, unit_after) VALUES ($1, $2, 'answer', 'unit', 'answered', 'x')`, c.ID, time.Now())
	if got := mustVerify(t, db, 0); got.Broken != 2 {
		t.Errorf("after an unchained event: %+v", got)
	}
}

// redactSQL is the redaction of the contract between the audit trail and the
// retention job, word for word.
const redactSQL = `UPDATE audit_event SET actor_name = '', text = '', body_salt = NULL, redacted_at = $2 WHERE complaint_id = ANY($1) AND redacted_at IS NULL`

// A redaction done exactly as the contract says keeps the chain verifiable; putting
// text back into a redacted event is detected; an event appended afterwards chains on.
func TestAuditChainSurvivesRedaction(t *testing.T) {
	db, rules := setup(t)
	c := journey(t, db, rules, "2026-11-30")
	other := journey(t, db, rules, "2026-12-01")
	before := mustVerify(t, db, 0)
	tag, err := db.Pool().Exec(ctx, redactSQL, []int64{c.ID}, flowstest.At(t, "2026-12-02 09:00"))
	if err != nil || tag.RowsAffected() != 5 {
		t.Fatalf("redaction: %v, %v", tag, err)
	}
	var named int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_event WHERE complaint_id = $1 AND (actor_name <> '' OR text <> '')`, c.ID).Scan(&named); err != nil || named != 0 {
		t.Fatalf("events still naming people after redaction: %d (%v)", named, err)
	}
	// Emptied without the event that records a redaction, the trail does not verify:
	// anyone who may run the redaction could otherwise blank a trail unnoticed.
	wantBreak(t, mustVerify(t, db, 0), c, eventIDs(t, db, c.ID)[0], "unsealed")
	// Redacting again changes nothing (redacted_at IS NULL holds for no event).
	if tag, err := db.Pool().Exec(ctx, redactSQL, []int64{c.ID}, flowstest.At(t, "2026-12-03 09:00")); err != nil || tag.RowsAffected() != 0 {
		t.Errorf("second redaction: %v, %v", tag, err)
	}
	sealRedaction(t, db, c, flowstest.At(t, "2026-12-02 09:00"))
	got := mustVerify(t, db, 0)
	if !got.OK() || got.Redacted != 5 {
		t.Fatalf("after redaction: %+v; want whole chains, 5 redacted", got)
	}
	if got := mustVerify(t, db, before.Through); !got.OK() || !bytes.Equal(got.HeadDigest, before.HeadDigest) {
		t.Fatalf("through the events before the redaction: %+v; want the head digest of before", got)
	}
	// The retention job's own event, through the normal insert, chains on.
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRate, Actor: flowstest.Complainant, Rating: 4}, flowstest.At(t, "2026-12-02 10:00"))
	if got := mustVerify(t, db, 0); !got.OK() || got.Events != 12 {
		t.Errorf("after an event following redaction: %+v", got)
	}
	ids := eventIDs(t, db, c.ID)
	tamper(t, db, `UPDATE audit_event SET text = 'Isi palsu' WHERE id = $1`, ids[3])
	wantBreak(t, mustVerify(t, db, 0), c, ids[3], "body")
	_ = other
}

// The append-only trigger refuses every UPDATE but the redaction, and every DELETE.
func TestAuditChainRefusesOtherUpdates(t *testing.T) {
	db, rules := setup(t)
	c := journey(t, db, rules, "2026-11-30")
	at := flowstest.At(t, "2026-12-02 09:00")
	for _, q := range []string{
		`UPDATE audit_event SET text = 'x' WHERE complaint_id = $1 AND $2::timestamptz IS NOT NULL`,
		`UPDATE audit_event SET text = '', actor_name = '' WHERE complaint_id = $1 AND $2::timestamptz IS NOT NULL`, // no redacted_at
		`UPDATE audit_event SET redacted_at = $2 WHERE complaint_id = $1`,                                           // text kept
		`UPDATE audit_event SET actor_name = '', text = '', redacted_at = $2, to_state = 'closed' WHERE complaint_id = $1`,
		`UPDATE audit_event SET actor_name = '', text = '', redacted_at = $2, hash = NULL WHERE complaint_id = $1`,
		`UPDATE audit_event SET actor_name = '', text = '', redacted_at = $2, at = $2 WHERE complaint_id = $1`,
		`UPDATE audit_event SET actor_name = '', text = 'x', redacted_at = $2 WHERE complaint_id = $1`,
		`UPDATE audit_event SET actor_name = '', text = '', redacted_at = $2 WHERE complaint_id = $1`, // the salt kept (00012's redaction)
		`UPDATE audit_event SET actor_name = '', text = '', body_salt = '\x01', redacted_at = $2 WHERE complaint_id = $1`,
		`UPDATE audit_event SET body_salt = NULL WHERE complaint_id = $1 AND $2::timestamptz IS NOT NULL`,
		`DELETE FROM audit_event WHERE complaint_id = $1 AND $2::timestamptz IS NOT NULL`,
	} {
		if _, err := db.Pool().Exec(ctx, q, c.ID, at); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", q, err)
		}
	}
	// A redacted event stays redacted: redacted_at cannot move, text cannot return.
	if _, err := db.Pool().Exec(ctx, redactSQL, []int64{c.ID}, at); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE audit_event SET redacted_at = $2::timestamptz + interval '1 day' WHERE complaint_id = $1`,
		`UPDATE audit_event SET text = 'x', redacted_at = NULL WHERE complaint_id = $1 AND $2::timestamptz IS NOT NULL`,
		`UPDATE audit_event SET body_salt = '\x01' WHERE complaint_id = $1 AND $2::timestamptz IS NOT NULL`,
	} {
		if _, err := db.Pool().Exec(ctx, q, c.ID, at); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", q, err)
		}
	}
	sealRedaction(t, db, c, at)
	if got := mustVerify(t, db, 0); !got.OK() || got.Redacted != 5 {
		t.Errorf("verify = %+v", got)
	}
}

// The append-only trigger names every column of audit_event (migration 00017): for
// each column the redaction leaves alone, a redaction that changes it too is refused.
// A column added to audit_event later fails here until the trigger names it.
func TestAppendOnlyCoversEveryColumn(t *testing.T) {
	db, rules := setup(t)
	c := journey(t, db, rules, "2026-11-30")
	at := flowstest.At(t, "2026-12-02 09:00")
	rows, err := db.Pool().Query(ctx, `SELECT column_name::text, data_type::text FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'audit_event' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	type column struct{ Name, Type string }
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[column])
	if err != nil {
		t.Fatal(err)
	}
	// What the redaction changes; every other column must stay as it is.
	redaction := map[string]bool{"actor_name": true, "text": true, "body_salt": true, "redacted_at": true}
	// A change of a column of each type the table has.
	change := map[string]string{
		"bigint":                   "%s + 1",
		"text":                     "%s || 'x'",
		"bytea":                    `coalesce(%s, '\x') || '\x00'::bytea`,
		"timestamp with time zone": "coalesce(%s, $2) + interval '1 second'",
	}
	checked := 0
	for _, col := range cols {
		if redaction[col.Name] {
			delete(redaction, col.Name)
			continue
		}
		f, ok := change[col.Type]
		if !ok {
			t.Errorf("audit_event.%s (%s): no change known for its type; add one here, and the column to the append-only trigger", col.Name, col.Type)
			continue
		}
		name := pgx.Identifier{col.Name}.Sanitize()
		q := `UPDATE audit_event SET actor_name = '', text = '', body_salt = NULL, redacted_at = $2, ` + name + ` = ` + fmt.Sprintf(f, name) + ` WHERE complaint_id = $1`
		if _, err := db.Pool().Exec(ctx, q, c.ID, at); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("audit_event.%s changed with the redaction: err = %v; the append-only trigger must compare it", col.Name, err)
		}
		checked++
	}
	if len(redaction) > 0 || checked < 14 {
		t.Errorf("columns of audit_event: %d checked, redaction columns missing: %v", checked, redaction)
	}
	if tag, err := db.Pool().Exec(ctx, redactSQL, []int64{c.ID}, at); err != nil || tag.RowsAffected() != 5 {
		t.Errorf("the redaction itself: %v, %v", tag, err)
	}
}

// unsaltedBody is body_hash as migration 00012 computes it: sha256(text(name) ||
// text(body)), a text being its length (4 bytes, big-endian) and its bytes.
func unsaltedBody(name, body string) []byte {
	return saltedBody(nil, name, body)
}

// saltedBody is body_hash as migration 00017 computes it: sha256(salt || text(name) ||
// text(body)).
func saltedBody(salt []byte, name, body string) []byte {
	b := append([]byte{}, salt...)
	for _, s := range []string{name, body} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

// Each event's body_hash has a salt of its own (migration 00017), which the redaction
// empties: the body_hash kept is then no hash of the removed name and text that a
// guess could be tested against. A salt changed behind the application's back, or put
// back into a redacted event, is named; an event without a salt (inserted before
// 00017) verifies in the unsalted form.
func TestAuditChainSaltedBody(t *testing.T) {
	db, rules := setup(t)
	c := journey(t, db, rules, "2026-11-30")
	d := journey(t, db, rules, "2026-12-01")
	type event struct {
		ID               int64
		Name, Text       string
		Salt, Body, Hash []byte
	}
	events := func(id int64) []event {
		t.Helper()
		rows, err := db.Pool().Query(ctx, `SELECT id, actor_name, text, body_salt, body_hash, hash FROM audit_event WHERE complaint_id = $1 ORDER BY id`, id)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[event])
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	ce, de := events(c.ID), events(d.ID)
	salts := map[string]bool{}
	for _, e := range append(slices.Clone(ce), de...) {
		if len(e.Salt) != 16 || salts[string(e.Salt)] {
			t.Fatalf("event %d: salt %x, want 16 bytes of its own", e.ID, e.Salt)
		}
		salts[string(e.Salt)] = true
		if !bytes.Equal(e.Body, saltedBody(e.Salt, e.Name, e.Text)) || bytes.Equal(e.Body, unsaltedBody(e.Name, e.Text)) {
			t.Errorf("event %d: body_hash %x is not sha256(salt || name || text)", e.ID, e.Body)
		}
	}
	if ce[1].Name == "" || ce[1].Name != de[1].Name || ce[1].Text != de[1].Text || bytes.Equal(ce[1].Body, de[1].Body) {
		t.Errorf("two routings by the same member: %+v and %+v, want the same name and different body hashes", ce[1], de[1])
	}

	// A salt changed on an event still holding its text, or taken away, is named.
	for _, salt := range [][]byte{make([]byte, 16), nil} {
		tamper(t, db, `UPDATE audit_event SET body_salt = $2 WHERE id = $1`, de[1].ID, salt)
		wantBreak(t, mustVerify(t, db, 0), d, de[1].ID, "body")
	}
	tamper(t, db, `UPDATE audit_event SET body_salt = $2 WHERE id = $1`, de[1].ID, de[1].Salt)
	if got := mustVerify(t, db, 0); !got.OK() {
		t.Fatalf("with the salt back: %+v", got)
	}

	// The redaction empties the salt and keeps body_hash, which no guess of the name
	// and text matches any more, salted or not: the salt is gone.
	if n, err := db.Anonymise(ctx, []int64{c.ID}, flows.RedactRequest, flowstest.At(t, "2026-12-02 09:00")); err != nil || n != 1 {
		t.Fatalf("Anonymise: %d, %v", n, err)
	}
	for i, e := range events(c.ID)[:len(ce)] {
		if e.Salt != nil || e.Name != "" || e.Text != "" || !bytes.Equal(e.Body, ce[i].Body) || !bytes.Equal(e.Hash, ce[i].Hash) {
			t.Errorf("redacted event %d: %+v", e.ID, e)
		}
		if bytes.Equal(e.Body, unsaltedBody(ce[i].Name, ce[i].Text)) {
			t.Errorf("redacted event %d: body_hash is the unsalted hash of what was removed", e.ID)
		}
	}
	if got := mustVerify(t, db, 0); !got.OK() || got.Redacted != 5 {
		t.Fatalf("after the redaction: %+v", got)
	}
	// A salt put back into a redacted event is named.
	tamper(t, db, `UPDATE audit_event SET body_salt = $2 WHERE id = $1`, ce[2].ID, ce[2].Salt)
	wantBreak(t, mustVerify(t, db, 0), c, ce[2].ID, "body")
	tamper(t, db, `UPDATE audit_event SET body_salt = NULL WHERE id = $1`, ce[2].ID)

	// d's last event as inserted before 00017: no salt, the unsalted body_hash and the
	// hash over it.
	last := de[len(de)-1]
	tamper(t, db, `UPDATE audit_event SET body_salt = NULL, body_hash = audit_body_hash(actor_name, text),
	hash = audit_event_hash(prev_hash, audit_event, audit_body_hash(actor_name, text)) WHERE id = $1`, last.ID)
	if got := events(d.ID)[len(de)-1]; !bytes.Equal(got.Body, unsaltedBody(last.Name, last.Text)) {
		t.Fatalf("the unsalted event: body_hash %x", got.Body)
	}
	if got := mustVerify(t, db, 0); !got.OK() || got.Events != 11 {
		t.Errorf("with an event without a salt: %+v", got)
	}
}

// sealRedaction appends the event that records the redaction of complaint c, as the
// retention job does (through the normal insert: the chain's trigger hashes it).
func sealRedaction(t *testing.T, db *store.DB, c flows.Complaint, at time.Time) {
	t.Helper()
	if _, err := db.Pool().Exec(ctx, `INSERT INTO audit_event (complaint_id, at, kind, actor_kind, from_state, to_state, unit_before, unit_after, text)
SELECT id, $2, 'redact', 'system', state, state, unit, unit, 'test' FROM complaint WHERE id = $1`, c.ID, at); err != nil {
		t.Fatal(err)
	}
}

// Events of one complaint appended concurrently are chained in the order of their IDs,
// whichever transaction drew its ID first.
func TestAuditChainConcurrentAppends(t *testing.T) {
	db, rules := setup(t)
	c := mustFile(t, db, rules, flowstest.At(t, "2026-11-30 09:00"))
	// Two transactions: the first draws its event's ID and waits, the second appends and
	// commits; the first then appends after it.
	first, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	var drawn int64
	if err := first.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('audit_event', 'id'))`).Scan(&drawn); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.Pool().Exec(ctx, `INSERT INTO audit_event (complaint_id, at, kind, actor_kind, to_state, unit_after, text) VALUES ($1, $2, 'add_info', 'complainant', 'submitted', 'nasional', 'tambahan')`,
				c.ID, flowstest.At(t, "2026-11-30 10:00").Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, err := first.Exec(ctx, `INSERT INTO audit_event (id, complaint_id, at, kind, actor_kind, to_state, unit_after, text) VALUES ($1, $2, $3, 'add_info', 'complainant', 'submitted', 'nasional', 'terlambat')`,
		drawn, c.ID, flowstest.At(t, "2026-11-30 11:00")); err != nil {
		t.Fatal(err)
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ids := eventIDs(t, db, c.ID)
	if len(ids) != 6 || ids[5] == drawn {
		t.Errorf("events %v: the late event kept its early ID %d", ids, drawn)
	}
	if got := mustVerify(t, db, 0); !got.OK() || got.Events != 6 {
		t.Errorf("verify = %+v", got)
	}
}

// Migration 00012 chains the events already there in (complaint_id, id) order, as the
// trigger would have (then, without salts: events before migration 00017 have none).
func TestAuditChainBackfill(t *testing.T) {
	db, rules := setup(t)
	journey(t, db, rules, "2026-11-30")
	journey(t, db, rules, "2026-12-01")
	data, err := os.ReadFile("migrations/00012_audit_chain.sql")
	if err != nil {
		t.Fatal(err)
	}
	backfill := regexp.MustCompile(`(?s)\nUPDATE audit_event a SET body_hash.*?WHERE c.id = a.id;`).Find(data)
	if backfill == nil {
		t.Fatal("no backfill UPDATE in the migration")
	}
	tamper(t, db, `UPDATE audit_event SET body_salt = NULL, body_hash = NULL, prev_hash = NULL, hash = NULL`)
	if got := mustVerify(t, db, 0); got.Broken != 10 {
		t.Fatalf("unchained: %+v", got)
	}
	tamper(t, db, string(backfill))
	if got := mustVerify(t, db, 0); !got.OK() || got.Events != 10 {
		t.Errorf("after the backfill: %+v, want whole chains of 10 events", got)
	}
}
