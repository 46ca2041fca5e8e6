package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"aduan/bot"
	"aduan/flows"
)

// maxCaption is the longest caption Telegram accepts, in UTF-16 code units.
const maxCaption = 1024

// deliverFiles sends a complaint's attachments (flows.MsgFiles) as Telegram shows
// them: a photo or a document with its caption, several of one kind as an album, a
// location as a location under a button that names the complaint and shows its card.
// Every file says the tracking number and which of the attachments it is. A photo
// Telegram refuses as a photo (too large, odd dimensions) goes as a document; an album
// Telegram refuses goes file by file, each recorded (record) as it is confirmed, so
// that a retry sends only the rest.
func (b *Bot) deliverFiles(ctx context.Context, chat int64, m flows.Envelope, record func(ctx context.Context, parts int, r flows.Receipt) error) (flows.Receipt, error) {
	n := m.Notice
	rcpt := flows.Receipt{Thread: m.Thread}
	if len(n.Files) == 0 {
		return rcpt, nil
	}
	from, _ := strconv.Atoi(n.Data["From"])
	caption := func(i int, a flows.Attachment) string {
		c := n
		c.Data = map[string]string{"From": strconv.Itoa(max(from, 1) + i), "Total": n.Data["Total"], "Kind": a.Kind, "Name": a.Name}
		s, err := b.catalog.Notice(m.Lang, c, nil, nil)
		if err != nil {
			b.log.Warn("message rendering incomplete", "msg", n.Msg, "err", err)
		}
		return cutUTF16(s, maxCaption)
	}
	if n.Files[0].Kind == "location" {
		lat, long, ok := n.Files[0].Location()
		if !ok {
			return rcpt, fmt.Errorf("telegram: location unreadable: %w", bot.ErrRejected)
		}
		markup := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{
			Text: caption(0, n.Files[0]), CallbackData: flows.View{What: flows.ViewCard, Complaint: n.Complaint}.Data()}}}}
		return b.inTopic(ctx, chat, m, func(thread int) (int, error) {
			msg, err := b.api.SendLocation(ctx, &tg.SendLocationParams{ChatID: chat, MessageThreadID: thread,
				Latitude: lat, Longitude: long, ReplyMarkup: markup})
			if err != nil {
				return 0, err
			}
			return msg.ID, nil
		})
	}
	type file struct {
		name, caption string
		data          []byte
	}
	var files []file
	for i, a := range n.Files {
		name, _, data, err := b.store.Attachment(ctx, a.Ref)
		if err != nil {
			// Gone from the store (deleted on request), or refused because its bytes no
			// longer match their SHA-256 (the error says which): the others still go.
			b.log.Warn("attachment unreadable, not sent", "outbox_id", m.ID, "err", err)
			continue
		}
		if a.Name != "" {
			name = a.Name
		}
		files = append(files, file{fileName(name, a.Kind, i), caption(i, a), data})
	}
	if len(files) == 0 {
		return rcpt, nil
	}
	photo := n.Files[0].Kind == "photo"
	send := func(files []file, asPhoto bool) (flows.Receipt, error) {
		return b.inTopic(ctx, chat, m, func(thread int) (int, error) {
			if len(files) == 1 {
				f := files[0]
				upload := &models.InputFileUpload{Filename: f.name, Data: bytes.NewReader(f.data)}
				var msg *models.Message
				var err error
				if asPhoto {
					msg, err = b.api.SendPhoto(ctx, &tg.SendPhotoParams{ChatID: chat, MessageThreadID: thread, Photo: upload, Caption: f.caption})
				} else {
					msg, err = b.api.SendDocument(ctx, &tg.SendDocumentParams{ChatID: chat, MessageThreadID: thread, Document: upload, Caption: f.caption})
				}
				if err != nil {
					return 0, err
				}
				return msg.ID, nil
			}
			media := make([]models.InputMedia, len(files))
			for i, f := range files {
				attach := "attach://" + strconv.Itoa(i+1) + "_" + f.name
				if asPhoto {
					media[i] = &models.InputMediaPhoto{Media: attach, Caption: f.caption, MediaAttachment: bytes.NewReader(f.data)}
				} else {
					media[i] = &models.InputMediaDocument{Media: attach, Caption: f.caption, MediaAttachment: bytes.NewReader(f.data)}
				}
			}
			msgs, err := b.api.SendMediaGroup(ctx, &tg.SendMediaGroupParams{ChatID: chat, MessageThreadID: thread, Media: media})
			if err != nil {
				return 0, err
			}
			if len(msgs) == 0 {
				return 0, errors.New("telegram sendMediaGroup: no message in the answer")
			}
			return msgs[0].ID, nil
		})
	}
	var r flows.Receipt
	err := bot.ErrRejected
	if m.Parts == 0 {
		r, err = send(files, photo)
		if photo && errors.Is(err, bot.ErrRejected) {
			b.log.Warn("telegram refused a photo, sent as a document", "outbox_id", m.ID)
			r, err = send(files, false)
		}
	}
	if len(files) > 1 && errors.Is(err, bot.ErrRejected) {
		// No album at all (an API without media groups): the files one by one, going
		// on after those an earlier attempt got confirmed.
		b.log.Warn("telegram refused an album, files sent one by one", "outbox_id", m.ID)
		for i := m.Parts; i < len(files); i++ {
			one, ferr := send(files[i:i+1], false)
			if ferr != nil {
				return flows.Receipt{}, ferr
			}
			r = one
			if i < len(files)-1 {
				if err := record(ctx, i+1, one); err != nil {
					return flows.Receipt{}, err
				}
			}
		}
		return r, nil
	}
	return r, err
}

// deliverRecord sends the whole record of a complaint (flows.MsgRecord) as a text
// document (bot.Record), with the notice as its caption.
func (b *Bot) deliverRecord(ctx context.Context, chat int64, m flows.Envelope) (flows.Receipt, error) {
	doc, err := bot.Record(ctx, b.store, b.catalog, b.rules(), m)
	if doc.Data == nil {
		return flows.Receipt{}, err
	}
	if err != nil {
		b.log.Warn("record rendering incomplete", "err", err)
	}
	return b.sendDocument(ctx, chat, m, doc)
}

// sendDocument sends doc as a file, with m's notice as its caption, in the complaint's
// topic (inTopic).
func (b *Bot) sendDocument(ctx context.Context, chat int64, m flows.Envelope, doc bot.Document) (flows.Receipt, error) {
	rules := b.rules()
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

// inTopic sends one message with send, paced, in the complaint's forum topic when it
// has one (the main chat when Telegram refuses the topic), and returns the receipt.
func (b *Bot) inTopic(ctx context.Context, chat int64, m flows.Envelope, send func(thread int) (int, error)) (flows.Receipt, error) {
	rcpt := flows.Receipt{Thread: m.Thread}
	// Files in a group leave a token of its bucket to the answers to a person.
	if err := b.pace(ctx, chat, spareFor(chat, m)); err != nil {
		return flows.Receipt{}, err
	}
	thread, _ := strconv.Atoi(rcpt.Thread)
	id, err := send(thread)
	if err != nil && thread != 0 && errors.Is(err, tg.ErrorBadRequest) && !isTooLarge(err) {
		b.log.Warn("telegram topic refused a message, sent to the main chat", "outbox_id", m.ID)
		rcpt.Thread = ""
		id, err = send(0)
	}
	if errors.Is(err, tg.ErrorNotFound) {
		// The API has no such method: retrying would only hold back the chat.
		return flows.Receipt{}, fmt.Errorf("telegram: %s: %w", redact(err.Error(), b.cfg.Token), bot.ErrRejected)
	}
	if err != nil {
		return flows.Receipt{}, b.failure(chat, err)
	}
	rcpt.Ref = strconv.Itoa(id)
	return rcpt, nil
}

func isTooLarge(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "too big") || strings.Contains(s, "too large")
}

// fileName returns a file name safe for a multipart upload: letters, digits, dots,
// hyphens and underscores, with an extension; "lampiran-N" when nothing is left.
func fileName(name, kind string, i int) string {
	var sb strings.Builder
	for _, r := range path.Base(strings.ReplaceAll(name, "\\", "/")) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_'):
			sb.WriteRune(r)
		case r == ' ':
			sb.WriteRune('_')
		}
	}
	s := strings.Trim(sb.String(), "._")
	if s == "" {
		s = "lampiran-" + strconv.Itoa(i+1)
	}
	if path.Ext(s) == "" && kind == "photo" {
		s += ".jpg"
	}
	return s
}

// cutUTF16 cuts s to at most limit UTF-16 code units, marking a cut with "…".
func cutUTF16(s string, limit int) string {
	if UTF16Len(s) <= limit {
		return s
	}
	n := 0
	for i, r := range s {
		n += runeUnits(r)
		if n > limit-1 {
			return s[:i] + "…"
		}
	}
	return s
}
