// Package telegram is the desk's Telegram channel: it receives updates (long polling
// or webhook), stores each one before Telegram is told it arrived, turns stored updates
// into flows.Inbound for the desk, and delivers the outbox — text, buttons, cards edited
// in place, forum topics — within Telegram's flood limits. It is the only package that
// imports the Telegram SDK.
package telegram

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"aduan/bot"
	"aduan/flows"
	"aduan/locales"
)

// Name is the channel's name in the outbox, the inbox and on complaints.
const Name = "telegram"

// Config is how to reach Telegram.
type Config struct {
	Token         string
	APIURL        string // the Bot API's base URL; default https://api.telegram.org
	WebhookURL    string // public HTTPS URL of the webhook; empty for long polling
	WebhookSecret string // the secret Telegram sends with each webhook call
	MaxFileBytes  int64  // the largest attachment fetched and kept
	MaxFiles      int    // the most attachments a draft holds: no further file is fetched
	PollTimeout   time.Duration
	HTTPClient    *http.Client
	// Limits paces sending; the zero value means DefaultLimits (Telegram's ceilings).
	Limits Limits
	// Pace is the clock of that pacing: real time, whatever clock the desk's business
	// follows. Nil means the business clock.
	Pace flows.Clock
	// MemberTTL is how long a confirmed group membership is believed before Telegram
	// is asked again (getChatMember); default one minute.
	MemberTTL time.Duration
}

// Store is what the channel needs of the database.
type Store interface {
	// Receive stores an update unless it was stored before; false for a redelivery.
	Receive(ctx context.Context, channel, id, chat string, payload []byte, now time.Time) (bool, error)
	// Records gives a complaint, to render its card, and its audit trail, for its
	// record (bot.Record).
	bot.Records
	// SaveFile keeps an attachment's bytes and returns the reference to store on the complaint.
	SaveFile(ctx context.Context, channel, chat, fileRef, name, mime string, data []byte, now time.Time) (string, error)
	// Attachment returns a kept file by the reference SaveFile returned.
	Attachment(ctx context.Context, ref string) (name, mime string, data []byte, err error)
	// DraftFiles returns the step of a private chat's conversation and the number of
	// attachments its draft holds (flows.StepMenu and 0 without a conversation).
	DraftFiles(ctx context.Context, channel, chat string) (flows.Step, int, error)
}

// Bot is the Telegram channel.
type Bot struct {
	cfg      Config
	api      *tg.Bot
	store    Store
	catalog  *locales.Catalog
	renderer *bot.Renderer
	rules    func() *flows.Rules
	clock    flows.Clock
	log      *slog.Logger
	limiter  *Limiter
	pacing   sync.Mutex // one sender at a time waits for a token, in turn
	wake     func()     // called after an update is stored

	mu       sync.Mutex
	username string
	members  map[memberKey]time.Time // memberships confirmed, until when (Member)
	forums   map[int64]bool
}

var (
	_ bot.PartialChannel = (*Bot)(nil)
	_ bot.Decoder        = (*Bot)(nil)
	_ bot.Membership     = (*Bot)(nil)
)

// New returns the channel. It makes no network call.
func New(cfg Config, store Store, catalog *locales.Catalog, rules func() *flows.Rules, clock flows.Clock, log *slog.Logger, wake func()) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.PollTimeout + 15*time.Second}
	}
	if wake == nil {
		wake = func() {}
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits()
	}
	if cfg.Pace == nil {
		cfg.Pace = clock
	}
	if cfg.MemberTTL == 0 {
		cfg.MemberTTL = time.Minute
	}
	api, err := tg.New(cfg.Token, tg.WithServerURL(strings.TrimRight(cfg.APIURL, "/")), tg.WithSkipGetMe(),
		tg.WithHTTPClient(cfg.PollTimeout, cfg.HTTPClient),
		// The SDK's own error reports (e.g. a failed multipart upload) go through the
		// desk's logger, never the standard library's.
		tg.WithErrorsHandler(func(err error) {
			log.Warn("telegram client error", "err", redact(err.Error(), cfg.Token))
		}))
	if err != nil {
		return nil, fmt.Errorf("telegram: %s", redact(err.Error(), cfg.Token))
	}
	return &Bot{cfg: cfg, api: api, store: store, catalog: catalog, renderer: bot.NewRenderer(catalog, rules, store, log),
		rules: rules, clock: clock, log: log,
		limiter: NewLimiter(cfg.Limits), wake: wake, forums: map[int64]bool{}, members: map[memberKey]time.Time{}}, nil
}

// Name returns "telegram".
func (b *Bot) Name() string { return Name }

// Start prepares Telegram for the chosen mode: it learns the bot's username (for
// commands addressed as /command@name), registers the commands of the menu (setCommands)
// and sets or deletes the webhook.
func (b *Bot) Start(ctx context.Context) error {
	me, err := b.api.GetMe(ctx)
	if err != nil {
		return b.wrap("getMe", err)
	}
	b.mu.Lock()
	b.username = me.Username
	b.mu.Unlock()
	b.setCommands(ctx)
	if b.cfg.WebhookURL != "" {
		_, err = b.api.SetWebhook(ctx, &tg.SetWebhookParams{URL: b.cfg.WebhookURL, SecretToken: b.cfg.WebhookSecret,
			AllowedUpdates: allowedUpdates, MaxConnections: 40})
		return b.wrap("setWebhook", err)
	}
	_, err = b.api.DeleteWebhook(ctx, &tg.DeleteWebhookParams{DropPendingUpdates: false})
	return b.wrap("deleteWebhook", err)
}

var allowedUpdates = []string{"message", "edited_message", "callback_query"}

// Poll long-polls Telegram until ctx ends. Each update is stored (or, when the database
// cannot hold it, set aside) before the next request moves the offset past it, so an
// update Telegram considers delivered is always in the inbox; one that is not an update
// at all is logged and skipped. Only a failure to reach the database stops the offset.
// Only one process may poll a bot (the caller holds the lock).
func (b *Bot) Poll(ctx context.Context) error {
	var offset int64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff):
			}
		}
		updates, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			b.log.Warn("telegram getUpdates failed", "err", err, "retry_in", backoff.String())
			continue
		}
		backoff = 0
		for _, raw := range updates {
			id, err := b.receive(ctx, raw)
			if errors.Is(err, errNotUpdate) {
				b.log.Warn("telegram sent something that is not an update, skipped")
				continue
			}
			if err != nil {
				// Not stored: do not move the offset past it; ask again.
				b.log.Error("telegram update not stored", "err", err)
				backoff = time.Second
				break
			}
			offset = max(offset, id+1)
		}
	}
	return ctx.Err()
}

// getUpdates asks for updates after offset, waiting up to the poll timeout.
func (b *Bot) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	form := url.Values{}
	form.Set("offset", strconv.FormatInt(offset, 10))
	form.Set("timeout", strconv.Itoa(int(b.cfg.PollTimeout.Seconds())))
	allowed, _ := json.Marshal(allowedUpdates)
	form.Set("allowed_updates", string(allowed))
	endpoint := strings.TrimRight(b.cfg.APIURL, "/") + "/bot" + b.cfg.Token + "/getUpdates"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, errors.New("telegram: build getUpdates request")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram getUpdates: %s", redact(err.Error(), b.cfg.Token))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		Description string            `json:"description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("telegram getUpdates: HTTP %d, undecodable answer", resp.StatusCode)
	}
	if !r.OK {
		return nil, fmt.Errorf("telegram getUpdates: %s", r.Description)
	}
	return r.Result, nil
}

// errNotUpdate is what receive says of a body that carries no update_id.
var errNotUpdate = errors.New("telegram: not an update (no update_id)")

// receive stores one update, made storable first (see storable), and returns its ID.
// The store sets aside an update it still cannot hold, and receive succeeds then too.
func (b *Bot) receive(ctx context.Context, raw []byte) (int64, error) {
	var key struct {
		ID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &key); err != nil || key.ID <= 0 {
		return 0, errNotUpdate
	}
	payload, err := storable(raw)
	if err != nil {
		b.log.Warn("telegram update not storable as JSON, kept without content", "update_id", key.ID)
		payload = []byte(fmt.Sprintf(`{"update_id":%d}`, key.ID))
	}
	chat := chatOf(payload)
	fresh, err := b.store.Receive(ctx, Name, strconv.FormatInt(key.ID, 10), chat, payload, b.clock.Now())
	if err != nil {
		return 0, err
	}
	if fresh {
		b.wake()
	}
	return key.ID, nil
}

// chatOf returns the chat an update belongs to, or "-" when it names none (or names it
// in a form that cannot be read: such updates queue together).
func chatOf(raw []byte) string {
	var head struct {
		Message *struct {
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
		Edited *struct {
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"edited_message"`
		Callback *struct {
			From    struct{ ID int64 } `json:"from"`
			Message *struct {
				Chat struct{ ID int64 } `json:"chat"`
			} `json:"message"`
		} `json:"callback_query"`
	}
	_ = json.Unmarshal(raw, &head) // a field of the wrong type leaves the others read
	switch {
	case head.Message != nil && head.Message.Chat.ID != 0:
		return strconv.FormatInt(head.Message.Chat.ID, 10)
	case head.Edited != nil && head.Edited.Chat.ID != 0:
		return strconv.FormatInt(head.Edited.Chat.ID, 10)
	case head.Callback != nil && head.Callback.Message != nil && head.Callback.Message.Chat.ID != 0:
		return strconv.FormatInt(head.Callback.Message.Chat.ID, 10)
	case head.Callback != nil && head.Callback.From.ID != 0:
		return strconv.FormatInt(head.Callback.From.ID, 10)
	}
	return "-"
}

// storable returns an update as JSON that PostgreSQL's jsonb can hold. jsonb refuses
// the character U+0000 and lone UTF-16 surrogates, and PostgreSQL invalid UTF-8; Go's
// decoder turns lone surrogates and invalid UTF-8 into U+FFFD, and storable turns U+0000
// into U+FFFD too. Numbers keep their digits. An update with none of these is returned
// as it is.
func storable(raw []byte) ([]byte, error) {
	lower := bytes.ToLower(raw)
	if utf8.Valid(raw) && bytes.IndexByte(raw, 0) < 0 && !bytes.Contains(lower, []byte(`\u0000`)) && !bytes.Contains(lower, []byte(`\ud`)) {
		return raw, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(withoutNUL(v))
}

// withoutNUL replaces U+0000 in every string and key of a decoded JSON value.
func withoutNUL(v any) any {
	switch v := v.(type) {
	case string:
		return strings.ReplaceAll(v, "\x00", "\uFFFD")
	case []any:
		for i := range v {
			v[i] = withoutNUL(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[strings.ReplaceAll(k, "\x00", "\uFFFD")] = withoutNUL(e)
		}
		return out
	}
	return v
}

// WebhookHandler receives updates from Telegram: it refuses a missing or wrong secret
// with 401 and a body that is not an update with 400, stores the update (or sets it
// aside when the database cannot hold it), and only then answers 200 — 500 when the
// database could not be reached, so that Telegram delivers it again.
func (b *Bot) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if b.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(b.cfg.WebhookSecret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		switch _, err := b.receive(r.Context(), raw); {
		case errors.Is(err, errNotUpdate):
			http.Error(w, "not an update", http.StatusBadRequest)
		case err != nil:
			b.log.Error("telegram webhook update not stored", "err", err)
			http.Error(w, "not stored", http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
}

// Decode turns a stored update into what the desk understands, fetching attachments.
// A button press in a private chat is acknowledged to Telegram right away (the spinner
// stops); one in a group carries its callback query ID as Inbound.Press, and is
// answered with the outcome the desk decides.
func (b *Bot) Decode(ctx context.Context, raw flows.RawInbound) (flows.Inbound, bool, error) {
	var u models.Update
	if err := json.Unmarshal(raw.Payload, &u); err != nil {
		return flows.Inbound{}, raw.Chat == "" || strings.HasPrefix(raw.Chat, "-"), fmt.Errorf("telegram: undecodable update: %w", bot.ErrMalformed)
	}
	switch {
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		in := flows.Inbound{User: strconv.FormatInt(cq.From.ID, 10), Name: fullName(cq.From), Lang: cq.From.LanguageCode, Choice: cq.Data}
		chat := cq.From.ID
		if m := cq.Message.Message; m != nil {
			chat = m.Chat.ID
		} else if m := cq.Message.InaccessibleMessage; m != nil {
			chat = m.Chat.ID
		}
		in.Chat = strconv.FormatInt(chat, 10)
		if chat < 0 {
			// A press in a group is answered with its outcome, once the desk has
			// decided it (a press answer in the outbox: answerPress).
			in.Press = cq.ID
			return in, true, nil
		}
		if _, err := b.api.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: cq.ID}); err != nil {
			b.log.Debug("telegram answerCallbackQuery failed", "err", redact(err.Error(), b.cfg.Token))
		}
		return in, false, nil
	case u.Message != nil:
		in, err := b.decodeMessage(ctx, u.Message)
		return in, u.Message.Chat.ID < 0, err
	case u.EditedMessage != nil:
		// An edit is not read again: the citizen is told so; in groups nothing happens.
		m := u.EditedMessage
		in := flows.Inbound{Chat: strconv.FormatInt(m.Chat.ID, 10)}
		if m.Chat.ID < 0 {
			return in, true, nil
		}
		if m.From != nil {
			in.User, in.Name, in.Lang = strconv.FormatInt(m.From.ID, 10), fullName(*m.From), m.From.LanguageCode
		}
		in.Unsupported = "edited"
		return in, false, nil
	}
	return flows.Inbound{Chat: raw.Chat}, true, nil // nothing the desk handles: treated as an unknown group's
}

func (b *Bot) decodeMessage(ctx context.Context, m *models.Message) (flows.Inbound, error) {
	in := flows.Inbound{Chat: strconv.FormatInt(m.Chat.ID, 10)}
	if m.From != nil {
		in.User, in.Name, in.Lang = strconv.FormatInt(m.From.ID, 10), fullName(*m.From), m.From.LanguageCode
	}
	if m.ReplyToMessage != nil {
		in.ReplyTo = strconv.Itoa(m.ReplyToMessage.ID)
	}
	in.Text = m.Text
	if cmd, rest, ok := b.command(m); ok {
		in.Command, in.Text = cmd, rest
	}
	switch {
	case m.Contact != nil:
		if m.From != nil && m.Contact.UserID == m.From.ID {
			in.Phone = m.Contact.PhoneNumber
		} else {
			in.Unsupported = "contact_other"
		}
	case (len(m.Photo) > 0 || m.Document != nil) && m.Chat.ID < 0:
		// Files in groups are not complaints' evidence: not fetched, not kept.
	case len(m.Photo) > 0:
		p := m.Photo[len(m.Photo)-1]
		return b.fetch(ctx, in, "photo", p.FileID, "foto.jpg", "image/jpeg", int64(p.FileSize), m.Caption)
	case m.Document != nil:
		d := m.Document
		return b.fetch(ctx, in, "document", d.FileID, d.FileName, d.MimeType, d.FileSize, m.Caption)
	case m.Location != nil:
		in.Attachment = &flows.Attachment{Kind: "location", Ref: fmt.Sprintf("%.6f,%.6f", m.Location.Latitude, m.Location.Longitude)}
	case m.Sticker != nil:
		in.Unsupported = "sticker"
	case m.Voice != nil, m.Audio != nil, m.VideoNote != nil:
		in.Unsupported = "voice"
	case m.Video != nil, m.Animation != nil:
		in.Unsupported = "video"
	case in.Text == "" && in.Command == "":
		in.Unsupported = "other"
	}
	return in, nil
}

// fetch downloads an attachment and keeps it; one too large becomes Unsupported.
func (b *Bot) fetch(ctx context.Context, in flows.Inbound, kind, fileID, name, mime string, size int64, caption string) (flows.Inbound, error) {
	if strings.TrimSpace(caption) != "" && in.Text == "" {
		in.Text = caption
	}
	if size > b.cfg.MaxFileBytes {
		in.Unsupported = "too_large"
		return in, nil
	}
	if room, err := b.draftHasRoom(ctx, in.Chat); err != nil {
		return in, err
	} else if !room {
		// The conversation would refuse it (no draft, or no room left): not downloaded.
		in.Attachment = &flows.Attachment{Kind: kind, Name: name, Size: size}
		return in, nil
	}
	f, err := b.api.GetFile(ctx, &tg.GetFileParams{FileID: fileID})
	if err != nil {
		if errors.Is(err, tg.ErrorBadRequest) {
			in.Unsupported = "too_large" // Telegram refuses files over 20 MB
			return in, nil
		}
		return in, b.wrap("getFile", err)
	}
	if f.FileSize > b.cfg.MaxFileBytes {
		in.Unsupported = "too_large"
		return in, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.api.FileDownloadLink(f), nil)
	if err != nil {
		return in, errors.New("telegram: build download request")
	}
	resp, err := b.cfg.HTTPClient.Do(req)
	if err != nil {
		return in, fmt.Errorf("telegram download: %s", redact(err.Error(), b.cfg.Token))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return in, fmt.Errorf("telegram download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, b.cfg.MaxFileBytes+1))
	if err != nil {
		return in, fmt.Errorf("telegram download: %s", redact(err.Error(), b.cfg.Token))
	}
	if int64(len(data)) > b.cfg.MaxFileBytes {
		in.Unsupported = "too_large"
		return in, nil
	}
	ref, err := b.store.SaveFile(ctx, Name, in.Chat, fileID, name, mime, data, b.clock.Now())
	if err != nil {
		return in, err
	}
	in.Attachment = &flows.Attachment{Kind: kind, Ref: ref, Name: name, Size: int64(len(data))}
	return in, nil
}

// draftHasRoom reports whether the conversation of a private chat is writing a
// complaint that can take another attachment.
func (b *Bot) draftHasRoom(ctx context.Context, chat string) (bool, error) {
	step, files, err := b.store.DraftFiles(ctx, Name, chat)
	if err != nil {
		return false, err
	}
	s := flows.Session{Step: step}
	return s.Filing() && step != flows.StepConsent && (b.cfg.MaxFiles <= 0 || files < b.cfg.MaxFiles), nil
}

// command returns the command of a message that starts with one: "/lapor" and
// "/lapor@ThisBot" give "lapor"; a command for another bot gives ok false.
func (b *Bot) command(m *models.Message) (cmd, rest string, ok bool) {
	if len(m.Entities) == 0 || m.Entities[0].Type != models.MessageEntityTypeBotCommand || m.Entities[0].Offset != 0 {
		return "", "", false
	}
	u16 := utf16.Encode([]rune(m.Text))
	end := max(0, min(m.Entities[0].Length, len(u16))) // Telegram's lengths are not trusted
	if end == 0 {
		return "", "", false
	}
	word := string(utf16.Decode(u16[:end]))
	rest = strings.TrimSpace(string(utf16.Decode(u16[end:])))
	word = strings.TrimPrefix(word, "/")
	if name, at, found := strings.Cut(word, "@"); found {
		b.mu.Lock()
		me := b.username
		b.mu.Unlock()
		if me != "" && !strings.EqualFold(at, me) {
			return "", "", false
		}
		word = name
	}
	return strings.ToLower(word), rest, true
}

func fullName(u models.User) string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// Deliver sends one outbox message: a text with its buttons (split when too long), a
// complaint's card — in the complaint's forum topic when the group is a forum, and
// edited in place when it replaces an earlier card — or a complaint's attachments or
// its whole record as files (see deliverFiles and deliverRecord). It is DeliverParts
// without recording progress.
func (b *Bot) Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error) {
	return b.DeliverParts(ctx, m, nil)
}

// DeliverParts is Deliver that records each part Telegram accepted but the last (and a
// forum topic it opened) with record as soon as Telegram answers, and that goes on from
// m.Parts when an earlier attempt got that far: a retry, even after a crash, sends only
// what Telegram has not confirmed.
func (b *Bot) DeliverParts(ctx context.Context, m flows.Envelope, record func(ctx context.Context, parts int, r flows.Receipt) error) (flows.Receipt, error) {
	if record == nil {
		record = func(context.Context, int, flows.Receipt) error { return nil }
	}
	chat, err := strconv.ParseInt(m.Chat, 10, 64)
	if err != nil {
		return flows.Receipt{}, fmt.Errorf("telegram: chat %q is not a chat ID: %w", m.Chat, bot.ErrUnreachable)
	}
	if m.Notice.Press != "" {
		return b.answerPress(ctx, chat, m)
	}
	switch m.Notice.Msg {
	case flows.MsgFiles:
		return b.deliverFiles(ctx, chat, m, record)
	case flows.MsgRecord:
		return b.deliverRecord(ctx, chat, m)
	case flows.MsgDataCopy:
		return b.deliverDataCopy(ctx, chat, m)
	}
	text, markup, err := b.render(ctx, m)
	if err != nil {
		return flows.Receipt{}, err
	}
	parts := SplitEscaped(text, MaxText)
	rcpt := flows.Receipt{Thread: m.Thread}
	// In a group, other messages leave a token of its bucket to the answers to a person,
	// so that a prompt or a confirmation never waits for card refreshes to be paced.
	spare := spareFor(chat, m)
	if m.Edit != "" && len(parts) == 1 && m.Parts == 0 {
		if err := b.pace(ctx, chat, spare); err != nil {
			return flows.Receipt{}, err
		}
		id, _ := strconv.Atoi(m.Edit)
		_, err := b.api.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: chat, MessageID: id, Text: parts[0],
			ParseMode: models.ParseModeHTML, ReplyMarkup: markup})
		switch {
		case err == nil, isNotModified(err):
			rcpt.Ref = m.Edit
			return rcpt, nil
		case !errors.Is(err, tg.ErrorBadRequest):
			return flows.Receipt{}, b.failure(chat, err)
		}
		// The card is gone (deleted, too old): send a new one instead.
	}
	if m.Notice.Card && rcpt.Thread == "" && m.Parts == 0 && m.Unit != "" && b.isForum(ctx, chat) {
		if err := b.pace(ctx, chat, spare); err != nil {
			return flows.Receipt{}, err
		}
		topic, err := b.api.CreateForumTopic(ctx, &tg.CreateForumTopicParams{ChatID: chat, Name: topicName(m.Notice)})
		if err == nil {
			rcpt.Thread = strconv.Itoa(topic.MessageThreadID)
			if err := record(ctx, 0, rcpt); err != nil {
				return flows.Receipt{}, err
			}
		} else {
			b.log.Warn("telegram forum topic not created", "outbox_id", m.ID, "err", redact(err.Error(), b.cfg.Token))
		}
	}
	rcpt.Ref = m.PartRef
	for i := m.Parts; i < len(parts); i++ {
		if err := b.pace(ctx, chat, spare); err != nil {
			return flows.Receipt{}, err
		}
		thread, _ := strconv.Atoi(rcpt.Thread)
		p := &tg.SendMessageParams{ChatID: chat, MessageThreadID: thread, Text: parts[i], ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()}}
		if i == len(parts)-1 {
			p.ReplyMarkup = markup
		}
		msg, err := b.api.SendMessage(ctx, p)
		if err != nil && thread != 0 && errors.Is(err, tg.ErrorBadRequest) {
			// The complaint's topic was deleted or closed: the main chat instead.
			b.log.Warn("telegram topic refused a message, sent to the main chat", "outbox_id", m.ID)
			p.MessageThreadID, rcpt.Thread = 0, ""
			msg, err = b.api.SendMessage(ctx, p)
		}
		if err != nil {
			return flows.Receipt{}, b.failure(chat, err)
		}
		rcpt.Ref = strconv.Itoa(msg.ID)
		if i < len(parts)-1 {
			if err := record(ctx, i+1, rcpt); err != nil {
				return flows.Receipt{}, fmt.Errorf("telegram: part %d of %d sent, not recorded: %w", i+1, len(parts), err)
			}
		}
	}
	return rcpt, nil
}

// pace takes a token for chat from the limiter. Senders queue for the overall limit in
// turn, each waiting its short slot; a longer wait (the chat's own limit, a 429 penalty)
// returns a *bot.RetryAfter, so that the outbox row waits instead of a goroutine.
//
// It takes the chat's token only when spare more stay in its bucket, kept for the
// answers to a person (see Limiter.ReserveLeaving); spare 0 takes any.
func (b *Bot) pace(ctx context.Context, chat int64, spare int) error {
	b.pacing.Lock()
	defer b.pacing.Unlock()
	for range 50 {
		wait := b.limiter.ReserveLeaving(chat, b.cfg.Pace.Now(), spare)
		switch {
		case wait == 0:
			return nil
		case wait > 100*time.Millisecond:
			return &bot.RetryAfter{Wait: wait}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return &bot.RetryAfter{Wait: time.Second}
}

// spareFor is how many tokens of a chat's bucket message m leaves to the answers to a
// person: one for any other message in a group, none elsewhere.
func spareFor(chat int64, m flows.Envelope) int {
	if chat < 0 && !m.Answer {
		return 1
	}
	return 0
}

// render returns the HTML text and the keyboard of an outbox message: the neutral
// message of the desk's renderer, its blocks joined by blank lines (not yet escaped:
// SplitEscaped escapes each part) and its choices formatted by markup.
func (b *Bot) render(ctx context.Context, m flows.Envelope) (string, models.ReplyMarkup, error) {
	msg, err := b.renderer.Render(ctx, m, locales.Telegram)
	if err != nil {
		return "", nil, err
	}
	return strings.Join(msg.Blocks, "\n\n"), b.markup(m.Lang, msg), nil
}

// markup builds the keyboard of msg: inline buttons for its choices, a share-contact
// button when the phone is asked for (the other choices become keys that send their
// label), a forced reply when text is asked for, the removal of an earlier keyboard
// after the phone step, and an empty inline keyboard on a card without actions (so
// that an edit removes the buttons of the card it replaces).
func (b *Bot) markup(lang string, msg bot.Message) models.ReplyMarkup {
	switch msg.Ask {
	case flows.AskPhone:
		kb := [][]models.KeyboardButton{{{Text: b.catalog.Label(lang, flows.Choice{Label: flows.LabelShare}), RequestContact: true}}}
		// A message has one keyboard: the other choices (skip) become keys that send
		// their label as text, which the phone step understands.
		for _, row := range msg.Choices {
			var keys []models.KeyboardButton
			for _, o := range row {
				keys = append(keys, models.KeyboardButton{Text: o.Label})
			}
			kb = append(kb, keys)
		}
		return &models.ReplyKeyboardMarkup{Keyboard: kb, OneTimeKeyboard: true, ResizeKeyboard: true}
	case flows.AskReply:
		return &models.ForceReply{ForceReply: true, Selective: false}
	case flows.AskClose:
		if len(msg.Choices) == 0 {
			return &models.ReplyKeyboardRemove{RemoveKeyboard: true}
		}
	}
	if len(msg.Choices) == 0 {
		if msg.Card {
			return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}
		}
		return nil
	}
	var rows [][]models.InlineKeyboardButton
	for _, row := range msg.Choices {
		var r []models.InlineKeyboardButton
		for _, o := range row {
			r = append(r, models.InlineKeyboardButton{Text: o.Label, CallbackData: o.Data})
		}
		rows = append(rows, r)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// isForum reports whether a group is a forum supergroup (asked once per chat).
func (b *Bot) isForum(ctx context.Context, chat int64) bool {
	b.mu.Lock()
	f, known := b.forums[chat]
	b.mu.Unlock()
	if known {
		return f
	}
	info, err := b.api.GetChat(ctx, &tg.GetChatParams{ChatID: chat})
	if err != nil {
		return false
	}
	b.mu.Lock()
	b.forums[chat] = info.IsForum
	b.mu.Unlock()
	return info.IsForum
}

func topicName(n flows.Notice) string { return n.Tracking }

// failure classifies a Telegram error for the Sender: 429 waits (and slows the chat),
// 403 and a vanished chat are unreachable, the rest is worth retrying.
func (b *Bot) failure(chat int64, err error) error {
	var tmr *tg.TooManyRequestsError
	var mig *tg.MigrateError
	switch {
	case errors.As(err, &tmr):
		wait := time.Duration(max(tmr.RetryAfter, 1)) * time.Second
		b.limiter.Penalize(chat, b.cfg.Pace.Now(), wait, false)
		return &bot.RetryAfter{Wait: wait}
	case errors.As(err, &mig):
		b.log.Error("telegram group was upgraded to a supergroup: update its chat ID in the units file",
			"old_chat", chat, "new_chat", mig.MigrateToChatID)
		return fmt.Errorf("telegram: group moved to %d: %w", mig.MigrateToChatID, bot.ErrUnreachable)
	case errors.Is(err, tg.ErrorForbidden):
		return fmt.Errorf("telegram: %s: %w", redact(err.Error(), b.cfg.Token), bot.ErrUnreachable)
	case errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "chat not found"):
		return fmt.Errorf("telegram: chat not found: %w", bot.ErrUnreachable)
	case errors.Is(err, tg.ErrorBadRequest):
		// Telegram refuses this message as it is (rights, a closed chat…): retrying
		// would only hold back the chat's later messages.
		return fmt.Errorf("telegram: %s: %w", redact(err.Error(), b.cfg.Token), bot.ErrRejected)
	}
	return b.wrap("send", err)
}

func (b *Bot) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("telegram %s: %s", op, redact(err.Error(), b.cfg.Token))
}

func isNotModified(err error) bool {
	return errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified")
}

// redact removes the bot token from a text (URLs in network errors carry it).
func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "<token>")
}
