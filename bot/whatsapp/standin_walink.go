package whatsapp

// This file stands in for the adapter the helper "wa" writes (whatsapp.go, deliver.go,
// inbound.go, pacing.go …), with the same signatures, so that serve's wiring compiles
// on this branch. DELETE IT WHEN MERGING wa's branch: its declarations then clash
// with the real ones.

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"aduan/bot"
	"aduan/flows"
	"aduan/locales"
)

// Name is the channel's name in the outbox, the inbox and on complaints.
const Name = "whatsapp"

// Client is what the channel needs of a connected whatsmeow client.
type Client interface {
	SendMessage(ctx context.Context, to types.JID, m *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	IsConnected() bool
}

var _ Client = (*whatsmeow.Client)(nil)

// Store is what the channel needs of the database.
type Store interface {
	Receive(ctx context.Context, channel, id, chat string, payload []byte, now time.Time) (bool, error)
}

// Renderer turns an outbox message into the neutral form the channel formats.
type Renderer interface {
	Render(ctx context.Context, m flows.Envelope) (bot.Message, error)
}

// RenderFunc is a function that is a Renderer.
type RenderFunc func(ctx context.Context, m flows.Envelope) (bot.Message, error)

// Render calls f.
func (f RenderFunc) Render(ctx context.Context, m flows.Envelope) (bot.Message, error) {
	return f(ctx, m)
}

// Pacing is how sends are spaced.
type Pacing struct {
	Gap     time.Duration
	Jitter  time.Duration
	PerChat time.Duration
	Daily   int
}

// Config is how the channel behaves.
type Config struct {
	MaxFileBytes int64
	MaxFiles     int
	Pacing       Pacing
	Pace         flows.Clock
	MemberTTL    time.Duration
	MaxText      int
}

// Bot is the WhatsApp channel.
type Bot struct{ client Client }

// New returns the channel over client.
func New(cfg Config, client Client, store Store, render Renderer, catalog *locales.Catalog,
	rules func() *flows.Rules, clock flows.Clock, log *slog.Logger, wake func()) *Bot {
	return &Bot{client: client}
}

// Use makes the channel send through client from now on.
func (c *Bot) Use(client Client, self ...types.JID) { c.client = client }

// Name returns "whatsapp".
func (c *Bot) Name() string { return Name }

var errStandIn = errors.New("whatsapp: the adapter is not merged into this build")

// Deliver fails: the adapter is not merged.
func (c *Bot) Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error) {
	return flows.Receipt{}, errStandIn
}

// Decode fails: the adapter is not merged.
func (c *Bot) Decode(ctx context.Context, raw flows.RawInbound) (flows.Inbound, bool, error) {
	return flows.Inbound{}, false, errStandIn
}

// HandleMessage refuses every message: the adapter is not merged.
func (c *Bot) HandleMessage(evt *events.Message) bool { return false }
