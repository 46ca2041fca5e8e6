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
	ref, err := c.db.SaveFile(ctx, c.channel, c.chat, "wa-media-1", "ktp.jpg", "image/jpeg", []byte(pdFile), at)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []flows.Inbound{
		{Command: "lapor"}, {Choice: "i:consent:ok"}, {Choice: "i:type:pengaduan"}, {Choice: "i:privacy:biasa"}, {Choice: "i:category:kk"},
		{Text: pdBody}, {Text: pdWhen}, {Text: pdPlace},
		{Attachment: &flows.Attachment{Kind: "photo", Ref: ref, Name: "ktp.jpg", Size: int64(len(pdFile))}}, {Choice: "i:files:done"},
		{Text: pdPhone}, {Text: pdNIK}, {Text: pdEmail}, {Choice: "i:confirm:send"},
	} {
		c.send(in, at)
		deliverAll(t, c.db, at)
	}
	cs, err := c.db.List(ctx, store.Filter{Channel: c.channel, Chat: c.chat})
	if err != nil || len(cs) == 0 {
		t.Fatalf("nothing filed from the chat (%v)", err)
	}
	got := cs[0]
	if got.Body != pdBody || got.Place != pdPlace || got.Contact.Phone == "" || got.Contact.Email != pdEmail || got.Contact.NIK != pdNIK || len(got.Attachment) != 1 {
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

// pdJourney files a complaint from WhatsApp with every kind of personal data, works it
// through every unit (an answer typed as the reply to a card's prompt, naming the
// citizen), lets the citizen reply and be satisfied and rate it: every table that can
// hold something of theirs does.
func pdJourney(t *testing.T) (*store.DB, *flows.Rules, *citizen, flows.Complaint, time.Time) {
	t.Helper()
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 09:00")
	// What whatsmeow's store keeps of the citizen (its tables, as far as they hold them).
	for _, q := range []string{
		`CREATE TABLE whatsmeow_contacts (our_jid text, their_jid text, first_name text, full_name text, push_name text, business_name text, redacted_phone text, PRIMARY KEY (our_jid, their_jid))`,
		`CREATE TABLE whatsmeow_lid_map (lid text PRIMARY KEY, pn text UNIQUE NOT NULL)`,
		`CREATE TABLE whatsmeow_privacy_tokens (our_jid text, their_jid text, token bytea NOT NULL, timestamp bigint NOT NULL, PRIMARY KEY (our_jid, their_jid))`,
		`CREATE TABLE whatsmeow_message_secrets (our_jid text, chat_jid text, sender_jid text, message_id text, key bytea NOT NULL, PRIMARY KEY (our_jid, chat_jid, sender_jid, message_id))`,
		`INSERT INTO whatsmeow_contacts VALUES ('6285000000001@s.whatsapp.net', '` + pdChat + `', 'Siti', '` + pdName + `', '` + pdName + `', '', '')`,
		`INSERT INTO whatsmeow_contacts VALUES ('6285000000001@s.whatsapp.net', '99887766554433@lid', 'Siti', '` + pdName + `', '` + pdName + `', '', '')`,
		`INSERT INTO whatsmeow_lid_map VALUES ('99887766554433', '6281299887766')`,
		`INSERT INTO whatsmeow_privacy_tokens VALUES ('6285000000001@s.whatsapp.net', '` + pdChat + `', '\x01', 1)`,
		`INSERT INTO whatsmeow_message_secrets VALUES ('6285000000001@s.whatsapp.net', '` + pdChat + `', '` + pdChat + `', '3EB0', '\x01')`,
	} {
		if _, err := db.Pool().Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
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
	db, _, _, c, at := pdJourney(t)
	before := findPersonal(t, db)
	for _, table := range []string{"complaint", "attachment_file", "audit_event", "inbox", "outbox", "pending_action", "whatsmeow_contacts", "whatsmeow_lid_map"} {
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
	if canRedactAudit(t, db) {
		// The chain of the trail still holds: every event's hash over its fields and
		// its body hash, each linked to the one before.
		var broken int
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM (SELECT e.hash, audit_event_hash(e.prev_hash, e, e.body_hash) AS again, e.prev_hash,
	lag(e.hash, 1, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) OVER (PARTITION BY e.complaint_id ORDER BY e.id) AS before
	FROM audit_event e) x WHERE hash <> again OR prev_hash <> before`).Scan(&broken); err != nil || broken != 0 {
			t.Errorf("%d audit events break the chain after Anonymise (%v)", broken, err)
		}
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
	check, err := db.VerifyAudit(ctx, 0)
	if err != nil || check.Broken != 0 || check.Redacted == 0 || check.Events != int64(len(trail)) {
		t.Errorf("aduan audit verify after Anonymise: %+v (%v); want every event whole, some redacted", check, err)
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

// outboxMsgs returns the messages queued for a chat, oldest first, as their IDs.
func outboxMsgs(t *testing.T, db *store.DB, chat string) []string {
	t.Helper()
	rows, err := db.Pool().Query(ctx, `SELECT payload->>'msg' FROM outbox WHERE chat = $1 ORDER BY id`, chat)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// /hapusdata: the citizen is asked to confirm; on confirmation their closed complaint
// is anonymised at once, their open one is recorded and anonymised by the sweep once
// it closes and its closing message is out; the request is then completed. Nothing of
// theirs is left.
func TestDeletionRequest(t *testing.T) {
	db, rules, cit, closed, at := pdJourney(t)
	// A second complaint, still open.
	open := fileByChat(t, cit, at)
	at = at.Add(time.Hour)

	cit.send(flows.Inbound{Command: flows.EraseCommand}, at)
	msgs := outboxMsgs(t, db, pdChat)
	if msgs[len(msgs)-1] != string(flows.MsgEraseAsk) {
		t.Fatalf("/hapusdata answered %v", msgs[len(msgs)-1])
	}
	if got, _ := db.Complaint(ctx, closed.ID); got.Body != closed.Body {
		t.Fatal("asking deleted something")
	}
	// "No" deletes nothing.
	cit.send(flows.Inbound{Choice: "m:erase:no"}, at)
	if msgs := outboxMsgs(t, db, pdChat); !strings.Contains(strings.Join(msgs, " "), string(flows.MsgEraseCancelled)) {
		t.Errorf("no cancellation in %v", msgs)
	}
	deliverAll(t, db, at)
	cit.send(flows.Inbound{Command: flows.EraseCommand}, at)
	cit.send(flows.Inbound{Choice: "m:erase:yes"}, at)

	var payload []byte
	if err := db.Pool().QueryRow(ctx, `SELECT payload FROM outbox WHERE chat = $1 AND payload->>'msg' = $2`, pdChat, string(flows.MsgEraseDone)).Scan(&payload); err != nil {
		t.Fatalf("no %s queued: %v", flows.MsgEraseDone, err)
	}
	var done flows.Notice
	if err := json.Unmarshal(payload, &done); err != nil {
		t.Fatal(err)
	}
	if done.Data["Erased"] != "1" || done.Data["Waiting"] != "1" || done.Data["List"] != open.Tracking {
		t.Errorf("%s says %v, want 1 erased and %s waiting", flows.MsgEraseDone, done.Data, open.Tracking)
	}
	got, err := db.Complaint(ctx, closed.ID)
	if err != nil || got.Body != "" || got.Contact.Chat != flows.ErasedChat {
		t.Errorf("the closed complaint after the request: %+v (%v)", got, err)
	}
	if got, _ := db.Complaint(ctx, open.ID); got.Body != pdBody || got.Contact.Chat != pdChat {
		t.Errorf("the open complaint lost its data before it closed: %+v", got)
	}
	reqs, err := db.DeletionRequests(ctx, true, 10)
	if err != nil || len(reqs) != 1 || reqs[0].Erased != 1 || reqs[0].Waiting != 1 || !reqs[0].CompletedAt.IsZero() ||
		!strings.HasPrefix(reqs[0].Requester, "complainant:") || reqs[0].Channel != store.WhatsApp {
		t.Fatalf("open deletion requests: %+v (%v)", reqs, err)
	}
	deliverAll(t, db, at)

	// The open complaint closes (archived by the national admin); until its message
	// to the citizen is out, the sweep waits.
	at = at.Add(time.Hour)
	mustApply(t, db, rules, open.ID, flows.Event{Kind: flows.EvArchive, Actor: flowstest.Member(flowstest.National), Text: "Sama dengan laporan sebelumnya."}, at)
	opt := store.RetentionOptions{After: 730 * 24 * time.Hour, Keep: 30 * 24 * time.Hour}
	rep, err := db.Retain(ctx, opt, at)
	if err != nil || rep.Requested != 0 || len(rep.Completed) != 0 {
		t.Fatalf("Retain before the closing message went: %+v, %v", rep, err)
	}
	deliverAll(t, db, at)
	rep, err = db.Retain(ctx, opt, at.Add(time.Minute))
	if err != nil || rep.Requested != 1 || len(rep.Completed) != 1 || rep.Completed[0] != reqs[0].ID {
		t.Fatalf("Retain after it: %+v, %v", rep, err)
	}
	if reqs, err := db.DeletionRequests(ctx, false, 10); err != nil || len(reqs) != 1 || reqs[0].CompletedAt.IsZero() {
		t.Errorf("deletion requests: %+v (%v)", reqs, err)
	}
	// The request's own reply still waits for delivery with the chat: once it is out
	// the chat is gone from it too, and nothing personal is left anywhere.
	after := findPersonal(t, db)
	if !canRedactAudit(t, db) {
		delete(after, "audit_event")
	}
	for table, what := range after {
		t.Errorf("after the request, %s still holds the %s", table, strings.Join(what, ", "))
	}
	var sessions int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM session`).Scan(&sessions); err != nil || sessions != 0 {
		t.Errorf("%d sessions left (%v)", sessions, err)
	}
}

// An anonim report keeps only the chat it came from, to reply; when it closes the
// sweep erases that too, once the closing message is out and its rating window has
// ended (here by the rating; see TestAnonimChatKeptForRating). A rahasia or biasa one
// keeps its chat until its retention ends.
func TestAnonimChatErasedAtClosure(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 09:00")
	report := flowstest.Report()
	report.Privacy = flows.Anonymous
	anon, err := db.File(ctx, rules, "KR", report, at)
	if err != nil {
		t.Fatal(err)
	}
	report.Privacy, report.Contact.Chat = flows.Confidential, "555002"
	secret, err := db.File(ctx, rules, "KR", report, at)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []flows.Complaint{anon, secret} {
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, at)
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "Sudah dicetak."}, at)
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvSatisfied, Actor: flows.Actor{Kind: flows.ByComplainant, Ref: c.Contact.Chat}}, at)
	}
	opt := store.RetentionOptions{After: 730 * 24 * time.Hour, Keep: 30 * 24 * time.Hour}
	if rep, err := db.Retain(ctx, opt, at); err != nil || rep.AnonimChats != 0 {
		t.Fatalf("Retain with the closing message waiting: %+v, %v", rep, err)
	}
	if got, _ := db.Complaint(ctx, anon.ID); got.Contact.Chat != flowstest.ChatRef {
		t.Fatalf("the chat went before the closing message: %q", got.Contact.Chat)
	}
	deliverAll(t, db, at)
	mustApply(t, db, rules, anon.ID, flows.Event{Kind: flows.EvRate, Actor: flows.Actor{Kind: flows.ByComplainant, Ref: anon.Contact.Chat}, Rating: 4}, at)
	deliverAll(t, db, at)
	rep, err := db.Retain(ctx, opt, at.Add(time.Minute))
	if err != nil || rep.AnonimChats != 1 || rep.Anonymised != 0 {
		t.Fatalf("Retain after it: %+v, %v", rep, err)
	}
	got, err := db.Complaint(ctx, anon.ID)
	if err != nil || got.Contact.Chat != flows.ErasedChat || got.Body != anon.Body {
		t.Errorf("anonim after closure: chat %q, body %q (%v)", got.Contact.Chat, got.Body, err)
	}
	if got, _ := db.Complaint(ctx, secret.ID); got.Contact.Chat != "555002" {
		t.Errorf("the rahasia report lost its chat: %q", got.Contact.Chat)
	}
	var left int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE chat = $1`, flowstest.ChatRef).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d messages still name the anonim chat (%v)", left, err)
	}
	trail, _ := db.Audit(ctx, anon.ID)
	if last := trail[len(trail)-1]; last.Kind != flows.EvRedact || last.Text != flows.RedactAnonim {
		t.Errorf("last audit event %+v", last)
	}
	// A rating pressed afterwards cannot find the complaint: no message goes back.
	if rep, err := db.Retain(ctx, opt, at.Add(2*time.Minute)); err != nil || rep.AnonimChats != 0 {
		t.Errorf("second Retain: %+v, %v", rep, err)
	}
}

// The retention period: complaints closed longer ago than After are anonymised, the
// others not; the traces of conversations older than Keep are purged, cards kept; a
// second sweep does nothing.
func TestRetainPeriodsAndPurges(t *testing.T) {
	db, rules := setup(t)
	old := flowstest.At(t, "2024-06-03 09:00")
	recent := flowstest.At(t, "2026-11-02 09:00")
	now := flowstest.At(t, "2026-11-30 09:00")
	closeAt := func(at time.Time, chat string) flows.Complaint {
		r := flowstest.Report()
		r.Contact.Chat = chat
		c, err := db.File(ctx, rules, "KR", r, at)
		if err != nil {
			t.Fatal(err)
		}
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvArchive, Actor: flowstest.Member(flowstest.National), Text: "Bukan pengaduan."}, at)
		deliverAll(t, db, at)
		return c
	}
	a := closeAt(old, "9001")
	open := mustFile(t, db, rules, old)
	// An idle session, a handled inbound message, a file nobody holds and a pending
	// action nobody finished, all old.
	if _, err := db.Pool().Exec(ctx, `INSERT INTO session (channel, chat, step, updated_at) VALUES ('telegram', '9004', '', $1), ('telegram', '9003', 'body', $1)`, old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Receive(ctx, store.Telegram, "u1", "9001", []byte(`{"text":"x"}`), old); err != nil {
		t.Fatal(err)
	}
	if err := db.Handled(ctx, store.Telegram, "u1", old); err != nil {
		t.Fatal(err)
	}
	orphan, err := db.SaveFile(ctx, store.Telegram, "", "f1", "a.jpg", "image/jpeg", []byte("orphan"), old)
	if err != nil {
		t.Fatal(err)
	}
	press := flows.Inbound{Channel: store.Telegram, Chat: "-1001", User: "55", Name: "Sari"}
	openC, _ := db.Complaint(ctx, open.ID)
	if err := db.Press(ctx, rules, []string{flowstest.National}, press, flows.CardAction{Event: flows.EvArchive, Complaint: open.ID, Version: openC.Version}, old); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, db, old)
	b := closeAt(recent, "9002") // the IDs of rows follow the time they were added
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := db.Pool().QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cardsBefore := count(`SELECT count(*) FROM card`)

	opt := store.RetentionOptions{After: 730 * 24 * time.Hour, Keep: 30 * 24 * time.Hour, Batch: 2}
	rep, err := db.Retain(ctx, opt, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Anonymised != 1 || rep.Pending != 1 || rep.Inbox != 1 || rep.Sessions != 1 || rep.Outbox == 0 {
		t.Errorf("Retain: %+v; want 1 anonymised, 1 pending action, 1 inbound, 1 session and messages purged", rep)
	}
	if got, _ := db.Complaint(ctx, a.ID); got.Body != "" {
		t.Errorf("the complaint archived in 2024 keeps its body")
	}
	if got, _ := db.Complaint(ctx, b.ID); got.Body == "" {
		t.Errorf("the complaint archived this month lost its body")
	}
	if got, _ := db.Complaint(ctx, open.ID); got.Body == "" {
		t.Errorf("the open complaint lost its body")
	}
	// The file nobody holds is the sweep of files' (run before Retain each minute).
	if n, err := db.SweepFiles(ctx, now); err != nil || n != 1 {
		t.Errorf("SweepFiles: %d, %v; want the unreferenced file deleted", n, err)
	}
	if _, _, _, err := db.Attachment(ctx, orphan); err == nil {
		t.Errorf("the unreferenced file is still there")
	}
	if n := count(`SELECT count(*) FROM card`); n != cardsBefore {
		t.Errorf("%d cards, was %d", n, cardsBefore)
	}
	if n := count(`SELECT count(*) FROM outbox WHERE created_at < $1 AND id NOT IN (SELECT outbox_id FROM card)`, now.Add(-opt.Keep)); n != 0 {
		t.Errorf("%d old messages that are no card left", n)
		rows, _ := db.Pool().Query(ctx, `SELECT id, chat, unit, payload::text, delivered_at IS NOT NULL, failed_at IS NOT NULL, edit_of, (SELECT count(*) FROM pending_action p WHERE p.prompt_id = o.id) FROM outbox o WHERE created_at < $1 AND id NOT IN (SELECT outbox_id FROM card)`, now.Add(-opt.Keep))
		for rows.Next() {
			var id int64
			var chat, unit, p string
			var d, f bool
			var e *int64
			var np int
			_ = rows.Scan(&id, &chat, &unit, &p, &d, &f, &e, &np)
			t.Logf("left: %d %s %s %s delivered %v failed %v edit_of %v prompts %d", id, chat, unit, p, d, f, e, np)
		}
	}
	if n := count(`SELECT count(*) FROM outbox WHERE created_at >= $1`, now.Add(-opt.Keep)); n == 0 {
		t.Errorf("recent messages were purged")
	}
	if n := count(`SELECT count(*) FROM session WHERE chat = '9003'`); n != 1 {
		t.Errorf("the session with a draft was purged")
	}
	rep, err = db.Retain(ctx, opt, now)
	if err != nil || rep.Anonymised+rep.Pending+rep.Inbox+rep.Sessions+rep.Outbox+rep.AnonimChats+rep.Requested != 0 {
		t.Errorf("second Retain: %+v, %v", rep, err)
	}
}

// With two workers and a limit, one sweep anonymises about the limit (at most a batch
// per worker more), the next ones the rest, each complaint once.
func TestRetainWorkersAndLimit(t *testing.T) {
	db, rules := setup(t)
	old := flowstest.At(t, "2024-06-03 09:00")
	const n = 9
	for i := range n {
		r := flowstest.Report()
		r.Contact.Chat = fmt.Sprintf("81%d", i)
		c, err := db.File(ctx, rules, "KR", r, old)
		if err != nil {
			t.Fatal(err)
		}
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvArchive, Actor: flowstest.Member(flowstest.National), Text: "Ganda."}, old)
	}
	now := flowstest.At(t, "2026-11-30 09:00")
	opt := store.RetentionOptions{After: 730 * 24 * time.Hour, Batch: 2, Workers: 2, Limit: 3}
	first, err := db.Retain(ctx, opt, now)
	if err != nil || first.Anonymised < 3 || first.Anonymised > 3+2*2-1 {
		t.Fatalf("first Retain: %+v, %v; want 3 to 6 anonymised", first, err)
	}
	total := first.Anonymised
	for range 5 {
		rep, err := db.Retain(ctx, opt, now)
		if err != nil {
			t.Fatal(err)
		}
		total += rep.Anonymised
	}
	var events, left int
	if err := db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_event WHERE kind = 'redact'), (SELECT count(*) FROM complaint WHERE anonymised_at IS NULL)`).Scan(&events, &left); err != nil {
		t.Fatal(err)
	}
	if total != n || events != n || left != 0 {
		t.Errorf("%d anonymised, %d redact events, %d left; want %d, %d, 0", total, events, left, n, n)
	}
}

// A complaint one of whose messages a sender has claimed and is delivering is not
// anonymised under it (the sender would write what it read afterwards): it waits, and
// is anonymised once the message is out.
func TestAnonymiseWaitsForAMessageBeingSent(t *testing.T) {
	db, _, _, c, at := pdJourney(t)
	if _, err := db.Pool().Exec(ctx, `INSERT INTO outbox (channel, chat, lang, complaint_id, unit, payload, created_at, next_attempt_at)
VALUES ('telegram', '-1001', 'id', $1, $2, '{"msg": "card.body", "card": true}', $3, $3)`, c.ID, c.Unit, at); err != nil {
		t.Fatal(err)
	}
	batch, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil || len(batch) != 1 {
		t.Fatalf("Claim = %d messages, %v; want the card edit", len(batch), err)
	}
	if n, err := db.Anonymise(ctx, []int64{c.ID}, flows.RedactRetention, at.Add(time.Second)); err != nil || n != 0 {
		t.Fatalf("Anonymise while a message is being sent = %d, %v; want 0", n, err)
	}
	if got, err := db.Complaint(ctx, c.ID); err != nil || got.Body != c.Body {
		t.Fatalf("the complaint changed while its message was being sent: %q (%v)", got.Body, err)
	}
	if err := db.Delivered(ctx, batch[0].ID, flows.Receipt{Ref: "r"}, at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Anonymise(ctx, []int64{c.ID}, flows.RedactRetention, at.Add(2*time.Second)); err != nil || n != 1 {
		t.Fatalf("Anonymise once the message is out = %d, %v; want 1", n, err)
	}
}
