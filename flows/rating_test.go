package flows_test

import (
	"testing"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// An anonim complaint closed (satisfied, after silence or by the Ombudsman's outcome)
// asks for a rating until RatingWindow after closure: its closing message says until
// when, and the sweep must look at it then. A rating within the window, or the window's
// end (EvRatingClosed, by the scheduled checks), leaves nothing scheduled, and so the
// chat identity may go. A complaint of another mode schedules nothing at closure.
func TestRatingWindow(t *testing.T) {
	r := flowstest.Rules(t)
	anonim := func(c flows.Complaint) flows.Complaint { c.Privacy = flows.Anonymous; return c }
	walkAnonim := func(steps ...step) flows.Complaint {
		t.Helper()
		c := mustFile(t, r, anonim(report()), fixtureFiled)
		for _, s := range steps {
			c = mustApply(t, r, c, s.ev, s.at)
		}
		return c
	}
	answered := walkAnonim(step{"2026-11-30 08:30", route(regency)}, step{"2026-11-30 09:00", distribute(agency)}, step{"2026-11-30 10:00", answer()})
	closedAt := at(t, "2026-11-30 11:00")
	end := closedAt.Add(flows.RatingWindow)

	for _, tc := range []struct {
		name string
		c    flows.Complaint
		ev   flows.Event
		at   string
		msg  flows.MsgID
	}{
		{"satisfied", answered, satisfied(), "2026-11-30 11:00", flows.MsgClosedThanks},
		{"silence", answered, autoClose(), "2026-11-30 11:00", flows.MsgClosedSilence},
		{"outcome", walkAnonim(step{"2026-11-30 08:30", route(regency)}, step{fixtureHandover, handover()}), outcome(), "2027-02-01 11:00", flows.MsgOutcomeC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			when := at(t, tc.at)
			ch, err := r.Apply(tc.c, tc.ev, when)
			if err != nil {
				t.Fatal(err)
			}
			k := ch.Complaint
			if k.State != flows.Closed || !k.NextCheck.Equal(when.Add(flows.RatingWindow)) {
				t.Fatalf("closed: state %s, next check %s; want closed, %s", k.State, fmtTime(k.NextCheck), fmtTime(when.Add(flows.RatingWindow)))
			}
			var closing *flows.Notice
			for i, n := range ch.Notices {
				if n.Msg == tc.msg && n.To == flows.ToComplainant {
					closing = &ch.Notices[i]
				}
			}
			if closing == nil || len(choicesOf(*closing)) != 5 || !closing.Due.Equal(when.Add(flows.RatingWindow)) {
				t.Fatalf("closing message %+v: want the five ratings and Due at the window's end", closing)
			}
			// Before the end, the scheduled checks do nothing.
			if _, ok, err := r.Tick(k, when.Add(flows.RatingWindow-1)); ok || err != nil {
				t.Errorf("Tick before the window's end: %v, %v", ok, err)
			}
			// At the end, the window closes: recorded, nothing left to check, the cards
			// as they were.
			ended, ok, err := r.Tick(k, when.Add(flows.RatingWindow))
			if !ok || err != nil {
				t.Fatalf("Tick at the window's end: %v, %v", ok, err)
			}
			if ended.Audit.Kind != flows.EvRatingClosed || ended.Audit.Actor != flows.System || !ended.Complaint.NextCheck.IsZero() ||
				ended.Complaint.Version != k.Version || len(ended.Notices) != 0 || ended.RefreshesCards() || ended.Complaint.State != flows.Closed {
				t.Errorf("the window's end: %+v", ended)
			}
		})
	}

	// Rated within the window: nothing left to check; the window ends with it.
	closed := mustApply(t, r, answered, satisfied(), "2026-11-30 11:00")
	rated := mustApply(t, r, closed, rate(4), "2026-12-01 09:00")
	if !rated.NextCheck.IsZero() {
		t.Errorf("rated: next check %s, want none", fmtTime(rated.NextCheck))
	}
	if _, ok, _ := r.Tick(rated, end); ok {
		t.Errorf("a rated complaint's window ends again")
	}
	// Once its chat is erased, an unrated one schedules nothing either.
	erased := closed
	erased.Contact.Chat = flows.ErasedChat
	if next := r.NextCheck(erased); !next.IsZero() {
		t.Errorf("erased: next check %s", fmtTime(next))
	}

	// Biasa: nothing scheduled at closure, and no window in the closing message.
	ordinary := fixture(t, r, "closed")
	if !ordinary.NextCheck.IsZero() {
		t.Errorf("biasa closed: next check %s, want none", fmtTime(ordinary.NextCheck))
	}
	ch, err := r.Apply(fixture(t, r, "answered"), satisfied(), closedAt)
	if err != nil {
		t.Fatal(err)
	}
	if n := ch.Notices[0]; n.Msg != flows.MsgClosedThanks || !n.Due.IsZero() {
		t.Errorf("biasa closing message %+v: want no Due", n)
	}
}

// A rating pressed for a complaint no longer linked to the chat (an anonim one whose
// chat went after its window) is told, politely, that the rating can no longer be
// taken — not that the complaint is someone else's.
func TestRatingAfterErasure(t *testing.T) {
	d := newDesk(t)
	o := d.do(msgPress("c:rate:KR-2026-000123:5"), flows.StepMenu, flows.MsgRatingClosed)
	if o.Replies[0].Tracking != "KR-2026-000123" {
		t.Errorf("the notice names %q, want the complaint pressed", o.Replies[0].Tracking)
	}
}
