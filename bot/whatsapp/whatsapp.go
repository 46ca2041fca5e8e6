// Package whatsapp is the desk's WhatsApp channel over whatsmeow, an unofficial client
// of the WhatsApp Web protocol: it stores each inbound message before WhatsApp is told
// it arrived (HandleMessage), turns stored messages into flows.Inbound for the desk
// (Decode), and delivers the outbox in WhatsApp's markup — choices as numbered lines,
// files, locations — paced to look like a person at a phone, and only to citizens who
// wrote first. It is the only package that imports whatsmeow; linking the desk's number
// and running the connection live beside it (session.go, link.go).
package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"aduan/bot"
	"aduan/flows"
	"aduan/locales"
)

// Name is the channel's name in the outbox, the inbox and on complaints.
const Name = "whatsapp"

// Client is what the channel needs of a connected whatsmeow client; *whatsmeow.Client
// is one. Every method may fail with whatsmeow's errors (ErrNotConnected,
// ErrNotLoggedIn, ErrServerReturnedError …).
type Client interface {
	// SendMessage sends m to a user or group JID and waits for the server's ack; with
	// SendRequestExtra.ID set it sends under that message ID.
	SendMessage(ctx context.Context, to types.JID, m *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	// GenerateMessageID returns a new message ID for SendRequestExtra.ID.
	GenerateMessageID() types.MessageID
	// MarkRead sends read receipts for messages of one sender in chat.
	MarkRead(ctx context.Context, ids []types.MessageID, ts time.Time, chat, sender types.JID, rt ...types.ReceiptType) error
	// SendChatPresence shows (or stops showing) "typing…" in a chat.
	SendChatPresence(ctx context.Context, chat types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	// Download fetches and decrypts an attachment of a received message.
	Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)
	// Upload encrypts and uploads a file to attach to a message.
	Upload(ctx context.Context, data []byte, kind whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	// GetGroupInfo returns a group's name and participants; it fails with
	// whatsmeow.ErrNotInGroup or ErrGroupNotFound when the desk is not in it.
	GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error)
	// IsConnected reports whether the websocket is up.
	IsConnected() bool
}

var _ Client = (*whatsmeow.Client)(nil)

// Store is what the channel needs of the database.
type Store interface {
	// Receive stores an inbound message unless it was stored before; false for a
	// redelivery (or a message set aside).
	Receive(ctx context.Context, channel, id, chat string, payload []byte, now time.Time) (bool, error)
	// Wrote reports whether the private chat has ever written to the desk: only then
	// may the desk write to it.
	Wrote(ctx context.Context, channel, chat string) (bool, error)
	// Records gives a complaint and its audit trail, for its record (bot.Record).
	bot.Records
	// SaveFile keeps an attachment's bytes and returns the reference to store on the complaint.
	SaveFile(ctx context.Context, channel, chat, fileRef, name, mime string, data []byte, now time.Time) (string, error)
	// Attachment returns a kept file by the reference SaveFile returned.
	Attachment(ctx context.Context, ref string) (name, mime string, data []byte, err error)
	// DraftFiles returns the step of a private chat's conversation and the number of
	// attachments its draft holds (flows.StepMenu and 0 without a conversation).
	DraftFiles(ctx context.Context, channel, chat string) (flows.Step, int, error)
}

// Renderer turns an outbox message into the neutral form the channel formats, worded
// for a surface without buttons or slash commands (see bot.Message).
type Renderer interface {
	// Render returns m worded for WhatsApp; an error (the complaint of a card cannot be
	// read) leaves the message to be tried again.
	Render(ctx context.Context, m flows.Envelope) (bot.Message, error)
}

// RenderFunc is a function that is a Renderer, such as the desk's renderer bound to
// WhatsApp's surface: RenderFunc(renderer.For(locales.WhatsApp)).
type RenderFunc func(ctx context.Context, m flows.Envelope) (bot.Message, error)

// Render calls f.
func (f RenderFunc) Render(ctx context.Context, m flows.Envelope) (bot.Message, error) {
	return f(ctx, m)
}

// Config is how the channel behaves.
type Config struct {
	// MaxFileBytes is the largest attachment downloaded and kept; default 10 MiB.
	MaxFileBytes int64
	// MaxFiles is the most attachments a draft holds: no further file is downloaded.
	// Zero means no limit of the channel's own.
	MaxFiles int
	// Pacing spaces sends; the zero value means DefaultPacing.
	Pacing Pacing
	// Pace is the clock of that pacing: real time, whatever clock the desk's business
	// follows. Nil means the business clock.
	Pace flows.Clock
	// MemberTTL is how long a group's participants are believed before WhatsApp is
	// asked again; default one minute.
	MemberTTL time.Duration
	// MaxText is the longest text of one message, in characters; a longer one is sent
	// in parts. Default 3000 (WhatsApp takes more, a phone screen shows less).
	MaxText int
}

// Bot is the WhatsApp channel. Its methods are safe for concurrent use.
type Bot struct {
	cfg     Config
	store   Store
	render  Renderer
	catalog *locales.Catalog
	rules   func() *flows.Rules
	clock   flows.Clock
	log     *slog.Logger
	wake    func()
	pacer   *Pacer
	turn    chan struct{}                                    // held by the one delivery pacing its send
	sleep   func(ctx context.Context, d time.Duration) error // waits d of pacing time
	after   func(d time.Duration) <-chan time.Time           // fires after d of real time

	mu      sync.Mutex
	client  Client
	self    []types.JID             // the desk's own JIDs (phone number and LID), when known
	groups  map[types.JID]groupSeen // participants of groups asked lately (Member)
	written map[string]bool         // private chats known to have written first
}

var (
	_ bot.PartialChannel = (*Bot)(nil)
	_ bot.Decoder        = (*Bot)(nil)
	_ bot.Membership     = (*Bot)(nil)
)

// New returns the channel over client (which may be nil until the connection is up:
// see Use). render words the outbox's messages for WhatsApp; catalog renders what
// render does not (captions of files, a complaint's record); rules gives the units and
// calendar; wake is called after a new message was stored. It makes no network call.
func New(cfg Config, client Client, store Store, render Renderer, catalog *locales.Catalog,
	rules func() *flows.Rules, clock flows.Clock, log *slog.Logger, wake func()) *Bot {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if wake == nil {
		wake = func() {}
	}
	if cfg.MaxFileBytes == 0 {
		cfg.MaxFileBytes = 10 << 20
	}
	if cfg.Pacing == (Pacing{}) {
		cfg.Pacing = DefaultPacing()
	}
	if cfg.Pace == nil {
		cfg.Pace = clock
	}
	if cfg.MemberTTL == 0 {
		cfg.MemberTTL = time.Minute
	}
	if cfg.MaxText == 0 {
		cfg.MaxText = 3000
	}
	return &Bot{cfg: cfg, client: client, store: store, render: render, catalog: catalog, rules: rules,
		clock: clock, log: log, wake: wake, pacer: NewPacer(cfg.Pacing), turn: make(chan struct{}, 1), sleep: sleep, after: time.After,
		groups: map[types.JID]groupSeen{}, written: map[string]bool{}}
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Use makes the channel send through client from now on (a new connection after a
// takeover or a new pairing), and self the desk's own JIDs on it (its phone-number JID
// and its LID, either may be empty): a quote of a message from one of them is a quote
// of the desk's. A nil client stops sending: messages wait.
func (c *Bot) Use(client Client, self ...types.JID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.client = client
	c.self = nil
	for _, j := range self {
		if !j.IsEmpty() {
			c.self = append(c.self, j.ToNonAD())
		}
	}
	c.groups = map[types.JID]groupSeen{}
}

// Name returns "whatsapp".
func (c *Bot) Name() string { return Name }

// Numbered reports that WhatsApp shows choices as numbered lines answered by typing:
// a number, a label or a word that means it.
func (c *Bot) Numbered() bool { return true }

var _ bot.TextSurface = (*Bot)(nil)

// errOffline is what a send without a connected client waits on.
var errOffline = errors.New("whatsapp: not connected")

// connected returns the client when it is connected, or a *bot.RetryAfter.
func (c *Bot) connected() (Client, error) {
	c.mu.Lock()
	cl := c.client
	c.mu.Unlock()
	if cl == nil || !cl.IsConnected() {
		return nil, fmt.Errorf("%w: %w", errOffline, &bot.RetryAfter{Wait: 30 * time.Second})
	}
	return cl, nil
}

// isSelf reports whether j is one of the desk's own JIDs.
func (c *Bot) isSelf(j types.JID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	j = j.ToNonAD()
	for _, s := range c.self {
		if s == j {
			return true
		}
	}
	return false
}

// CheckChat tells whether chat is a unit's address on WhatsApp: a group's JID, a
// number at g.us ("120363012345678901@g.us"; an older group's is its creator's number,
// a dash and a timestamp: "6281234567890-1588888888@g.us").
func CheckChat(chat string) error {
	if !groupJID.MatchString(chat) {
		return fmt.Errorf("%q is not a WhatsApp group JID (…@g.us)", chat)
	}
	return nil
}

var groupJID = regexp.MustCompile(`^[0-9]+(-[0-9]+)?@g\.us$`)
