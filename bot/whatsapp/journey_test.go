package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
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
	renders  sync.Mutex
	rendered []flows.MsgID // the notices rendered, in order (renders held)
	seen     int           // sends already looked at
	n        int
}

// newJourney returns the desk over WhatsApp; with groups, the national admins work
// in the WhatsApp group (and only there), the other units on Telegram.
func newJourney(t *testing.T, groups bool) *journey {
	t.Helper()
	units := flowstest.Units()
	for i := range units {
		if groups && units[i].Code == flowstest.National {
			units[i].Chats = []flows.ChatRef{{Channel: Name, Chat: group.String()}}
		}
	}
	return newJourneyOver(t, newRigOf(t, Config{Pacing: Pacing{Gap: time.Millisecond}}, units))
}

// newJourneyOver returns the desk over the rig's channel and database.
func newJourneyOver(t *testing.T, r *rig) *journey {
	t.Helper()
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	rules := r.rules
	renderer := RenderFunc(bot.NewRenderer(cat, func() *flows.Rules { return rules }, r.db, nil).For(locales.WhatsApp))
	j := &journey{rig: r}
	r.wa.render = RenderFunc(func(ctx context.Context, m flows.Envelope) (bot.Message, error) {
		j.renders.Lock()
		j.rendered = append(j.rendered, m.Notice.Msg)
		j.renders.Unlock()
		return renderer.Render(ctx, m)
	})
	intake := flows.DefaultIntake()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	j.desk = &bot.Desk{Store: r.db, Rules: func() *flows.Rules { return rules }, Intake: &intake, Prefix: "KR", Clock: r.clock, Log: log}
	j.sender = &bot.Sender{Outbox: r.db, Channels: []bot.Channel{r.wa}, Clock: r.clock, Log: log}
	return j
}

// renderCount returns how many notices were rendered so far.
func (j *journey) renderCount() int {
	j.renders.Lock()
	defer j.renders.Unlock()
	return len(j.rendered)
}

// since returns the notices rendered after the first from.
func (j *journey) since(from int) []flows.MsgID {
	j.renders.Lock()
	defer j.renders.Unlock()
	return append([]flows.MsgID(nil), j.rendered[from:]...)
}

// say is send of a message from the citizen in their private chat.
func (j *journey) say(t *testing.T, m *waE2E.Message) ([]string, []flows.MsgID) {
	t.Helper()
	j.n++
	return j.send(t, private("3EB0J"+strconv.Itoa(j.n), m))
}

// send has WhatsApp deliver evt, lets the desk handle it and the sender deliver what
// it queued, and returns the texts WhatsApp was asked to send to evt's chat and the
// notices rendered meanwhile (to any chat).
func (j *journey) send(t *testing.T, evt *events.Message) ([]string, []flows.MsgID) {
	t.Helper()
	from := j.renderCount()
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
		if s.To == evt.Info.Chat {
			texts = append(texts, s.Msg.GetConversation()+s.Msg.GetExtendedTextMessage().GetText())
		}
	}
	j.seen = len(j.fake.sentMessages())
	return texts, j.since(from)
}

// TestJourneyFiling: a citizen who greets the desk with their complaint, without a
// command, files it by typing numbers and words, sends a location as the place, and
// gets the tracking number — every message numbered and worded for WhatsApp.
func TestJourneyFiling(t *testing.T) {
	j := newJourney(t, false)
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
		{text("selesai"), []flows.MsgID{flows.MsgOfferPhone}},             // the chat's number, offered
		{text("ya"), []flows.MsgID{flows.MsgPhoneNoted, flows.MsgAskNIK}}, // the KTP-el's case needs the population record
		{text("6112 0145 0190 0011"), []flows.MsgID{flows.MsgNIKNoted, flows.MsgAskEmail}},
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
		numbered := []flows.MsgID{flows.MsgPrivacyNotice, flows.MsgAskType, flows.MsgAskPrivacy, flows.MsgAskCategory, flows.MsgAskFiles, flows.MsgOfferPhone, flows.MsgSummary}
		if last := texts[len(texts)-1]; slices.Contains(numbered, msgs[len(msgs)-1]) && (!strings.Contains(last, "\n*1.* ") || !strings.HasSuffix(last, "_")) {
			t.Errorf("step %d: choices not numbered, or no hint: %q", i+1, last)
		}
	}
	var body, place, phone string
	var tracking string
	if err := j.db.Pool().QueryRow(context.Background(), `SELECT tracking, body, place, contact_phone FROM complaint`).Scan(&tracking, &body, &place, &phone); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body, "Halo, jalan di depan kantor desa") || place != "Kantor Desa Sungai Raya" || phone != "6281234567890" {
		t.Errorf("filed %s: body %q, place %q, phone %q", tracking, body, place, phone)
	}
	if last := j.fake.sentMessages(); !strings.Contains(last[len(last)-1].Msg.GetConversation(), tracking) {
		t.Errorf("the tracking number %s is not in the last message", tracking)
	}
}

// TestJourneyGroup: the national admins work a complaint in their WhatsApp group: the
// card comes with its actions numbered; an admin quotes it with a number and the desk
// acts; a quote of the card as it was before changes nothing and says so; someone no
// longer in the group is refused — each answer in the group, quoting the admin.
func TestJourneyGroup(t *testing.T) {
	j := newJourney(t, true)
	j.wa.Use(j.fake, deskPN, deskLID)
	j.fake.groups[group] = &types.GroupInfo{JID: group, Participants: []types.GroupParticipant{{JID: adminLID, LID: adminLID, PhoneNumber: adminPN}}}
	ctx := context.Background()
	c, err := j.db.File(ctx, j.rules, "KR", flowstest.Report(), j.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.sender.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	cards := j.fake.sentMessages()
	if len(cards) != 1 || cards[0].To != group || !strings.Contains(cards[0].Msg.GetConversation(), c.Tracking) ||
		!strings.Contains(cards[0].Msg.GetConversation(), "\n*1.* ") {
		t.Fatalf("the card: %+v", cards)
	}
	j.seen = 1
	quote := func(id, of, what string) *events.Message {
		return inGroup(id, &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(what),
			ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String(of), Participant: proto.String(deskLID.String())}}})
	}
	texts, msgs := j.send(t, quote("3EB0Q1", string(cards[0].ID), "1"))
	if !slices.Equal(msgs, []flows.MsgID{flows.MsgChooseTarget}) || !strings.Contains(texts[0], "*1.* Admin Kabupaten Kubu Raya") {
		t.Fatalf("quoting the card with 1: %v %q", msgs, texts)
	}
	targets := j.fake.sentMessages()[j.seen-1]
	texts, msgs = j.send(t, quote("3EB0Q2", string(targets.ID), "1."))
	// The card refreshed and who did it, in either order: the answer may overtake the card.
	if len(msgs) != 2 || !slices.Contains(msgs, flows.MsgCard) || !slices.Contains(msgs, flows.MsgDone) ||
		!slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, "Sari (Dukcapil)") }) {
		t.Fatalf("quoting the targets with 1.: %v %q", msgs, texts)
	}
	var state string
	if err := j.db.Pool().QueryRow(ctx, `SELECT state FROM complaint WHERE id = $1`, c.ID).Scan(&state); err != nil || state != string(flows.Routed) {
		t.Fatalf("complaint %s, %v; want routed", state, err)
	}
	// The old card's "2" (archive) was for the complaint as it was: nothing is done.
	texts, msgs = j.send(t, quote("3EB0Q3", string(cards[0].ID), "2"))
	answer := j.fake.sentMessages()[j.seen-1].Msg.GetExtendedTextMessage()
	if !slices.Equal(msgs, []flows.MsgID{flows.MsgRefusedU}) || answer.GetContextInfo().GetStanzaID() != "3EB0Q3" ||
		answer.GetContextInfo().GetParticipant() != adminLID.String() {
		t.Fatalf("a quote of the old card: %v %q, quoting %v", msgs, texts, answer.GetContextInfo())
	}
	if err := j.db.Pool().QueryRow(ctx, `SELECT state FROM complaint WHERE id = $1`, c.ID).Scan(&state); err != nil || state != string(flows.Routed) {
		t.Fatalf("complaint %s, %v after the stale quote", state, err)
	}
	// Someone not in the group is refused, in the group, quoting them.
	stranger := quote("3EB0Q4", string(targets.ID), "1")
	stranger.Info.Sender, stranger.Info.SenderAlt = citizenLID, types.JID{}
	_, msgs = j.send(t, stranger)
	answer = j.fake.sentMessages()[j.seen-1].Msg.GetExtendedTextMessage()
	if !slices.Equal(msgs, []flows.MsgID{flows.MsgNotMember}) || answer.GetContextInfo().GetStanzaID() != "3EB0Q4" {
		t.Errorf("a stranger: %v, quoting %v", msgs, answer.GetContextInfo())
	}
	// The group's commands, without the slash or with it.
	if _, msgs := j.send(t, inGroup("3EB0Q5", text("Bantuan"))); !slices.Equal(msgs, []flows.MsgID{flows.MsgGroupHelp}) {
		t.Errorf("\"Bantuan\" in the group: %v", msgs)
	}
	if _, msgs := j.send(t, inGroup("3EB0Q6", text("/antrian"))); len(msgs) != 1 || (msgs[0] != flows.MsgQueue && msgs[0] != flows.MsgQueueEmpty) {
		t.Errorf("/antrian in the group: %v", msgs)
	}
}

// TestJourneyPacedByTheOutbox: a send whose slot is further off than a delivery sleeps
// waits in the outbox, not counted as a failed attempt, and goes out once its time
// has come.
func TestJourneyPacedByTheOutbox(t *testing.T) {
	j := newJourney(t, true)
	j.wa.pacer = NewPacer(Pacing{Gap: 10 * time.Second})
	ctx := context.Background()
	for range 2 {
		if _, err := j.db.File(ctx, j.rules, "KR", flowstest.Report(), j.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := j.sender.Drain(ctx); err != nil || n != 1 || len(j.fake.sentMessages()) != 1 {
		t.Fatalf("first drain: %d delivered, %v; %d sent", n, err, len(j.fake.sentMessages()))
	}
	var attempts int
	var lastErr string
	if err := j.db.Pool().QueryRow(ctx, `SELECT attempts, last_error FROM outbox WHERE channel = $1 AND delivered_at IS NULL`, Name).
		Scan(&attempts, &lastErr); err != nil {
		t.Fatal(err)
	}
	if attempts != 0 || !strings.Contains(lastErr, "retry after") {
		t.Errorf("the waiting card: %d attempts, last error %q", attempts, lastErr)
	}
	j.clock.Advance(9 * time.Second)
	if n, _ := j.sender.Drain(ctx); n != 0 {
		t.Errorf("delivered %d before the gap", n)
	}
	j.clock.Advance(time.Second)
	if n, err := j.sender.Drain(ctx); err != nil || n != 1 || len(j.fake.sentMessages()) != 2 {
		t.Errorf("after the gap: %d delivered, %v", n, err)
	}
}

// TestJourneySOP: the SOP's steps over WhatsApp alone — the citizen files, the
// national admin routes, the regency distributes, the agency answers (the text asked
// for, quoted, confirmed), the citizen is satisfied and rates — every action a number
// or a short command quoting the desk's message in the unit's group.
func TestJourneySOP(t *testing.T) {
	units := flowstest.Units()
	groupOf := map[string]types.JID{} // each unit's WhatsApp group
	for i := range units {
		groupOf[units[i].Code] = types.NewJID("12036300000000"+strconv.Itoa(100+i), types.GroupServer)
		units[i].Chats = []flows.ChatRef{{Channel: Name, Chat: groupOf[units[i].Code].String()}}
	}
	r := newRigOf(t, Config{Pacing: Pacing{Gap: time.Millisecond}}, units)
	j := newJourneyOver(t, r)
	j.wa.Use(j.fake, deskPN, deskLID)
	for _, u := range units {
		j.fake.groups[groupOf[u.Code]] = &types.GroupInfo{Participants: []types.GroupParticipant{{JID: adminLID, LID: adminLID, PhoneNumber: adminPN}}}
	}
	for _, m := range []string{"Halo, jalan di depan kantor desa berlubang besar dan membahayakan pengendara motor", "1", "1", "1", "1", "kemarin", "Sungai Raya", "selesai", "081234567890", "lewati", "lewati", "kirim"} {
		j.say(t, text(m))
	}
	last := func(chat types.JID) sent {
		all := j.fake.sentMessages()
		for i := len(all) - 1; i >= 0; i-- {
			if all[i].To == chat {
				return all[i]
			}
		}
		t.Fatalf("nothing sent to %s", chat)
		return sent{}
	}
	act := func(unit, what string) (sent, []flows.MsgID) {
		t.Helper()
		g := groupOf[unit]
		card := last(g)
		j.n++
		evt := inGroup("3EB0S"+strconv.Itoa(j.n), &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String(what),
			ContextInfo: &waE2E.ContextInfo{StanzaID: proto.String(string(card.ID)), Participant: proto.String(deskLID.String())}}})
		evt.Info.Chat = g
		from := j.renderCount()
		if !j.wa.HandleMessage(evt) {
			t.Fatal("HandleMessage = false")
		}
		if _, err := j.desk.Drain(context.Background(), []bot.Decoder{j.wa}); err != nil {
			t.Fatal(err)
		}
		j.clock.Advance(time.Second)
		if _, err := j.sender.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		return last(g), j.since(from)
	}
	state := func() (flows.State, int) {
		t.Helper()
		var st flows.State
		var rating int
		if err := j.db.Pool().QueryRow(context.Background(), `SELECT state, rating FROM complaint`).Scan(&st, &rating); err != nil {
			t.Fatal(err)
		}
		return st, rating
	}
	step := func(what string, msgs []flows.MsgID, want flows.MsgID, st flows.State) {
		t.Helper()
		if !slices.Contains(msgs, want) {
			t.Fatalf("%s: the desk said %v, want %s among them", what, msgs, want)
		}
		if got, _ := state(); st != "" && got != st {
			t.Fatalf("%s: the complaint is %s, want %s", what, got, st)
		}
	}
	_, msgs := act(flowstest.National, "1")
	step("the national admin takes 1 (route)", msgs, flows.MsgChooseTarget, flows.Submitted)
	_, msgs = act(flowstest.National, "1")
	step("the national admin picks the regency", msgs, flows.MsgDone, flows.Routed)
	_, msgs = act(flowstest.Regency, "1")
	step("the regency takes 1 (distribute)", msgs, flows.MsgChooseTarget, flows.Routed)
	_, msgs = act(flowstest.Regency, "1")
	step("the regency picks Dukcapil", msgs, flows.MsgDone, flows.Distributed)
	_, msgs = act(flowstest.Agency, "jawab")
	step("Dukcapil answers", msgs, flows.MsgAskText, flows.Distributed)
	confirm, msgs := act(flowstest.Agency, "Jalan itu sudah kami laporkan ke Dinas PUPR; perbaikan dijadwalkan pekan depan.")
	step("Dukcapil types the answer, quoting the prompt", msgs, flows.MsgConfirmText, flows.Distributed)
	if !strings.Contains(confirm.Msg.GetConversation(), "Dinas PUPR") || !strings.Contains(confirm.Msg.GetConversation(), "\n*1.* ") {
		t.Errorf("the confirmation: %q", confirm.Msg.GetConversation())
	}
	_, msgs = act(flowstest.Agency, "1")
	step("Dukcapil confirms", msgs, flows.MsgAnswered, flows.Answered)
	texts, msgs := j.say(t, text("1"))
	step("the citizen is satisfied", msgs, flows.MsgClosedThanks, flows.Closed)
	if answer := texts[len(texts)-2]; !strings.Contains(answer, "Dinas PUPR") || !strings.Contains(answer, "*1.* Saya Puas") {
		t.Errorf("the answer the citizen read: %q", answer)
	}
	_, msgs = j.say(t, text("5"))
	step("the citizen rates", msgs, flows.MsgRated, flows.Closed)
	if _, rating := state(); rating != 5 {
		t.Errorf("rating %d, want 5", rating)
	}
}
