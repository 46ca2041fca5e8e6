package store_test

import (
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

// An anonim report closed without a rating keeps its chat through its rating window
// (flows.RatingWindow), the closing message delivered or not: the sweep ends the window
// (EvRatingClosed, in the audit trail, whose chain still verifies), and only then does
// the retention sweep erase the chat. Rated, it goes at once.
func TestAnonimChatKeptForRating(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 09:00")
	report := flowstest.Report()
	report.Privacy = flows.Anonymous
	var ids []int64
	for _, chat := range []string{"556101", "556102"} {
		report.Contact.Chat = chat
		c, err := db.File(ctx, rules, "KR", report, at)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, at)
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "Sudah dicetak."}, at)
		mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvSatisfied, Actor: flows.Actor{Kind: flows.ByComplainant, Ref: chat}}, at)
	}
	unrated, rated := ids[0], ids[1]
	deliverAll(t, db, at)
	opt := store.RetentionOptions{After: 730 * 24 * time.Hour, Keep: 30 * 24 * time.Hour}
	chatOf := func(id int64) string {
		t.Helper()
		c, err := db.Complaint(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Contact.Chat
	}
	if rep, err := db.Retain(ctx, opt, at.Add(time.Minute)); err != nil || rep.AnonimChats != 0 {
		t.Fatalf("Retain within the window: %+v, %v", rep, err)
	}
	if chatOf(unrated) != "556101" || chatOf(rated) != "556102" {
		t.Fatalf("a chat went within the rating window")
	}

	// The second citizen rates on the next day: their chat goes at the next retention
	// sweep, once the thanks are out.
	day := at.Add(24 * time.Hour)
	mustApply(t, db, rules, rated, flows.Event{Kind: flows.EvRate, Actor: flows.Actor{Kind: flows.ByComplainant, Ref: "556102"}, Rating: 5}, day)
	deliverAll(t, db, day)
	if rep, err := db.Retain(ctx, opt, day); err != nil || rep.AnonimChats != 1 {
		t.Fatalf("Retain after the rating: %+v, %v", rep, err)
	}
	if chatOf(rated) != flows.ErasedChat || chatOf(unrated) != "556101" {
		t.Fatalf("after the rating: chats %q and %q", chatOf(rated), chatOf(unrated))
	}

	// A sweep just before the window's end does nothing; at its end the window closes,
	// and the retention sweep takes the chat.
	end := at.Add(flows.RatingWindow)
	if rep, err := db.Sweep(ctx, rules, end.Add(-time.Minute), store.SweepOptions{}); err != nil || len(rep.Changes) != 0 {
		t.Fatalf("Sweep before the window's end: %d changes, %v", len(rep.Changes), err)
	}
	rep, err := db.Sweep(ctx, rules, end, store.SweepOptions{})
	if err != nil || len(rep.Changes) != 1 || rep.Changes[0].Audit.Kind != flows.EvRatingClosed || rep.Changes[0].Complaint.ID != unrated {
		t.Fatalf("Sweep at the window's end: %+v, %v", rep.Changes, err)
	}
	if rep, err := db.Sweep(ctx, rules, end.Add(time.Hour), store.SweepOptions{}); err != nil || len(rep.Changes) != 0 {
		t.Errorf("a second sweep: %d changes, %v", len(rep.Changes), err)
	}
	deliverAll(t, db, end)
	if rep, err := db.Retain(ctx, opt, end); err != nil || rep.AnonimChats != 1 {
		t.Fatalf("Retain after the window: %+v, %v", rep, err)
	}
	if chatOf(unrated) != flows.ErasedChat {
		t.Errorf("after the window: chat %q", chatOf(unrated))
	}
	trail, err := db.Audit(ctx, unrated)
	if err != nil || len(trail) < 2 || trail[len(trail)-2].Kind != flows.EvRatingClosed || trail[len(trail)-1].Kind != flows.EvRedact {
		t.Errorf("the audit trail ends %+v (%v)", trail[len(trail)-2:], err)
	}
	if check, err := db.VerifyAudit(ctx, 0); err != nil || !check.OK() {
		t.Errorf("VerifyAudit: %+v, %v", check, err)
	}
}
