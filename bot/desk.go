package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
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
	// ReplyText handles a reply in a group: the text of a pending action, or nothing.
	ReplyText(ctx context.Context, in flows.Inbound, now time.Time) error
	// ConfirmPending handles Send or Cancel under a pending action's text.
	ConfirmPending(ctx context.Context, rules *flows.Rules, in flows.Inbound, id int64, confirm bool, now time.Time) error
	// Handled marks a message that needs nothing done.
	Handled(ctx context.Context, channel, id string, now time.Time) error
	// ClaimInbox leases the oldest unhandled message of each chat of the channels.
	ClaimInbox(ctx context.Context, channels []string, now time.Time, lease time.Duration, limit int) ([]flows.RawInbound, error)
	// GiveUp marks a message that cannot be handled, so that its chat proceeds.
	GiveUp(ctx context.Context, channel, id, reason string, now time.Time) error
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
	if in.ReplyTo != "" && in.Text != "" {
		return d.Store.ReplyText(ctx, in, now)
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
// in order, different chats at once. A message that fails is retried when its lease
// runs out, and given up after MaxAttempts so that its chat can go on.
func (d *Desk) Drain(ctx context.Context, decoders []Decoder) (int, error) {
	if d.MaxAttempts == 0 {
		d.MaxAttempts = 5
	}
	byName := map[string]Decoder{}
	var names []string
	for _, dec := range decoders {
		byName[dec.Name()] = dec
		names = append(names, dec.Name())
	}
	handled := 0
	for ctx.Err() == nil {
		batch, err := d.Store.ClaimInbox(ctx, names, d.Clock.Now(), time.Minute, 32)
		if err != nil || len(batch) == 0 {
			return handled, err
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, raw := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := d.handleRaw(ctx, byName[raw.Channel], raw)
				if d.Observe != nil {
					d.Observe(raw, err)
				}
				if err != nil {
					d.Log.Error("inbound message failed", "channel", raw.Channel, "message_id", raw.ID, "attempts", raw.Attempts, "err", err)
					return
				}
				mu.Lock()
				handled++
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	return handled, ctx.Err()
}

func (d *Desk) handleRaw(ctx context.Context, dec Decoder, raw flows.RawInbound) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
		if err != nil && raw.Attempts >= d.MaxAttempts {
			d.Log.Error("inbound message given up", "channel", raw.Channel, "message_id", raw.ID)
			if gerr := d.Store.GiveUp(ctx, raw.Channel, raw.ID, err.Error(), d.Clock.Now()); gerr != nil {
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

// Run handles inbound messages whenever wake fires and at least every poll, until ctx ends.
func (d *Desk) Run(ctx context.Context, decoders []Decoder, wake <-chan struct{}, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := d.Drain(ctx, decoders); err != nil && ctx.Err() == nil {
			d.Log.Error("inbox drain failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}
