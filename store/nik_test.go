package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

const (
	testNIK       = "6112014501900011"
	testNIKMasked = "6112••••••••••11"
)

// TestNIKRoundTripAndErasure: the complaint's NIK is stored with it and read back by
// every reader, the session's draft keeps it, a member of the responsible unit sees it
// whole alone (access-logged as a member of the unit, never naming the number), and
// the anonymisation of retention empties it.
func TestNIKRoundTripAndErasure(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 09:00")
	r := flowstest.Report()
	r.Contact.NIK = testNIK
	c, err := db.File(ctx, rules, "KR", r, at)
	if err != nil {
		t.Fatal(err)
	}
	for what, read := range map[string]func() (flows.Complaint, error){
		"by ID":       func() (flows.Complaint, error) { return db.Complaint(ctx, c.ID) },
		"by tracking": func() (flows.Complaint, error) { return db.ComplaintByTracking(ctx, c.Tracking) },
	} {
		got, err := read()
		if err != nil || got.Contact.NIK != testNIK {
			t.Errorf("%s: NIK %q, %v", what, got.Contact.NIK, err)
		}
	}
	if cs, err := db.List(ctx, store.Filter{}); err != nil || len(cs) != 1 || cs[0].Contact.NIK != testNIK {
		t.Errorf("List: %+v, %v", cs, err)
	}
	// A complaint filed without one has none.
	plain, err := db.File(ctx, rules, "KR", flowstest.Report(), at)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Complaint(ctx, plain.ID); got.Contact.NIK != "" {
		t.Errorf("a complaint without a NIK reads %q", got.Contact.NIK)
	}
	// The database refuses what is no NIK.
	if _, err := db.Pool().Exec(ctx, `UPDATE complaint SET contact_nik = '6112' WHERE id = $1`, c.ID); err == nil {
		t.Errorf("the column took a 4-digit NIK")
	}

	// The national admin's member presses Lihat NIK on the card: the answer is for them
	// alone, and the view is in the access log.
	press := flows.Inbound{Channel: store.Telegram, ID: "u-nik-1", Chat: "-1001", User: "7001", Name: "Andi", Press: "cq-nik"}
	if err := db.Show(ctx, rules, []string{flowstest.National}, press, flows.View{What: flows.ViewNIK, Complaint: c.ID}, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var chat, msg, text, pressed string
	if err := db.Pool().QueryRow(ctx, `SELECT chat, payload->>'msg', payload->>'text', coalesce(payload->>'press', '') FROM outbox
		WHERE payload->>'msg' = $1`, string(flows.MsgNIKShown)).Scan(&chat, &msg, &text, &pressed); err != nil {
		t.Fatal(err)
	}
	if chat != "7001" || text != testNIK || pressed != "cq-nik" {
		t.Errorf("the NIK went to chat %q (press %q) as %q; want the member's own answer with the whole number", chat, pressed, text)
	}
	log, err := db.AccessLog(ctx, store.AccessFilter{Complaint: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].What != store.AccessNIK || !strings.HasPrefix(log[0].Who, "unit:"+flowstest.National+" member:") ||
		strings.Contains(log[0].Who, "7001") || log[0].Tracking != c.Tracking || log[0].Person == "" || strings.Contains(log[0].Who, testNIK) {
		t.Errorf("access log %+v", log)
	}

	// The draft of a session keeps it (the store's JSON of the conversation).
	intake := flows.DefaultIntake()
	cit := flows.Inbound{Channel: store.Telegram, Chat: "5101", User: "5101"}
	for _, m := range []flows.Inbound{{Command: "lapor"}, {Choice: "i:consent:ok"}, {Choice: "i:type:pengaduan"}, {Choice: "i:privacy:biasa"},
		{Choice: "i:category:kk"}, {Text: "Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai."},
		{Choice: "i:when:skip"}, {Choice: "i:where:skip"}, {Choice: "i:files:done"}, {Choice: "i:phone:skip"}, {Text: testNIK}} {
		m.Channel, m.Chat, m.User = cit.Channel, cit.Chat, cit.User
		if err := db.Converse(ctx, rules, &intake, "KR", m, at); err != nil {
			t.Fatal(err)
		}
	}
	var draft []byte
	if err := db.Pool().QueryRow(ctx, `SELECT draft FROM session WHERE chat = $1`, cit.Chat).Scan(&draft); err != nil {
		t.Fatal(err)
	}
	var d flows.Complaint
	if err := json.Unmarshal(draft, &d); err != nil || d.Contact.NIK != testNIK {
		t.Errorf("the stored draft's NIK %q (%v)", d.Contact.NIK, err)
	}

	// Closed, then anonymised: the NIK is gone.
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvArchive, Actor: flowstest.Member(flowstest.National), Text: "Ganda."}, at.Add(time.Hour))
	if n, err := db.Anonymise(ctx, []int64{c.ID}, flows.RedactRetention, at.Add(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("Anonymise = %d, %v", n, err)
	}
	var left int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM complaint WHERE contact_nik <> ''`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d complaints keep a NIK after the anonymisation (%v)", left, err)
	}
}
