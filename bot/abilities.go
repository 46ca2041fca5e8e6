package bot

import (
	"context"

	"aduan/flows"
)

// ChatMasker is the optional ability of a channel to tell how one of its chat IDs may
// appear in the desk's logs, for a channel whose chat IDs can name a person (on
// WhatsApp a private chat's JID is a phone number, and so is the first part of an older
// group's). A channel without it has its chat IDs logged as they are.
type ChatMasker interface {
	// MaskChat returns chat with whatever names a person hidden.
	MaskChat(chat string) string
}

// Acknowledger is the optional ability of a channel to tell the sender of a message
// that the desk took it in (WhatsApp's read receipt). The desk calls Acknowledge once a
// message drained from the inbox was handled and its effects committed — never for one
// that failed, is to be tried again or was given up — with the message as it was
// claimed. Acknowledge does not fail: a channel logs what went wrong.
type Acknowledger interface {
	Acknowledge(ctx context.Context, raw flows.RawInbound)
}

// logChat returns chat as the desk logs it: masked by its channel when it can
// (ChatMasker), as it is otherwise.
func logChat(dec Decoder, chat string) string {
	if m, ok := dec.(ChatMasker); ok {
		return m.MaskChat(chat)
	}
	return chat
}
