package flows_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// mustTick runs one Tick at now and fails on an error.
func mustTick(tb testing.TB, r *flows.Rules, c flows.Complaint, now time.Time) (flows.Change, bool) {
	tb.Helper()
	ch, ok, err := r.Tick(c, now)
	if err != nil {
		tb.Fatalf("Tick at %s: %v", fmtTime(now), err)
	}
	return ch, ok
}

// checkIdle fails unless nothing is due for c at any of the instants.
func checkIdle(tb testing.TB, r *flows.Rules, c flows.Complaint, instants ...time.Time) {
	tb.Helper()
	for _, now := range instants {
		if ch, ok := mustTick(tb, r, c, now); ok || !reflect.DeepEqual(ch, flows.Change{}) {
			tb.Errorf("Tick at %s = %s with %v, want nothing due", fmtTime(now), ch.Audit.Kind, notes(ch.Notices))
		}
	}
}

// sweep does to c what the scheduled sweep does at now: Tick until nothing is due.
// It returns the complaint and the changes, in order.
func sweep(tb testing.TB, r *flows.Rules, c flows.Complaint, now time.Time) (flows.Complaint, []flows.Change) {
	tb.Helper()
	var changes []flows.Change
	for range 10 {
		ch, ok := mustTick(tb, r, c, now)
		if !ok {
			return c, changes
		}
		wantVersion := c.Version + 1 // a transition
		if k := ch.Audit.Kind; k == flows.EvRemind || k == flows.EvOverdue || k == flows.EvWarn {
			wantVersion = c.Version // an alert: what an actor saw is still current
		}
		if ch.Complaint.Version != wantVersion {
			tb.Errorf("Tick %s: version %d after %d", ch.Audit.Kind, ch.Complaint.Version, c.Version)
		}
		changes = append(changes, ch)
		c = ch.Complaint
	}
	tb.Fatalf("sweep at %s: still due after 10 ticks", fmtTime(now))
	return c, changes
}

// kinds lists the audit kinds of changes.
func kinds(changes []flows.Change) []flows.EventKind {
	var out []flows.EventKind
	for _, ch := range changes {
		out = append(out, ch.Audit.Kind)
	}
	return out
}

// checkAlert fails unless ch is an alert of kind k that the system recorded at now
// without moving the complaint, with the given timers set afterwards.
func checkAlert(tb testing.TB, before flows.Complaint, ch flows.Change, now time.Time, k flows.EventKind, timers flows.Timers) {
	tb.Helper()
	c := ch.Complaint
	want := flows.AuditEvent{At: now, Kind: k, Actor: flows.System, FromState: before.State, ToState: before.State, UnitBefore: before.Unit, UnitAfter: before.Unit}
	if !ch.Audit.At.Equal(now) || ch.Audit.Kind != want.Kind || ch.Audit.Actor != want.Actor ||
		ch.Audit.FromState != want.FromState || ch.Audit.ToState != want.ToState ||
		ch.Audit.UnitBefore != want.UnitBefore || ch.Audit.UnitAfter != want.UnitAfter || ch.Audit.Text != "" {
		tb.Errorf("audit = %+v, want %+v", ch.Audit, want)
	}
	if c.State != before.State || c.Unit != before.Unit || !c.Due.Equal(before.Due) || c.DueKind != before.DueKind {
		tb.Errorf("alert moved the complaint: %s at %q due %s (%s), was %s at %q due %s (%s)",
			c.State, c.Unit, fmtTime(c.Due), c.DueKind, before.State, before.Unit, fmtTime(before.Due), before.DueKind)
	}
	if c.Timers != timers {
		tb.Errorf("Timers = %+v, want %+v", c.Timers, timers)
	}
	if c.Version != before.Version {
		tb.Errorf("Version = %d, want %d: an alert leaves the version alone", c.Version, before.Version)
	}
	checkTime(tb, "Updated", c.Updated, now)
	checkTime(tb, "ClockFrom", c.ClockFrom, before.ClockFrom)
}

const twoWorkingHours = 2 * time.Hour

// TestReminderThenOverdue follows a deadline from the reminder through the overdue
// notice to the hand-over to the Ombudsman.
func TestReminderThenOverdue(t *testing.T) {
	r := flowstest.Rules(t)
	tests := []struct {
		name     string
		filed    string
		steps    []step
		due      string
		remind   string // 2 working hours before due, office 07:30–16:00
		holder   string
		parent   string // "" when the holder has none
		team     string // the technical team tasked, reminded too
		handover string // 60×24h after filing
	}{
		{
			name: "answer due Tuesday 10:00", filed: "2026-12-04 09:00",
			steps: []step{{"2026-12-04 09:10", route(regency)}, {"2026-12-07 10:00", distribute(agency)}},
			due:   "2026-12-08 10:00", remind: "2026-12-08 08:00",
			holder: agency, parent: regency, handover: "2027-02-02 09:00",
		},
		{
			name: "answer due Monday 08:00 is reminded on Friday", filed: "2026-12-03 08:00",
			steps: []step{{"2026-12-03 08:10", route(regency)}, {"2026-12-04 08:00", distribute(agency)}},
			// Half an hour on Monday from 07:30, then 1½ hours before Friday's 16:00.
			due: "2026-12-07 08:00", remind: "2026-12-04 14:30",
			holder: agency, parent: regency, handover: "2027-02-01 08:00",
		},
		{
			name: "answer due at Monday's opening is reminded on Friday 14:00", filed: "2026-12-03 08:00",
			steps: []step{{"2026-12-03 08:10", route(regency)}, {"2026-12-04 07:00", distribute(agency)}},
			due:   "2026-12-07 07:30", remind: "2026-12-04 14:00",
			holder: agency, parent: regency, handover: "2027-02-01 08:00",
		},
		{
			name: "answer due after Christmas is reminded before it", filed: "2026-12-22 09:00",
			steps: []step{{"2026-12-22 09:10", route(regency)}, {"2026-12-23 08:00", distribute(agency)}},
			due:   "2026-12-28 08:00", remind: "2026-12-23 14:30",
			holder: agency, parent: regency, handover: "2027-02-20 09:00",
		},
		{
			name: "answer of a tasked team", filed: "2026-12-04 09:00",
			steps: []step{{"2026-12-04 09:10", route(regency)}, {"2026-12-07 09:00", distribute(agency)}, {"2026-12-07 10:00", task(team)}},
			due:   "2026-12-08 10:00", remind: "2026-12-08 08:00",
			holder: agency, parent: regency, handover: "2027-02-02 09:00", team: team,
		},
		{
			name: "distribution at the regency", filed: "2026-11-30 10:00",
			steps: []step{{"2026-11-30 11:00", route(regency)}},
			due:   "2026-12-01 11:00", remind: "2026-12-01 09:00",
			holder: regency, parent: national, handover: "2027-01-29 10:00",
		},
		{
			name: "routing at the national unit, which has no parent", filed: "2026-11-30 10:00",
			due: "2026-12-03 10:00", remind: "2026-12-03 08:00",
			holder: national, handover: "2027-01-29 10:00",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := walk(t, r, tt.filed, tt.steps...)
			due, remind, handoverAt := at(t, tt.due), at(t, tt.remind), at(t, tt.handover)
			checkTime(t, "Due", c.Due, due)
			checkTime(t, "the reminder by the calendar", r.Calendar.SubWorkingHours(due, twoWorkingHours), remind)
			checkTime(t, "NextCheck", c.NextCheck, remind)

			checkIdle(t, r, c, remind.Add(-time.Minute))
			ch, ok := mustTick(t, r, c, remind)
			if !ok {
				t.Fatalf("no reminder at %s", fmtTime(remind))
			}
			checkAlert(t, c, ch, remind, flows.EvRemind, flows.Timers{Reminded: true})
			// The team tasked is reminded too: it does the work.
			if tt.team != "" {
				checkNotes(t, ch.Notices, note{tt.holder, flows.MsgReminder}, note{tt.team, flows.MsgReminder})
			} else {
				checkNotes(t, ch.Notices, note{tt.holder, flows.MsgReminder})
			}
			checkTime(t, "NextCheck after the reminder", ch.Complaint.NextCheck, due)
			c = ch.Complaint

			checkIdle(t, r, c, remind, due.Add(-time.Minute))
			ch, ok = mustTick(t, r, c, due)
			if !ok {
				t.Fatalf("not overdue at %s", fmtTime(due))
			}
			checkAlert(t, c, ch, due, flows.EvOverdue, flows.Timers{Reminded: true, Overdue: true})
			want := []note{{tt.holder, flows.MsgOverdue}}
			if tt.team != "" {
				want = append(want, note{tt.team, flows.MsgOverdue})
			}
			if tt.parent != "" {
				want = append(want, note{tt.parent, flows.MsgEscalation})
			}
			checkNotes(t, ch.Notices, want...)
			for _, n := range ch.Notices {
				if n.Unit != tt.holder || !n.Due.Equal(due) {
					t.Errorf("%s notice is about %q due %s, want %q due %s", n.Msg, n.Unit, fmtTime(n.Due), tt.holder, fmtTime(due))
				}
			}
			checkTime(t, "NextCheck after overdue", ch.Complaint.NextCheck, handoverAt)
			c = ch.Complaint

			checkIdle(t, r, c, due, due.Add(time.Minute), due.Add(7*24*time.Hour), handoverAt.Add(-time.Minute))
			ch, ok = mustTick(t, r, c, handoverAt)
			if !ok || ch.Complaint.State != flows.AtOmbudsman {
				t.Fatalf("at %s: handed over %t, state %s; want the Ombudsman", fmtTime(handoverAt), ok, ch.Complaint.State)
			}
		})
	}
}

// TestLateSweep checks that a sweep waking after the deadline sends only the overdue
// notice.
func TestLateSweep(t *testing.T) {
	r := flowstest.Rules(t)
	tests := []struct {
		name  string
		steps []step
		late  string
		notes []note
	}{
		{
			name:  "agency",
			steps: []step{{"2026-12-04 09:10", route(regency)}, {"2026-12-07 10:00", distribute(agency)}}, // due Tue 12-08 10:00
			late:  "2026-12-08 11:00",
			notes: []note{{agency, flows.MsgOverdue}, {regency, flows.MsgEscalation}},
		},
		{
			name:  "national unit, a week late",
			late:  "2026-12-11 10:00", // due Wed 12-09 09:00
			notes: []note{{national, flows.MsgOverdue}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := walk(t, r, "2026-12-04 09:00", tt.steps...)
			late := at(t, tt.late)
			c, changes := sweep(t, r, c, late)
			if len(changes) != 1 {
				t.Fatalf("sweep made %v, want one overdue alert", kinds(changes))
			}
			ch := changes[0]
			checkNotes(t, ch.Notices, tt.notes...)
			if ch.Audit.Kind != flows.EvOverdue {
				t.Errorf("audit kind = %s, want %s", ch.Audit.Kind, flows.EvOverdue)
			}
			if want := (flows.Timers{Reminded: true, Overdue: true}); c.Timers != want {
				t.Errorf("Timers = %+v, want %+v", c.Timers, want)
			}
			checkTime(t, "NextCheck", c.NextCheck, r.Policy.OmbudsmanAfter.After(r.Calendar, c.ClockFrom))
		})
	}
}

// TestClosure follows an answered complaint through the warning to its auto-closure,
// and a reply that reopens it.
func TestClosure(t *testing.T) {
	r := flowstest.Rules(t)
	answeredAt := "2026-12-02 10:00" // Wednesday
	answered := func(t *testing.T) flows.Complaint {
		return walk(t, r, "2026-11-30 10:00",
			step{"2026-11-30 11:00", route(regency)},
			step{"2026-12-01 09:00", distribute(agency)},
			step{answeredAt, answer()})
	}
	start := at(t, answeredAt)
	warn := start.Add(8 * 24 * time.Hour) // Thu 12-10 10:00
	closes := start.Add(240 * time.Hour)  // Sat 12-12 10:00

	t.Run("warned, then closed", func(t *testing.T) {
		c := answered(t)
		checkTime(t, "Due", c.Due, closes)
		checkTime(t, "NextCheck", c.NextCheck, warn)

		checkIdle(t, r, c, warn.Add(-time.Minute))
		ch, ok := mustTick(t, r, c, warn)
		if !ok {
			t.Fatalf("no warning at %s", fmtTime(warn))
		}
		checkAlert(t, c, ch, warn, flows.EvWarn, flows.Timers{Warned: true})
		checkNotes(t, ch.Notices, note{"complainant", flows.MsgClosingSoon})
		checkTime(t, "the warning's Due", ch.Notices[0].Due, closes)
		checkTime(t, "NextCheck after the warning", ch.Complaint.NextCheck, closes)
		c = ch.Complaint

		checkIdle(t, r, c, warn, closes.Add(-time.Minute))
		ch, ok = mustTick(t, r, c, closes)
		if !ok {
			t.Fatalf("not closed at %s", fmtTime(closes))
		}
		c = ch.Complaint
		if c.State != flows.Closed || ch.Audit.Kind != flows.EvAutoClose || ch.Audit.Actor != flows.System {
			t.Errorf("%s by %v: now %s, want closed by the system's auto_close", ch.Audit.Kind, ch.Audit.Actor, c.State)
		}
		checkNotes(t, ch.Notices, note{"complainant", flows.MsgClosedSilence}, note{agency, flows.MsgClosedU})
		checkTime(t, "ClosedAt", c.ClosedAt, closes)
		checkTime(t, "NextCheck when closed", c.NextCheck, time.Time{})
		checkIdle(t, r, c, closes, closes.Add(24*time.Hour), closes.Add(90*24*time.Hour))
	})

	t.Run("a sweep waking after the closure closes without warning", func(t *testing.T) {
		c, changes := sweep(t, r, answered(t), closes.Add(3*time.Hour))
		if got := kinds(changes); !slices.Equal(got, []flows.EventKind{flows.EvAutoClose}) {
			t.Fatalf("sweep made %v, want only %s", got, flows.EvAutoClose)
		}
		checkNotes(t, changes[0].Notices, note{"complainant", flows.MsgClosedSilence}, note{agency, flows.MsgClosedU})
		if c.State != flows.Closed {
			t.Errorf("state %s, want closed", c.State)
		}
	})

	t.Run("a reply reopens it", func(t *testing.T) {
		replyAt := "2026-12-11 10:00" // Friday, a day before the closure
		c, changes := sweep(t, r, answered(t), at(t, replyAt))
		if got := kinds(changes); !slices.Equal(got, []flows.EventKind{flows.EvWarn}) {
			t.Fatalf("sweep made %v, want only the warning", got)
		}
		c = mustApply(t, r, c, reply(), replyAt)
		if c.State != flows.InProgress || c.Unit != agency || c.DueKind != flows.DueAnswer {
			t.Errorf("now %s at %q with deadline %q, want in_progress at %q with %q", c.State, c.Unit, c.DueKind, agency, flows.DueAnswer)
		}
		checkTime(t, "Due", c.Due, at(t, "2026-12-14 10:00"))
		checkTime(t, "ClockFrom", c.ClockFrom, at(t, replyAt))
		checkTime(t, "NextCheck", c.NextCheck, at(t, "2026-12-14 08:00"))
		if c.Timers != (flows.Timers{}) {
			t.Errorf("Timers = %+v, want cleared", c.Timers)
		}
		checkIdle(t, r, c, closes, closes.Add(time.Hour))
	})
}

// TestHandover checks the 60-day clock.
func TestHandover(t *testing.T) {
	r := flowstest.Rules(t)
	handoverAt := at(t, fixtureHandover)

	for _, tt := range []struct{ from, holder string }{
		{"submitted", national}, {"routed", regency}, {"distributed", agency}, {"in_progress", agency},
	} {
		t.Run("from "+tt.from, func(t *testing.T) {
			c, _ := sweep(t, r, fixture(t, r, tt.from), handoverAt.Add(-time.Minute))
			if string(c.State) != tt.from {
				t.Fatalf("a minute before the hand-over the complaint is %s", c.State)
			}
			checkTime(t, "NextCheck", c.NextCheck, handoverAt)
			ch, ok := mustTick(t, r, c, handoverAt)
			if !ok {
				t.Fatalf("not handed over at %s", fmtTime(handoverAt))
			}
			got := ch.Complaint
			if got.State != flows.AtOmbudsman || got.Unit != tt.holder || ch.Audit.Kind != flows.EvHandover {
				t.Errorf("%s: %s at %q, want %s at %q", ch.Audit.Kind, got.State, got.Unit, flows.AtOmbudsman, tt.holder)
			}
			checkNotes(t, ch.Notices,
				note{"complainant", flows.MsgHandedC}, note{ombudsman, flows.MsgHandover}, note{ombudsman, flows.MsgRecord}, note{ombudsman, flows.MsgFiles}, note{tt.holder, flows.MsgHandedU})
			if n := ch.Notices[1]; n.Unit != tt.holder {
				t.Errorf("hand-over notice names %q, want %q", n.Unit, tt.holder)
			}
			if !got.Due.IsZero() || !got.NextCheck.IsZero() || got.DueKind != flows.NoDue {
				t.Errorf("due %s (%q), next check %s; want none", fmtTime(got.Due), got.DueKind, fmtTime(got.NextCheck))
			}
			checkIdle(t, r, got, handoverAt, handoverAt.Add(60*24*time.Hour))
		})
	}

	t.Run("an answer stops the clock", func(t *testing.T) {
		// With a closure limit beyond the 60 days, nothing happens at the hand-over time.
		long := *r
		long.Policy.CloseAfter = flows.Span{N: 90, Unit: flows.CalendarDays}
		c := fixture(t, &long, "answered")
		checkTime(t, "NextCheck", c.NextCheck, at(t, "2027-02-26 10:00")) // the warning, 88 days after the answer
		checkIdle(t, &long, c, handoverAt, handoverAt.Add(24*time.Hour))
	})

	t.Run("a reply restarts the clock", func(t *testing.T) {
		c := walk(t, r, fixtureFiled,
			step{"2026-11-30 08:30", route(regency)},
			step{"2026-11-30 09:00", distribute(agency)},
			step{"2027-01-20 10:00", answer()},
			step{"2027-01-25 10:00", reply()})
		restart := at(t, "2027-03-26 10:00") // 60×24h after the reply
		c, changes := sweep(t, r, c, handoverAt.Add(time.Hour))
		if c.State != flows.InProgress {
			t.Fatalf("after the first 60 days the complaint is %s (%v), want in_progress", c.State, kinds(changes))
		}
		c, _ = sweep(t, r, c, restart.Add(-time.Minute))
		if c.State != flows.InProgress {
			t.Fatalf("a minute before 60 days from the reply the complaint is %s", c.State)
		}
		checkTime(t, "NextCheck", c.NextCheck, restart)
		ch, ok := mustTick(t, r, c, restart)
		if !ok || ch.Complaint.State != flows.AtOmbudsman {
			t.Errorf("at %s: ticked %t, state %s; want the Ombudsman", fmtTime(restart), ok, ch.Complaint.State)
		}
	})

	t.Run("the agency answers the Ombudsman's complaint, the Ombudsman closes it", func(t *testing.T) {
		c := fixture(t, r, "ombudsman")
		ch, err := r.Apply(c, answer(), at(t, "2027-02-01 10:00"))
		if err != nil {
			t.Fatal(err)
		}
		c = ch.Complaint
		if c.State != flows.AtOmbudsman || c.Unit != agency {
			t.Errorf("after the answer: %s at %q, want ombudsman at %q", c.State, c.Unit, agency)
		}
		checkNotes(t, ch.Notices, note{"complainant", flows.MsgAnswered}, note{ombudsman, flows.MsgOmbudsmanAns})
		checkTime(t, "NextCheck", c.NextCheck, time.Time{})
		checkIdle(t, r, c, at(t, "2027-02-01 10:00"), at(t, "2027-06-01 10:00"))

		ch, err = r.Apply(c, outcome(), at(t, "2027-02-10 10:00"))
		if err != nil {
			t.Fatal(err)
		}
		if ch.Complaint.State != flows.Closed {
			t.Errorf("after the outcome: %s, want closed", ch.Complaint.State)
		}
		checkTime(t, "ClosedAt", ch.Complaint.ClosedAt, at(t, "2027-02-10 10:00"))
	})
}

// TestWorkingDayPolicy checks the closure and hand-over limits counted in working days.
func TestWorkingDayPolicy(t *testing.T) {
	r := flowstest.Rules(t)
	r.Policy.CloseAfter = flows.Span{N: 10, Unit: flows.WorkingDays}
	r.Policy.OmbudsmanAfter = flows.Span{N: 60, Unit: flows.WorkingDays}
	filed := at(t, "2026-11-30 10:00")

	t.Run("closure after 10 working days", func(t *testing.T) {
		c := walk(t, r, "2026-11-30 10:00",
			step{"2026-11-30 11:00", route(regency)},
			step{"2026-12-01 09:00", distribute(agency)},
			step{"2026-12-02 10:00", answer()})
		closes := at(t, "2026-12-16 10:00") // Wednesday two weeks on
		checkTime(t, "Due", c.Due, closes)
		checkTime(t, "Due by the calendar", r.Calendar.AddWorkingDays(at(t, "2026-12-02 10:00"), 10), closes)
		checkIdle(t, r, c, at(t, "2026-12-12 10:00")) // 10 calendar days
		c, changes := sweep(t, r, c, closes.Add(-time.Minute))
		if got := kinds(changes); !slices.Equal(got, []flows.EventKind{flows.EvWarn}) {
			t.Errorf("before the closure the sweep made %v, want only the warning", got)
		}
		c, changes = sweep(t, r, c, closes)
		if got := kinds(changes); !slices.Equal(got, []flows.EventKind{flows.EvAutoClose}) || c.State != flows.Closed {
			t.Errorf("at the closure the sweep made %v and left it %s, want it closed", got, c.State)
		}
	})

	t.Run("hand-over after 60 working days", func(t *testing.T) {
		// December loses the 24th and 25th, January the 1st and 5th, February the 5th.
		handoverAt := at(t, "2027-03-01 10:00")
		checkTime(t, "60wd by the calendar", r.Calendar.AddWorkingDays(filed, 60), handoverAt)
		c := walk(t, r, "2026-11-30 10:00", step{"2026-11-30 11:00", route(regency)})
		c, _ = sweep(t, r, c, filed.Add(60*24*time.Hour+time.Hour))
		if c.State != flows.Routed {
			t.Fatalf("60 calendar days after filing the complaint is %s, want still routed", c.State)
		}
		c, _ = sweep(t, r, c, handoverAt.Add(-time.Minute))
		checkTime(t, "NextCheck", c.NextCheck, handoverAt)
		c, _ = sweep(t, r, c, handoverAt)
		if c.State != flows.AtOmbudsman {
			t.Errorf("60 working days after filing the complaint is %s, want ombudsman", c.State)
		}
	})
}

// TestTickIdempotent ticks twice at the same instant: the second finds nothing to do.
func TestTickIdempotent(t *testing.T) {
	r := flowstest.Rules(t)
	tests := []struct {
		name string
		from string
		prep string // when an earlier sweep sent the alerts before this one; "" for none
		at   string
		want flows.EventKind // "" when nothing is due
	}{
		{"nothing due", "distributed", "", "2026-11-30 12:00", ""},
		{"reminder", "distributed", "", "2026-11-30 15:30", flows.EvRemind}, // due Tue 12-01 09:00
		{"overdue", "distributed", "2026-11-30 15:30", "2026-12-01 09:00", flows.EvOverdue},
		{"overdue, late", "routed", "", "2026-12-04 09:00", flows.EvOverdue},
		{"warning", "answered", "", "2026-12-08 10:00", flows.EvWarn}, // closes Thu 12-10 10:00
		{"auto-close", "answered", "2026-12-08 10:00", "2026-12-10 10:00", flows.EvAutoClose},
		{"auto-close, late", "answered", "", "2026-12-20 10:00", flows.EvAutoClose},
		{"hand-over", "in_progress", "2027-01-29 07:59", fixtureHandover, flows.EvHandover},
		{"closed", "closed", "", "2027-06-01 10:00", ""},
		{"archived", "archived", "", "2027-06-01 10:00", ""},
		{"at the Ombudsman", "ombudsman", "", "2027-06-01 10:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture(t, r, tt.from)
			now := at(t, tt.at)
			if tt.prep != "" {
				c, _ = sweep(t, r, c, at(t, tt.prep))
			}
			was := clone(c)
			first, ok := mustTick(t, r, c, now)
			if !reflect.DeepEqual(c, was) {
				t.Errorf("Tick changed its argument")
			}
			again, _ := mustTick(t, r, c, now)
			if !reflect.DeepEqual(first, again) {
				t.Errorf("two Ticks on the same complaint differ:\n%+v\n%+v", first, again)
			}
			if tt.want == "" {
				if ok {
					t.Fatalf("Tick = %s, want nothing due", first.Audit.Kind)
				}
				return
			}
			if !ok || first.Audit.Kind != tt.want {
				t.Fatalf("Tick = %s (ok %t), want %s", first.Audit.Kind, ok, tt.want)
			}
			checkIdle(t, r, first.Complaint, now)
		})
	}
}

// TestDigestDay checks when the daily digest is due.
func TestDigestDay(t *testing.T) {
	r := flowstest.Rules(t)
	tests := []struct {
		name string
		now  time.Time
		ok   bool
		day  string
	}{
		{"Monday 07:59", at(t, "2026-12-07 07:59"), false, "2026-12-07"},
		{"Monday 08:00", at(t, "2026-12-07 08:00"), true, "2026-12-07"},
		{"Monday 23:59", at(t, "2026-12-07 23:59"), true, "2026-12-07"},
		{"Monday 08:00 given in UTC", time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC), true, "2026-12-07"},
		{"Monday 00:30 WIB, still Sunday in UTC", time.Date(2026, 12, 6, 17, 30, 0, 0, time.UTC), false, "2026-12-07"},
		{"Saturday", at(t, "2026-12-05 09:00"), false, "2026-12-05"},
		{"Sunday", at(t, "2026-12-06 09:00"), false, "2026-12-06"},
		{"Christmas Eve, cuti bersama", at(t, "2026-12-24 09:00"), false, "2026-12-24"},
		{"Christmas", at(t, "2026-12-25 09:00"), false, "2026-12-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day, end, ok := r.DigestDay(tt.now)
			if ok != tt.ok || day.String() != tt.day {
				t.Errorf("DigestDay = %s, %t; want %s, %t", day, ok, tt.day, tt.ok)
			}
			want := time.Time{}
			if tt.ok {
				d, _ := flows.ParseDate(tt.day)
				want = d.AddDays(1).In(flowstest.Zone(t))
			}
			checkTime(t, "end", end, want)
		})
	}
}

// TestSOPWalk takes one complaint through the eight steps of the SOP with a moving clock.
func TestSOPWalk(t *testing.T) {
	r := flowstest.Rules(t)
	clock := flowstest.NewClock(at(t, "2026-11-30 09:15")) // Monday
	var (
		c     flows.Complaint
		trail []flows.EventKind
	)
	record := func(ch flows.Change) {
		t.Helper()
		if !ch.Audit.At.Equal(clock.Now()) {
			t.Errorf("%s recorded at %s, the clock says %s", ch.Audit.Kind, fmtTime(ch.Audit.At), fmtTime(clock.Now()))
		}
		c = ch.Complaint
		trail = append(trail, ch.Audit.Kind)
	}
	set := func(when string) { t.Helper(); clock.Set(at(t, when)) }
	apply := func(ev flows.Event) {
		t.Helper()
		ch, err := r.Apply(c, ev, clock.Now())
		if err != nil {
			t.Fatalf("%s at %s: %v", ev.Kind, fmtTime(clock.Now()), err)
		}
		record(ch)
	}
	run := func() []flows.EventKind {
		t.Helper()
		var got []flows.Change
		c, got = sweep(t, r, c, clock.Now())
		for _, ch := range got {
			trail = append(trail, ch.Audit.Kind)
		}
		return kinds(got)
	}
	expect := func(step string, state flows.State, unit string, due string) {
		t.Helper()
		var d time.Time
		if due != "" {
			d = at(t, due)
		}
		if c.State != state || c.Unit != unit || !c.Due.Equal(d) {
			t.Fatalf("%s: %s at %q due %s; want %s at %q due %s", step, c.State, c.Unit, fmtTime(c.Due), state, unit, fmtTime(d))
		}
	}
	expectSweep := func(step string, want ...flows.EventKind) {
		t.Helper()
		if got := run(); !slices.Equal(got, want) {
			t.Errorf("%s: the sweep at %s made %v, want %v", step, fmtTime(clock.Now()), got, want)
		}
	}

	// 1. The complainant files.
	ch, err := r.File(report(), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	record(ch)
	expect("1 file", flows.Submitted, national, "2026-12-03 09:15")
	expectSweep("1 file")

	// 2. The national admin routes it the next day.
	set("2026-12-01 10:00")
	expectSweep("2 before routing")
	apply(route(regency))
	expect("2 route", flows.Routed, regency, "2026-12-02 10:00")

	// 3. The regency admin is reminded, then distributes.
	set("2026-12-02 08:30")
	expectSweep("3 reminder", flows.EvRemind)
	set("2026-12-02 09:00")
	apply(distribute(agency))
	expect("3 distribute", flows.Distributed, agency, "2026-12-03 09:00")

	// 4–5. The agency tasks its technical team, is reminded, lets the deadline pass,
	// hears the team's findings and answers.
	clock.Advance(5 * time.Minute)
	apply(task(team))
	expect("4 task", flows.InProgress, agency, "2026-12-03 09:05")
	set("2026-12-02 15:35") // 25 minutes on Wednesday and 1h35 on Thursday before 09:05
	expectSweep("4 reminder", flows.EvRemind)
	set("2026-12-03 09:30")
	expectSweep("4 overdue", flows.EvOverdue)
	clock.Advance(10 * time.Minute)
	apply(findings())
	expect("4 findings", flows.InProgress, agency, "2026-12-03 09:05")
	if c.Timers != (flows.Timers{Reminded: true, Overdue: true}) {
		t.Errorf("findings changed the alerts: %+v", c.Timers)
	}
	set("2026-12-03 10:00")
	apply(answer())
	expect("5 answer", flows.Answered, agency, "2026-12-13 10:00")

	// 6. The complainant replies on Saturday evening; the agency answers again on Monday.
	set("2026-12-05 19:00")
	expectSweep("6 before the reply")
	apply(reply())
	expect("6 reply", flows.InProgress, agency, "2026-12-08 07:30")
	checkTime(t, "ClockFrom after the reply", c.ClockFrom, clock.Now())
	set("2026-12-07 11:00")
	apply(answer())
	expect("6 answer again", flows.Answered, agency, "2026-12-17 11:00")

	// 7. Silence: a warning two days before, then closure after ten days.
	set("2026-12-15 11:00")
	expectSweep("7 warning", flows.EvWarn)
	set("2026-12-17 10:59")
	expectSweep("7 a minute early")
	clock.Advance(time.Minute)
	expectSweep("7 closure", flows.EvAutoClose)
	expect("7 closed", flows.Closed, agency, "")
	checkTime(t, "ClosedAt", c.ClosedAt, clock.Now())
	checkTime(t, "NextCheck", c.NextCheck, time.Time{})

	// 8 does not happen: the complaint was followed up. The complainant rates it.
	set("2026-12-18 08:00")
	apply(rate(5))
	expect("rated", flows.Closed, agency, "")
	if c.Rating != 5 {
		t.Errorf("Rating = %d, want 5", c.Rating)
	}
	set("2027-06-01 08:00")
	expectSweep("long after")

	want := []flows.EventKind{
		flows.EvFile, flows.EvRoute, flows.EvRemind, flows.EvDistribute, flows.EvTask,
		flows.EvRemind, flows.EvOverdue, flows.EvFindings, flows.EvAnswer, flows.EvReply,
		flows.EvAnswer, flows.EvWarn, flows.EvAutoClose, flows.EvRate,
	}
	if !slices.Equal(trail, want) {
		t.Errorf("audit trail = %v\nwant          %v", trail, want)
	}
	if alerts := 4; c.Version != len(want)-alerts {
		t.Errorf("Version = %d after %d transitions", c.Version, len(want)-alerts)
	}
}
