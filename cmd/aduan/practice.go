package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	botweb "aduan/bot/web"
	"aduan/config"
	"aduan/flows"
	"aduan/store"
	pages "aduan/web"
)

// The practice desk (/latihan) is a second desk inside serve, for newcomers and
// training days: the example units, each working in a web group chat, on a database
// of its own, with a clock of its own that the page moves forward. Nothing of it
// reaches the real desk: not its database (so no real complaint, group, report or
// tracking-number sequence), not its clock, not Telegram or WhatsApp (its only channel
// is the web).
//
// Its clock is the real clock plus an offset kept in the practice database, so that
// the practice time goes on across restarts where it was left. The offset lives in a
// table the practice desk makes itself (practice_desk, one row, with the citizen pane's
// chat): it is no part of the desk's schema, whose migrations every real database runs,
// but of the practice database only.

const (
	sqlPracticeTable = `CREATE TABLE IF NOT EXISTS practice_desk (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    clock_offset_us bigint NOT NULL DEFAULT 0,
    citizen text NOT NULL
)`
	sqlPracticeInit   = `INSERT INTO practice_desk (citizen) VALUES ($1) ON CONFLICT (id) DO NOTHING`
	sqlPracticeState  = `SELECT clock_offset_us, citizen FROM practice_desk`
	sqlPracticeOffset = `UPDATE practice_desk SET clock_offset_us = $1`
	// sqlPracticeTables lists the tables Reset empties: all but goose's version table
	// and the deployment's keys, which migrations make once (pseudonym_key,
	// access_code_key, …).
	sqlPracticeTables = `SELECT coalesce(string_agg(format('%I.%I', schemaname, tablename), ', '), '') FROM pg_tables
WHERE schemaname = current_schema() AND tablename <> 'goose_db_version' AND tablename NOT LIKE '%\_key'`
	// sqlPracticeNext is the first instant after $1 and up to $2 at which something is
	// due: a complaint's next check or an unfinished complaint's; and whether any
	// complaint is open (then each working day's digest is due too).
	sqlPracticeNext = `SELECT least(
    (SELECT min(next_check_at) FROM complaint WHERE next_check_at > $1 AND next_check_at <= $2),
    (SELECT min(next_check_at) FROM session WHERE next_check_at > $1 AND next_check_at <= $2)),
  EXISTS (SELECT 1 FROM complaint WHERE state IN ('submitted', 'routed', 'distributed', 'in_progress'))`
	sqlPracticeDueSessions = `SELECT channel, chat FROM session WHERE next_check_at <= $1`
)

// practiceSuffix is appended to the real database's name for the practice database.
const practiceSuffix = "_latihan"

// practice is the practice desk running beside this one. It implements
// web.PracticeDesk.
type practice struct {
	inner *Main
	clock *practiceClock

	// mu serialises the clock's moves and resets.
	mu      sync.Mutex
	citizen string
}

var _ pages.PracticeDesk = (*practice)(nil)

// wantPractice reports whether the practice desk runs beside m: with --practice on
// always, off never, and auto only when the desk has no chat channel (no Telegram
// token, WhatsApp off, and no channel of a test's).
func wantPractice(cfg config.Config, channels int) bool {
	switch cfg.Practice.Mode {
	case "on":
		return true
	case "off":
		return false
	}
	return cfg.Telegram.Token == "" && !cfg.WhatsApp.Enabled && channels == 0
}

// startPractice starts the practice desk when Config.Practice asks for it, and adds its
// pages (/latihan) to mux. With --practice on a practice desk that cannot start stops
// serve; with auto it is logged and serve goes on without it.
func (m *Main) startPractice(ctx context.Context, mux *http.ServeMux) error {
	if !wantPractice(m.Config, len(m.Channels)) {
		return nil
	}
	p, err := openPractice(ctx, m)
	if err != nil {
		if m.Config.Practice.Mode == "on" {
			return err
		}
		m.Log.Error("practice desk not started", "err", err)
		return nil
	}
	m.practice = p
	h := m.metrics.instrument("latihan", pages.NewPractice(p, pages.PracticeOptions{Store: p.inner.DB(),
		Catalog: p.inner.catalog, Intake: p.inner.Config.Intake, Log: p.inner.Log}))
	mux.Handle(pages.PracticeBase, h)
	mux.Handle(pages.PracticeBase+"/", h)
	// The practice desk's own status page: its complaints' numbers and codes are the
	// practice database's, which the real /status does not know.
	status := m.metrics.instrument("latihan_status", http.StripPrefix(pages.PracticeBase, pages.Status(pages.StatusOptions{
		Store: p.inner.DB(), Catalog: p.inner.catalog, Rules: p.inner.Rules, Base: pages.PracticeBase,
		Limiter: pages.NewLimiter(m.Config.Web.Codes.Burst, m.Config.Web.Codes.Every, p.clock), Log: p.inner.Log})))
	mux.Handle(pages.PracticeBase+"/status", status)
	mux.Handle(pages.PracticeBase+"/status/", status)
	link := "http://" + localAddr(m.addr) + pages.PracticeBase
	fmt.Fprintf(os.Stderr, "\n    Practice desk: %s\n\n", link)
	m.Log.Info("Practice desk: "+link, "url", link)
	return nil
}

// localAddr is where a browser on this machine reaches a listener at a: a listener on
// every interface is reached at 127.0.0.1.
func localAddr(a net.Addr) string {
	if a == nil {
		return "127.0.0.1"
	}
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// openPractice prepares the practice database (created when missing, migrated, the
// built-in holidays and the example units in it) and starts the practice desk on it.
func openPractice(ctx context.Context, m *Main) (*practice, error) {
	dbURL, admin, err := practiceDatabase(m.Config)
	if err != nil {
		return nil, err
	}
	if err := ensureDatabase(ctx, dbURL, admin); err != nil {
		return nil, err
	}
	log := m.Log.With("desk", "practice")
	db, err := store.Open(ctx, dbURL, store.WithLog(log))
	if err != nil {
		return nil, fmt.Errorf("practice desk: %w", err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("practice desk: migrate its database: %w", err)
	}
	if _, err := db.Pool().Exec(ctx, sqlPracticeTable); err != nil {
		return nil, fmt.Errorf("practice desk: its clock's table: %w", err)
	}
	var offsetUS int64
	var citizen string
	clock := &practiceClock{real: m.Clock}
	if err := seedPractice(ctx, db, clock.real.Now()); err != nil {
		return nil, err
	}
	if err := db.Pool().QueryRow(ctx, sqlPracticeState).Scan(&offsetUS, &citizen); err != nil {
		return nil, fmt.Errorf("practice desk: read its clock: %w", err)
	}
	clock.offset = time.Duration(offsetUS) * time.Microsecond

	cfg := m.Config
	cfg.DatabaseURL = dbURL
	cfg.Telegram = config.Telegram{}
	cfg.WhatsApp.Enabled = false
	// No web pages of its own (it has no HTTP server), but its links to the status page
	// lead to the practice desk's (startPractice mounts it).
	cfg.Web = config.Web{PublicURL: pages.PracticeBase}
	cfg.Practice = config.Practice{Mode: "off"}
	inner := &Main{Config: cfg, Clock: clock, NoHTTP: true, WebChannel: true, Log: log}
	if err := inner.Run(ctx); err != nil {
		inner.Close()
		return nil, fmt.Errorf("practice desk: %w", err)
	}
	return &practice{inner: inner, clock: clock, citizen: citizen}, nil
}

// seedPractice puts the built-in holidays, the example units and the clock's row in
// the practice database where they are missing.
func seedPractice(ctx context.Context, db *store.DB, now time.Time) error {
	if _, err := db.SeedHolidays(ctx, flows.BuiltinHolidays(), now); err != nil {
		return fmt.Errorf("practice desk: holidays: %w", err)
	}
	dir, err := practiceUnits()
	if err != nil {
		return err
	}
	if _, err := db.ApplyUnits(ctx, dir, now); err != nil {
		return fmt.Errorf("practice desk: the example units: %w", err)
	}
	if _, err := db.Pool().Exec(ctx, sqlPracticeInit, botweb.CitizenChat()); err != nil {
		return fmt.Errorf("practice desk: its clock's row: %w", err)
	}
	return nil
}

// practiceUnits returns the example units (config/units.example.yaml), each working in
// its web group instead of the file's placeholder chats.
func practiceUnits() (*flows.Directory, error) {
	f, err := config.ParseUnitsFile("units.example.yaml", config.ExampleUnits, nil)
	if err != nil {
		return nil, fmt.Errorf("practice desk: the example units: %w", err)
	}
	units := f.Dir.Units()
	for i := range units {
		units[i].Chats = []flows.ChatRef{{Channel: botweb.Name, Chat: botweb.GroupChat(units[i].Code)}}
	}
	dir, err := flows.NewDirectory(units)
	if err != nil {
		return nil, fmt.Errorf("practice desk: the example units: %w", err)
	}
	return dir, nil
}

// practiceDatabase returns the practice database's URL and how to reach its server to
// create it: --practice-database-url and its server's "postgres" database; or, when
// unset, the real database's name with "_latihan" appended on the same server, created
// from the real database's connection.
func practiceDatabase(cfg config.Config) (string, *pgx.ConnConfig, error) {
	if u := cfg.Practice.DatabaseURL; u != "" {
		admin, err := pgx.ParseConfig(u)
		if err != nil {
			return "", nil, fmt.Errorf("practice desk: --practice-database-url (ADUAN_PRACTICE_DATABASE_URL) is not a PostgreSQL URL")
		}
		admin.Database = "postgres"
		return u, admin, nil
	}
	base, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return "", nil, fmt.Errorf("practice desk: the database URL is not a PostgreSQL URL")
	}
	name := cmp.Or(base.Database, base.User) + practiceSuffix
	if u, err := url.Parse(cfg.DatabaseURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path, u.RawPath = "/"+name, ""
		q := u.Query()
		if q.Has("dbname") {
			q.Set("dbname", name)
			u.RawQuery = q.Encode()
		}
		return u.String(), base, nil
	}
	// A keyword/value string: a later dbname wins.
	return cfg.DatabaseURL + " dbname='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name) + "'", base, nil
}

// ensureDatabase creates the database of dbURL when it does not exist, connected as
// admin says. Its errors name the database and the role, never the URL.
func ensureDatabase(ctx context.Context, dbURL string, admin *pgx.ConnConfig) error {
	target, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("practice desk: the practice database URL is not a PostgreSQL URL")
	}
	conn, err := pgx.ConnectConfig(ctx, target)
	if err == nil {
		return conn.Close(ctx)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "3D000" { // invalid_catalog_name: no such database
		return fmt.Errorf("practice desk: connect to its database %q: %w", target.Database, err)
	}
	ac, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("practice desk: its database %q does not exist, and connecting to create it failed: %w", target.Database, err)
	}
	defer ac.Close(ctx)
	_, err = ac.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{target.Database}.Sanitize())
	switch {
	case errors.As(err, &pe) && pe.Code == "42P04": // duplicate_database: another replica made it
		return nil
	case errors.As(err, &pe) && pe.Code == "42501": // insufficient_privilege
		return fmt.Errorf("practice desk: its database %q does not exist and the role %q may not create databases: "+
			"create it once as an administrator (createdb -O %s %s), or let the role create databases (ALTER ROLE %s CREATEDB), "+
			"or set --practice-database-url (ADUAN_PRACTICE_DATABASE_URL) to a database the role owns, or turn the practice desk off (--practice off)",
			target.Database, admin.User, admin.User, target.Database, admin.User)
	case err != nil:
		return fmt.Errorf("practice desk: create its database %q: %w", target.Database, err)
	}
	return nil
}

func (p *practice) close() {
	if p.inner != nil {
		p.inner.Close()
	}
}

// Channel returns the practice desk's web channel.
func (p *practice) Channel() *botweb.Channel { return p.inner.Web() }

// Citizen returns the citizen pane's chat.
func (p *practice) Citizen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.citizen
}

// kindOrder is the order of the panes: the way a complaint goes.
var kindOrder = []flows.UnitKind{flows.National, flows.Regency, flows.Agency, flows.Team, flows.Ombudsman}

// Units returns the practice desk's units in routing order: national, regency, agency,
// its teams, the Ombudsman liaison.
func (p *practice) Units() []flows.Unit {
	us := p.inner.Rules().Units.Units()
	slices.SortStableFunc(us, func(a, b flows.Unit) int {
		return cmp.Compare(slices.Index(kindOrder, a.Kind), slices.Index(kindOrder, b.Kind))
	})
	return us
}

// Now returns the practice clock's time.
func (p *practice) Now() time.Time { return p.clock.Now() }

// Calendar returns the practice desk's working-day calendar.
func (p *practice) Calendar() *flows.Calendar { return p.inner.Rules().Calendar }

// DB returns the practice database.
func (p *practice) DB() *store.DB { return p.inner.DB() }

// stepEnd returns where a move of the clock by step from from ends: "hour" one hour
// on, "day" the opening of the next working day, or a span such as "10d", "60d", "2wd"
// or "3h" (flows.ParseSpan).
func stepEnd(cal *flows.Calendar, from time.Time, step string) (time.Time, error) {
	switch step {
	case "hour":
		return from.Add(time.Hour), nil
	case "day":
		loc := cal.Location()
		return cal.NextOpening(flows.DateOf(from, loc).AddDays(1).In(loc)), nil
	}
	s, err := flows.ParseSpan(step)
	if err != nil || s.N <= 0 {
		return time.Time{}, fmt.Errorf("practice desk: the clock moves by hour, day or a span such as 10d, not %q", step)
	}
	return s.After(cal, from), nil
}

// Advance moves the practice clock by step and runs the scheduled checks at every
// instant on the way where one has something to do: each complaint's next check
// (reminders, overdue notices and escalations, the closure warning and auto-closure,
// the hand-over to the Ombudsman), each unfinished complaint's (its reminder, its
// removal), and, while complaints are open, each working day's digest time. While it
// runs the clock stands at the instant being checked; afterwards it runs on from the
// end, and the new offset is stored. It returns what the checks did, in time order.
func (p *practice) Advance(ctx context.Context, step string) (pages.Happened, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cal := p.Calendar()
	from := p.clock.Now()
	to, err := stepEnd(cal, from, step)
	if err != nil {
		return pages.Happened{}, err
	}
	h := pages.Happened{From: from, To: to}
	at := from
	defer func() {
		p.clock.resume(at)
		if _, err := p.DB().Pool().Exec(context.WithoutCancel(ctx), sqlPracticeOffset, p.clock.offsetMicros()); err != nil {
			p.inner.Log.Error("practice clock not stored", "err", err)
		}
	}()
	for {
		p.clock.freeze(at)
		evs, err := p.sweepAt(ctx, at)
		h.Events = append(h.Events, evs...)
		if err != nil {
			h.To = at
			return h, err
		}
		if !at.Before(to) {
			return h, nil
		}
		next, err := p.nextDue(ctx, cal, at, to)
		if err != nil {
			h.To = at
			return h, err
		}
		at = next
	}
}

// nextDue returns the first instant after at, and at most to, at which a scheduled
// check has something to do; to when none has.
func (p *practice) nextDue(ctx context.Context, cal *flows.Calendar, at, to time.Time) (time.Time, error) {
	var next *time.Time
	var open bool
	if err := p.DB().Pool().QueryRow(ctx, sqlPracticeNext, at, to).Scan(&next, &open); err != nil {
		return time.Time{}, fmt.Errorf("practice desk: next check: %w", err)
	}
	end := to
	if next != nil && next.Before(end) {
		end = *next
	}
	if open {
		if d := nextDigest(cal, p.inner.Config.Policy.DigestAt, at); d.Before(end) {
			end = d
		}
	}
	return end, nil
}

// nextDigest returns the first digest time after at: a working day's digestAt.
func nextDigest(cal *flows.Calendar, digestAt time.Duration, at time.Time) time.Time {
	loc := cal.Location()
	day := flows.DateOf(at, loc)
	for i := 0; i < 400; i++ {
		d := day.AddDays(i)
		if t := d.In(loc).Add(digestAt); cal.IsWorkingDay(d) && t.After(at) {
			return t
		}
	}
	return time.Time{}
}

// sweepAt runs the scheduled checks once as of at (the clock frozen there) and returns
// what they did. A sweep skipped because another one was running (the practice
// desk's own schedule) is run again.
func (p *practice) sweepAt(ctx context.Context, at time.Time) ([]pages.PracticeEvent, error) {
	drafts, err := p.dueDrafts(ctx, at)
	if err != nil {
		return nil, err
	}
	var rep store.SweepReport
	for try := 0; ; try++ {
		rep, err = p.inner.Sweep(ctx)
		if err != nil {
			return drafts, err
		}
		if !rep.Skipped || try == 50 {
			break
		}
		select {
		case <-ctx.Done():
			return drafts, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return append(sweepEvents(rep, at), drafts...), nil
}

// dueDrafts returns what the sweep at at does to unfinished complaints: a reminder, or
// their removal.
func (p *practice) dueDrafts(ctx context.Context, at time.Time) ([]pages.PracticeEvent, error) {
	rows, err := p.DB().Pool().Query(ctx, sqlPracticeDueSessions, at)
	if err != nil {
		return nil, fmt.Errorf("practice desk: due drafts: %w", err)
	}
	type key struct{ channel, chat string }
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (key, error) {
		var k key
		return k, r.Scan(&k.channel, &k.chat)
	})
	if err != nil {
		return nil, fmt.Errorf("practice desk: due drafts: %w", err)
	}
	var evs []pages.PracticeEvent
	for _, k := range keys {
		s, err := p.DB().Session(ctx, k.channel, k.chat)
		if err != nil {
			return nil, err
		}
		o, ok := p.inner.Config.Intake.Tick(s, at)
		if !ok || len(o.Replies) == 0 {
			continue
		}
		kind := "draft_remind"
		if o.Replies[0].Msg == flows.MsgDraftExpired {
			kind = "draft_drop"
		}
		evs = append(evs, pages.PracticeEvent{At: at, Kind: kind})
	}
	return evs, nil
}

// sweepEvents turns a sweep's report into the page's events: a reminder and an overdue
// notice per unit told, an escalation per parent told, the closure warning, the
// auto-closure, the hand-over and each unit's digest.
func sweepEvents(rep store.SweepReport, at time.Time) []pages.PracticeEvent {
	var evs []pages.PracticeEvent
	for _, ch := range rep.Changes {
		ev := pages.PracticeEvent{At: cmp.Or(ch.Audit.At, at), Tracking: ch.Complaint.Tracking}
		switch ch.Audit.Kind {
		case flows.EvRemind, flows.EvOverdue:
			told := false
			for _, n := range ch.Notices {
				if n.To.Unit == "" {
					continue
				}
				e := ev
				e.Kind, e.Unit = string(ch.Audit.Kind), n.To.Unit
				if n.Msg == flows.MsgEscalation {
					e.Kind = "escalate"
				}
				evs, told = append(evs, e), true
			}
			if !told {
				ev.Kind = string(ch.Audit.Kind)
				evs = append(evs, ev)
			}
			continue
		case flows.EvWarn:
			ev.Kind = "closing_soon"
		case flows.EvAutoClose:
			ev.Kind = "auto_close"
		case flows.EvHandover:
			ev.Kind = "handover"
			for _, n := range ch.Notices {
				if n.Msg == flows.MsgHandover {
					ev.Unit = n.To.Unit // the Ombudsman liaison
				}
			}
		default:
			ev.Kind = string(ch.Audit.Kind)
		}
		if ev.Unit == "" {
			for _, n := range ch.Notices {
				if n.To.Unit != "" {
					ev.Unit = n.To.Unit
					break
				}
			}
		}
		evs = append(evs, ev)
	}
	for _, n := range rep.Digests {
		evs = append(evs, pages.PracticeEvent{At: at, Kind: "digest", Unit: n.Unit})
	}
	return evs
}

// Reset empties the practice database (every table but goose's and the deployment's
// keys, their sequences restarted), puts the holidays and the example units back,
// sets the practice clock to the real time and gives the citizen pane a new chat.
func (p *practice) Reset(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	db := p.DB()
	var tables string
	if err := db.Pool().QueryRow(ctx, sqlPracticeTables).Scan(&tables); err != nil {
		return fmt.Errorf("practice desk: reset: %w", err)
	}
	if tables != "" {
		if _, err := db.Pool().Exec(ctx, "TRUNCATE "+tables+" RESTART IDENTITY CASCADE"); err != nil {
			return fmt.Errorf("practice desk: reset: %w", err)
		}
	}
	p.clock.set(0)
	if err := seedPractice(ctx, db, p.clock.Now()); err != nil {
		return err
	}
	var offset int64
	if err := db.Pool().QueryRow(ctx, sqlPracticeState).Scan(&offset, &p.citizen); err != nil {
		return fmt.Errorf("practice desk: reset: %w", err)
	}
	if err := p.inner.Reload(ctx); err != nil {
		return fmt.Errorf("practice desk: reset: %w", err)
	}
	p.inner.Log.Info("practice desk reset")
	return nil
}

// practiceClock is the practice desk's clock: the real clock plus an offset, or, while
// the clock is being moved, the instant being checked.
type practiceClock struct {
	real flows.Clock

	mu     sync.Mutex
	offset time.Duration
	frozen time.Time
}

// Now returns the practice time.
func (c *practiceClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return c.real.Now().Add(c.offset)
}

// freeze stops the clock at t.
func (c *practiceClock) freeze(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = t
}

// resume lets the clock run on from t.
func (c *practiceClock) resume(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = time.Time{}
	c.offset = t.Sub(c.real.Now())
}

// set makes the clock run at the real time plus offset.
func (c *practiceClock) set(offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.offset = time.Time{}, offset
}

func (c *practiceClock) offsetMicros() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset.Microseconds()
}
