package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"aduan/bot"
	"aduan/bot/web"
	"aduan/bot/whatsapp"
	"aduan/flows"
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
	// "old" or "unknown" (WhatsAppSchema empty when WhatsApp is off or runs over a
	// test's client).
	Database       string `json:"database"`
	Schema         string `json:"schema"`
	WhatsAppSchema string `json:"whatsapp_schema,omitempty"`
	// Channels are the channels of this desk, and any other with messages waiting.
	Channels []ChannelReadiness `json:"channels"`
	// Practice is the practice desk's part when it runs beside this desk (/latihan):
	// its own database, which its pages need; its reasons are the desk's too.
	Practice *PracticeReadiness `json:"practice,omitempty"`
}

// PracticeReadiness is the practice desk's part of Readiness.
type PracticeReadiness struct {
	// Database is "ok" or "unreachable"; Schema "current", "old" or "unknown", as the
	// desk's own.
	Database string `json:"database"`
	Schema   string `json:"schema"`
}

// ChannelReadiness is one channel's part of Readiness.
type ChannelReadiness struct {
	// Name is the channel's name ("telegram", "whatsapp", …).
	Name string `json:"name"`
	// State is, for Telegram, "starting", "polling" or "webhook"; for WhatsApp
	// "connected", "disconnected", "not_linked", "rate_limited" or the kind of the alert
	// that stopped it (flows.AlertKind: "logged_out", "banned", …); "serving" for the
	// web channel (its pages are served here, its lines written to the database);
	// "configured" for other channels of the desk and "absent" for a channel it does
	// not run.
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

// migrate is what brings the desk's schemas up to date.
const migrate = "run `aduan migrate`"

// readiness checks the database, both schemas, every channel and the practice desk's
// database.
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
	rd.Schema = m.schemaState(&rd, "database schema", migrate, m.db.CheckSchema(ctx))
	if m.waSession != nil {
		rd.WhatsAppSchema = m.schemaState(&rd, "WhatsApp tables", migrate, m.waSession.CheckSchema(ctx))
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
	if m.web != nil {
		add(web.Name, "serving")
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
	if m.practice != nil {
		rd.Practice = m.practiceReadiness(ctx, &rd)
	}
	rd.Ready = len(rd.Reasons) == 0
	return rd
}

// practiceReadiness checks the practice desk's database and schema, adding a reason
// (prefixed "practice desk: ") for each failure. Its outbox is not checked: its clock
// jumps, and a message queued before a jump has not waited for as long as it seems.
func (m *Main) practiceReadiness(ctx context.Context, rd *Readiness) *PracticeReadiness {
	p := &PracticeReadiness{Database: "ok", Schema: "unknown"}
	db := m.practice.DB()
	if err := db.Pool().Ping(ctx); err != nil {
		p.Database = "unreachable"
		rd.Reasons = append(rd.Reasons, "practice desk: database unreachable")
		return p
	}
	p.Schema = m.schemaState(rd, "practice desk: database schema", "restart serve, which migrates it", db.CheckSchema(ctx))
	return p
}

// schemaState names the outcome of a schema check, adding a reason when it failed
// (with todo, what brings an old schema up to date).
func (m *Main) schemaState(rd *Readiness, what, todo string, err error) string {
	switch {
	case err == nil:
		return "current"
	case errors.Is(err, store.ErrOldSchema), errors.Is(err, whatsapp.ErrOldSchema):
		rd.Reasons = append(rd.Reasons, what+" out of date: "+todo)
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

// metrics are the desk's Prometheus metrics, served at GET /metrics: counters fed by
// the desks' and senders' hooks, and gauges read from the database at each scrape.
// No label holds personal data: channels, outcomes, states, unit codes and handler
// names only.
type metrics struct {
	reg        *prometheus.Registry
	deliveries *prometheus.CounterVec
	inbound    *prometheus.CounterVec
	sweep      prometheus.Histogram
	http       *prometheus.HistogramVec
}

// newMetrics registers the desk's metrics, the database gauges read through db as of
// clock's now, and the Go runtime's and the process's.
func newMetrics(db *store.DB, clock flows.Clock, log *slog.Logger) *metrics {
	mt := &metrics{
		reg: prometheus.NewRegistry(),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aduan_delivery_attempts_total",
			Help: "Delivery attempts of outbox messages, by channel and outcome (delivered, deferred, retried, dropped)."},
			[]string{"channel", "outcome"}),
		inbound: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "aduan_inbound_total",
			Help: "Inbound messages handled (result handled) or whose handling failed (failed, tried again later), by channel."},
			[]string{"channel", "result"}),
		sweep: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "aduan_sweep_duration_seconds",
			Help:    "How long each run of the scheduled checks took.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300}}),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "aduan_http_request_duration_seconds",
			Help:    "Latency of the HTTP endpoint's requests, by handler, method and status code.",
			Buckets: prometheus.DefBuckets}, []string{"handler", "method", "code"}),
	}
	mt.reg.MustRegister(mt.deliveries, mt.inbound, mt.sweep, mt.http, &dbCollector{db: db, clock: clock, log: log},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return mt
}

// channel makes the counters of channel show from the start, at zero.
func (mt *metrics) channel(name string) {
	for _, o := range []bot.Outcome{bot.Delivered, bot.Deferred, bot.Retried, bot.Dropped} {
		mt.deliveries.WithLabelValues(name, string(o))
	}
	mt.inbound.WithLabelValues(name, "handled")
	mt.inbound.WithLabelValues(name, "failed")
}

// delivered is the senders' Observe hook.
func (mt *metrics) delivered(m flows.Envelope, o bot.Outcome) {
	mt.deliveries.WithLabelValues(m.Channel, string(o)).Inc()
}

// handled counts an inbound message handled (err nil) or failed.
func (mt *metrics) handled(raw flows.RawInbound, err error) {
	result := "handled"
	if err != nil {
		result = "failed"
	}
	mt.inbound.WithLabelValues(raw.Channel, result).Inc()
}

// instrument times h's requests under the handler name given.
func (mt *metrics) instrument(name string, h http.Handler) http.Handler {
	return promhttp.InstrumentHandlerDuration(mt.http.MustCurryWith(prometheus.Labels{"handler": name}), h)
}

// handler serves the metrics in Prometheus' text format; a gauge whose query failed is
// left out of that scrape (and logged).
func (mt *metrics) handler() http.Handler {
	return promhttp.HandlerFor(mt.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// scrapeTimeout bounds the database queries of one scrape.
const scrapeTimeout = 5 * time.Second

var (
	descOpen = prometheus.NewDesc("aduan_complaints_open",
		"Open complaints by state (closed and archived ones are not counted).", []string{"state"}, nil)
	descOverdue = prometheus.NewDesc("aduan_complaints_overdue",
		"Open complaints past their deadline, by the unit holding them.", []string{"unit"}, nil)
	descPending = prometheus.NewDesc("aduan_outbox_pending",
		"Messages waiting in the outbox to be sent, by channel.", []string{"channel"}, nil)
	descOldest = prometheus.NewDesc("aduan_outbox_oldest_pending_seconds",
		"How long the oldest message waiting in the outbox has waited, by channel.", []string{"channel"}, nil)
	descRequestsOpen = prometheus.NewDesc("aduan_data_requests_open",
		"Citizens' data requests not completed, by kind: access (a copy, /datasaya) and erasure (/hapusdata, waiting for complaints to close).",
		[]string{"kind"}, nil)
	descRequestsOverdue = prometheus.NewDesc("aduan_data_requests_overdue",
		"Citizens' data requests not completed more than 3x24 hours after they were asked (UU 27/2022), by kind.", []string{"kind"}, nil)
)

// requestDeadline is how long the law (UU 27/2022) gives the desk to complete a data request.
const requestDeadline = 3 * 24 * time.Hour

// dbCollector reads the gauges from the database at each scrape, one query each.
type dbCollector struct {
	db    *store.DB
	clock flows.Clock
	log   *slog.Logger
}

// Describe sends the gauges' descriptions.
func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descOpen
	ch <- descOverdue
	ch <- descPending
	ch <- descOldest
	ch <- descRequestsOpen
	ch <- descRequestsOverdue
}

// Collect runs the gauges' queries and sends their values; a query that fails is
// logged and its gauge left out.
func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if open, err := c.db.OpenComplaints(ctx); err != nil {
		c.log.Error("metrics: open complaints not read", "err", err)
	} else {
		for state, n := range open {
			ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(n), state)
		}
	}
	if overdue, err := c.db.OverdueComplaints(ctx); err != nil {
		c.log.Error("metrics: overdue complaints not read", "err", err)
	} else {
		for unit, n := range overdue {
			ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(n), unit)
		}
	}
	now := c.clock.Now()
	if requests, err := c.db.OpenRequests(ctx, now.Add(-requestDeadline)); err != nil {
		c.log.Error("metrics: data requests not read", "err", err)
	} else {
		for kind, n := range requests {
			ch <- prometheus.MustNewConstMetric(descRequestsOpen, prometheus.GaugeValue, float64(n.Open), string(kind))
			ch <- prometheus.MustNewConstMetric(descRequestsOverdue, prometheus.GaugeValue, float64(n.Overdue), string(kind))
		}
	}
	pending, err := c.db.OutboxPending(ctx)
	if err != nil {
		c.log.Error("metrics: outbox not read", "err", err)
		return
	}
	for _, p := range pending {
		ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(p.Count), p.Channel)
		ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, max(now.Sub(p.Oldest), 0).Seconds(), p.Channel)
	}
}
