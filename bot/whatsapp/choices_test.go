package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
	"aduan/store/storetest"
)

// TestTypedChoices: the whole way of a typed answer over WhatsApp — HandleMessage, the
// desk's Decode and handling, the rendered numbered choices, their receipt kept with
// the delivery — so that "iya", "satu", a label and a digit each take the choice shown,
// and a "3" typed after the question when it happened stays that answer.
func TestTypedChoices(t *testing.T) {
	r := newRig(t, Config{})
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	rules := flowstest.Rules(t)
	r.wa.render = RenderFunc(bot.NewRenderer(cat, func() *flows.Rules { return rules }, r.db, nil).For(locales.WhatsApp))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	intake := flows.DefaultIntake()
	desk := &bot.Desk{Store: r.db, Rules: func() *flows.Rules { return rules }, Intake: &intake, Prefix: "KR", Clock: r.clock, Log: log}
	sender := &bot.Sender{Outbox: r.db, Channels: []bot.Channel{r.wa}, Clock: r.clock, Log: log}
	body := "Sudah tiga kali saya datang ke kantor, tetapi kartu keluarga saya belum juga dicetak."
	for i, st := range []struct{ text, want string }{
		{"lapor", "*1.* Setuju"},
		{"iya", "*1.* Pengaduan"},
		{"satu", "*1.* Biasa"},
		{"Biasa", "*2.* Kartu Keluarga (KK)"},
		{"2", "Ceritakan"},
		{body, "Kapan"},
		{"3", "Di mana"},
	} {
		before := len(r.fake.sentMessages())
		if !r.wa.HandleMessage(private("3EB0C1D"+string(rune('A'+i)), text(st.text))) {
			t.Fatal("HandleMessage = false")
		}
		if n, err := desk.Drain(context.Background(), []bot.Decoder{r.wa}); err != nil || n != 1 {
			t.Fatalf("%q: handled %d (%v)", st.text, n, err)
		}
		for range 5 {
			if _, err := sender.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			r.clock.Advance(10 * time.Second)
		}
		sent := r.fake.sentMessages()
		if len(sent) == before {
			t.Fatalf("%q: nothing sent", st.text)
		}
		if last := sent[len(sent)-1].Msg.GetConversation(); !strings.Contains(last, st.want) {
			t.Fatalf("after %q the citizen read:\n%s\nwant it to say %q", st.text, last, st.want)
		}
	}
	var typ, category, when string
	err = r.db.Pool().QueryRow(context.Background(), `SELECT draft->>'Type', draft->>'Category', draft->>'EventDate' FROM session WHERE chat = $1`,
		citizen.String()).Scan(&typ, &category, &when)
	if err != nil || typ != string(flows.ReportComplaint) || category != "kk" || when != "3" {
		t.Errorf("the draft: type %q, category %q, when %q (%v)", typ, category, when, err)
	}
}

// TestTypedChoicesOnCard: over WhatsApp, an admin who quotes a card with "1" takes its
// first action, and quoting the choice of units that follows with "1" takes that unit;
// "arsipkan" quoting the first card, now old, changes nothing and says so in the group,
// quoting the admin.
func TestTypedChoicesOnCard(t *testing.T) {
	ctx := context.Background()
	units := flowstest.Units()
	units[0].Chats = []flows.ChatRef{{Channel: Name, Chat: group.String()}} // the national unit works in a WhatsApp group
	db := storetest.NewWithUnits(t, units)
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	clock := flowstest.NewClock(flowstest.At(t, "2026-11-30 10:00"))
	fake := newFake()
	fake.groups[group] = &types.GroupInfo{JID: group, Participants: []types.GroupParticipant{{JID: adminLID, LID: adminLID, PhoneNumber: adminPN}}}
	rulesNow := func() *flows.Rules { return rules }
	wa := New(Config{}, fake, db, RenderFunc(bot.NewRenderer(cat, rulesNow, db, nil).For(locales.WhatsApp)), cat, rulesNow, clock, nil, nil)
	wa.sleep = func(ctx context.Context, d time.Duration) error { clock.Advance(d); return nil }
	wa.pacer.rand = func() float64 { return 0.5 }
	wa.Use(fake, deskPN, deskLID)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	desk := &bot.Desk{Store: db, Rules: rulesNow, Prefix: "KR", Clock: clock, Log: log}
	sender := &bot.Sender{Outbox: db, Channels: []bot.Channel{wa}, Clock: clock, Log: log}
	deliver := func() sent {
		t.Helper()
		before := len(fake.sentMessages())
		for range 5 {
			if _, err := sender.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Advance(10 * time.Second)
		}
		got := fake.sentMessages()
		if len(got) == before {
			t.Fatal("nothing sent to the group")
		}
		return got[len(got)-1]
	}
	quote := func(id string, of sent, text string) sent {
		t.Helper()
		evt := inGroup(id, &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(text),
			ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String(string(of.ID)), Participant: proto.String(deskLID.String()),
				QuotedMessage: of.Msg}}})
		if !wa.HandleMessage(evt) {
			t.Fatal("HandleMessage = false")
		}
		if n, err := desk.Drain(ctx, []bot.Decoder{wa}); err != nil || n != 1 {
			t.Fatalf("%q: handled %d (%v)", text, n, err)
		}
		return deliver()
	}
	msgText := func(s sent) string { return s.Msg.GetConversation() + s.Msg.GetExtendedTextMessage().GetText() }

	c, err := db.File(ctx, rules, "KR", flowstest.Report(), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	card := deliver()
	if card.To != group || !strings.Contains(msgText(card), "*1.* Teruskan ke Kabupaten") {
		t.Fatalf("the card:\n%s", msgText(card))
	}
	choose := quote("3EB0D101", card, "1")
	if !strings.Contains(msgText(choose), "*1.* Admin Kabupaten Kubu Raya") {
		t.Fatalf("after 1 quoting the card the group read:\n%s", msgText(choose))
	}
	quote("3EB0D102", choose, "1")
	if got, _ := db.Complaint(ctx, c.ID); got.State != flows.Routed || got.Unit != flowstest.Regency {
		t.Fatalf("after 1 quoting the choice: %s at %s", got.State, got.Unit)
	}
	refusal := quote("3EB0D103", card, "arsipkan")
	if refusal.To != group || refusal.Msg.GetExtendedTextMessage().GetContextInfo().GetStanzaID() != "3EB0D103" ||
		!strings.Contains(msgText(refusal), "dari kartu sebelumnya") {
		t.Errorf("the answer to the old card's action: %s\n%+v", msgText(refusal), refusal)
	}
	if got, _ := db.Complaint(ctx, c.ID); got.State != flows.Routed {
		t.Errorf("the old card changed the complaint: %s", got.State)
	}
}
