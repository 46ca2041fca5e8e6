package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
)

// journey is the whole desk over the WhatsApp channel: the rig's fake client and
// database, the desk's renderer, a desk and a sender.
type journey struct {
	*rig
	desk     *bot.Desk
	sender   *bot.Sender
	rendered []flows.MsgID // the notices rendered, in order
	seen     int           // sends already looked at
	n        int
}

func newJourney(t *testing.T) *journey {
	t.Helper()
	r := newRig(t, Config{Pacing: Pacing{Gap: time.Millisecond}})
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	rules := flowstest.Rules(t)
	renderer := RenderFor(bot.NewRenderer(cat, func() *flows.Rules { return rules }, r.db, nil))
	j := &journey{rig: r}
	r.wa.render = RenderFunc(func(ctx context.Context, m flows.Envelope) (bot.Message, error) {
		j.rendered = append(j.rendered, m.Notice.Msg)
		return renderer.Render(ctx, m)
	})
	intake := flows.DefaultIntake()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	j.desk = &bot.Desk{Store: r.db, Rules: func() *flows.Rules { return rules }, Intake: &intake, Prefix: "KR", Clock: r.clock, Log: log}
	j.sender = &bot.Sender{Outbox: r.db, Channels: []bot.Channel{r.wa}, Clock: r.clock, Log: log}
	return j
}

// say has the citizen send m, lets the desk handle it and the sender deliver what it
// queued, and returns the texts WhatsApp was asked to send and the notices they were.
func (j *journey) say(t *testing.T, m *waE2E.Message) ([]string, []flows.MsgID) {
	t.Helper()
	j.n++
	evt := private("3EB0J"+strings.Repeat("0", 3)+string(rune('A'+j.n)), m)
	from := len(j.rendered)
	if !j.wa.HandleMessage(evt) {
		t.Fatal("HandleMessage = false")
	}
	ctx := context.Background()
	if _, err := j.desk.Drain(ctx, []bot.Decoder{j.wa}); err != nil {
		t.Fatal(err)
	}
	j.clock.Advance(time.Second)
	if _, err := j.sender.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, s := range j.fake.sentMessages()[j.seen:] {
		texts = append(texts, s.Msg.GetConversation())
		if s.To != citizen {
			t.Errorf("sent to %s", s.To)
		}
	}
	j.seen = len(j.fake.sentMessages())
	return texts, append([]flows.MsgID(nil), j.rendered[from:]...)
}

// TestJourneyFiling: a citizen who greets the desk with their complaint, without a
// command, files it by typing numbers and words, sends a location as the place, and
// gets the tracking number — every message numbered and worded for WhatsApp.
func TestJourneyFiling(t *testing.T) {
	j := newJourney(t)
	for i, step := range []struct {
		m    *waE2E.Message
		want []flows.MsgID
	}{
		{text("Halo, jalan di depan kantor desa berlubang besar dan membahayakan pengendara motor"), []flows.MsgID{flows.MsgGuided, flows.MsgPrivacyNotice}},
		{text("1"), []flows.MsgID{flows.MsgAskType}},
		{text("1."), []flows.MsgID{flows.MsgAskPrivacy}},
		{text("biasa"), []flows.MsgID{flows.MsgAskCategory}},
		{text(" 1 "), []flows.MsgID{flows.MsgAskWhen}},
		{text("kemarin pagi"), []flows.MsgID{flows.MsgAskWhere}},
		{&waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-0.0263), DegreesLongitude: proto.Float64(109.3425),
			Name: proto.String("Kantor Desa Sungai Raya")}}, []flows.MsgID{flows.MsgFileAdded, flows.MsgAskFiles}},
		{text("selesai"), []flows.MsgID{flows.MsgAskPhone}},
		{text("0812-3456-7890"), []flows.MsgID{flows.MsgPhoneNoted, flows.MsgAskEmail}},
		{text("budi@example.id"), []flows.MsgID{flows.MsgSummary}},
		{text("Kirim"), []flows.MsgID{flows.MsgFiled}},
	} {
		texts, msgs := j.say(t, step.m)
		if !slices.Equal(msgs, step.want) || len(texts) != len(msgs) {
			t.Fatalf("step %d: the desk said %v in %d texts; want %v:\n%s", i+1, msgs, len(texts), step.want, strings.Join(texts, "\n---\n"))
		}
		for _, tx := range texts {
			if strings.Contains(tx, "/lapor") || strings.Contains(tx, "<b>") || strings.Contains(tx, "tombol") {
				t.Errorf("step %d: a text for Telegram: %q", i+1, tx)
			}
		}
		numbered := []flows.MsgID{flows.MsgPrivacyNotice, flows.MsgAskType, flows.MsgAskPrivacy, flows.MsgAskCategory, flows.MsgAskFiles, flows.MsgSummary}
		if last := texts[len(texts)-1]; slices.Contains(numbered, msgs[len(msgs)-1]) && (!strings.Contains(last, "\n*1.* ") || !strings.HasSuffix(last, "_")) {
			t.Errorf("step %d: choices not numbered, or no hint: %q", i+1, last)
		}
	}
	var body, place, phone string
	var tracking string
	if err := j.db.Pool().QueryRow(context.Background(), `SELECT tracking, body, place, contact_phone FROM complaint`).Scan(&tracking, &body, &place, &phone); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body, "Halo, jalan di depan kantor desa") || place != "Kantor Desa Sungai Raya" || phone == "" {
		t.Errorf("filed %s: body %q, place %q, phone %q", tracking, body, place, phone)
	}
	if last := j.fake.sentMessages(); !strings.Contains(last[len(last)-1].Msg.GetConversation(), tracking) {
		t.Errorf("the tracking number %s is not in the last message", tracking)
	}
}
