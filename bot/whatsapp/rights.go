package whatsapp

import (
	"context"

	"go.mau.fi/whatsmeow/proto/waE2E"

	"aduan/bot"
	"aduan/flows"
)

// dataCopyDoc returns a citizen's copy of their data (flows.MsgDataCopy) as a JSON
// document (bot.DataCopy), uploaded, with the notice as its caption.
func (c *Bot) dataCopyDoc(ctx context.Context, cl Client, m flows.Envelope) ([]*waE2E.Message, error) {
	doc, err := bot.DataCopy(c.catalog, c.rules(), m)
	if doc.Data == nil {
		return nil, err
	}
	if err != nil {
		c.log.Warn("data copy rendering incomplete", "err", err)
	}
	return c.uploadDoc(ctx, cl, m, doc)
}
