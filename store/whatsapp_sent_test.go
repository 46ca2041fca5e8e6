package store_test

import (
	"slices"
	"testing"
	"time"

	"aduan/flows/flowstest"
)

// TestSends: the sends of a channel since a time are its delivered messages after it,
// one per part, oldest first, the newest limit of them; other channels, messages not
// delivered and those delivered before do not count.
func TestSends(t *testing.T) {
	db, _ := setup(t)
	now := flowstest.At(t, "2026-12-02 10:00")
	since := now.Add(-24 * time.Hour)
	add := func(channel string, delivered time.Time, parts int) {
		t.Helper()
		var at any
		if !delivered.IsZero() {
			at = delivered
		}
		if _, err := db.Pool().Exec(ctx, `INSERT INTO outbox (channel, chat, payload, created_at, next_attempt_at, delivered_at, parts_sent)
VALUES ($1, '6281@s.whatsapp.net', '{"msg":"intake.welcome"}', $2, $2, $3, $4)`, channel, since.Add(-time.Hour), at, parts); err != nil {
			t.Fatal(err)
		}
	}
	add("whatsapp", since.Add(-time.Minute), 0) // a day ago and more
	add("whatsapp", since, 0)                   // exactly a day ago: out
	add("whatsapp", now.Add(-3*time.Hour), 2)   // three parts
	add("whatsapp", now.Add(-time.Hour), 0)
	add("whatsapp", time.Time{}, 1) // not delivered yet
	add("telegram", now.Add(-time.Hour), 0)
	a, b := now.Add(-3*time.Hour), now.Add(-time.Hour)
	for _, tc := range []struct {
		limit int
		want  []time.Time
	}{
		{100, []time.Time{a, a, a, b}},
		{2, []time.Time{a, b}},
		{0, nil},
	} {
		got, err := db.Sends(ctx, "whatsapp", since, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, tc.want, time.Time.Equal) {
			t.Errorf("Sends(limit %d) = %v, want %v", tc.limit, got, tc.want)
		}
	}
}
