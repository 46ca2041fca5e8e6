package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// sent drains the outbox and returns its messages as "chat msg [press] [answer]
// [edit]", in the order they are claimed.
func sent(t *testing.T, db *store.DB, at time.Time) []string {
	t.Helper()
	var out []string
	drain(t, db, at, func(o flows.Envelope) {
		s := o.Chat + " " + string(o.Notice.Msg)
		if o.Notice.Msg == "" {
			s += "ack"
		}
		if o.Notice.Press != "" {
			s += " press=" + o.Notice.Press
		}
		if o.Answer {
			s += " answer"
		}
		if o.Edit != "" {
			s += " edit"
		}
		out = append(out, s)
	})
	return out
}

// TestActionsAcknowledgedAlike: a unit's action taken on a card in its group (Press,
// or ReplyText and ConfirmPending for one that needs text) and the same event applied
// through DB.Apply from the same chat queue the same messages, to the same chats, in
// the same order — the change's notices, the card edits, then "done" in the group and
// the answer to the press — so that every surface says the same.
func TestActionsAcknowledgedAlike(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	routed := func() flows.Complaint {
		c := mustFile(t, db, rules, at)
		return mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	}
	a, b := routed(), routed()
	sent(t, db, at)
	in := flows.Inbound{Channel: store.Telegram, Chat: "-1002", User: "7002", Name: "Rina", Press: "cq-1"}
	o := in.Origin()
	apply := func(c flows.Complaint, ev flows.Event) {
		t.Helper()
		ev.Actor, ev.Origin = o.Member(flowstest.Regency), o
		if _, err := db.Apply(ctx, rules, c.ID, c.Version, ev, at); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("a press", func(t *testing.T) {
		press := flows.CardAction{Event: flows.EvDistribute, Complaint: a.ID, Version: a.Version, Target: flowstest.Agency}
		if err := db.Press(ctx, rules, []string{flowstest.Regency}, in, press, at); err != nil {
			t.Fatal(err)
		}
		pressed := sent(t, db, at)
		apply(b, flows.Event{Kind: flows.EvDistribute, Target: flowstest.Agency})
		applied := sent(t, db, at)
		if !slices.Equal(pressed, applied) {
			t.Errorf("pressed:\n  %s\napplied:\n  %s", strings.Join(pressed, "\n  "), strings.Join(applied, "\n  "))
		}
		wantTail := []string{"-1002 " + string(flows.MsgDone) + " answer", "7002 ack press=cq-1"}
		if len(pressed) < 2 || !slices.Equal(pressed[len(pressed)-2:], wantTail) {
			t.Errorf("pressed:\n  %s\nwant it to end with %q", strings.Join(pressed, "\n  "), wantTail)
		}
		if !slices.Contains(pressed, "-1002 "+string(flows.MsgCard)+" edit") {
			t.Errorf("pressed:\n  %s\nwant the regency's card edited", strings.Join(pressed, "\n  "))
		}
	})

	t.Run("a text confirmed", func(t *testing.T) {
		a, b := routed(), routed()
		sent(t, db, at)
		press := flows.CardAction{Event: flows.EvSendBack, Complaint: a.ID, Version: a.Version}
		if err := db.Press(ctx, rules, []string{flowstest.Regency}, in, press, at); err != nil {
			t.Fatal(err)
		}
		var prompt int64
		drain(t, db, at, func(e flows.Envelope) {
			if e.Notice.Msg == flows.MsgAskText {
				prompt = e.ID
			}
		})
		var receipt string
		if err := db.Pool().QueryRow(ctx, `SELECT receipt FROM outbox WHERE id = $1`, prompt).Scan(&receipt); err != nil {
			t.Fatal(err)
		}
		reply := flows.Inbound{Channel: store.Telegram, Chat: "-1002", User: "7002", Name: "Rina", ReplyTo: receipt, Text: "Bukan wewenang kabupaten."}
		if err := db.ReplyText(ctx, reply, at); err != nil {
			t.Fatal(err)
		}
		var pending int64
		drain(t, db, at, func(e flows.Envelope) {
			for _, ch := range e.Notice.Choices {
				for _, c := range ch {
					if id, ok, valid := flows.ParsePendingData(c.Data); valid && ok {
						pending = id
					}
				}
			}
		})
		if pending == 0 {
			t.Fatal("no confirmation offered")
		}
		if err := db.ConfirmPending(ctx, rules, in, pending, true, at); err != nil {
			t.Fatal(err)
		}
		confirmed := sent(t, db, at)
		apply(b, flows.Event{Kind: flows.EvSendBack, Text: "Bukan wewenang kabupaten."})
		applied := sent(t, db, at)
		if !slices.Equal(confirmed, applied) {
			t.Errorf("confirmed:\n  %s\napplied:\n  %s", strings.Join(confirmed, "\n  "), strings.Join(applied, "\n  "))
		}
		// A second confirmation is stale, to the person alone.
		if err := db.ConfirmPending(ctx, rules, in, pending, true, at); err != nil {
			t.Fatal(err)
		}
		if got, want := sent(t, db, at), []string{fmt.Sprintf("7002 %s press=cq-1", flows.MsgStaleCard)}; !slices.Equal(got, want) {
			t.Errorf("a second confirmation: %q, want %q", got, want)
		}
	})
}
