package store_test

import (
	"maps"
	"testing"

	"aduan/flows/flowstest"
)

// TestOverdueComplaints: every unit is counted, at zero before any complaint is
// overdue; an overdue complaint counts at the unit holding it, and not once it is
// closed; a retired unit is left out unless it still holds an overdue complaint.
func TestOverdueComplaints(t *testing.T) {
	db, rules := setup(t)
	zero := map[string]int{}
	for _, u := range flowstest.Units() {
		zero[u.Code] = 0
	}
	want := func(when string, w map[string]int) {
		t.Helper()
		got, err := db.OverdueComplaints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, w) {
			t.Errorf("%s: OverdueComplaints = %v, want %v", when, got, w)
		}
	}
	want("before any complaint", zero)

	c := mustFile(t, db, rules, flowstest.At(t, "2026-11-30 09:00"))
	mustFile(t, db, rules, flowstest.At(t, "2026-11-30 09:05")) // on time
	if _, err := db.Pool().Exec(ctx, `UPDATE complaint SET overdue = true WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	w := maps.Clone(zero)
	w[c.Unit] = 1
	want("one overdue", w)

	// Its unit retired while it holds the complaint: still counted; another retired
	// unit, holding none, is left out.
	if _, err := db.Pool().Exec(ctx, `UPDATE unit SET retired = true WHERE code = ANY($1)`, []string{c.Unit, flowstest.Other}); err != nil {
		t.Fatal(err)
	}
	delete(w, flowstest.Other)
	want("units retired", w)

	if _, err := db.Pool().Exec(ctx, `UPDATE complaint SET state = 'closed' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	delete(w, c.Unit)
	want("closed", w)
}
