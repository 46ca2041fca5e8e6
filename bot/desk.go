package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"aduan/flows"
)

// Store is what the desk needs of the database to handle inbound messages. Each method
// handles one message in one transaction, marking it handled (by its channel and ID)
// together with its effects.
type Store interface {
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
	// (tampered or unknown data) with flows.MsgStaleCard.
	Stale(ctx context.Context, in flows.Inbound, now time.Time) error
	// Handled marks a message that needs nothing done.
	Handled(ctx context.Context, channel, id string, now time.Time) error
	// ClaimInbox leases the oldest unhandled message of each chat of the channels.
	ClaimInbox(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]flows.RawInbound, error)
	// GiveUp marks a message that cannot be handled, so that its chat proceeds; when
	// apologize is set, the sender (a citizen in a private chat) is asked to send it again.
	GiveUp(ctx context.Context, channel, id, chat, reason string, apologize bool, now time.Time) error
}

// Decoder turns a channel's stored inbound message into what the desk understands.
// Decode may fetch attachments. group reports a message from a group chat.
type Decoder interface {
	Name() string
	Decode(ctx context.Context, raw flows.RawInbound) (in flows.Inbound, group bool, err error)
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
	// MaxAttempts is how often a message is tried before it is given up; default 5.
	MaxAttempts int
	// Observe, when set, is called after each inbound message was handled (err nil) or
	// failed, once its effects are committed: for metrics and benchmarks.
	Observe func(raw flows.RawInbound, err error)
	// Workers is how many messages are handled at once (of different chats); default 16.
	Workers int

	once    sync.Once
	byName  map[string]Decoder
	names   []string
	busy    atomic.Int32
	running sync.WaitGroup
}

// Handle handles one decoded inbound message.
func (d *Desk) Handle(ctx context.Context, in flows.Inbound, group bool) error {
	rules, now := d.Rules(), d.Clock.Now()
	if !group {
		return d.Store.Converse(ctx, rules, d.Intake, d.Prefix, in, now)
	}
	units := unitsOfChat(rules, in.Channel, in.Chat)
	if len(units) == 0 {
		// A group the routing tree does not know: nothing to do there.
		return d.Store.Handled(ctx, in.Channel, in.ID, now)
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
	if in.ReplyTo != "" && in.Text != "" && in.Command == "" {
		return d.Store.ReplyText(ctx, in, now)
	}
	if in.Command != "" {
		return d.Store.GroupCommand(ctx, units, in, now)
	}
	return d.Store.Handled(ctx, in.Channel, in.ID, now)
}

// unitsOfChat returns the codes of the units whose group chat on channel is chat.
func unitsOfChat(rules *flows.Rules, channel, chat string) []string {
	var out []string
	for _, u := range rules.Units.Units() {
		switch {
		case channel == "telegram" && u.Telegram != 0 && strconv.FormatInt(u.Telegram, 10) == chat,
			channel == "whatsapp" && u.WhatsApp != "" && u.WhatsApp == chat:
			out = append(out, u.Code)
		}
	}
	return out
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
	t := time.NewTicker(poll)
	defer t.Stop()
	free := make(chan struct{}, 1)
	for {
		if _, err := d.pass(ctx, decoders, free); err != nil && ctx.Err() == nil {
			d.Log.Error("inbox claim failed", "err", err)
		}
		select {
		case <-ctx.Done():
			d.running.Wait()
			return
		case <-wake:
		case <-free:
		case <-t.C:
		}
	}
}

// pass claims as many waiting messages as there are free workers and starts them. With
// free == nil it waits for them (Drain); otherwise each finished worker signals free.
func (d *Desk) pass(ctx context.Context, decoders []Decoder, free chan struct{}) (int, error) {
	d.init(decoders)
	slots := d.slots()
	if slots == 0 {
		return 0, nil
	}
	batch, err := d.Store.ClaimInbox(ctx, d.names, d.Clock.Now(), time.Minute, slots)
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
			err := d.handleRaw(ctx, d.byName[raw.Channel], raw)
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

func (d *Desk) init(decoders []Decoder) {
	d.once.Do(func() {
		if d.MaxAttempts == 0 {
			d.MaxAttempts = 5
		}
		if d.Workers == 0 {
			d.Workers = 16
		}
		d.byName = map[string]Decoder{}
		for _, dec := range decoders {
			d.byName[dec.Name()] = dec
			d.names = append(d.names, dec.Name())
		}
	})
}

func (d *Desk) slots() int { return max(0, d.Workers-int(d.busy.Load())) }

func (d *Desk) handleRaw(ctx context.Context, dec Decoder, raw flows.RawInbound) (err error) {
	group := true
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
		if err != nil && raw.Attempts >= d.MaxAttempts {
			d.Log.Error("inbound message given up", "channel", raw.Channel, "message_id", raw.ID)
			if gerr := d.Store.GiveUp(ctx, raw.Channel, raw.ID, raw.Chat, err.Error(), !group, d.Clock.Now()); gerr != nil {
				d.Log.Error("give up failed", "err", gerr)
			}
		}
	}()
	in, group, err := dec.Decode(ctx, raw)
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	in.Channel, in.ID = raw.Channel, raw.ID
	return d.Handle(ctx, in, group)
}
