package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mdp/qrterminal/v3"

	"aduan/bot"
	"aduan/bot/whatsapp"
	"aduan/flows"
	"aduan/locales"
	"aduan/store"
)

// lockWait is how long link and unlink try to take the WhatsApp connection's lock,
// which a running desk takes for a moment every few seconds even when it cannot
// connect.
var lockWait = 15 * time.Second

func runWhatsApp(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "whatsapp", "link [--phone 62…] | status | unlink | resume",
		"link: link the desk's WhatsApp number: scan the QR code shown (WhatsApp on the\n"+
			"  phone → Linked devices → Link a device), a new one as WhatsApp rotates them;\n"+
			"  with --phone, type the pairing code shown on that phone instead. The phone\n"+
			"  lists the desk under --office-name. serve connects by itself once linked.\n"+
			"status: the linked number (masked), whether serve is connected, the last\n"+
			"  message in and out, the messages queued, the last alert.\n"+
			"unlink: unlink the number and forget its keys. Stop serve's WhatsApp first.\n"+
			"resume: let serve connect again after an alert (replaced, banned, refused)\n"+
			"  once its cause is dealt with.")
	phone := fs.String("phone", "", "link by pairing code on this phone number (international digits, 628…) instead of a QR code")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError(fs, "want link, status, unlink or resume")
	}
	if *phone != "" && pos[0] != "link" {
		return usageError(fs, "--phone is for link")
	}
	db, err := openDB(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	sess := whatsapp.OpenSession(db.Pool(), e.log)
	defer sess.Close()
	if err := sess.CheckSchema(ctx); err != nil {
		return err
	}
	switch pos[0] {
	case "link":
		return whatsAppLink(ctx, e, db, sess, *phone)
	case "status":
		return whatsAppStatus(ctx, e, db, sess)
	case "unlink":
		return whatsAppUnlink(ctx, e, db, sess)
	case "resume":
		resumed, err := db.ResumeAlert(ctx, whatsapp.Name, e.clock.Now())
		if err != nil {
			return err
		}
		if !resumed {
			fmt.Fprintln(e.stdout, "no alert stops WhatsApp: nothing to resume")
			return nil
		}
		fmt.Fprintln(e.stdout, "resumed: serve connects again within a few seconds (the alert ends once it is connected)")
		return nil
	}
	return usageError(fs, "want link, status, unlink or resume, not %q", pos[0])
}

// migrateWhatsApp creates or upgrades whatsmeow's tables, under a lock: whatsmeow's
// upgrade takes none, and two at once fail.
func migrateWhatsApp(ctx context.Context, e *env, db *store.DB) error {
	sess := whatsapp.OpenSession(db.Pool(), e.log)
	defer sess.Close()
	return db.WithLock(ctx, store.LockWhatsAppSchema, sess.Upgrade)
}

// withConnection runs fn holding the WhatsApp connection's lock, trying for lockWait;
// it fails when a running desk holds the connection.
func withConnection(ctx context.Context, db *store.DB, fn func(context.Context) error) error {
	giveUp := time.NewTimer(lockWait)
	defer giveUp.Stop()
	for {
		ran, err := db.TryLead(ctx, store.LeadWhatsApp, fn)
		if ran || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-giveUp.C:
			return errors.New("a running desk (aduan serve) holds the WhatsApp connection: run serve with --whatsapp off first, or unlink from the phone: WhatsApp → Linked devices → the desk → Log out")
		case <-time.After(min(time.Second, lockWait/4)):
		}
	}
}

func whatsAppLink(ctx context.Context, e *env, db *store.DB, sess *whatsapp.Session, phone string) error {
	whatsapp.SetDeviceName(e.cfg.Office.Name)
	var acct whatsapp.Account
	err := withConnection(ctx, db, func(ctx context.Context) error {
		var err error
		acct, err = sess.Link(ctx, phone, func(ev whatsapp.LinkEvent) { showLink(e.stdout, ev) })
		return err
	})
	if errors.Is(err, whatsapp.ErrLinked) {
		return fmt.Errorf("linked already, as %s: run `aduan whatsapp unlink` first to link another number", acct.Masked())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "linked as %s; aduan serve with --whatsapp on connects within a few seconds\n", acct.Masked())
	return nil
}

// showLink prints a step of linking: a QR code drawn in the terminal (half blocks, so
// that it fits), or the pairing code.
func showLink(w io.Writer, ev whatsapp.LinkEvent) {
	switch ev.Step {
	case whatsapp.StepQR:
		fmt.Fprintf(w, "\nScan this code on the desk's phone: WhatsApp → Linked devices → Link a device (valid %s; a new one follows):\n\n", ev.Timeout.Round(time.Second))
		qrterminal.GenerateHalfBlock(ev.Code, qrterminal.L, w)
	case whatsapp.StepPairingCode:
		fmt.Fprintf(w, "On the desk's phone: WhatsApp → Linked devices → Link a device → Link with phone number instead, and type:\n\n    %s\n\n", ev.Code)
	case whatsapp.StepPaired:
		fmt.Fprintln(w, "The phone accepted; connecting …")
	}
}

func whatsAppUnlink(ctx context.Context, e *env, db *store.DB, sess *whatsapp.Session) error {
	var acct whatsapp.Account
	err := withConnection(ctx, db, func(ctx context.Context) error {
		var err error
		acct, err = sess.Unlink(ctx)
		return err
	})
	var notTold *whatsapp.NotToldError
	switch {
	case errors.Is(err, whatsapp.ErrNotLinked):
		fmt.Fprintln(e.stdout, "no WhatsApp number is linked: nothing to unlink")
		return nil
	case errors.As(err, &notTold):
		fmt.Fprintf(e.stdout, "unlinked %s here; %v\n", acct.Masked(), err)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "unlinked %s: WhatsApp removed the desk from its linked devices; messages to WhatsApp wait until a number is linked again\n", acct.Masked())
	return nil
}

// whatsAppStatus prints what `aduan whatsapp status` shows.
func whatsAppStatus(ctx context.Context, e *env, db *store.DB, sess *whatsapp.Session) error {
	acct, err := sess.Account(ctx)
	if err != nil {
		return err
	}
	st, err := db.Channel(ctx, whatsapp.Name)
	if err != nil {
		return err
	}
	writeWhatsAppStatus(e.stdout, acct, st, whatsapp.Build(), e.clock.Now(), e.cfg.Zone)
	return nil
}

// reportedFresh is how recent the connection's last report must be for status to
// believe it: a few heartbeats.
const reportedFresh = 2 * time.Minute

func writeWhatsAppStatus(w io.Writer, acct whatsapp.Account, st store.ChannelState, build string, now time.Time, zone *time.Location) {
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return fmt.Sprintf("%s (%s ago)", t.In(zone).Format("2006-01-02 15:04:05 MST"), now.Sub(t).Round(time.Second))
	}
	account := "not linked (run `aduan whatsapp link`)"
	if acct.Linked {
		account = acct.Masked()
		if acct.Name != "" {
			account += " (" + acct.Name + ")"
		}
	}
	conn := "never connected"
	switch {
	case st.Seen.IsZero():
	case st.Connected && now.Sub(st.Seen) <= reportedFresh:
		conn = "connected, reported " + when(st.Seen)
	case st.Connected:
		conn = "unknown: the replica holding the connection last reported " + when(st.Seen)
	default:
		conn = "not connected, since " + when(st.Seen)
	}
	fmt.Fprintf(w, "account:   %s\nconnected: %s\nlast in:   %s\nlast out:  %s\nqueued:    %d\nbuild:     %s\n",
		account, conn, when(st.LastIn), when(st.LastOut), st.Queued, build)
	a := st.Alert
	switch {
	case a.Kind == "":
		fmt.Fprintln(w, "alert:     none")
	case a.Active(now, build):
		fmt.Fprintf(w, "alert:     %s since %s: %s", a.Kind, when(a.At), a.Detail)
		if !a.Until.IsZero() {
			fmt.Fprintf(w, "; until %s", a.Until.In(zone).Format("2006-01-02 15:04 MST"))
		}
		fmt.Fprintf(w, "\n           sending stopped, messages queue; to do: %s\n", whatsapp.Todo(a.Kind))
	case a.Cleared.IsZero():
		fmt.Fprintf(w, "alert:     %s since %s: %s (may connect again: waiting for serve)\n", a.Kind, when(a.At), a.Detail)
	default:
		fmt.Fprintf(w, "alert:     none; the last, %s at %s (%s), ended %s\n", a.Kind, a.At.In(zone).Format("2006-01-02 15:04 MST"), a.Detail, when(a.Cleared))
	}
}

// waState keeps the supervisor's state in the store, telling alerts to the units'
// groups of the rules in force.
type waState struct {
	db    *store.DB
	rules func() *flows.Rules
}

func (s waState) Seen(ctx context.Context, connected bool, now time.Time) error {
	return s.db.SeenChannel(ctx, whatsapp.Name, connected, now)
}

func (s waState) Raise(ctx context.Context, a flows.Alert) error {
	return s.db.RaiseAlert(ctx, s.rules(), a)
}

func (s waState) Clear(ctx context.Context, now time.Time) (bool, error) {
	return s.db.ClearAlert(ctx, s.rules(), whatsapp.Name, now)
}

func (s waState) Alert(ctx context.Context) (flows.Alert, error) {
	st, err := s.db.Channel(ctx, whatsapp.Name)
	return st.Alert, err
}

// startWhatsApp builds the WhatsApp channel and runs its supervisor in the background:
// on whichever replica holds the connection, the channel's inbox is handled and its
// outbox delivered, by a desk and a sender of its own; other replicas only queue.
func (m *Main) startWhatsApp(ctx context.Context, inboxWake <-chan struct{}, wakeInbox func(), outboxWake <-chan struct{}) error {
	wc := m.Config.WhatsApp
	cfg := whatsapp.Config{MaxFileBytes: m.Config.Intake.MaxFileBytes, MaxFiles: m.Config.Intake.MaxFiles,
		Pacing: whatsapp.Pacing{Gap: wc.Gap, Jitter: wc.Jitter, PerChat: wc.PerChat, Daily: wc.Daily}, Pace: systemClock{}}
	var connect func(*whatsapp.Bot)
	if m.WhatsAppTest != nil {
		connect = m.WhatsAppTest(&cfg)
	}
	newChannel := func() {
		m.whatsapp = whatsapp.New(cfg, nil, m.db, whatsapp.RenderFunc(bot.NewRenderer(m.catalog, m.Rules, m.db, m.Log).For(locales.WhatsApp)),
			m.catalog, m.Rules, m.Clock, m.Log, wakeInbox)
	}
	if connect != nil {
		newChannel()
		connect(m.whatsapp)
		if err := m.whatsapp.CountSends(ctx, m.db); err != nil {
			return err
		}
		att := m.attachWhatsApp(ctx, inboxWake, outboxWake)
		m.goRun(func() {
			att.Send(ctx)
			att.Done()
		})
		return nil
	}
	sess := whatsapp.OpenSession(m.db.Pool(), m.Log)
	if err := sess.CheckSchema(ctx); err != nil {
		sess.Close()
		return err
	}
	m.waSession = sess
	whatsapp.SetDeviceName(m.Config.Office.Name)
	newChannel()
	sup := &whatsapp.Supervisor{
		Session: sess,
		State:   waState{db: m.db, rules: m.Rules},
		Lead: func(ctx context.Context, fn func(context.Context) error) {
			m.db.Lead(ctx, store.LeadWhatsApp, 5*time.Second, fn)
		},
		Attach: func(ctx context.Context, c *whatsapp.Conn) (whatsapp.Attached, error) {
			// The daily cap counts what was sent today before a restart or a takeover.
			if err := m.whatsapp.CountSends(ctx, m.db); err != nil {
				return whatsapp.Attached{}, err
			}
			m.whatsapp.Use(c.Client, c.Self()...)
			return m.attachWhatsApp(ctx, inboxWake, outboxWake), nil
		},
		Clock: m.Clock,
		Log:   m.Log,
	}
	m.goRun(func() { sup.Run(ctx) })
	return nil
}

// attachWhatsApp starts handling WhatsApp's inbox on this replica, which now holds the
// connection, by a desk of its own, and returns how the connection hands it messages
// and delivers the outbox.
func (m *Main) attachWhatsApp(ctx context.Context, inboxWake <-chan struct{}, outboxWake <-chan struct{}) whatsapp.Attached {
	desk := m.newDesk()
	desk.Observe = func(raw flows.RawInbound, err error) {
		if errors.Is(err, whatsapp.ErrMediaExpired) {
			a := flows.Alert{Channel: whatsapp.Name, Kind: flows.AlertMediaExpired, Detail: "a citizen's attachment expired before it was downloaded", At: m.Clock.Now()}
			if err := m.db.RaiseAlert(context.WithoutCancel(ctx), m.Rules(), a); err != nil {
				m.Log.Error("whatsapp alert not recorded", "err", err)
			}
		}
		if m.Observe != nil {
			m.Observe(raw, err)
		}
	}
	m.goRun(func() { desk.Run(ctx, []bot.Decoder{m.whatsapp}, inboxWake, 5*time.Second) })
	sender := &bot.Sender{Outbox: m.db, Channels: []bot.Channel{m.whatsapp}, Clock: m.Clock, Log: m.Log}
	return whatsapp.Attached{
		Handle: m.whatsapp.HandleMessage,
		Send:   func(ctx context.Context) { sender.Run(ctx, outboxWake, 5*time.Second) },
		Done:   func() { m.whatsapp.Use(nil) },
	}
}

// whatsAppHelp is the line --help shows for the whatsapp command.
var whatsAppHelp = strings.Join([]string{"link the desk's WhatsApp number (QR code or --phone pairing code), show its status,", "unlink it, or resume after an alert"}, "\n        ")
