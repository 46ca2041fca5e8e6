package whatsapp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"aduan/bot"
	"aduan/flows"
)

// payload is an inbound message as the inbox keeps it: what Decode needs, no more (no
// thumbnails, no other protocol fields). Its chat is the inbox row's.
type payload struct {
	ID        string    `json:"id"`
	Chat      string    `json:"chat"`
	Sender    string    `json:"sender"`
	SenderAlt string    `json:"sender_alt,omitempty"` // the sender's other identity (phone number or LID), when WhatsApp gave it
	Group     bool      `json:"group,omitempty"`
	Name      string    `json:"name,omitempty"` // the sender's push name (their own choice)
	Time      time.Time `json:"time"`
	Edit      bool      `json:"edit,omitempty"`

	Text       string `json:"text,omitempty"`        // the text, or a file's caption
	Quoted     string `json:"quoted,omitempty"`      // the ID of the message this one quotes
	QuotedFrom string `json:"quoted_from,omitempty"` // who wrote the quoted message

	// Kind is what the message carries besides text: "image", "document", "location",
	// "contact", or something the desk cannot use ("voice", "video", "sticker", "other").
	Kind     string   `json:"kind,omitempty"`
	Media    *media   `json:"media,omitempty"`
	Lat      float64  `json:"lat,omitempty"`
	Long     float64  `json:"long,omitempty"`
	Place    string   `json:"place,omitempty"`    // a location's name or address
	Contacts []string `json:"contacts,omitempty"` // the phone numbers (waid) of a shared contact card
}

// media is what it takes to download an attachment.
type media struct {
	URL        string `json:"url,omitempty"`
	DirectPath string `json:"direct_path"`
	Key        []byte `json:"key"`
	SHA256     []byte `json:"sha256"`
	EncSHA256  []byte `json:"enc_sha256"`
	Length     uint64 `json:"length"`
	Mime       string `json:"mime,omitempty"`
	Name       string `json:"name,omitempty"`
}

// HandleMessage stores a message WhatsApp delivered in the inbox, before WhatsApp is
// told it arrived, and reports whether it may be acknowledged: true once it is stored
// (or was stored before: a redelivery, de-duplicated by chat and message ID) or when it
// is nothing for the desk; false when it could not be stored or handling it panicked,
// so that WhatsApp delivers it again (with the client's synchronous acks and decrypted
// event buffer on). It does no network call and nothing slow: the desk handles the
// stored message later (Decode).
//
// Not for the desk, acknowledged without storing: messages sent from the desk's own
// account (its phone, where a person may be writing), history sync copies, status
// updates, newsletters and broadcast lists, reactions, protocol messages (deletions,
// settings), edits in groups, and messages with nothing the desk reads (polls, pins).
func (c *Bot) HandleMessage(evt *events.Message) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("whatsapp message handler panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			ok = false
		}
	}()
	p, keep := normalize(evt)
	if !keep {
		return true
	}
	// The database holds no U+0000 in text (invalid UTF-8 the encoder replaces itself).
	p.Text, p.Name, p.Place = noNUL(p.Text), noNUL(p.Name), noNUL(p.Place)
	if p.Media != nil {
		p.Media.Name, p.Media.Mime = noNUL(p.Media.Name), noNUL(p.Media.Mime)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		c.log.Error("whatsapp message not encodable", "message_id", p.ID, "err", err)
		return true // it would fail again: redelivery cannot help
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fresh, err := c.store.Receive(ctx, Name, InboxID(p.Chat, types.MessageID(p.ID)), p.Chat, raw, c.clock.Now())
	if err != nil {
		c.log.Error("whatsapp message not stored", "message_id", p.ID, "err", err)
		return false
	}
	if fresh {
		c.wake()
	}
	return true
}

// noNUL replaces U+0000 in s with U+FFFD.
func noNUL(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }

// normalize turns a message event into its payload, and reports false for a message
// that is nothing for the desk (see HandleMessage).
func normalize(evt *events.Message) (payload, bool) {
	info := evt.Info
	chat := info.Chat.ToNonAD()
	switch {
	case evt.Message == nil, info.ID == "", chat.IsEmpty(), info.IsFromMe,
		evt.SourceWebMsg != nil && evt.UnavailableRequestID == "", // a history sync copy
		chat.Server == types.BroadcastServer, chat.Server == types.NewsletterServer,
		chat.Server != types.GroupServer && chat.Server != types.DefaultUserServer && chat.Server != types.HiddenUserServer:
		return payload{}, false
	}
	m := evt.Message
	p := payload{ID: info.ID, Chat: chat.String(), Sender: info.Sender.ToNonAD().String(), Group: chat.Server == types.GroupServer,
		Name: info.PushName, Time: info.Timestamp, Edit: evt.IsEdit}
	if !info.SenderAlt.IsEmpty() {
		p.SenderAlt = info.SenderAlt.ToNonAD().String()
	}
	if pm := m.GetProtocolMessage(); pm != nil {
		if pm.GetType() != waE2E.ProtocolMessage_MESSAGE_EDIT || pm.GetEditedMessage() == nil {
			return payload{}, false // a deletion, a disappearing-messages setting, a key share…
		}
		p.Edit, m = true, pm.GetEditedMessage()
	}
	if p.Edit && p.Group {
		return payload{}, false // edits in groups change nothing
	}
	if ci := contextOf(m); ci != nil && ci.GetStanzaID() != "" {
		p.Quoted, p.QuotedFrom = ci.GetStanzaID(), ci.GetParticipant()
	}
	switch {
	case m.GetConversation() != "":
		p.Text = m.GetConversation()
	case m.GetExtendedTextMessage() != nil:
		p.Text = m.GetExtendedTextMessage().GetText()
	case m.GetImageMessage() != nil:
		im := m.GetImageMessage()
		p.Kind, p.Text = "image", im.GetCaption()
		p.Media = &media{URL: im.GetURL(), DirectPath: im.GetDirectPath(), Key: im.GetMediaKey(), SHA256: im.GetFileSHA256(),
			EncSHA256: im.GetFileEncSHA256(), Length: im.GetFileLength(), Mime: im.GetMimetype()}
	case m.GetDocumentMessage() != nil:
		d := m.GetDocumentMessage()
		p.Kind, p.Text = "document", d.GetCaption()
		p.Media = &media{URL: d.GetURL(), DirectPath: d.GetDirectPath(), Key: d.GetMediaKey(), SHA256: d.GetFileSHA256(),
			EncSHA256: d.GetFileEncSHA256(), Length: d.GetFileLength(), Mime: d.GetMimetype(), Name: d.GetFileName()}
	case m.GetLocationMessage() != nil:
		l := m.GetLocationMessage()
		p.Kind, p.Lat, p.Long = "location", l.GetDegreesLatitude(), l.GetDegreesLongitude()
		p.Place = strings.TrimSpace(strings.Join(slices.DeleteFunc([]string{l.GetName(), l.GetAddress()}, func(s string) bool { return s == "" }), ", "))
	case m.GetLiveLocationMessage() != nil:
		l := m.GetLiveLocationMessage()
		p.Kind, p.Lat, p.Long, p.Text = "location", l.GetDegreesLatitude(), l.GetDegreesLongitude(), l.GetCaption()
	case m.GetContactMessage() != nil:
		p.Kind, p.Contacts = "contact", waids(m.GetContactMessage().GetVcard())
	case m.GetContactsArrayMessage() != nil:
		p.Kind = "contact"
		for _, cm := range m.GetContactsArrayMessage().GetContacts() {
			p.Contacts = append(p.Contacts, waids(cm.GetVcard())...)
		}
	case m.GetAudioMessage() != nil:
		p.Kind = "voice"
	case m.GetVideoMessage() != nil, m.GetPtvMessage() != nil:
		p.Kind = "video"
	case m.GetStickerMessage() != nil:
		p.Kind = "sticker"
	default:
		// Reactions, polls, pins, keep-in-chat, key distribution alone: nothing to read.
		return payload{}, false
	}
	if p.Kind == "" && strings.TrimSpace(p.Text) == "" {
		return payload{}, false
	}
	return p, true
}

// contextOf returns the context (quote, mentions) of a message of any kind that has one.
func contextOf(m *waE2E.Message) *waE2E.ContextInfo {
	switch {
	case m.GetExtendedTextMessage() != nil:
		return m.GetExtendedTextMessage().GetContextInfo()
	case m.GetImageMessage() != nil:
		return m.GetImageMessage().GetContextInfo()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage().GetContextInfo()
	case m.GetLocationMessage() != nil:
		return m.GetLocationMessage().GetContextInfo()
	case m.GetContactMessage() != nil:
		return m.GetContactMessage().GetContextInfo()
	case m.GetAudioMessage() != nil:
		return m.GetAudioMessage().GetContextInfo()
	case m.GetVideoMessage() != nil:
		return m.GetVideoMessage().GetContextInfo()
	case m.GetStickerMessage() != nil:
		return m.GetStickerMessage().GetContextInfo()
	}
	return nil
}

var waid = regexp.MustCompile(`waid=(\d{6,20})`)

// waids returns the WhatsApp numbers of a vCard.
func waids(vcard string) []string {
	var out []string
	for _, m := range waid.FindAllStringSubmatch(vcard, -1) {
		out = append(out, m[1])
	}
	return out
}

// Decode turns a stored message into what the desk understands: a command typed with
// or without a slash ("/lapor", "lapor", "bantuan" alone), text, a quote of a message
// (ReplyTo is the quoted message's ID, the receipt the desk recorded when it sent it),
// a photo or document with its caption as the text, downloaded and kept at once (in a
// private chat, when the draft has room for it; one over MaxFileBytes is Unsupported
// "too_large"), a location (sent when the conversation asks where it happened, also
// the place typed: its name and address, or its coordinates), the citizen's own number
// shared as a contact card (Phone), the number WhatsApp vouches for in a private chat
// (Known; see identify, which also picks the chat a citizen whose chat changed identity
// is answered under), and "voice", "video", "sticker", "contact_other"
// or "edited" as Unsupported. In a group, User is
// the participant who wrote, files are not fetched, and a command or a quote of the
// desk's own message carries Press (see deliverAnswer): the answer to it goes to the
// group, quoting it. A private message is marked read once handled (Acknowledge), not here.
//
// An attachment WhatsApp no longer serves (expired, gone) fails with bot.ErrMalformed:
// the citizen is asked to send it again.
func (c *Bot) Decode(ctx context.Context, raw flows.RawInbound) (flows.Inbound, bool, error) {
	var p payload
	if err := json.Unmarshal(raw.Payload, &p); err != nil || p.ID == "" {
		return flows.Inbound{Chat: raw.Chat}, strings.HasSuffix(raw.Chat, "@"+types.GroupServer),
			fmt.Errorf("whatsapp: undecodable message: %w", bot.ErrMalformed)
	}
	in := flows.Inbound{Chat: p.Chat, User: p.Sender, Name: p.Name, ReplyTo: p.Quoted}
	if !p.Group {
		// A person's ID is their private chat's, as the store answers them there: the
		// chat they wrote from, or the other identity's they are known under (identify).
		chat, known, err := c.identify(ctx, p)
		if err != nil {
			return in, false, err
		}
		in.Chat, in.User, in.Known = chat, chat, known
	}
	text := strings.TrimSpace(p.Text)
	in.Text = text
	if cmd, rest, ok := command(text, p.Group); ok && p.Kind == "" {
		in.Command, in.Text = cmd, rest
	}
	var err error
	switch {
	case p.Edit:
		in.Text, in.Command, in.Unsupported = "", "", "edited"
	case p.Kind == "" && in.Text == "" && in.Command == "":
		in.Unsupported = "other"
	case p.Group && (p.Kind == "image" || p.Kind == "document"):
		// Files in groups are not complaints' evidence: not fetched, not kept.
	case p.Kind == "image" || p.Kind == "document":
		in, err = c.fetch(ctx, in, p)
	case p.Kind == "location":
		in.Attachment = &flows.Attachment{Kind: "location", Ref: fmt.Sprintf("%.6f,%.6f", p.Lat, p.Long), Name: p.Place}
		if !p.Group && in.Text == "" {
			in, err = c.place(ctx, in)
		}
	case p.Kind == "contact":
		if phone, ok := ownNumber(p, in.Known); ok {
			in.Phone = phone
		} else {
			in.Unsupported = "contact_other"
		}
	case p.Kind != "":
		in.Unsupported = p.Kind
	}
	if err != nil {
		return in, p.Group, err
	}
	if p.Group && (in.Command != "" || (p.Quoted != "" && c.quotesSelf(p.QuotedFrom))) {
		in.Press = pressRef(p)
	}
	return in, p.Group, nil
}

// ownNumber returns the sender's own phone number from a shared contact card: the card
// must hold exactly the number WhatsApp knows the sender by (theirs, their other
// identity's, or known: the one the LID map gives).
func ownNumber(p payload, known ...string) (string, bool) {
	for _, s := range []string{p.Sender, p.SenderAlt} {
		if j, err := types.ParseJID(s); err == nil && j.Server == types.DefaultUserServer {
			known = append(known, j.User)
		}
	}
	if len(p.Contacts) != 1 || !slices.Contains(known, p.Contacts[0]) {
		return "", false
	}
	return "+" + p.Contacts[0], true
}

// quotesSelf reports whether a quoted message was written by the desk.
func (c *Bot) quotesSelf(from string) bool {
	j, err := types.ParseJID(from)
	return err == nil && c.isSelf(j)
}

// privateWords and groupWords are the commands typed as a word alone, without a slash,
// in a private chat and in a group, with the words that stand for them.
var (
	privateWords = map[string]string{"menu": "start", "bantuan": "help", "cancel": "batal", "language": "bahasa"}
	groupWords   = map[string]string{"bantuan": "help", "queue": "antrian"}
)

func init() {
	for _, c := range flows.PrivateCommands {
		privateWords[c.Name] = c.Name
	}
	for _, c := range flows.GroupCommands {
		groupWords[c.Name] = c.Name
	}
}

// command returns the command a text is: "/word rest" for any word, or one of the
// desk's command words alone ("lapor", "Bantuan!"), and the rest of the text.
func command(text string, group bool) (cmd, rest string, ok bool) {
	if w, r, found := strings.Cut(text, " "); strings.HasPrefix(text, "/") {
		w = strings.ToLower(strings.TrimPrefix(w, "/"))
		if !found {
			w, r, _ = strings.Cut(w, "\n")
		}
		if w == "" {
			return "", "", false
		}
		if word, ok := commandWord(w, group); ok {
			w = word
		}
		return w, strings.TrimSpace(r), true
	}
	w := strings.ToLower(strings.TrimRight(text, ".!?, "))
	if word, ok := commandWord(w, group); ok {
		return word, "", true
	}
	return "", "", false
}

func commandWord(w string, group bool) (string, bool) {
	words := privateWords
	if group {
		words = groupWords
	}
	c, ok := words[w]
	return c, ok
}

// pressRef is the reference a group message's answer carries (Inbound.Press): the
// group, the message and who wrote it.
func pressRef(p payload) string { return p.Chat + " " + p.ID + " " + p.Sender }

// parsePress reads a pressRef.
func parsePress(s string) (group types.JID, id, sender string, ok bool) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return types.JID{}, "", "", false
	}
	g, err := types.ParseJID(f[0])
	if err != nil || g.Server != types.GroupServer {
		return types.JID{}, "", "", false
	}
	return g, f[1], f[2], true
}

// fetch downloads a photo or document and keeps it; see Decode.
func (c *Bot) fetch(ctx context.Context, in flows.Inbound, p payload) (flows.Inbound, error) {
	kind, name := "photo", "foto.jpg"
	var msg whatsmeow.DownloadableMessage
	m := p.Media
	if m == nil {
		return in, fmt.Errorf("whatsapp: %s without media keys: %w", p.Kind, bot.ErrMalformed)
	}
	if p.Kind == "document" {
		kind, name = "document", cmp.Or(m.Name, "dokumen")
		msg = &waE2E.DocumentMessage{URL: &m.URL, DirectPath: &m.DirectPath, MediaKey: m.Key, FileSHA256: m.SHA256,
			FileEncSHA256: m.EncSHA256, FileLength: &m.Length, Mimetype: &m.Mime, FileName: &m.Name}
	} else {
		msg = &waE2E.ImageMessage{URL: &m.URL, DirectPath: &m.DirectPath, MediaKey: m.Key, FileSHA256: m.SHA256,
			FileEncSHA256: m.EncSHA256, FileLength: &m.Length, Mimetype: &m.Mime}
	}
	mime := cmp.Or(m.Mime, "application/octet-stream")
	if int64(m.Length) > c.cfg.MaxFileBytes {
		in.Unsupported = "too_large"
		return in, nil
	}
	if room, err := c.draftHasRoom(ctx, in.Chat); err != nil {
		return in, err
	} else if !room {
		// The conversation would refuse it (no draft, or no room left): not downloaded.
		in.Attachment = &flows.Attachment{Kind: kind, Name: name, Size: int64(m.Length)}
		return in, nil
	}
	cl, err := c.connected()
	if err != nil {
		return in, err
	}
	data, err := cl.Download(ctx, msg)
	switch {
	case errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith403), errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404),
		errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410), errors.Is(err, whatsmeow.ErrNoURLPresent):
		c.log.Warn("whatsapp media expired before it was downloaded: the sender is asked to send it again", "message_id", p.ID)
		return in, fmt.Errorf("%w: %w", ErrMediaExpired, bot.ErrMalformed)
	case errors.Is(err, whatsmeow.ErrInvalidMediaHMAC), errors.Is(err, whatsmeow.ErrInvalidMediaEncSHA256),
		errors.Is(err, whatsmeow.ErrInvalidMediaSHA256), errors.Is(err, whatsmeow.ErrFileLengthMismatch):
		return in, fmt.Errorf("whatsapp: media corrupt: %w", bot.ErrMalformed)
	case err != nil:
		return in, fmt.Errorf("whatsapp: download: %w", scrub(err))
	}
	if int64(len(data)) > c.cfg.MaxFileBytes {
		in.Unsupported = "too_large"
		return in, nil
	}
	ref, err := c.store.SaveFile(ctx, Name, in.Chat, InboxID(p.Chat, types.MessageID(p.ID)), name, mime, data, c.clock.Now())
	if err != nil {
		return in, err
	}
	in.Attachment = &flows.Attachment{Kind: kind, Ref: ref, Name: name, Size: int64(len(data))}
	return in, nil
}

// place makes a location sent when the conversation asks where it happened the answer
// too: its name and address, or else its coordinates, as the typed place.
func (c *Bot) place(ctx context.Context, in flows.Inbound) (flows.Inbound, error) {
	step, _, err := c.store.DraftFiles(ctx, Name, in.Chat)
	if err != nil {
		return in, err
	}
	if step == flows.StepWhere {
		in.Text = cmp.Or(in.Attachment.Name, strings.ReplaceAll(in.Attachment.Ref, ",", ", "))
	}
	return in, nil
}

// draftHasRoom reports whether the conversation of a private chat is writing a
// complaint that can take another attachment.
func (c *Bot) draftHasRoom(ctx context.Context, chat string) (bool, error) {
	step, files, err := c.store.DraftFiles(ctx, Name, chat)
	if err != nil {
		return false, err
	}
	s := flows.Session{Step: step}
	return s.Filing() && step != flows.StepConsent && (c.cfg.MaxFiles <= 0 || files < c.cfg.MaxFiles), nil
}

// markRead tells the citizen their message was read; a failure is only logged.
func (c *Bot) markRead(ctx context.Context, p payload) {
	c.mu.Lock()
	cl := c.client
	c.mu.Unlock()
	if cl == nil {
		return
	}
	chat, err1 := types.ParseJID(p.Chat)
	sender, err2 := types.ParseJID(p.Sender)
	if err1 != nil || err2 != nil {
		return
	}
	if err := cl.MarkRead(ctx, []types.MessageID{p.ID}, c.cfg.Pace.Now(), chat, sender); err != nil {
		c.log.Debug("whatsapp read receipt not sent", "err", scrub(err))
	}
}
