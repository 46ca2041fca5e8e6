package store_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
)

func sweep(t *testing.T, db *store.DB, rules *flows.Rules, at time.Time) store.SweepReport {
	t.Helper()
	rep, err := db.Sweep(ctx, rules, at, store.SweepOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func kinds(rep store.SweepReport) []flows.EventKind {
	var out []flows.EventKind
	for _, ch := range rep.Changes {
		out = append(out, ch.Audit.Kind)
	}
	return out
}

// The whole SOP through the store: filing, routing, distribution, tasking, findings,
// answer, reply, answer, silence, closure — with the sweep doing steps 4, 6 and 7.
func TestEightStepsWithSweeps(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00") // Monday
	c := mustFile(t, db, rules, at)
	pending(t, db, at)

	// Nothing is due until two working hours before the routing deadline (Thu 10:00).
	if rep := sweep(t, db, rules, flowstest.At(t, "2026-12-03 07:59")); len(rep.Changes) != 0 {
		t.Fatalf("early sweep did %v", kinds(rep))
	}
	if got := kinds(sweep(t, db, rules, flowstest.At(t, "2026-12-03 08:00"))); !slices.Equal(got, []flows.EventKind{flows.EvRemind}) {
		t.Fatalf("reminder sweep = %v", got)
	}
	if got := pending(t, db, flowstest.At(t, "2026-12-03 08:00")); !slices.Equal(got, []string{"-1001:unit.reminder", "-1001:unit.digest"}) {
		t.Errorf("reminder messages = %v", got)
	}

	step := func(ev flows.Event, when string, want flows.State) {
		t.Helper()
		c = mustApply(t, db, rules, c.ID, ev, flowstest.At(t, when))
		if c.State != want {
			t.Fatalf("%s: state %s, want %s", ev.Kind, c.State, want)
		}
	}
	step(flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, "2026-12-03 09:00", flows.Routed)
	step(flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency}, "2026-12-03 11:00", flows.Distributed)
	step(flows.Event{Kind: flows.EvTask, Actor: flowstest.Member(flowstest.Agency), Target: flowstest.Team}, "2026-12-03 13:00", flows.InProgress)
	step(flows.Event{Kind: flows.EvFindings, Actor: flowstest.Member(flowstest.Team), Text: "Berkas lengkap, KK dicetak besok."}, "2026-12-03 15:00", flows.InProgress)
	// The answer deadline (Fri 13:00) passes: overdue to the agency, escalation to the regency.
	rep := sweep(t, db, rules, flowstest.At(t, "2026-12-04 13:30"))
	if got := kinds(rep); !slices.Equal(got, []flows.EventKind{flows.EvOverdue}) {
		t.Fatalf("overdue sweep = %v", got)
	}
	pending(t, db, flowstest.At(t, "2026-12-04 13:00")) // drop the earlier ones
	c, _ = db.Complaint(ctx, c.ID)
	step(flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "KK sudah dapat diambil."}, "2026-12-04 14:00", flows.Answered)
	step(flows.Event{Kind: flows.EvReply, Actor: flowstest.Complainant, Text: "Nama anak saya salah ketik."}, "2026-12-05 09:00", flows.InProgress)
	step(flows.Event{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "Sudah diperbaiki."}, "2026-12-07 10:00", flows.Answered)

	// Warning two days before closure, closure ten days (240 h) after the answer.
	if got := kinds(sweep(t, db, rules, flowstest.At(t, "2026-12-15 10:00"))); !slices.Equal(got, []flows.EventKind{flows.EvWarn}) {
		t.Fatalf("warning sweep = %v", got)
	}
	if got := kinds(sweep(t, db, rules, flowstest.At(t, "2026-12-17 09:59"))); len(got) != 0 {
		t.Fatalf("closed early: %v", got)
	}
	if got := kinds(sweep(t, db, rules, flowstest.At(t, "2026-12-17 10:00"))); !slices.Equal(got, []flows.EventKind{flows.EvAutoClose}) {
		t.Fatalf("closure sweep = %v", got)
	}
	c, _ = db.Complaint(ctx, c.ID)
	if c.State != flows.Closed || !c.NextCheck.IsZero() {
		t.Fatalf("after closure: %s next %v", c.State, c.NextCheck)
	}
	step(flows.Event{Kind: flows.EvRate, Actor: flowstest.Complainant, Rating: 5}, "2026-12-17 12:00", flows.Closed)

	audit, _ := db.Audit(ctx, c.ID)
	var got []flows.EventKind
	for _, a := range audit {
		got = append(got, a.Kind)
	}
	want := []flows.EventKind{flows.EvFile, flows.EvRemind, flows.EvRoute, flows.EvDistribute, flows.EvTask, flows.EvFindings,
		flows.EvOverdue, flows.EvAnswer, flows.EvReply, flows.EvAnswer, flows.EvWarn, flows.EvAutoClose, flows.EvRate}
	if !slices.Equal(got, want) {
		t.Errorf("audit trail\n got %v\nwant %v", got, want)
	}
}

func TestOmbudsmanHandoverAfterSixtyDays(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at.Add(time.Hour))
	sweep(t, db, rules, at.Add(59*24*time.Hour)) // reminders and overdue notices
	pending(t, db, at.Add(59*24*time.Hour))
	if got := kinds(sweep(t, db, rules, at.Add(60*24*time.Hour-time.Minute))); len(got) != 0 {
		t.Fatalf("handed over early: %v", got)
	}
	if got := kinds(sweep(t, db, rules, at.Add(60*24*time.Hour))); !slices.Equal(got, []flows.EventKind{flows.EvHandover}) {
		t.Fatalf("handover sweep = %v", got)
	}
	// Both groups that hold a card of the complaint see it refreshed.
	want := []string{flowstest.ChatRef + ":complainant.ombudsman", "-1007:unit.handover", "-1001:card.body", "-1007:card.record", "-1002:unit.handed", "-1002:card.body"}
	if got := withoutDigests(pending(t, db, at.Add(60*24*time.Hour))); !slices.Equal(got, want) {
		t.Errorf("messages = %v, want %v", got, want)
	}
	c, _ = db.Complaint(ctx, c.ID)
	if c.State != flows.AtOmbudsman {
		t.Fatalf("state = %s", c.State)
	}
	c = mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvOutcome, Actor: flowstest.Member(flowstest.Ombudsman), Text: "Selesai dimediasi."}, at.Add(70*24*time.Hour))
	if c.State != flows.Closed {
		t.Errorf("after outcome: %s", c.State)
	}
}

// A second sweep at the same instant finds nothing: nothing is sent twice.
func TestSweepIsIdempotent(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	for range 5 {
		mustFile(t, db, rules, at)
	}
	pending(t, db, at)
	late := flowstest.At(t, "2026-12-04 10:00")
	if rep := sweep(t, db, rules, late); rep.Count(flows.EvOverdue) != 5 {
		t.Fatalf("first sweep = %v", kinds(rep))
	}
	first := pending(t, db, late)
	if rep := sweep(t, db, rules, late); len(rep.Changes) != 0 || len(rep.Digests) != 0 {
		t.Fatalf("second sweep did %v and %d digests", kinds(rep), len(rep.Digests))
	}
	if again := pending(t, db, late); len(again) != 0 {
		t.Errorf("second sweep queued %v", again)
	}
	// 5 overdue notices to the national group (which has no parent) and its digest.
	if len(first) != 6 {
		t.Errorf("first sweep queued %v", first)
	}
}

// Two replicas sweeping at once never take the same complaint twice.
func TestConcurrentSweepers(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	const n = 60
	for range n {
		mustFile(t, db, rules, at)
	}
	pending(t, db, at)
	late := flowstest.At(t, "2026-12-03 20:00") // after the routing deadline, before the digest
	var wg sync.WaitGroup
	reps := make([]store.SweepReport, 4)
	for i := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				rep, err := db.Sweep(ctx, rules, late, store.SweepOptions{Batch: 7})
				if err != nil {
					t.Error(err)
					return
				}
				reps[i].Changes = append(reps[i].Changes, rep.Changes...)
			}
		}()
	}
	wg.Wait()
	seen := map[int64]int{}
	for _, r := range reps {
		for _, ch := range r.Changes {
			seen[ch.Complaint.ID]++
		}
	}
	if len(seen) != n {
		t.Errorf("%d complaints stepped, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("complaint %d stepped %d times", id, k)
		}
	}
	if msgs := withoutDigests(pending(t, db, late)); len(msgs) != n {
		t.Errorf("%d messages queued, want %d", len(msgs), n)
	}
}

func TestSweepDryRunChangesNothing(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	pending(t, db, at)
	late := flowstest.At(t, "2026-12-04 10:00")
	rep, err := db.Sweep(ctx, rules, late, store.SweepOptions{DryRun: true})
	if err != nil || rep.Count(flows.EvOverdue) != 1 || len(rep.Digests) != 1 {
		t.Fatalf("dry run = %v, %d digests, %v", kinds(rep), len(rep.Digests), err)
	}
	after, _ := db.Complaint(ctx, c.ID)
	if after.Version != c.Version || len(pending(t, db, late)) != 0 {
		t.Errorf("dry run wrote: version %d→%d", c.Version, after.Version)
	}
	if rep := sweep(t, db, rules, late); rep.Count(flows.EvOverdue) != 1 || len(rep.Digests) != 1 {
		t.Errorf("real sweep after the dry run = %v", kinds(rep))
	}
}

func TestDigestOncePerWorkingDay(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-12-04 10:00") // Friday
	c := mustFile(t, db, rules, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	pending(t, db, at)
	for _, tc := range []struct {
		at   string
		want int
	}{
		{"2026-12-05 08:30", 0}, // Saturday
		{"2026-12-07 07:59", 0}, // Monday, before 08:00
		{"2026-12-07 08:00", 1}, // the regency's digest
		{"2026-12-07 09:00", 0}, // once a day
		{"2026-12-08 08:05", 1},
		{"2026-12-25 08:05", 0}, // Christmas
	} {
		rep := sweep(t, db, rules, flowstest.At(t, tc.at))
		if len(rep.Digests) != tc.want {
			t.Errorf("%s: %d digests, want %d", tc.at, len(rep.Digests), tc.want)
			continue
		}
		for _, d := range rep.Digests {
			if d.Unit != flowstest.Regency || d.Open != 1 {
				t.Errorf("%s: digest %+v", tc.at, d)
			}
		}
	}
}

func withoutDigests(msgs []string) []string {
	return slices.DeleteFunc(msgs, func(m string) bool { return strings.HasSuffix(m, ":unit.digest") })
}
