package whatsapp

import (
	"context"
	"fmt"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"

	"aduan/bot"
	"aduan/flows"
)

// dataCopyDoc returns a citizen's copy of their data (flows.MsgDataCopy) as a JSON
// document, its labels in the reader's language, uploaded, with the notice as its
// caption. A notice without its copy is refused: there is nothing to send.
func (c *Bot) dataCopyDoc(ctx context.Context, cl Client, m flows.Envelope) ([]*waE2E.Message, error) {
	if m.Notice.Copy == nil {
		return nil, fmt.Errorf("whatsapp: a data copy without its data: %w", bot.ErrRejected)
	}
	rules := c.rules()
	loc := rules.Calendar.Location()
	doc, err := c.catalog.DataCopy(m.Lang, *m.Notice.Copy, rules.Units, loc)
	if err != nil {
		if doc == nil {
			return nil, fmt.Errorf("whatsapp: data copy: %w", err)
		}
		c.log.Warn("data copy rendering incomplete", "err", err)
	}
	msg, err := c.render.Render(ctx, m)
	if err != nil {
		return nil, err
	}
	msg.Choices = nil
	up, err := cl.Upload(ctx, doc, whatsmeow.MediaDocument)
	if err != nil {
		return nil, c.failure(err)
	}
	return []*waE2E.Message{document(up, c.catalog.DataCopyName(m.Lang, m.Notice.Copy.Made, loc), "application/json", Format(msg))}, nil
}
