package store_test

import (
	"encoding/json"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// keptKeys are the payload keys a delivered or failed message may keep.
var keptKeys = []string{"card", "complaint", "msg", "report", "state", "tracking", "unit"}

// payloads returns the outbox rows' payloads by row ID, decoded, for the rows that are
// delivered or failed (done) or the others.
func payloads(t *testing.T, db *store.DB, done bool) map[int64]map[string]any {
	t.Helper()
	rows, err := db.Pool().Query(ctx, `SELECT id, payload FROM outbox WHERE (delivered_at IS NOT NULL OR failed_at IS NOT NULL) = $1`, done)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]map[string]any{}
	for rows.Next() {
		var id int64
		var p []byte
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(p, &m); err != nil {
			t.Fatal(err)
		}
		out[id] = m
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A delivered message keeps its message ID, complaint, tracking number and card flag,
// and nothing of what it said: not the answer's text, not the name of who gave it. A
// message given up keeps the same. Receipt lookups still find what they need.
func TestDeliveredMessagesKeepNoPersonalText(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, at)
	const answer = "Bapak Budi, KK Anda di Jl. Merdeka 12 sudah jadi"
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: answer}, at)

	var sawAnswer, failed bool
	receipts := map[flows.MsgID]string{}
	for {
		batch, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			break
		}
		for _, m := range batch {
			if m.Notice.Text == answer && m.Unit == "" {
				sawAnswer = true
			}
			if !failed && m.Unit != "" {
				failed = true
				if err := db.Failed(ctx, m.ID, "chat gone", at); err != nil {
					t.Fatal(err)
				}
				continue
			}
			ref := "r" + strconv.FormatInt(m.ID, 10)
			receipts[m.Notice.Msg] = ref
			if err := db.Delivered(ctx, m.ID, flows.Receipt{Ref: ref}, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !sawAnswer || !failed {
		t.Fatalf("the answer reached the complainant's envelope: %v; a message to a unit failed: %v", sawAnswer, failed)
	}
	done := payloads(t, db, true)
	if len(done) < 8 || len(payloads(t, db, false)) != 0 {
		t.Fatalf("%d messages done, %d left", len(done), len(payloads(t, db, false)))
	}
	for id, p := range done {
		keys := slices.Sorted(maps.Keys(p))
		if !slices.ContainsFunc(keys, func(k string) bool { return k == "msg" }) || slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(keptKeys, k) }) {
			t.Errorf("outbox %d keeps %v", id, keys)
		}
		raw, _ := json.Marshal(p)
		for _, personal := range []string{answer, "Petugas", "Budi", c.Body} {
			if strings.Contains(string(raw), personal) {
				t.Errorf("outbox %d still holds %q: %s", id, personal, raw)
			}
		}
		if p["complaint"] != float64(c.ID) || p["tracking"] != c.Tracking {
			t.Errorf("outbox %d lost its complaint: %s", id, raw)
		}
	}
	var cards int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE payload @> '{"card": true}' AND delivered_at IS NOT NULL`).Scan(&cards); err != nil || cards == 0 {
		t.Errorf("no delivered card is still marked a card (%v)", err)
	}

	// The complaint a quoted message was about is still found by its receipt.
	var tracking string
	ref := receipts[flows.MsgAnswered]
	if ref == "" {
		t.Fatalf("no %s delivered: %v", flows.MsgAnswered, receipts)
	}
	if err := db.Pool().QueryRow(ctx, store.SQLAbout, store.Telegram, flowstest.ChatRef, ref).Scan(&tracking); err != nil || tracking != c.Tracking {
		t.Errorf("the answer's receipt is about %q (%v), want %s", tracking, err, c.Tracking)
	}
}

// The audit trail names people by pseudonym: the complainant by one of their
// conversation, each unit member by one of their identity in the group. The same
// person always gets the same pseudonym (Go and SQL agree, across connections), two
// people never share one, and another deployment's key gives other pseudonyms.
func TestAuditNamesPeopleByPseudonym(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	for _, ev := range []flows.Event{
		{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency},
		{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency},
		{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "Sudah jadi."},
		{Kind: flows.EvReply, Actor: flowstest.Complainant, Text: "Belum saya terima."},
	} {
		mustApply(t, db, rules, c.ID, ev, at)
	}
	trail, err := db.Audit(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	ref := func(db *store.DB, a flows.Actor) string {
		t.Helper()
		r, err := db.ActorRef(ctx, a, c.Contact.Channel)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	citizen := ref(db, flowstest.Complainant)
	want := []string{citizen, ref(db, flowstest.Member(flowstest.National)), ref(db, flowstest.Member(flowstest.Regency)),
		ref(db, flowstest.Member(flowstest.Agency)), citizen}
	var got []string
	for _, a := range trail {
		got = append(got, a.Actor.Ref)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit refs %v, want %v", got, want)
	}
	if !strings.HasPrefix(citizen, "complainant:") || len(citizen) != len("complainant:")+20 || !strings.HasPrefix(want[1], "member:") {
		t.Errorf("pseudonyms %v", want)
	}
	if distinct := slices.Compact(slices.Sorted(slices.Values(want))); len(distinct) != 4 {
		t.Errorf("two people share a pseudonym: %v", want)
	}
	var raw int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_event WHERE actor_ref = ANY($1) OR actor_ref LIKE '%tg:%'`,
		[]string{flowstest.ChatRef, "tg:" + flowstest.National, "tg:" + flowstest.Agency}).Scan(&raw); err != nil || raw != 0 {
		t.Errorf("%d audit events hold a chat identity (%v)", raw, err)
	}

	// SQL's actor_pseudonym, on a connection of its own, agrees.
	var sqlCitizen, sqlMember string
	if err := db.Pool().QueryRow(ctx, `SELECT actor_pseudonym('complainant', $1, $2), actor_pseudonym('member', '', $3)`,
		c.Contact.Channel, flowstest.ChatRef, "tg:"+flowstest.National).Scan(&sqlCitizen, &sqlMember); err != nil {
		t.Fatal(err)
	}
	if sqlCitizen != citizen || sqlMember != want[1] {
		t.Errorf("SQL pseudonyms %s, %s; Go %s, %s", sqlCitizen, sqlMember, citizen, want[1])
	}
	if other := ref(db, flows.Actor{Kind: flows.ByComplainant, Ref: flowstest.ChatRef}); other != citizen {
		t.Errorf("the same complainant is %s, then %s", citizen, other)
	}
	if r, _ := db.ActorRef(ctx, flowstest.Complainant, store.WhatsApp); r == citizen {
		t.Errorf("the same chat on another channel has the same pseudonym %s", r)
	}
	if r, _ := db.ActorRef(ctx, flows.System, ""); r != "" {
		t.Errorf("the system's pseudonym %q", r)
	}

	// Another deployment migrates its own key.
	other, err := store.Open(ctx, storetest.Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if r := ref(other, flowstest.Complainant); r == citizen || !strings.HasPrefix(r, "complainant:") {
		t.Errorf("another deployment's pseudonym %s, this one's %s", r, citizen)
	}
}

// Migration 00008 replaces the chat identities already in the audit trail with their
// pseudonyms and drops what delivered and failed messages said, leaving the messages
// still to be sent whole.
func TestMigrationPseudonymisesAndDropsPayloads(t *testing.T) {
	db, err := store.Open(ctx, storetest.Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var before int64
	err = fs.WalkDir(store.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if v, perr := strconv.ParseInt(strings.SplitN(path, "_", 2)[0], 10, 64); err == nil && perr == nil && v < 8 {
			before = max(before, v)
		}
		return err
	})
	if err != nil || before == 0 {
		t.Fatalf("no migration before 00008 (%v)", err)
	}
	if err := db.MigrateTo(ctx, before); err != nil {
		t.Fatal(err)
	}
	const phone = "6281234567890@s.whatsapp.net"
	const member = "6289876543210@s.whatsapp.net"
	at := flowstest.At(t, "2026-11-30 10:00")
	full := `{"msg": "complainant.answered", "complaint": 1, "tracking": "KR-1", "state": "answered", "text": "rahasia", "actor": "Petugas", "data": {"Name": "Budi"}}`
	err = pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO unit (code, name, kind, updated_at) VALUES ('dukcapil', 'Dukcapil', 'agency', $1)`, at)
		b.Queue(`INSERT INTO complaint (id, tracking, version, type, privacy, body, contact_channel, contact_chat, state, unit, clock_from, filed_at, updated_at)
VALUES (1, 'KR-1', 3, 'pengaduan', 'biasa', 'isi', 'whatsapp', $1, 'answered', 'dukcapil', $2, $2, $2)`, phone, at)
		b.Queue(`INSERT INTO audit_event (complaint_id, at, kind, actor_kind, actor_unit, actor_ref, actor_name, to_state, unit_after) VALUES
(1, $1, 'file', 'complainant', '', $2, '', 'submitted', 'dukcapil'),
(1, $1, 'answer', 'unit', 'dukcapil', $3, 'Petugas', 'answered', 'dukcapil'),
(1, $1, 'remind', 'system', '', '', 'system', 'answered', 'dukcapil')`, at, phone, member)
		b.Queue(`INSERT INTO outbox (id, channel, chat, complaint_id, payload, created_at, next_attempt_at, delivered_at, failed_at, receipt) VALUES
(1, 'whatsapp', $1, 1, $2, $3, $3, $3, NULL, 'wa-1'),
(2, 'whatsapp', $1, 1, $2, $3, $3, NULL, $3, ''),
(3, 'whatsapp', $1, 1, $2, $3, $3, NULL, NULL, '')`, phone, full, at)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	trail, err := db.Audit(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	citizen, _ := db.ActorRef(ctx, flows.Actor{Kind: flows.ByComplainant, Ref: phone}, store.WhatsApp)
	unitMember, _ := db.ActorRef(ctx, flows.Actor{Kind: flows.ByUnit, Unit: "dukcapil", Ref: member}, store.WhatsApp)
	var got []string
	for _, a := range trail {
		got = append(got, a.Actor.Ref)
	}
	if want := []string{citizen, unitMember, ""}; !slices.Equal(got, want) || citizen == "" || unitMember == "" {
		t.Errorf("audit refs after the migration %v, want %v", got, want)
	}
	if _, err := db.Pool().Exec(ctx, `UPDATE audit_event SET actor_ref = '' WHERE id = 1`); err == nil {
		t.Error("the audit trail is no longer append-only")
	}

	done := payloads(t, db, true)
	wantDone := map[string]any{"msg": "complainant.answered", "complaint": float64(1), "tracking": "KR-1", "state": "answered"}
	for _, id := range []int64{1, 2} {
		if !maps.Equal(done[id], wantDone) {
			t.Errorf("outbox %d after the migration: %v, want %v", id, done[id], wantDone)
		}
	}
	if left := payloads(t, db, false)[3]; left["text"] != "rahasia" || left["actor"] != "Petugas" {
		t.Errorf("the message still to send lost its payload: %v", left)
	}
	var tracking string
	if err := db.Pool().QueryRow(ctx, store.SQLAbout, store.WhatsApp, phone, "wa-1").Scan(&tracking); err != nil || tracking != "KR-1" {
		t.Errorf("the delivered message's receipt is about %q (%v)", tracking, err)
	}
}

// The lookups by receipt are served by the index of delivered receipts in their
// generic plans too (pgx prepares statements, and PostgreSQL may switch a prepared
// statement to its generic plan): the index's predicate follows from the queries'.
func TestReceiptLookupsUseTheIndex(t *testing.T) {
	db, _ := setup(t)
	for name, sql := range map[string]string{"about": store.SQLAbout, "pending": store.SQLPendingByPrompt, "shown": store.SQLShownByReceipt} {
		err := pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
			for _, s := range []string{`SET LOCAL plan_cache_mode = force_generic_plan`, `SET LOCAL enable_seqscan = off`,
				`PREPARE lookup(text, text, text) AS ` + sql} {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			rows, err := tx.Query(ctx, `EXPLAIN EXECUTE lookup('telegram', '-1001', '42')`)
			if err != nil {
				return err
			}
			plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if text := strings.Join(plan, "\n"); !strings.Contains(text, "outbox_delivered_receipt") {
				t.Errorf("%s: the generic plan does not use outbox_delivered_receipt:\n%s", name, text)
			}
			_, err = tx.Exec(ctx, `DEALLOCATE lookup`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
