package whatsapp

import (
	"context"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"aduan/flows"
)

// lidClient is the fake client with a LID map, as whatsmeow's device store keeps one.
type lidClient struct {
	*fakeClient
	pnOf map[types.JID]types.JID // LID → phone-number JID
}

func (c lidClient) GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	return c.pnOf[lid.ToNonAD()], nil
}

func (c lidClient) GetLIDForPN(ctx context.Context, pn types.JID) (types.JID, error) {
	for l, p := range c.pnOf {
		if p == pn.ToNonAD() {
			return l, nil
		}
	}
	return types.JID{}, nil
}

// fromLID makes a private message come from the citizen's LID chat, with their phone
// number alongside when alt is set.
func fromLID(evt *events.Message, alt types.JID) *events.Message {
	evt.Info.Chat, evt.Info.Sender, evt.Info.SenderAlt, evt.Info.AddressingMode = citizenLID, citizenLID, alt, types.AddressingModeLID
	return evt
}

// TestDecodeKnownNumber: a private message carries the number WhatsApp vouches for —
// the phone-number chat's, the sender's other identity's, or the LID map's — and none
// for a LID alone or in a group; a contact card of that number is the citizen's own.
func TestDecodeKnownNumber(t *testing.T) {
	r := newRig(t, Config{})
	in, _ := r.handleAndDecode(t, private("3EB0P001", text("Saya mau lapor")))
	if in.Known != citizen.User || in.Chat != citizen.String() {
		t.Errorf("phone-number chat: known %q chat %q; want %q %q", in.Known, in.Chat, citizen.User, citizen)
	}

	in, _ = r.handleAndDecode(t, fromLID(private("3EB0P002", text("Saya mau lapor")), types.JID{User: citizen.User, Device: 3, Server: types.DefaultUserServer}))
	if in.Known != citizen.User || in.Chat != citizenLID.String() || in.User != citizenLID.String() {
		t.Errorf("LID with SenderAlt: known %q chat %q user %q; want %q under the LID", in.Known, in.Chat, in.User, citizen.User)
	}

	in, _ = r.handleAndDecode(t, fromLID(private("3EB0P003", text("Saya mau lapor")), types.JID{}))
	if in.Known != "" || in.Chat != citizenLID.String() {
		t.Errorf("LID alone, no map: known %q chat %q; want none under the LID", in.Known, in.Chat)
	}

	in, _ = r.handleAndDecode(t, inGroup("3EB0P004", text("antrian")))
	if in.Known != "" {
		t.Errorf("group message: known %q, want none", in.Known)
	}

	r.wa.Use(lidClient{fakeClient: r.fake, pnOf: map[types.JID]types.JID{citizenLID: citizen}})
	in, _ = r.handleAndDecode(t, fromLID(private("3EB0P005", text("Saya mau lapor")), types.JID{}))
	if in.Known != citizen.User || in.Chat != citizenLID.String() {
		t.Errorf("LID alone, mapped: known %q chat %q; want %q under the LID", in.Known, in.Chat, citizen.User)
	}
	card := fromLID(private("3EB0P006", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{
		Vcard: proto.String("BEGIN:VCARD\nTEL;waid=6281234567890:+62 812-3456-7890\nEND:VCARD")}}), types.JID{})
	if in, _ := r.handleAndDecode(t, card); in.Phone != "+6281234567890" {
		t.Errorf("own contact card from a mapped LID: phone %q", in.Phone)
	}
}

// TestDecodeFollowsChangedChat: a citizen known under their phone-number chat who now
// writes from their LID is handled under the phone-number chat — their conversation
// and complaints — when WhatsApp gives the number (SenderAlt or the LID map); once
// known under the LID, the LID chat is theirs.
func TestDecodeFollowsChangedChat(t *testing.T) {
	r := newRig(t, Config{})
	now := r.clock.Now()
	c := flows.Complaint{Type: flows.ReportComplaint, Privacy: flows.Ordinary, Category: "kk", Title: "KK belum jadi",
		Body:    "Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai.",
		Contact: flows.Contact{Channel: Name, Chat: citizen.String(), Lang: "id"}}
	if _, err := r.db.File(context.Background(), r.rules, "KR", c, now); err != nil {
		t.Fatal(err)
	}
	in, _ := r.handleAndDecode(t, fromLID(private("3EB0Q001", text("status")), citizen))
	if in.Chat != citizen.String() || in.User != citizen.String() || in.Known != citizen.User {
		t.Errorf("LID with SenderAlt: chat %q user %q known %q; want the phone-number chat", in.Chat, in.User, in.Known)
	}

	r.wa.Use(lidClient{fakeClient: r.fake, pnOf: map[types.JID]types.JID{citizenLID: citizen}})
	in, _ = r.handleAndDecode(t, fromLID(private("3EB0Q002", text("status")), types.JID{}))
	if in.Chat != citizen.String() {
		t.Errorf("LID alone, mapped: chat %q, want the phone-number chat", in.Chat)
	}

	// A conversation of its own under the LID: the LID chat is the citizen's.
	if _, err := r.db.Pool().Exec(context.Background(), `INSERT INTO session (channel, chat, updated_at) VALUES ($1, $2, $3)`,
		Name, citizenLID.String(), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	in, _ = r.handleAndDecode(t, fromLID(private("3EB0Q003", text("status")), citizen))
	if in.Chat != citizenLID.String() {
		t.Errorf("LID with a conversation: chat %q, want the LID chat", in.Chat)
	}

	// Another citizen's LID mapped to nobody known: their own chat.
	stranger := types.NewJID("777000111222333", types.HiddenUserServer)
	evt := private("3EB0Q004", text("halo"))
	evt.Info.Chat, evt.Info.Sender = stranger, stranger
	if in, _ := r.handleAndDecode(t, evt); in.Chat != stranger.String() || in.Known != "" {
		t.Errorf("unmapped LID: chat %q known %q", in.Chat, in.Known)
	}
}

// TestDecodeLIDMapOfTheConnection: over a real whatsmeow client the number of a LID
// alone comes from the device store's LID map, as whatsmeow filled it from earlier
// messages (here put there by hand); no network is used.
func TestDecodeLIDMapOfTheConnection(t *testing.T) {
	r := newRig(t, Config{})
	sess := OpenSession(r.db.Pool(), nil)
	t.Cleanup(func() { sess.Close() })
	if err := sess.Upgrade(t.Context()); err != nil {
		t.Fatal(err)
	}
	linkFake(t, sess, deskPN.User)
	dev, err := sess.device(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.LIDs.PutLIDMapping(t.Context(), citizenLID, citizen); err != nil {
		t.Fatal(err)
	}
	cli := sess.newClient(dev)
	r.wa.Use(cli, deskPN)
	if r.wa.lids() == nil {
		t.Fatal("no LID map from a whatsmeow client")
	}
	in, _ := r.handleAndDecode(t, fromLID(private("3EB0R001", text("Saya mau lapor")), types.JID{}))
	if in.Known != citizen.User || in.Chat != citizenLID.String() {
		t.Errorf("LID alone over whatsmeow's map: known %q chat %q; want %q under the LID", in.Known, in.Chat, citizen.User)
	}
	stranger := types.NewJID("777000111222333", types.HiddenUserServer)
	evt := private("3EB0R002", text("halo"))
	evt.Info.Chat, evt.Info.Sender = stranger, stranger
	if in, _ := r.handleAndDecode(t, evt); in.Known != "" {
		t.Errorf("unmapped LID over whatsmeow's map: known %q", in.Known)
	}
}
