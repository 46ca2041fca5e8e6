package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
	"aduan/store"
)

// TestPick: numbers, number words, labels and their words, as people type them, pick
// exactly the choice shown; anything else — and, after a message that takes typed text,
// a bare number — stays text.
func TestPick(t *testing.T) {
	w := locales.StandardWords()
	summary := flows.Receipt{Choices: []flows.Shown{
		{Label: "Kirim", Key: flows.LabelSend, Data: "i:confirm:send"},
		{Label: "Perbaiki", Key: flows.LabelFix, Data: "i:confirm:fix"},
		{Label: "Batal", Key: flows.LabelCancel, Data: "i:confirm:cancel"},
	}}
	answered := flows.Receipt{Choices: []flows.Shown{
		{Label: "Saya Puas (KKR-261130-7QXM)", Key: flows.LabelSatisfied, Data: "c:sat:KKR-261130-7QXM"},
		{Label: "Balas KKR-261130-7QXM", Key: flows.LabelReply, Data: "c:rep:KKR-261130-7QXM"},
	}}
	when := flows.Receipt{FreeText: true, Choices: []flows.Shown{{Label: "Lewati", Key: flows.LabelSkip, Data: "i:when:skip"}}}
	categories := flows.Receipt{Choices: []flows.Shown{
		{Label: "KTP-el", Key: "category.ktp-el", Data: "i:category:ktp-el"},
		{Label: "Kartu Keluarga (KK)", Key: "category.kk", Data: "i:category:kk"},
	}}
	twoYes := flows.Receipt{Choices: []flows.Shown{
		{Label: "Setuju", Key: flows.LabelAgree, Data: "agree"},
		{Label: "Kirim", Key: flows.LabelSend, Data: "send"},
	}}
	card := flows.Receipt{Choices: []flows.Shown{
		{Label: "Jawab", Key: "action.answer", Data: "a:answer:42:4"},
		{Label: "Bukan Kewenangan Kami", Key: "action.not_ours", Data: "a:not_ours:42:4"},
		{Label: "Arsipkan", Key: "action.archive", Data: "a:archive:42:4"},
	}}
	rating := flows.Receipt{Choices: []flows.Shown{{Label: "1", Data: "r1"}, {Label: "2", Data: "r2"}, {Label: "3", Data: "r3"}}}
	tests := []struct {
		name     string
		text     string
		r        flows.Receipt
		commands bool
		data     string // "" when it stays text
		rest     string
	}{
		{"a digit", "1", summary, false, "i:confirm:send", ""},
		{"a digit and a dot", "3.", summary, false, "i:confirm:cancel", ""},
		{"spaces around", "  2 ", summary, false, "i:confirm:fix", ""},
		{"bold digit", "*2*", summary, false, "i:confirm:fix", ""},
		{"a number word", "dua", summary, false, "i:confirm:fix", ""},
		{"an English number word", "Three", summary, false, "i:confirm:cancel", ""},
		{"a number of no choice", "4", summary, false, "", ""},
		{"zero", "0", summary, false, "", ""},
		{"the label", "perbaiki", summary, false, "i:confirm:fix", ""},
		{"the label, shouted", "  KIRIM! ", summary, false, "i:confirm:send", ""},
		{"ya", "ya", summary, false, "i:confirm:send", ""},
		{"iya", "Iya", summary, false, "i:confirm:send", ""},
		{"y", "y", summary, false, "i:confirm:send", ""},
		{"ok", "ok", summary, false, "i:confirm:send", ""},
		{"oke", "oke.", summary, false, "i:confirm:send", ""},
		{"yes", "yes", summary, false, "i:confirm:send", ""},
		{"batal", "batal", summary, false, "i:confirm:cancel", ""},
		{"tidak", "tidak", summary, false, "i:confirm:cancel", ""},
		{"no", "No", summary, false, "i:confirm:cancel", ""},
		{"a sentence", "ya sudah saya kirim kemarin", summary, false, "", ""},
		{"a question", "ya?", summary, false, "", ""},
		{"a number as a question", " 1 ? ", summary, false, "", ""},
		{"done is no satisfaction", "sudah selesai", answered, false, "", ""},
		{"the label without its tracking number", "saya puas", answered, false, "c:sat:KKR-261130-7QXM", ""},
		{"the whole label", "Saya Puas (KKR-261130-7QXM)", answered, false, "c:sat:KKR-261130-7QXM", ""},
		{"a word of a label", "balas", answered, false, "c:rep:KKR-261130-7QXM", ""},
		{"ok only acknowledges an answer", "ok", answered, false, "", ""},
		{"a word of a category", "kk", categories, false, "i:category:kk", ""},
		{"a label without its bracket", "kartu keluarga", categories, false, "i:category:kk", ""},
		{"a word that fits two choices picks neither", "ya", twoYes, false, "", ""},
		{"a label still picks among them", "setuju", twoYes, false, "agree", ""},
		{"free text: a number stays text", "2", when, false, "", ""},
		{"free text: a number word stays text", "satu", when, false, "", ""},
		{"free text: the label", "Lewati", when, false, "i:when:skip", ""},
		{"free text: a word of the label", "lewati saja", when, false, "", ""},
		{"free text: skip", "skip", when, false, "i:when:skip", ""},
		{"free text: text", "Senin lalu pukul 10", when, false, "", ""},
		{"a rating", "3", rating, false, "r3", ""},
		{"nothing shown", "1", flows.Receipt{}, false, "", ""},
		{"only signs", "👍", summary, false, "", ""},
		{"a card's number", "1", card, true, "a:answer:42:4", ""},
		{"a card's word", "arsip", card, true, "a:archive:42:4", ""},
		{"a card's command with text", "jawab  Sudah kami proses, KK bisa diambil besok.", card, true,
			"a:answer:42:4", "Sudah kami proses, KK bisa diambil besok."},
		{"a card's label as a command", "Arsipkan\nbukan pengaduan", card, true, "a:archive:42:4", "bukan pengaduan"},
		{"a command of several words", "bukan kewenangan Ini urusan Disdukcapil provinsi", card, true,
			"a:not_ours:42:4", "Ini urusan Disdukcapil provinsi"},
		{"a card's number with text", "1. Sudah kami proses", card, true, "a:answer:42:4", "Sudah kami proses"},
		{"a number of no action with text", "4 Sudah kami proses", card, true, "", ""},
		{"a number with text outside a group", "1 Sudah kami proses", card, false, "", ""},
		{"a command outside a group", "jawab Sudah kami proses", card, false, "", ""},
		{"a command that asks", "jawab Apakah KK Anda sudah diambil?", card, true, "a:answer:42:4", "Apakah KK Anda sudah diambil?"},
		{"a card's word as a question", "arsip?", card, true, "", ""},
		{"text that begins with no command", "tolong jawab segera", card, true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, rest, ok := bot.Pick(tt.text, tt.r, w, tt.commands)
			if ok != (tt.data != "") || data != tt.data || rest != tt.rest {
				t.Errorf("Pick(%q) = %q, %q, %v; want %q, %q", tt.text, data, rest, ok, tt.data, tt.rest)
			}
		})
	}
}

// TestMessageReceipt: the receipt of a message shown without buttons numbers its
// choices row by row and says whether it took text.
func TestMessageReceipt(t *testing.T) {
	m := bot.Message{FreeText: true, Choices: [][]bot.Option{
		{{Label: "Kirim", Key: flows.LabelSend, Data: "send"}},
		{{Label: "Perbaiki", Key: flows.LabelFix, Data: "fix"}, {Label: "Batal", Key: flows.LabelCancel, Data: "cancel"}},
	}}
	r := m.Receipt("3EB0")
	want := []flows.Shown{{Label: "Kirim", Key: flows.LabelSend, Data: "send"}, {Label: "Perbaiki", Key: flows.LabelFix, Data: "fix"},
		{Label: "Batal", Key: flows.LabelCancel, Data: "cancel"}}
	if r.Ref != "3EB0" || !r.FreeText || !slices.Equal(r.Choices, want) {
		t.Errorf("Receipt = %+v", r)
	}
}

// textSurface is a chat network without buttons, for the tests: its decoder reads a
// stored textMessage and declares numbered choices (bot.TextSurface); its channel
// numbers each message's choices, as WhatsApp shows them, and returns them in the
// receipt. It never edits a message in place: a card's refresh is a new message, and
// the old one stays on the screen with its old choices. It is called "telegram" so that
// the test units' groups (flowstest.Units) are its chats.
type textSurface struct {
	db      *store.DB
	rules   *flows.Rules
	catalog *locales.Catalog

	mu       sync.Mutex
	refs     int
	sent     []flows.Envelope
	receipts []flows.Receipt
}

// textMessage is what textSurface stores in the inbox.
type textMessage struct {
	Text    string `json:"text"`
	ReplyTo string `json:"reply_to,omitempty"`
	Group   bool   `json:"group,omitempty"`
	User    string `json:"user"`
}

var (
	_ bot.Channel     = (*textSurface)(nil)
	_ bot.Decoder     = (*textSurface)(nil)
	_ bot.TextSurface = (*textSurface)(nil)
)

func (s *textSurface) Name() string   { return store.Telegram }
func (s *textSurface) Numbered() bool { return true }

// Decode reads a textMessage; a text that begins with "/" is a command.
func (s *textSurface) Decode(_ context.Context, raw flows.RawInbound) (flows.Inbound, bool, error) {
	var m textMessage
	if err := json.Unmarshal(raw.Payload, &m); err != nil {
		return flows.Inbound{}, false, fmt.Errorf("%w: %v", bot.ErrMalformed, err)
	}
	in := flows.Inbound{Chat: raw.Chat, User: m.User, Name: "Sari", Text: m.Text, ReplyTo: m.ReplyTo}
	if cmd, ok := strings.CutPrefix(m.Text, "/"); ok {
		in.Command, in.Text = cmd, ""
	}
	return in, m.Group, nil
}

// Deliver records m and returns a new reference with the choices numbered: a card's
// actions for the unit, or the notice's own.
func (s *textSurface) Deliver(ctx context.Context, m flows.Envelope) (flows.Receipt, error) {
	choices := m.Notice.Choices
	if m.Notice.Card {
		c, err := s.db.Complaint(ctx, m.Notice.Complaint)
		if err != nil {
			return flows.Receipt{}, err
		}
		choices = s.rules.CardChoices(c, m.Unit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs++
	r := flows.Receipt{Ref: fmt.Sprintf("wa-%d", s.refs), FreeText: takesText(m.Notice)}
	for _, row := range choices {
		for _, ch := range row {
			r.Choices = append(r.Choices, flows.Shown{Label: s.catalog.Label(m.Lang, ch), Key: ch.Label, Data: ch.Data})
		}
	}
	s.sent = append(s.sent, m)
	s.receipts = append(s.receipts, r)
	return r, nil
}

// takesText reports the messages after which typed text is an answer.
func takesText(n flows.Notice) bool {
	switch n.Msg {
	case flows.MsgAskBody, flows.MsgAskWhen, flows.MsgAskWhere, flows.MsgAskPhone, flows.MsgAskEmail, flows.MsgAskReply, flows.MsgAskText:
		return true
	}
	return n.Ask == flows.AskReply
}

// delivered is one message the surface showed, with its receipt.
type delivered struct {
	flows.Envelope
	flows.Receipt
}

// take returns what the surface delivered since the last call.
func (s *textSurface) take() []delivered {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []delivered
	for i, m := range s.sent {
		out = append(out, delivered{m, s.receipts[i]})
	}
	s.sent, s.receipts = nil, nil
	return out
}

// textDesk is a desk and a sender over a real store for a textSurface.
type textDesk struct {
	t       *testing.T
	db      *store.DB
	rules   *flows.Rules
	surface *textSurface
	desk    *bot.Desk
	sender  *bot.Sender
	clock   *flowstest.Clock
	n       int
}

func newTextDesk(t *testing.T) *textDesk {
	t.Helper()
	db, rules, clock, _, _ := setup(t)
	catalog, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	surface := &textSurface{db: db, rules: rules, catalog: catalog}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	intake := flows.DefaultIntake()
	return &textDesk{t: t, db: db, rules: rules, surface: surface, clock: clock,
		desk:   &bot.Desk{Store: db, Rules: func() *flows.Rules { return rules }, Intake: &intake, Prefix: "KR", Clock: clock, Log: log},
		sender: &bot.Sender{Outbox: db, Channels: []bot.Channel{surface}, Clock: clock, Log: log}}
}

// say stores m from chat, handles it and delivers what it caused; it returns that.
func (d *textDesk) say(chat string, m textMessage) []delivered {
	d.t.Helper()
	d.n++
	p, _ := json.Marshal(m)
	if _, err := d.db.Receive(ctx, store.Telegram, fmt.Sprint("in-", d.n), chat, p, d.clock.Now()); err != nil {
		d.t.Fatal(err)
	}
	if n, err := d.desk.Drain(ctx, []bot.Decoder{d.surface}); err != nil || n != 1 {
		d.t.Fatalf("handled %d (%v), want 1", n, err)
	}
	return d.deliver()
}

// deliver sends what the outbox holds and returns it.
func (d *textDesk) deliver() []delivered {
	d.t.Helper()
	if _, err := d.sender.Drain(ctx); err != nil {
		d.t.Fatal(err)
	}
	return d.surface.take()
}

// lastTo returns the last message delivered to chat among out.
func lastTo(t *testing.T, out []delivered, chat string) delivered {
	t.Helper()
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].Chat == chat {
			return out[i]
		}
	}
	var got []string
	for _, m := range out {
		got = append(got, m.Chat+":"+string(m.Notice.Msg))
	}
	t.Fatalf("nothing delivered to %s among %v", chat, got)
	return delivered{}
}

// number returns the number (from 1) of the choice whose data begins with prefix.
func number(t *testing.T, d delivered, prefix string) string {
	t.Helper()
	for i, c := range d.Choices {
		if strings.HasPrefix(c.Data, prefix) {
			return fmt.Sprint(i + 1)
		}
	}
	t.Fatalf("%s offers no %s… among %+v", d.Notice.Msg, prefix, d.Choices)
	return ""
}

// TestTypedChoicesFileAComplaint: a citizen on a surface without buttons files a whole
// complaint by typing numbers, labels and words — and a "2" typed as when it happened,
// after a question that takes text, is kept as text.
func TestTypedChoicesFileAComplaint(t *testing.T) {
	d := newTextDesk(t)
	const chat = "6281234567890"
	body := "Sudah tiga kali saya datang ke kantor, tetapi kartu keluarga saya belum juga dicetak."
	steps := []struct {
		text string
		want flows.MsgID // the last message the citizen is sent
	}{
		{"/lapor", flows.MsgPrivacyNotice},
		{"ya", flows.MsgAskType},
		{"1", flows.MsgAskPrivacy},
		{"Rahasia", flows.MsgAskCategory},
		{"kartu keluarga", flows.MsgAskBody},
		{body, flows.MsgAskWhen},
		{"2", flows.MsgAskWhere}, // text: the day of the month it happened
		{"lewati", flows.MsgAskFiles},
		{"Selesai.", flows.MsgAskPhone},
		{"0812-3456-7890", flows.MsgAskNIK}, // the KK's case needs the population record
		{"6112 0145 0190 0011", flows.MsgAskEmail},
		{"tidak ada", flows.MsgSummary},
		{"1", flows.MsgFiled},
	}
	for _, st := range steps {
		out := d.say(chat, textMessage{Text: st.text, User: chat})
		if got := lastTo(t, out, chat); got.Notice.Msg != st.want {
			t.Fatalf("after %q the citizen got %s, want %s", st.text, got.Notice.Msg, st.want)
		}
	}
	var tracking string
	if err := d.db.Pool().QueryRow(ctx, `SELECT tracking FROM complaint WHERE contact_chat = $1`, chat).Scan(&tracking); err != nil {
		t.Fatal(err)
	}
	c, err := d.db.ComplaintByTracking(ctx, tracking)
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != flows.ReportComplaint || c.Privacy != flows.Confidential || c.Category != "kk" || c.Body != body ||
		c.EventDate != "2" || c.Place != "" || c.Contact.Phone != "6281234567890" || c.Contact.Email != "" {
		t.Errorf("filed %+v", c)
	}
}

// TestTypedChoicesOnCards: in a unit's group, a number typed in reply to (quoting) a
// card takes that card's action, and one quoting the unit choice that follows takes that
// unit; a number quoting an old card — still on the screen, since the surface cannot
// edit it — is that card's action at its old version, refused as already done; a number
// quoting a card that offers nothing now is told so; a number quoting nothing is
// chatter; a card's short command takes its action with its text.
func TestTypedChoicesOnCards(t *testing.T) {
	d := newTextDesk(t)
	const national, regency, admin = "-1001", "-1002", "77"
	c, err := d.db.File(ctx, d.rules, "KR", flowstest.Report(), d.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	dd := d.deliver()
	card := lastTo(t, dd, national)
	if !card.Notice.Card {
		t.Fatalf("the national group got %s, want its card", card.Notice.Msg)
	}

	out := d.say(national, textMessage{Text: number(t, card, "a:route:"), ReplyTo: card.Ref, Group: true, User: admin})
	choose := lastTo(t, out, national)
	if choose.Notice.Msg != flows.MsgChooseTarget {
		t.Fatalf("the card's route number got %s, want %s", choose.Notice.Msg, flows.MsgChooseTarget)
	}
	routed := d.say(national, textMessage{Text: number(t, choose, "a:route:"), ReplyTo: choose.Ref, Group: true, User: admin})
	if got, _ := d.db.Complaint(ctx, c.ID); got.State != flows.Routed || got.Unit != flowstest.Regency {
		t.Fatalf("after the unit's number: %s at %s, want routed to %s", got.State, got.Unit, flowstest.Regency)
	}

	// The national group's card, refreshed, offers nothing now: a number quoting it is a
	// choice no longer offered.
	var refreshed delivered
	for _, m := range routed {
		if m.Chat == national && m.Notice.Card {
			refreshed = m
		}
	}
	if refreshed.Ref == "" || len(refreshed.Choices) != 0 {
		t.Fatalf("the national card's refresh: %+v", refreshed)
	}
	out = d.say(national, textMessage{Text: "1", ReplyTo: refreshed.Ref, Group: true, User: admin})
	if got := lastTo(t, out, admin); got.Notice.Msg != flows.MsgStaleCard {
		t.Errorf("a number quoting a card without choices got %s, want %s", got.Notice.Msg, flows.MsgStaleCard)
	}

	// The first card is still on the national group's screen, with its archive action:
	// the admin alone is told it was already done.
	out = d.say(national, textMessage{Text: "arsipkan", ReplyTo: card.Ref, Group: true, User: admin})
	if got := lastTo(t, out, admin); got.Notice.Msg != flows.MsgRefusedU || got.Notice.Text != string(flows.ErrAlreadyDone) {
		t.Errorf("archiving from the old card got %s %s, want %s %s", got.Notice.Msg, got.Notice.Text, flows.MsgRefusedU, flows.ErrAlreadyDone)
	}
	if got, _ := d.db.Complaint(ctx, c.ID); got.State != flows.Routed {
		t.Errorf("the old card changed the complaint: %s", got.State)
	}
	if out := d.say(national, textMessage{Text: "1", Group: true, User: admin}); len(out) != 0 {
		t.Errorf("a number quoting nothing was answered: %+v", out)
	}

	// The regency's card: its short command "kembalikan <alasan>" asks for nothing
	// more than the text's confirmation, and "ya" quoting that confirms it.
	var regencyCard delivered
	for _, m := range routed {
		if m.Chat == regency && m.Notice.Card {
			regencyCard = m
		}
	}
	if regencyCard.Ref == "" {
		t.Fatal("the regency group got no card")
	}
	out = d.say(regency, textMessage{Text: "kembalikan  Bukan wilayah Kubu Raya", ReplyTo: regencyCard.Ref, Group: true, User: "78"})
	confirm := lastTo(t, out, regency)
	if confirm.Notice.Msg != flows.MsgConfirmText || confirm.Notice.Text != "Bukan wilayah Kubu Raya" || confirm.Notice.Data["Event"] != string(flows.EvSendBack) {
		t.Fatalf("the short command got %s %q %v, want %s of the reason for %s", confirm.Notice.Msg, confirm.Notice.Text, confirm.Notice.Data,
			flows.MsgConfirmText, flows.EvSendBack)
	}
	d.say(regency, textMessage{Text: "ya", ReplyTo: confirm.Ref, Group: true, User: "78"})
	if got, _ := d.db.Complaint(ctx, c.ID); got.State != flows.Submitted {
		t.Errorf("after confirming the reason: %s, want sent back to %s", got.State, flows.Submitted)
	}
	var reason string
	if err := d.db.Pool().QueryRow(ctx, `SELECT text FROM audit_event WHERE complaint_id = $1 AND kind = 'send_back'`, c.ID).Scan(&reason); err != nil || reason != "Bukan wilayah Kubu Raya" {
		t.Errorf("the send-back's reason %q (%v)", reason, err)
	}
}

// TestTypedChoicesOfCitizen: a citizen who quotes the answer to their complaint with the
// label of one of its choices takes that choice; a number quoting a message that is not
// the desk's (their own) is read against the latest message that offered choices: the
// request for a rating.
func TestTypedChoicesOfCitizen(t *testing.T) {
	d := newTextDesk(t)
	c, err := d.db.File(ctx, d.rules, "KR", flowstest.Report(), d.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []flows.Event{
		{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency},
		{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency},
		{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "KK Anda sudah dicetak dan dapat diambil."},
	} {
		if _, err := d.db.Apply(ctx, d.rules, c.ID, 0, ev, d.clock.Now()); err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
	}
	answer := lastTo(t, d.deliver(), flowstest.ChatRef)
	if answer.Notice.Msg != flows.MsgAnswered || len(answer.Choices) != 2 {
		t.Fatalf("the citizen got %s with %+v, want the answer with two choices", answer.Notice.Msg, answer.Choices)
	}
	out := d.say(flowstest.ChatRef, textMessage{Text: "Saya puas", ReplyTo: answer.Ref, User: flowstest.ChatRef})
	if got := lastTo(t, out, flowstest.ChatRef); got.Notice.Msg != flows.MsgClosedThanks {
		t.Fatalf("the citizen got %s, want %s", got.Notice.Msg, flows.MsgClosedThanks)
	}
	if got, _ := d.db.Complaint(ctx, c.ID); got.State != flows.Closed {
		t.Fatalf("the complaint is %s, want closed", got.State)
	}
	d.say(flowstest.ChatRef, textMessage{Text: "4", ReplyTo: "their-own-message", User: flowstest.ChatRef})
	if got, _ := d.db.Complaint(ctx, c.ID); got.Rating != 4 {
		t.Errorf("rated %d, want 4", got.Rating)
	}
}
