package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// deliverTo claims the due messages and delivers the one of each chat in receipts with
// its receipt; the others go back to the queue. It returns the delivered ones by chat.
func deliverTo(t *testing.T, db *store.DB, at time.Time, receipts map[string]flows.Receipt) map[string]flows.Envelope {
	t.Helper()
	claimed, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]flows.Envelope{}
	for _, m := range claimed {
		r, ok := receipts[m.Chat]
		if !ok {
			err = db.Defer(ctx, m.ID, at, "not now")
		} else {
			out[m.Chat] = m
			err = db.Delivered(ctx, m.ID, r, at)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) != len(receipts) {
		t.Fatalf("delivered to %d chats of %v", len(out), receipts)
	}
	return out
}

// The choices a channel numbered with a message are kept with its delivery, found by
// its receipt in its chat (as its latest delivery left them: an edited card shows what
// the edit showed), and the chat's latest message that offered something to answer is
// found past the notices delivered after it.
func TestShownChoices(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	actions := []flows.Shown{
		{Label: "Teruskan ke Kabupaten", Key: "action.route", Data: "a:route:1:1"},
		{Label: "Arsipkan", Key: "action.archive", Data: "a:archive:1:1"},
	}
	deliverTo(t, db, at, map[string]flows.Receipt{flowstest.ChatRef: {Ref: "10"}, "-1001": {Ref: "20", Choices: actions}})

	r, ok, err := db.Shown(ctx, store.Telegram, "-1001", "20")
	if err != nil || !ok || r.Ref != "20" || r.FreeText || !slices.Equal(r.Choices, actions) {
		t.Fatalf("the card's choices: %+v, %v, %v", r, ok, err)
	}
	r, ok, err = db.Shown(ctx, store.Telegram, flowstest.ChatRef, "10")
	if err != nil || !ok || len(r.Choices) != 0 {
		t.Errorf("a notice without choices: %+v, %v, %v", r, ok, err)
	}
	for _, q := range [][3]string{{store.Telegram, flowstest.ChatRef, "20"}, {store.WhatsApp, "-1001", "20"}, {store.Telegram, "-1001", "99"}, {store.Telegram, "-1001", ""}} {
		if r, ok, err := db.Shown(ctx, q[0], q[1], q[2]); err != nil || ok {
			t.Errorf("Shown%v = %+v, %v, %v; want nothing", q, r, ok, err)
		}
	}
	if r, ok, err := db.LastShown(ctx, store.Telegram, flowstest.ChatRef); err != nil || ok {
		t.Errorf("a chat that was offered nothing: %+v, %v, %v", r, ok, err)
	}

	// Routed: the citizen is told (a prompt that takes text, say), the card is edited in
	// place without actions for the national unit.
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	edit := deliverTo(t, db, at, map[string]flows.Receipt{flowstest.ChatRef: {Ref: "11", FreeText: true}, "-1001": {Ref: "20"}})["-1001"]
	if edit.Edit != "20" {
		t.Fatalf("the card's refresh edits %q, want 20", edit.Edit)
	}
	if r, ok, err := db.Shown(ctx, store.Telegram, "-1001", "20"); err != nil || !ok || len(r.Choices) != 0 {
		t.Errorf("the edited card still offers %+v (%v, %v)", r, ok, err)
	}
	r, ok, err = db.LastShown(ctx, store.Telegram, flowstest.ChatRef)
	if err != nil || !ok || r.Ref != "11" || !r.FreeText || r.Choices != nil {
		t.Errorf("the prompt that takes text: %+v, %v, %v", r, ok, err)
	}

	// A later notice with nothing to answer leaves the prompt the latest; a later
	// message with choices takes its place.
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, at)
	deliverTo(t, db, at, map[string]flows.Receipt{flowstest.ChatRef: {Ref: "12"}})
	if r, ok, _ := db.LastShown(ctx, store.Telegram, flowstest.ChatRef); !ok || r.Ref != "11" {
		t.Errorf("after a notice, the latest prompt is %+v (%v), want 11", r, ok)
	}
	rate := []flows.Shown{{Label: "1", Data: "c:rate:X:1"}, {Label: "2", Data: "c:rate:X:2"}}
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "Sudah kami proses."}, at)
	deliverTo(t, db, at, map[string]flows.Receipt{flowstest.ChatRef: {Ref: "13", Choices: rate}})
	if r, ok, _ := db.LastShown(ctx, store.Telegram, flowstest.ChatRef); !ok || r.Ref != "13" || !slices.Equal(r.Choices, rate) {
		t.Errorf("the latest message with choices is %+v (%v), want 13", r, ok)
	}
}

// A card action pressed with its text (a short command typed quoting the card) keeps the
// text with the pending action at once and asks only to confirm it: the confirmation,
// which carries the action's ID, is its prompt, so that a reply to it with another text
// replaces the text; confirming applies the action with the text.
func TestPressWithText(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	c = mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, at)
	in := flows.Inbound{Channel: store.Telegram, Chat: "-1003", User: "55", Name: "Sari", Text: " KK Anda sudah dicetak. "}
	a := flows.CardAction{Event: flows.EvAnswer, Complaint: c.ID, Version: c.Version}
	err := db.Press(ctx, rules, []string{flowstest.Agency}, in, a, at)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	var text, msg string
	var choices []byte
	err = db.Pool().QueryRow(ctx, `SELECT p.id, p.text, o.payload->>'msg', o.payload->'choices' FROM pending_action p JOIN outbox o ON o.id = p.prompt_id`).
		Scan(&id, &text, &msg, &choices)
	if err != nil {
		t.Fatal(err)
	}
	if text != "KK Anda sudah dicetak." || msg != string(flows.MsgConfirmText) || !strings.Contains(string(choices), flows.PendingData(id, true)) {
		t.Fatalf("pending %d %q, prompt %s with %s", id, text, msg, choices)
	}
	claimed, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range claimed {
		if m.Notice.Msg == flows.MsgConfirmText {
			err = db.Delivered(ctx, m.ID, flows.Receipt{Ref: "30"}, at)
		} else {
			err = db.Defer(ctx, m.ID, at, "not now")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	in = flows.Inbound{Channel: store.Telegram, Chat: "-1003", User: "55", Name: "Sari", ReplyTo: "30", Text: "KK Anda sudah dicetak dan dapat diambil."}
	if err := db.ReplyText(ctx, in, at); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `SELECT text FROM pending_action WHERE id = $1`, id).Scan(&text); err != nil || text != in.Text {
		t.Fatalf("after a reply to the confirmation the text is %q (%v)", text, err)
	}
	if err := db.ConfirmPending(ctx, rules, flows.Inbound{Channel: store.Telegram, Chat: "-1003", User: "55", Name: "Sari"}, id, true, at); err != nil {
		t.Fatal(err)
	}
	got, err := db.Complaint(ctx, c.ID)
	if err != nil || got.State != flows.Answered {
		t.Fatalf("after confirming: %s (%v)", got.State, err)
	}
	trail, err := db.Audit(ctx, c.ID)
	if err != nil || trail[len(trail)-1].Text != "KK Anda sudah dicetak dan dapat diambil." {
		t.Errorf("the answer's text: %+v (%v)", trail[len(trail)-1], err)
	}
}
