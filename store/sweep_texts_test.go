package store_test

import (
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
	"aduan/store"
)

// TestSweepTextsDifferPerRecipient: what the sweep sends by itself — reminders and
// deadlines of complaints, the units' digests, draft reminders and expiries — never
// reaches two chats in the same words, in either language: WhatsApp bans a number that
// sends one text to many (code 104). Drafts of one category differ by when they were
// last written to, digests by their unit.
func TestSweepTextsDifferPerRecipient(t *testing.T) {
	db, rules := setup(t)
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	loc := flowstest.Zone(t)
	at := flowstest.At(t, "2026-11-30 10:00") // Monday
	// One complaint at the national unit, one at the regency's: by the sweep both are
	// overdue, and their digests count the same.
	for i := range 2 {
		c := mustFile(t, db, rules, at.Add(time.Duration(i)*time.Minute))
		if i == 0 {
			mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at.Add(time.Hour))
		}
	}
	pending(t, db, at.Add(time.Hour)) // what filing and routing sent
	intake := flows.DefaultIntake()
	now := flowstest.At(t, "2026-12-10 08:00") // both overdue: digests of the same counts
	for i, d := range []struct {
		lang    string
		updated time.Time
		draft   string
	}{
		{"id", now.Add(-intake.RemindAfter - time.Hour), `{"Type":"pengaduan","Category":"kk"}`},
		{"id", now.Add(-intake.RemindAfter - 2*time.Hour), `{"Type":"pengaduan","Category":"kk"}`},
		{"en", now.Add(-intake.RemindAfter - 3*time.Hour), `{"Type":"pengaduan","Category":"kk"}`},
		{"id", now.Add(-intake.ExpireAfter - time.Hour), `{"Type":"pengaduan","Category":"kk"}`},
		{"id", now.Add(-intake.ExpireAfter - 2*time.Hour), `{"Type":"pengaduan","Category":"kk"}`},
		{"en", now.Add(-intake.ExpireAfter - 3*time.Hour), `{"Type":"aspirasi"}`},
	} {
		if _, err := db.Pool().Exec(ctx, `INSERT INTO session (channel, chat, lang, step, draft, updated_at, next_check_at)
VALUES ('whatsapp', $1, $2, 'body', $3, $4, $4)`, "62812000000"+string(rune('0'+i))+"@s.whatsapp.net", d.lang, d.draft, d.updated); err != nil {
			t.Fatal(err)
		}
	}
	sweep(t, db, rules, now)
	if n, err := db.SweepSessions(ctx, &intake, now); err != nil || n != 6 {
		t.Fatalf("SweepSessions = %d, %v; want 6 drafts reminded or dropped", n, err)
	}
	var msgs []flows.Envelope
	for {
		batch, err := db.Claim(ctx, []string{store.Telegram, "whatsapp"}, now, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			break
		}
		for _, m := range batch {
			msgs = append(msgs, m)
			if err := db.Delivered(ctx, m.ID, flows.Receipt{Ref: "ok"}, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	to := map[string]string{} // text → the chat it went to
	kinds := map[flows.MsgID]int{}
	for _, m := range msgs {
		s, err := cat.On(locales.WhatsApp).Notice(m.Lang, m.Notice, rules.Units, loc)
		if err != nil {
			t.Fatalf("%s: %v", m.Notice.Msg, err)
		}
		kinds[m.Notice.Msg]++
		if chat, ok := to[s]; ok && chat != m.Chat {
			t.Errorf("%s went to %s and %s in the same words:\n%s", m.Notice.Msg, chat, m.Chat, s)
		}
		to[s] = m.Chat
	}
	for _, k := range []flows.MsgID{flows.MsgDigest, flows.MsgDraftReminder, flows.MsgDraftExpired} {
		if kinds[k] < 2 {
			t.Errorf("%d %s queued, want several to compare: %v", kinds[k], k, kinds)
		}
	}
	if kinds[flows.MsgReminder]+kinds[flows.MsgOverdue] == 0 {
		t.Errorf("no complaint's reminder queued: %v", kinds)
	}
}
