package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

var ctx = context.Background()

func setup(t *testing.T) (*store.DB, *flows.Rules) {
	t.Helper()
	db := storetest.NewWithUnits(t, flowstest.Units())
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	return db, rules
}

func mustFile(t *testing.T, db *store.DB, rules *flows.Rules, at time.Time) flows.Complaint {
	t.Helper()
	c, err := db.File(ctx, rules, "KR", flowstest.Report(), at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustApply(t *testing.T, db *store.DB, rules *flows.Rules, id int64, ev flows.Event, at time.Time) flows.Complaint {
	t.Helper()
	ch, err := db.Apply(ctx, rules, id, 0, ev, at)
	if err != nil {
		t.Fatalf("%s: %v", ev.Kind, err)
	}
	return ch.Complaint
}

// pending returns the undelivered outbox rows as "chat:msg", oldest first.
func pending(t *testing.T, db *store.DB, at time.Time) []string {
	t.Helper()
	var out []string
	for {
		batch, err := db.Claim(ctx, []string{store.Telegram}, at, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			return out
		}
		for _, o := range batch {
			out = append(out, o.Chat+":"+string(o.Notice.Msg))
			if err := db.Delivered(ctx, o.ID, flows.Receipt{Ref: "ok"}, at); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestFileStoresComplaintAuditAndMessages(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	if !strings.HasPrefix(c.Tracking, "KR-261130-") || len(c.Tracking) != len("KR-261130-XXXX") {
		t.Errorf("tracking = %q", c.Tracking)
	}
	got, err := db.ComplaintByTracking(ctx, strings.ToLower(c.Tracking))
	if err != nil {
		t.Fatal(err)
	}
	if got.State != flows.Submitted || got.Unit != flowstest.National || !got.Due.Equal(flowstest.At(t, "2026-12-03 10:00")) {
		t.Errorf("stored = %s at %s due %s", got.State, got.Unit, got.Due)
	}
	if got.Contact != flowstest.Report().Contact || got.Body != flowstest.Report().Body {
		t.Errorf("contact or body not stored as filed: %+v", got.Contact)
	}
	audit, err := db.Audit(ctx, c.ID)
	if err != nil || len(audit) != 1 || audit[0].Kind != flows.EvFile {
		t.Fatalf("audit = %+v, %v", audit, err)
	}
	want := []string{flowstest.ChatRef + ":complainant.filed", "-1001:unit.new"}
	if got := pending(t, db, at); !slices.Equal(got, want) {
		t.Errorf("outbox = %v, want %v", got, want)
	}
}

func TestApplyRefusalWritesNothing(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	pending(t, db, at)
	_, err := db.Apply(ctx, rules, c.ID, 0, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, at)
	var fe *flows.Error
	if !errors.As(err, &fe) || fe.Code != flows.ErrWrongState {
		t.Fatalf("err = %v, want %s", err, flows.ErrWrongState)
	}
	after, _ := db.Complaint(ctx, c.ID)
	audit, _ := db.Audit(ctx, c.ID)
	if after.Version != c.Version || len(audit) != 1 || len(pending(t, db, at)) != 0 {
		t.Errorf("a refusal changed something: version %d→%d, audit %d, outbox", c.Version, after.Version, len(audit))
	}
	if _, err := db.Apply(ctx, rules, 999999, 0, flows.Event{Kind: flows.EvRoute}, at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown complaint: %v", err)
	}
}

// Two admins press the same button at once: one transition, one set of messages, and
// the other is told who did it.
func TestConcurrentTransitionsOnOneComplaint(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	pending(t, db, at)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			actor := flowstest.Member(flowstest.National)
			actor.Name = "Admin " + string(rune('A'+i))
			actor.Ref = "tg:admin-" + string(rune('a'+i)) // eight people: the refusal names the one who won
			_, errs[i] = db.Apply(ctx, rules, c.ID, c.Version, flows.Event{Kind: flows.EvRoute, Actor: actor, Target: flowstest.Regency}, at.Add(time.Minute))
		}()
	}
	wg.Wait()
	ok, already := 0, 0
	var winner string
	for _, err := range errs {
		var fe *flows.Error
		switch {
		case err == nil:
			ok++
		case errors.As(err, &fe) && fe.Code == flows.ErrAlreadyDone:
			already++
			winner = fe.Data["By"]
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 || already != n-1 {
		t.Fatalf("ok=%d already=%d, want 1 and %d", ok, already, n-1)
	}
	audit, _ := db.Audit(ctx, c.ID)
	if len(audit) != 2 || audit[1].Actor.Name != winner {
		t.Errorf("audit = %+v, winner %q", audit, winner)
	}
	// The regency gets its card; the national group's card is refreshed (no buttons now).
	want := []string{flowstest.ChatRef + ":complainant.verified", "-1002:unit.new", "-1001:card.body"}
	if got := pending(t, db, at.Add(time.Minute)); !slices.Equal(got, want) {
		t.Errorf("outbox = %v, want %v", got, want)
	}
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	db, rules := setup(t)
	c := mustFile(t, db, rules, flowstest.At(t, "2026-11-30 10:00"))
	for _, q := range []string{`UPDATE audit_event SET text = 'x'`, `DELETE FROM audit_event`} {
		if _, err := db.Pool().Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", q, err)
		}
	}
	if audit, _ := db.Audit(ctx, c.ID); len(audit) != 1 {
		t.Errorf("audit rows = %d", len(audit))
	}
}

// TestAddedInformationKeepsTheUnitsButtons: the complainant's added information leaves
// the complaint's cards as they are (no card edit), so it keeps the version their buttons
// carry: the national admin's "Teruskan ke Kabupaten" on the card shown before it still
// routes the complaint, instead of being refused as changed by someone else.
func TestAddedInformationKeepsTheUnitsButtons(t *testing.T) {
	db, rules := setup(t)
	filed := flowstest.At(t, "2026-12-01 09:00")
	c := mustFile(t, db, rules, filed)
	more := flows.Event{Kind: flows.EvAddInfo, Text: "Kantor kecamatan Sungai Raya, loket 2.",
		Actor: flows.Actor{Kind: flows.ByComplainant, Ref: c.Contact.Chat}}
	added, err := db.Apply(ctx, rules, c.ID, c.Version, more, filed.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if added.Complaint.Version != c.Version || added.RefreshesCards() {
		t.Fatalf("added information: version %d → %d, refreshes cards %v", c.Version, added.Complaint.Version, added.RefreshesCards())
	}
	route := flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}
	routed, err := db.Apply(ctx, rules, c.ID, c.Version, route, filed.Add(time.Hour))
	if err != nil {
		t.Fatalf("routing from the card shown before the added information: %v", err)
	}
	if routed.Complaint.State != flows.Routed || routed.Complaint.Version != c.Version+1 {
		t.Errorf("routed: %s, version %d", routed.Complaint.State, routed.Complaint.Version)
	}
	// A press on a card of a version that is really gone is still refused.
	var fe *flows.Error
	if _, err := db.Apply(ctx, rules, c.ID, c.Version, route, filed.Add(2*time.Hour)); !errors.As(err, &fe) || fe.Code != flows.ErrAlreadyDone {
		t.Errorf("routing again from the old card: %v", err)
	}
}
