package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"aduan/bot"
	"aduan/bot/memory"
	"aduan/bot/telegram/tgfake"
	"aduan/bot/web"
	"aduan/bot/whatsapp"
	"aduan/bot/whatsapp/wafake"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// getReady fetches /readyz and decodes it.
func getReady(t *testing.T, m *Main) (int, Readiness) {
	t.Helper()
	resp, err := http.Get("http://" + m.Addr().String() + "/readyz")
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

	code, rd := getReady(t, d.m)
	if code != http.StatusOK || !rd.Ready || len(rd.Reasons) != 0 || rd.Database != "ok" || rd.Schema != "current" {
		t.Fatalf("/readyz = %d %+v, want 200, ready, database ok, schema current", code, rd)
	}
	if c := channelOf(t, rd, "telegram"); c.State != "polling" || c.Pending != 0 {
		t.Errorf("telegram = %+v, want polling, nothing pending", c)
	}
	if c := channelOf(t, rd, whatsapp.Name); c.State != "connected" {
		t.Errorf("whatsapp = %+v, want connected", c)
	}
	if c := channelOf(t, rd, web.Name); c.State != "serving" {
		t.Errorf("web = %+v, want serving", c)
	}
	if rd.Practice != nil {
		t.Errorf("practice = %+v, want none: a desk with chat channels runs no practice desk", rd.Practice)
	}

	// WhatsApp banned: not ready, the reason names the ban and what to do.
	now := d.clock.Now()
	ban := flows.Alert{Channel: whatsapp.Name, Kind: flows.AlertBanned, Detail: "temporary ban", At: now, Until: now.Add(time.Hour)}
	if err := d.m.DB().RaiseAlert(ctx, d.m.Rules(), ban); err != nil {
		t.Fatal(err)
	}
	code, rd = getReady(t, d.m)
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
	code, rd = getReady(t, d.m)
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

// TestReadyzWhatsAppUnlinked checks /readyz of a desk with WhatsApp on and no number
// linked, then with either schema behind the program's.
func TestReadyzWhatsAppUnlinked(t *testing.T) {
	t.Parallel()
	url := newDeskDB(t)
	c := newCLI(t)
	c.env["DATABASE_URL"] = url
	c.ok("migrate")
	cfg := config.Defaults()
	cfg.DatabaseURL, cfg.Listen, cfg.SweepEvery = url, "127.0.0.1:0", time.Hour
	cfg.WhatsApp.Enabled = true
	m := &Main{Config: cfg, Clock: flowstest.NewClock(flowstest.At(t, "2026-11-30 09:00")), Log: slog.New(slog.DiscardHandler)}
	m.Channels = []bot.Channel{memory.New(store.Telegram, func(env flows.Envelope) (string, error) { return string(env.Notice.Msg), nil })}
	if err := m.Run(t.Context()); err != nil {
		m.Close()
		t.Fatalf("Main.Run: %v", err)
	}
	t.Cleanup(func() { m.Close() })

	code, rd := getReady(t, m)
	want := []string{"whatsapp: not linked: run `aduan whatsapp link`"}
	if code != http.StatusServiceUnavailable || rd.Ready || !slices.Equal(rd.Reasons, want) || rd.Schema != "current" || rd.WhatsAppSchema != "current" {
		t.Fatalf("/readyz = %d %+v, want 503 for %q, both schemas current", code, rd, want)
	}
	if ch := channelOf(t, rd, whatsapp.Name); ch.State != "not_linked" {
		t.Errorf("whatsapp = %+v, want not_linked", ch)
	}
	if ch := channelOf(t, rd, store.Telegram); ch.State != "configured" {
		t.Errorf("telegram = %+v, want configured (a channel of the test's)", ch)
	}

	// Both schemas one version behind: each is named, with what to do.
	if _, err := m.DB().Pool().Exec(t.Context(), `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version);
		UPDATE whatsmeow_version SET version = version - 1`); err != nil {
		t.Fatal(err)
	}
	code, rd = getReady(t, m)
	want = []string{"database schema out of date: run `aduan migrate`", "WhatsApp tables out of date: run `aduan migrate`", want[0]}
	if code != http.StatusServiceUnavailable || !slices.Equal(rd.Reasons, want) || rd.Schema != "old" || rd.WhatsAppSchema != "old" {
		t.Errorf("/readyz old schemas = %d %+v, want 503 for %q", code, rd, want)
	}
}

// TestReadyzPractice checks /readyz of a desk running the practice desk beside it:
// ready while the practice database answers with the current schema; not ready,
// saying why, when its schema is behind and when it does not answer. A web message
// stuck in the real desk's outbox makes it not ready as any channel's does.
func TestReadyzPractice(t *testing.T) {
	t.Parallel()
	r := newPracticeRun(t, "2026-12-01 09:00")
	ctx := t.Context()

	code, rd := getReady(t, r.m)
	if code != http.StatusOK || !rd.Ready || rd.Practice == nil || *rd.Practice != (PracticeReadiness{Database: "ok", Schema: "current"}) {
		t.Fatalf("/readyz = %d %+v (practice %+v), want 200, ready, practice database ok and current", code, rd, rd.Practice)
	}
	if c := channelOf(t, rd, web.Name); c.State != "serving" || c.Pending != 0 {
		t.Errorf("web = %+v, want serving, nothing pending", c)
	}

	// The practice database one version behind.
	pdb := r.p.DB().Pool()
	var version int64
	if err := pdb.QueryRow(ctx, `DELETE FROM goose_db_version WHERE id = (SELECT max(id) FROM goose_db_version) RETURNING version_id`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	code, rd = getReady(t, r.m)
	want := []string{"practice desk: database schema out of date: restart serve, which migrates it"}
	if code != http.StatusServiceUnavailable || rd.Ready || !slices.Equal(rd.Reasons, want) || rd.Schema != "current" || rd.Practice == nil || rd.Practice.Schema != "old" {
		t.Fatalf("/readyz old practice schema = %d %+v (practice %+v), want 503 for %q, the desk's own schema current", code, rd, rd.Practice, want)
	}
	if _, err := pdb.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, version); err != nil {
		t.Fatal(err)
	}
	if code, rd = getReady(t, r.m); code != http.StatusOK {
		t.Fatalf("/readyz with the schema back = %d %+v", code, rd)
	}

	// The practice database refuses connections and drops those it had.
	name := r.p.DB().Pool().Config().ConnConfig.Database
	admin, err := pgx.Connect(ctx, storetest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	allow := func(on bool) {
		t.Helper()
		if _, err := admin.Exec(context.Background(), fmt.Sprintf("ALTER DATABASE %s ALLOW_CONNECTIONS %t", pgx.Identifier{name}.Sanitize(), on)); err != nil {
			t.Fatal(err)
		}
	}
	allow(false)
	defer allow(true)
	// pg_terminate_backend with a timeout returns once each connection has ended.
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = $1`, name); err != nil {
		t.Fatal(err)
	}
	code, rd = getReady(t, r.m)
	want = []string{"practice desk: database unreachable"}
	if code != http.StatusServiceUnavailable || !slices.Equal(rd.Reasons, want) || rd.Database != "ok" || rd.Practice == nil || rd.Practice.Database != "unreachable" {
		t.Fatalf("/readyz practice unreachable = %d %+v (practice %+v), want 503 for %q, the desk's own database ok", code, rd, rd.Practice, want)
	}
	allow(true)
	// The connections the server ended are dropped at once, as a restarted desk's are.
	pdb.Reset()

	// A web line of the real desk queued 20 minutes ago and not due for a day: stuck.
	now := r.clock.Now()
	if _, err := r.m.DB().Pool().Exec(ctx, `INSERT INTO outbox (channel, chat, payload, created_at, next_attempt_at) VALUES ('web', 'c-x', '{}', $1, $2)`,
		now.Add(-20*time.Minute), now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	code, rd = getReady(t, r.m)
	want = []string{"web: the oldest of 1 pending messages has waited 20m0s"}
	if code != http.StatusServiceUnavailable || !slices.Equal(rd.Reasons, want) {
		t.Fatalf("/readyz stuck web line = %d %+v, want 503 for %q", code, rd, want)
	}
}

// scrape fetches /metrics and parses it.
func scrape(t *testing.T, d *tgDesk) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	resp, err := http.Get("http://" + d.m.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics = %d %q", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return mfs, string(body)
}

// words returns every name, help text, label name and label value of mfs, one a line:
// what a scrape says beside its numbers, where personal data could be. (The numbers
// are left out: a runtime figure's digits may spell anything.)
func words(mfs map[string]*dto.MetricFamily) string {
	var b strings.Builder
	for name, mf := range mfs {
		fmt.Fprintf(&b, "%s\n%s\n", name, mf.GetHelp())
		for _, m := range mf.Metric {
			for _, l := range m.Label {
				fmt.Fprintf(&b, "%s=%s\n", l.GetName(), l.GetValue())
			}
		}
	}
	return b.String()
}

// value returns the value of the metric of family name whose labels include want
// (counter, gauge, or a histogram's sample count), and whether there is one.
func value(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
next:
	for _, m := range mf.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetrics files a complaint over the fake Bot API, lets it go overdue, queues a
// message on a channel the desk does not run, and checks a scrape of /metrics: the
// counters of the desk's and the sender's hooks, the gauges read from the database,
// the sweep's and the HTTP requests' latencies, and no personal data.
func TestMetrics(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	waitTelegramStarted(t, d)
	ctx := t.Context()

	mfs, _ := scrape(t, d)
	for _, o := range []string{"delivered", "deferred", "retried", "dropped"} {
		if n, ok := value(mfs, "aduan_delivery_attempts_total", map[string]string{"channel": "telegram", "outcome": o}); !ok || n != 0 {
			t.Errorf("before any traffic, telegram %s = %v %v, want 0 shown", o, n, ok)
		}
	}
	if _, ok := value(mfs, "go_goroutines", nil); !ok {
		t.Error("no Go runtime metrics")
	}
	// No complaint is overdue yet: every unit reads 0, not nothing.
	for _, u := range flowstest.Units() {
		if n, ok := value(mfs, "aduan_complaints_overdue", map[string]string{"unit": u.Code}); !ok || n != 0 {
			t.Errorf("before any complaint, overdue at %s = %v %v, want 0 shown", u.Code, n, ok)
		}
	}

	tr, _ := d.file(citizenBudi, bodyKK)
	// Routing was due in 3 working days: ten days on, the complaint is overdue.
	d.sweepAt(d.clock.Now().Add(10 * 24 * time.Hour))
	c := d.complaint(tr)
	now := d.clock.Now()
	if _, err := d.m.DB().Pool().Exec(ctx, `INSERT INTO outbox (channel, chat, payload, created_at, next_attempt_at)
		VALUES ('sms', '0812', '{}', $1, $1)`, now.Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	getReady(t, d.m)

	mfs, _ = scrape(t, d)
	text := words(mfs)
	if n, _ := value(mfs, "aduan_inbound_total", map[string]string{"channel": "telegram", "result": "handled"}); n < 5 {
		t.Errorf("telegram inbound handled = %v, want the intake's messages (at least 5)", n)
	}
	if n, _ := value(mfs, "aduan_inbound_total", map[string]string{"channel": "telegram", "result": "failed"}); n != 0 {
		t.Errorf("telegram inbound failed = %v, want 0", n)
	}
	if n, _ := value(mfs, "aduan_delivery_attempts_total", map[string]string{"channel": "telegram", "outcome": "delivered"}); n < 5 {
		t.Errorf("telegram delivered = %v, want the intake's answers (at least 5)", n)
	}
	if n, ok := value(mfs, "aduan_complaints_open", map[string]string{"state": string(c.State)}); !ok || n != 1 {
		t.Errorf("open complaints in state %s = %v %v, want 1", c.State, n, ok)
	}
	if !c.Timers.Overdue {
		t.Fatalf("complaint %s is not overdue after ten days: %+v", tr, c)
	}
	if n, ok := value(mfs, "aduan_complaints_overdue", map[string]string{"unit": c.Unit}); !ok || n != 1 {
		t.Errorf("overdue at %s = %v %v, want 1", c.Unit, n, ok)
	}
	if n, _ := value(mfs, "aduan_outbox_pending", map[string]string{"channel": "sms"}); n != 1 {
		t.Errorf("sms pending = %v, want 1", n)
	}
	if n, _ := value(mfs, "aduan_outbox_oldest_pending_seconds", map[string]string{"channel": "sms"}); n != 1200 {
		t.Errorf("sms oldest pending = %v s, want 1200", n)
	}
	if n, _ := value(mfs, "aduan_sweep_duration_seconds", nil); n != 1 {
		t.Errorf("sweeps timed = %v, want 1", n)
	}
	if n, _ := value(mfs, "aduan_http_request_duration_seconds", map[string]string{"handler": "readyz", "method": "get"}); n != 1 {
		t.Errorf("GET /readyz timed = %v, want 1", n)
	}
	if n, _ := value(mfs, "aduan_http_request_duration_seconds", map[string]string{"handler": "metrics", "code": "200"}); n != 1 {
		t.Errorf("GET /metrics timed = %v, want the first scrape", n)
	}
	for _, personal := range []string{strconv.FormatInt(citizenBudi, 10), "0812", tr} {
		if strings.Contains(text, personal) {
			t.Errorf("/metrics holds %q", personal)
		}
	}
}

// TestMetricsDataRequests: the operator sees the citizens' data requests not completed
// on /metrics, by kind only, and those older than the law's 3×24 hours: a /hapusdata
// whose complaint is still open waits (erasure), and a copy left unanswered (access,
// written here as a failure would leave it) is overdue; three days on the deletion is
// overdue too. Both kinds are shown at zero before any request.
func TestMetricsDataRequests(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	waitTelegramStarted(t, d)
	ctx := t.Context()
	mfs, _ := scrape(t, d)
	for _, kind := range []string{"access", "erasure"} {
		for _, name := range []string{"aduan_data_requests_open", "aduan_data_requests_overdue"} {
			if n, ok := value(mfs, name, map[string]string{"kind": kind}); !ok || n != 0 {
				t.Errorf("before any request, %s{kind=%s} = %v %v, want 0 shown", name, kind, n, ok)
			}
		}
	}

	tr, _ := d.file(citizenBudi, bodyKK)
	calls := d.do(tgfake.TextMessage(citizenBudi, citizenBudi, "/hapusdata"))
	asked := sent(calls, citizenBudi)
	if len(asked) == 0 {
		t.Fatal("no answer to /hapusdata")
	}
	d.press(citizenBudi, citizenBudi, asked[len(asked)-1], "m:erase:yes")
	if _, err := d.m.DB().Pool().Exec(ctx, `INSERT INTO data_request (person, channel, kind, requested_at) VALUES ('complainant:0000', 'telegram', 'access', $1)`,
		d.clock.Now().Add(-73*time.Hour)); err != nil {
		t.Fatal(err)
	}
	want := func(when string, kind string, open, overdue float64) {
		t.Helper()
		mfs, _ := scrape(t, d)
		text := words(mfs)
		if n, ok := value(mfs, "aduan_data_requests_open", map[string]string{"kind": kind}); !ok || n != open {
			t.Errorf("%s: aduan_data_requests_open{kind=%s} = %v %v, want %v", when, kind, n, ok, open)
		}
		if n, ok := value(mfs, "aduan_data_requests_overdue", map[string]string{"kind": kind}); !ok || n != overdue {
			t.Errorf("%s: aduan_data_requests_overdue{kind=%s} = %v %v, want %v", when, kind, n, ok, overdue)
		}
		for _, personal := range []string{strconv.FormatInt(citizenBudi, 10), tr, "complainant:"} {
			if strings.Contains(text, personal) {
				t.Errorf("/metrics holds %q", personal)
			}
		}
	}
	want("at once", "erasure", 1, 0)
	want("at once", "access", 1, 1)
	d.clock.Advance(72*time.Hour + time.Minute)
	want("three days on", "erasure", 1, 1)
	want("three days on", "access", 1, 1)
}
