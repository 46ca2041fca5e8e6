package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"go.mau.fi/whatsmeow/types"

	"aduan/flows"
)

// InboxID returns the inbox key of the WhatsApp message id in chat (a JID as
// types.JID.String writes it): a hash of both, unique and the same at every
// redelivery, so that a message is stored once, but naming no one — a private chat's
// JID is its owner's phone number, and the key appears in logs and error reports.
// Without the WhatsApp message ID, which the inbox drops once the message is handled,
// the key does not lead back to the chat.
func InboxID(chat string, id types.MessageID) string {
	sum := sha256.Sum256([]byte(chat + "/" + string(id)))
	return hex.EncodeToString(sum[:16])
}

// scrubbed is an error whose text has its digit runs hidden (see scrub); it still
// unwraps to the error it hides, so that errors.Is and errors.As see through it.
type scrubbed struct {
	text string
	err  error
}

func (e *scrubbed) Error() string { return e.text }
func (e *scrubbed) Unwrap() error { return e.err }

// scrub returns err with every run of six or more digits in its text hidden: whatsmeow's
// errors name JIDs ("failed to get LID for PN 6281…"), whose user part is a phone
// number or a LID, and the desk logs errors and keeps them on outbox and inbox rows.
// A nil error stays nil.
func scrub(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if !digits.MatchString(text) {
		return err
	}
	return &scrubbed{text: digits.ReplaceAllString(text, "…"), err: err}
}

// MaskChat returns chat as the desk's logs may show it (bot.ChatMasker): a group's JID
// as it is, but an older group's, which starts with its creator's phone number
// ("6281234567890-1588888888@g.us"), with that number masked as MaskNumber does; a
// person's JID (a phone number or a LID) masked the same way.
func (c *Bot) MaskChat(chat string) string {
	j, err := types.ParseJID(chat)
	if err != nil {
		return digits.ReplaceAllString(chat, "…")
	}
	switch j.Server {
	case types.GroupServer:
		if creator, ts, old := strings.Cut(j.User, "-"); old {
			return MaskNumber(creator) + "-" + ts + "@" + j.Server
		}
		return j.String()
	case types.DefaultUserServer, types.HiddenUserServer:
		return MaskNumber(j.User) + "@" + j.Server
	}
	return digits.ReplaceAllString(chat, "…")
}

// Acknowledge marks a private message read once the desk has handled it
// (bot.Acknowledger): the blue ticks tell the citizen the desk took their message in,
// which is true only once its effects are committed. Group messages are not marked
// read. A failure is only logged.
func (c *Bot) Acknowledge(ctx context.Context, raw flows.RawInbound) {
	var p payload
	if err := json.Unmarshal(raw.Payload, &p); err != nil || p.ID == "" || p.Group {
		return
	}
	c.markRead(ctx, p)
}
