// Package web is the desk's channel for browsers: a citizen's chat on the desk's own
// pages, and — in the practice desk — the group chats of the units. A person's message
// comes in through Post (stored in the inbox with its line in the chat, like any
// channel's); the desk's messages are delivered as lines kept in the database
// (store.PutWebLine), which the pages show and keep current (package web at the
// project's root serves them). Nothing here speaks HTTP.
//
// Chats are named by the pages: a citizen's chat "c-" and a random token kept in their
// browser, a unit's group "g-" and the unit's code. A message's chat is never taken
// from what a browser sends but from the page that handles it.
package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"aduan/bot"
	"aduan/flows"
	"aduan/locales"
	"aduan/store"
)

// Name is the channel's name in the outbox, the inbox and on complaints.
const Name = "web"

// Chat prefixes: a citizen's chat, a unit's group.
const (
	CitizenPrefix = "c-"
	GroupPrefix   = "g-"
)

// CitizenChat returns a new citizen's chat name: "c-" and 26 random characters.
func CitizenChat() string { return CitizenPrefix + strings.ToLower(rand.Text()) }

// GroupChat returns the chat name of a unit's group.
func GroupChat(unit string) string { return GroupPrefix + unit }

// IsGroup reports whether chat is a unit's group.
func IsGroup(chat string) bool { return strings.HasPrefix(chat, GroupPrefix) }

// Member returns the user a person acting for the unit of a group chat is known as:
// "m-" and the unit's code. In the practice desk, one person plays every unit, each
// pane under the unit's member.
func Member(chat string) string { return memberPrefix + strings.TrimPrefix(chat, GroupPrefix) }

const memberPrefix = "m-"

// paneOf returns the chat whose page shows what the desk sends to chat: a message to
// a group's member alone (flows.ToPerson: the answer to their press, a refusal, a NIK
// shown to them) is shown in their group's pane, which only they see, as a notice.
func paneOf(chat string) (pane string, person bool) {
	if code, ok := strings.CutPrefix(chat, memberPrefix); ok {
		return GroupChat(code), true
	}
	return chat, false
}

// Store is what the channel needs of the database; *store.DB is one.
type Store interface {
	PutWebLine(ctx context.Context, chat, edit string, outboxID int64, body []byte, now time.Time) (ref string, version int64, err error)
	PostWeb(ctx context.Context, channel, messageID, chat string, payload, line []byte, now time.Time) (bool, error)
	WebLines(ctx context.Context, chat string, after int64) ([]store.WebLine, error)
	WebVersion(ctx context.Context, chat string) (int64, error)
	ClaimWebLines(ctx context.Context, chat string, complaint int64, ref string) error
	// Records gives a complaint's whole record (flows.MsgRecord, bot.Record).
	bot.Records
}

var _ Store = (*store.DB)(nil)

// Line is one line of a web chat as its page shows it: a message of the desk, or what
// the person sent.
type Line struct {
	// From is "desk" for the desk's messages and "person" for the person's own.
	From string `json:"from"`
	// Name is who sent a person's line in a group (the unit's member), for the page.
	Name string `json:"name,omitempty"`
	// Message is a desk line as rendered for the web surface.
	Message bot.Message `json:"message,omitzero"`
	// Text is a person's line: what they typed, or the label of what they pressed.
	Text string `json:"text,omitempty"`
	// Files are the attachments a desk line carries (a complaint's evidence), or the
	// one a person sent.
	Files []flows.Attachment `json:"files,omitempty"`
	// Document is a desk line's document: a complaint's whole record.
	Document *Document `json:"document,omitempty"`
	// Answer marks the answer to the person's own action (a press); Alert one they
	// must dismiss (a refusal).
	Answer bool `json:"answer,omitempty"`
	Alert  bool `json:"alert,omitempty"`
	// Edited marks a desk line replaced by a later version (a card kept current).
	Edited bool `json:"edited,omitempty"`
	// Complaint is the complaint a desk line is about, when it is about one.
	Complaint int64 `json:"complaint,omitempty"`
}

// Document is a text document a line carries: a complaint's whole record, a citizen's
// copy of their data.
type Document struct {
	Name string `json:"name"`
	Mime string `json:"mime,omitempty"` // "text/plain" when empty
	Text string `json:"text"`
}

// Desk and person, the two senders of a line.
const (
	FromDesk   = "desk"
	FromPerson = "person"
)

// Input is what a person sent from a page, for Post: the page fills Chat, User and
// Name from what it knows of the browser (a cookie, the pane), never from the form.
type Input struct {
	Chat string `json:"chat"`
	User string `json:"user"`
	Name string `json:"name,omitempty"`
	Lang string `json:"lang,omitempty"`
	// Text is typed text; Command a command without "/" ("start", "lapor", …); Choice
	// the data of a pressed button, Label its label as the page showed it.
	Text    string `json:"text,omitempty"`
	Command string `json:"command,omitempty"`
	Choice  string `json:"choice,omitempty"`
	Label   string `json:"label,omitempty"`
	// ReplyTo is the reference of the desk's line this answers (a prompt for text).
	ReplyTo string `json:"reply_to,omitempty"`
	// Attachment is a file the page has stored (its Ref), or a location.
	Attachment *flows.Attachment `json:"attachment,omitempty"`
	// Unsupported is what was sent that the desk cannot use ("too_large", …).
	Unsupported string `json:"unsupported,omitempty"`
}

// payload is an inbound message as the inbox keeps it.
type payload struct {
	Input
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
}

// Channel is the web channel. Its methods are safe for concurrent use.
type Channel struct {
	store   Store
	render  func(ctx context.Context, m flows.Envelope) (bot.Message, error)
	catalog *locales.Catalog
	rules   func() *flows.Rules
	clock   flows.Clock
	log     *slog.Logger

	mu      sync.Mutex
	waiting map[string][]*waiter // chat -> pages waiting for a change
}

var (
	_ bot.Channel    = (*Channel)(nil)
	_ bot.Decoder    = (*Channel)(nil)
	_ bot.Membership = (*Channel)(nil)
)

// New returns the web channel over the store, rendering with r on the web surface.
func New(st Store, r *bot.Renderer, catalog *locales.Catalog, rules func() *flows.Rules, clock flows.Clock, log *slog.Logger) *Channel {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Channel{store: st, render: r.For(locales.Web), catalog: catalog, rules: rules, clock: clock, log: log,
		waiting: map[string][]*waiter{}}
}

// Name returns "web".
func (c *Channel) Name() string { return Name }

// Post stores what a person sent, with its line in the chat, for the desk to handle;
// it returns the message's ID.
func (c *Channel) Post(ctx context.Context, in Input) (string, error) {
	if in.Chat == "" || in.User == "" {
		return "", fmt.Errorf("web: a message needs a chat and a user")
	}
	now := c.clock.Now()
	p := payload{Input: in, ID: strings.ToLower(rand.Text()), Time: now}
	raw, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	line := Line{From: FromPerson, Name: in.Name, Text: cmpText(in)}
	if in.Attachment != nil {
		line.Files = []flows.Attachment{*in.Attachment}
	}
	body, err := json.Marshal(line)
	if err != nil {
		return "", err
	}
	if _, err := c.store.PostWeb(ctx, Name, p.ID, in.Chat, raw, body, now); err != nil {
		return "", err
	}
	c.changed(in.Chat)
	return p.ID, nil
}

// cmpText is what a person's line shows: the label of a press, or the text.
func cmpText(in Input) string {
	if in.Choice != "" && in.Label != "" {
		return in.Label
	}
	if in.Command != "" && in.Text == "" {
		return "/" + in.Command
	}
	return in.Text
}

// Decode turns a stored message into what the desk understands; group is set for a
// unit's group chat.
func (c *Channel) Decode(ctx context.Context, raw flows.RawInbound) (flows.Inbound, bool, error) {
	var p payload
	if err := json.Unmarshal(raw.Payload, &p); err != nil {
		return flows.Inbound{}, false, fmt.Errorf("web: %w: %v", bot.ErrMalformed, err)
	}
	group := IsGroup(raw.Chat)
	in := flows.Inbound{Channel: Name, ID: raw.ID, Chat: raw.Chat, User: p.User, Name: p.Name, Lang: p.Lang,
		Command: p.Command, Text: p.Text, Choice: p.Choice, ReplyTo: p.ReplyTo, Attachment: p.Attachment,
		Unsupported: p.Unsupported}
	if group && p.Choice != "" {
		// A press in a group is answered to the person who pressed (flows.Notice.Press).
		in.Press = "p-" + raw.ID
	}
	return in, group, nil
}

// Member reports whether user acts for the unit of a group chat: only its member does.
func (c *Channel) Member(ctx context.Context, chat, user string) (bool, error) {
	return IsGroup(chat) && user == Member(chat), nil
}

// Deliver writes one outbox message as a line of its chat: a text with its buttons, a
// complaint's files, its whole record as a document, or the answer to a person's
// press; an edit replaces the line it names.
func (c *Channel) Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error) {
	line := Line{From: FromDesk, Complaint: m.Notice.Complaint, Answer: m.Notice.Press != "", Alert: m.Notice.Alert}
	if m.Notice.Press != "" && m.Notice.Msg == "" {
		// Only an acknowledgement of the press: a page shows nothing for it.
		return flows.Receipt{Ref: m.Notice.Press}, nil
	}
	msg, err := c.render(ctx, m)
	if err != nil {
		return flows.Receipt{}, err
	}
	line.Message = msg
	chat, person := paneOf(m.Chat)
	line.Answer = line.Answer || person
	switch m.Notice.Msg {
	case flows.MsgFiles:
		line.Files = m.Notice.Files
	case flows.MsgRecord:
		doc, err := bot.Record(ctx, c.store, c.catalog, c.rules(), m)
		if doc.Data == nil {
			return flows.Receipt{}, err
		}
		if err != nil {
			c.log.Warn("record rendering incomplete", "err", err)
		}
		line.Document = &Document{Name: doc.Name, Mime: doc.Mime, Text: string(doc.Data)}
		line.Message.Choices = nil
	case flows.MsgDataCopy:
		doc, err := bot.DataCopy(c.catalog, c.rules(), m)
		if doc.Data == nil {
			return flows.Receipt{}, err
		}
		if err != nil {
			c.log.Warn("data copy rendering incomplete", "err", err)
		}
		line.Document = &Document{Name: doc.Name, Mime: doc.Mime, Text: string(doc.Data)}
		line.Message.Choices = nil
	}
	line.Edited = m.Edit != ""
	body, err := json.Marshal(line)
	if err != nil {
		return flows.Receipt{}, fmt.Errorf("web: %w: %v", bot.ErrRejected, err)
	}
	ref, _, err := c.store.PutWebLine(ctx, chat, m.Edit, m.ID, body, c.clock.Now())
	if err != nil {
		return flows.Receipt{}, err
	}
	if m.Notice.Msg == flows.MsgFiled && m.Notice.Complaint != 0 {
		// The conversation that filed the complaint is the complaint's: its erasure
		// takes it, even while the chat holds other complaints.
		if err := c.store.ClaimWebLines(ctx, m.Chat, m.Notice.Complaint, ref); err != nil {
			return flows.Receipt{}, err
		}
	}
	c.changed(chat)
	return flows.Receipt{Ref: ref, Thread: m.Thread}, nil
}

// Lines returns the lines of chat written or changed after version, oldest first, and
// the chat's version to ask from next time.
func (c *Channel) Lines(ctx context.Context, chat string, after int64) ([]StoredLine, int64, error) {
	rows, err := c.store.WebLines(ctx, chat, after)
	if err != nil {
		return nil, after, err
	}
	out := make([]StoredLine, 0, len(rows))
	version := after
	for _, r := range rows {
		var l Line
		if err := json.Unmarshal(r.Body, &l); err != nil {
			c.log.Warn("web line unreadable, skipped", "ref", r.Ref, "err", err)
			continue
		}
		out = append(out, StoredLine{Line: l, Ref: r.Ref, Version: r.Version, At: r.At})
		version = max(version, r.Version)
	}
	return out, version, nil
}

// StoredLine is a line with what the store knows of it.
type StoredLine struct {
	Line
	Ref     string
	Version int64
	At      time.Time
}

// Wait returns a channel closed at the next change of chat in this process (a line
// written by Post or Deliver here), and a function to stop waiting. A page also polls:
// another replica's changes do not wake it.
func (c *Channel) Wait(chat string) (<-chan struct{}, func()) { return c.WaitAny(chat) }

// WaitAny is Wait for several chats at once: the channel is closed at the next change
// of any of them.
func (c *Channel) WaitAny(chats ...string) (<-chan struct{}, func()) {
	w := &waiter{ch: make(chan struct{})}
	c.mu.Lock()
	for _, chat := range chats {
		c.waiting[chat] = append(c.waiting[chat], w)
	}
	c.mu.Unlock()
	return w.ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, chat := range chats {
			ws := slices.DeleteFunc(c.waiting[chat], func(o *waiter) bool { return o == w })
			if len(ws) == 0 {
				delete(c.waiting, chat)
			} else {
				c.waiting[chat] = ws
			}
		}
	}
}

// waiter is a page waiting for a change of one or more chats.
type waiter struct {
	ch   chan struct{}
	once sync.Once
}

// changed wakes the pages waiting on chat.
func (c *Channel) changed(chat string) {
	c.mu.Lock()
	ws := c.waiting[chat]
	delete(c.waiting, chat)
	c.mu.Unlock()
	for _, w := range ws {
		w.once.Do(func() { close(w.ch) })
	}
}
