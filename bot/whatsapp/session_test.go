package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store/storetest"
)

// supState records what the supervisor keeps.
type supState struct {
	mu      sync.Mutex
	alert   flows.Alert
	raised  []flows.Alert
	seen    []bool
	cleared int
}

func (s *supState) Seen(_ context.Context, connected bool, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, connected)
	return nil
}

func (s *supState) Raise(_ context.Context, a flows.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raised = append(s.raised, a)
	s.alert = a
	return nil
}

func (s *supState) Clear(context.Context, time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleared++
	return false, nil
}

func (s *supState) Alert(context.Context) (flows.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.alert, nil
}

// supRig is a supervisor over a session in a fresh database, a connection of a device
// never linked (so nothing reaches WhatsApp), and a sender that runs until stopped.
type supRig struct {
	sup     *Supervisor
	state   *supState
	conn    *connection
	att     Attached
	clock   *flowstest.Clock
	log     *bytes.Buffer
	sending chan bool // true when Send starts, false when it ends
}

func newSupRig(t *testing.T) *supRig {
	t.Helper()
	db, _ := storetest.New(t)
	var log bytes.Buffer
	sess := OpenSession(db.Pool(), slog.New(slog.NewJSONHandler(&log, nil)))
	t.Cleanup(func() { sess.Close() })
	if err := sess.CheckSchema(t.Context()); !errors.Is(err, ErrOldSchema) {
		t.Fatalf("CheckSchema before Upgrade = %v, want ErrOldSchema", err)
	}
	if err := sess.Upgrade(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := sess.CheckSchema(t.Context()); err != nil {
		t.Fatalf("CheckSchema after Upgrade = %v", err)
	}
	r := &supRig{state: &supState{}, clock: flowstest.NewClock(flowstest.At(t, "2026-12-02 10:00")), log: &log, sending: make(chan bool, 8)}
	r.sup = &Supervisor{Session: sess, State: r.state, Clock: r.clock, Log: slog.New(slog.NewJSONHandler(&log, nil)), Build: "b1",
		Attach: func(context.Context, *Conn) (Attached, error) {
			t.Error("Attach called: the supervisor connected")
			return Attached{}, errors.New("no")
		}}
	r.sup.defaults()
	dev, err := sess.device(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r.conn = newConnection(r.sup, sess.newClient(dev))
	r.att = Attached{
		Handle: func(*events.Message) bool { return true },
		Send: func(ctx context.Context) {
			r.sending <- true
			<-ctx.Done()
			r.sending <- false
		},
	}
	return r
}

// Each event that ends the connection is named, raised once as an alert (with when it
// may end) and stops sending.
func TestSupervisorAlerts(t *testing.T) {
	t.Parallel()
	r := newSupRig(t)
	now := r.clock.Now()
	for _, tc := range []struct {
		evt    any
		kind   flows.AlertKind
		detail string
		until  time.Time
	}{
		{&events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureMainDeviceGone}, flows.AlertLoggedOut, "403: primary device was logged out", time.Time{}},
		{&events.LoggedOut{}, flows.AlertLoggedOut, "device removed", time.Time{}},
		{&events.StreamReplaced{}, flows.AlertReplaced, "stream replaced: another connection with the same keys", time.Time{}},
		{&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 2 * time.Hour}, flows.AlertBanned,
			"101: you sent too many messages to people who don't have you in their address books", now.Add(2 * time.Hour)},
		{&events.TemporaryBan{Code: events.TempBanBlockedByUsers}, flows.AlertBanned, "102: too many people blocked you", time.Time{}},
		{&events.ClientOutdated{}, flows.AlertOutdated, "405: client is out of date", time.Time{}},
		{&events.ConnectFailure{Reason: events.ConnectFailureGeneric}, flows.AlertConnectFailed, "400: unknown error", time.Time{}},
		{&events.CATRefreshError{Error: errors.New("refresh for 6281234567890 failed")}, flows.AlertConnectFailed,
			"CAT refresh failed: refresh for … failed", time.Time{}},
		{laterDisconnect{}, flows.AlertConnectFailed, "a reason of a later whatsmeow for …", time.Time{}},
	} {
		r.state.raised = nil
		r.conn.startSending(t.Context(), r.att)
		if !<-r.sending {
			t.Fatal("Send did not start")
		}
		done, err := r.conn.handle(t.Context(), r.att, tc.evt)
		if !done || err != nil {
			t.Errorf("%T: done %v, err %v; want the connection over", tc.evt, done, err)
		}
		select {
		case s := <-r.sending:
			if s {
				t.Fatalf("%T: Send started again", tc.evt)
			}
		default:
			t.Errorf("%T: still sending after the alert", tc.evt)
		}
		if len(r.state.raised) != 1 {
			t.Fatalf("%T: %d alerts raised, want 1", tc.evt, len(r.state.raised))
		}
		a := r.state.raised[0]
		if a.Channel != Name || a.Kind != tc.kind || a.Detail != tc.detail || !a.Until.Equal(tc.until) || !a.At.Equal(now) || a.Build != "b1" {
			t.Errorf("%T raised %+v, want %s %q until %v", tc.evt, a, tc.kind, tc.detail, tc.until)
		}
		if !strings.Contains(r.log.String(), `"msg":"whatsapp stopped","alert":"`+string(tc.kind)+`"`) || !strings.Contains(r.log.String(), `"todo":"`) {
			t.Errorf("%T: no log line naming the alert and what to do:\n%s", tc.evt, r.log.String())
		}
	}
	// A replica that lost the lock is replaced by the new holder: no alert.
	r.state.raised = nil
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	if done, err := r.conn.handle(gone, r.att, &events.StreamReplaced{}); !done || err != nil || len(r.state.raised) != 0 {
		t.Errorf("replaced after losing the lock: done %v, err %v, raised %v; want done, no alert", done, err, r.state.raised)
	}
	// The banned number is tried again once the ban is over, not before; an outdated
	// client only by another build.
	ban := flows.Alert{Kind: flows.AlertBanned, Until: now.Add(2 * time.Hour)}
	if !ban.Active(now.Add(time.Hour), "b1") || ban.Active(now.Add(2*time.Hour), "b1") {
		t.Error("a ban's end is not when the desk tries again")
	}
	old := flows.Alert{Kind: flows.AlertOutdated, Build: "b1"}
	if !old.Active(now, "b1") || old.Active(now, "b2") {
		t.Error("an outdated client stops its own build only")
	}
}

// laterDisconnect stands for a permanent disconnect whatsmeow may add later.
type laterDisconnect struct{}

func (laterDisconnect) PermanentDisconnectDescription() string {
	return "a reason of a later whatsmeow for 6281234567890"
}

// Connected: presence, state, the alert cleared, sending; disconnected: sending
// paused, reconnecting by itself. Transient events end nothing.
func TestSupervisorConnectedAndDisconnected(t *testing.T) {
	t.Parallel()
	r := newSupRig(t)
	ctx := t.Context()
	if done, _ := r.conn.handle(ctx, r.att, &events.Connected{}); done {
		t.Fatal("Connected ended the connection")
	}
	if !<-r.sending {
		t.Fatal("Send did not start on Connected")
	}
	if r.state.cleared != 1 || len(r.state.seen) != 1 || !r.state.seen[0] {
		t.Errorf("on Connected: cleared %d, seen %v; want 1, [true]", r.state.cleared, r.state.seen)
	}
	// A second Connected (after a reconnect) does not start a second sender.
	r.conn.handle(ctx, r.att, &events.Connected{})
	select {
	case s := <-r.sending:
		t.Fatalf("a second Connected changed sending: %v", s)
	default:
	}
	for _, evt := range []any{&events.KeepAliveTimeout{ErrorCount: 1}, &events.KeepAliveRestored{}, &events.StreamError{Code: "999"}} {
		if done, _ := r.conn.handle(ctx, r.att, evt); done {
			t.Errorf("%T ended the connection", evt)
		}
	}
	if done, _ := r.conn.handle(ctx, r.att, &events.Disconnected{}); done {
		t.Fatal("Disconnected ended the connection: whatsmeow reconnects by itself")
	}
	if <-r.sending {
		t.Fatal("Send not stopped on Disconnected")
	}
	if last := r.state.seen[len(r.state.seen)-1]; last {
		t.Error("Disconnected recorded as connected")
	}
	if len(r.state.raised) != 0 {
		t.Errorf("alerts raised for passing events: %v", r.state.raised)
	}
}

// Messages go to the adapter synchronously with its answer; a panic there is a failure
// (WhatsApp delivers the message again); connection events go to the loop.
func TestSupervisorEvents(t *testing.T) {
	t.Parallel()
	r := newSupRig(t)
	var got []*events.Message
	att := Attached{Handle: func(e *events.Message) bool {
		got = append(got, e)
		if e.Info.ID == "panic" {
			panic("adapter bug")
		}
		return e.Info.ID != "fail"
	}}
	for id, want := range map[string]bool{"ok": true, "fail": false, "panic": false} {
		e := &events.Message{}
		e.Info.ID = id
		if ok := r.conn.event(att, e); ok != want {
			t.Errorf("message %s: handler returned %v, want %v", id, ok, want)
		}
	}
	if len(got) != 3 {
		t.Errorf("the adapter got %d messages, want 3", len(got))
	}
	loop := []any{&events.Connected{}, &events.PushNameSetting{}, &events.AppStateSyncComplete{},
		&events.LoggedOut{}, &events.CATRefreshError{}, laterDisconnect{}, &events.TemporaryBan{}}
	for _, evt := range loop {
		if !r.conn.event(att, evt) {
			t.Errorf("%T: the handler failed", evt)
		}
	}
	r.conn.event(att, &events.Receipt{}) // not the supervisor's
	if len(r.conn.ctrl) != len(loop) {
		t.Fatalf("%d events for the loop, want %d", len(r.conn.ctrl), len(loop))
	}
	for _, want := range loop {
		if got := <-r.conn.ctrl; got != want {
			t.Errorf("the loop got %T, want %T", got, want)
		}
	}
}

// Presence Unavailable is sent once per connection: right after connecting when the
// account's push name is known, else once it arrives (its event, the app state's
// sync, or the next heartbeat); a failure is tried again.
func TestSupervisorPresence(t *testing.T) {
	t.Parallel()
	r := newSupRig(t)
	ctx := t.Context()
	var sent []types.Presence
	fail := error(whatsmeow.ErrNoPushName)
	r.conn.presence = func(_ context.Context, p types.Presence) error {
		if fail != nil {
			return fail
		}
		sent = append(sent, p)
		return nil
	}
	r.conn.handle(ctx, r.att, &events.Connected{}) // a new link: no push name yet
	<-r.sending
	if len(sent) != 0 || r.conn.away {
		t.Fatalf("presence sent without a push name: %v", sent)
	}
	if strings.Contains(r.log.String(), "presence not sent") {
		t.Errorf("a missing push name logged as a failure:\n%s", r.log.String())
	}
	fail = errors.New("websocket not connected")
	r.conn.handle(ctx, r.att, &events.AppStateSyncComplete{})
	if len(sent) != 0 || !strings.Contains(r.log.String(), `"msg":"whatsapp presence not sent"`) {
		t.Fatalf("a failed presence: sent %v, log:\n%s", sent, r.log.String())
	}
	fail = nil
	r.conn.handle(ctx, r.att, &events.PushNameSetting{})
	r.conn.handle(ctx, r.att, &events.AppStateSyncComplete{})
	if len(sent) != 1 || sent[0] != types.PresenceUnavailable || !r.conn.away {
		t.Fatalf("after the push name: sent %v, want [unavailable] once", sent)
	}
	// A reconnect is a new session on WhatsApp's side: presence again, at once.
	r.conn.handle(ctx, r.att, &events.Disconnected{})
	<-r.sending
	r.conn.handle(ctx, r.att, &events.Connected{})
	<-r.sending
	if len(sent) != 2 {
		t.Errorf("after reconnecting: sent %v, want a second unavailable", sent)
	}
	r.conn.stopSending()
}

// configure sets a real (unpaired) client up: synchronous acks, the decrypted-event
// buffer, reconnecting through the supervisor's hook, and every event through the
// supervisor's handler, whose answer is the event's success.
func TestConfigure(t *testing.T) {
	t.Parallel()
	r := newSupRig(t)
	dev, err := r.sup.Session.device(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cli := r.sup.Session.newClient(dev)
	if cli.SynchronousAck || cli.EnableDecryptedEventBuffer || cli.AutoReconnectHook != nil {
		t.Fatal("whatsmeow's defaults changed: the test no longer shows configure's effect")
	}
	var got []string
	att := Attached{Handle: func(e *events.Message) bool {
		got = append(got, e.Info.ID)
		return e.Info.ID != "fail"
	}}
	c := newConnection(r.sup, cli)
	c.configure(cli, att)
	if !cli.SynchronousAck || !cli.EnableDecryptedEventBuffer || !cli.EnableAutoReconnect || cli.AutoReconnectHook == nil {
		t.Fatalf("configured: SynchronousAck %v, EnableDecryptedEventBuffer %v, EnableAutoReconnect %v, hook %v",
			cli.SynchronousAck, cli.EnableDecryptedEventBuffer, cli.EnableAutoReconnect, cli.AutoReconnectHook != nil)
	}
	if !cli.AutoReconnectHook(errors.New("dial tcp: i/o timeout")) || !strings.Contains(r.log.String(), "whatsapp reconnect failed") {
		t.Error("the reconnect hook is not the supervisor's")
	}
	for id, failed := range map[string]bool{"ok": false, "fail": true} {
		e := &events.Message{}
		e.Info.ID = id
		if f := cli.DangerousInternals().DispatchEvent(e); f != failed { //nolint:staticcheck // the only way to feed a real client an event
			t.Errorf("message %s: handler failed %v, want %v", id, f, failed)
		}
	}
	cli.DangerousInternals().DispatchEvent(&events.CATRefreshError{}) //nolint:staticcheck
	if len(got) != 2 || len(c.ctrl) != 1 {
		t.Errorf("the adapter got %v, the loop %d events; want both messages, 1 event", got, len(c.ctrl))
	}
}

// Reconnecting may fail for ReconnectFor, each failure logged; then the desk stops
// trying, raises AlertUnreachable and tries again after RetryUnreachable.
func TestSupervisorGivesUpReconnecting(t *testing.T) {
	t.Parallel()
	r := newSupRig(t)
	fail := errors.New("dial tcp: i/o timeout")
	if !r.conn.reconnectFailed(fail) {
		t.Fatal("the first failure stopped reconnecting")
	}
	r.clock.Advance(r.sup.ReconnectFor - time.Second)
	if !r.conn.reconnectFailed(fail) {
		t.Fatal("stopped reconnecting before ReconnectFor")
	}
	if n := strings.Count(r.log.String(), "whatsapp reconnect failed"); n != 2 {
		t.Errorf("%d failures logged, want 2", n)
	}
	r.clock.Advance(time.Second)
	if r.conn.reconnectFailed(fail) {
		t.Fatal("still reconnecting after ReconnectFor")
	}
	done, err := r.conn.handle(t.Context(), r.att, <-r.conn.ctrl)
	if !done || err != nil || len(r.state.raised) != 1 {
		t.Fatalf("after giving up: done %v, err %v, raised %v", done, err, r.state.raised)
	}
	a := r.state.raised[0]
	if a.Kind != flows.AlertUnreachable || !a.Until.Equal(r.clock.Now().Add(r.sup.RetryUnreachable)) || !strings.Contains(a.Detail, "i/o timeout") {
		t.Errorf("raised %+v", a)
	}
}

// Without a linked number, or under an alert in force, the supervisor does not
// connect, and says why once.
func TestSupervisorDoesNotConnect(t *testing.T) {
	t.Parallel()
	r := newSupRig(t)
	for range 3 {
		if err := r.sup.hold(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(r.log.String(), "whatsapp not linked"); n != 1 {
		t.Errorf("not linked logged %d times, want once:\n%s", n, r.log.String())
	}
	r.state.alert = flows.Alert{Channel: Name, Kind: flows.AlertReplaced, At: r.clock.Now()}
	for range 2 {
		if err := r.sup.hold(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(r.log.String(), "whatsapp stopped by an alert"); n != 1 {
		t.Errorf("the alert logged %d times, want once:\n%s", n, r.log.String())
	}
}

func TestMaskNumber(t *testing.T) {
	for in, want := range map[string]string{"6281234567890": "6281******890", "12345": "*****", "": ""} {
		if got := MaskNumber(in); got != want {
			t.Errorf("MaskNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// whatsmeow's own log lines pass without the phone numbers they name.
func TestLoggerHidesNumbers(t *testing.T) {
	var buf bytes.Buffer
	l := logger{log: slog.New(slog.NewJSONHandler(&buf, nil))}.Sub("Client")
	l.Warnf("Failed to decrypt message from %s", "6281234567890@s.whatsapp.net")
	l.Debugf("noise %d", 1)
	l.Infof("info %d", 2) // debug level: below the handler's
	s := buf.String()
	if strings.Contains(s, "6281234567890") || !strings.Contains(s, `"detail":"Failed to decrypt message from …@s.whatsapp.net"`) || !strings.Contains(s, `"module":"Client"`) {
		t.Errorf("logged %s", s)
	}
	if strings.Contains(s, "noise") || strings.Contains(s, "info 2") {
		t.Errorf("debug output logged: %s", s)
	}
}

// linkFake stores a device as linking would, without WhatsApp: its keys are random, its
// account's signatures empty.
func linkFake(t *testing.T, s *Session, number string) {
	t.Helper()
	dev := s.container.NewDevice()
	dev.ID = &types.JID{User: number, Device: 12, Server: types.DefaultUserServer}
	dev.PushName = "Dukcapil KKR"
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignature: make([]byte, 64),
		AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := dev.Save(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// A linked account is read back from the store; linking again is refused before any
// network, and so is a number not in international form; under an alert in force the
// supervisor does not connect it.
func TestSessionLinkedAccount(t *testing.T) {
	t.Parallel()
	r := newSupRig(t)
	sess := r.sup.Session
	if a, err := sess.Account(t.Context()); err != nil || a.Linked {
		t.Fatalf("Account before linking = %+v, %v", a, err)
	}
	if _, err := sess.Link(t.Context(), "081234567890", nil); !errors.Is(err, ErrBadPhone) {
		t.Errorf("Link with a national number = %v, want ErrBadPhone", err)
	}
	linkFake(t, sess, "6281234567890")
	a, err := sess.Account(t.Context())
	if err != nil || !a.Linked || a.Number != "6281234567890" || a.Name != "Dukcapil KKR" || a.Masked() != "6281******890" {
		t.Fatalf("Account = %+v, %v", a, err)
	}
	if got, err := sess.Link(t.Context(), "", func(LinkEvent) { t.Error("a code shown for a linked desk") }); !errors.Is(err, ErrLinked) || got.Number != a.Number {
		t.Errorf("Link when linked = %+v, %v; want ErrLinked with the account", got, err)
	}
	for _, kind := range []flows.AlertKind{flows.AlertReplaced, flows.AlertOutdated, flows.AlertBanned} {
		r.state.alert = flows.Alert{Channel: Name, Kind: kind, At: r.clock.Now(), Until: r.clock.Now().Add(time.Hour), Build: "b1"}
		if kind != flows.AlertBanned {
			r.state.alert.Until = time.Time{}
		}
		if err := r.sup.hold(t.Context()); err != nil { // Attach would fail the test
			t.Fatal(err)
		}
	}
}
