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

func TestApplyUnitsKeepsHistory(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	apply := func(units []flows.Unit) ([]store.UnitChange, error) {
		t.Helper()
		dir, err := flows.NewDirectory(units)
		if err != nil {
			t.Fatal(err)
		}
		return db.ApplyUnits(ctx, dir, at)
	}
	if ch, err := apply(flowstest.Units()); err != nil || len(ch) != 0 {
		t.Fatalf("re-applying the same units: %v, %v", ch, err)
	}
	units := flowstest.Units()
	units[2].Name = "Disdukcapil Kubu Raya"
	units = slices.DeleteFunc(units, func(u flows.Unit) bool { return u.Code == flowstest.Team2 })
	ch, err := apply(units)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.UnitChange{{flowstest.Agency, "updated"}, {flowstest.Team2, "retired"}}
	if !slices.Equal(ch, want) {
		t.Errorf("changes = %v, want %v", ch, want)
	}
	dir, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dir.Unit(flowstest.Team2); ok {
		t.Error("retired unit still offered")
	}
	if u, _ := dir.Unit(flowstest.Agency); u.Name != "Disdukcapil Kubu Raya" {
		t.Errorf("agency name = %q", u.Name)
	}
	// A unit holding an open complaint cannot be retired.
	c := mustFile(t, db, rules, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Other}, at)
	without := slices.DeleteFunc(slices.Clone(units), func(u flows.Unit) bool { return u.Code == flowstest.Other })
	if _, err := apply(without); err == nil || !strings.Contains(err.Error(), "holds 1 open complaints") {
		t.Errorf("retiring a busy unit: %v", err)
	}
	// Restoring the retired team is recorded (and the agency's old name comes back).
	if ch, err := apply(flowstest.Units()); err != nil || !slices.Contains(ch, store.UnitChange{Code: flowstest.Team2, Change: "restored"}) {
		t.Errorf("restore: %v, %v", ch, err)
	}
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM unit_change`).Scan(&n); err != nil || n != len(flowstest.Units())+4 {
		t.Errorf("unit_change rows = %d, %v", n, err)
	}
}

func TestHolidaysOperatorChanges(t *testing.T) {
	db, _ := setup(t)
	loc := flowstest.Zone(t)
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	from := flowstest.At(t, "2026-12-30 10:00")
	due := func() time.Time {
		t.Helper()
		cal, err := db.Calendar(ctx, loc, flows.DefaultWeekHours())
		if err != nil {
			t.Fatal(err)
		}
		return cal.AddWorkingDays(from, 1)
	}
	if got := due(); !got.Equal(flowstest.At(t, "2026-12-31 10:00")) {
		t.Fatalf("built-in: %v", got)
	}
	closure := flows.Holiday{Date: flows.Date{Year: 2026, Month: 12, Day: 31}, Kind: flows.Closure, Name: "Tutup buku"}
	if err := db.PutHolidays(ctx, []flows.Holiday{closure}, now); err != nil {
		t.Fatal(err)
	}
	if got := due(); !got.Equal(flowstest.At(t, "2027-01-04 10:00")) {
		t.Errorf("with the closure: %v", got)
	}
	if err := db.RemoveHoliday(ctx, closure.Date, now); err != nil {
		t.Fatal(err)
	}
	// Removing a built-in day survives a later seed of the built-in list.
	newYear := flows.Date{Year: 2027, Month: 1, Day: 1}
	if err := db.RemoveHoliday(ctx, newYear, now); err != nil {
		t.Fatal(err)
	}
	if added, err := db.SeedHolidays(ctx, flows.BuiltinHolidays(), now); err != nil || added != 0 {
		t.Fatalf("re-seed added %d, %v", added, err)
	}
	if got := due(); !got.Equal(flowstest.At(t, "2026-12-31 10:00")) {
		t.Errorf("after removal: %v", got)
	}
	cal, _ := db.Calendar(ctx, loc, flows.DefaultWeekHours())
	if !cal.IsWorkingDay(newYear) {
		t.Error("removed built-in holiday came back")
	}
	if err := db.RemoveHoliday(ctx, flows.Date{Year: 2026, Month: 12, Day: 2}, now); err != store.ErrNotFound {
		t.Errorf("removing a working day: %v", err)
	}
}

// TestApplyUnitsKeepsBusyUnitsInPlace: a unit that holds an open complaint may be
// renamed but not moved in the tree.
func TestApplyUnitsKeepsBusyUnitsInPlace(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency}, at)
	mustApply(t, db, rules, c.ID, flows.Event{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Other}, at)
	units := flowstest.Units()
	for i := range units {
		if units[i].Code == flowstest.Other {
			units[i].Kind, units[i].Parent = flows.Team, flowstest.Agency
		}
	}
	dir, err := flows.NewDirectory(units)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyUnits(ctx, dir, at); err == nil || !strings.Contains(err.Error(), "kind or parent") {
		t.Errorf("moving a busy unit: %v", err)
	}
}
