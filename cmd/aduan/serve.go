package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"aduan/bot"
	"aduan/bot/telegram"
	"aduan/bot/web"
	"aduan/bot/whatsapp"
	"aduan/config"
	"aduan/flows"
	"aduan/locales"
	"aduan/store"
)

// Main is the running desk: the database, the scheduled checks, the chat channels
// (Telegram when configured, WhatsApp when enabled, either or both), the inbox and
// outbox workers and the HTTP endpoint. Tests start it with their own clock, and may
// add channels of their own.
//
// Each replica's workers take only the messages of the channels live in it: Telegram
// (and the tests' channels) on every replica; WhatsApp only on the replica holding its
// one connection, by a desk and a sender of its own that run while it holds it.
type Main struct {
	Config   config.Config
	Clock    flows.Clock
	Channels []bot.Channel // channels besides the configured ones (tests)
	Log      *slog.Logger
	// Observe, when set, is called after each inbound message is handled or failed.
	Observe func(raw flows.RawInbound, err error)
	// TelegramLimits replaces Telegram's flood limits (tests); zero means the real ones.
	TelegramLimits telegram.Limits
	// Listener, when set, is where the HTTP endpoint accepts connections instead of
	// Config.Listen (a port chosen before Run, as a webhook URL needs); Close closes it.
	Listener net.Listener
	// WhatsAppTest, when set with WhatsApp enabled, runs WhatsApp over a client of the
	// test's (bot/whatsapp/wafake) instead of a linked device: no session and no
	// supervisor; this replica holds the connection from the start. It may change the
	// channel's settings, and returns what is called with the channel once it is built,
	// to attach the client (Bot.Use) and feed it messages (Bot.HandleMessage).
	WhatsAppTest func(cfg *whatsapp.Config) (connect func(*whatsapp.Bot))
	// NoHTTP runs the desk without an HTTP endpoint of its own: the practice desk runs
	// so inside the real one, whose endpoint serves its pages.
	NoHTTP bool
	// WebChannel, when set, makes the web channel run whatever Config.Web says (the
	// practice desk's units' groups are web chats).
	WebChannel bool

	db       *store.DB
	catalog  *locales.Catalog
	telegram *telegram.Bot
	whatsapp *whatsapp.Bot
	web      *web.Channel
	practice *practice
	// waSession is the WhatsApp account's store, when WhatsApp is enabled.
	waSession *whatsapp.Session
	decoders  []bot.Decoder
	// telegramStarted is set once Telegram's Start succeeded.
	telegramStarted atomic.Bool
	metrics         *metrics
	rules           atomic.Pointer[flows.Rules]
	cron            *cron.Cron
	http            *http.Server
	addr            net.Addr
	cancel          context.CancelFunc
	wg              sync.WaitGroup
}

// Run opens the database, refuses an old schema, loads the rules and starts the
// scheduled checks, the outbox sender and the HTTP endpoint in the background. It
// returns once everything has started; Close stops it.
func (m *Main) Run(ctx context.Context) error {
	db, err := store.Open(ctx, m.Config.DatabaseURL, store.WithLog(m.Log), store.WithFilesDir(m.Config.FilesDir))
	if err != nil {
		return err
	}
	m.db = db
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if err := m.Reload(ctx); err != nil {
		return err
	}
	catalog, err := locales.New()
	if err != nil {
		return err
	}
	m.catalog = catalog.WithOffice(locales.Office{Name: m.Config.Office.Name, Contact: m.Config.Office.Contact, Hours: m.Config.Hours,
		PublicURL: m.Config.Web.PublicURL, RetentionDays: int(m.Config.Retention.After / (24 * time.Hour))}).
		WithCalendar(func() *flows.Calendar { return m.Rules().Calendar })
	ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	m.metrics = newMetrics(db, m.Clock, m.Log)

	outboxWake, wakeOutbox := wakeup()
	inboxWake, wakeInbox := wakeup()
	// WhatsApp's desk and sender wait on wake-ups of their own: one wake-up serves one
	// waiter.
	waOutboxWake, wakeWAOutbox := wakeup()
	waInboxWake, wakeWAInbox := wakeup()
	wakeAllOutbox := func() { wakeOutbox(); wakeWAOutbox() }
	wakeAllInbox := func() { wakeInbox(); wakeWAInbox() }
	channels := slices.Clone(m.Channels)
	for _, c := range m.Channels {
		if d, ok := c.(bot.Decoder); ok {
			m.decoders = append(m.decoders, d)
		}
	}
	if tc := m.Config.Telegram; tc.Token != "" {
		m.telegram, err = telegram.New(telegram.Config{Token: tc.Token, APIURL: tc.APIURL, WebhookURL: tc.WebhookURL,
			WebhookSecret: tc.WebhookSecret, MaxFileBytes: m.Config.Intake.MaxFileBytes, MaxFiles: m.Config.Intake.MaxFiles,
			Limits: m.TelegramLimits, Pace: systemClock{}},
			db, m.catalog, m.Rules, m.Clock, m.Log, wakeAllInbox)
		if err != nil {
			return err
		}
		channels = append(channels, m.telegram)
		m.decoders = append(m.decoders, m.telegram)
		m.goRun(func() { m.runTelegram(ctx) })
	}
	if m.Config.Web.Enabled || m.WebChannel {
		m.web = web.New(db, bot.NewRenderer(m.catalog, m.Rules, db, m.Log), m.catalog, m.Rules, m.Clock, m.Log)
		channels = append(channels, m.web)
		m.decoders = append(m.decoders, m.web)
	}
	if m.Config.WhatsApp.Enabled {
		if err := m.startWhatsApp(ctx, waInboxWake, wakeAllInbox, waOutboxWake); err != nil {
			return err
		}
	}
	if m.telegram == nil && m.whatsapp == nil && !m.NoHTTP {
		m.Log.Warn("no chat channel configured (Telegram, WhatsApp): messages to units' groups wait in the outbox until one is")
	}
	// Inbox and outbox: work on every notification, and every few seconds regardless.
	m.goRun(func() {
		db.Listen(ctx, 5*time.Second, map[string]func(){store.OutboxQueued: wakeAllOutbox, store.InboxReceived: wakeAllInbox})
	})
	for _, c := range channels {
		m.metrics.channel(c.Name())
	}
	if m.whatsapp != nil {
		m.metrics.channel(whatsapp.Name)
	}
	sender := &bot.Sender{Outbox: db, Channels: channels, Clock: m.Clock, Log: m.Log, Observe: m.metrics.delivered}
	m.goRun(func() { sender.Run(ctx, outboxWake, 5*time.Second) })
	desk := m.newDesk()
	m.goRun(func() { desk.Run(ctx, m.decoders, inboxWake, 5*time.Second) })

	// Scheduled checks: all state is in the database, so a missed tick only means the
	// next one has more to do.
	logger := cronLogger{m.Log}
	m.cron = cron.New(cron.WithLocation(m.Config.Zone), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	if _, err := m.cron.AddFunc(fmt.Sprintf("@every %s", m.Config.SweepEvery), func() {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		if _, err := m.Sweep(tctx); err != nil {
			m.Log.Error("sweep failed", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("schedule sweep: %w", err)
	}
	m.cron.Start()
	if m.NoHTTP {
		return nil
	}

	ln := m.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", m.Config.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w", m.Config.Listen, err)
		}
	}
	m.addr = ln.Addr()
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", m.metrics.instrument("healthz", http.HandlerFunc(m.healthz)))
	mux.Handle("GET /readyz", m.metrics.instrument("readyz", http.HandlerFunc(m.readyz)))
	mux.Handle("GET /metrics", m.metrics.instrument("metrics", m.metrics.handler()))
	if m.telegram != nil && m.Config.Telegram.WebhookURL != "" {
		u, _ := url.Parse(m.Config.Telegram.WebhookURL)
		mux.Handle("POST "+cmp.Or(u.Path, "/"), m.metrics.instrument("telegram_webhook", m.telegram.WebhookHandler()))
	}
	m.mountWeb(mux)
	if err := m.startPractice(ctx, mux); err != nil {
		return err
	}
	if root := m.home(); root != "" {
		// Whoever opens the desk's address finds a page: the practice desk when it runs,
		// otherwise the web chat.
		mux.Handle("GET /{$}", http.RedirectHandler(root, http.StatusSeeOther))
	}
	m.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	m.goRun(func() {
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server stopped", "err", err)
		}
	})
	v := currentVersion()
	m.Log.Info("desk started", "listen", m.addr.String(), "channels", len(channels), "whatsapp", m.whatsapp != nil, "sweep_every", m.Config.SweepEvery.String(),
		"version", v.Version, "commit", v.Commit, "built", v.Built, "go", v.Go)
	if m.Config.Office.Contact == "" {
		m.Log.Warn("no office contact set: citizens' help and privacy notice name no way to reach the office; set --office-contact (ADUAN_OFFICE_CONTACT)")
	}
	return nil
}

// newDesk returns a desk handling inbound messages with the rules in force.
func (m *Main) newDesk() *bot.Desk {
	return &bot.Desk{Store: m.db, Rules: m.Rules, Intake: &m.Config.Intake, Prefix: m.Config.Prefix, Clock: m.Clock, Log: m.Log, Observe: m.observe}
}

// observe counts an inbound message handled or failed and tells Observe, if set.
func (m *Main) observe(raw flows.RawInbound, err error) {
	if m.metrics != nil {
		m.metrics.handled(raw, err)
	}
	if m.Observe != nil {
		m.Observe(raw, err)
	}
}

// Reload reads the routing tree and the calendar from the database again.
func (m *Main) Reload(ctx context.Context) error {
	rules, err := m.db.Rules(ctx, m.Config.Policy, m.Config.Zone, m.Config.Hours)
	if err != nil {
		return err
	}
	m.rules.Store(rules)
	return nil
}

// Sweep reloads the rules (operators may have changed units or holidays) and runs the
// scheduled checks once, as of the clock's now.
func (m *Main) Sweep(ctx context.Context) (store.SweepReport, error) {
	if err := m.Reload(ctx); err != nil {
		m.Log.Error("reload rules failed, sweeping with the previous ones", "err", err)
	}
	if m.metrics != nil {
		start := time.Now()
		defer func() { m.metrics.sweep.Observe(time.Since(start).Seconds()) }()
	}
	now := m.Clock.Now()
	rep, err := m.db.Sweep(ctx, m.rules.Load(), now, store.SweepOptions{})
	if err != nil {
		return rep, err
	}
	if n, err := m.db.SweepSessions(ctx, &m.Config.Intake, now); err != nil {
		m.Log.Error("session sweep failed", "err", err)
	} else if n > 0 {
		m.Log.Info("unfinished complaints reminded or dropped", "sessions", n)
	}
	m.retain(ctx, now)
	if len(rep.Changes) > 0 || len(rep.Digests) > 0 {
		m.Log.Info("sweep done", "steps", len(rep.Changes), "digests", len(rep.Digests),
			"remind", rep.Count(flows.EvRemind), "overdue", rep.Count(flows.EvOverdue),
			"closed", rep.Count(flows.EvAutoClose), "handed_over", rep.Count(flows.EvHandover))
	}
	return rep, nil
}

// home is the page the desk's address leads to: the practice desk when it runs, the
// web chat when it does, or none.
func (m *Main) home() string {
	switch {
	case m.practice != nil:
		return "/latihan"
	case m.web != nil && m.Config.Web.Enabled:
		return "/lapor"
	}
	return ""
}

// Web returns the web channel, when it runs.
func (m *Main) Web() *web.Channel { return m.web }

// DB returns the desk's database.
func (m *Main) DB() *store.DB { return m.db }

// Rules returns the rules in force.
func (m *Main) Rules() *flows.Rules { return m.rules.Load() }

// Addr returns the HTTP endpoint's address once Run has returned.
func (m *Main) Addr() net.Addr { return m.addr }

// Close stops everything and waits for it: running sweeps and deliveries finish first.
func (m *Main) Close() error {
	if m.cron != nil {
		<-m.cron.Stop().Done()
	}
	var err error
	if m.http != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = m.http.Shutdown(sctx)
		cancel()
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.practice != nil {
		m.practice.close()
	}
	if m.waSession != nil {
		m.waSession.Close()
	}
	if m.db != nil {
		m.db.Close()
	}
	return err
}

// runTelegram prepares Telegram (retrying while it cannot be reached) and, without a
// webhook, long-polls it on whichever replica holds the polling lock.
func (m *Main) runTelegram(ctx context.Context) {
	for {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := m.telegram.Start(sctx)
		cancel()
		if err == nil {
			m.telegramStarted.Store(true)
			break
		}
		m.Log.Warn("telegram not ready, retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Second):
		}
	}
	if m.Config.Telegram.WebhookURL == "" {
		m.db.Lead(ctx, store.LeadTelegramPolling, 5*time.Second, m.telegram.Poll)
	}
}

// wakeup returns a channel that holds at most one wake-up, and the function that sends it.
func wakeup() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	return c, func() {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

func (m *Main) goRun(f func()) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		f()
	}()
}

func (m *Main) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(versionHeader, currentVersion().short())
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := m.db.Pool().Ping(ctx); err != nil {
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

// cronLogger sends robfig/cron's logs to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "serve", "", "Run the desk until interrupted: the scheduled checks every --sweep-every, the\nmessage delivery, and on --listen GET /healthz (process up), GET /readyz (JSON:\ndatabase, schemas, channels, outbox; 503 when not ready), GET /metrics\n(Prometheus), the citizens' web chat /lapor and status page /status (with\nOpen311's /open311/v2/requests/ID.json) unless --web off, and the practice desk\n/latihan (--practice: auto runs it when no chat channel is configured, on its own\ndatabase and clock). Refuses to start on an old schema.")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	if err := e.cfg.RequireDatabase(); err != nil {
		return err
	}
	m := &Main{Config: e.cfg, Clock: e.clock, Log: e.log}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	e.log.Info("desk stopping")
	return m.Close()
}
