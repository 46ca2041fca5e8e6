package whatsapp

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
)

// wrote makes the citizen's chat one that wrote to the desk.
func (r *rig) wrote(t *testing.T, chat types.JID) {
	t.Helper()
	if !r.wa.HandleMessage(private("3EB0WROTE"+chat.User, text("halo"))) {
		t.Fatal("HandleMessage = false")
	}
}

func same(a, b *waE2E.Message) bool { return proto.Equal(a, b) }

// TestDeliverNumberedChoices: a message with choices goes out as one WhatsApp text, the
// choices numbered across rows, under a message ID chosen and recorded before the send,
// after "typing…"; the receipt is that ID.
func TestDeliverNumberedChoices(t *testing.T) {
	r := newRig(t, Config{})
	r.wrote(t, citizen)
	m := flows.Envelope{ID: 7, Channel: Name, Chat: citizen.String(), Lang: "id", Notice: flows.Notice{Msg: flows.MsgID("intake.ask_type"),
		Text: "Apa yang ingin Anda sampaikan? Pilih *satu*:", Choices: [][]flows.Choice{
			{{Text: "Pengaduan", Data: "i:type:complaint"}, {Text: "Aspirasi", Data: "i:type:aspiration"}},
			{{Text: "Batal_", Data: "m:cancel"}}}}}
	rc, err := r.deliver(t, m)
	if err != nil {
		t.Fatal(err)
	}
	got := r.fake.sentMessages()
	want := &waE2E.Message{Conversation: proto.String("Apa yang ingin Anda sampaikan? Pilih \u200b*\u200bsatu\u200b*\u200b:\n\n" +
		"*1.* Pengaduan\n*2.* Aspirasi\n*3.* Batal\u200b_\u200b")}
	if len(got) != 1 || got[0].To != citizen || !same(got[0].Msg, want) {
		t.Fatalf("sent %+v; want %v to %s", got, want, citizen)
	}
	if rc.Ref != string(got[0].ID) || got[0].ID != "3EB0FAKE1" {
		t.Errorf("receipt %+v, sent as %s", rc, got[0].ID)
	}
	if len(rc.Choices) != 3 || rc.Choices[0].Data != "i:type:complaint" || rc.Choices[2].Label != "Batal_" || rc.FreeText {
		t.Errorf("the receipt's choices %+v, want the three numbered", rc.Choices)
	}
	if len(r.record) != 1 || r.record[0].Ref != "3EB0FAKE1" || r.parts[0] != 0 {
		t.Errorf("recorded %v %+v; want the ID before the send", r.parts, r.record)
	}
	if len(r.fake.typing) != 1 || r.fake.typing[0] != citizen {
		t.Errorf("typing shown in %v", r.fake.typing)
	}
}

// TestDeliverRetryKeepsID: a send that fails is sent again under the ID recorded before
// the first attempt; a long text goes in parts, each under its own stable ID, and a
// retry sends only the parts not yet accepted.
func TestDeliverRetryKeepsID(t *testing.T) {
	r := newRig(t, Config{MaxText: 40})
	r.wrote(t, citizen)
	m := flows.Envelope{ID: 8, Channel: Name, Chat: citizen.String(), Lang: "id",
		Notice: flows.Notice{Msg: "x", Text: "Kalimat pertama yang cukup panjang.\n\nKalimat kedua juga cukup panjang."}}
	r.fake.sendErr = []error{nil, whatsmeow.ErrMessageTimedOut}
	_, err := r.deliver(t, m)
	if err == nil || errors.As(err, new(*bot.RetryAfter)) || errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("first attempt: %v, want an error worth retrying", err)
	}
	first := r.fake.sentMessages()
	if len(first) != 1 || first[0].Msg.GetConversation() != "Kalimat pertama yang cukup panjang." {
		t.Fatalf("first attempt sent %+v", first)
	}
	if len(r.parts) != 2 || r.parts[1] != 1 || r.record[1].Ref != "3EB0FAKE1" {
		t.Fatalf("recorded %v %+v", r.parts, r.record)
	}
	// The retry, as the outbox gives it back: one part accepted, the base ID.
	m.Parts, m.PartRef, m.Attempts = 1, r.record[1].Ref, 2
	rc, err := r.deliver(t, m)
	if err != nil {
		t.Fatal(err)
	}
	all := r.fake.sentMessages()
	if len(all) != 2 || all[1].Msg.GetConversation() != "Kalimat kedua juga cukup panjang." || all[1].ID != partID("3EB0FAKE1", 1) ||
		all[1].ID == all[0].ID || rc.Ref != string(all[1].ID) || r.fake.ids != 1 {
		t.Errorf("retry sent %+v, receipt %+v, %d IDs generated", all, rc, r.fake.ids)
	}
	// A whole retry of a one-part message reuses its ID too.
	r2 := newRig(t, Config{})
	r2.wrote(t, citizen)
	one := flows.Envelope{ID: 9, Channel: Name, Chat: citizen.String(), Notice: flows.Notice{Msg: "x", Text: "sekali"}}
	r2.fake.sendErr = []error{whatsmeow.ErrMessageTimedOut}
	if _, err := r2.deliver(t, one); err == nil {
		t.Fatal("no error")
	}
	one.PartRef = r2.record[0].Ref
	if rc, err := r2.deliver(t, one); err != nil || rc.Ref != "3EB0FAKE1" || r2.fake.sentMessages()[0].ID != "3EB0FAKE1" {
		t.Errorf("retry = %+v, %v; sent %+v", rc, err, r2.fake.sentMessages())
	}
}

// TestDeliverOnlyToWhoWroteFirst: a private chat that never wrote is never written to;
// a unit's group is.
func TestDeliverOnlyToWhoWroteFirst(t *testing.T) {
	r := newRig(t, Config{})
	stranger := types.NewJID("6289999999999", types.DefaultUserServer)
	_, err := r.deliver(t, flows.Envelope{ID: 1, Channel: Name, Chat: stranger.String(), Notice: flows.Notice{Msg: "x", Text: "halo"}})
	if !errors.Is(err, bot.ErrUnreachable) || len(r.fake.sentMessages()) != 0 {
		t.Errorf("to a stranger: %v, %d sent", err, len(r.fake.sentMessages()))
	}
	if _, err := r.deliver(t, flows.Envelope{ID: 2, Channel: Name, Chat: group.String(), Unit: "dukcapil",
		Notice: flows.Notice{Msg: "x", Text: "Kartu"}}); err != nil || len(r.fake.sentMessages()) != 1 {
		t.Errorf("to a unit's group: %v", err)
	}
	for _, chat := range []string{"", "-100123", "6281@s.whatsapp.net:3"} {
		if _, err := r.deliver(t, flows.Envelope{ID: 3, Channel: Name, Chat: chat, Notice: flows.Notice{Msg: "x"}}); !errors.Is(err, bot.ErrUnreachable) {
			t.Errorf("chat %q: %v, want unreachable", chat, err)
		}
	}
}

// TestDeliverPacing: sends are spaced overall (gap plus jitter) and per chat; a short
// wait is slept through with "typing…" shown, a long one (the daily cap) is a
// *bot.RetryAfter; without a connection messages wait.
func TestDeliverPacing(t *testing.T) {
	r := newRig(t, Config{Pacing: Pacing{Gap: 3 * time.Second, Jitter: 2 * time.Second, PerChat: 2 * time.Second, Daily: 2}})
	r.wrote(t, citizen)
	msg := func(id int64, chat types.JID) flows.Envelope {
		return flows.Envelope{ID: id, Channel: Name, Chat: chat.String(), Notice: flows.Notice{Msg: "x", Text: "pesan"}}
	}
	if _, err := r.deliver(t, msg(1, citizen)); err != nil {
		t.Fatal(err)
	}
	start := r.clock.Now()
	if _, err := r.deliver(t, msg(2, group)); err != nil {
		t.Fatal(err)
	}
	// Gap 3 s plus half the jitter (the test's random is 0.5): 4 s slept.
	if len(r.slept) != 1 || r.slept[0] != 4*time.Second || r.clock.Now().Sub(start) != 4*time.Second {
		t.Errorf("slept %v", r.slept)
	}
	_, err := r.deliver(t, msg(3, citizen))
	var ra *bot.RetryAfter
	if !errors.As(err, &ra) || ra.Wait <= 6*time.Second || len(r.fake.sentMessages()) != 2 {
		t.Errorf("past the daily cap: %v, %d sent", err, len(r.fake.sentMessages()))
	}
	p := NewPacer(Pacing{PerChat: 2 * time.Second})
	t0 := time.Unix(0, 0)
	if p.Reserve("a", t0) != 0 || p.Reserve("a", t0.Add(time.Second)) != time.Second || p.Reserve("b", t0.Add(time.Second)) != 0 ||
		p.Reserve("a", t0.Add(2*time.Second)) != 0 {
		t.Error("per-chat pacing")
	}
	r.fake.offline = true
	if _, err := r.deliver(t, msg(4, group)); !errors.As(err, &ra) {
		t.Errorf("offline: %v, want a wait", err)
	}
}

// TestDeliverGroupAnswer: the answer to an admin's action in a group goes to the group,
// quoting their message; a bare acknowledgement sends nothing.
func TestDeliverGroupAnswer(t *testing.T) {
	r := newRig(t, Config{})
	press := group.String() + " 3EB0D001 " + adminLID.String()
	ack := flows.Envelope{ID: 1, Channel: Name, Chat: adminLID.String(), Notice: flows.Notice{Press: press}}
	if rc, err := r.deliver(t, ack); err != nil || rc.Ref != "" || rc.Choices != nil || len(r.fake.sentMessages()) != 0 {
		t.Fatalf("bare ack: %+v, %v", rc, err)
	}
	refusal := flows.Envelope{ID: 2, Channel: Name, Chat: adminLID.String(), Lang: "id",
		Notice: flows.Notice{Msg: flows.MsgNotMember, Text: "Anda bukan anggota grup ini.", Press: press, Alert: true}}
	if _, err := r.deliver(t, refusal); err != nil {
		t.Fatal(err)
	}
	got := r.fake.sentMessages()
	want := &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("Anda bukan anggota grup ini."),
		ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String("3EB0D001"), Participant: proto.String(adminLID.String()),
			QuotedMessage: &waE2E.Message{Conversation: proto.String("")}}}}
	if len(got) != 1 || got[0].To != group || !same(got[0].Msg, want) {
		t.Errorf("sent %+v; want %v to the group", got, want)
	}
}

// TestDeliverFiles: a complaint's photo and document are uploaded and sent with
// captions naming which attachment each is; a location goes as a location.
func TestDeliverFiles(t *testing.T) {
	r := newRig(t, Config{})
	ctx := context.Background()
	photo, err := r.db.SaveFile(ctx, Name, "6281234567890@s.whatsapp.net", "x/1", "foto.jpg", "image/jpeg", []byte("jpeg"), r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := r.db.SaveFile(ctx, Name, "6281234567890@s.whatsapp.net", "x/2", "surat.pdf", "application/pdf", []byte("%PDF"), r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	files := flows.Envelope{ID: 1, Channel: Name, Chat: group.String(), Unit: "dukcapil", Lang: "id", Notice: flows.Notice{Msg: flows.MsgFiles,
		Tracking: "KR-0042", Text: "Lampiran KR-0042", Files: []flows.Attachment{{Kind: "photo", Ref: photo}, {Kind: "document", Ref: pdf, Name: "surat.pdf"}},
		Data: map[string]string{"From": "1", "Total": "3"}}}
	rc, err := r.deliver(t, files)
	if err != nil {
		t.Fatal(err)
	}
	got := r.fake.sentMessages()
	if len(got) != 2 || len(r.fake.uploads) != 2 || string(r.fake.uploads[0]) != "jpeg" || string(r.fake.uploads[1]) != "%PDF" {
		t.Fatalf("sent %d, uploaded %q", len(got), r.fake.uploads)
	}
	img := got[0].Msg.GetImageMessage()
	if img.GetCaption() != "Lampiran KR-0042 1/3" || img.GetDirectPath() != "/up/WhatsApp Image Keys" || img.GetFileLength() != 4 ||
		img.GetMimetype() != "image/jpeg" || string(img.GetMediaKey()) != "key" {
		t.Errorf("photo %v", img)
	}
	doc := got[1].Msg.GetDocumentMessage()
	if doc.GetCaption() != "Lampiran KR-0042 2/3" || doc.GetFileName() != "surat.pdf" || doc.GetMimetype() != "application/pdf" {
		t.Errorf("document %v", doc)
	}
	if rc.Ref != string(got[1].ID) || r.parts[len(r.parts)-1] != 1 {
		t.Errorf("receipt %+v; recorded %v", rc, r.parts)
	}
	loc := flows.Envelope{ID: 2, Channel: Name, Chat: group.String(), Unit: "dukcapil", Notice: flows.Notice{Msg: flows.MsgFiles,
		Text: "Lokasi", Files: []flows.Attachment{{Kind: "location", Ref: "-0.026300,109.342500"}}, Data: map[string]string{"From": "3", "Total": "3"}}}
	if _, err := r.deliver(t, loc); err != nil {
		t.Fatal(err)
	}
	want := &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-0.0263),
		DegreesLongitude: proto.Float64(109.3425), Name: proto.String("Lokasi 3/3")}}
	if got := r.fake.sentMessages(); !same(got[2].Msg, want) {
		t.Errorf("location %v, want %v", got[2].Msg, want)
	}
}

// TestMember: membership is read from the group's participants, by LID or by phone
// number, and believed for MemberTTL; a group the desk is not in has no members.
func TestMember(t *testing.T) {
	r := newRig(t, Config{MemberTTL: time.Minute})
	ctx := context.Background()
	r.fake.groups[group] = &types.GroupInfo{JID: group, Participants: []types.GroupParticipant{
		{JID: adminLID, LID: adminLID, PhoneNumber: adminPN}}}
	for _, u := range []string{adminLID.String(), adminPN.String(), "6285700000001:3@s.whatsapp.net"} {
		if ok, err := r.wa.Member(ctx, group.String(), u); err != nil || !ok {
			t.Errorf("Member(%s) = %v, %v", u, ok, err)
		}
	}
	if ok, _ := r.wa.Member(ctx, group.String(), citizen.String()); ok || r.fake.groupCalls != 1 {
		t.Errorf("a non-member is a member, or the group was asked %d times", r.fake.groupCalls)
	}
	r.fake.groups[group].Participants = nil // the admin left
	r.clock.Advance(time.Minute)
	if ok, _ := r.wa.Member(ctx, group.String(), adminLID.String()); ok || r.fake.groupCalls != 2 {
		t.Errorf("after the TTL: member %v, %d calls", ok, r.fake.groupCalls)
	}
	other := types.NewJID("120363000000000001", types.GroupServer)
	if ok, err := r.wa.Member(ctx, other.String(), adminLID.String()); ok || err != nil {
		t.Errorf("a group the desk is not in: %v, %v", ok, err)
	}
}

// TestCheckChat: a unit's WhatsApp address is a group JID.
func TestCheckChat(t *testing.T) {
	for chat, ok := range map[string]bool{
		"120363012345678901@g.us": true, "6281234567890-1588888888@g.us": true,
		"6281234567890@s.whatsapp.net": false, "123456789012345@lid": false, "-1001234567890": false,
		"": false, "@g.us": false, "1@g.us": true, "abc@g.us": false, "120363012345678901@g.us ": false, "120363012345678901:2@g.us": false,
	} {
		if err := CheckChat(chat); (err == nil) != ok {
			t.Errorf("CheckChat(%q) = %v", chat, err)
		}
	}
}

// TestEscape: markers that could format are neutralised, markers inside words kept.
func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"tanpa tanda":          "tanpa tanda",
		"*tebal*":              "\u200b*\u200btebal\u200b*\u200b",
		"a_b_c@example.id":     "a_b_c@example.id",
		"_miring_ dan ~coret~": "\u200b_\u200bmiring\u200b_\u200b dan \u200b~\u200bcoret\u200b~\u200b",
		"2*3 = 6":              "2*3 = 6",
		"```kode```":           strings.Repeat("\u200b`\u200b", 3) + "kode" + strings.Repeat("\u200b`\u200b", 3),
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSplit: long texts are cut at paragraphs, lines or spaces, never inside a character.
func TestSplit(t *testing.T) {
	if got := split("satu dua tiga", 100); len(got) != 1 || got[0] != "satu dua tiga" {
		t.Errorf("short: %q", got)
	}
	if got := split("", 100); len(got) != 0 {
		t.Errorf("empty: %q", got)
	}
	if got := split("aaaa bbbb\n\ncccc dddd", 12); len(got) != 2 || got[0] != "aaaa bbbb" || got[1] != "cccc dddd" {
		t.Errorf("paragraphs: %q", got)
	}
	long := strings.Repeat("é", 25)
	got := split(long, 10)
	if len(got) != 3 || got[0] != strings.Repeat("é", 10) || got[2] != strings.Repeat("é", 5) {
		t.Errorf("no space: %q", got)
	}
}

// TestFormatHint: the hint goes below the numbered choices, in italics; a message
// without choices shows none; the choices of a question typed text answers are words.
func TestFormatHint(t *testing.T) {
	m := bot.Message{Blocks: []string{"Puas dengan jawabannya?", ""}, Choices: [][]bot.Option{{{Label: "Ya"}, {Label: "Tidak"}}},
		Hint: "Balas pesan ini dengan nomor pilihan Anda."}
	if got, want := Format(m), "Puas dengan jawabannya?\n\n*1.* Ya\n*2.* Tidak\n\n_Balas pesan ini dengan nomor pilihan Anda._"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	m.Choices = nil
	if got := Format(m); got != "Puas dengan jawabannya?" {
		t.Errorf("without choices: %q", got)
	}
	// A question typed text answers: a number would be text, so the choice is a word.
	when := bot.Message{Blocks: []string{"Kapan kejadiannya? Ketik “Lewati” bila tidak ingat."}, Choices: [][]bot.Option{{{Label: "Lewati"}}}, FreeText: true}
	if got, want := Format(when), "Kapan kejadiannya? Ketik “Lewati” bila tidak ingat.\n\n• *Lewati*"; got != want {
		t.Errorf("free text: Format = %q, want %q", got, want)
	}
}

// TestDeliverRendered: with the desk's renderer, a question goes out worded for
// WhatsApp: its choices numbered with their labels in the reader's language, the hint
// below them, no slash command named.
func TestDeliverRendered(t *testing.T) {
	r := newRig(t, Config{})
	r.wrote(t, citizen)
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	rules := flowstest.Rules(t)
	renderer := bot.NewRenderer(cat, func() *flows.Rules { return rules }, r.db, nil)
	r.wa.render = RenderFunc(renderer.For(locales.WhatsApp))
	var row []flows.Choice
	for _, ty := range flows.ReportTypes {
		row = append(row, flows.Choice{Label: flows.MsgID("type." + string(ty)), Data: "i:type:" + string(ty)})
	}
	m := flows.Envelope{ID: 1, Channel: Name, Chat: citizen.String(), Lang: "id", Notice: flows.Notice{Msg: flows.MsgAskType, Choices: [][]flows.Choice{row}}}
	if _, err := r.deliver(t, m); err != nil {
		t.Fatal(err)
	}
	msg, err := renderer.Render(context.Background(), m, locales.WhatsApp)
	if err != nil || msg.Hint == "" {
		t.Fatalf("rendered %+v, %v", msg, err)
	}
	got := r.fake.sentMessages()[0].Msg.GetConversation()
	for i, ty := range flows.ReportTypes {
		label := cat.Label("id", flows.Choice{Label: flows.MsgID("type." + string(ty))})
		if !strings.Contains(got, "\n*"+strconv.Itoa(i+1)+".* "+Escape(label)+"\n") {
			t.Errorf("choice %d %q not numbered in %q", i+1, label, got)
		}
	}
	if !strings.HasSuffix(got, "_"+Escape(msg.Hint)+"_") || strings.Contains(got, "/lapor") {
		t.Errorf("sent %q", got)
	}
}

// TestDeliverRecord: a complaint's whole record goes to the unit's group as a text
// document named by its tracking number, rendered now from the store.
func TestDeliverRecord(t *testing.T) {
	r := newRig(t, Config{})
	rules := flowstest.Rules(t)
	c, err := r.db.File(context.Background(), rules, "KR", flowstest.Report(), r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	m := flows.Envelope{ID: 1, Channel: Name, Chat: group.String(), Unit: rules.Units.Units()[0].Code, Lang: "id",
		Notice: flows.Notice{Msg: flows.MsgRecord, Complaint: c.ID, Tracking: c.Tracking, Text: "Berkas " + c.Tracking}}
	rc, err := r.deliver(t, m)
	if err != nil {
		t.Fatal(err)
	}
	got := r.fake.sentMessages()
	doc := got[0].Msg.GetDocumentMessage()
	if len(got) != 1 || doc.GetFileName() != c.Tracking+".txt" || doc.GetMimetype() != "text/plain" || doc.GetCaption() != "Berkas "+c.Tracking ||
		rc.Ref != string(got[0].ID) {
		t.Fatalf("sent %+v", got)
	}
	if up := string(r.fake.uploads[0]); !strings.Contains(up, c.Tracking) || int(doc.GetFileLength()) != len(up) {
		t.Errorf("record uploaded: %q", up)
	}
}

// TestDeliverCardRefreshSentAnew: a card that replaces an earlier one goes out as a new
// message under a new ID, never as an edit of the old one, whose numbers stay those of
// the complaint as it was.
func TestDeliverCardRefreshSentAnew(t *testing.T) {
	r := newRig(t, Config{})
	m := flows.Envelope{ID: 5, Channel: Name, Chat: group.String(), Unit: "national", Edit: "3EB0OLDCARD",
		Notice: flows.Notice{Msg: "x", Text: "Kartu terbaru", Choices: [][]flows.Choice{{{Text: "Teruskan", Data: "c:route:1:2"}}}}}
	rc, err := r.deliver(t, m)
	if err != nil {
		t.Fatal(err)
	}
	got := r.fake.sentMessages()
	want := &waE2E.Message{Conversation: proto.String("Kartu terbaru\n\n*1.* Teruskan")}
	if len(got) != 1 || !same(got[0].Msg, want) || got[0].ID == "3EB0OLDCARD" || rc.Ref != string(got[0].ID) {
		t.Errorf("sent %+v, receipt %+v; want a new message", got, rc)
	}
}
