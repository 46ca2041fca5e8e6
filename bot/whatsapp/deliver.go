package whatsapp

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"aduan/bot"
	"aduan/flows"
)

// Deliver is DeliverParts without recording progress.
func (c *Bot) Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error) {
	return c.DeliverParts(ctx, m, nil)
}

// DeliverParts sends one outbox message to WhatsApp: a text (in parts when longer than
// MaxText) with its choices numbered, a complaint's files or location (flows.MsgFiles),
// or its whole record as a text document (flows.MsgRecord); the answer to a person's
// action in a group goes to that group, quoting it (see deliverAnswer). A card that
// replaces an earlier one is sent anew: WhatsApp lets messages be edited for a short
// while only, and the new card's numbers are the ones that count; a replacing card that
// offers the group nothing is not sent at all.
//
// Every part is sent under a message ID chosen before the first attempt and recorded
// with record (the receipt's Ref), so that a retry — even after a crash — sends each
// part under the same ID. The receipt is the last part's ID: the one a quote of the
// message names. Each send is paced (Config.Pacing), after "typing…" in the chat;
// a wait longer than a few seconds, the daily cap and a missing connection return a
// *bot.RetryAfter. A private chat that never wrote to the desk is never written to
// (bot.ErrUnreachable).
func (c *Bot) DeliverParts(ctx context.Context, m flows.Envelope, record func(ctx context.Context, parts int, r flows.Receipt) error) (flows.Receipt, error) {
	if record == nil {
		record = func(context.Context, int, flows.Receipt) error { return nil }
	}
	to, err := types.ParseJID(m.Chat)
	if err != nil || to.User == "" {
		return flows.Receipt{}, fmt.Errorf("whatsapp: chat is no JID: %w", bot.ErrUnreachable)
	}
	to = to.ToNonAD()
	if m.Notice.Press != "" {
		return c.deliverAnswer(ctx, m, record)
	}
	if to.Server != types.GroupServer {
		if ok, err := c.wrote(ctx, m.Chat); err != nil {
			return flows.Receipt{}, err
		} else if !ok {
			return flows.Receipt{}, fmt.Errorf("whatsapp: the chat never wrote to the desk: %w", bot.ErrUnreachable)
		}
	}
	cl, err := c.connected()
	if err != nil {
		return flows.Receipt{}, err
	}
	var parts []*waE2E.Message
	var msg bot.Message
	switch m.Notice.Msg {
	case flows.MsgFiles:
		parts, err = c.files(ctx, cl, m)
	case flows.MsgRecord:
		parts, err = c.recordDoc(ctx, cl, m)
	case flows.MsgDataCopy:
		parts, err = c.dataCopyDoc(ctx, cl, m)
	default:
		msg, parts, err = c.texts(ctx, m)
	}
	if err != nil {
		return flows.Receipt{}, err
	}
	if m.Edit != "" && m.Notice.Msg == flows.MsgCard && len(msg.Choices) == 0 {
		// A refreshed card that leaves the group nothing to do is not posted again: on
		// WhatsApp every refresh is a new message, and a group the complaint has moved on
		// from would get one at each later step. The earlier card stays what the group
		// sees: a quote of it takes its choices at its version, which the desk refuses
		// as overtaken ("changed since").
		return flows.Receipt{Ref: m.Edit, Thread: m.Thread, Unchanged: true}, nil
	}
	return shown(msg)(c.send(ctx, cl, to, m, parts, record))
}

// shown returns a function that completes the receipt of msg's delivery with the
// choices it numbered and whether it took text (bot.Message.Receipt), for the desk to
// read the answers typed to it.
func shown(msg bot.Message) func(flows.Receipt, error) (flows.Receipt, error) {
	return func(r flows.Receipt, err error) (flows.Receipt, error) {
		if err != nil || r.Ref == "" {
			return r, err
		}
		return msg.Receipt(r.Ref), nil
	}
}

// texts renders a message, and returns it with its text parts.
func (c *Bot) texts(ctx context.Context, m flows.Envelope) (bot.Message, []*waE2E.Message, error) {
	msg, err := c.render.Render(ctx, m)
	if err != nil {
		return bot.Message{}, nil, err
	}
	var out []*waE2E.Message
	for _, t := range split(Format(msg), c.cfg.MaxText) {
		out = append(out, &waE2E.Message{Conversation: proto.String(t)})
	}
	return msg, out, nil
}

// send sends the parts from m.Parts on, each under its ID (see DeliverParts), and
// returns the receipt of the last part that is not nil. A nil part is skipped, its
// place (and the IDs of the parts after it) kept.
func (c *Bot) send(ctx context.Context, cl Client, to types.JID, m flows.Envelope, parts []*waE2E.Message,
	record func(ctx context.Context, parts int, r flows.Receipt) error) (flows.Receipt, error) {
	if !slices.ContainsFunc(parts, func(p *waE2E.Message) bool { return p != nil }) {
		c.log.Warn("whatsapp message empty, nothing sent", "outbox_id", m.ID, "msg", m.Notice.Msg)
		return flows.Receipt{}, nil
	}
	base := m.PartRef
	if base == "" {
		base = string(cl.GenerateMessageID())
		if err := record(ctx, m.Parts, flows.Receipt{Ref: base}); err != nil {
			return flows.Receipt{}, fmt.Errorf("whatsapp: message ID not recorded: %w", err)
		}
	}
	for i := min(m.Parts, len(parts)-1); i < len(parts); i++ {
		id := partID(base, i)
		if parts[i] == nil {
			continue
		}
		if err := c.pace(ctx, cl, to, parts[i].GetConversation() != "" || parts[i].GetExtendedTextMessage() != nil); err != nil {
			return flows.Receipt{}, err
		}
		if _, err := cl.SendMessage(ctx, to, parts[i], whatsmeow.SendRequestExtra{ID: id}); err != nil {
			return flows.Receipt{}, c.failure(err)
		}
		if i < len(parts)-1 {
			if err := record(ctx, i+1, flows.Receipt{Ref: base}); err != nil {
				return flows.Receipt{}, fmt.Errorf("whatsapp: part %d of %d sent, not recorded: %w", i+1, len(parts), err)
			}
		}
	}
	last := len(parts) - 1
	for parts[last] == nil {
		last--
	}
	return flows.Receipt{Ref: string(partID(base, last))}, nil
}

// partID returns the message ID of part i of a message whose first part is base: base
// itself, then IDs derived from it, the same at every attempt.
func partID(base string, i int) types.MessageID {
	if i == 0 {
		return types.MessageID(base)
	}
	sum := sha256.Sum256([]byte(base + "/" + strconv.Itoa(i)))
	return types.MessageID(whatsmeow.WebMessageIDPrefix + strings.ToUpper(hex.EncodeToString(sum[:9])))
}

// maxSleep is the longest pacing wait a delivery sleeps through; a longer one is a
// *bot.RetryAfter, so that the outbox row waits instead of a goroutine.
const maxSleep = 6 * time.Second

// pace waits for the send slot of chat to, showing "typing…" there first when typing
// is set. Deliveries wait for their slot one at a time; one that does not get its turn
// within maxSleep, or whose slot is further off, returns a *bot.RetryAfter.
func (c *Bot) pace(ctx context.Context, cl Client, to types.JID, typing bool) error {
	select {
	case c.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.after(maxSleep):
		return &bot.RetryAfter{Wait: c.cfg.Pacing.Gap}
	}
	defer func() { <-c.turn }()
	typed := false
	for range 20 {
		wait := c.pacer.Reserve(to.String(), c.cfg.Pace.Now())
		switch {
		case wait == 0:
			if typing && !typed {
				c.typing(ctx, cl, to)
			}
			return nil
		case wait > maxSleep:
			return &bot.RetryAfter{Wait: wait}
		}
		if typing && !typed {
			c.typing(ctx, cl, to)
			typed = true
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
	return &bot.RetryAfter{Wait: c.cfg.Pacing.Gap}
}

// typing shows "typing…" in a chat; a failure is only logged.
func (c *Bot) typing(ctx context.Context, cl Client, to types.JID) {
	if err := cl.SendChatPresence(ctx, to, types.ChatPresenceComposing, types.ChatPresenceMediaText); err != nil {
		c.log.Debug("whatsapp typing not shown", "err", scrub(err))
	}
}

// wrote reports whether a private chat wrote to the desk; a yes is remembered.
func (c *Bot) wrote(ctx context.Context, chat string) (bool, error) {
	c.mu.Lock()
	known := c.written[chat]
	c.mu.Unlock()
	if known {
		return true, nil
	}
	ok, err := c.store.Wrote(ctx, Name, chat)
	if err != nil {
		return false, err
	}
	if ok {
		c.mu.Lock()
		if len(c.written) > 100_000 {
			clear(c.written)
		}
		c.written[chat] = true
		c.mu.Unlock()
	}
	return ok, nil
}

// failure classifies an error of SendMessage or Upload for the Sender: no connection
// waits, a recipient WhatsApp refuses to address (a device JID, an unknown server) or a
// group the desk is not in is unreachable, an error the server returned is retried. Its
// text has digit runs hidden (scrub): the Sender logs it and keeps it on the outbox row,
// and whatsmeow's errors name the recipient.
func (c *Bot) failure(err error) error {
	err = scrub(err)
	switch {
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrNotLoggedIn):
		return fmt.Errorf("whatsapp send: %w: %w", err, &bot.RetryAfter{Wait: 30 * time.Second})
	case errors.Is(err, whatsmeow.ErrRecipientADJID), errors.Is(err, whatsmeow.ErrUnknownServer),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported), errors.Is(err, whatsmeow.ErrNotInGroup),
		errors.Is(err, whatsmeow.ErrGroupNotFound):
		return fmt.Errorf("whatsapp send: %w: %w", err, bot.ErrUnreachable)
	}
	return fmt.Errorf("whatsapp send: %w", err)
}

// deliverAnswer sends the answer to a person's action in a group (a notice whose Press
// is the pressRef of their message) to that group, quoting their message: WhatsApp has
// no answer seen by one person only, and the person may never have written to the desk
// in private. A press answer without a message (a bare acknowledgement) sends nothing.
func (c *Bot) deliverAnswer(ctx context.Context, m flows.Envelope, record func(ctx context.Context, parts int, r flows.Receipt) error) (flows.Receipt, error) {
	group, id, sender, ok := parsePress(m.Notice.Press)
	if !ok {
		return flows.Receipt{}, fmt.Errorf("whatsapp: answer to no group message: %w", bot.ErrRejected)
	}
	if m.Notice.Msg == "" {
		return flows.Receipt{}, nil
	}
	cl, err := c.connected()
	if err != nil {
		return flows.Receipt{}, err
	}
	msg, err := c.render.Render(ctx, m)
	if err != nil {
		return flows.Receipt{}, err
	}
	var parts []*waE2E.Message
	for i, t := range split(Format(msg), c.cfg.MaxText) {
		ext := &waE2E.ExtendedTextMessage{Text: proto.String(t)}
		if i == 0 {
			ext.ContextInfo = &waE2E.ContextInfo{StanzaID: proto.String(id), Participant: proto.String(sender),
				QuotedMessage: &waE2E.Message{Conversation: proto.String("")}}
		}
		parts = append(parts, &waE2E.Message{ExtendedTextMessage: ext})
	}
	return shown(msg)(c.send(ctx, cl, group, m, parts, record))
}

// files returns the messages of a complaint's attachments (flows.MsgFiles), uploaded:
// a photo or document each with a caption naming the complaint and which attachment it
// is, or a location. Message i is attachment i, at every attempt, so that a retry goes
// on from the part it stopped at (flows.Envelope.Parts): a file gone from the store is
// a nil message, which send skips.
func (c *Bot) files(ctx context.Context, cl Client, m flows.Envelope) ([]*waE2E.Message, error) {
	n := m.Notice
	from, _ := strconv.Atoi(n.Data["From"])
	var out []*waE2E.Message
	for i, a := range n.Files {
		caption, err := c.caption(ctx, m, i, a, max(from, 1))
		if err != nil {
			return nil, err
		}
		if a.Kind == "location" {
			lat, long, ok := a.Location()
			if !ok {
				return nil, fmt.Errorf("whatsapp: location unreadable: %w", bot.ErrRejected)
			}
			out = append(out, &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(lat),
				DegreesLongitude: proto.Float64(long), Name: proto.String(caption)}})
			continue
		}
		if i < m.Parts {
			// Sent in an earlier attempt: not uploaded again.
			out = append(out, &waE2E.Message{})
			continue
		}
		name, mime, data, err := c.store.Attachment(ctx, a.Ref)
		if err != nil {
			// Gone, or refused because its bytes no longer match their SHA-256.
			c.log.Warn("attachment unreadable, not sent", "outbox_id", m.ID, "err", err)
			out = append(out, nil) // its place kept: part i is attachment i at every attempt
			continue
		}
		name = cmp.Or(a.Name, name)
		if a.Kind == "photo" {
			up, err := cl.Upload(ctx, data, whatsmeow.MediaImage)
			if err != nil {
				return nil, c.failure(err)
			}
			out = append(out, &waE2E.Message{ImageMessage: &waE2E.ImageMessage{URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath),
				MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
				Mimetype: proto.String(cmp.Or(mime, "image/jpeg")), Caption: proto.String(caption)}})
			continue
		}
		up, err := cl.Upload(ctx, data, whatsmeow.MediaDocument)
		if err != nil {
			return nil, c.failure(err)
		}
		out = append(out, document(up, name, cmp.Or(mime, "application/octet-stream"), caption))
	}
	return out, nil
}

// document returns the message of an uploaded document.
func document(up whatsmeow.UploadResponse, name, mime, caption string) *waE2E.Message {
	return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath),
		MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		Mimetype: proto.String(mime), FileName: proto.String(name), Title: proto.String(name), Caption: proto.String(caption)}}
}

// uploadDoc uploads doc and returns its message, with m's notice as its caption.
func (c *Bot) uploadDoc(ctx context.Context, cl Client, m flows.Envelope, doc bot.Document) ([]*waE2E.Message, error) {
	msg, err := c.render.Render(ctx, m)
	if err != nil {
		return nil, err
	}
	msg.Choices = nil
	up, err := cl.Upload(ctx, doc.Data, whatsmeow.MediaDocument)
	if err != nil {
		return nil, c.failure(err)
	}
	return []*waE2E.Message{document(up, doc.Name, doc.Mime, Format(msg))}, nil
}

// caption renders the caption of attachment i of a MsgFiles notice: the notice with
// the attachment's number among the complaint's, their total, its kind and name.
func (c *Bot) caption(ctx context.Context, m flows.Envelope, i int, a flows.Attachment, from int) (string, error) {
	one := m
	one.Notice.Files = []flows.Attachment{a}
	one.Notice.Choices = nil
	one.Notice.Data = map[string]string{"From": strconv.Itoa(from + i), "Total": m.Notice.Data["Total"], "Kind": a.Kind, "Name": a.Name}
	msg, err := c.render.Render(ctx, one)
	if err != nil {
		return "", err
	}
	msg.Choices = nil
	return Format(msg), nil
}

// recordDoc returns the whole record of a complaint (flows.MsgRecord) as a text
// document (bot.Record), uploaded, with the notice as its caption.
func (c *Bot) recordDoc(ctx context.Context, cl Client, m flows.Envelope) ([]*waE2E.Message, error) {
	doc, err := bot.Record(ctx, c.store, c.catalog, c.rules(), m)
	if doc.Data == nil {
		return nil, err
	}
	if err != nil {
		c.log.Warn("record rendering incomplete", "err", err)
	}
	return c.uploadDoc(ctx, cl, m, doc)
}
