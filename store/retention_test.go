package store_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// The personal data of the journey's citizen, each unique in the database.
const (
	pdName  = "Siti Nurhaliza Rahmawati"
	pdPhone = "081299887766"
	pdNIK   = "6112014507900003"
	pdEmail = "siti.rahma@example.id"
	pdChat  = "6281299887766@s.whatsapp.net"
	pdPlace = "Jl. Kenanga 17 RT 03 Sungai Raya"
	pdWhen  = "Senin pagi sekitar jam sembilan"
	pdBody  = "Saya Siti Nurhaliza Rahmawati, NIK 6112014507900003, sudah tiga minggu menunggu KK baru di kecamatan."
	pdReply = "Belum ada kabar, nomor saya 081299887766, mohon dibantu lagi."
	pdFile  = "FOTO-KTP-6112014507900003"
)

// citizen drives a citizen's conversation through the inbox, as a channel does: each
// message is received, then handled by Converse.
type citizen struct {
	t       *testing.T
	db      *store.DB
	rules   *flows.Rules
	intake  flows.Intake
	channel string
	chat    string
	n       int
}

func (c *citizen) send(in flows.Inbound, at time.Time) {
	c.t.Helper()
	c.n++
	in.Channel, in.Chat, in.User, in.ID = c.channel, c.chat, c.chat, fmt.Sprintf("3EB0%08X", c.n)
	payload, err := json.Marshal(in)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.db.Receive(ctx, in.Channel, in.ID, in.Chat, payload, at); err != nil {
		c.t.Fatal(err)
	}
	if err := c.db.Converse(ctx, c.rules, &c.intake, "KR", in, at); err != nil {
		c.t.Fatal(err)
	}
}

// deliverAll delivers every pending message of both channels, each with a receipt.
func deliverAll(t *testing.T, db *store.DB, at time.Time) {
	t.Helper()
	for n := 0; ; n++ {
		batch, err := db.Claim(ctx, []string{store.Telegram, store.WhatsApp}, at, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			return
		}
		for _, m := range batch {
			if err := db.Delivered(ctx, m.ID, flows.Receipt{Ref: fmt.Sprintf("r%d", m.ID)}, at); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fileByChat takes a citizen on WhatsApp through the whole intake, with a photo, and
// returns the complaint filed.
func fileByChat(t *testing.T, c *citizen, at time.Time) flows.Complaint {
	t.Helper()
	ref, err := c.db.SaveFile(ctx, c.channel, "wa-media-1", "ktp.jpg", "image/jpeg", []byte(pdFile), at)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []flows.Inbound{
		{Command: "lapor"}, {Choice: "i:consent:ok"}, {Choice: "i:type:pengaduan"}, {Choice: "i:privacy:biasa"}, {Choice: "i:category:kk"},
		{Text: pdBody}, {Text: pdWhen}, {Text: pdPlace},
		{Attachment: &flows.Attachment{Kind: "photo", Ref: ref, Name: "ktp.jpg", Size: int64(len(pdFile))}}, {Choice: "i:files:done"},
		{Text: pdPhone}, {Text: pdEmail}, {Choice: "i:confirm:send"},
	} {
		c.send(in, at)
		deliverAll(t, c.db, at)
	}
	cs, err := c.db.List(ctx, store.Filter{Channel: c.channel, Chat: c.chat})
	if err != nil || len(cs) == 0 {
		t.Fatalf("nothing filed from the chat (%v)", err)
	}
	got := cs[0]
	if got.Body != pdBody || got.Place != pdPlace || got.Contact.Phone == "" || got.Contact.Email != pdEmail || len(got.Attachment) != 1 {
		t.Fatalf("filed %+v", got)
	}
	return got
}

// dump returns every row of every table of the desk's schema as text, by table.
func dump(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	rows, err := db.Pool().Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'goose_db_version' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string]string{}
	for _, table := range tables {
		var text string
		if err := db.Pool().QueryRow(ctx, fmt.Sprintf(`SELECT coalesce(string_agg(t::text, E'\n'), '') FROM %q t`, table)).Scan(&text); err != nil {
			t.Fatal(err)
		}
		out[table] = text
	}
	return out
}

// personal are the journey's personal data as they may appear in the dump: as text,
// and the file's bytes as bytea's hex.
func personal() map[string]string {
	m := map[string]string{"name": pdName, "phone": pdPhone, "phone (international)": "6281299887766", "NIK": pdNIK,
		"e-mail": pdEmail, "place": pdPlace, "when": pdWhen, "body": pdBody[30:70], "reply": pdReply[10:40], "answer": "Ibu Siti",
		"file bytes": hex.EncodeToString([]byte(pdFile)), "member name": "Sari Wulandari"}
	return m
}

// findPersonal returns, per table, the personal data found in it.
func findPersonal(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	for table, text := range dump(t, db) {
		low := strings.ToLower(text)
		for what, v := range personal() {
			if strings.Contains(low, strings.ToLower(v)) {
				found[table] = append(found[table], what)
			}
		}
	}
	return found
}

// journey files a complaint from WhatsApp with every kind of personal data, works it
// through every unit (an answer typed as the reply to a card's prompt, naming the
// citizen), lets the citizen reply and be satisfied and rate it: every table that can
// hold something of theirs does.
func journey(t *testing.T) (*store.DB, *flows.Rules, *citizen, flows.Complaint, time.Time) {
	t.Helper()
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 09:00")
	cit := &citizen{t: t, db: db, rules: rules, intake: flows.DefaultIntake(), channel: store.WhatsApp, chat: pdChat}
	c := fileByChat(t, cit, at)
	at = at.Add(time.Hour)
	member := func(unit string) flows.Actor {
		a := flowstest.Member(unit)
		a.Name = "Sari Wulandari"
		return a
	}
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: member(flowstest.National), Target: flowstest.Regency}, at)
	c = mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: member(flowstest.Regency), Target: flowstest.Agency}, at)
	deliverAll(t, db, at)
	// The answer: pressed on the card, typed as the reply to its prompt, confirmed.
	press := flows.Inbound{Channel: store.Telegram, Chat: "-1003", User: "55", Name: "Sari Wulandari"}
	if err := db.Press(ctx, rules, []string{flowstest.Agency}, press, flows.CardAction{Event: flows.EvAnswer, Complaint: c.ID, Version: c.Version}, at); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, db, at)
	var prompt string
	if err := db.Pool().QueryRow(ctx, `SELECT o.receipt FROM pending_action p JOIN outbox o ON o.id = p.prompt_id`).Scan(&prompt); err != nil {
		t.Fatal(err)
	}
	reply := press
	reply.ReplyTo, reply.Text = prompt, "Ibu Siti Nurhaliza Rahmawati, KK Anda sudah dicetak."
	if err := db.ReplyText(ctx, reply, at); err != nil {
		t.Fatal(err)
	}
	var pendingID int64
	if err := db.Pool().QueryRow(ctx, `SELECT id FROM pending_action`).Scan(&pendingID); err != nil {
		t.Fatal(err)
	}
	if err := db.ConfirmPending(ctx, rules, press, pendingID, true, at); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, db, at)
	at = at.Add(time.Hour)
	cit.send(flows.Inbound{Text: pdReply}, at) // the only complaint waiting: the reply to it
	deliverAll(t, db, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvAnswer, Actor: member(flowstest.Agency), Text: "Ibu Siti, silakan ambil di kecamatan."}, at)
	deliverAll(t, db, at)
	cit.send(flows.Inbound{Choice: "c:sat:" + c.Tracking}, at)
	cit.send(flows.Inbound{Choice: "c:rate:" + c.Tracking + ":4"}, at)
	deliverAll(t, db, at)
	got, err := db.Complaint(ctx, c.ID)
	if err != nil || got.State != flows.Closed || got.Rating != 4 {
		t.Fatalf("after the journey: %s rated %d (%v), want closed and rated 4", got.State, got.Rating, err)
	}
	return db, rules, cit, got, at
}

// canRedactAudit reports whether the audit trail has its redaction column (migration
// 00012 of the hash-chained trail).
func canRedactAudit(t *testing.T, db *store.DB) bool {
	t.Helper()
	var ok bool
	if err := db.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'audit_event' AND column_name = 'redacted_at')`).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestAnonymiseLeavesNothingPersonal: after a whole journey, the citizen's name,
// phone, NIK, e-mail, chat identity, what they wrote, the photo's bytes and the names
// of the staff are in the database, table by table; after Anonymise none is anywhere,
// while what the reports count stays.
func TestAnonymiseLeavesNothingPersonal(t *testing.T) {
	db, _, _, c, at := journey(t)
	before := findPersonal(t, db)
	for _, table := range []string{"complaint", "attachment_file", "audit_event", "inbox", "outbox", "pending_action"} {
		if len(before[table]) == 0 {
			t.Errorf("before: nothing personal in %s: the journey does not test it", table)
		}
	}
	t.Logf("before: %v", before)

	n, err := db.Anonymise(ctx, []int64{c.ID}, flows.RedactRetention, at.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("Anonymise = %d, %v; want 1", n, err)
	}
	after := findPersonal(t, db)
	if !canRedactAudit(t, db) {
		t.Logf("audit_event still holds %v: its redaction needs migration 00012", after["audit_event"])
		delete(after, "audit_event")
	}
	for table, what := range after {
		t.Errorf("after Anonymise, %s still holds the %s", table, strings.Join(what, ", "))
	}

	got, err := db.Complaint(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != c.Type || got.Privacy != c.Privacy || got.Category != c.Category || got.State != flows.Closed || got.Unit != c.Unit ||
		!got.FiledAt.Equal(c.FiledAt) || !got.ClosedAt.Equal(c.ClosedAt) || got.Rating != 4 || got.Tracking != c.Tracking {
		t.Errorf("the substance changed: %+v, was %+v", got, c)
	}
	if got.Contact.Chat != flows.ErasedChat || got.Contact.Channel != store.WhatsApp || len(got.Attachment) != 1 || got.Attachment[0].Kind != "photo" ||
		got.Attachment[0].Ref != "" || got.Attachment[0].Size != int64(len(pdFile)) {
		t.Errorf("contact %+v, attachments %+v", got.Contact, got.Attachment)
	}
	trail, err := db.Audit(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := trail[len(trail)-1]
	if last.Kind != flows.EvRedact || last.Text != flows.RedactRetention || last.FromState != flows.Closed || last.ToState != flows.Closed {
		t.Errorf("the last audit event is %+v, want a redact event", last)
	}
	if len(trail) < 8 {
		t.Errorf("the trail has %d events: the record lost some", len(trail))
	}
	// Once is enough: a second call finds nothing to do.
	if n, err := db.Anonymise(ctx, []int64{c.ID}, flows.RedactRetention, at.Add(2*time.Hour)); err != nil || n != 0 {
		t.Errorf("second Anonymise = %d, %v; want 0", n, err)
	}
}

// Open complaints are not anonymised: they are still being worked.
func TestAnonymiseLeavesOpenComplaints(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 09:00")
	c := mustFile(t, db, rules, at)
	if n, err := db.Anonymise(ctx, []int64{c.ID}, flows.RedactRetention, at); err != nil || n != 0 {
		t.Fatalf("Anonymise of an open complaint = %d, %v; want 0", n, err)
	}
	got, err := db.Complaint(ctx, c.ID)
	if err != nil || got.Body != c.Body || got.Contact != c.Contact {
		t.Errorf("the open complaint changed: %+v (%v)", got, err)
	}
}
