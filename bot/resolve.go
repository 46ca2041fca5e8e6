package bot

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"aduan/flows"
	"aduan/locales"
)

// TextSurface is the optional ability of a Decoder to tell that its surface shows
// choices as numbered lines of text, not as buttons (WhatsApp): a person answers there
// by typing a number, a label or a word meaning one, which the desk reads against the
// choices of the message it answers before handling it (see Desk.Handle). Numbered
// false, or a Decoder without the method, leaves typed text as it is.
type TextSurface interface {
	Numbered() bool
}

// Receipt returns the receipt of m delivered under the network's reference ref by a
// surface without buttons: with the choices it numbered (Numbered) and whether it took
// typed text, so that the store keeps them for reading the answers (see TextSurface).
// A surface with buttons returns flows.Receipt{Ref: ref} instead.
func (m Message) Receipt(ref string) flows.Receipt {
	return flows.Receipt{Ref: ref, Choices: m.Numbered(), FreeText: m.FreeText}
}

// Choices is what the desk needs of the store to read a typed answer on a text surface:
// what the desk's delivered messages offered (flows.Receipt.Choices and FreeText, as
// the channel returned them).
type Choices interface {
	// Shown returns what the delivered message with the given receipt in a chat offered,
	// as last delivered; ok is false when no delivered message there has that receipt.
	Shown(ctx context.Context, channel, chat, receipt string) (r flows.Receipt, ok bool, err error)
	// LastShown returns what the chat's latest delivered message that offered choices or
	// took typed text offered; ok is false when there is none.
	LastShown(ctx context.Context, channel, chat string) (r flows.Receipt, ok bool, err error)
}

// resolve reads the text of a message from a surface without buttons against the
// choices the person was shown and, when it names one (see Pick), makes it that choice:
// in.Choice is the choice's data, in.Text what follows a card's short command (empty
// otherwise). The choices are those of the message it quotes (in.ReplyTo) when that is
// one of the desk's; otherwise those of the chat's latest message that offered any in a
// private chat, and none in a group. Anything but plain text (a command, a button's
// data, a file, a shared phone number) and text that names no choice stay as they are,
// but for a number alone quoting a message of the desk in a group that asks for no
// text: a choice that message does not offer, answered as a stale card. The data is as
// the message carried it: a quote of an old card takes that card's version, which the
// handling of the choice then finds changed.
func (d *Desk) resolve(ctx context.Context, dec Decoder, in flows.Inbound, group bool) (flows.Inbound, error) {
	ts, ok := dec.(TextSurface)
	if !ok || !ts.Numbered() || in.Choice != "" || in.Command != "" || in.Attachment != nil || in.Phone != "" ||
		in.Unsupported != "" || strings.TrimSpace(in.Text) == "" {
		return in, nil
	}
	var r flows.Receipt
	found := false
	var err error
	if in.ReplyTo != "" {
		if r, found, err = d.Store.Shown(ctx, in.Channel, in.Chat, in.ReplyTo); err != nil {
			return in, err
		}
	}
	if !found && !group {
		if r, found, err = d.Store.LastShown(ctx, in.Channel, in.Chat); err != nil {
			return in, err
		}
	}
	if !found {
		return in, nil
	}
	data, rest, ok := Pick(in.Text, r, d.words(), group && in.ReplyTo != "")
	switch {
	case ok:
		in.Choice, in.Text = data, rest
	case group && in.ReplyTo != "" && !r.FreeText && d.isNumber(in.Text):
		// A number quoting a message of the desk that offers no such choice (a card
		// whose actions are gone): the person learns that the choice is gone.
		in.Choice = noChoice
	}
	return in, nil
}

// noChoice is the choice of a number that names none of the quoted message's choices:
// data no card or pending action offers, which the desk answers as stale.
const noChoice = "none"

// isNumber reports whether text is a number alone, in digits or in words.
func (d *Desk) isNumber(text string) bool {
	n := locales.Normalize(text)
	if _, err := strconv.Atoi(n); err == nil {
		return true
	}
	_, ok := d.words().Number(n)
	return ok
}

func (d *Desk) words() *locales.Words {
	if d.Words != nil {
		return d.Words
	}
	return locales.StandardWords()
}

// commandPrefix is how many words a card's short command has at most ("bukan
// kewenangan <alasan>").
const commandPrefix = 3

// Pick returns the data of the choice of r that text names, as a person types it on a
// surface without buttons: its number as r.Choices are numbered from 1 ("2", " 2. ",
// "dua", "two"), its label ("saya puas", ignoring case, spaces, the punctuation around
// the words and a part in brackets at the end: "Kartu Keluarga" for "Kartu Keluarga
// (KK)"), or a word that words gives for its label's message ID (Key: "ya" for
// choice.send, "batal" for choice.cancel). A label or word must fit exactly one choice:
// "ya" under two choices that both mean yes picks neither. After a message that also
// took typed text (r.FreeText) a number stays text, and only a label or a word picks a
// choice. A question ("ya?", "1?") picks none, unless it follows a card's command.
//
// With commands (a reply quoting a card in a unit's group), a text that begins with the
// number, the label or a word of one of the card's actions (action.*) and goes on picks
// that action too, and rest is what follows: "jawab Sudah kami proses" (or "1 Sudah kami
// proses", Jawab being 1) is the Jawab action with the text "Sudah kami proses". ok is
// false when text names no choice: it stays text.
func Pick(text string, r flows.Receipt, words *locales.Words, commands bool) (data, rest string, ok bool) {
	n := locales.Normalize(text)
	if n == "" || len(r.Choices) == 0 {
		return "", "", false
	}
	if strings.HasSuffix(strings.TrimSpace(text), "?") {
		n = "" // a question: no choice alone, but a card's command may ask one
	}
	if n != "" && !r.FreeText {
		num, err := strconv.Atoi(n)
		if err != nil {
			num, ok = words.Number(n)
			if !ok {
				num = 0
			}
		}
		if num >= 1 && num <= len(r.Choices) {
			return r.Choices[num-1].Data, "", true
		}
		if num != 0 {
			return "", "", false // a number of no choice: text
		}
	}
	if c, ok := only(r.Choices, func(c flows.Shown) bool { return n != "" && labelIs(c.Label, n) }); ok {
		return c.Data, "", true
	}
	if c, ok := only(r.Choices, func(c flows.Shown) bool { return n != "" && words.Means(n, c.Key) }); ok {
		return c.Data, "", true
	}
	if !commands {
		return "", "", false
	}
	fields := strings.Fields(text)
	isAction := func(c flows.Shown) bool { return strings.HasPrefix(string(c.Key), "action.") }
	if len(fields) > 1 {
		if num, err := strconv.Atoi(locales.Normalize(fields[0])); err == nil && num >= 1 && num <= len(r.Choices) && isAction(r.Choices[num-1]) {
			return r.Choices[num-1].Data, afterFields(text, 1), true
		}
	}
	for k := min(commandPrefix, len(fields)-1); k >= 1; k-- {
		head := locales.Normalize(strings.Join(fields[:k], " "))
		if head == "" {
			continue
		}
		c, ok := only(r.Choices, func(c flows.Shown) bool {
			return isAction(c) && (labelIs(c.Label, head) || words.Means(head, c.Key))
		})
		if ok {
			return c.Data, afterFields(text, k), true
		}
	}
	return "", "", false
}

// only returns the one choice that fits; ok is false when none or several do.
func only(choices []flows.Shown, fits func(flows.Shown) bool) (flows.Shown, bool) {
	var found flows.Shown
	n := 0
	for _, c := range choices {
		if fits(c) {
			found, n = c, n+1
		}
	}
	return found, n == 1
}

// labelIs reports whether the normalized text n is label, whole or without a part in
// brackets at its end.
func labelIs(label, n string) bool {
	if locales.Normalize(label) == n {
		return true
	}
	if i := strings.LastIndex(label, "("); i > 0 && strings.HasSuffix(strings.TrimSpace(label), ")") {
		return locales.Normalize(label[:i]) == n
	}
	return false
}

// afterFields returns text after its first k words, trimmed.
func afterFields(text string, k int) string {
	rest := strings.TrimSpace(text)
	for range k {
		i := strings.IndexFunc(rest, unicode.IsSpace)
		if i < 0 {
			return ""
		}
		rest = strings.TrimSpace(rest[i:])
	}
	return rest
}
