package bot

import "aduan/flows"

// Message is an outbox message as any surface shows it, before the surface formats it:
// plain text in blocks, the choices offered, and what answer is expected. Telegram
// formats it as HTML with an inline keyboard, WhatsApp as its own markup with a
// numbered list, the web as a page; none of them assembles cards or choices itself.
type Message struct {
	// Blocks are the message's paragraphs of plain text, in order (e.g. a notice's
	// head, then the complaint's card). A surface escapes and joins them.
	Blocks []string
	// Choices are the options offered, in rows. A surface with buttons shows them as
	// buttons; one without numbers them 1, 2, 3 … across rows in order.
	Choices [][]Option
	// Ask is what the message asks for besides a choice: flows.AskReply (text, as a
	// reply to this message), flows.AskPhone (the phone number, shared or typed),
	// flows.AskClose (nothing: any keyboard shown earlier goes away), or "".
	Ask string
	// FreeText reports that typed text is an answer too (a description, a date), so a
	// surface without buttons must not read a number in it as a choice unless nothing
	// else fits.
	FreeText bool
	// Card reports a complaint's card, kept current by later edits.
	Card bool
	// Hint tells the reader of a surface without buttons how to take one of the
	// Choices ("Ketik nomor pilihan Anda."; in a group, to reply to this message with
	// the number), for the surface to show below them. It is empty on a surface with
	// buttons, without choices, and when typed text is an answer too (the message's
	// own text says what to type then).
	Hint string
}

// Option is one choice of a Message: its label in the reader's language, the message ID
// of that label when it has one (flows.Choice.Label, so that words meaning the same —
// "ya", "iya", "ok" for a yes — can be matched to it), and the data that comes back in
// flows.Inbound.Choice when it is taken.
//
// It is flows.Shown, so that a channel returns the options it numbered in its receipt
// (flows.Receipt.Choices) as they are.
type Option = flows.Shown

// Numbered returns the options of m in the order a surface without buttons numbers
// them: row by row, left to right, from 1.
func (m Message) Numbered() []Option {
	var out []Option
	for _, row := range m.Choices {
		out = append(out, row...)
	}
	return out
}
