package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/bot"
	"aduan/bot/memory"
	"aduan/bot/web"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
	pages "aduan/web"
)

// The tests in this file run serve's practice desk (practice.go) beside a real desk
// with no chat channel: each on a database of its own (the practice one under a random
// name, dropped when the test ends), the real desk on a fake clock.

// TestMain drops, after the run, the practice databases that desks of other tests
// made beside their own databases (a desk with no chat channel starts the practice
// desk on "<its database>_latihan"): those whose test database is gone.
func TestMain(m *testing.M) {
	code := m.Run()
	if admin := os.Getenv("DATABASE_URL"); admin != "" {
		dropOrphanPractice(admin)
	}
	os.Exit(code)
}

func dropOrphanPractice(admin string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT p.datname FROM pg_database p
WHERE p.datname LIKE 'aduan\_test\_%\_latihan'
  AND NOT EXISTS (SELECT 1 FROM pg_database b WHERE b.datname = left(p.datname, -length('_latihan')))`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
	}
}

// practiceDBURL returns the URL of a practice database under a random name on the test
// server, not yet created; it is dropped when the test ends.
func practiceDBURL(t *testing.T) string {
	t.Helper()
	admin := storetest.AdminURL(t)
	name := "aduan_ptest_" + strings.ToLower(rand.Text()[:12]) + "_latihan" // not a test database's practice database: no other run drops it as an orphan
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	return databaseURL(t, admin, name)
}

// databaseURL is admin with the database name.
func databaseURL(t testing.TB, admin, name string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
	if cfg.Password != "" {
		u += "&password=" + cfg.Password
	}
	return u
}

func dropDatabase(t *testing.T, admin, name string) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("drop %s: %v", name, err)
		return
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("drop %s: %v", name, err)
	}
}

// practiceRun is a real desk with the practice desk beside it.
type practiceRun struct {
	t           *testing.T
	m           *Main
	p           *practice
	clock       *flowstest.Clock
	realURL     string
	practiceURL string
	log         *storetest.LogBuffer
}

// startPracticeRun runs a desk on the database at realURL with no chat channel, and so
// the practice desk on the database at practiceURL; it closes when the test ends.
// Settings may change the configuration first.
func startPracticeRun(t *testing.T, realURL, practiceURL string, clock *flowstest.Clock, settings ...func(*config.Config)) *practiceRun {
	t.Helper()
	cfg := config.Defaults()
	cfg.DatabaseURL, cfg.Listen, cfg.SweepEvery = realURL, "127.0.0.1:0", time.Hour
	cfg.Intake.NIKCategories = nil // the NIK step is tested on Telegram (TestTelegramNIK) and in TestPracticePersonNotices
	cfg.Practice.DatabaseURL = practiceURL
	for _, set := range settings {
		set(&cfg)
	}
	r := &practiceRun{t: t, clock: clock, realURL: realURL, practiceURL: practiceURL, log: &storetest.LogBuffer{}}
	r.m = &Main{Config: cfg, Clock: clock, Log: slog.New(slog.NewTextHandler(r.log, nil))}
	if err := r.m.Run(t.Context()); err != nil {
		r.m.Close()
		t.Fatalf("Main.Run: %v", err)
	}
	t.Cleanup(func() { r.m.Close() })
	r.p = r.m.practice
	if r.p == nil {
		t.Fatalf("no practice desk started; log:\n%s", r.log.String())
	}
	return r
}

// newPracticeRun is startPracticeRun on fresh databases, the real one with the
// fixture units, at start.
func newPracticeRun(t *testing.T, start string) *practiceRun {
	t.Helper()
	return startPracticeRun(t, newDeskDB(t), practiceDBURL(t), flowstest.NewClock(flowstest.At(t, start)))
}

// settle waits until the practice desk has handled the inbound messages ids and
// delivered everything it queued.
func (r *practiceRun) settle(ids ...string) {
	r.t.Helper()
	db := r.p.DB()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var handled, pending int
		var errs string
		err := db.Pool().QueryRow(r.t.Context(), `SELECT
    (SELECT count(*) FROM inbox WHERE message_id = ANY($1) AND handled_at IS NOT NULL),
    (SELECT coalesce(string_agg(nullif(last_error, ''), '; '), '') FROM inbox WHERE message_id = ANY($1)),
    (SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL)`, ids).Scan(&handled, &errs, &pending)
		if err != nil {
			r.t.Fatal(err)
		}
		if errs != "" {
			r.t.Fatalf("messages %v failed: %s", ids, errs)
		}
		if handled == len(ids) && pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("after 10s: %d of %d messages handled, %d undelivered", handled, len(ids), pending)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// citizen is the practice desk's citizen pane.
func (r *practiceRun) citizen() *webPane {
	chat := r.p.Citizen()
	return &webPane{t: r.t, ch: r.p.Channel, clock: r.clock, chat: chat, user: chat, settle: func(id string) { r.settle(id) }}
}

// file files a complaint as the practice desk's citizen, over its web chat, and
// returns it as the practice database holds it.
func (r *practiceRun) file() flows.Complaint {
	r.t.Helper()
	lines := r.citizen().file("KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.")
	tracking := trackingNumber.FindString(webText(lines))
	if tracking == "" {
		r.t.Fatalf("no tracking number:\n%s", webText(lines))
	}
	k, err := r.p.DB().ComplaintByTracking(r.t.Context(), tracking)
	if err != nil {
		r.t.Fatalf("complaint %s not in the practice database: %v", tracking, err)
	}
	return k
}

// act makes a unit's event happen to complaint k in the practice desk, at the practice
// clock's now, as the unit's member in its web group.
func (r *practiceRun) act(k flows.Complaint, kind flows.EventKind, unit, target, text string) flows.Complaint {
	r.t.Helper()
	k, err := r.p.DB().Complaint(r.t.Context(), k.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	member := web.Member(web.GroupChat(unit))
	ev := flows.Event{Kind: kind, Actor: flows.Actor{Kind: flows.ByUnit, Unit: unit, Ref: member, Name: "Petugas " + unit}, Target: target, Text: text}
	ch, err := r.p.DB().Apply(r.t.Context(), r.p.inner.Rules(), k.ID, k.Version, ev, r.p.Now())
	if err != nil {
		r.t.Fatalf("%s by %s: %v", kind, unit, err)
	}
	r.settle()
	return ch.Complaint
}

// answered files a complaint and has it routed, distributed, tasked and answered.
func (r *practiceRun) answered() flows.Complaint {
	r.t.Helper()
	k := r.file()
	k = r.act(k, flows.EvRoute, "nasional", "kuburaya", "")
	k = r.act(k, flows.EvDistribute, "kuburaya", "dukcapil", "")
	k = r.act(k, flows.EvTask, "dukcapil", "tim-pendaftaran", "")
	return r.act(k, flows.EvAnswer, "dukcapil", "", "KTP-el Anda sudah dicetak dan dapat diambil di kantor kecamatan.")
}

// count returns a number the query gives on the database at url.
func countAt(t *testing.T, url, query string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var n int
	if err := conn.QueryRow(t.Context(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// eventsOf returns the events of kind in h.
func eventsOf(h pages.Happened, kind string) []pages.PracticeEvent {
	var out []pages.PracticeEvent
	for _, e := range h.Events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func happenedText(h pages.Happened) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %s\n", h.From.Format(time.DateTime), h.To.Format(time.DateTime))
	for _, e := range h.Events {
		fmt.Fprintf(&b, "  %s %s %s %s\n", e.At.Format(time.DateTime), e.Kind, e.Tracking, e.Unit)
	}
	return b.String()
}

// A complaint filed and worked in the practice desk stays in the practice database:
// the real database gets no complaint, no message in its outbox, no tracking number
// and no move of its sequence; the practice clock's moves leave the real clock alone;
// the page is served at /latihan on the real desk's address.
func TestPracticeIsolation(t *testing.T) {
	r := newPracticeRun(t, "2026-12-01 09:00")
	seqBefore := countAt(t, r.realURL, `SELECT last_value FROM complaint_id_seq`)
	k := r.answered()
	realNow := r.clock.Now()
	h, err := r.p.Advance(t.Context(), "60d")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) == 0 {
		t.Fatalf("the practice desk's checks did nothing in 60 days:\n%s", happenedText(h))
	}

	if n := countAt(t, r.realURL, `SELECT count(*) FROM complaint`); n != 0 {
		t.Errorf("the real database holds %d complaints", n)
	}
	if _, err := r.m.DB().ComplaintByTracking(t.Context(), k.Tracking); err == nil {
		t.Errorf("practice complaint %s is in the real database", k.Tracking)
	}
	if n := countAt(t, r.realURL, `SELECT count(*) FROM outbox`); n != 0 {
		t.Errorf("the real outbox holds %d messages", n)
	}
	if n := countAt(t, r.realURL, `SELECT count(*) FROM inbox`); n != 0 {
		t.Errorf("the real inbox holds %d messages", n)
	}
	if n := countAt(t, r.realURL, `SELECT last_value FROM complaint_id_seq`); n != seqBefore {
		t.Errorf("the real complaint sequence moved from %d to %d", seqBefore, n)
	}
	if n := countAt(t, r.realURL, `SELECT count(*) FROM web_line`); n != 0 {
		t.Errorf("the real database holds %d web lines", n)
	}
	if n := countAt(t, r.practiceURL, `SELECT count(*) FROM outbox WHERE channel <> 'web'`); n != 0 {
		t.Errorf("the practice desk queued %d messages for a channel other than the web", n)
	}
	if got := r.clock.Now(); !got.Equal(realNow) {
		t.Errorf("the real clock moved with the practice one: %s, was %s", got, realNow)
	}
	if !r.p.Now().After(r.clock.Now().Add(59 * 24 * time.Hour)) {
		t.Errorf("the practice clock is at %s, the real one at %s: want 60 days apart", r.p.Now(), r.clock.Now())
	}
	if got := r.m.Rules().Units.Units(); len(got) != len(flowstest.Units()) {
		t.Errorf("the real desk has %d units, want its own %d", len(got), len(flowstest.Units()))
	}

	// The page, on the real desk's address.
	resp, err := http.Get("http://" + r.m.Addr().String() + pages.PracticeBase)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Admin Kabupaten Kubu Raya") {
		t.Errorf("GET /latihan: %s, page without the example units:\n%.500s", resp.Status, body)
	}
	if want := "Practice desk: http://" + r.m.Addr().String() + "/latihan"; !strings.Contains(r.log.String(), want) {
		t.Errorf("the log does not say %q:\n%s", want, r.log.String())
	}
}

// The practice clock is the real clock plus an offset that a restart keeps; moving it
// moves only the practice desk's time.
func TestPracticeClockSurvivesRestart(t *testing.T) {
	realURL, practiceURL := newDeskDB(t), practiceDBURL(t)
	clock := flowstest.NewClock(flowstest.At(t, "2026-12-01 09:00"))
	first := startPracticeRun(t, realURL, practiceURL, clock)
	if !first.p.Now().Equal(clock.Now()) {
		t.Fatalf("a new practice desk's clock is at %s, want the real time %s", first.p.Now(), clock.Now())
	}
	h, err := first.p.Advance(t.Context(), "10d")
	if err != nil {
		t.Fatal(err)
	}
	if want := clock.Now().Add(10 * 24 * time.Hour); !h.To.Equal(want) || !first.p.Now().Equal(want) {
		t.Fatalf("after 10d the practice clock is at %s (moved to %s), want %s", first.p.Now(), h.To, want)
	}
	if !clock.Now().Equal(flowstest.At(t, "2026-12-01 09:00")) {
		t.Fatalf("the real clock moved to %s", clock.Now())
	}
	if _, err := first.p.Advance(t.Context(), "day"); err != nil {
		t.Fatal(err)
	}
	// 2026-12-11 09:00 is a Friday: the next working day opens Monday 07:30.
	if want := flowstest.At(t, "2026-12-14 07:30"); !first.p.Now().Equal(want) {
		t.Fatalf("after a day the practice clock is at %s, want the next opening %s", first.p.Now(), want)
	}
	citizen := first.p.Citizen()
	first.m.Close()

	clock.Advance(time.Hour)
	second := startPracticeRun(t, realURL, practiceURL, clock)
	if want := flowstest.At(t, "2026-12-14 08:30"); second.p.Now().Sub(want).Abs() > time.Millisecond {
		t.Fatalf("after a restart an hour later the practice clock is at %s, want %s", second.p.Now(), want)
	}
	if second.p.Citizen() != citizen {
		t.Errorf("after a restart the citizen's chat is %s, was %s", second.p.Citizen(), citizen)
	}
}

// Ten days after the answer, the practice desk warns the citizen two days before and
// closes the complaint at its own time.
func TestPracticeAdvanceCloses(t *testing.T) {
	r := newPracticeRun(t, "2026-12-01 09:00")
	k := r.answered()
	if k.State != flows.Answered || k.DueKind != flows.DueClose {
		t.Fatalf("complaint %s is %s (due %s), want answered and closing", k.Tracking, k.State, k.DueKind)
	}
	start := time.Now()
	h, err := r.p.Advance(t.Context(), "10d")
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	closed := eventsOf(h, "auto_close")
	warned := eventsOf(h, "closing_soon")
	if len(closed) != 1 || closed[0].Tracking != k.Tracking || !closed[0].At.Equal(k.Due) {
		t.Errorf("want one auto-closure of %s at %s:\n%s", k.Tracking, k.Due, happenedText(h))
	}
	if len(warned) != 1 || !warned[0].At.Equal(k.Due.Add(-48*time.Hour)) {
		t.Errorf("want one closure warning two days before %s:\n%s", k.Due, happenedText(h))
	}
	if len(warned) == 1 && len(closed) == 1 && !warned[0].At.Before(closed[0].At) {
		t.Errorf("events not in time order:\n%s", happenedText(h))
	}
	got, err := r.p.DB().Complaint(t.Context(), k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != flows.Closed {
		t.Errorf("after 10 days the complaint is %s, want closed", got.State)
	}
	r.settle()
	lines, _, err := r.p.Channel().Lines(t.Context(), r.p.Citizen(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if text := webText(lines[max(0, len(lines)-3):]); !strings.Contains(text, k.Tracking) {
		t.Errorf("the citizen's pane does not end with the closure of %s:\n%s", k.Tracking, text)
	}
	t.Logf("10 days in %s: %d events", took, len(h.Events))
}

// Sixty days without an answer: reminders, overdue notices, the escalation to the
// national admin and the digests on the way, then the hand-over to the Ombudsman.
func TestPracticeAdvanceHandsOver(t *testing.T) {
	r := newPracticeRun(t, "2026-12-01 09:00")
	k := r.file()
	k = r.act(k, flows.EvRoute, "nasional", "kuburaya", "")
	start := time.Now()
	h, err := r.p.Advance(t.Context(), "60d")
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	hand := eventsOf(h, "handover")
	if len(hand) != 1 || hand[0].Tracking != k.Tracking || hand[0].Unit != "ombudsman-kalbar" {
		t.Fatalf("want one hand-over of %s to ombudsman-kalbar:\n%s", k.Tracking, happenedText(h))
	}
	if want := r.p.inner.Rules().Policy.OmbudsmanAfter.After(r.p.Calendar(), k.ClockFrom); !hand[0].At.Equal(want) {
		t.Errorf("handed over at %s, want %s", hand[0].At, want)
	}
	for _, kind := range []string{"remind", "overdue", "escalate", "digest"} {
		if len(eventsOf(h, kind)) == 0 {
			t.Errorf("no %s in 60 days:\n%s", kind, happenedText(h))
		}
	}
	if esc := eventsOf(h, "escalate"); len(esc) > 0 && esc[0].Unit != "nasional" {
		t.Errorf("escalated to %s, want nasional", esc[0].Unit)
	}
	for i := 1; i < len(h.Events); i++ {
		if h.Events[i].At.Before(h.Events[i-1].At) {
			t.Fatalf("events not in time order:\n%s", happenedText(h))
		}
	}
	got, err := r.p.DB().Complaint(t.Context(), k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != flows.AtOmbudsman {
		t.Errorf("after 60 days the complaint is %s, want with the Ombudsman", got.State)
	}
	t.Logf("60 days in %s: %d events", took, len(h.Events))
}

// An unfinished complaint is reminded after a day and dropped after three.
func TestPracticeAdvanceDrafts(t *testing.T) {
	r := newPracticeRun(t, "2026-12-01 09:00")
	c := r.citizen()
	lines := c.post(web.Input{Command: "start"})
	c.press(lines, "Buat")
	h, err := r.p.Advance(t.Context(), "4d")
	if err != nil {
		t.Fatal(err)
	}
	if len(eventsOf(h, "draft_remind")) != 1 || len(eventsOf(h, "draft_drop")) != 1 {
		t.Errorf("want the draft reminded and dropped:\n%s", happenedText(h))
	}
}

// Reset empties the practice desk: no complaint, the sequences from 1, the example
// units and holidays back, the clock at the real time, a new citizen's chat.
func TestPracticeReset(t *testing.T) {
	r := newPracticeRun(t, "2026-12-01 09:00")
	k := r.file()
	if _, err := r.p.Advance(t.Context(), "10d"); err != nil {
		t.Fatal(err)
	}
	citizen := r.p.Citizen()
	units := countAt(t, r.practiceURL, `SELECT count(*) FROM unit`)
	holidays := countAt(t, r.practiceURL, `SELECT count(*) FROM holiday`)
	if err := r.p.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM complaint`:   0,
		`SELECT count(*) FROM outbox`:      0,
		`SELECT count(*) FROM web_line`:    0,
		`SELECT count(*) FROM audit_event`: 0,
		`SELECT count(*) FROM unit`:        units,
		`SELECT count(*) FROM holiday`:     holidays,
	} {
		if n := countAt(t, r.practiceURL, q); n != want {
			t.Errorf("after reset %s = %d, want %d", q, n, want)
		}
	}
	if units != 7 {
		t.Errorf("the practice desk has %d units, want the example's 7", units)
	}
	if !r.p.Now().Equal(r.clock.Now()) {
		t.Errorf("after reset the practice clock is at %s, want the real %s", r.p.Now(), r.clock.Now())
	}
	if r.p.Citizen() == citizen || !strings.HasPrefix(r.p.Citizen(), web.CitizenPrefix) {
		t.Errorf("after reset the citizen's chat is %q, was %q", r.p.Citizen(), citizen)
	}
	again := r.file()
	if again.ID != 1 || again.Tracking == k.Tracking {
		t.Errorf("after reset the first complaint is #%d %s (before: %s), want #1", again.ID, again.Tracking, k.Tracking)
	}
	if n := countAt(t, r.practiceURL, `SELECT count(*) FROM pseudonym_key`); n != 1 {
		t.Errorf("after reset %d pseudonym keys, want the one kept", n)
	}
}

// --practice: auto runs the practice desk only with no chat channel at all.
func TestPracticeWanted(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		token    string
		whatsapp bool
		channels int
		want     bool
	}{
		{"auto", "", false, 0, true},
		{"auto", "123456:" + strings.Repeat("a", 35), false, 0, false},
		{"auto", "", true, 0, false},
		{"auto", "", false, 1, false},
		{"on", "123456:" + strings.Repeat("a", 35), true, 1, true},
		{"off", "", false, 0, false},
	} {
		cfg := config.Defaults()
		cfg.Practice.Mode, cfg.Telegram.Token, cfg.WhatsApp.Enabled = tc.mode, tc.token, tc.whatsapp
		if got := wantPractice(cfg, tc.channels); got != tc.want {
			t.Errorf("mode %s, token %t, WhatsApp %t, %d channels: practice %t, want %t", tc.mode, tc.token != "", tc.whatsapp, tc.channels, got, tc.want)
		}
	}

	// A desk with a channel of its own runs none in auto, and one with on.
	url := newDeskDB(t)
	for _, mode := range []string{"auto", "on", "off"} {
		cfg := config.Defaults()
		cfg.DatabaseURL, cfg.Listen, cfg.SweepEvery = url, "127.0.0.1:0", time.Hour
		cfg.Practice = config.Practice{Mode: mode, DatabaseURL: practiceDBURL(t)}
		m := &Main{Config: cfg, Clock: flowstest.NewClock(flowstest.At(t, "2026-12-01 09:00")), Log: slog.New(slog.DiscardHandler),
			Channels: []bot.Channel{memory.New(store.Telegram, func(env flows.Envelope) (string, error) { return string(env.Notice.Msg), nil })}}
		if err := m.Run(t.Context()); err != nil {
			m.Close()
			t.Fatal(err)
		}
		running := m.practice != nil
		m.Close()
		if running != (mode == "on") {
			t.Errorf("--practice %s beside a channel: practice desk running %t", mode, running)
		}
	}
}

// The practice database is the real one's name with _latihan on the same server,
// whatever form the URL has.
func TestPracticeDatabaseName(t *testing.T) {
	for _, tc := range []struct{ real, want string }{
		{"postgres://u:p@db:5432/aduan?sslmode=disable", "postgres://u:p@db:5432/aduan_latihan?sslmode=disable"},
		{"postgresql://u@db/aduan", "postgresql://u@db/aduan_latihan"},
		{"postgres://u@db/", "postgres://u@db/u_latihan"},
		{"host=db user=u dbname=aduan", "host=db user=u dbname=aduan dbname='aduan_latihan'"},
	} {
		cfg := config.Defaults()
		cfg.DatabaseURL = tc.real
		got, _, err := practiceDatabase(cfg)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.real, got, err, tc.want)
		}
		if c, err := pgx.ParseConfig(got); err != nil || !strings.HasSuffix(c.Database, "_latihan") {
			t.Errorf("%s: %q does not name the practice database", tc.real, got)
		}
	}
}

// With the database URL of the real desk, the practice database is made beside it; a
// role that may not create databases is told what to do.
func TestPracticeDatabaseCreated(t *testing.T) {
	admin := storetest.AdminURL(t)
	realURL := newDeskDB(t)
	c, err := pgx.ParseConfig(realURL)
	if err != nil {
		t.Fatal(err)
	}
	name := c.Database + practiceSuffix
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	r := startPracticeRun(t, realURL, "", flowstest.NewClock(flowstest.At(t, "2026-12-01 09:00")))
	if n := countAt(t, databaseURL(t, admin, name), `SELECT count(*) FROM unit`); n != 7 {
		t.Errorf("the practice database %s has %d units, want the example's 7", name, n)
	}
	r.m.Close()

	role := "aduan_test_" + strings.ToLower(rand.Text()[:8])
	conn, err := pgx.Connect(t.Context(), admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), fmt.Sprintf(`CREATE ROLE %s LOGIN PASSWORD 'latihan' NOCREATEDB`, role)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(context.Background(), `DROP ROLE IF EXISTS `+role) })
	ac, _ := pgx.ParseConfig(admin)
	lowly := fmt.Sprintf("postgres://%s:latihan@%s:%d/%s?sslmode=disable", role, ac.Host, ac.Port, "aduan_ptest_"+strings.ToLower(rand.Text()[:12])+"_latihan")
	cfg := config.Defaults()
	cfg.Practice.DatabaseURL = lowly
	dbURL, adm, err := practiceDatabase(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = ensureDatabase(t.Context(), dbURL, adm)
	if err == nil || !strings.Contains(err.Error(), "may not create databases") || !strings.Contains(err.Error(), "CREATEDB") ||
		strings.Contains(err.Error(), "latihan@") {
		t.Errorf("a role without CREATEDB: %v", err)
	}
}

// The address printed is where a browser on this machine reaches the listener.
func TestPracticeLocalAddr(t *testing.T) {
	for _, tc := range []struct{ listen, want string }{
		{"0.0.0.0:8080", "127.0.0.1:8080"},
		{"[::]:8080", "127.0.0.1:8080"},
		{"127.0.0.1:9090", "127.0.0.1:9090"},
		{"192.0.2.7:8080", "192.0.2.7:8080"},
	} {
		a, err := net.ResolveTCPAddr("tcp", tc.listen)
		if err != nil {
			t.Fatal(err)
		}
		if got := localAddr(a); got != tc.want {
			t.Errorf("listening on %s: %s, want %s", tc.listen, got, tc.want)
		}
	}
}

// The clock's steps: an hour, the next working day's opening, spans.
func TestPracticeSteps(t *testing.T) {
	cal := flows.NewCalendar(flowstest.Zone(t), flows.DefaultWeekHours(), flows.BuiltinHolidays())
	from := flowstest.At(t, "2026-12-23 15:00") // a Wednesday; the 24th and 25th are days off
	for step, want := range map[string]string{
		"hour": "2026-12-23 16:00",
		"day":  "2026-12-28 07:30",
		"10d":  "2027-01-02 15:00",
		"2wd":  "2026-12-29 15:00",
	} {
		got, err := stepEnd(cal, from, step)
		if err != nil || !got.Equal(flowstest.At(t, want)) {
			t.Errorf("step %s from %s: %s, %v; want %s", step, from, got, err, want)
		}
	}
	for _, bad := range []string{"", "week", "0d", "-1d"} {
		if _, err := stepEnd(cal, from, bad); err == nil {
			t.Errorf("step %q accepted", bad)
		}
	}
}

// A practice desk that cannot start: with auto, serve goes on without it and says why;
// with on, serve stops.
func TestPracticeCannotStart(t *testing.T) {
	url := newDeskDB(t)
	for _, mode := range []string{"auto", "on"} {
		cfg := config.Defaults()
		cfg.DatabaseURL, cfg.Listen, cfg.SweepEvery = url, "127.0.0.1:0", time.Hour
		cfg.Practice = config.Practice{Mode: mode, DatabaseURL: "postgres://latihan@127.0.0.1:1/latihan?connect_timeout=2"}
		var log storetest.LogBuffer
		m := &Main{Config: cfg, Clock: flowstest.NewClock(flowstest.At(t, "2026-12-01 09:00")), Log: slog.New(slog.NewTextHandler(&log, nil))}
		err := m.Run(t.Context())
		m.Close()
		switch {
		case mode == "auto" && (err != nil || !strings.Contains(log.String(), "practice desk not started")):
			t.Errorf("--practice auto, practice database unreachable: Run %v; log:\n%s", err, log.String())
		case mode == "on" && (err == nil || !strings.Contains(err.Error(), "practice desk")):
			t.Errorf("--practice on, practice database unreachable: Run %v", err)
		}
	}
}

// A practice complaint's access code opens the practice desk's own status page, never
// the real one: the citizen's pane links there.
func TestPracticeStatusPage(t *testing.T) {
	r := newPracticeRun(t, "2026-12-01 09:00")
	k := r.file()
	code, err := r.p.DB().AccessCode(t.Context(), k.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	lines, _, err := r.p.Channel().Lines(t.Context(), r.p.Citizen(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if text := webText(lines); !strings.Contains(text, "/latihan/status/"+k.Tracking) {
		t.Errorf("the citizen's pane does not link to the practice status page:\n%s", text)
	}
	base := "http://" + r.m.Addr().String()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, page := get("/latihan/status/" + k.Tracking + "?code=" + code); status != http.StatusOK || !strings.Contains(page, k.Tracking) ||
		!strings.Contains(page, `href="/latihan/status?lang=`) {
		t.Errorf("the practice status page with the code: HTTP %d\n%q", status, page)
	}
	if status, _ := get("/status/" + k.Tracking + "?code=" + code); status != http.StatusNotFound {
		t.Errorf("the real status page knows the practice complaint: HTTP %d", status)
	}
}
