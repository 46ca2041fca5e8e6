package wafake

import (
	"context"
	"errors"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

var (
	desk  = types.NewJID("6281100000000", types.DefaultUserServer)
	group = types.NewJID("120363000000001001", types.GroupServer)
	budi  = PN("6281234567890", "Budi")
	admin = Person{JID: types.NewJID("100000000000001", types.HiddenUserServer), Alt: types.NewJID("6285700000001", types.DefaultUserServer), Name: "Rina"}
)

func TestPlain(t *testing.T) {
	for in, want := range map[string]string{
		"*1.* Setuju\n*2.* Batal":                   "1. Setuju\n2. Batal",
		"Pilih \u200b*\u200bsatu\u200b*\u200b saja": "Pilih *satu* saja",
		"_miring_ dan ~coret~ dan a_b_c@example.id": "miring dan coret dan a_b_c@example.id",
		"2*3 = 6, *tebal sekali*":                   "2*3 = 6, tebal sekali",
		"* bukan tebal *":                           "* bukan tebal *",
		"Batal\u200b_\u200b":                        "Batal_",
		"*baris satu\nbaris dua*":                   "*baris satu\nbaris dua*",
		"“Teruskan”, *aduan* ADU-1: _Tercatat_.":    "“Teruskan”, aduan ADU-1: Tercatat.",
	} {
		if got := Plain(in); got != want {
			t.Errorf("Plain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSendRecordsRealMessages(t *testing.T) {
	c := New(desk)
	c.SetGroup(group, "Admin Nasional", admin)
	ctx := context.Background()
	m := &waE2E.Message{Conversation: proto.String("*1.* Setuju")}
	if _, err := c.SendMessage(ctx, budi.JID, m); err == nil {
		t.Error("a send without a chosen ID was accepted")
	}
	id := c.GenerateMessageID()
	if len(id) != 22 || id[:4] != whatsmeow.WebMessageIDPrefix || c.GenerateMessageID() == id {
		t.Errorf("message ID %q", id)
	}
	if _, err := c.SendMessage(ctx, budi.JID, m, whatsmeow.SendRequestExtra{ID: id}); err != nil {
		t.Fatal(err)
	}
	m.Conversation = proto.String("changed after the send")
	dev := budi.JID
	dev.Device = 3
	other := types.NewJID("120363999999999999", types.GroupServer)
	for name, to := range map[string]types.JID{"device": dev, "group the desk is not in": other} {
		if _, err := c.SendMessage(ctx, to, m, whatsmeow.SendRequestExtra{ID: "X"}); err == nil {
			t.Errorf("a send to a %s was accepted", name)
		}
	}
	c.FailSends(whatsmeow.ErrMessageTimedOut)
	if _, err := c.SendMessage(ctx, group, m, whatsmeow.SendRequestExtra{ID: "Y"}); !errors.Is(err, whatsmeow.ErrMessageTimedOut) {
		t.Errorf("failed send: %v", err)
	}
	c.SetConnected(false)
	if _, err := c.SendMessage(ctx, group, m, whatsmeow.SendRequestExtra{ID: "Z"}); !errors.Is(err, whatsmeow.ErrNotConnected) || c.IsConnected() {
		t.Errorf("offline send: %v", err)
	}
	sent := c.Take()
	if len(sent) != 1 || sent[0].To != budi.JID || sent[0].ID != id || sent[0].Text() != "1. Setuju" {
		t.Fatalf("sent %+v", sent)
	}
	if got := c.View(budi.JID); len(got) != 1 || got[0] != "1. Setuju" {
		t.Errorf("the phone shows %q", got)
	}
	if len(c.Take()) != 0 || len(c.Sent()) != 1 {
		t.Error("Take returned a message twice")
	}

	// A reply quoting the desk's message names it, and its author.
	q := c.Quote(budi.JID, budi, sent[0], "1")
	ci := q.Message.GetExtendedTextMessage().GetContextInfo()
	if ci.GetStanzaID() != string(id) || ci.GetParticipant() != desk.String() || ci.GetQuotedMessage().GetConversation() != "1. Setuju" ||
		q.Info.Chat != budi.JID || q.Info.Sender != budi.JID || q.Info.IsGroup || q.Message.GetExtendedTextMessage().GetText() != "1" {
		t.Errorf("quote %+v", q)
	}
}

func TestMediaAndGroups(t *testing.T) {
	c := New(desk)
	ctx := context.Background()
	img := c.Image(budi.JID, budi, []byte("jpeg"), "image/jpeg", "kuitansi")
	if data, err := c.Download(ctx, img.Message.GetImageMessage()); err != nil || string(data) != "jpeg" {
		t.Errorf("download = %q, %v", data, err)
	}
	doc := c.Document(budi.JID, budi, []byte("%PDF"), "surat.pdf", "application/pdf", "")
	if Text(doc.Message) != "[dokumen surat.pdf]" {
		t.Errorf("document shows %q", Text(doc.Message))
	}
	c.FailDownloads(whatsmeow.ErrMediaDownloadFailedWith410)
	if _, err := c.Download(ctx, doc.Message.GetDocumentMessage()); !errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith410) {
		t.Errorf("download: %v", err)
	}
	c.FailDownloads(nil)
	up, err := c.Upload(ctx, []byte("record"), whatsmeow.MediaDocument)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := c.Download(ctx, &waE2E.DocumentMessage{DirectPath: &up.DirectPath, FileSHA256: up.FileSHA256}); err != nil || string(data) != "record" || c.Uploads() != 1 {
		t.Errorf("uploaded file downloads as %q, %v", data, err)
	}
	if _, err := c.Download(ctx, &waE2E.ImageMessage{DirectPath: proto.String("/gone")}); !errors.Is(err, whatsmeow.ErrMediaDownloadFailedWith404) {
		t.Errorf("unknown media: %v", err)
	}
	loc := c.Location(budi.JID, budi, -0.0833, 109.3667, "Kantor Camat")
	if Text(loc.Message) != "[lokasi -0.083300,109.366700] Kantor Camat" {
		t.Errorf("location shows %q", Text(loc.Message))
	}

	c.SetGroup(group, "Admin Nasional", admin)
	member := func(j types.JID) bool {
		info, err := c.GetGroupInfo(ctx, group)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range info.Participants {
			if p.JID == j || p.PhoneNumber == j || p.LID == j {
				return true
			}
		}
		return false
	}
	if !member(admin.JID) || !member(admin.Alt) || !member(desk) || member(budi.JID) {
		t.Error("group members wrong after SetGroup")
	}
	c.Join(group, budi)
	c.Leave(group, admin)
	if member(admin.JID) || member(admin.Alt) || !member(budi.JID) || c.GroupAsks() != 7 {
		t.Errorf("group members wrong after Join and Leave (%d asks)", c.GroupAsks())
	}
	if _, err := c.GetGroupInfo(ctx, types.NewJID("1203639", types.GroupServer)); !errors.Is(err, whatsmeow.ErrNotInGroup) {
		t.Errorf("unknown group: %v", err)
	}

	g := c.InGroup(group, admin, "antrian")
	if !g.Info.IsGroup || g.Info.Sender != admin.JID || g.Info.SenderAlt != admin.Alt || g.Info.AddressingMode != types.AddressingModeLID {
		t.Errorf("group message %+v", g.Info)
	}
	if me := c.FromMe(budi.JID, "Baik"); !me.Info.IsFromMe {
		t.Error("FromMe is not from me")
	}
}

func TestReceiveFeedsTheHandler(t *testing.T) {
	c := New(desk)
	if err := c.Receive(c.DM(budi, "halo")); err == nil {
		t.Error("Receive without a handler succeeded")
	}
	var got []*events.Message
	take := true
	c.Attach(func(evt *events.Message) bool { got = append(got, evt); return take })
	a, b := c.DM(budi, "halo"), c.DM(budi, "halo")
	if a.Info.ID == b.Info.ID {
		t.Error("two messages with one ID")
	}
	if err := c.Receive(a); err != nil || len(got) != 1 || got[0].Message.GetConversation() != "halo" {
		t.Errorf("Receive: %v %v", err, got)
	}
	take = false
	if err := c.Receive(b); err == nil {
		t.Error("a message the handler refused was taken")
	}
}
