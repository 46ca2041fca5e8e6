package telegram

import (
	"bytes"
	"context"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"aduan/bot"
	"aduan/flows"
)

// deliverDataCopy sends a citizen's copy of their data (flows.MsgDataCopy) to their
// chat as a JSON document (bot.DataCopy), with the notice as its caption.
func (b *Bot) deliverDataCopy(ctx context.Context, chat int64, m flows.Envelope) (flows.Receipt, error) {
	rules := b.rules()
	doc, err := bot.DataCopy(b.catalog, rules, m)
	if doc.Data == nil {
		return flows.Receipt{}, err
	}
	if err != nil {
		b.log.Warn("data copy rendering incomplete", "err", err)
	}
	caption, err := b.catalog.Notice(m.Lang, m.Notice, rules.Units, rules.Calendar.Location())
	if err != nil {
		b.log.Warn("message rendering incomplete", "msg", m.Notice.Msg, "err", err)
	}
	return b.inTopic(ctx, chat, m, func(thread int) (int, error) {
		msg, err := b.api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: chat, MessageThreadID: thread,
			Document: &models.InputFileUpload{Filename: doc.Name, Data: bytes.NewReader(doc.Data)}, Caption: cutUTF16(caption, maxCaption)})
		if err != nil {
			return 0, err
		}
		return msg.ID, nil
	})
}
