// Package memory is a Channel that keeps what it is sent, for tests and for trying the
// desk without a chat network. It can be told to fail, to exercise the Sender.
package memory

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"aduan/bot"
	"aduan/flows"
	"aduan/locales"
)

// Sent is one delivered message and its rendered text: for a channel made by
// NewRendered, Message is the neutral message and Text its blocks joined by blank lines.
type Sent struct {
	flows.Envelope
	Text    string
	Message bot.Message
}

// Channel records deliveries. Safe for concurrent use.
type Channel struct {
	name     string
	render   func(flows.Envelope) (string, error)
	renderer *bot.Renderer
	surface  locales.Surface

	mu    sync.Mutex
	sent  []Sent
	fails []error
}

var _ bot.Channel = (*Channel)(nil)

// New returns a channel called name that renders each message with render (nil keeps
// the text empty).
func New(name string, render func(flows.Envelope) (string, error)) *Channel {
	return &Channel{name: name, render: render}
}

// NewRendered returns a channel called name that renders each message with r as
// surface s shows it, as a real channel does before formatting it.
func NewRendered(name string, r *bot.Renderer, s locales.Surface) *Channel {
	return &Channel{name: name, renderer: r, surface: s}
}

// Name returns the channel's name.
func (c *Channel) Name() string { return c.name }

// Deliver records m, or returns the next queued failure or the failure to render m. An
// edit keeps the reference of the message it replaces.
func (c *Channel) Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.fails) > 0 {
		err := c.fails[0]
		c.fails = c.fails[1:]
		return flows.Receipt{}, err
	}
	s := Sent{Envelope: m}
	if c.renderer != nil {
		msg, err := c.renderer.Render(ctx, m, c.surface)
		if err != nil {
			return flows.Receipt{}, fmt.Errorf("memory: render %s: %w", m.Notice.Msg, err)
		}
		s.Message, s.Text = msg, strings.Join(msg.Blocks, "\n\n")
	}
	if c.render != nil {
		text, err := c.render(m)
		if err != nil {
			return flows.Receipt{}, fmt.Errorf("memory: render %s: %w", m.Notice.Msg, err)
		}
		s.Text = text
	}
	c.sent = append(c.sent, s)
	if m.Edit != "" {
		return flows.Receipt{Ref: m.Edit, Thread: m.Thread}, nil
	}
	return flows.Receipt{Ref: fmt.Sprintf("mem-%d", len(c.sent)), Thread: m.Thread}, nil
}

// Fail makes the next deliveries fail with errs, in order.
func (c *Channel) Fail(errs ...error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fails = append(c.fails, errs...)
}

// Sent returns everything delivered so far, in order.
func (c *Channel) Sent() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Sent(nil), c.sent...)
}

// Take returns everything delivered so far and forgets it.
func (c *Channel) Take() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.sent
	c.sent = nil
	return out
}
