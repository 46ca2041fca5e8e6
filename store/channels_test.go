package store_test

import (
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// queuedOf returns the messages of msg queued for delivery on channel, by chat.
func queuedOf(t *testing.T, db *store.DB, channel string, msg flows.MsgID, at time.Time) map[string]flows.Envelope {
	t.Helper()
	got := map[string]flows.Envelope{}
	for {
		batch, err := db.Claim(ctx, []string{channel}, at, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			return got
		}
		for _, m := range batch {
			if m.Notice.Msg == msg {
				got[m.Chat] = m
			}
			if err := db.Delivered(ctx, m.ID, flows.Receipt{Ref: "r"}, at); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// An alert that stops WhatsApp is kept, told once to every unit's group on the other
// channels, and its end told too; status reads it back.
func TestChannelAlerts(t *testing.T) {
	t.Parallel()
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	until := at.Add(24 * time.Hour)

	st, err := db.Channel(ctx, store.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	if st.Alert.Kind != "" || !st.Seen.IsZero() || st.Queued != 0 {
		t.Fatalf("state of a channel never seen = %+v", st)
	}
	if err := db.SeenChannel(ctx, store.WhatsApp, true, at); err != nil {
		t.Fatal(err)
	}
	ban := flows.Alert{Channel: store.WhatsApp, Kind: flows.AlertBanned, Detail: "101: too many", At: at, Until: until, Build: "b1"}
	if err := db.RaiseAlert(ctx, rules, ban); err != nil {
		t.Fatal(err)
	}
	// Raised again (another replica, a restart): the units are not told twice.
	if err := db.RaiseAlert(ctx, rules, ban); err != nil {
		t.Fatal(err)
	}
	down := queuedOf(t, db, store.Telegram, flows.MsgChannelDown, at)
	if len(down) != len(flowstest.Units()) {
		t.Fatalf("%d groups told WhatsApp stopped, want every unit's %d: %v", len(down), len(flowstest.Units()), down)
	}
	for chat, m := range down {
		n := m.Notice
		if n.Data["Channel"] != "WhatsApp" || n.Data["Kind"] != string(flows.AlertBanned) || !n.Due.Equal(until) || m.Unit == "" {
			t.Errorf("notice to %s = %+v (unit %q)", chat, n, m.Unit)
		}
	}
	st, err = db.Channel(ctx, store.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	a := st.Alert
	if st.Connected || a.Kind != flows.AlertBanned || a.Detail != "101: too many" || !a.At.Equal(at) || !a.Until.Equal(until) || a.Build != "b1" || !a.Cleared.IsZero() {
		t.Fatalf("state after the ban = %+v", st)
	}
	if !a.Active(at.Add(time.Hour), "b1") || a.Active(until, "b1") {
		t.Errorf("ban active an hour in = %v, at its end = %v; want true, false", a.Active(at.Add(time.Hour), "b1"), a.Active(until, "b1"))
	}

	// An operator resumes: the wait ends now, the alert lasts until connected.
	later := at.Add(2 * time.Hour)
	if ok, err := db.ResumeAlert(ctx, store.WhatsApp, later); err != nil || !ok {
		t.Fatalf("ResumeAlert = %v, %v; want true", ok, err)
	}
	st, _ = db.Channel(ctx, store.WhatsApp)
	if st.Alert.Active(later, "b1") || !st.Alert.Cleared.IsZero() {
		t.Errorf("resumed alert = %+v: want not active, not cleared", st.Alert)
	}

	// Connected again: the alert ends and the units are told.
	if ok, err := db.ClearAlert(ctx, rules, store.WhatsApp, later); err != nil || !ok {
		t.Fatalf("ClearAlert = %v, %v; want true", ok, err)
	}
	if ok, err := db.ClearAlert(ctx, rules, store.WhatsApp, later); err != nil || ok {
		t.Fatalf("second ClearAlert = %v, %v; want false", ok, err)
	}
	if up := queuedOf(t, db, store.Telegram, flows.MsgChannelUp, later); len(up) != len(flowstest.Units()) {
		t.Errorf("%d groups told WhatsApp works again, want %d", len(up), len(flowstest.Units()))
	}
	st, _ = db.Channel(ctx, store.WhatsApp)
	if !st.Alert.Cleared.Equal(later) || st.Alert.Kind != flows.AlertBanned {
		t.Errorf("cleared alert = %+v", st.Alert)
	}
	if ok, err := db.ResumeAlert(ctx, store.WhatsApp, later); err != nil || ok {
		t.Errorf("ResumeAlert without an alert = %v, %v; want false", ok, err)
	}

	// An alert that does not stop the channel tells nobody; one on a channel is told
	// only on the others.
	if err := db.RaiseAlert(ctx, rules, flows.Alert{Channel: store.WhatsApp, Kind: flows.AlertMediaExpired, At: later}); err != nil {
		t.Fatal(err)
	}
	if err := db.RaiseAlert(ctx, rules, flows.Alert{Channel: store.Telegram, Kind: flows.AlertReplaced, At: later}); err != nil {
		t.Fatal(err)
	}
	if n := len(queuedOf(t, db, store.Telegram, flows.MsgChannelDown, later)); n != 0 {
		t.Errorf("%d notices for alerts nobody is to be told of", n)
	}
	st, _ = db.Channel(ctx, store.WhatsApp)
	if st.Alert.Kind != flows.AlertMediaExpired || !st.Alert.Cleared.Equal(later) {
		t.Errorf("after a media expiry: %+v, want it the last alert, over", st.Alert)
	}
	// It does not hide an alert in force.
	if err := db.RaiseAlert(ctx, rules, flows.Alert{Channel: store.WhatsApp, Kind: flows.AlertOutdated, At: later, Build: "b1"}); err != nil {
		t.Fatal(err)
	}
	if err := db.RaiseAlert(ctx, rules, flows.Alert{Channel: store.WhatsApp, Kind: flows.AlertMediaExpired, At: later.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	st, _ = db.Channel(ctx, store.WhatsApp)
	if st.Alert.Kind != flows.AlertOutdated || !st.Alert.Active(later, "b1") {
		t.Errorf("a media expiry replaced the alert in force: %+v", st.Alert)
	}
}

// The channel's traffic: the last message in and out, and how many wait.
func TestChannelTraffic(t *testing.T) {
	t.Parallel()
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	if _, err := db.Receive(ctx, store.WhatsApp, "m1", "6281@s.whatsapp.net", []byte(`{}`), at); err != nil {
		t.Fatal(err)
	}
	if err := db.RaiseAlert(ctx, rules, flows.Alert{Channel: store.Telegram, Kind: flows.AlertBanned, At: at}); err != nil {
		t.Fatal(err)
	}
	st, err := db.Channel(ctx, store.WhatsApp)
	if err != nil {
		t.Fatal(err)
	}
	if !st.LastIn.Equal(at) || !st.LastOut.IsZero() || st.Queued != 0 {
		t.Errorf("whatsapp traffic = in %v, out %v, queued %d", st.LastIn, st.LastOut, st.Queued)
	}
	tg, err := db.Channel(ctx, store.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	if tg.Queued != 0 || !tg.LastIn.IsZero() {
		t.Errorf("telegram traffic = %+v: the alert on telegram is told to no group (all are on telegram)", tg)
	}
	c := mustFile(t, db, rules, at)
	_ = c
	tg, _ = db.Channel(ctx, store.Telegram)
	if tg.Queued == 0 {
		t.Errorf("telegram queued = 0 after filing")
	}
	out := at.Add(time.Minute)
	queuedOf(t, db, store.Telegram, "", out)
	tg, _ = db.Channel(ctx, store.Telegram)
	if tg.Queued != 0 || !tg.LastOut.Equal(out) {
		t.Errorf("telegram after delivery: queued %d, last out %v, want 0, %v", tg.Queued, tg.LastOut, out)
	}
}
