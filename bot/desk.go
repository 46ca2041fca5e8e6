package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"aduan/flows"
	"aduan/locales"
)

// Store is what the desk needs of the database to handle inbound messages. Each method
// handles one message in one transaction, marking it handled (by its channel and ID)
// together with its effects.
type Store interface {
	// Choices tells what the desk's delivered messages offered, to read typed answers.
	Choices
	// Converse handles a citizen's message in their private chat.
	Converse(ctx context.Context, rules *flows.Rules, intake *flows.Intake, prefix string, in flows.Inbound, now time.Time) error
	// Press handles a card button pressed in the group of the given units.
	Press(ctx context.Context, rules *flows.Rules, units []string, in flows.Inbound, a flows.CardAction, now time.Time) error
	// GroupCommand answers a command typed in the group of the given units.
	GroupCommand(ctx context.Context, units []string, in flows.Inbound, now time.Time) error
	// ReplyText handles a reply in a group: the text of a pending action, or nothing.
	ReplyText(ctx context.Context, in flows.Inbound, now time.Time) error
	// ConfirmPending handles Send or Cancel under a pending action's text.
	ConfirmPending(ctx context.Context, rules *flows.Rules, in flows.Inbound, id int64, confirm bool, now time.Time) error
	// Show answers a button that shows more of a complaint (its card, files,
	// description or record) in the group of the given units.
	Show(ctx context.Context, rules *flows.Rules, units []string, in flows.Inbound, v flows.View, now time.Time) error
	// Stale answers a button pressed in a group that no card or pending action offers
	// (tampered or unknown data) with flows.MsgStaleCard, to the person who pressed.
	Stale(ctx context.Context, in flows.Inbound, now time.Time) error
	// Answer tells a notice to the person who sent a message (answering their press
	// when it was one), never to the group, and marks the message handled.
	Answer(ctx context.Context, in flows.Inbound, n flows.Notice, now time.Time) error
	// Handled marks a message that needs nothing done.
	Handled(ctx context.Context, channel, id string, now time.Time) error
	// ClaimInbox leases the oldest unhandled message of each chat of the channels.
	ClaimInbox(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]flows.RawInbound, error)
	// GiveUp marks a message that cannot be handled, so that its chat proceeds; when
	// apologize is set, the sender (a citizen in a private chat) is asked to send it again.
	GiveUp(ctx context.Context, channel, id, chat, reason string, apologize bool, now time.Time) error
	// RetryInbox returns a message that failed for a passing reason to be claimed again at at.
	RetryInbox(ctx context.Context, channel, id string, at time.Time, reason string) error
}

// ErrMalformed marks an inbound message that can never be handled as it is (its
// channel cannot decode it): the desk gives it up at once instead of retrying it.
var ErrMalformed = errors.New("bot: malformed inbound message")

// Decoder turns a channel's stored inbound message into what the desk understands.
// Decode may fetch attachments. group reports a message from a group chat.
type Decoder interface {
	Name() string
	Decode(ctx context.Context, raw flows.RawInbound) (in flows.Inbound, group bool, err error)
}

// Membership is the optional ability of a channel to tell whether a person is, now, a
// member of a group chat. The desk asks it before any action in a unit's group, and
// refuses the actions of people who are not (who left or were removed).
type Membership interface {
	// Member reports whether user belongs to the group chat now; an error means it
	// could not be told (the message is then handled again later).
	Member(ctx context.Context, chat, user string) (bool, error)
}

// Desk handles inbound messages of every channel the same way: private chats are
// conversations with citizens, group chats are units working their cards.
type Desk struct {
	Store  Store
	Rules  func() *flows.Rules
	Intake *flows.Intake
	Prefix string // tracking-number prefix
	Clock  flows.Clock
	Log    *slog.Logger
	// MaxAttempts is how often a message that fails for a passing reason (a download, the
	// database) is tried before it is given up; default 5, the retries 1, 2, 4 and 8
	// seconds apart. A malformed message, or one whose handling panics, is given up at once.
	MaxAttempts int
	// Observe, when set, is called after each inbound message was handled (err nil) or
	// failed, once its effects are committed: for metrics and benchmarks.
	Observe func(raw flows.RawInbound, err error)
	// Workers is how many messages are handled at once (of different chats); default 16.
	Workers int
	// Words are the words that stand for choices on a surface without buttons (see
	// TextSurface and Pick); nil is locales.StandardWords().
	Words *locales.Words

	strange sync.Map // group chats of no unit: chat -> when last logged
	busy    atomic.Int32
	running sync.WaitGroup
	mu      sync.Mutex
	due     time.Time // the earliest retry of a failed message
}

// Handle handles one decoded inbound message. In a group chat, a command for the
// chat's ID (/id) is answered in any group; everything else is for units' groups only.
// Before any action there (a press, a reply, a command but /help and /id) the desk
// checks, when the channel can tell (Membership), that the person is a member of the
// group still: one who is not is refused, to them alone. Handle takes in as it is: the
// typed answers of a surface without buttons are read as choices (see TextSurface) only
// in the messages the desk drains from the inbox.
func (d *Desk) Handle(ctx context.Context, in flows.Inbound, group bool) error {
	return d.handle(ctx, nil, in, group)
}

// handle is Handle with the decoder the message came through, which may tell group
// membership.
func (d *Desk) handle(ctx context.Context, dec Decoder, in flows.Inbound, group bool) error {
	rules, now := d.Rules(), d.Clock.Now()
	if !group {
		return d.Store.Converse(ctx, rules, d.Intake, d.Prefix, in, now)
	}
	units := rules.Units.UnitsOfChat(in.Channel, in.Chat)
	if len(units) == 0 {
		// A group the routing tree does not know: only its chat ID is told, so that an
		// operator can put it in the units file.
		d.strangeGroup(dec, in, now)
		switch {
		case flows.IsChatIDCommand(in.Command):
			return d.Store.GroupCommand(ctx, nil, in, now)
		case in.Press != "" && in.Choice != "":
			return d.Store.Answer(ctx, in, flows.Notice{Msg: flows.MsgStaleCard, Alert: true}, now)
		}
		return d.Store.Handled(ctx, in.Channel, in.ID, now)
	}
	reply := in.ReplyTo != "" && in.Text != "" && in.Command == ""
	free := in.Command == "help" || flows.IsChatIDCommand(in.Command)
	if (in.Choice != "" || reply || in.Command != "") && !free {
		if ok, err := d.member(ctx, dec, in); err != nil {
			return err
		} else if !ok {
			d.Log.Info("group action refused: not a member", "channel", in.Channel, "chat_id", logChat(dec, in.Chat))
			return d.Store.Answer(ctx, in, flows.Notice{Msg: flows.MsgNotMember, Alert: true}, now)
		}
	}
	if a, ok := flows.ParseCardAction(in.Choice); ok {
		return d.Store.Press(ctx, rules, units, in, a, now)
	}
	if id, confirm, ok := flows.ParsePendingData(in.Choice); ok {
		return d.Store.ConfirmPending(ctx, rules, in, id, confirm, now)
	}
	if v, ok := flows.ParseView(in.Choice); ok {
		return d.Store.Show(ctx, rules, units, in, v, now)
	}
	if in.Choice != "" {
		return d.Store.Stale(ctx, in, now)
	}
	if reply {
		return d.Store.ReplyText(ctx, in, now)
	}
	if in.Command != "" {
		return d.Store.GroupCommand(ctx, units, in, now)
	}
	return d.Store.Handled(ctx, in.Channel, in.ID, now)
}

// member asks the message's channel whether its sender is a member of the group; a
// channel that cannot tell lets everyone act.
func (d *Desk) member(ctx context.Context, dec Decoder, in flows.Inbound) (bool, error) {
	m, ok := dec.(Membership)
	if !ok {
		return true, nil
	}
	if in.User == "" {
		return false, nil
	}
	yes, err := m.Member(ctx, in.Chat, in.User)
	if err != nil {
		return false, fmt.Errorf("membership: %w", err)
	}
	return yes, nil
}

// strangeGroup logs a message from a group chat that is no unit's: its chat ID, masked
// when its channel masks it (ChatMasker; /id in the group tells it whole), never the
// content, at most once an hour per chat.
func (d *Desk) strangeGroup(dec Decoder, in flows.Inbound, now time.Time) {
	key := in.Channel + " " + in.Chat
	if last, ok := d.strange.Load(key); ok && now.Sub(last.(time.Time)) < time.Hour {
		return
	}
	d.strange.Store(key, now)
	d.Log.Warn("message from a group chat that is in no unit: put its chat ID in the units file if it should be",
		"channel", in.Channel, "chat_id", logChat(dec, in.Chat))
}

// Drain handles every inbound message waiting for the decoders' channels, each chat's
// in order, different chats at once, and returns how many it handled. A message that
// fails is retried when its lease runs out, and given up after MaxAttempts so that its
// chat can go on.
func (d *Desk) Drain(ctx context.Context, decoders []Decoder) (int, error) {
	handled := 0
	for ctx.Err() == nil {
		n, err := d.pass(ctx, decoders, nil)
		handled += n
		if err != nil || n == 0 {
			return handled, err
		}
	}
	return handled, ctx.Err()
}

// Run handles inbound messages as they come, with up to Workers at once, until ctx
// ends: it claims more whenever a worker is free and wake fires, and at least every poll.
func (d *Desk) Run(ctx context.Context, decoders []Decoder, wake <-chan struct{}, poll time.Duration) {
	free := make(chan struct{}, 1)
	for {
		if _, err := d.pass(ctx, decoders, free); err != nil && ctx.Err() == nil {
			d.Log.Error("inbox claim failed", "err", err)
		}
		t := time.NewTimer(d.nextWake(poll))
		select {
		case <-ctx.Done():
			t.Stop()
			d.running.Wait()
			return
		case <-wake:
		case <-free:
		case <-t.C:
		}
		t.Stop()
	}
}

// nextWake returns how long Run sleeps at most: poll, or less when a failed message is
// to be retried sooner.
func (d *Desk) nextWake(poll time.Duration) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.due.IsZero() {
		return poll
	}
	w := d.due.Sub(d.Clock.Now())
	if w <= 0 {
		d.due = time.Time{}
		return min(poll, 10*time.Millisecond)
	}
	return min(poll, w)
}

func (d *Desk) retryAt(at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.due.IsZero() || at.Before(d.due) {
		d.due = at
	}
}

// pass claims as many waiting messages as there are free workers and starts them. With
// free == nil it waits for them (Drain); otherwise each finished worker signals free.
func (d *Desk) pass(ctx context.Context, decoders []Decoder, free chan struct{}) (int, error) {
	byName := map[string]Decoder{}
	var names []string
	for _, dec := range decoders {
		byName[dec.Name()] = dec
		names = append(names, dec.Name())
	}
	slots := d.slots()
	if slots == 0 || len(names) == 0 {
		return 0, nil
	}
	batch, err := d.Store.ClaimInbox(ctx, names, d.Clock.Now(), time.Minute, slots)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, raw := range batch {
		d.busy.Add(1)
		d.running.Add(1)
		wg.Add(1)
		go func() {
			defer func() {
				d.busy.Add(-1)
				d.running.Done()
				wg.Done()
				if free != nil {
					select {
					case free <- struct{}{}:
					default:
					}
				}
			}()
			err := d.handleRaw(ctx, byName[raw.Channel], raw)
			if d.Observe != nil {
				d.Observe(raw, err)
			}
			if err != nil {
				d.Log.Error("inbound message failed", "channel", raw.Channel, "message_id", raw.ID, "attempts", raw.Attempts, "err", err)
			}
		}()
	}
	if free == nil {
		wg.Wait()
	}
	return len(batch), nil
}

func (d *Desk) slots() int {
	w := d.Workers
	if w == 0 {
		w = 16
	}
	return max(0, w-int(d.busy.Load()))
}

func (d *Desk) maxAttempts() int {
	if d.MaxAttempts == 0 {
		return 5
	}
	return d.MaxAttempts
}

// handleRaw decodes one stored message, reads typed text from a surface without buttons
// against the choices shown (see TextSurface), handles it, tells its sender so when the
// channel can (Acknowledger), and settles what happens to it when
// that fails: a malformed message, or one whose handling panics, is given up at once
// (it would fail the same way again); one that failed for a passing reason is retried
// soon, with its chat's later messages waiting, and given up after MaxAttempts. A
// citizen whose message is given up is asked to send it again.
func (d *Desk) handleRaw(ctx context.Context, dec Decoder, raw flows.RawInbound) (err error) {
	// Until the decoder tells, a chat is a group by its address: Telegram's start with
	// "-", WhatsApp's end in "@g.us".
	group := raw.Chat == "" || strings.HasPrefix(raw.Chat, "-") || strings.HasSuffix(raw.Chat, "@g.us")
	permanent := false
	defer func() {
		if r := recover(); r != nil {
			err, permanent = fmt.Errorf("panic: %v", r), true
		}
		if err == nil {
			return
		}
		now := d.Clock.Now()
		if permanent || errors.Is(err, ErrMalformed) || raw.Attempts >= d.maxAttempts() {
			d.Log.Warn("inbound message given up", "channel", raw.Channel, "message_id", raw.ID, "attempts", raw.Attempts)
			if gerr := d.Store.GiveUp(ctx, raw.Channel, raw.ID, raw.Chat, err.Error(), !group, now); gerr != nil {
				d.Log.Error("give up failed", "err", gerr)
			}
			return
		}
		at := now.Add(time.Second << min(raw.Attempts-1, 6))
		if rerr := d.Store.RetryInbox(ctx, raw.Channel, raw.ID, at, err.Error()); rerr != nil {
			d.Log.Error("inbox retry failed", "err", rerr) // the lease runs out instead
			return
		}
		d.retryAt(at)
	}()
	if dec == nil {
		return fmt.Errorf("no decoder for channel %q: %w", raw.Channel, ErrMalformed)
	}
	in, g, err := dec.Decode(ctx, raw)
	group = g // a decoder tells whether the chat is a group even when it fails
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	in.Channel, in.ID = raw.Channel, raw.ID
	if in, err = d.resolve(ctx, dec, in, group); err != nil {
		return fmt.Errorf("resolve a typed choice: %w", err)
	}
	if err = d.handle(ctx, dec, in, group); err != nil {
		return err
	}
	if a, ok := dec.(Acknowledger); ok {
		d.acknowledge(ctx, a, raw)
	}
	return nil
}

// acknowledge tells a handled message's sender so (Acknowledger). A panic there is
// logged and goes no further: the message is handled, its effects committed.
func (d *Desk) acknowledge(ctx context.Context, a Acknowledger, raw flows.RawInbound) {
	defer func() {
		if r := recover(); r != nil {
			d.Log.Error("inbound message acknowledgement panicked", "channel", raw.Channel, "message_id", raw.ID)
		}
	}()
	a.Acknowledge(ctx, raw)
}
