package whatsapp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/proto/waWeb"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"aduan/bot"
	"aduan/flows"
)

var (
	citizen    = types.NewJID("6281234567890", types.DefaultUserServer)
	citizenLID = types.NewJID("123456789012345", types.HiddenUserServer)
	group      = types.NewJID("120363012345678901", types.GroupServer)
	adminLID   = types.NewJID("998877665544332", types.HiddenUserServer)
	adminPN    = types.NewJID("6285700000001", types.DefaultUserServer)
	deskPN     = types.NewJID("6281100000000", types.DefaultUserServer)
	deskLID    = types.NewJID("555000111222333", types.HiddenUserServer)
)

// private returns a message from the citizen in their private chat, by phone number.
func private(id string, m *waE2E.Message) *events.Message {
	return &events.Message{Info: types.MessageInfo{
		MessageSource: types.MessageSource{Chat: citizen, Sender: citizen, AddressingMode: types.AddressingModePN},
		ID:            types.MessageID(id), PushName: "Budi", Timestamp: time.Unix(1764579600, 0)},
		Message: m, RawMessage: m}
}

// inGroup returns a message of the admin (by LID, phone number alongside) in the unit's group.
func inGroup(id string, m *waE2E.Message) *events.Message {
	return &events.Message{Info: types.MessageInfo{
		MessageSource: types.MessageSource{Chat: group, Sender: adminLID, SenderAlt: adminPN, IsGroup: true,
			AddressingMode: types.AddressingModeLID},
		ID: types.MessageID(id), PushName: "Sari (Dukcapil)", Timestamp: time.Unix(1764579600, 0)},
		Message: m, RawMessage: m}
}

func text(s string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(s)} }

// handleAndDecode stores evt through HandleMessage and decodes what the inbox holds.
func (r *rig) handleAndDecode(t *testing.T, evt *events.Message) (flows.Inbound, bool) {
	t.Helper()
	if !r.wa.HandleMessage(evt) {
		t.Fatal("HandleMessage = false")
	}
	raws := r.claim(t)
	if len(raws) != 1 {
		t.Fatalf("inbox holds %d messages, want 1", len(raws))
	}
	if raws[0].Chat != evt.Info.Chat.String() || raws[0].ID != InboxID(evt.Info.Chat.String(), evt.Info.ID) {
		t.Errorf("inbox row chat %q id %q", raws[0].Chat, raws[0].ID)
	}
	in, g, err := r.wa.Decode(context.Background(), raws[0])
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if err := r.db.Handled(context.Background(), Name, raws[0].ID, r.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return in, g
}

// TestHandleMessageStoresOnce: a text is stored once, however often WhatsApp delivers
// it, the desk is woken once, and it decodes to the citizen's text in their chat.
func TestHandleMessageStoresOnce(t *testing.T) {
	r := newRig(t, Config{})
	evt := private("3EB0AAA1", text("Halo, jalan di depan rumah saya rusak"))
	for range 3 {
		if !r.wa.HandleMessage(evt) {
			t.Fatal("HandleMessage = false")
		}
	}
	raws := r.claim(t)
	if len(raws) != 1 || r.wakes != 1 {
		t.Fatalf("%d stored, %d wakes; want 1, 1", len(raws), r.wakes)
	}
	in, g, err := r.wa.Decode(context.Background(), raws[0])
	want := flows.Inbound{Chat: citizen.String(), User: citizen.String(), Name: "Budi", Text: "Halo, jalan di depan rumah saya rusak", Known: citizen.User}
	if err != nil || g || in != want {
		t.Errorf("Decode = %+v, %v, %v; want %+v", in, g, err, want)
	}
	if len(r.fake.reads) != 0 {
		t.Errorf("read receipts %+v at Decode, want none before the message is handled", r.fake.reads)
	}
	r.wa.Acknowledge(context.Background(), raws[0])
	if len(r.fake.reads) != 1 || r.fake.reads[0].IDs[0] != "3EB0AAA1" || r.fake.reads[0].Chat != citizen || r.fake.reads[0].Sender != citizen {
		t.Errorf("read receipts %+v, want the message marked read", r.fake.reads)
	}
}

// TestHandleMessageIgnores: what is nothing for the desk is acknowledged and not stored.
func TestHandleMessageIgnores(t *testing.T) {
	r := newRig(t, Config{})
	fromMe := private("3EB0B001", text("Baik Pak, kami cek"))
	fromMe.Info.IsFromMe = true
	history := private("3EB0B002", text("old"))
	history.SourceWebMsg = &waWeb.WebMessageInfo{}
	status := private("3EB0B003", text("status update"))
	status.Info.Chat = types.StatusBroadcastJID
	reaction := private("3EB0B004", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍"),
		Key: &waCommon.MessageKey{ID: proto.String("3EB0OURS")}}})
	revoke := private("3EB0B005", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(),
		Key: &waCommon.MessageKey{ID: proto.String("3EB0AAA1")}}})
	groupEdit := inGroup("3EB0B006", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
		EditedMessage: text("1")}})
	groupEdit.IsEdit = true
	poll := private("3EB0B007", &waE2E.Message{PollCreationMessage: &waE2E.PollCreationMessage{Name: proto.String("?")}})
	blank := private("3EB0B008", text("   "))
	for name, evt := range map[string]*events.Message{"from the desk's phone": fromMe, "history sync": history, "status": status,
		"reaction": reaction, "revoke": revoke, "edit in a group": groupEdit, "poll": poll, "blank": blank} {
		if !r.wa.HandleMessage(evt) {
			t.Errorf("%s: HandleMessage = false", name)
		}
	}
	if raws := r.claim(t); len(raws) != 0 || r.wakes != 0 {
		t.Errorf("stored %d messages (%d wakes), want none", len(raws), r.wakes)
	}
}

// failingStore fails or panics on Receive.
type failingStore struct {
	Store
	panics bool
}

func (s failingStore) Receive(ctx context.Context, channel, id, chat string, payload []byte, now time.Time) (bool, error) {
	if s.panics {
		panic("boom")
	}
	return false, errors.New("database gone")
}

// TestHandleMessageNotStored: when the message cannot be stored, or storing panics,
// HandleMessage returns false, so that WhatsApp delivers it again.
func TestHandleMessageNotStored(t *testing.T) {
	r := newRig(t, Config{})
	for _, panics := range []bool{false, true} {
		r.wa.store = failingStore{Store: r.db, panics: panics}
		if r.wa.HandleMessage(private("3EB0C001", text("halo"))) {
			t.Errorf("panics %v: HandleMessage = true for a message not stored", panics)
		}
	}
	r.wa.store = r.db
	if !r.wa.HandleMessage(private("3EB0C001", text("halo"))) || len(r.claim(t)) != 1 {
		t.Error("the redelivery is not stored")
	}
}

// TestHandleMessageNUL: a text with U+0000 (which the database refuses) is stored,
// the character replaced, and invalid UTF-8 too.
func TestHandleMessageNUL(t *testing.T) {
	r := newRig(t, Config{})
	in, _ := r.handleAndDecode(t, private("3EB0C201", text("jalan\x00rusak \xff")))
	if in.Text != "jalan\uFFFDrusak \uFFFD" {
		t.Errorf("text %q", in.Text)
	}
}

// TestHandleMessageRequested: a message WhatsApp's phone sent again on request (it
// could not be decrypted at first) is a new message, though it comes as a web message.
func TestHandleMessageRequested(t *testing.T) {
	r := newRig(t, Config{})
	evt := private("3EB0C101", text("halo"))
	evt.SourceWebMsg, evt.UnavailableRequestID = &waWeb.WebMessageInfo{}, "REQ1"
	if !r.wa.HandleMessage(evt) || len(r.claim(t)) != 1 {
		t.Error("a message sent again on request is not stored")
	}
}

// TestDecodeQuoteOfACard: an extended text quoting a card in the unit's group carries
// the quoted message's ID (the receipt of the desk's card), the participant who wrote
// (by LID), and Press: its answers go to the group, quoting it.
func TestDecodeQuoteOfACard(t *testing.T) {
	r := newRig(t, Config{})
	r.wa.Use(r.fake, deskPN, deskLID)
	quote := inGroup("3EB0D001", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(" 2 "),
		ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("3EB0CARD42"), Participant: proto.String(deskLID.String()),
			QuotedMessage: text("KR-0042 …")}}})
	in, g := r.handleAndDecode(t, quote)
	want := flows.Inbound{Chat: group.String(), User: adminLID.String(), Name: "Sari (Dukcapil)", Text: "2", ReplyTo: "3EB0CARD42",
		Press: group.String() + " 3EB0D001 " + adminLID.String()}
	if !g || in != want {
		t.Errorf("Decode = %+v, %v; want %+v in a group", in, g, want)
	}
	// A quote of someone else's message is no action for the desk: no Press.
	chatter := inGroup("3EB0D002", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("setuju"),
		ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("3EB0OTHER"), Participant: proto.String(adminPN.String())}}})
	if in, _ := r.handleAndDecode(t, chatter); in.Press != "" || in.ReplyTo != "3EB0OTHER" {
		t.Errorf("quote of a member's message: %+v", in)
	}
	// A command word alone in the group is a command, with Press.
	if in, _ := r.handleAndDecode(t, inGroup("3EB0D003", text("Antrian"))); in.Command != "antrian" || in.Press == "" || in.Text != "" {
		t.Errorf("\"Antrian\" in the group: %+v", in)
	}
	if len(r.fake.reads) != 0 {
		t.Errorf("group messages marked read: %+v", r.fake.reads)
	}
}

// TestDecodeCommands: commands are typed with a slash or as the word alone.
func TestDecodeCommands(t *testing.T) {
	r := newRig(t, Config{})
	for i, c := range []struct{ text, cmd, rest string }{
		{"lapor", "lapor", ""},
		{"Lapor!", "lapor", ""},
		{"/status", "status", ""},
		{"/lapor jalan rusak", "lapor", "jalan rusak"},
		{"bantuan", "help", ""},
		{"MENU", "start", ""},
		{"batal.", "batal", ""},
		{"lapor jalan rusak di Sungai Raya", "", "lapor jalan rusak di Sungai Raya"},
		{"antrian", "", "antrian"}, // a group's command, no citizen's
		{"3", "", "3"},
	} {
		in, _ := r.handleAndDecode(t, private("3EB0E00"+string(rune('A'+i)), text(c.text)))
		if in.Command != c.cmd || in.Text != c.rest {
			t.Errorf("%q: command %q text %q; want %q, %q", c.text, in.Command, in.Text, c.cmd, c.rest)
		}
	}
}

// filing puts the citizen's conversation at the attachments step.
func (r *rig) filing(t *testing.T, chat types.JID) {
	t.Helper()
	if _, err := r.db.Pool().Exec(context.Background(), `INSERT INTO session (channel, chat, lang, step, draft, updated_at)
VALUES ($1, $2, 'id', 'files', '{}', $3)`, Name, chat.String(), r.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestDecodeImageWithCaption: a photo sent while filing is downloaded at once with the
// keys WhatsApp gave and kept in the store; its caption is the text.
func TestDecodeImageWithCaption(t *testing.T) {
	r := newRig(t, Config{})
	r.filing(t, citizen)
	r.fake.media["/v/t62/img"] = []byte("jpeg bytes")
	img := private("3EB0F001", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("foto lubang"),
		URL: proto.String("https://mmg.whatsapp.net/img"), DirectPath: proto.String("/v/t62/img"), MediaKey: []byte("mk"),
		FileSHA256: []byte("fs"), FileEncSHA256: []byte("fe"), FileLength: proto.Uint64(10), Mimetype: proto.String("image/jpeg"),
		JPEGThumbnail: []byte("thumbnail, not kept")}})
	in, _ := r.handleAndDecode(t, img)
	if in.Text != "foto lubang" || in.Attachment == nil || in.Attachment.Kind != "photo" || !strings.HasPrefix(in.Attachment.Ref, "file:") {
		t.Fatalf("Decode = %+v (attachment %+v)", in, in.Attachment)
	}
	d, ok := r.fake.downloads[0].(*waE2E.ImageMessage)
	if !ok || d.GetDirectPath() != "/v/t62/img" || string(d.GetMediaKey()) != "mk" || string(d.GetFileEncSHA256()) != "fe" {
		t.Errorf("downloaded %+v", r.fake.downloads)
	}
	name, mime, data, err := r.db.Attachment(context.Background(), in.Attachment.Ref)
	if err != nil || name != "foto.jpg" || mime != "image/jpeg" || string(data) != "jpeg bytes" {
		t.Errorf("kept %q %q %q, %v", name, mime, data, err)
	}
}

// TestDecodeDocument: a document is downloaded and kept under its name; one larger
// than MaxFileBytes is not downloaded; an expired one asks to be sent again.
func TestDecodeDocument(t *testing.T) {
	r := newRig(t, Config{MaxFileBytes: 100})
	r.filing(t, citizen)
	r.fake.media["/v/doc"] = []byte("%PDF-1.7")
	doc := func(id string, size uint64) *events.Message {
		return private(id, &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("ktp.pdf"),
			Mimetype: proto.String("application/pdf"), DirectPath: proto.String("/v/doc"), MediaKey: []byte("k"), FileLength: proto.Uint64(size)}})
	}
	in, _ := r.handleAndDecode(t, doc("3EB0F101", 8))
	if in.Attachment == nil || in.Attachment.Kind != "document" || in.Attachment.Name != "ktp.pdf" || in.Attachment.Size != 8 {
		t.Fatalf("Decode = %+v", in)
	}
	if in, _ := r.handleAndDecode(t, doc("3EB0F102", 101)); in.Unsupported != "too_large" || in.Attachment != nil || len(r.fake.downloads) != 1 {
		t.Errorf("a large document: %+v, %d downloads", in, len(r.fake.downloads))
	}
	r.fake.downErr = whatsmeow.ErrMediaDownloadFailedWith410
	if !r.wa.HandleMessage(doc("3EB0F103", 8)) {
		t.Fatal("HandleMessage = false")
	}
	if _, _, err := r.wa.Decode(context.Background(), r.claim(t)[0]); !errors.Is(err, bot.ErrMalformed) {
		t.Errorf("expired media: Decode error %v, want bot.ErrMalformed", err)
	}
}

// TestDecodeLocationAndUnsupported: a location is the place; voice notes, videos and
// stickers are named for the explanation; an edit is told it is not read again.
func TestDecodeLocationAndUnsupported(t *testing.T) {
	r := newRig(t, Config{})
	loc := private("3EB0G001", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-0.0263),
		DegreesLongitude: proto.Float64(109.3425), Name: proto.String("Kantor Camat"), Address: proto.String("Jl. Adisucipto")}})
	in, _ := r.handleAndDecode(t, loc)
	if a := in.Attachment; a == nil || *a != (flows.Attachment{Kind: "location", Ref: "-0.026300,109.342500", Name: "Kantor Camat, Jl. Adisucipto"}) {
		t.Errorf("location: %+v", in.Attachment)
	}
	edit := private("3EB0G005", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
		Key: &waCommon.MessageKey{ID: proto.String("3EB0AAA1")}, EditedMessage: text("jalan rusak parah")}})
	edit.IsEdit = true
	for evt, want := range map[*events.Message]string{
		private("3EB0G002", &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true)}}): "voice",
		private("3EB0G003", &waE2E.Message{VideoMessage: &waE2E.VideoMessage{}}):                      "video",
		private("3EB0G004", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}):                  "sticker",
		edit: "edited",
		private("3EB0G006", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{Vcard: proto.String("BEGIN:VCARD\nTEL;waid=6289999999999:+62 899\nEND:VCARD")}}): "contact_other",
	} {
		if in, _ := r.handleAndDecode(t, evt); in.Unsupported != want || in.Text != "" {
			t.Errorf("%s: %+v", want, in)
		}
	}
	own := private("3EB0G007", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{Vcard: proto.String("BEGIN:VCARD\nTEL;type=CELL;waid=6281234567890:+62 812-3456-7890\nEND:VCARD")}})
	if in, _ := r.handleAndDecode(t, own); in.Phone != "+6281234567890" || in.Unsupported != "" {
		t.Errorf("own contact card: %+v", in)
	}
}

// TestDecodeLIDWithoutPhone: a citizen WhatsApp addresses by LID alone is keyed by it;
// no phone number is made up.
func TestDecodeLIDWithoutPhone(t *testing.T) {
	r := newRig(t, Config{})
	evt := private("3EB0H001", text("Saya mau lapor"))
	evt.Info.Chat, evt.Info.Sender, evt.Info.AddressingMode = citizenLID, citizenLID, types.AddressingModeLID
	in, g := r.handleAndDecode(t, evt)
	if g || in.Chat != citizenLID.String() || in.User != citizenLID.String() || in.Phone != "" || in.Text != "Saya mau lapor" {
		t.Errorf("Decode = %+v, %v", in, g)
	}
	// Its own contact card is not believed: WhatsApp did not say the number is theirs.
	card := private("3EB0H002", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{Vcard: proto.String("TEL;waid=6281234567890:+62")}})
	card.Info.Chat, card.Info.Sender = citizenLID, citizenLID
	if in, _ := r.handleAndDecode(t, card); in.Phone != "" {
		t.Errorf("a LID's contact card gave phone %q", in.Phone)
	}
}

// TestDecodeGroupFiles: a photo in a group is not fetched.
func TestDecodeGroupFiles(t *testing.T) {
	r := newRig(t, Config{})
	in, g := r.handleAndDecode(t, inGroup("3EB0I001", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("bukti"),
		DirectPath: proto.String("/v/x")}}))
	if !g || in.Attachment != nil || in.Text != "bukti" || len(r.fake.downloads) != 0 {
		t.Errorf("Decode = %+v, %v; %d downloads", in, g, len(r.fake.downloads))
	}
}
