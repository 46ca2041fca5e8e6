// Package wafake is a fake of the whatsmeow client the WhatsApp channel talks to
// (whatsapp.Client), for tests that run the desk end to end without a network: it
// records every message the desk sends — the real waE2E.Message, to whom, under which
// ID — serves the uploads and downloads of media, answers group info from groups the
// test sets up (whose members may change), and builds the real events.Message values
// WhatsApp would deliver (a text in a private chat, a quoted reply to one of the desk's
// messages, a photo with a caption, a document, a location, a group message, a sender
// known only by LID) and feeds them to the channel's HandleMessage. View shows what a
// chat received as a phone shows it.
package wafake

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"aduan/bot/whatsapp"
)

// Sent is one message the desk sent.
type Sent struct {
	To  types.JID
	ID  types.MessageID
	Msg *waE2E.Message
	At  time.Time // real time of the send
}

// Text returns the message's text as WhatsApp shows it (see Text).
func (s Sent) Text() string { return Text(s.Msg) }

// Quoted returns the ID of the message this one quotes, or "".
func (s Sent) Quoted() string { return contextOf(s.Msg).GetStanzaID() }

// Read is one read receipt the desk sent.
type Read struct {
	IDs          []types.MessageID
	Chat, Sender types.JID
}

// Person is someone who writes to the desk: their JID as WhatsApp addresses them (a
// phone number at s.whatsapp.net, or a LID), the other identity WhatsApp gives
// alongside it (Alt; empty for a LID whose phone number WhatsApp does not tell), and
// the name they chose for themselves.
type Person struct {
	JID  types.JID
	Alt  types.JID
	Name string
}

// PN returns a person known by phone number: digits in international form.
func PN(number, name string) Person {
	return Person{JID: types.NewJID(number, types.DefaultUserServer), Name: name}
}

// LID returns a person known only by LID, their phone number untold.
func LID(lid, name string) Person {
	return Person{JID: types.NewJID(lid, types.HiddenUserServer), Name: name}
}

// Client is a fake whatsmeow client. It is safe for concurrent use.
type Client struct {
	self types.JID

	mu        sync.Mutex
	offline   bool
	handle    func(*events.Message) bool
	sends     []Sent
	taken     int     // sends already returned by Take
	sendErr   []error // the results of the next sends, in turn (nil: accepted)
	reads     []Read
	typing    []types.JID
	media     map[string][]byte // by direct path
	downErr   error
	uploads   int
	groups    map[types.JID]*types.GroupInfo
	groupAsks int
	ids       int // messages generated (IDs of the desk's and of the people's)
	now       func() time.Time
}

var _ whatsapp.Client = (*Client)(nil)

// New returns a connected client of the desk's account self (its phone-number JID).
func New(self types.JID) *Client {
	return &Client{self: self, media: map[string][]byte{}, groups: map[types.JID]*types.GroupInfo{}, now: time.Now}
}

// Self returns the desk's own JID.
func (c *Client) Self() types.JID { return c.self }

// Attach makes Receive feed messages to handle (the channel's HandleMessage).
func (c *Client) Attach(handle func(*events.Message) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handle = handle
}

// SetConnected sets what IsConnected answers (and whether sends succeed).
func (c *Client) SetConnected(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offline = !on
}

// FailSends makes the next sends fail with errs in turn (a nil error lets one through).
func (c *Client) FailSends(errs ...error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sendErr = append(c.sendErr, errs...)
}

// FailDownloads makes every download fail with err (nil: downloads work again).
func (c *Client) FailDownloads(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.downErr = err
}

// SendMessage records m sent to a chat under the ID of extra, which the channel must
// choose (SendRequestExtra.ID): a send without one fails. A device JID fails as
// WhatsApp's does, and so does a send while disconnected.
func (c *Client) SendMessage(ctx context.Context, to types.JID, m *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.offline:
		return whatsmeow.SendResponse{}, whatsmeow.ErrNotConnected
	case len(extra) != 1 || extra[0].ID == "":
		return whatsmeow.SendResponse{}, errors.New("wafake: send without a chosen message ID")
	case to.Device != 0:
		return whatsmeow.SendResponse{}, whatsmeow.ErrRecipientADJID
	case to.Server != types.DefaultUserServer && to.Server != types.HiddenUserServer && to.Server != types.GroupServer:
		return whatsmeow.SendResponse{}, whatsmeow.ErrUnknownServer
	}
	if to.Server == types.GroupServer {
		if _, ok := c.groups[to]; !ok {
			return whatsmeow.SendResponse{}, whatsmeow.ErrNotInGroup
		}
	}
	if len(c.sendErr) > 0 {
		err := c.sendErr[0]
		c.sendErr = c.sendErr[1:]
		if err != nil {
			return whatsmeow.SendResponse{}, err
		}
	}
	now := c.now()
	c.sends = append(c.sends, Sent{To: to, ID: extra[0].ID, Msg: proto.Clone(m).(*waE2E.Message), At: now})
	return whatsmeow.SendResponse{ID: extra[0].ID, Timestamp: now}, nil
}

// GenerateMessageID returns a new message ID in the form whatsmeow's has
// ("3EB0" and 18 hex digits).
func (c *Client) GenerateMessageID() types.MessageID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.newIDLocked(whatsmeow.WebMessageIDPrefix)
}

func (c *Client) newIDLocked(prefix string) types.MessageID {
	c.ids++
	return types.MessageID(fmt.Sprintf("%s%018X", prefix, c.ids))
}

// MarkRead records a read receipt.
func (c *Client) MarkRead(ctx context.Context, ids []types.MessageID, ts time.Time, chat, sender types.JID, rt ...types.ReceiptType) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads = append(c.reads, Read{IDs: slices.Clone(ids), Chat: chat, Sender: sender})
	return nil
}

// SendChatPresence records "typing…" shown in a chat.
func (c *Client) SendChatPresence(ctx context.Context, chat types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if state == types.ChatPresenceComposing {
		c.typing = append(c.typing, chat)
	}
	return nil
}

// Download returns the bytes of an attachment by its direct path: one the test made
// with Image or Document, or one the desk uploaded. An unknown path is expired media
// (ErrMediaDownloadFailedWith404), as after WhatsApp's servers dropped it.
func (c *Client) Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.downErr != nil {
		return nil, c.downErr
	}
	data, ok := c.media[msg.GetDirectPath()]
	if !ok {
		return nil, whatsmeow.ErrMediaDownloadFailedWith404
	}
	sum := sha256.Sum256(data)
	if got := msg.GetFileSHA256(); got != nil && string(got) != string(sum[:]) {
		return nil, whatsmeow.ErrInvalidMediaSHA256
	}
	return slices.Clone(data), nil
}

// Upload keeps data and returns where it is, so that a later Download (a phone viewing
// it) finds it.
func (c *Client) Upload(ctx context.Context, data []byte, kind whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.offline {
		return whatsmeow.UploadResponse{}, whatsmeow.ErrNotConnected
	}
	c.uploads++
	path, sum := c.keepLocked("up", data)
	return whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.net" + path, DirectPath: path, MediaKey: []byte("key" + path),
		FileEncSHA256: sum, FileSHA256: sum, FileLength: uint64(len(data))}, nil
}

// keepLocked stores media and returns its direct path and SHA-256.
func (c *Client) keepLocked(prefix string, data []byte) (string, []byte) {
	c.ids++
	path := fmt.Sprintf("/v/t62.7118-24/%s-%d", prefix, c.ids)
	c.media[path] = slices.Clone(data)
	sum := sha256.Sum256(data)
	return path, sum[:]
}

// Uploads returns how many files the desk uploaded.
func (c *Client) Uploads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.uploads
}

// GetGroupInfo returns a group set up with SetGroup, as it is now; another group fails
// with ErrNotInGroup, as one the desk's account is not in.
func (c *Client) GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groupAsks++
	g, ok := c.groups[jid]
	if !ok {
		return nil, whatsmeow.ErrNotInGroup
	}
	out := *g
	out.Participants = slices.Clone(g.Participants)
	return &out, nil
}

// GroupAsks returns how often the desk asked for group info.
func (c *Client) GroupAsks() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.groupAsks
}

// IsConnected reports whether the fake is connected (see SetConnected).
func (c *Client) IsConnected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.offline
}

// SetGroup makes the desk's account a member of group, named name, with the members
// given (and the desk itself).
func (c *Client) SetGroup(group types.JID, name string, members ...Person) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := &types.GroupInfo{JID: group, GroupName: types.GroupName{Name: name}}
	g.Participants = append(g.Participants, types.GroupParticipant{JID: c.self, PhoneNumber: c.self, IsAdmin: true})
	c.groups[group] = g
	for _, p := range members {
		c.addLocked(group, p)
	}
}

// Join adds a member to a group set up with SetGroup.
func (c *Client) Join(group types.JID, p Person) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(group, p)
}

func (c *Client) addLocked(group types.JID, p Person) {
	g, ok := c.groups[group]
	if !ok {
		panic("wafake: no group " + group.String())
	}
	gp := types.GroupParticipant{JID: p.JID}
	for _, j := range []types.JID{p.JID, p.Alt} {
		switch j.Server {
		case types.DefaultUserServer:
			gp.PhoneNumber = j
		case types.HiddenUserServer:
			gp.LID = j
		}
	}
	g.Participants = append(g.Participants, gp)
}

// Leave removes a member from a group.
func (c *Client) Leave(group types.JID, p Person) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, ok := c.groups[group]
	if !ok {
		return
	}
	g.Participants = slices.DeleteFunc(g.Participants, func(gp types.GroupParticipant) bool {
		return gp.JID == p.JID || (!p.Alt.IsEmpty() && (gp.PhoneNumber == p.Alt || gp.LID == p.Alt))
	})
}

// Sent returns every message the desk sent, in order.
func (c *Client) Sent() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sends)
}

// Take returns the messages sent since the last Take.
func (c *Client) Take() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := slices.Clone(c.sends[c.taken:])
	c.taken = len(c.sends)
	return out
}

// To returns the messages among sent that went to chat.
func To(sent []Sent, chat types.JID) []Sent {
	var out []Sent
	for _, s := range sent {
		if s.To == chat {
			out = append(out, s)
		}
	}
	return out
}

// Reads returns the read receipts sent.
func (c *Client) Reads() []Read {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.reads)
}

// Typing returns the chats "typing…" was shown in, in order.
func (c *Client) Typing() []types.JID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.typing)
}

// View returns what chat received, as its phone shows it: one entry per message, its
// text without WhatsApp's markup (see Text).
func (c *Client) View(chat types.JID) []string {
	var out []string
	for _, s := range To(c.Sent(), chat) {
		out = append(out, s.Text())
	}
	return out
}

// Receive delivers evt to the attached handler as WhatsApp would, and fails when the
// handler did not take it (returned false: WhatsApp would deliver it again).
func (c *Client) Receive(evt *events.Message) error {
	c.mu.Lock()
	h := c.handle
	c.mu.Unlock()
	if h == nil {
		return errors.New("wafake: no handler attached")
	}
	if !h(evt) {
		return fmt.Errorf("wafake: message %s not taken", evt.Info.ID)
	}
	return nil
}

// event returns a message from p in chat with a new ID.
func (c *Client) event(chat types.JID, p Person, m *waE2E.Message) *events.Message {
	c.mu.Lock()
	id := c.newIDLocked("3A")
	now := c.now()
	c.mu.Unlock()
	mode := types.AddressingModePN
	if p.JID.Server == types.HiddenUserServer {
		mode = types.AddressingModeLID
	}
	return &events.Message{Info: types.MessageInfo{
		MessageSource: types.MessageSource{Chat: chat, Sender: p.JID, SenderAlt: p.Alt, IsGroup: chat.Server == types.GroupServer,
			AddressingMode: mode},
		ID: id, PushName: p.Name, Timestamp: now.Truncate(time.Second)},
		Message: m, RawMessage: m}
}

// DM returns a text p writes in their private chat with the desk.
func (c *Client) DM(p Person, text string) *events.Message {
	return c.event(p.JID, p, &waE2E.Message{Conversation: proto.String(text)})
}

// InGroup returns a text p writes in a group, quoting nothing.
func (c *Client) InGroup(group types.JID, p Person, text string) *events.Message {
	return c.event(group, p, &waE2E.Message{Conversation: proto.String(text)})
}

// Quote returns a text p writes in chat (their private chat with the desk, or a group)
// replying to one of the desk's messages there, as WhatsApp sends a reply: an extended
// text whose context names the quoted message, its author (the desk) and its content.
func (c *Client) Quote(chat types.JID, p Person, quoted Sent, text string) *events.Message {
	return c.event(chat, p, &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(text),
		ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String(string(quoted.ID)), Participant: proto.String(c.self.String()),
			QuotedMessage: quotable(quoted.Msg)}}})
}

// quotable returns the part of a quoted message WhatsApp sends along with a reply.
func quotable(m *waE2E.Message) *waE2E.Message {
	if t := Text(m); m.GetConversation() != "" || m.GetExtendedTextMessage() != nil {
		return &waE2E.Message{Conversation: proto.String(t)}
	}
	return proto.Clone(m).(*waE2E.Message)
}

// Image returns a photo p sends in chat with a caption; its bytes are kept for the
// desk's download.
func (c *Client) Image(chat types.JID, p Person, data []byte, mime, caption string) *events.Message {
	c.mu.Lock()
	path, sum := c.keepLocked("img", data)
	c.mu.Unlock()
	return c.event(chat, p, &waE2E.Message{ImageMessage: &waE2E.ImageMessage{URL: proto.String("https://mmg.whatsapp.net" + path),
		DirectPath: proto.String(path), MediaKey: []byte("key" + path), FileSHA256: sum, FileEncSHA256: sum,
		FileLength: proto.Uint64(uint64(len(data))), Mimetype: proto.String(mime), Caption: proto.String(caption)}})
}

// Document returns a document p sends in chat; its bytes are kept for the desk's
// download.
func (c *Client) Document(chat types.JID, p Person, data []byte, name, mime, caption string) *events.Message {
	c.mu.Lock()
	path, sum := c.keepLocked("doc", data)
	c.mu.Unlock()
	return c.event(chat, p, &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{URL: proto.String("https://mmg.whatsapp.net" + path),
		DirectPath: proto.String(path), MediaKey: []byte("key" + path), FileSHA256: sum, FileEncSHA256: sum,
		FileLength: proto.Uint64(uint64(len(data))), Mimetype: proto.String(mime), FileName: proto.String(name),
		Title: proto.String(name), Caption: proto.String(caption)}})
}

// Location returns a location p shares in chat, with a name (may be empty).
func (c *Client) Location(chat types.JID, p Person, lat, long float64, name string) *events.Message {
	return c.event(chat, p, &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(lat),
		DegreesLongitude: proto.Float64(long), Name: proto.String(name)}})
}

// Voice returns a voice note p sends in chat.
func (c *Client) Voice(chat types.JID, p Person) *events.Message {
	return c.event(chat, p, &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true), Seconds: proto.Uint32(4),
		Mimetype: proto.String("audio/ogg; codecs=opus"), DirectPath: proto.String("/v/voice")}})
}

// FromMe returns a text typed on the desk's own phone in chat (a person answering by
// hand): WhatsApp reports it to the linked device as IsFromMe.
func (c *Client) FromMe(chat types.JID, text string) *events.Message {
	evt := c.event(chat, Person{JID: c.self}, &waE2E.Message{Conversation: proto.String(text)})
	evt.Info.IsFromMe = true
	return evt
}

// Text returns a message's text as a phone shows it: the text or caption without
// WhatsApp's markup ('*', '_', '~' pairs at word edges, the zero-width spaces that
// keep a marker literal); a photo, document or location is shown as "[foto]",
// "[dokumen NAME]" or "[lokasi LAT,LONG]" before its caption (a location's name).
func Text(m *waE2E.Message) string {
	var head, body string
	switch {
	case m.GetConversation() != "":
		body = m.GetConversation()
	case m.GetExtendedTextMessage() != nil:
		body = m.GetExtendedTextMessage().GetText()
	case m.GetImageMessage() != nil:
		head, body = "[foto]", m.GetImageMessage().GetCaption()
	case m.GetDocumentMessage() != nil:
		head, body = "[dokumen "+m.GetDocumentMessage().GetFileName()+"]", m.GetDocumentMessage().GetCaption()
	case m.GetLocationMessage() != nil:
		l := m.GetLocationMessage()
		head = fmt.Sprintf("[lokasi %.6f,%.6f]", l.GetDegreesLatitude(), l.GetDegreesLongitude())
		body = l.GetName()
	}
	body = Plain(body)
	switch {
	case head == "":
		return body
	case body == "":
		return head
	}
	return head + " " + body
}

// Plain returns WhatsApp-formatted text as it reads on a phone: a pair of markers
// around words ("*1.*", "_Pengaduan_") shows its text only; a marker kept literal
// between zero-width spaces shows as itself.
func Plain(s string) string {
	const zwsp = "\u200b"
	const literal = "\x00"
	// Literal markers first, so that they pair with nothing.
	for _, mk := range []string{"*", "_", "~", "`"} {
		s = strings.ReplaceAll(s, zwsp+mk+zwsp, literal+mk)
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		b.WriteString(unpair(line))
	}
	out := strings.ReplaceAll(b.String(), literal, "")
	return strings.ReplaceAll(out, zwsp, "")
}

// unpair removes pairs of markers on one line where WhatsApp formats: the opening one
// at the start or after a non-word character and before a non-space, the closing one
// after a non-space and at the end or before a non-word character.
func unpair(line string) string {
	r := []rune(line)
	drop := make([]bool, len(r))
	word := func(i int) bool {
		if i < 0 || i >= len(r) {
			return false
		}
		c := r[i]
		return c == '\x00' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c > 127
	}
	space := func(i int) bool { return i < 0 || i >= len(r) || r[i] == ' ' || r[i] == '\n' || r[i] == '\t' }
	for i := 0; i < len(r); i++ {
		mk := r[i]
		if mk != '*' && mk != '_' && mk != '~' && mk != '`' || (i > 0 && r[i-1] == '\x00') || word(i-1) || space(i+1) {
			continue
		}
		for j := i + 2; j < len(r); j++ {
			if r[j] == mk && !(j > 0 && r[j-1] == '\x00') && !space(j-1) && !word(j+1) {
				drop[i], drop[j] = true, true
				i = j
				break
			}
		}
	}
	var b strings.Builder
	for i, c := range r {
		if !drop[i] {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// contextOf returns the context (a quote) of a text message, or nil.
func contextOf(m *waE2E.Message) *waE2E.ContextInfo {
	return m.GetExtendedTextMessage().GetContextInfo()
}
