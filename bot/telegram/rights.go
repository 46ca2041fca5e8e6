package telegram

import (
	"bytes"
	"context"
	"fmt"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"aduan/bot"
	"aduan/flows"
)

// deliverDataCopy sends a citizen's copy of their data (flows.MsgDataCopy) to their
// chat as a JSON document, its labels in the reader's language, with the notice as
// its caption. A notice without its copy is refused: there is nothing to send.
func (b *Bot) deliverDataCopy(ctx context.Context, chat int64, m flows.Envelope) (flows.Receipt, error) {
	if m.Notice.Copy == nil {
		return flows.Receipt{}, fmt.Errorf("telegram: a data copy without its data: %w", bot.ErrRejected)
	}
	rules := b.rules()
	loc := rules.Calendar.Location()
	doc, err := b.catalog.DataCopy(m.Lang, *m.Notice.Copy, rules.Units, loc)
	if err != nil {
		if doc == nil {
			return flows.Receipt{}, fmt.Errorf("telegram: data copy: %w", err)
		}
		b.log.Warn("data copy rendering incomplete", "err", err)
	}
	caption, err := b.catalog.Notice(m.Lang, m.Notice, rules.Units, loc)
	if err != nil {
		b.log.Warn("message rendering incomplete", "msg", m.Notice.Msg, "err", err)
	}
	name := b.catalog.DataCopyName(m.Lang, m.Notice.Copy.Made, loc)
	return b.inTopic(ctx, chat, m, func(thread int) (int, error) {
		msg, err := b.api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: chat, MessageThreadID: thread,
			Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(doc)}, Caption: cutUTF16(caption, maxCaption)})
		if err != nil {
			return 0, err
		}
		return msg.ID, nil
	})
}
