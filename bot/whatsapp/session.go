package whatsapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"go.mau.fi/whatsmeow"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/store/sqlstore/upgrades"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"

	"aduan/flows"
)

// ErrOldSchema is returned by Session.CheckSchema when whatsmeow's tables are missing
// or older than this program's whatsmeow.
var ErrOldSchema = errors.New("whatsapp: the WhatsApp tables are missing or older than this program; run `aduan migrate`")

// ErrNotLinked is returned when the desk has no linked WhatsApp account.
var ErrNotLinked = errors.New("whatsapp: no WhatsApp account is linked; run `aduan whatsapp link`")

// ErrMediaExpired is Decode's error (with bot.ErrMalformed) for an attachment
// WhatsApp no longer serves: the sender is asked to send it again, and the desk notes
// flows.AlertMediaExpired.
var ErrMediaExpired = errors.New("whatsapp: media expired")

// ErrLinked is returned by Link when an account is linked already.
var ErrLinked = errors.New("whatsapp: an account is linked already; run `aduan whatsapp unlink` first")

// Session is the desk's WhatsApp account: whatsmeow's device store (its whatsmeow_*
// tables, which hold the account's keys) in the desk's database, over the desk's
// connection pool. It is safe for concurrent use.
type Session struct {
	sqldb     *sql.DB
	container *sqlstore.Container
	log       *slog.Logger
	waLog     waLog.Logger
}

// OpenSession returns the session kept in the database of pool; it does not connect
// to WhatsApp, nor create or upgrade tables (Upgrade does). Close releases it, not the
// pool.
func OpenSession(pool *pgxpool.Pool, log *slog.Logger) *Session {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sqldb := stdlib.OpenDBFromPool(pool)
	wl := logger{log: log, module: "store"}
	return &Session{sqldb: sqldb, container: sqlstore.NewWithDB(sqldb, "postgres", wl), log: log, waLog: logger{log: log}}
}

// Close releases the session's handle on the pool.
func (s *Session) Close() error { return s.sqldb.Close() }

// Upgrade creates or upgrades whatsmeow's tables to this program's version. It takes no
// lock: run it under one (`aduan migrate` does, store.LockWhatsAppSchema), since two
// upgrades at once fail.
func (s *Session) Upgrade(ctx context.Context) error {
	if err := s.container.Upgrade(ctx); err != nil {
		return fmt.Errorf("whatsapp: upgrade the WhatsApp tables: %w", err)
	}
	return nil
}

// SchemaVersion is the version of whatsmeow's tables this program needs.
func SchemaVersion() int { return len(upgrades.Table) }

const (
	sqlStoreExists  = `SELECT to_regclass('whatsmeow_version') IS NOT NULL`
	sqlStoreVersion = `SELECT coalesce((SELECT version FROM whatsmeow_version LIMIT 1), 0)`
)

// CheckSchema returns ErrOldSchema (wrapped with the versions) when whatsmeow's tables
// are missing or older than SchemaVersion; it only reads.
func (s *Session) CheckSchema(ctx context.Context) error {
	var exists bool
	if err := s.sqldb.QueryRowContext(ctx, sqlStoreExists).Scan(&exists); err != nil {
		return fmt.Errorf("whatsapp: check the WhatsApp tables: %w", err)
	}
	if !exists {
		return fmt.Errorf("%w (they were never created)", ErrOldSchema)
	}
	var v int
	err := s.sqldb.QueryRowContext(ctx, sqlStoreVersion).Scan(&v)
	switch {
	case err != nil:
		return fmt.Errorf("whatsapp: check the WhatsApp tables: %w", err)
	case v < SchemaVersion():
		return fmt.Errorf("%w (at version %d, program needs %d)", ErrOldSchema, v, SchemaVersion())
	}
	return nil
}

// Account is the WhatsApp account the desk is linked to.
type Account struct {
	// Linked reports whether an account is linked; the other fields are empty if not.
	Linked bool
	// Number is the account's phone number, digits in international form (628…).
	Number string
	// Name is the account's own display name (its push name), once WhatsApp told it.
	Name string
	// Business is the account's business name, for a WhatsApp Business account.
	Business string
}

// Masked returns the number with all but its first four and last three digits hidden,
// as logs and status show it ("6281*****890").
func (a Account) Masked() string { return MaskNumber(a.Number) }

// MaskNumber hides all but the first four and last three digits of a phone number.
func MaskNumber(n string) string {
	if len(n) <= 7 {
		return strings.Repeat("*", len(n))
	}
	return n[:4] + strings.Repeat("*", len(n)-7) + n[len(n)-3:]
}

// Account returns the linked account (Linked false when none is).
func (s *Session) Account(ctx context.Context) (Account, error) {
	dev, err := s.device(ctx)
	if err != nil {
		return Account{}, err
	}
	if dev.ID == nil {
		return Account{}, nil
	}
	return Account{Linked: true, Number: dev.ID.User, Name: dev.PushName, Business: dev.BusinessName}, nil
}

// device returns the desk's device: the first one stored, or a new unsaved one (ID nil)
// when none is.
func (s *Session) device(ctx context.Context) (*wastore.Device, error) {
	dev, err := s.container.GetFirstDevice(ctx)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: load the device: %w", err)
	}
	return dev, nil
}

// newClient returns a whatsmeow client for dev that logs through the session's logger.
func (s *Session) newClient(dev *wastore.Device) *whatsmeow.Client {
	return whatsmeow.NewClient(dev, s.waLog)
}

// Unlink tells WhatsApp to unlink the desk's device, and forgets its keys. Run it while
// this process holds the connection's lock (no serve holds it). When WhatsApp cannot
// be told (no network, the device already removed on the phone), the keys are
// forgotten all the same and the error says WhatsApp was not told: the device may then
// still be listed on the phone, under Linked devices, until removed there.
func (s *Session) Unlink(ctx context.Context) (Account, error) {
	dev, err := s.device(ctx)
	if err != nil {
		return Account{}, err
	}
	if dev.ID == nil {
		return Account{}, ErrNotLinked
	}
	acct := Account{Linked: true, Number: dev.ID.User, Name: dev.PushName, Business: dev.BusinessName}
	cli := s.newClient(dev)
	cli.EnableAutoReconnect = false
	done := watchLogin(cli)
	told := cli.ConnectContext(ctx)
	if told == nil {
		told = waitLoggedIn(ctx, cli, done)
	}
	if told == nil {
		told = cli.Logout(ctx) // deletes the device's rows when WhatsApp confirmed
	}
	cli.Disconnect()
	if told == nil {
		return acct, nil
	}
	if dev.ID != nil {
		if err := dev.Delete(context.WithoutCancel(ctx)); err != nil {
			return acct, fmt.Errorf("whatsapp: forget the device: %w", err)
		}
	}
	return acct, &NotToldError{Err: told}
}

// NotToldError is Unlink's error when the device's keys were forgotten but WhatsApp
// could not be told.
type NotToldError struct{ Err error }

func (e *NotToldError) Error() string {
	return fmt.Sprintf("whatsapp: the device's keys are forgotten, but WhatsApp could not be told (%v): remove the desk under Linked devices on the phone", e.Err)
}

func (e *NotToldError) Unwrap() error { return e.Err }

// SetDeviceName sets the name the phone lists the desk under, in Linked devices; it
// applies to the devices linked afterwards.
func SetDeviceName(name string) {
	if name == "" {
		name = "Aduan"
	}
	wastore.SetOSInfo(name, [3]uint32{1, 0, 0})
}

// Build names the client library this program runs: whatsmeow's module version and
// the WhatsApp Web version it announces. WhatsApp refuses outdated ones (connect
// failure 405, flows.AlertOutdated).
func Build() string {
	v := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "go.mau.fi/whatsmeow" {
				v = d.Version
				if d.Replace != nil {
					v = d.Replace.Version
				}
			}
		}
	}
	return fmt.Sprintf("whatsmeow %s (WhatsApp Web %s)", v, wastore.GetWAVersion())
}

// logger passes whatsmeow's warnings and errors to slog and its info at debug level
// (its debug output is dropped). Long digit runs are hidden: whatsmeow's messages
// name JIDs, which hold phone numbers.
type logger struct {
	log    *slog.Logger
	module string
}

var digits = regexp.MustCompile(`[0-9]{6,}`)

func (l logger) line(level slog.Level, format string, args []any) {
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	detail := digits.ReplaceAllString(fmt.Sprintf(format, args...), "…")
	l.log.Log(context.Background(), level, "whatsmeow", "module", l.module, "detail", detail)
}

func (l logger) Errorf(format string, args ...any) { l.line(slog.LevelError, format, args) }
func (l logger) Warnf(format string, args ...any)  { l.line(slog.LevelWarn, format, args) }
func (l logger) Infof(format string, args ...any)  { l.line(slog.LevelDebug, format, args) }
func (l logger) Debugf(string, ...any)             {}
func (l logger) Sub(module string) waLog.Logger {
	if l.module != "" {
		module = l.module + "/" + module
	}
	return logger{log: l.log, module: module}
}

// State is where the Supervisor keeps the connection's state and alerts, for `aduan
// whatsapp status` and for whichever replica takes the connection over.
type State interface {
	// Seen records that this replica holds the connection at now, and whether it is
	// connected.
	Seen(ctx context.Context, connected bool, now time.Time) error
	// Raise records the channel's alert in force and tells every unit's group on the
	// other channels, once per alert.
	Raise(ctx context.Context, a flows.Alert) error
	// Clear ends the alert in force, if any, telling the units' groups when it had
	// stopped the channel; it reports whether there was one.
	Clear(ctx context.Context, now time.Time) (bool, error)
	// Alert returns the channel's last alert (a zero Kind when none was ever raised).
	Alert(ctx context.Context) (flows.Alert, error)
}

// Conn is a connection the Supervisor opened, given to Attach.
type Conn struct {
	// Client is the connection's whatsmeow client, for the adapter; it is replaced at
	// each leadership, never reused after Attach's context ends.
	Client *whatsmeow.Client
}

// Self returns the desk's own JIDs on the connection: its phone-number JID and its
// LID, when known.
func (c *Conn) Self() []types.JID {
	var out []types.JID
	for _, j := range []types.JID{c.Client.Store.GetJID(), c.Client.Store.GetLID()} {
		if !j.IsEmpty() {
			out = append(out, j.ToNonAD())
		}
	}
	return out
}

// Attached is what runs over one connection.
type Attached struct {
	// Handle receives each message event (the adapter's HandleMessage). It must store
	// the message quickly and report whether it did: false (or a panic) makes WhatsApp
	// deliver it again.
	Handle func(evt *events.Message) bool
	// Send delivers the outbox's WhatsApp messages until ctx ends. It runs from each
	// connection made until the connection drops or an alert stops the channel;
	// messages keep queueing meanwhile.
	Send func(ctx context.Context)
	// Done, when set, is called once the connection is over: nothing is sent over it
	// any more.
	Done func()
}

// Supervisor holds the desk's WhatsApp connection on exactly one replica: the one
// that holds the leadership lock (Lead). It connects only with a linked account and
// no alert in force; it hands messages to the adapter synchronously, so that WhatsApp
// redelivers what could not be stored (synchronous acks and whatsmeow's decrypted-
// event buffer); it sends only while connected, and tells WhatsApp the desk is
// unavailable (so that the phone keeps its notifications) once the account's push name
// is known. Logged out, replaced, temporarily banned, client outdated, refused, any
// other disconnect whatsmeow does not recover from (events.PermanentDisconnect: a
// failed CAT refresh, a reason newer than this program), or unreachable for
// ReconnectFor: each is named in a log line that says what to do, raised as an alert
// (State) that tells the units on the other channels, and ends the connection, which
// is not tried again until the alert is over (a ban's end, another build, `aduan
// whatsapp resume`, a new link).
type Supervisor struct {
	Session *Session
	State   State
	// Lead runs fn while this replica holds the connection's lock, again and again
	// until ctx ends (store.DB.Lead with store.LeadWhatsApp).
	Lead func(ctx context.Context, fn func(context.Context) error)
	// Attach builds, for a new connection, the adapter that handles its messages and
	// sends the outbox over it; what it starts must end with ctx.
	Attach func(ctx context.Context, c *Conn) (Attached, error)
	Clock  flows.Clock
	Log    *slog.Logger
	// Heartbeat is how often the state is recorded while connected; default 30 s.
	Heartbeat time.Duration
	// ReconnectFor is how long reconnecting may keep failing before the desk stops
	// trying (AlertUnreachable, tried again after RetryUnreachable); default 10 min.
	ReconnectFor time.Duration
	// RetryUnreachable is how long the desk waits after AlertUnreachable; default 15 min.
	RetryUnreachable time.Duration
	// Build is the client's version (default Build()); an AlertOutdated stops only it.
	Build string

	reported string // what was last logged about not connecting, to log it once
	// failingSince is when connecting started failing, zero while it works; mu guards
	// it (whatsmeow's reconnect loop reads it too).
	mu           sync.Mutex
	failingSince time.Time
}

// failing records a failure to connect at now and reports for how long connecting has
// been failing; ok resets it.
func (s *Supervisor) failing(now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failingSince.IsZero() {
		s.failingSince = now
	}
	return now.Sub(s.failingSince)
}

func (s *Supervisor) ok() {
	s.mu.Lock()
	s.failingSince = time.Time{}
	s.mu.Unlock()
}

// Run holds the connection whenever this replica can, until ctx ends.
func (s *Supervisor) Run(ctx context.Context) {
	s.defaults()
	s.Lead(ctx, s.hold)
}

func (s *Supervisor) defaults() {
	if s.Heartbeat == 0 {
		s.Heartbeat = 30 * time.Second
	}
	if s.ReconnectFor == 0 {
		s.ReconnectFor = 10 * time.Minute
	}
	if s.RetryUnreachable == 0 {
		s.RetryUnreachable = 15 * time.Minute
	}
	if s.Build == "" {
		s.Build = Build()
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
}

// report logs why the desk does not connect, once per reason.
func (s *Supervisor) report(key string, level slog.Level, msg string, args ...any) {
	if s.reported == key {
		return
	}
	s.reported = key
	s.Log.Log(context.Background(), level, msg, args...)
}

// hold is one leadership: it connects when it may, and returns when the connection
// ends for good (an alert), when nothing may be connected, or when ctx ends.
func (s *Supervisor) hold(ctx context.Context) error {
	dev, err := s.Session.device(ctx)
	if err != nil {
		return err
	}
	a, err := s.State.Alert(ctx)
	if err != nil {
		return err
	}
	// Logging out deletes the device: one linked since is a new link, and the alert
	// ends when it connects.
	relinked := a.Kind == flows.AlertLoggedOut && dev.ID != nil
	if a.Active(s.Clock.Now(), s.Build) && !relinked {
		s.report(fmt.Sprintf("alert:%s:%d", a.Kind, a.At.Unix()), slog.LevelWarn, "whatsapp stopped by an alert; not connecting",
			"alert", string(a.Kind), "detail", a.Detail, "until", a.Until, "todo", Todo(a.Kind))
		return nil
	}
	if dev.ID == nil {
		s.report("unlinked", slog.LevelWarn, "whatsapp not linked; not connecting", "todo", "run `aduan whatsapp link` (messages keep queueing meanwhile)")
		return nil
	}
	s.reported = ""
	return newConnection(s, s.Session.newClient(dev)).run(ctx)
}

// Todo says what an operator does about an alert of kind k.
func Todo(k flows.AlertKind) string {
	switch k {
	case flows.AlertLoggedOut:
		return "link the account again: `aduan whatsapp link`"
	case flows.AlertReplaced:
		return "another process uses the desk's WhatsApp keys (a second deployment, a copied database): stop it, then `aduan whatsapp resume`"
	case flows.AlertBanned:
		return "WhatsApp banned the number for a while: reply less, never to people who did not write first; the desk tries again when the ban ends (or after `aduan whatsapp resume`)"
	case flows.AlertOutdated:
		return "WhatsApp refuses this whatsmeow version (405): `go get go.mau.fi/whatsmeow@latest`, rebuild and deploy; the new build connects by itself"
	case flows.AlertUnreachable:
		return "check the network to WhatsApp; the desk tries again later by itself (or after `aduan whatsapp resume`)"
	case flows.AlertConnectFailed:
		return "read the detail; `aduan whatsapp resume` tries again"
	case flows.AlertMediaExpired:
		return "ask the citizen to send the file again"
	}
	return ""
}

// connection is one whatsmeow client's life, from connecting to its end.
type connection struct {
	sup  *Supervisor
	cli  *whatsmeow.Client
	ctrl chan any // connection events, in order, from whatsmeow's handler

	// presence sends the desk's presence (the client's SendPresence); away reports
	// that Unavailable was sent since the client last connected.
	presence func(ctx context.Context, p types.Presence) error
	away     bool

	sending context.CancelFunc
	sent    chan struct{}
}

// newConnection returns the life of cli under s, not yet configured nor connected.
func newConnection(s *Supervisor, cli *whatsmeow.Client) *connection {
	return &connection{sup: s, cli: cli, ctrl: make(chan any, 64), presence: cli.SendPresence}
}

// configure sets cli up for the desk: acks only after the handler stored the message
// (SynchronousAck), the decrypted message kept until then (EnableDecryptedEventBuffer),
// so that one the handler could not store is delivered again; reconnecting by itself,
// each failure passing through reconnectFailed (AutoReconnectHook); every event
// passing through event, with the handler's answer as the event's success.
func (c *connection) configure(cli *whatsmeow.Client, att Attached) {
	cli.SynchronousAck = true
	cli.EnableDecryptedEventBuffer = true
	cli.EnableAutoReconnect = true
	cli.AutoReconnectHook = c.reconnectFailed
	cli.AddEventHandlerWithSuccessStatus(func(evt any) bool { return c.event(att, evt) })
}

// errGaveUp is sent on ctrl when reconnecting failed for ReconnectFor.
type errGaveUp struct{ err error }

func (c *connection) run(ctx context.Context) error {
	s := c.sup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	att, err := s.Attach(ctx, &Conn{Client: c.cli})
	if err != nil {
		return fmt.Errorf("whatsapp: attach: %w", err)
	}
	c.configure(c.cli, att)
	defer func() {
		c.stopSending()
		c.cli.Disconnect()
		if att.Done != nil {
			att.Done()
		}
		if err := s.State.Seen(context.WithoutCancel(ctx), false, s.Clock.Now()); err != nil {
			s.Log.Error("whatsapp state not recorded", "err", err)
		}
	}()
	if err := c.cli.ConnectContext(ctx); err != nil {
		// Lead logs the failure and tries again shortly, until ReconnectFor has passed.
		if s.failing(s.Clock.Now()) >= s.ReconnectFor {
			return c.unreachable(ctx, fmt.Errorf("connect: %w", err))
		}
		return fmt.Errorf("whatsapp: connect: %w", err)
	}
	s.Log.Info("whatsapp connecting", "build", s.Build)
	beat := time.NewTicker(s.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			s.Log.Info("whatsapp connection released")
			return nil
		case <-beat.C:
			if err := s.State.Seen(ctx, c.cli.IsLoggedIn(), s.Clock.Now()); err != nil {
				s.Log.Warn("whatsapp state not recorded", "err", err)
			}
			if c.cli.IsLoggedIn() {
				c.goAway(ctx)
			}
		case evt := <-c.ctrl:
			if done, err := c.handle(ctx, att, evt); done {
				return err
			}
		}
	}
}

// event is whatsmeow's event handler: messages go to the adapter, synchronously;
// connection events to the supervisor's loop.
func (c *connection) event(att Attached, evt any) (ok bool) {
	switch e := evt.(type) {
	case *events.Message:
		defer func() {
			if p := recover(); p != nil {
				c.sup.Log.Error("whatsapp message handler panicked; WhatsApp will deliver it again", "panic", fmt.Sprint(p))
				ok = false
			}
		}()
		return att.Handle(e)
	case *events.Connected, *events.Disconnected, *events.StreamError, *events.KeepAliveTimeout, *events.KeepAliveRestored,
		*events.PushNameSetting, *events.AppStateSyncComplete,
		// Every event after which whatsmeow does not reconnect (logged out, replaced,
		// banned, outdated, refused, a CAT refresh failed, and any added later).
		events.PermanentDisconnect:
		select {
		case c.ctrl <- evt:
		default:
			c.sup.Log.Error("whatsapp connection event dropped", "event", fmt.Sprintf("%T", evt))
		}
	}
	return true
}

// reconnectFailed is whatsmeow's AutoReconnectHook: each failure is logged, and after
// ReconnectFor of failures the desk stops trying.
func (c *connection) reconnectFailed(err error) bool {
	s := c.sup
	failing := s.failing(s.Clock.Now())
	if failing >= s.ReconnectFor {
		select {
		case c.ctrl <- errGaveUp{err}:
		default:
		}
		return false
	}
	s.Log.Warn("whatsapp reconnect failed, trying again", "failing_for", failing.Round(time.Second).String(), "err", err)
	return true
}

// handle acts on one connection event; done reports that the connection is over.
func (c *connection) handle(ctx context.Context, att Attached, evt any) (done bool, err error) {
	s := c.sup
	now := s.Clock.Now()
	alert := flows.Alert{Channel: Name, At: now, Build: s.Build}
	switch e := evt.(type) {
	case *events.Connected:
		s.ok()
		acct := Account{Number: c.cli.Store.GetJID().User}
		s.Log.Info("whatsapp connected", "account", acct.Masked())
		c.away = false
		c.goAway(ctx)
		if err := s.State.Seen(ctx, true, now); err != nil {
			s.Log.Warn("whatsapp state not recorded", "err", err)
		}
		if cleared, err := s.State.Clear(ctx, now); err != nil {
			s.Log.Error("whatsapp alert not cleared", "err", err)
		} else if cleared {
			s.Log.Info("whatsapp alert over: connected again")
		}
		c.startSending(ctx, att)
		return false, nil
	case *events.Disconnected:
		c.stopSending()
		s.Log.Warn("whatsapp disconnected; reconnecting, sending paused")
		if err := s.State.Seen(ctx, false, now); err != nil {
			s.Log.Warn("whatsapp state not recorded", "err", err)
		}
		return false, nil
	case *events.KeepAliveTimeout:
		s.Log.Warn("whatsapp keepalive timed out", "errors", e.ErrorCount)
		return false, nil
	case *events.KeepAliveRestored:
		s.Log.Info("whatsapp keepalive restored")
		return false, nil
	case *events.StreamError:
		s.Log.Error("whatsapp stream error", "code", e.Code)
		return false, nil
	case *events.PushNameSetting, *events.AppStateSyncComplete:
		// The account's push name arrives with the app state, after the first
		// connection of a new link: presence can be sent from then on.
		c.goAway(ctx)
		return false, nil
	case *events.LoggedOut:
		alert.Kind, alert.Detail = flows.AlertLoggedOut, e.Reason.String()
		if !e.OnConnect {
			alert.Detail = "device removed"
		}
	case *events.StreamReplaced:
		if ctx.Err() != nil {
			// This replica lost the lock: the new holder's connection replaced this one,
			// as it should.
			s.Log.Info("whatsapp connection taken over by another replica")
			return true, nil
		}
		alert.Kind, alert.Detail = flows.AlertReplaced, "stream replaced: another connection with the same keys"
	case *events.TemporaryBan:
		alert.Kind, alert.Detail = flows.AlertBanned, e.Code.String()
		if e.Expire > 0 {
			alert.Until = now.Add(e.Expire)
		}
	case *events.ClientOutdated:
		alert.Kind, alert.Detail = flows.AlertOutdated, "405: client is out of date"
	case *events.ConnectFailure:
		alert.Kind, alert.Detail = flows.AlertConnectFailed, e.Reason.String()
	case *events.CATRefreshError:
		alert.Kind, alert.Detail = flows.AlertConnectFailed, e.PermanentDisconnectDescription()
		if e.Error != nil {
			alert.Detail += ": " + digits.ReplaceAllString(e.Error.Error(), "…")
		}
	case events.PermanentDisconnect:
		// whatsmeow does not reconnect after it, whatever it is.
		alert.Kind, alert.Detail = flows.AlertConnectFailed, digits.ReplaceAllString(e.PermanentDisconnectDescription(), "…")
	case errGaveUp:
		return true, c.unreachable(ctx, e.err)
	default:
		return false, nil
	}
	return true, c.raise(ctx, alert)
}

// goAway sends presence Unavailable, so that the phone keeps getting notifications,
// once per connection: until the account's push name is known (ErrNoPushName, the
// usual case right after linking) it waits for the push name's event or the next
// heartbeat; a failure is tried again then too.
func (c *connection) goAway(ctx context.Context) {
	if c.away {
		return
	}
	err := c.presence(ctx, types.PresenceUnavailable)
	switch {
	case err == nil:
		c.away = true
		c.sup.Log.Debug("whatsapp presence sent", "presence", string(types.PresenceUnavailable))
	case errors.Is(err, whatsmeow.ErrNoPushName):
		c.sup.Log.Debug("whatsapp presence waits for the push name")
	default:
		c.sup.Log.Warn("whatsapp presence not sent", "err", digits.ReplaceAllString(err.Error(), "…"))
	}
}

// unreachable raises AlertUnreachable after err, to be tried again after
// RetryUnreachable.
func (c *connection) unreachable(ctx context.Context, err error) error {
	s := c.sup
	now := s.Clock.Now()
	return c.raise(ctx, flows.Alert{Channel: Name, Kind: flows.AlertUnreachable, Detail: digits.ReplaceAllString(err.Error(), "…"),
		At: now, Until: now.Add(s.RetryUnreachable), Build: s.Build})
}

// raise stops sending, logs alert a with what to do and records it.
func (c *connection) raise(ctx context.Context, a flows.Alert) error {
	s := c.sup
	c.stopSending()
	c.cli.Disconnect()
	s.Log.Error("whatsapp stopped", "alert", string(a.Kind), "detail", a.Detail, "until", a.Until, "build", a.Build, "todo", Todo(a.Kind))
	s.reported = fmt.Sprintf("alert:%s:%d", a.Kind, a.At.Unix())
	if err := s.State.Raise(context.WithoutCancel(ctx), a); err != nil {
		return fmt.Errorf("whatsapp: record the %s alert: %w", a.Kind, err)
	}
	return nil
}

func (c *connection) startSending(ctx context.Context, att Attached) {
	if c.sending != nil || att.Send == nil {
		return
	}
	sctx, cancel := context.WithCancel(ctx)
	c.sending, c.sent = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		att.Send(sctx)
	}(c.sent)
}

// stopSending ends Send and waits for it: no message goes out after it returns.
func (c *connection) stopSending() {
	if c.sending == nil {
		return
	}
	c.sending()
	<-c.sent
	c.sending, c.sent = nil, nil
}
