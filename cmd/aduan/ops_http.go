package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"aduan/bot/whatsapp"
	"aduan/store"
)

// readyMaxWait is how long the oldest pending message of a live channel may wait before
// /readyz reports the desk not ready: messages are stuck.
const readyMaxWait = 15 * time.Minute

// Readiness is the body of GET /readyz.
type Readiness struct {
	// Ready reports whether the desk can take and deliver messages; Reasons says why
	// not, one line each (empty when ready).
	Ready   bool     `json:"ready"`
	Reasons []string `json:"reasons"`
	// Database is "ok" or "unreachable"; Schema and WhatsAppSchema are "current",
	// "old" or "unknown" (WhatsAppSchema empty when WhatsApp is off).
	Database       string `json:"database"`
	Schema         string `json:"schema"`
	WhatsAppSchema string `json:"whatsapp_schema,omitempty"`
	// Channels are the channels of this desk, and any other with messages waiting.
	Channels []ChannelReadiness `json:"channels"`
}

// ChannelReadiness is one channel's part of Readiness.
type ChannelReadiness struct {
	Name string `json:"name"`
	// State is, for Telegram, "starting", "polling" or "webhook"; for WhatsApp
	// "connected", "disconnected", "not_linked", "rate_limited" or the kind of the alert
	// that stopped it (flows.AlertKind: "logged_out", "banned", …); "configured" for
	// other channels of the desk and "absent" for a channel it does not run.
	State string `json:"state"`
	// Pending is how many messages wait to be sent on the channel, and
	// OldestPendingSeconds how long the oldest of them has waited.
	Pending              int     `json:"pending"`
	OldestPendingSeconds float64 `json:"oldest_pending_seconds"`
}

// readyz answers 200 with the desk's Readiness when it is ready, 503 with the reasons
// otherwise.
func (m *Main) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	rd := m.readiness(ctx)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(versionHeader, currentVersion().short())
	if !rd.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(rd)
}

// readiness checks the database, both schemas and every channel.
func (m *Main) readiness(ctx context.Context) Readiness {
	rd := Readiness{Reasons: []string{}, Channels: []ChannelReadiness{}, Database: "ok", Schema: "unknown"}
	if m.waSession != nil {
		rd.WhatsAppSchema = "unknown"
	}
	if err := m.db.Pool().Ping(ctx); err != nil {
		rd.Database = "unreachable"
		rd.Reasons = append(rd.Reasons, "database unreachable")
		return rd
	}
	rd.Schema = m.schemaState(&rd, "database schema", m.db.CheckSchema(ctx))
	if m.waSession != nil {
		rd.WhatsAppSchema = m.schemaState(&rd, "WhatsApp tables", m.waSession.CheckSchema(ctx))
	}
	now := m.Clock.Now()
	pending, err := m.db.OutboxPending(ctx)
	if err != nil {
		m.Log.Error("readiness: outbox not read", "err", err)
		rd.Reasons = append(rd.Reasons, "outbox unreadable")
	}
	add := func(name, state string) {
		rd.Channels = append(rd.Channels, ChannelReadiness{Name: name, State: state})
	}
	if m.telegram != nil {
		switch {
		case !m.telegramStarted.Load():
			add("telegram", "starting")
			rd.Reasons = append(rd.Reasons, "telegram: not started yet (is the Bot API reachable and the token right?)")
		case m.Config.Telegram.WebhookURL != "":
			add("telegram", "webhook")
		default:
			add("telegram", "polling")
		}
	}
	if m.whatsapp != nil {
		state, reason := m.whatsAppReadiness(ctx, now)
		add(whatsapp.Name, state)
		if reason != "" {
			rd.Reasons = append(rd.Reasons, "whatsapp: "+reason)
		}
	}
	for _, c := range m.Channels {
		add(c.Name(), "configured")
	}
	for _, p := range pending {
		i := slices.IndexFunc(rd.Channels, func(c ChannelReadiness) bool { return c.Name == p.Channel })
		if i < 0 {
			i = len(rd.Channels)
			add(p.Channel, "absent")
		}
		c := &rd.Channels[i]
		wait := max(now.Sub(p.Oldest), 0)
		c.Pending, c.OldestPendingSeconds = p.Count, wait.Round(time.Second).Seconds()
		if c.State != "absent" && wait > readyMaxWait {
			rd.Reasons = append(rd.Reasons, fmt.Sprintf("%s: the oldest of %d pending messages has waited %s", p.Channel, p.Count, wait.Round(time.Second)))
		}
	}
	rd.Ready = len(rd.Reasons) == 0
	return rd
}

// schemaState names the outcome of a schema check, adding a reason when it failed.
func (m *Main) schemaState(rd *Readiness, what string, err error) string {
	switch {
	case err == nil:
		return "current"
	case errors.Is(err, store.ErrOldSchema), errors.Is(err, whatsapp.ErrOldSchema):
		rd.Reasons = append(rd.Reasons, what+" out of date: run `aduan migrate`")
		return "old"
	}
	m.Log.Error("readiness: schema not checked", "what", what, "err", err)
	rd.Reasons = append(rd.Reasons, what+" not checked")
	return "unknown"
}

// whatsAppReadiness returns WhatsApp's state and, when it cannot send, why.
func (m *Main) whatsAppReadiness(ctx context.Context, now time.Time) (state, reason string) {
	if m.waSession != nil {
		acct, err := m.waSession.Account(ctx)
		if err != nil {
			m.Log.Error("readiness: whatsapp account not read", "err", err)
			return "unknown", "account not read"
		}
		if !acct.Linked {
			return "not_linked", "not linked: run `aduan whatsapp link`"
		}
	}
	st, err := m.db.Channel(ctx, whatsapp.Name)
	if err != nil {
		m.Log.Error("readiness: whatsapp state not read", "err", err)
		return "unknown", "state not read"
	}
	if a := st.Alert; a.Active(now, whatsapp.Build()) {
		return string(a.Kind), fmt.Sprintf("%s since %s: %s", a.Kind, a.At.UTC().Format(time.RFC3339), whatsapp.Todo(a.Kind))
	}
	if daily := m.Config.WhatsApp.Daily; daily > 0 {
		sent, err := m.db.Sends(ctx, whatsapp.Name, now.Add(-24*time.Hour), daily)
		if err != nil {
			m.Log.Error("readiness: whatsapp sends not counted", "err", err)
		} else if len(sent) >= daily {
			return "rate_limited", fmt.Sprintf("the daily cap of %d sends is reached; messages wait until %s", daily, sent[0].Add(24*time.Hour).UTC().Format(time.RFC3339))
		}
	}
	if m.waSession == nil { // a test's client, connected from the start
		return "connected", ""
	}
	switch {
	case st.Seen.IsZero():
		return "disconnected", "never connected yet"
	case !st.Connected:
		return "disconnected", "not connected since " + st.Seen.UTC().Format(time.RFC3339)
	case now.Sub(st.Seen) > reportedFresh:
		return "disconnected", "the replica holding the connection last reported at " + st.Seen.UTC().Format(time.RFC3339)
	}
	return "connected", ""
}
