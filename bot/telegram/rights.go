package telegram

import (
	"context"

	"aduan/bot"
	"aduan/flows"
)

// deliverDataCopy sends a citizen's copy of their data (flows.MsgDataCopy) to their
// chat as a JSON document (bot.DataCopy), with the notice as its caption.
func (b *Bot) deliverDataCopy(ctx context.Context, chat int64, m flows.Envelope) (flows.Receipt, error) {
	doc, err := bot.DataCopy(b.catalog, b.rules(), m)
	if doc.Data == nil {
		return flows.Receipt{}, err
	}
	if err != nil {
		b.log.Warn("data copy rendering incomplete", "err", err)
	}
	return b.sendDocument(ctx, chat, m, doc)
}
