package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
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
