package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// The tests in this file are about the units' groups on Telegram: who may act there,
// how a press is answered, forum topics, the command menu and groups that are no unit's.

// tap pushes a button press, waits until it is handled and everything it caused is
// delivered, and returns the calls and how Telegram was asked to answer the press.
func (d *tgDesk) tap(upd models.Update) ([]tgfake.Call, tgfake.PressAnswer) {
	d.t.Helper()
	calls := d.do(upd)
	return calls, d.answer(upd)
}

// answer returns how a pushed press was answered, failing the test when it was not.
func (d *tgDesk) answer(upd models.Update) tgfake.PressAnswer {
	d.t.Helper()
	a, ok := d.fake.Answer(upd.CallbackQuery.ID)
	if !ok {
		d.t.Fatalf("the press of %q was not answered (the button keeps spinning)", upd.CallbackQuery.Data)
	}
	return a
}

// memberCalls counts the getChatMember calls for user in chat among calls.
func memberCalls(calls []tgfake.Call, chat, user int64) int {
	n := 0
	for _, c := range calls {
		if c.Method == "getChatMember" && c.ChatID() == chat && c.Fields["user_id"] == strconv.FormatInt(user, 10) {
			n++
		}
	}
	return n
}

const notMember = "tidak lagi tercatat sebagai anggota grup ini"

// TestTelegramGroupMembership: before any action in a unit's group the desk asks Telegram
// whether the person is still a member; someone who left or was removed is refused, to
// them alone, and changes nothing. A membership is believed for a minute of the desk's
// clock.
func TestTelegramGroupMembership(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, card := d.file(citizenBudi, bodyKK)
	route := d.button(groupNational, card, `^a:route:\d+:1$`)

	const gone, removed, owner, plain, muted, outside int64 = 7101, 7102, 7103, 7104, 7105, 7106
	d.fake.SetMember(groupNational, gone, "left")
	d.fake.SetMember(groupNational, removed, "kicked")
	d.fake.SetRestricted(groupNational, outside, false)
	for _, who := range []int64{gone, removed, outside, 7199 /* never a member */} {
		calls, ans := d.tap(tgfake.Callback(groupNational, who, card.MessageID, route))
		if !ans.Alert || !strings.Contains(ans.Text, notMember) {
			t.Errorf("user %d: the press was answered %+v, want an alert that they are not a member", who, ans)
		}
		if got := sent(calls, groupNational); len(got) != 0 {
			t.Errorf("user %d: the group was told:\n%s", who, texts(got))
		}
		if memberCalls(calls, groupNational, who) != 1 {
			t.Errorf("user %d: membership not asked of Telegram", who)
		}
		d.wantState(tr, flows.Submitted, 1)
	}

	// The creator, a member and a restricted member who is still in the group may act.
	d.fake.SetMember(groupNational, owner, "creator")
	d.fake.SetMember(groupNational, plain, "member")
	d.fake.SetMember(groupNational, muted, "restricted")
	for _, who := range []int64{owner, plain, muted} {
		calls, ans := d.tap(tgfake.Callback(groupNational, who, card.MessageID, route))
		if ans.Text != "" {
			t.Errorf("user %d: the press was answered %q", who, ans.Text)
		}
		d.message(calls, groupNational, "Pilih unit tujuan")
	}

	// Two presses a moment apart ask Telegram once (the minute since the last press has
	// passed); a minute later it is asked again, and someone removed meanwhile is refused.
	calls := d.do(tgfake.Callback(groupNational, plain, card.MessageID, route), tgfake.Callback(groupNational, plain, card.MessageID, route))
	if n := memberCalls(calls, groupNational, plain); n != 1 {
		t.Errorf("two presses within a minute asked Telegram %d times, want once", n)
	}
	d.fake.SetMember(groupNational, plain, "kicked")
	calls, ans := d.tap(tgfake.Callback(groupNational, plain, card.MessageID, route))
	if !strings.Contains(ans.Text, notMember) || memberCalls(calls, groupNational, plain) != 1 {
		t.Errorf("a member removed a minute ago: answered %+v after %d getChatMember calls", ans, memberCalls(calls, groupNational, plain))
	}

	// A text asked for by a press is refused when its author has left the group since:
	// nothing is shown back to the group, and they are told in their own chat.
	calls = d.press(groupNational, adminNational, card, d.button(groupNational, card, `^a:archive:\d+:1$`))
	ask := d.message(calls, groupNational, "Balas pesan ini")
	d.fake.SetMember(groupNational, adminNational, "left")
	calls = d.do(tgfake.ReplyMessage(groupNational, adminNational, ask.MessageID, "Bukan aduan pelayanan publik."))
	if got := sent(calls, groupNational); len(got) != 0 {
		t.Errorf("the group was shown a departed member's text:\n%s", texts(got))
	}
	d.message(calls, adminNational, notMember)
	// Nor may they list the queue.
	calls = d.do(tgfake.TextMessage(groupNational, adminNational, "/antrian"))
	if got := sent(calls, groupNational); len(got) != 0 {
		t.Errorf("a departed member got the queue:\n%s", texts(got))
	}
	d.wantState(tr, flows.Submitted, 1)
	if n := len(d.audit(tr)); n != 1 {
		t.Errorf("%d audit events, want only the filing", n)
	}
}

// TestTelegramPressAnswers: refusals and stale buttons answer the press itself, as an
// alert, in the presser's language; the group is told only what it should know. A press
// Telegram no longer accepts an answer for is told in the presser's private chat.
func TestTelegramPressAnswers(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, card := d.file(citizenBudi, bodyKK)
	c := d.complaint(tr)

	// Pressing a card's button gets a bare acknowledgement; the choice of units is the
	// group's.
	calls, ans := d.tap(tgfake.Callback(groupNational, adminNational, card.MessageID, fmt.Sprintf("a:route:%d:1", c.ID)))
	if ans.Text != "" || ans.Alert {
		t.Errorf("a press that offers the units was answered %+v", ans)
	}
	offer := d.message(calls, groupNational, "Pilih unit tujuan")
	calls = d.press(groupNational, adminNational, offer, d.button(groupNational, offer, `:kuburaya$`))
	d.message(calls, groupNational, "Tercatat")

	// An English-speaking admin pressing the old card is told in English.
	old := tgfake.Callback(groupNational, adminNational, card.MessageID, fmt.Sprintf("a:archive:%d:1", c.ID))
	old.CallbackQuery.From.LanguageCode = "en"
	calls, ans = d.tap(old)
	if !ans.Alert || !strings.Contains(ans.Text, "changed") || !strings.Contains(ans.Text, tr) {
		t.Errorf("an old card's press was answered %+v, want an English alert naming %s", ans, tr)
	}
	if got := sent(calls, groupNational); len(got) != 0 {
		t.Errorf("the group was told of a refusal:\n%s", texts(got))
	}

	// A press answered too late (the desk was busy): Telegram refuses the answer, and
	// the presser learns it in their own chat instead.
	late := tgfake.Callback(groupNational, adminNational, card.MessageID, "x:tampered")
	d.fake.ExpireCallback(late.CallbackQuery.ID)
	calls = d.do(late)
	d.message(calls, adminNational, "Tombol ini berasal dari kartu lama")
	if got := sent(calls, groupNational); len(got) != 0 {
		t.Errorf("the group was told of a stale press:\n%s", texts(got))
	}
	d.wantState(tr, flows.Routed, 2)
}

// TestTelegramForumPrompts: in a forum group the unit picker, the request for text, the
// confirmation and the outcome go to the complaint's topic, not to General.
func TestTelegramForumPrompts(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	d.fake.SetForum(groupNational)
	d.fake.SetForum(groupRegency)
	tr, card := d.file(citizenBudi, bodyKK)
	thread := card.ThreadID()
	if thread == 0 {
		t.Fatal("the card went to General")
	}
	inTopic := func(what string, m tgfake.Call, want int) {
		t.Helper()
		if m.ThreadID() != want {
			t.Errorf("%s in thread %d, want the complaint's topic %d", what, m.ThreadID(), want)
		}
	}
	calls := d.press(groupNational, adminNational, card, d.button(groupNational, card, `^a:route:\d+:1$`))
	offer := d.message(calls, groupNational, "Pilih unit tujuan")
	inTopic("the unit picker", offer, thread)
	calls = d.press(groupNational, adminNational, offer, d.button(groupNational, offer, `:kuburaya$`))
	inTopic("the confirmation of routing", d.message(calls, groupNational, "Tercatat"), thread)

	regencyCard := d.message(calls, groupRegency, "Aduan baru "+tr)
	topic := regencyCard.ThreadID()
	if topic == 0 {
		t.Fatal("the regency card went to General")
	}
	calls = d.press(groupRegency, adminRegency, regencyCard, d.button(groupRegency, regencyCard, `^a:send_back:\d+:2$`))
	ask := d.message(calls, groupRegency, "Balas pesan ini")
	inTopic("the request for a reason", ask, topic)
	reply := tgfake.ReplyMessage(groupRegency, adminRegency, ask.MessageID, "Bukan wilayah kabupaten ini.")
	reply.Message.MessageThreadID, reply.Message.IsTopicMessage = topic, true
	calls = d.do(reply)
	confirm := d.message(calls, groupRegency, "Periksa teks berikut")
	inTopic("the confirmation", confirm, topic)
	calls = d.press(groupRegency, adminRegency, confirm, d.button(groupRegency, confirm, `^p:\d+:ok$`))
	inTopic("the outcome", d.message(calls, groupRegency, "Tercatat"), topic)
	inTopic("the returned card", d.message(calls, groupNational, "dikembalikan"), thread)
	d.wantState(tr, flows.Submitted, 3)
	for _, m := range d.fake.Sent(groupNational) {
		if m.ThreadID() == 0 {
			t.Errorf("a message to General of the national forum: %q", m.Text())
		}
	}
}

// TestTelegramCommandMenu: at start the bot registers its commands with Telegram, the
// citizen's in private chats and the units' in groups, in Indonesian and English.
func TestTelegramCommandMenu(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	// Start runs beside the first poll: wait for it through a first exchange.
	d.do(tgfake.TextMessage(citizenBudi, citizenBudi, "/start"))
	for _, c := range d.fake.Calls("setMyCommands") {
		if c.ErrorCode != 0 {
			t.Errorf("setMyCommands refused: %v", c.Fields)
		}
	}
	names := func(cmds []models.BotCommand) []string {
		var out []string
		for _, c := range cmds {
			out = append(out, c.Command)
		}
		return out
	}
	about := func(cmds []models.BotCommand, name string) string {
		for _, c := range cmds {
			if c.Command == name {
				return c.Description
			}
		}
		return ""
	}
	for _, tc := range []struct {
		scope, lang string
		want        []string
		word        string // in the description of the second command
	}{
		{"all_private_chats", "", []string{"start", "lapor", "status", "batal", "bahasa", "datasaya", "help", "hapusdata"}, "laporan"},
		{"all_private_chats", "en", []string{"start", "lapor", "status", "batal", "bahasa", "datasaya", "help", "hapusdata"}, "report"},
		{"all_group_chats", "", []string{"antrian", "help", "id"}, "kartu"},
		{"all_group_chats", "en", []string{"antrian", "help", "id"}, "cards"},
	} {
		got := d.fake.Commands(tc.scope, tc.lang)
		if !slices.Equal(names(got), tc.want) {
			t.Errorf("%s %q: commands %v, want %v", tc.scope, tc.lang, names(got), tc.want)
			continue
		}
		if s := about(got, tc.want[1]); !strings.Contains(s, tc.word) {
			t.Errorf("%s %q: /%s is described %q, want a text with %q", tc.scope, tc.lang, tc.want[1], s, tc.word)
		}
	}
}

// TestTelegramGroupsOfNoUnit: a message from a group that is in no unit is logged with
// the chat ID and never its content; /id answers a group's chat ID there and in a unit's
// group, so that an operator can fill in the units file; a press there is answered.
func TestTelegramGroupsOfNoUnit(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	const stranger int64 = -1009999
	secret := "rapat besok jam sembilan, bawa berkas"
	calls := d.do(tgfake.TextMessage(stranger, 7301, secret), tgfake.TextMessage(stranger, 7301, secret+" lagi"))
	if got := sent(calls, stranger); len(got) != 0 {
		t.Errorf("the bot spoke in a group of no unit unasked:\n%s", texts(got))
	}
	log := d.log.String()
	if !strings.Contains(log, "chat_id=-1009999") {
		t.Errorf("no log line names the group's chat ID:\n%s", log)
	}
	if strings.Count(log, "chat_id=-1009999") != 1 {
		t.Errorf("the group of no unit was logged %d times, want once", strings.Count(log, "chat_id=-1009999"))
	}
	if strings.Contains(log, "rapat besok") {
		t.Errorf("the log holds a message's content:\n%s", log)
	}

	calls = d.do(tgfake.TextMessage(stranger, 7301, "/id@AduanBot"))
	wantText(t, "/id in a group of no unit", d.message(calls, stranger, "-1009999").Text(), "belum tercatat", "berkas unit")
	calls = d.do(tgfake.TextMessage(groupAgency, adminAgency, "/id"))
	wantText(t, "/id in a unit's group", d.message(calls, groupAgency, "-1003").Text(), "Dinas Dukcapil Kubu Raya")

	press := tgfake.Callback(stranger, 7301, 1, "a:route:1:1")
	calls, ans := d.tap(press)
	if !ans.Alert || !strings.Contains(ans.Text, "kartu lama") || len(sent(calls, stranger)) != 0 {
		t.Errorf("a press in a group of no unit: answered %+v, the group got %d messages", ans, len(sent(calls, stranger)))
	}
}

// TestTelegramQueue: /antrian lists the open complaints of the group's unit, nearest
// deadline first, and what a technical team is tasked with in the team's group.
func TestTelegramQueue(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	calls := d.do(tgfake.TextMessage(groupNational, adminNational, "/antrian"))
	d.message(calls, groupNational, "Tidak ada laporan terbuka")

	tr1, card1 := d.file(citizenBudi, bodyKK)
	tr2, _ := d.file(citizenSiti, bodyAkta)
	calls = d.do(tgfake.TextMessage(groupNational, adminNational, "/antrian@AduanBot"))
	q := d.message(calls, groupNational, "Laporan terbuka di")
	if i, j := strings.Index(q.Text(), tr1), strings.Index(q.Text(), tr2); i < 0 || j < 0 || i > j {
		t.Errorf("the queue does not list %s before %s:\n%s", tr1, tr2, q.Text())
	}

	// Routed on, the first complaint leaves the national queue for the regency's.
	d.choose(groupNational, adminNational, card1, flows.EvRoute, flowstest.Regency)
	calls = d.do(tgfake.TextMessage(groupNational, adminNational, "/antrian"))
	q = d.message(calls, groupNational, "Laporan terbuka di")
	if strings.Contains(q.Text(), tr1) || !strings.Contains(q.Text(), tr2) {
		t.Errorf("national queue after routing %s:\n%s", tr1, q.Text())
	}
	calls = d.do(tgfake.TextMessage(groupRegency, adminRegency, "/antrian"))
	q = d.message(calls, groupRegency, "Laporan terbuka di")
	if !strings.Contains(q.Text(), tr1) || strings.Contains(q.Text(), tr2) {
		t.Errorf("regency queue:\n%s", q.Text())
	}
	calls = d.do(tgfake.TextMessage(groupTeam, memberTeam, "/antrian"))
	d.message(calls, groupTeam, "Tidak ada laporan terbuka")
}

// TestTelegramMembershipUnknown: when Telegram cannot say whether someone is a member
// (getChatMember fails), nothing is done and nothing refused: the press is handled
// again later, and then takes effect.
func TestTelegramMembershipUnknown(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, card := d.file(citizenBudi, bodyKK)
	d.clock.Advance(2 * time.Minute) // the admin's membership is no longer believed
	d.fake.FailNext("getChatMember", 500, "Internal Server Error", 0)
	press := d.fake.Push(tgfake.Callback(groupNational, adminNational, card.MessageID, d.button(groupNational, card, `^a:route:\d+:1$`)))
	id := strconv.FormatInt(press.ID, 10)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		d.mu.Lock()
		err := d.failed[id]
		delete(d.failed, id)
		d.mu.Unlock()
		if err != nil {
			if !strings.Contains(err.Error(), "getChatMember") {
				t.Fatalf("the press failed with %v, want the membership check's error", err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the press did not fail while getChatMember did")
		}
	}
	if _, ok := d.fake.Answer(press.CallbackQuery.ID); ok {
		t.Error("the press was answered before its outcome was known")
	}
	d.wantState(tr, flows.Submitted, 1)
	// The inbox lease runs out and the press is handled again.
	d.clock.Advance(2 * time.Minute)
	if _, err := d.m.DB().Pool().Exec(t.Context(), `SELECT pg_notify('aduan_inbox', '')`); err != nil {
		t.Fatal(err)
	}
	d.waitHandled(id)
	calls := d.settle()
	d.message(calls, groupNational, "Pilih unit tujuan")
	if a := d.answer(press); a.Text != "" {
		t.Errorf("the press was answered %+v", a)
	}
}
