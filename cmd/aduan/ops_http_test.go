package main

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/bot/whatsapp"
	"aduan/bot/whatsapp/wafake"
	"aduan/flows"
)

// getReady fetches /readyz and decodes it.
func getReady(t *testing.T, d *tgDesk) (int, Readiness) {
	t.Helper()
	resp, err := http.Get("http://" + d.m.Addr().String() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("/readyz Content-Type = %q", ct)
	}
	var rd Readiness
	if err := json.Unmarshal(body, &rd); err != nil {
		t.Fatalf("/readyz body %q: %v", body, err)
	}
	return resp.StatusCode, rd
}

// channelOf returns the named channel of rd.
func channelOf(t *testing.T, rd Readiness, name string) ChannelReadiness {
	t.Helper()
	i := slices.IndexFunc(rd.Channels, func(c ChannelReadiness) bool { return c.Name == name })
	if i < 0 {
		t.Fatalf("/readyz has no channel %s: %+v", name, rd.Channels)
	}
	return rd.Channels[i]
}

// waitTelegramStarted waits until Main's Telegram channel has started against the fake.
func waitTelegramStarted(t *testing.T, d *tgDesk) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !d.m.telegramStarted.Load(); {
		if time.Now().After(end) {
			t.Fatal("telegram never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestReadyz checks /readyz against the real database: ready with Telegram polling and
// WhatsApp connected; not ready, saying why, when WhatsApp is banned and when a
// message of a live channel has waited too long; a channel the desk does not run only
// shows its queue.
func TestReadyz(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-12-01 09:00", func(m *Main) { useWhatsAppFake(m, wafake.New(waSelf), nil, nil) })
	waitTelegramStarted(t, d)
	ctx := t.Context()

	code, rd := getReady(t, d)
	if code != http.StatusOK || !rd.Ready || len(rd.Reasons) != 0 || rd.Database != "ok" || rd.Schema != "current" {
		t.Fatalf("/readyz = %d %+v, want 200, ready, database ok, schema current", code, rd)
	}
	if c := channelOf(t, rd, "telegram"); c.State != "polling" || c.Pending != 0 {
		t.Errorf("telegram = %+v, want polling, nothing pending", c)
	}
	if c := channelOf(t, rd, whatsapp.Name); c.State != "connected" {
		t.Errorf("whatsapp = %+v, want connected", c)
	}

	// WhatsApp banned: not ready, the reason names the ban and what to do.
	now := d.clock.Now()
	ban := flows.Alert{Channel: whatsapp.Name, Kind: flows.AlertBanned, Detail: "temporary ban", At: now, Until: now.Add(time.Hour)}
	if err := d.m.DB().RaiseAlert(ctx, d.m.Rules(), ban); err != nil {
		t.Fatal(err)
	}
	code, rd = getReady(t, d)
	if code != http.StatusServiceUnavailable || rd.Ready || len(rd.Reasons) != 1 || !strings.HasPrefix(rd.Reasons[0], "whatsapp: banned since") {
		t.Fatalf("/readyz banned = %d %+v, want 503 with the ban", code, rd)
	}
	if c := channelOf(t, rd, whatsapp.Name); c.State != "banned" {
		t.Errorf("whatsapp = %+v, want banned", c)
	}
	if _, err := d.m.DB().ClearAlert(ctx, d.m.Rules(), whatsapp.Name, now); err != nil {
		t.Fatal(err)
	}
	// The units' groups were told of the ban and its end on Telegram: let them go.
	d.settle()

	// A Telegram message queued 20 minutes ago and not due for a day: stuck. One on a
	// channel the desk does not run is only shown.
	if _, err := d.m.DB().Pool().Exec(ctx, `INSERT INTO outbox (channel, chat, payload, created_at, next_attempt_at) VALUES
		('telegram', '-1', '{}', $1, $2), ('sms', '0812', '{}', $1, $1)`, now.Add(-20*time.Minute), now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	code, rd = getReady(t, d)
	if code != http.StatusServiceUnavailable || len(rd.Reasons) != 1 || rd.Reasons[0] != "telegram: the oldest of 1 pending messages has waited 20m0s" {
		t.Fatalf("/readyz stuck = %d %+v, want 503 for telegram's stuck message", code, rd)
	}
	if c := channelOf(t, rd, "telegram"); c.Pending != 1 || c.OldestPendingSeconds != 1200 {
		t.Errorf("telegram = %+v, want 1 pending for 1200 s", c)
	}
	if c := channelOf(t, rd, "sms"); c.State != "absent" || c.Pending != 1 {
		t.Errorf("sms = %+v, want absent with 1 pending", c)
	}
}
