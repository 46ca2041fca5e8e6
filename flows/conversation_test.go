package flows_test

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// Answers of the fixture citizen.
const (
	aBody      = "Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai."
	otherBody  = "KK baru saya salah tulis nama ibu, sudah dua kali bolak-balik ke kecamatan."
	aWhen      = "Senin lalu, pagi"
	aPhone     = "0812-3456-7890"
	aPhoneNorm = "6281234567890"
	anEmail    = "budi@example.id"
	aName      = "Budi"
	aNIK       = "6112014501900011"
	aNIKMasked = "6112••••••••••11"
)

// desk is a citizen's conversation under test: the intake, the session as the store
// keeps it between messages, the citizen's complaints and a clock that moves a minute
// before each message.
type desk struct {
	t     *testing.T
	in    flows.Intake
	s     flows.Session
	mine  []flows.Complaint
	clock *flowstest.Clock
}

func newDesk(t *testing.T) *desk {
	return &desk{t: t, in: flows.DefaultIntake(), clock: flowstest.NewClock(at(t, "2026-11-30 08:00"))}
}

// What the citizen sends.

func msgText(s string) flows.Inbound     { return flows.Inbound{Text: s} }
func msgPress(data string) flows.Inbound { return flows.Inbound{Choice: data} }
func msgCommand(c string) flows.Inbound  { return flows.Inbound{Command: c} }
func msgPhone(p string) flows.Inbound    { return flows.Inbound{Phone: p} }
func msgFile(kind, ref string) flows.Inbound {
	return flows.Inbound{Attachment: &flows.Attachment{Kind: kind, Ref: ref, Name: ref + ".bin", Size: 1000}}
}

// send delivers msg from the fixture citizen's Telegram chat a minute after the last
// one and keeps the session the outcome holds. It checks what holds for every message:
// the session belongs to the chat, is marked active now, and every reply goes to the
// citizen with button data Telegram accepts.
func (d *desk) send(msg flows.Inbound) flows.Outcome {
	d.t.Helper()
	d.clock.Advance(time.Minute)
	now := d.clock.Now()
	msg.Channel, msg.Chat, msg.User = "telegram", flowstest.ChatRef, "tg-user-555"
	if msg.Name == "" {
		msg.Name = aName
	}
	o := d.in.Converse(d.s, msg, d.mine, now)
	s := o.Session
	if s.Channel != "telegram" || s.Chat != flowstest.ChatRef {
		d.t.Errorf("session of %q %q, want the citizen's chat", s.Channel, s.Chat)
	}
	if !s.Updated.Equal(now) || s.Nudged {
		d.t.Errorf("session Updated %s, Nudged %t; want now and not nudged", fmtTime(s.Updated), s.Nudged)
	}
	if s.Lang != "id" && s.Lang != "en" {
		d.t.Errorf("session Lang = %q", s.Lang)
	}
	checkReplies(d.t, o.Replies)
	d.s = s
	return o
}

// checkReplies fails unless every reply goes to the citizen and every button has data
// of 1 to 64 bytes and a label.
func checkReplies(t *testing.T, ns []flows.Notice) {
	t.Helper()
	for _, n := range ns {
		if !n.To.Complainant || n.To.Unit != "" {
			t.Errorf("%s reply goes to %+v, want the citizen", n.Msg, n.To)
		}
		for _, c := range choicesOf(n) {
			if c.Data == "" || len(c.Data) > 64 {
				t.Errorf("%s button %+v: data of %d bytes", n.Msg, c, len(c.Data))
			}
			if c.Label == "" && c.Text == "" {
				t.Errorf("%s button %+v has no label", n.Msg, c)
			}
		}
	}
}

// do sends msg and fails unless the replies are exactly msgs, the session is then at
// step and nothing is to be filed or to happen. It returns the outcome.
func (d *desk) do(msg flows.Inbound, step flows.Step, msgs ...flows.MsgID) flows.Outcome {
	d.t.Helper()
	o := d.send(msg)
	checkSays(d.t, o, step, msgs...)
	return o
}

func checkSays(t *testing.T, o flows.Outcome, step flows.Step, msgs ...flows.MsgID) {
	t.Helper()
	if got := msgIDs(o.Replies); !slices.Equal(got, msgs) {
		t.Errorf("replies %v, want %v", got, msgs)
	}
	if o.Session.Step != step {
		t.Errorf("step %q, want %q", o.Session.Step, step)
	}
	if o.File || o.Event != nil || o.Tracking != "" {
		t.Errorf("outcome files %t, event %+v on %q; want neither", o.File, o.Event, o.Tracking)
	}
}

func msgIDs(ns []flows.Notice) []flows.MsgID {
	var out []flows.MsgID
	for _, n := range ns {
		out = append(out, n.Msg)
	}
	return out
}

// choicesOf returns the buttons of n, row after row.
func choicesOf(n flows.Notice) []flows.Choice {
	var out []flows.Choice
	for _, row := range n.Choices {
		out = append(out, row...)
	}
	return out
}

// checkData fails unless the buttons of n carry exactly data, in order.
func checkData(t *testing.T, n flows.Notice, data ...string) {
	t.Helper()
	var got []string
	for _, c := range choicesOf(n) {
		got = append(got, c.Data)
	}
	if !slices.Equal(got, data) {
		t.Errorf("%s buttons %q, want %q", n.Msg, got, data)
	}
}

// checkMap fails unless the template data of n is exactly want.
func checkMap(t *testing.T, n flows.Notice, want map[string]string) {
	t.Helper()
	if !maps.Equal(n.Data, want) {
		t.Errorf("%s data %v, want %v", n.Msg, n.Data, want)
	}
}

var menuData = []string{"m:new", "m:status", "m:help", "m:lang", "m:data"}

// filling returns a desk whose conversation has reached step with the usual answers
// and privacy p: type pengaduan, category kk, aBody, aWhen, no place, one photo, a
// shared phone number, aNIK and anEmail.
func filling(t *testing.T, p flows.Privacy, step flows.Step) *desk {
	t.Helper()
	d := newDesk(t)
	script := []flows.Inbound{
		msgPress("m:new"), msgPress("i:consent:ok"), msgPress("i:type:pengaduan"), msgPress("i:privacy:" + string(p)),
		msgPress("i:category:kk"), msgText(aBody), msgText(aWhen), msgPress("i:where:skip"),
		msgFile("photo", "blob/1"), msgPress("i:files:done"), msgPhone("+" + aPhoneNorm), msgText(aNIK), msgText(anEmail),
	}
	for _, m := range script {
		if d.s.Step == step {
			break
		}
		d.send(m)
	}
	if d.s.Step != step {
		t.Fatalf("the usual answers end at step %q, not %q", d.s.Step, step)
	}
	return d
}

// TestConverseFiling files a complaint from the first message to the last, with the
// mistakes people make on the way.
func TestConverseFiling(t *testing.T) {
	d := newDesk(t)

	o := d.do(msgCommand("start"), flows.StepMenu, flows.MsgWelcome)
	checkData(t, o.Replies[0], menuData...)

	o = d.do(msgPress("m:new"), flows.StepConsent, flows.MsgPrivacyNotice)
	if got, want := o.Replies[0].Choices, [][]flows.Choice{{{Label: flows.LabelAgree, Data: "i:consent:ok"}, {Label: flows.LabelCancel, Data: "i:consent:no"}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("privacy notice buttons %+v, want %+v", got, want)
	}

	o = d.do(msgPress("i:consent:ok"), flows.StepType, flows.MsgAskType)
	checkData(t, o.Replies[0], "i:type:pengaduan", "i:type:aspirasi", "i:type:informasi")
	if got := choicesOf(o.Replies[0])[1].Label; got != "type.aspirasi" {
		t.Errorf("type button label %q, want type.aspirasi", got)
	}

	o = d.do(msgPress("i:type:pengaduan"), flows.StepPrivacy, flows.MsgAskPrivacy)
	checkData(t, o.Replies[0], "i:privacy:biasa", "i:privacy:rahasia", "i:privacy:anonim")

	o = d.do(msgPress("i:privacy:biasa"), flows.StepCategory, flows.MsgAskCategory)
	var cats []string
	for _, c := range flows.DefaultCategories {
		cats = append(cats, "i:category:"+c)
	}
	checkData(t, o.Replies[0], cats...)
	if rows := o.Replies[0].Choices; len(rows) != (len(cats)+1)/2 || len(rows[0]) != 2 {
		t.Errorf("category buttons in %d rows (first of %d), want two to a row", len(rows), len(rows[0]))
	}

	o = d.do(msgPress("i:category:kk"), flows.StepBody, flows.MsgAskBody)
	checkMap(t, o.Replies[0], map[string]string{"Min": "30"})

	o = d.do(msgText("KK belum jadi"), flows.StepBody, flows.MsgBodyTooShort)
	checkMap(t, o.Replies[0], map[string]string{"Min": "30", "Words": "5"})
	d.do(msgText(strings.Repeat("a", 40)), flows.StepBody, flows.MsgBodyTooShort) // long enough, but one word
	d.do(msgText("satu dua tiga empat"+strings.Repeat("!", 11)), flows.StepBody, flows.MsgBodyTooShort)

	o = d.do(msgText("  "+aBody+"\n"), flows.StepWhen, flows.MsgAskWhen)
	checkData(t, o.Replies[0], "i:when:skip")
	if d.s.Draft.Body != aBody || d.s.Draft.Title != flows.TitleOf(aBody) {
		t.Errorf("draft body %q title %q, want the trimmed description and its title", d.s.Draft.Body, d.s.Draft.Title)
	}

	o = d.do(msgText(aWhen), flows.StepWhere, flows.MsgAskWhere)
	checkData(t, o.Replies[0], "i:where:skip")

	o = d.do(msgPress("i:where:skip"), flows.StepFiles, flows.MsgAskFiles)
	checkData(t, o.Replies[0], "i:files:done")
	checkMap(t, o.Replies[0], map[string]string{"Max": "5"})

	o = d.do(msgFile("photo", "blob/1"), flows.StepFiles, flows.MsgFileAdded)
	checkMap(t, o.Replies[0], map[string]string{"Count": "1", "Max": "5"})
	checkData(t, o.Replies[0], "i:files:done")
	o = d.do(msgFile("document", "blob/2"), flows.StepFiles, flows.MsgFileAdded)
	checkMap(t, o.Replies[0], map[string]string{"Count": "2", "Max": "5"})

	o = d.do(msgPress("i:files:done"), flows.StepPhone, flows.MsgAskPhone)
	checkData(t, o.Replies[0], "i:phone:skip")
	if o.Replies[0].Ask != flows.AskPhone {
		t.Errorf("phone question Ask = %q, want %q", o.Replies[0].Ask, flows.AskPhone)
	}

	o = d.do(msgText("12345"), flows.StepPhone, flows.MsgBadPhone)
	checkData(t, o.Replies[0], "i:phone:skip")
	if o.Replies[0].Ask != flows.AskPhone {
		t.Errorf("bad phone Ask = %q, want %q", o.Replies[0].Ask, flows.AskPhone)
	}

	// Category kk needs the population record: the NIK is asked after the phone.
	o = d.do(msgText(aPhone), flows.StepNIK, flows.MsgPhoneNoted, flows.MsgAskNIK)
	checkData(t, o.Replies[1], "i:nik:skip")
	if got := d.s.Draft.Contact.Phone; got != aPhoneNorm {
		t.Errorf("phone %q, want %q", got, aPhoneNorm)
	}

	o = d.do(msgText("6112 0145 0190 001"), flows.StepNIK, flows.MsgID(flows.ErrNIKLength))
	checkData(t, o.Replies[0], "i:nik:skip")
	checkMap(t, o.Replies[0], map[string]string{"Count": "15"})
	o = d.do(msgText("6112 0145 0190 0011"), flows.StepEmail, flows.MsgNIKNoted, flows.MsgAskEmail)
	checkMap(t, o.Replies[0], map[string]string{"NIK": aNIKMasked})
	checkData(t, o.Replies[1], "i:email:skip")
	if got := d.s.Draft.Contact.NIK; got != aNIK {
		t.Errorf("NIK %q, want %q", got, aNIK)
	}

	o = d.do(msgText("budi@"), flows.StepEmail, flows.MsgBadEmail)
	checkData(t, o.Replies[0], "i:email:skip")
	d.do(msgText("budi @example.id"), flows.StepEmail, flows.MsgBadEmail)

	o = d.do(msgText(anEmail), flows.StepConfirm, flows.MsgSummary)
	if got, want := o.Replies[0].Choices, [][]flows.Choice{
		{{Label: flows.LabelSend, Data: "i:confirm:send"}},
		{{Label: flows.LabelFix, Data: "i:confirm:fix"}, {Label: flows.LabelCancel, Data: "i:confirm:cancel"}},
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("summary buttons %+v, want %+v", got, want)
	}
	summary := map[string]string{
		"Type": "pengaduan", "Privacy": "biasa", "Category": "kk", "Body": aBody, "When": aWhen, "Where": "",
		"Files": "2", "Phone": aPhoneNorm, "Email": anEmail, "Name": "Budi", "NIK": aNIKMasked,
	}
	checkMap(t, o.Replies[0], summary)

	o = d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
	checkData(t, o.Replies[0], "i:fix:type", "i:fix:privacy", "i:fix:category", "i:fix:body", "i:fix:when",
		"i:fix:where", "i:fix:files", "i:fix:phone", "i:fix:nik", "i:fix:email")
	if got := choicesOf(o.Replies[0])[3].Label; got != "field.body" {
		t.Errorf("fix button label %q, want field.body", got)
	}

	d.do(msgPress("i:fix:body"), flows.StepBody, flows.MsgAskBody)
	if !d.s.Fixing {
		t.Errorf("not Fixing after choosing what to correct")
	}
	d.do(msgText("terlalu pendek"), flows.StepBody, flows.MsgBodyTooShort)
	o = d.do(msgText(otherBody), flows.StepConfirm, flows.MsgSummary)
	if d.s.Fixing {
		t.Errorf("still Fixing back at the summary")
	}
	summary["Body"] = otherBody
	checkMap(t, o.Replies[0], summary)

	filedAt := d.clock.Now().Add(time.Minute)
	o = d.send(msgPress("i:confirm:send"))
	if !o.File || o.Event != nil || len(o.Replies) != 0 {
		t.Fatalf("send: files %t, event %+v, replies %v; want the draft filed and nothing said", o.File, o.Event, msgIDs(o.Replies))
	}
	if s := o.Session; s.Step != flows.StepMenu || s.Fixing || !reflect.DeepEqual(s.Draft, flows.Complaint{}) {
		t.Errorf("after sending: step %q, fixing %t, draft %+v; want the menu and no draft", s.Step, s.Fixing, s.Draft)
	}
	want := flows.Complaint{
		Type: flows.ReportComplaint, Privacy: flows.Ordinary, Category: "kk",
		Title: flows.TitleOf(otherBody), Body: otherBody, EventDate: aWhen,
		Attachment: []flows.Attachment{
			{Kind: "photo", Ref: "blob/1", Name: "blob/1.bin", Size: 1000},
			{Kind: "document", Ref: "blob/2", Name: "blob/2.bin", Size: 1000},
		},
		Contact: flows.Contact{Channel: "telegram", Chat: flowstest.ChatRef, Name: aName, Phone: aPhoneNorm, Email: anEmail, NIK: aNIK, Lang: "id"},
	}
	if !reflect.DeepEqual(o.Draft, want) {
		t.Errorf("filed draft\n got %+v\nwant %+v", o.Draft, want)
	}

	// What the conversation files, the rules accept.
	r := flowstest.Rules(t)
	ch, err := r.File(o.Draft, filedAt)
	if err != nil {
		t.Fatalf("File refused the draft: %v", err)
	}
	if ch.Complaint.Contact != want.Contact {
		t.Errorf("filed contact %+v, want %+v", ch.Complaint.Contact, want.Contact)
	}
}

// TestConversePhone tries the ways a phone number arrives at the phone step.
func TestConversePhone(t *testing.T) {
	tests := []struct {
		name string
		msg  flows.Inbound
		want string // the phone kept; "" when refused
	}{
		{"shared contact with +", msgPhone("+" + aPhoneNorm), aPhoneNorm},
		{"shared contact, digits only", msgPhone(aPhoneNorm), aPhoneNorm},
		{"typed with dashes", msgText(aPhone), aPhoneNorm},
		{"typed international with spaces", msgText("+62 812 3456 7890"), aPhoneNorm},
		{"typed with dots", msgText("0812.3456.7890"), aPhoneNorm},
		{"typed too short", msgText("0812"), ""},
		{"typed words", msgText("tidak punya"), ""},
		{"shared foreign contact", msgPhone("+1 555 123 4567"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := filling(t, flows.Ordinary, flows.StepPhone)
			if tt.want == "" {
				o := d.do(tt.msg, flows.StepPhone, flows.MsgBadPhone)
				checkData(t, o.Replies[0], "i:phone:skip")
				if got := d.s.Draft.Contact.Phone; got != "" {
					t.Errorf("phone %q kept", got)
				}
				return
			}
			o := d.do(tt.msg, flows.StepNIK, flows.MsgPhoneNoted, flows.MsgAskNIK)
			if o.Replies[0].Ask != flows.AskClose || o.Replies[0].Data["Phone"] != tt.want {
				t.Errorf("%s: ask %q data %v, want the keyboard closed and the number", o.Replies[0].Msg, o.Replies[0].Ask, o.Replies[0].Data)
			}
			if got := d.s.Draft.Contact.Phone; got != tt.want {
				t.Errorf("phone %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("skipped", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepPhone)
		d.do(msgPress("i:phone:skip"), flows.StepNIK, flows.MsgAskNIK)
		d.do(msgPress("i:nik:skip"), flows.StepEmail, flows.MsgAskEmail)
		d.do(msgPress("i:email:skip"), flows.StepConfirm, flows.MsgSummary)
		if c := d.s.Draft.Contact; c.Phone != "" || c.Email != "" || c.NIK != "" {
			t.Errorf("contact %+v after skipping all three", c)
		}
	})

	t.Run("shared outside the phone step", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepWhen)
		d.do(msgPhone("+"+aPhoneNorm), flows.StepWhen, flows.MsgAskWhen)
		if got := d.s.Draft.Contact.Phone; got != "" {
			t.Errorf("phone %q taken at the when step", got)
		}
	})
}

// TestConverseAnonymous checks that an anonymous complaint is asked for no contact
// details and files none.
func TestConverseAnonymous(t *testing.T) {
	t.Run("from the start", func(t *testing.T) {
		d := filling(t, flows.Anonymous, flows.StepFiles)
		o := d.do(msgPress("i:files:done"), flows.StepConfirm, flows.MsgSummary)
		if o.Replies[0].Data["Phone"] != "" || o.Replies[0].Data["Email"] != "" {
			t.Errorf("summary data %v shows contact details", o.Replies[0].Data)
		}
		o = d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
		checkData(t, o.Replies[0], "i:fix:type", "i:fix:privacy", "i:fix:category", "i:fix:body", "i:fix:when",
			"i:fix:where", "i:fix:files")
		d.do(msgPress("i:fix:phone"), flows.StepFix, flows.MsgStaleChoice, flows.MsgAskFix)
		d.do(msgPress("i:fix:where"), flows.StepWhere, flows.MsgAskWhere)
		d.do(msgText("Kantor Camat Sungai Raya"), flows.StepConfirm, flows.MsgSummary)
		o = d.send(msgPress("i:confirm:send"))
		if !o.File {
			t.Fatalf("not filed")
		}
		want := flows.Contact{Channel: "telegram", Chat: flowstest.ChatRef, Lang: "id"}
		if o.Draft.Contact != want || o.Draft.Privacy != flows.Anonymous {
			t.Errorf("filed %s with contact %+v, want anonim with %+v", o.Draft.Privacy, o.Draft.Contact, want)
		}
		if o.Draft.Place != "Kantor Camat Sungai Raya" {
			t.Errorf("place %q", o.Draft.Place)
		}
	})

	t.Run("chosen at the summary drops what was given", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepConfirm)
		if c := d.s.Draft.Contact; c.Name != aName || c.Phone != aPhoneNorm || c.Email != anEmail {
			t.Fatalf("draft contact %+v, want name, phone and e-mail", c)
		}
		d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
		d.do(msgPress("i:fix:privacy"), flows.StepPrivacy, flows.MsgAskPrivacy)
		o := d.do(msgPress("i:privacy:anonim"), flows.StepConfirm, flows.MsgSummary)
		if o.Replies[0].Data["Phone"] != "" || o.Replies[0].Data["Email"] != "" || o.Replies[0].Data["Privacy"] != "anonim" {
			t.Errorf("summary data %v", o.Replies[0].Data)
		}
		if c := d.s.Draft.Contact; c.Name != "" || c.Phone != "" || c.Email != "" {
			t.Errorf("draft contact %+v keeps identity after choosing anonim", c)
		}
		o = d.send(msgPress("i:confirm:send"))
		if c := o.Draft.Contact; !o.File || c.Name != "" || c.Phone != "" || c.Email != "" {
			t.Errorf("filed %t with contact %+v, want no identity", o.File, c)
		}
	})

	t.Run("confidential keeps the identity", func(t *testing.T) {
		d := filling(t, flows.Confidential, flows.StepConfirm)
		o := d.send(msgPress("i:confirm:send"))
		if c := o.Draft.Contact; c.Name != aName || c.Phone != aPhoneNorm || c.Email != anEmail {
			t.Errorf("filed contact %+v, want the identity (hidden later by Visible)", c)
		}
	})
}

// TestConverseCancel cancels a draft in every way there is, from every kind of step.
func TestConverseCancel(t *testing.T) {
	ways := []struct {
		name string
		msg  flows.Inbound
	}{
		{"/batal", msgCommand("batal")},
		{"menu cancel", msgPress("m:cancel")},
	}
	steps := []flows.Step{flows.StepConsent, flows.StepType, flows.StepBody, flows.StepFiles, flows.StepPhone, flows.StepConfirm}
	for _, w := range ways {
		for _, st := range steps {
			t.Run(w.name+" at "+string(st), func(t *testing.T) {
				d := filling(t, flows.Ordinary, st)
				o := d.do(w.msg, flows.StepMenu, flows.MsgCancelled)
				checkData(t, o.Replies[0], menuData...)
				if s := d.s; s.Fixing || s.Focus != "" || !reflect.DeepEqual(s.Draft, flows.Complaint{}) {
					t.Errorf("session after cancel: %+v", s)
				}
			})
		}
	}
	t.Run("/batal while fixing", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepConfirm)
		d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
		d.do(msgPress("i:fix:when"), flows.StepWhen, flows.MsgAskWhen)
		d.do(msgCommand("batal"), flows.StepMenu, flows.MsgCancelled)
		if d.s.Fixing || !reflect.DeepEqual(d.s.Draft, flows.Complaint{}) {
			t.Errorf("session after cancel: %+v", d.s)
		}
	})
	t.Run("declining the privacy notice", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepConsent)
		d.do(msgPress("i:consent:no"), flows.StepMenu, flows.MsgCancelled)
	})
	t.Run("cancel at the summary", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepConfirm)
		d.do(msgPress("i:confirm:cancel"), flows.StepMenu, flows.MsgCancelled)
		if !reflect.DeepEqual(d.s.Draft, flows.Complaint{}) {
			t.Errorf("draft kept: %+v", d.s.Draft)
		}
	})
	t.Run("/batal with nothing to cancel", func(t *testing.T) {
		d := newDesk(t)
		o := d.do(msgCommand("batal"), flows.StepMenu, flows.MsgNothingToCancel)
		checkData(t, o.Replies[0], menuData...)
	})
}

// TestConverseStale presses buttons that do not belong to the step the conversation
// is at, or carry values the step does not offer: each is refused and the step asked
// again, with the draft as it was.
func TestConverseStale(t *testing.T) {
	tests := []struct {
		at     flows.Step
		data   string
		prompt flows.MsgID
	}{
		{flows.StepBody, "i:type:aspirasi", flows.MsgAskBody},
		{flows.StepBody, "i:consent:ok", flows.MsgAskBody},
		{flows.StepBody, "i:files:done", flows.MsgAskBody},
		{flows.StepBody, "i:confirm:send", flows.MsgAskBody},
		{flows.StepBody, "i:body:done", flows.MsgAskBody}, // the body step has no buttons
		{flows.StepBody, "i:body:skip", flows.MsgAskBody},
		{flows.StepBody, "i:body", flows.MsgAskBody},
		{flows.StepBody, "i", flows.MsgAskBody},
		{flows.StepBody, "zz:top", flows.MsgAskBody},
		{flows.StepBody, "m:bogus", flows.MsgAskBody},
		{flows.StepPhone, "i:email:skip", flows.MsgAskPhone},
		{flows.StepFiles, "i:when:skip", flows.MsgAskFiles},
		{flows.StepConfirm, "i:fix:body", flows.MsgSummary},
		{flows.StepConfirm, "i:type:aspirasi", flows.MsgSummary},
		// Values the step does not offer (an old keyboard, or tampered data).
		{flows.StepType, "i:type:keluhan", flows.MsgAskType},
		{flows.StepType, "i:type:", flows.MsgAskType},
		{flows.StepPrivacy, "i:privacy:publik", flows.MsgAskPrivacy},
		{flows.StepCategory, "i:category:paspor", flows.MsgAskCategory},
		{flows.StepWhen, "i:when:kemarin", flows.MsgAskWhen},
		{flows.StepWhere, "i:where:", flows.MsgAskWhere},
		{flows.StepFiles, "i:files:more", flows.MsgAskFiles},
		{flows.StepPhone, "i:phone:share", flows.MsgAskPhone},
		{flows.StepEmail, "i:email:none", flows.MsgAskEmail},
		{flows.StepConfirm, "i:confirm:later", flows.MsgSummary},
	}
	for _, tt := range tests {
		t.Run(string(tt.at)+" "+tt.data, func(t *testing.T) {
			d := filling(t, flows.Ordinary, tt.at)
			before := clone(d.s.Draft)
			d.do(msgPress(tt.data), tt.at, flows.MsgStaleChoice, tt.prompt)
			if !reflect.DeepEqual(d.s.Draft, before) {
				t.Errorf("draft changed:\n got %+v\nwant %+v", d.s.Draft, before)
			}
		})
	}
	t.Run("a step name that does not exist while choosing what to fix", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepConfirm)
		d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
		d.do(msgPress("i:fix:ktp"), flows.StepFix, flows.MsgStaleChoice, flows.MsgAskFix)
		d.do(msgPress("i:fix:confirm"), flows.StepFix, flows.MsgStaleChoice, flows.MsgAskFix)
	})
	t.Run("an intake button in the menu", func(t *testing.T) {
		d := newDesk(t)
		d.do(msgPress("i:type:pengaduan"), flows.StepMenu, flows.MsgStaleChoice)
		d.do(msgPress("i::ok"), flows.StepMenu, flows.MsgStaleChoice) // the menu's step name is ""
	})
	t.Run("an intake button while writing a reply", func(t *testing.T) {
		d := newDesk(t)
		d.s = flows.Session{Lang: "id", Step: flows.StepReply, Focus: "LPR-261130-ACDE"}
		d.do(msgPress("i:reply:ok"), flows.StepReply, flows.MsgStaleChoice, flows.MsgAskReply)
		if d.s.Focus != "LPR-261130-ACDE" {
			t.Errorf("focus %q", d.s.Focus)
		}
	})
}

// TestConverseWrongInput sends what a step cannot use.
func TestConverseWrongInput(t *testing.T) {
	t.Run("free text at a button step", func(t *testing.T) {
		for st, prompt := range map[flows.Step]flows.MsgID{
			flows.StepConsent: flows.MsgPrivacyNotice, flows.StepType: flows.MsgAskType, flows.StepPrivacy: flows.MsgAskPrivacy,
			flows.StepCategory: flows.MsgAskCategory, flows.StepFiles: flows.MsgAskFiles, flows.StepConfirm: flows.MsgSummary,
		} {
			d := filling(t, flows.Ordinary, st)
			before := clone(d.s.Draft)
			d.do(msgText("pengaduan"), st, flows.MsgChooseButton, prompt)
			if !reflect.DeepEqual(d.s.Draft, before) {
				t.Errorf("%s: draft changed", st)
			}
		}
	})

	t.Run("unsupported input", func(t *testing.T) {
		for st, prompt := range map[flows.Step]flows.MsgID{
			flows.StepBody: flows.MsgAskBody, flows.StepWhen: flows.MsgAskWhen, flows.StepFiles: flows.MsgAskFiles, flows.StepPhone: flows.MsgAskPhone,
		} {
			d := filling(t, flows.Ordinary, st)
			in := msgText("")
			in.Unsupported = "sticker"
			o := d.do(in, st, flows.MsgUnsupported, prompt)
			checkMap(t, o.Replies[0], map[string]string{"What": "sticker"})
		}
		d := newDesk(t)
		o := d.do(flows.Inbound{Unsupported: "voice"}, flows.StepMenu, flows.MsgUnsupported)
		checkMap(t, o.Replies[0], map[string]string{"What": "voice"})
	})

	t.Run("too long for when, where and e-mail", func(t *testing.T) {
		long := strings.Repeat("é", 201) // runes, not bytes, count
		for st, prompt := range map[flows.Step]flows.MsgID{flows.StepWhen: flows.MsgAskWhen, flows.StepWhere: flows.MsgAskWhere, flows.StepEmail: flows.MsgAskEmail} {
			d := filling(t, flows.Ordinary, st)
			o := d.do(msgText(long), st, flows.MsgTooLong, prompt)
			checkMap(t, o.Replies[0], map[string]string{"Max": "200"})
		}
		d := filling(t, flows.Ordinary, flows.StepWhen)
		d.do(msgText(long[len("é"):]), flows.StepWhere, flows.MsgAskWhere)
		if got := utf8.RuneCountInString(d.s.Draft.EventDate); got != 200 {
			t.Errorf("when of %d runes kept, want 200", got)
		}
	})

	t.Run("too long a description", func(t *testing.T) {
		body := strings.Repeat("ééé é", 600) // 3000 runes
		d := filling(t, flows.Ordinary, flows.StepBody)
		d.in.MaxBody = 3000
		o := d.do(msgText(body+"é"), flows.StepBody, flows.MsgTooLong)
		checkMap(t, o.Replies[0], map[string]string{"Max": "3000", "Count": "3001"})
		d.do(msgText(body), flows.StepWhen, flows.MsgAskWhen)
		if d.s.Draft.Body != body {
			t.Errorf("description of %d runes not kept", utf8.RuneCountInString(body))
		}
	})

	t.Run("more than MaxFiles attachments", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepFiles)
		for i := 1; i <= 5; i++ {
			o := d.do(msgFile("photo", "blob/"+strconv.Itoa(i)), flows.StepFiles, flows.MsgFileAdded)
			checkMap(t, o.Replies[0], map[string]string{"Count": strconv.Itoa(i), "Max": "5"})
		}
		o := d.do(msgFile("photo", "blob/6"), flows.StepFiles, flows.MsgTooManyFiles)
		checkMap(t, o.Replies[0], map[string]string{"Max": "5"})
		checkData(t, o.Replies[0], "i:files:done")
		if n := len(d.s.Draft.Attachment); n != 5 {
			t.Errorf("%d attachments kept, want 5", n)
		}
		d.do(msgPress("i:files:done"), flows.StepPhone, flows.MsgAskPhone)
	})

	t.Run("more than MaxFiles attachments at another step", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepCategory)
		for i := 1; i <= 5; i++ {
			d.do(msgFile("photo", "blob/"+strconv.Itoa(i)), flows.StepCategory, flows.MsgFileAdded, flows.MsgAskCategory)
		}
		d.do(msgPress("i:category:kk"), flows.StepBody, flows.MsgAskBody)
		o := d.do(msgFile("photo", "blob/6"), flows.StepBody, flows.MsgTooManyFiles, flows.MsgAskBody)
		for _, c := range choicesOf(o.Replies[0]) {
			// Whatever it offers must work at this step.
			d := *d
			d.do(msgPress(c.Data), flows.StepBody, flows.MsgAskBody)
		}
		if d.s.Draft.Body != "" || len(d.s.Draft.Attachment) != 5 {
			t.Errorf("draft body %q with %d attachments", d.s.Draft.Body, len(d.s.Draft.Attachment))
		}
	})

	t.Run("attachment in the menu", func(t *testing.T) {
		d := newDesk(t)
		o := d.do(msgFile("photo", "blob/1"), flows.StepMenu, flows.MsgMenuHint)
		checkData(t, o.Replies[0], menuData...)
		if len(d.s.Draft.Attachment) != 0 {
			t.Errorf("attachment kept outside a draft")
		}
	})

	t.Run("attachment before consent", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepConsent)
		o := d.do(msgFile("photo", "blob/1"), flows.StepConsent, flows.MsgMenuHint)
		checkData(t, o.Replies[0], "m:continue", "m:cancel")
		if len(d.s.Draft.Attachment) != 0 {
			t.Errorf("attachment kept before consent")
		}
	})

	t.Run("attachment at another step of the draft", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepBody)
		o := d.do(msgFile("location", "-0.05,109.34"), flows.StepBody, flows.MsgFileAdded, flows.MsgAskBody)
		if len(o.Replies[0].Choices) != 0 {
			t.Errorf("file added outside the files step offers %+v", o.Replies[0].Choices)
		}
		if len(d.s.Draft.Attachment) != 1 {
			t.Errorf("attachment not kept")
		}
	})

	t.Run("a location when asked where is the place", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepWhere)
		in := flows.Inbound{Attachment: &flows.Attachment{Kind: "location", Ref: "-0.083300,109.366700", Name: "Kantor Kecamatan Sungai Raya"}}
		d.do(in, flows.StepFiles, flows.MsgFileAdded, flows.MsgAskFiles)
		if d.s.Draft.Place != "Kantor Kecamatan Sungai Raya" || len(d.s.Draft.Attachment) != 1 {
			t.Errorf("place %q, attachments %+v", d.s.Draft.Place, d.s.Draft.Attachment)
		}
		d = filling(t, flows.Ordinary, flows.StepWhere)
		in.Attachment.Name = ""
		d.do(in, flows.StepFiles, flows.MsgFileAdded, flows.MsgAskFiles)
		if d.s.Draft.Place != "-0.083300,109.366700" {
			t.Errorf("place %q, want the coordinates", d.s.Draft.Place)
		}
	})

	t.Run("empty text asks again", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepBody)
		d.do(msgText(" \n "), flows.StepBody, flows.MsgAskBody)
	})

	t.Run("text, a shared phone or an unknown command in the menu", func(t *testing.T) {
		for _, in := range []flows.Inbound{msgText("apa ini"), msgPhone("+" + aPhoneNorm), msgText(" "), msgCommand("foo")} {
			d := newDesk(t)
			o := d.do(in, flows.StepMenu, flows.MsgMenuHint)
			if len(o.Replies) == 1 {
				checkData(t, o.Replies[0], menuData...)
			}
		}
	})

	t.Run("help", func(t *testing.T) {
		d := newDesk(t)
		d.do(msgCommand("help"), flows.StepMenu, flows.MsgHelp)
		d = filling(t, flows.Ordinary, flows.StepWhere)
		d.do(msgCommand("bantuan"), flows.StepWhere, flows.MsgHelp, flows.MsgAskWhere)
	})
}

// TestConverseMenuWhileFiling checks that the menu keeps an unfinished draft.
func TestConverseMenuWhileFiling(t *testing.T) {
	d := filling(t, flows.Ordinary, flows.StepWhere)
	before := clone(d.s.Draft)
	o := d.do(msgCommand("start"), flows.StepWhere, flows.MsgWelcome)
	checkData(t, o.Replies[0], "m:continue", "m:cancel")
	d.do(msgPress("m:continue"), flows.StepWhere, flows.MsgAskWhere)
	o = d.do(msgPress("m:new"), flows.StepWhere, flows.MsgDraftOpen)
	checkData(t, o.Replies[0], "m:continue", "m:restart")
	d.do(msgCommand("xyz"), flows.StepWhere, flows.MsgMenuHint)
	// /lapor asks to continue or start over, and continuing keeps the draft.
	o = d.do(msgCommand("lapor"), flows.StepWhere, flows.MsgDraftOpen)
	checkData(t, o.Replies[0], "m:continue", "m:restart")
	d.do(msgPress("m:continue"), flows.StepWhere, flows.MsgAskWhere)
	if !reflect.DeepEqual(d.s.Draft, before) {
		t.Errorf("continuing changed the draft: %+v", d.s.Draft)
	}
	d.do(msgCommand("lapor"), flows.StepWhere, flows.MsgDraftOpen)
	d.do(msgPress("m:restart"), flows.StepConsent, flows.MsgPrivacyNotice)
	if reflect.DeepEqual(d.s.Draft, before) || !reflect.DeepEqual(d.s.Draft, flows.Complaint{}) {
		t.Errorf("/lapor kept the old draft: %+v", d.s.Draft)
	}
}

// TestConverseStatus lists the citizen's complaints.
func TestConverseStatus(t *testing.T) {
	t.Run("none", func(t *testing.T) {
		d := newDesk(t)
		o := d.do(msgCommand("status"), flows.StepMenu, flows.MsgStatusNone)
		checkData(t, o.Replies[0], "m:new")
		o = d.do(msgPress("m:status"), flows.StepMenu, flows.MsgStatusNone)
		checkData(t, o.Replies[0], "m:new")
	})

	mine := make([]flows.Complaint, 12)
	for i := range mine {
		mine[i] = flows.Complaint{
			ID: int64(100 - i), Tracking: "LPR-2611" + strconv.Itoa(10+i) + "-ACDE", State: flows.States[i%len(flows.States)],
			Due: at(t, "2026-12-01 10:00").Add(time.Duration(i) * time.Hour), Body: "rahasia " + strconv.Itoa(i),
		}
	}
	checkItems := func(t *testing.T, n flows.Notice) {
		t.Helper()
		if len(n.Items) != 10 {
			t.Fatalf("%d items, want the 10 newest", len(n.Items))
		}
		for i, it := range n.Items {
			c := mine[i]
			want := flows.Notice{Msg: flows.MsgStatusItem, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, State: c.State, Due: c.Due}
			if c.State != flows.Answered {
				want.Data = map[string]string{"DateOnly": "yes"} // the government's deadline: its date
			}
			if !reflect.DeepEqual(it, want) {
				t.Errorf("item %d = %+v, want %+v", i, it, want)
			}
		}
	}
	t.Run("at most ten", func(t *testing.T) {
		d := newDesk(t)
		d.mine = mine
		o := d.do(msgCommand("status"), flows.StepMenu, flows.MsgStatusList)
		checkItems(t, o.Replies[0])
		o = d.do(msgPress("m:status"), flows.StepMenu, flows.MsgStatusList)
		checkItems(t, o.Replies[0])
	})
	t.Run("fewer", func(t *testing.T) {
		d := newDesk(t)
		d.mine = mine[:2]
		o := d.do(msgCommand("status"), flows.StepMenu, flows.MsgStatusList)
		if len(o.Replies[0].Items) != 2 {
			t.Errorf("%d items, want 2", len(o.Replies[0].Items))
		}
	})
	t.Run("while filing", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepBody)
		d.mine = mine
		d.do(msgCommand("status"), flows.StepBody, flows.MsgStatusList, flows.MsgAskBody)
	})
}

// TestConverseLanguage checks the language of a new session and its change.
func TestConverseLanguage(t *testing.T) {
	for reported, want := range map[string]string{"en-US": "en", "en": "en", "EN-gb": "en", "": "id", "jv": "id", "id": "id", "ms-MY": "id"} {
		d := newDesk(t)
		in := msgCommand("start")
		in.Lang = reported
		d.send(in)
		if d.s.Lang != want {
			t.Errorf("reported %q: session Lang %q, want %q", reported, d.s.Lang, want)
		}
	}

	d := newDesk(t)
	o := d.do(msgCommand("bahasa"), flows.StepMenu, flows.MsgChooseLang)
	if got, want := choicesOf(o.Replies[0]), []flows.Choice{{Text: "Bahasa Indonesia", Data: "m:lang:id"}, {Text: "English", Data: "m:lang:en"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("language buttons %+v, want %+v", got, want)
	}
	d.do(msgCommand("language"), flows.StepMenu, flows.MsgChooseLang)
	d.do(msgPress("m:lang"), flows.StepMenu, flows.MsgChooseLang)
	d.do(msgPress("m:lang:fr"), flows.StepMenu, flows.MsgChooseLang)
	if d.s.Lang != "id" {
		t.Errorf("Lang %q after an unknown language, want id", d.s.Lang)
	}
	d.do(msgPress("m:lang:en"), flows.StepMenu, flows.MsgLangSet)
	if d.s.Lang != "en" {
		t.Fatalf("Lang %q, want en", d.s.Lang)
	}
	in := msgText("halo")
	in.Lang = "id"
	d.send(in)
	if d.s.Lang != "en" {
		t.Errorf("Lang %q after a message the channel reports as id, want the chosen en", d.s.Lang)
	}

	t.Run("while filing", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepConfirm)
		d.do(msgPress("m:lang:en"), flows.StepConfirm, flows.MsgLangSet, flows.MsgSummary)
		o := d.send(msgPress("i:confirm:send"))
		if o.Draft.Contact.Lang != "en" {
			t.Errorf("filed with Lang %q, want en", o.Draft.Contact.Lang)
		}
	})
}

// TestConverseComplaintButtons presses the buttons under the messages about the
// citizen's complaints, and checks that the rules accept the events they make.
func TestConverseComplaintButtons(t *testing.T) {
	r := flowstest.Rules(t)
	answered := fixture(t, r, "answered")
	closed := fixture(t, r, "closed")
	closed.ID, closed.Tracking = 43, "LPR-261130-CDEF"
	const stranger = "LPR-261130-XXXX"
	mine := []flows.Complaint{closed, answered}
	complainant := flows.Actor{Kind: flows.ByComplainant, Ref: flowstest.ChatRef}

	// event sends msg and fails unless it asks for event ev on complaint c, with no
	// reply, and the rules answer it with want (nil: accepted).
	event := func(t *testing.T, d *desk, msg flows.Inbound, c flows.Complaint, ev flows.Event, want *flows.ErrorCode) {
		t.Helper()
		step := d.s.Step
		o := d.send(msg)
		if o.Event == nil || o.File || len(o.Replies) != 0 {
			t.Fatalf("outcome: event %+v, file %t, replies %v; want an event only", o.Event, o.File, msgIDs(o.Replies))
		}
		if !reflect.DeepEqual(*o.Event, ev) || o.Tracking != c.Tracking {
			t.Errorf("event %+v on %q, want %+v on %q", *o.Event, o.Tracking, ev, c.Tracking)
		}
		if o.Session.Step != step && o.Session.Step != flows.StepMenu {
			t.Errorf("step %q", o.Session.Step)
		}
		_, err := r.Apply(c, *o.Event, at(t, "2026-12-01 10:00"))
		switch {
		case want == nil && err != nil:
			t.Errorf("Apply refused the event: %v", err)
		case want != nil && (err == nil || refusal(t, err).Code != *want):
			t.Errorf("Apply answered %v, want %s", err, *want)
		}
	}
	code := func(c flows.ErrorCode) *flows.ErrorCode { return &c }

	t.Run("reply", func(t *testing.T) {
		d := newDesk(t)
		d.mine = mine
		o := d.do(msgPress("c:rep:"+answered.Tracking), flows.StepReply, flows.MsgAskReply)
		if o.Replies[0].Tracking != answered.Tracking || d.s.Focus != answered.Tracking {
			t.Errorf("asks for a reply to %q, focus %q; want %q", o.Replies[0].Tracking, d.s.Focus, answered.Tracking)
		}
		checkData(t, o.Replies[0], "m:cancel")
		if d.s.Filing() {
			t.Errorf("writing a reply counts as filing")
		}
		d.do(msgText(" "), flows.StepReply, flows.MsgAskReply)
		o = d.do(msgText(strings.Repeat("é", flows.MaxText+1)), flows.StepReply, flows.MsgTooLong)
		checkMap(t, o.Replies[0], map[string]string{"Max": strconv.Itoa(flows.MaxText)})
		event(t, d, msgText("  "+aReply+" "), answered, flows.Event{Kind: flows.EvReply, Actor: complainant, Text: aReply}, nil)
		if d.s.Step != flows.StepMenu || d.s.Focus != "" {
			t.Errorf("after the reply: step %q focus %q", d.s.Step, d.s.Focus)
		}
	})
	t.Run("reply cancelled", func(t *testing.T) {
		d := newDesk(t)
		d.mine = mine
		d.do(msgPress("c:rep:"+answered.Tracking), flows.StepReply, flows.MsgAskReply)
		o := d.do(msgPress("m:cancel"), flows.StepMenu, flows.MsgReplyCancelled)
		if o.Replies[0].Tracking != answered.Tracking {
			t.Errorf("%s names %q, want %s", o.Replies[0].Msg, o.Replies[0].Tracking, answered.Tracking)
		}
		if d.s.Focus != "" {
			t.Errorf("focus %q kept", d.s.Focus)
		}
	})
	t.Run("reply to a complaint no longer answered", func(t *testing.T) {
		d := newDesk(t)
		d.mine = mine
		event(t, d, msgPress("c:rep:"+closed.Tracking), closed, flows.Event{Kind: flows.EvReply, Actor: complainant, Text: "-"}, code(flows.ErrWrongState))
	})
	t.Run("satisfied", func(t *testing.T) {
		d := newDesk(t)
		d.mine = mine
		event(t, d, msgPress("c:sat:"+answered.Tracking), answered, flows.Event{Kind: flows.EvSatisfied, Actor: complainant}, nil)
	})
	t.Run("rate", func(t *testing.T) {
		d := newDesk(t)
		d.mine = mine
		event(t, d, msgPress("c:rate:"+closed.Tracking+":4"), closed, flows.Event{Kind: flows.EvRate, Actor: complainant, Rating: 4}, nil)
		event(t, d, msgPress("c:rate:"+closed.Tracking), closed, flows.Event{Kind: flows.EvRate, Actor: complainant}, code(flows.ErrBadRating))
		event(t, d, msgPress("c:rate:"+closed.Tracking+":x"), closed, flows.Event{Kind: flows.EvRate, Actor: complainant}, code(flows.ErrBadRating))
		event(t, d, msgPress("c:rate:"+closed.Tracking+":9"), closed, flows.Event{Kind: flows.EvRate, Actor: complainant, Rating: 9}, code(flows.ErrBadRating))
	})
	t.Run("rating buttons of a closing message", func(t *testing.T) {
		ch := mustApplyChange(t, r, answered, satisfied(), "2026-12-01 10:00")
		d := newDesk(t)
		d.mine = []flows.Complaint{ch.Complaint}
		for _, b := range choicesOf(ch.Notices[0]) {
			n, _ := strconv.Atoi(b.Text)
			event(t, d, msgPress(b.Data), ch.Complaint, flows.Event{Kind: flows.EvRate, Actor: complainant, Rating: n}, nil)
		}
	})
	t.Run("buttons of an answer", func(t *testing.T) {
		ch := mustApplyChange(t, r, fixture(t, r, "in_progress"), answer(), "2026-12-01 10:00")
		d := newDesk(t)
		d.mine = []flows.Complaint{ch.Complaint}
		b := choicesOf(ch.Notices[0])
		event(t, d, msgPress(b[0].Data), ch.Complaint, flows.Event{Kind: flows.EvSatisfied, Actor: complainant}, nil)
		d.do(msgPress(b[1].Data), flows.StepReply, flows.MsgAskReply)
	})
	t.Run("not theirs", func(t *testing.T) {
		for _, data := range []string{"c:sat:" + stranger, "c:rep:" + stranger} {
			d := newDesk(t)
			d.mine = mine
			d.do(msgPress(data), flows.StepMenu, flows.MsgNotYours)
		}
		// A rating for a complaint not theirs (most often an anonim one whose chat went
		// after its rating window) is told the rating can no longer be taken.
		d := newDesk(t)
		d.mine = mine
		d.do(msgPress("c:rate:"+stranger+":5"), flows.StepMenu, flows.MsgRatingClosed)
		d = newDesk(t) // no complaints at all
		d.do(msgPress("c:sat:"+answered.Tracking), flows.StepMenu, flows.MsgNotYours)
	})
	t.Run("malformed", func(t *testing.T) {
		for _, data := range []string{"c", "c:sat", "c:zap:" + answered.Tracking} {
			d := newDesk(t)
			d.mine = mine
			d.do(msgPress(data), flows.StepMenu, flows.MsgStaleChoice)
		}
	})
}

func mustApplyChange(tb testing.TB, r *flows.Rules, c flows.Complaint, ev flows.Event, when string) flows.Change {
	tb.Helper()
	ch, err := r.Apply(c, ev, at(tb, when))
	if err != nil {
		tb.Fatalf("Apply %s: %v", ev.Kind, err)
	}
	return ch
}

// TestConverseMenuReplies checks that the menu offers a reply to at most three
// answered complaints, newest first.
func TestConverseMenuReplies(t *testing.T) {
	var mine []flows.Complaint
	for i, st := range []flows.State{flows.Closed, flows.Answered, flows.InProgress, flows.Answered, flows.Answered, flows.Answered, flows.Answered} {
		mine = append(mine, flows.Complaint{ID: int64(50 - i), Tracking: "LPR-261130-AC" + string("3467ACD"[i]) + "E", State: st})
	}
	d := newDesk(t)
	d.mine = mine
	o := d.do(msgCommand("start"), flows.StepMenu, flows.MsgWelcome)
	rows := o.Replies[0].Choices
	want := [][]flows.Choice{
		{{Label: flows.LabelNew, Data: "m:new"}},
		{{Label: flows.LabelStatus, Data: "m:status"}, {Label: flows.LabelHelp, Data: "m:help"}},
		{{Label: flows.LabelLanguage, Data: "m:lang"}, {Label: flows.LabelMyData, Data: "m:data"}},
	}
	for _, i := range []int{1, 3, 4} {
		tr := mine[i].Tracking
		want = append(want, []flows.Choice{{Label: flows.LabelReply, Text: tr, Data: "c:rep:" + tr}})
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("menu\n got %+v\nwant %+v", rows, want)
	}
	d.do(msgPress(want[4][0].Data), flows.StepReply, flows.MsgAskReply)
	if d.s.Focus != mine[3].Tracking {
		t.Errorf("focus %q, want %q", d.s.Focus, mine[3].Tracking)
	}
}

// TestConversePure checks that Converse leaves the session it is given alone, so that
// the same stored session can be handled twice (a retried transaction) with the same
// result.
func TestConversePure(t *testing.T) {
	d := filling(t, flows.Ordinary, flows.StepFiles)
	s := d.s
	s.Draft.Attachment = make([]flows.Attachment, 1, 8) // room to grow in place
	s.Draft.Attachment[0] = flows.Attachment{Kind: "photo", Ref: "blob/0"}
	was := s
	was.Draft = clone(s.Draft)
	now := at(t, "2026-11-30 09:00")
	in := flows.Inbound{Channel: "telegram", Chat: flowstest.ChatRef, Attachment: &flows.Attachment{Kind: "photo", Ref: "blob/a"}}
	first := d.in.Converse(s, in, nil, now)
	in.Attachment = &flows.Attachment{Kind: "photo", Ref: "blob/b"}
	second := d.in.Converse(s, in, nil, now)
	if got := first.Session.Draft.Attachment; len(got) != 2 || got[1].Ref != "blob/a" {
		t.Errorf("first outcome's attachments %+v changed by the second call", got)
	}
	if got := second.Session.Draft.Attachment; len(got) != 2 || got[1].Ref != "blob/b" {
		t.Errorf("second outcome's attachments %+v", got)
	}
	if !reflect.DeepEqual(s.Draft.Attachment[:cap(s.Draft.Attachment)][:1], was.Draft.Attachment) {
		t.Errorf("the given session changed")
	}
}

// TestIntakeTick checks the reminder and the expiry of unfinished drafts.
func TestIntakeTick(t *testing.T) {
	in := flows.DefaultIntake()
	t0 := at(t, "2026-11-30 10:00")

	t.Run("nothing to do", func(t *testing.T) {
		for name, s := range map[string]flows.Session{
			"menu":            {Step: flows.StepMenu, Updated: t0},
			"writing a reply": {Step: flows.StepReply, Focus: "LPR-261130-ACDE", Updated: t0},
			"never active":    {Step: flows.StepBody},
		} {
			if got := in.NextCheck(s); !got.IsZero() {
				t.Errorf("%s: NextCheck = %s, want never", name, fmtTime(got))
			}
			for _, d := range []time.Duration{0, in.RemindAfter, in.ExpireAfter, 30 * 24 * time.Hour} {
				if o, ok := in.Tick(s, t0.Add(d)); ok || !reflect.DeepEqual(o, flows.Outcome{}) {
					t.Errorf("%s: Tick after %s = %+v, %t; want nothing", name, d, o, ok)
				}
			}
		}
	})

	d := filling(t, flows.Ordinary, flows.StepConfirm)
	d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
	d.do(msgPress("i:fix:when"), flows.StepWhen, flows.MsgAskWhen)
	s := d.s
	last := s.Updated
	if !s.Fixing || s.Nudged {
		t.Fatalf("session %+v", s)
	}
	checkTime(t, "NextCheck", in.NextCheck(s), last.Add(24*time.Hour))

	if o, ok := in.Tick(s, last.Add(24*time.Hour-time.Nanosecond)); ok {
		t.Errorf("Tick just before RemindAfter: %v", msgIDs(o.Replies))
	}
	o, ok := in.Tick(s, last.Add(24*time.Hour))
	if !ok {
		t.Fatalf("no reminder after RemindAfter")
	}
	checkSays(t, o, flows.StepWhen, flows.MsgDraftReminder)
	checkData(t, o.Replies[0], "m:continue", "m:cancel")
	checkReplies(t, o.Replies)
	checkDraftNamed(t, o.Replies[0], s)
	reminded := o.Session
	want := s
	want.Nudged = true
	if !reflect.DeepEqual(reminded, want) {
		t.Errorf("reminded session\n got %+v\nwant %+v", reminded, want)
	}
	checkTime(t, "NextCheck", in.NextCheck(reminded), last.Add(72*time.Hour))
	for _, d := range []time.Duration{24 * time.Hour, 48 * time.Hour, 72*time.Hour - time.Nanosecond} {
		if o, ok := in.Tick(reminded, last.Add(d)); ok {
			t.Errorf("Tick after %s once reminded: %v", d, msgIDs(o.Replies))
		}
	}

	o, ok = in.Tick(reminded, last.Add(72*time.Hour))
	if !ok {
		t.Fatalf("no expiry after ExpireAfter")
	}
	checkSays(t, o, flows.StepMenu, flows.MsgDraftExpired)
	checkData(t, o.Replies[0], "m:new")
	checkDraftNamed(t, o.Replies[0], s)
	if e := o.Session; e.Fixing || !reflect.DeepEqual(e.Draft, flows.Complaint{}) || e.Chat != s.Chat || e.Lang != s.Lang {
		t.Errorf("expired session %+v", e)
	}
	if got := in.NextCheck(o.Session); !got.IsZero() {
		t.Errorf("NextCheck after expiry = %s, want never", fmtTime(got))
	}
	if _, ok := in.Tick(o.Session, last.Add(100*time.Hour)); ok {
		t.Errorf("Tick after expiry did something")
	}

	t.Run("a long silence expires without a reminder first", func(t *testing.T) {
		o, ok := in.Tick(s, last.Add(10*24*time.Hour))
		if !ok {
			t.Fatal("nothing")
		}
		checkSays(t, o, flows.StepMenu, flows.MsgDraftExpired)
	})

	t.Run("a message starts the silence again", func(t *testing.T) {
		d.s = reminded
		d.clock.Set(last.Add(30 * time.Hour))
		d.do(msgText(aWhen), flows.StepConfirm, flows.MsgSummary)
		if d.s.Nudged || !d.s.Updated.Equal(d.clock.Now()) {
			t.Errorf("after a message: Nudged %t, Updated %s", d.s.Nudged, fmtTime(d.s.Updated))
		}
		checkTime(t, "NextCheck", in.NextCheck(d.s), d.clock.Now().Add(24*time.Hour))
		o, ok := in.Tick(d.s, last.Add(72*time.Hour)) // 42 hours after the last message
		if !ok {
			t.Fatal("no reminder 42 hours after the last message")
		}
		checkSays(t, o, flows.StepConfirm, flows.MsgDraftReminder)
	})
}

// TestNormalizePhone checks the phone numbers people write.
func TestNormalizePhone(t *testing.T) {
	valid := []struct{ in, want string }{
		{"0812-3456-7890", "6281234567890"},
		{"081234567890", "6281234567890"},
		{"+62 812 3456 7890", "6281234567890"},
		{"+62-812-3456-7890", "6281234567890"},
		{"62 (812) 3456-7890", "6281234567890"},
		{"6281234567890", "6281234567890"},
		{"+6281234567890", "6281234567890"}, // as Telegram shares it
		{" 0812 3456 7890 ", "6281234567890"},
		{"0812.3456.789", "628123456789"},
		{"(0561) 765432", "62561765432"},          // a landline in Pontianak
		{"081234567", "6281234567"},               // 10 digits, the fewest
		{"+628123456789012", "628123456789012"},   // 15 digits, the most
		{"\u00a00812345678901", "62812345678901"}, // spaces around, as pasted
		{"+62 812 3456 7890\n", "6281234567890"},
		{"+62 (0)812 3456 7890", "6281234567890"}, // the trunk zero in brackets
		{"0062 812 3456 7890", "6281234567890"},   // the international prefix
	}
	invalid := []string{
		"", " ", "-", "+", "12345", "0812", "08123456", "62812345", "+1 555 123 4567", "+60 12 345 6789",
		"0812-3456-7890 ext 2", "0812/3456/7890", "0812_3456_7890", "08l2345678901", "０８１２３４５６７８９０",
		"0812+34567890", "6281234567890123", "081234567890123", "62 812 3456 7890 1234",
		"tidak punya", "++62 812 3456 7890", "+0812 3456 7890", "+62 0812 3456 7890", "+0062 812 3456 7890",
	}
	for _, tt := range valid {
		got, ok := flows.NormalizePhone(tt.in)
		if !ok || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %t; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range invalid {
		if got, ok := flows.NormalizePhone(in); ok || got != "" {
			t.Errorf("NormalizePhone(%q) = %q, %t; want refused", in, got, ok)
		}
	}
}

// TestTitleOf checks the titles made from descriptions.
func TestTitleOf(t *testing.T) {
	long := "Sudah tiga minggu mengurus KK baru di kantor kecamatan Sungai Raya tetapi belum juga selesai"
	tests := []struct {
		name, body, want string
	}{
		{"short", "KK belum jadi", "KK belum jadi"},
		{"trimmed", "  \n KK belum jadi \n", "KK belum jadi"},
		{"exactly 60", strings.Repeat("a", 60), strings.Repeat("a", 60)},
		{"long, cut at a word", long, "Sudah tiga minggu mengurus KK baru di kantor kecamatan…"},
		{"long without spaces", strings.Repeat("x", 70), strings.Repeat("x", 60) + "…"},
		{"long with a space only early", "KK " + strings.Repeat("x", 70), "KK " + strings.Repeat("x", 57) + "…"},
		{"multi-line: the first line", "KK belum jadi\nSudah tiga minggu menunggu.", "KK belum jadi"},
		{"Windows line ends", "KK belum jadi\r\nSudah tiga minggu menunggu.", "KK belum jadi"},
		{"long first line of several", long + "\nbaris kedua", "Sudah tiga minggu mengurus KK baru di kantor kecamatan…"},
		{"multi-byte runes", strings.Repeat("é", 61), strings.Repeat("é", 60) + "…"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flows.TitleOf(tt.body)
			if got != tt.want {
				t.Errorf("titleOf(%q) = %q, want %q", tt.body, got, tt.want)
			}
			if n := utf8.RuneCountInString(strings.TrimSuffix(got, "…")); n > 60 {
				t.Errorf("title of %d runes", n)
			}
			if !utf8.ValidString(got) {
				t.Errorf("title %q is not valid UTF-8", got)
			}
		})
	}
}

// TestReplyWhileFilingResumesTheDraft: a citizen in the middle of a new complaint
// presses Reply under an answer to an earlier one; after the reply (or cancelling it)
// the complaint being written is asked for again, not lost.
func TestReplyWhileFilingResumesTheDraft(t *testing.T) {
	in := flows.DefaultIntake()
	now := flowstest.At(t, "2026-12-01 10:00")
	answered := flows.Complaint{ID: 7, Tracking: "ADU-261130-K7QX", State: flows.Answered}
	mine := []flows.Complaint{answered}
	s := flows.Session{Channel: "telegram", Chat: flowstest.ChatRef, Lang: "id", Step: flows.StepWhere,
		Draft: flows.Complaint{Type: flows.ReportComplaint, Body: "Sudah tiga minggu KK belum jadi juga di kecamatan."}}
	msg := func(choice, text string) flows.Inbound {
		return flows.Inbound{Channel: "telegram", Chat: flowstest.ChatRef, Choice: choice, Text: text}
	}

	o := in.Converse(s, msg("c:rep:"+answered.Tracking, ""), mine, now)
	if o.Session.Step != flows.StepReply || o.Session.Resume != flows.StepWhere || o.Session.Draft.Body == "" {
		t.Fatalf("after Reply: step %q resume %q draft kept %t", o.Session.Step, o.Session.Resume, o.Session.Draft.Body != "")
	}
	o = in.Converse(o.Session, msg("", "Nama ibu saya masih salah."), mine, now)
	if o.Event == nil || o.Event.Kind != flows.EvReply || o.Tracking != answered.Tracking {
		t.Fatalf("reply not sent: %+v", o.Event)
	}
	if o.Session.Step != flows.StepWhere || o.Session.Resume != "" || o.Session.Draft.Body == "" {
		t.Errorf("after the reply: step %q resume %q", o.Session.Step, o.Session.Resume)
	}
	if last := o.Replies[len(o.Replies)-1].Msg; last != flows.MsgAskWhere {
		t.Errorf("after the reply asked %s, want %s", last, flows.MsgAskWhere)
	}

	// Cancelling the reply also goes back to the draft.
	o = in.Converse(o.Session, msg("c:rep:"+answered.Tracking, ""), mine, now)
	o = in.Converse(o.Session, msg("m:cancel", ""), mine, now)
	if o.Session.Step != flows.StepWhere || o.Session.Draft.Body == "" || o.Event != nil {
		t.Errorf("after cancelling the reply: step %q, draft kept %t, event %v", o.Session.Step, o.Session.Draft.Body != "", o.Event)
	}
}

// TestCaptionAndCommandsWhileReplying: a photo captioned with the description answers
// the step; a command typed while a reply is being written leaves the reply.
func TestCaptionAndCommandsWhileReplying(t *testing.T) {
	in := flows.DefaultIntake()
	now := flowstest.At(t, "2026-12-01 10:00")
	s := flows.Session{Channel: "telegram", Chat: flowstest.ChatRef, Lang: "id", Step: flows.StepBody,
		Draft: flows.Complaint{Type: flows.ReportComplaint, Privacy: flows.Ordinary, Category: "kk"}}
	body := "Sudah tiga minggu mengurus KK baru di kecamatan, belum juga selesai."
	o := in.Converse(s, flows.Inbound{Channel: "telegram", Chat: flowstest.ChatRef, Text: body,
		Attachment: &flows.Attachment{Kind: "photo", Ref: "file:1"}}, nil, now)
	if o.Session.Draft.Body != body || len(o.Session.Draft.Attachment) != 1 || o.Session.Step != flows.StepWhen {
		t.Errorf("captioned photo: body %q, %d files, step %q", o.Session.Draft.Body, len(o.Session.Draft.Attachment), o.Session.Step)
	}

	answered := flows.Complaint{ID: 7, Tracking: "ADU-261130-K7QX", State: flows.Answered}
	o = in.Converse(flows.Session{Channel: "telegram", Chat: flowstest.ChatRef, Lang: "id"},
		flows.Inbound{Channel: "telegram", Chat: flowstest.ChatRef, Choice: "c:rep:" + answered.Tracking}, []flows.Complaint{answered}, now)
	o = in.Converse(o.Session, flows.Inbound{Channel: "telegram", Chat: flowstest.ChatRef, Command: "start"}, []flows.Complaint{answered}, now)
	if o.Session.Step != flows.StepMenu || o.Session.Focus != "" {
		t.Fatalf("after /start while replying: step %q focus %q", o.Session.Step, o.Session.Focus)
	}
	// Text typed then is the reply to the only complaint waiting for one.
	o = in.Converse(o.Session, flows.Inbound{Channel: "telegram", Chat: flowstest.ChatRef, Text: "Saya mau menanggapi lagi."}, []flows.Complaint{answered}, now)
	if o.Event == nil || o.Event.Kind != flows.EvReply || o.Tracking != answered.Tracking {
		t.Errorf("free text after /start: event %+v for %q, want the reply to %s", o.Event, o.Tracking, answered.Tracking)
	}
}

// checkDraftNamed checks that a sweep's message about the draft of s names it by what
// differs between citizens and is not personal: its report type, its category and when
// it was last written to (WhatsApp bans a number that sends one text to many).
func checkDraftNamed(t *testing.T, n flows.Notice, s flows.Session) {
	t.Helper()
	if s.Draft.Category == "" {
		t.Fatal("the draft has no category: the test shows nothing")
	}
	want := map[string]string{"Since": s.Updated.Format(time.RFC3339), "Category": s.Draft.Category}
	if !reflect.DeepEqual(n.Data, want) || n.Report != s.Draft.Type {
		t.Errorf("%s: report %q, data %v; want %q, %v", n.Msg, n.Report, n.Data, s.Draft.Type, want)
	}
}
