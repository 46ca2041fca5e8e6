package store_test

import (
	"strings"
	"testing"
	"time"

	"aduan/flows/flowstest"
	"aduan/store"
)

// TestAccessLog: LogAccess records who saw what of which complaint, under the
// complainant's pseudonym; AccessLog filters by complaint, person and time; the log
// cannot be changed or deleted.
func TestAccessLog(t *testing.T) {
	db, rules := setup(t)
	at := flowstest.At(t, "2026-11-30 10:00")
	c := mustFile(t, db, rules, at)
	if err := db.LogAccess(ctx, "cli:budi", store.AccessComplaintShow, c.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := db.LogAccess(ctx, "cli:budi", "report.export", 0, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{"", "x"}, {"cli:budi", " "}} {
		if err := db.LogAccess(ctx, bad[0], bad[1], c.ID, at); err == nil {
			t.Errorf("LogAccess(%q, %q) accepted", bad[0], bad[1])
		}
	}
	person, err := db.ComplainantPseudonym(ctx, c.Contact.Channel, c.Contact.Chat)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(person, "complainant:") || strings.Contains(person, c.Contact.Chat) {
		t.Fatalf("pseudonym %q", person)
	}
	ref, _ := db.ActorRef(ctx, flowstest.Complainant, c.Contact.Channel)
	if ref != person {
		t.Errorf("the access log's pseudonym %q is not the audit trail's %q", person, ref)
	}
	all, err := db.AccessLog(ctx, store.AccessFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Tracking != c.Tracking || all[0].Person != person || all[0].What != store.AccessComplaintShow ||
		all[0].Who != "cli:budi" || !all[0].At.Equal(at) || all[1].Tracking != "" || all[1].Person != "" {
		t.Fatalf("access log %+v", all)
	}
	for _, tc := range []struct {
		f    store.AccessFilter
		want int
	}{
		{store.AccessFilter{Complaint: c.ID}, 1},
		{store.AccessFilter{Person: person}, 1},
		{store.AccessFilter{Person: "complainant:none"}, 0},
		{store.AccessFilter{Since: at.Add(time.Minute)}, 1},
		{store.AccessFilter{Limit: 1}, 1},
		{store.AccessFilter{Limit: 5}, 2},
	} {
		got, err := db.AccessLog(ctx, tc.f)
		if err == nil && tc.f.Limit == 1 && len(got) == 1 && got[0].What != "report.export" {
			t.Errorf("AccessLog(limit 1) = %+v, want the newest line", got)
		}
		if err != nil || len(got) != tc.want {
			t.Errorf("AccessLog(%+v) = %d lines, %v; want %d", tc.f, len(got), err, tc.want)
		}
	}
	for _, sql := range []string{`UPDATE access_log SET who = 'someone else'`, `DELETE FROM access_log`} {
		if _, err := db.Pool().Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", sql, err)
		}
	}
}
