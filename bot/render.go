package bot

import (
	"context"
	"fmt"
	"log/slog"

	"aduan/flows"
	"aduan/locales"
)

// Complaints is what a Renderer needs of the store: the complaint a card shows.
type Complaints interface {
	// Complaint returns the complaint with the given ID, or an error when it cannot be
	// read (the card is not rendered then).
	Complaint(ctx context.Context, id int64) (flows.Complaint, error)
}

// Renderer turns an outbox message into the neutral Message every surface formats: the
// notice's text in the reader's language, worded for the surface, the complaint's card
// below it when the notice carries one, and the choices with their labels rendered. It
// is safe for concurrent use.
type Renderer struct {
	catalog    *locales.Catalog
	rules      func() *flows.Rules
	complaints Complaints
	log        *slog.Logger
}

// NewRenderer returns a renderer with the desk's catalog, its rules (asked at each
// rendering: units, calendar and card choices may change), the complaints that cards
// show, and a logger for messages rendered incompletely (nil discards).
func NewRenderer(catalog *locales.Catalog, rules func() *flows.Rules, complaints Complaints, log *slog.Logger) *Renderer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Renderer{catalog: catalog, rules: rules, complaints: complaints, log: log}
}

// Render returns message m as surface s shows it.
//
// Blocks hold the notice's text, then — for a notice with a card — the card of the
// complaint as m.Unit's group may read it (a flows.MsgCard notice is the card alone).
// Choices are the card's actions for m.Unit (flows.Rules.CardChoices) on a card, the
// notice's own choices otherwise, each with its label in m.Lang (Key is the label's
// message ID, flows.Choice.Label). Ask and Card are the notice's. FreeText is set for
// the messages that ask for typed text (a description, a date, a place, a phone number,
// an e-mail address, a reply, a card action's text; see FreeText). Hint is
// locales.Catalog.Hint for a message with choices that does not take typed text: how to
// answer on a surface without buttons, in a unit's group when m.Unit is set.
//
// A message that renders only in part (a missing translation, a failing template) is
// logged and returned as far as it rendered, without an error: the reader still gets
// it. Render fails only when the complaint of a card cannot be read.
//
// The filing notice to the complainant (flows.MsgFiled) ends with a block giving the
// complaint's access code, where locales.Catalog.ShowsAccessCode says so and the
// renderer's complaints are also AccessCodes (see accessCode).
func (r *Renderer) Render(ctx context.Context, m flows.Envelope, s locales.Surface) (Message, error) {
	rules := r.rules()
	loc := rules.Calendar.Location()
	cat := r.catalog.On(s)
	n := m.Notice
	out := Message{Ask: n.Ask, Card: n.Card, FreeText: FreeText(n)}
	choices := n.Choices
	if n.Card {
		c, err := r.complaints.Complaint(ctx, n.Complaint)
		if err != nil {
			return Message{}, fmt.Errorf("bot: render %s: complaint %d: %w", n.Msg, n.Complaint, err)
		}
		if n.Msg != flows.MsgCard {
			out.Blocks = append(out.Blocks, r.notice(cat, m, rules))
		}
		viewer, _ := rules.Units.Unit(m.Unit)
		card, err := cat.Card(m.Lang, c, viewer, rules.Units, loc)
		if err != nil {
			r.log.Warn("card rendering incomplete", "msg", n.Msg, "surface", s.Name, "err", err)
		}
		out.Blocks = append(out.Blocks, card)
		choices = rules.CardChoices(c, m.Unit)
	} else {
		out.Blocks = append(out.Blocks, r.notice(cat, m, rules))
		if n.Msg == flows.MsgFiled && m.Unit == "" {
			if block := r.accessCode(ctx, cat, m); block != "" {
				out.Blocks = append(out.Blocks, block)
			}
		}
	}
	if len(choices) > 0 && !out.FreeText {
		out.Hint = cat.Hint(m.Lang, m.Unit != "")
	}
	for _, row := range choices {
		opts := make([]Option, 0, len(row))
		for _, ch := range row {
			opts = append(opts, Option{Label: cat.Label(m.Lang, ch), Key: ch.Label, Data: ch.Data})
		}
		out.Choices = append(out.Choices, opts)
	}
	return out, nil
}

// For returns Render bound to surface s, for a channel that renders every message for
// its own surface.
func (r *Renderer) For(s locales.Surface) func(ctx context.Context, m flows.Envelope) (Message, error) {
	return func(ctx context.Context, m flows.Envelope) (Message, error) { return r.Render(ctx, m, s) }
}

// notice renders m's notice with cat under rules, logging a partial rendering.
func (r *Renderer) notice(cat *locales.Catalog, m flows.Envelope, rules *flows.Rules) string {
	text, err := cat.Notice(m.Lang, m.Notice, rules.Units, rules.Calendar.Location())
	if err != nil {
		r.log.Warn("message rendering incomplete", "msg", m.Notice.Msg, "surface", cat.Surface().Name, "err", err)
	}
	return text
}

// freeText are the messages that ask for typed text: what the reader types next is an
// answer, even when it looks like the number of a choice.
var freeText = map[flows.MsgID]bool{
	flows.MsgAskBody:      true,
	flows.MsgBodyTooShort: true,
	flows.MsgTooLong:      true,
	flows.MsgBodyPart:     true,
	flows.MsgAskWhen:      true,
	flows.MsgAskWhere:     true,
	flows.MsgAskPhone:     true,
	flows.MsgBadPhone:     true,
	flows.MsgAskEmail:     true,
	flows.MsgBadEmail:     true,
	flows.MsgAskReply:     true,
	flows.MsgAskText:      true,
}

// FreeText reports whether notice n asks for typed text (a description, when or where
// it happened, a phone number, an e-mail address, a citizen's reply, the text of a card
// action), so that a number typed after it is text unless it is exactly a choice's
// label. A notice asking for a reply (flows.AskReply) always does.
func FreeText(n flows.Notice) bool {
	return n.Ask == flows.AskReply || freeText[n.Msg]
}
