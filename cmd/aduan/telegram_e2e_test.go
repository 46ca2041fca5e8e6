package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"aduan/bot/telegram"
	"aduan/bot/telegram/tgfake"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// The end-to-end tests in this file run the whole program (Main) with its real Telegram
// channel against tgfake, a fake Bot API server, and drive it only with updates: the
// citizen and the members of the unit groups press buttons and send messages, and the
// tests check what the bot sent to Telegram and what the database holds.

const tgToken = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"

// Telegram chats of the fixture units' groups (flowstest.Units) and the members who act
// in them; a citizen's private chat has the citizen's user ID.
const (
	groupNational  int64 = -1001
	groupRegency   int64 = -1002
	groupAgency    int64 = -1003
	groupTeam      int64 = -1004
	groupOmbudsman int64 = -1007

	adminNational  int64 = 7001
	adminRegency   int64 = 7002
	adminAgency    int64 = 7003
	memberTeam     int64 = 7004
	liaisonOmbuds  int64 = 7007
	citizenBudi    int64 = 555001
	citizenSiti    int64 = 555002
	citizenBlocked int64 = 555003
)

var trackingNumber = regexp.MustCompile(`ADU-\d{6}-[0-9A-Z]+`)

// tgDesk is the whole program running against a fake Bot API, on a fresh database,
// with a fake clock.
type tgDesk struct {
	t     *testing.T
	fake  *tgfake.Server
	url   string
	clock *flowstest.Clock
	tune  func(*Main)
	m     *Main
	log   *storetest.LogBuffer
	mark  int // calls of the fake already returned by settle

	mu     sync.Mutex
	failed map[string]error // inbound messages whose handling failed, by update ID
}

// newTGDesk starts Main with its Telegram channel pointed at a new fake Bot API server
// that knows the fixture units' groups (supergroups) and their members. tune, when
// set, changes Main before it starts.
func newTGDesk(t *testing.T, start string, tune func(*Main)) *tgDesk {
	t.Helper()
	d := &tgDesk{t: t, url: newDeskDB(t), clock: flowstest.NewClock(flowstest.At(t, start)), tune: tune,
		log: &storetest.LogBuffer{}, failed: map[string]error{}}
	d.fake = newUnitsFake(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("desk log:\n%s", d.log)
		}
	})
	d.start()
	return d
}

// newUnitsFake returns a new fake Bot API server, closed when the test ends, that
// knows the fixture units' groups (supergroups) with their admins as members.
func newUnitsFake(t *testing.T) *tgfake.Server {
	fake := tgfake.New(tgToken)
	t.Cleanup(fake.Close)
	for group, member := range map[int64]int64{groupNational: adminNational, groupRegency: adminRegency,
		groupAgency: adminAgency, groupTeam: memberTeam, groupOmbudsman: liaisonOmbuds} {
		fake.SetMember(group, member, "administrator")
	}
	return fake
}

// testLimits paces the bot loosely: Telegram's own limits (telegram.DefaultLimits) hold
// a group to 20 messages a minute of real time, and a test sends that many in a second.
var testLimits = telegram.Limits{
	Global:   telegram.Rate{Every: time.Millisecond, Burst: 1000},
	PerChat:  telegram.Rate{Every: time.Millisecond, Burst: 1000},
	PerGroup: telegram.Rate{Every: time.Millisecond, Burst: 1000},
}

// start runs a new Main on the desk's database and fake server.
func (d *tgDesk) start() {
	d.t.Helper()
	cfg := config.Defaults()
	cfg.DatabaseURL = d.url
	cfg.Listen = "127.0.0.1:0"
	cfg.SweepEvery = time.Hour // the tests sweep themselves, at the fake clock's times
	// No category asks for the NIK but in the tests that turn it on (withNIK): the
	// others' intakes go from the phone to the e-mail.
	cfg.Intake.NIKCategories = nil
	cfg.Telegram.Token = tgToken
	cfg.Telegram.APIURL = d.fake.URL()
	m := &Main{Config: cfg, Clock: d.clock, Log: slog.New(slog.NewTextHandler(d.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Observe: d.observe, TelegramLimits: testLimits}
	if d.tune != nil {
		d.tune(m)
	}
	if err := m.Run(d.t.Context()); err != nil {
		m.Close()
		d.t.Fatalf("Main.Run: %v", err)
	}
	d.m = m
	d.t.Cleanup(d.stop)
}

// stop closes Main; the database and the fake server stay.
func (d *tgDesk) stop() {
	if d.m == nil {
		return
	}
	if err := d.m.Close(); err != nil {
		d.t.Errorf("Main.Close: %v", err)
	}
	d.m = nil
}

func (d *tgDesk) observe(raw flows.RawInbound, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.failed[raw.ID] = err
	}
}

// do lets a minute pass (people take their time), pushes the updates, waits until
// the desk has handled them and delivered everything they caused, and returns the
// calls the bot made meanwhile.
func (d *tgDesk) do(upds ...models.Update) []tgfake.Call {
	d.t.Helper()
	d.clock.Advance(time.Minute)
	var ids []string
	for _, u := range upds {
		ids = append(ids, strconv.FormatInt(d.fake.Push(u).ID, 10))
	}
	d.waitHandled(ids...)
	return d.settle()
}

// waitHandled waits until the Telegram updates with the given IDs are handled
// (waitInbox).
func (d *tgDesk) waitHandled(ids ...string) {
	d.t.Helper()
	d.waitInbox(store.Telegram, false, ids...)
}

// waitInbox waits until the inbound messages of a channel with the given IDs are
// handled, failing the test when the handling of one failed or it was given up (when
// failing, until each is given up, failing the test when one is not); a message
// waiting for a retry keeps its last error and is waited for.
func (d *tgDesk) waitInbox(channel string, failing bool, ids ...string) {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d.mu.Lock()
		for _, id := range ids {
			if err := d.failed[id]; err != nil && !failing {
				d.mu.Unlock()
				d.t.Fatalf("message %s failed: %v", id, err)
			}
		}
		d.mu.Unlock()
		var n int
		var errs string
		err := d.m.DB().Pool().QueryRow(d.t.Context(), `SELECT count(*) FILTER (WHERE handled_at IS NOT NULL),
	coalesce(string_agg(nullif(last_error, ''), '; ') FILTER (WHERE handled_at IS NOT NULL), '') FROM inbox WHERE channel = $1 AND message_id = ANY($2)`,
			channel, ids).Scan(&n, &errs)
		if err != nil {
			d.t.Fatal(err)
		}
		if errs != "" && !failing {
			d.t.Fatalf("messages %v given up: %s", ids, errs)
		}
		if n == len(ids) {
			if failing && strings.Count(errs, ";")+1 != len(ids) {
				d.t.Fatalf("messages %v handled, not all given up: %q", ids, errs)
			}
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("messages %v: %d of %d handled after 10s (updates pending in the fake Bot API: %d)", ids, n, len(ids), d.fake.Pending())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settle waits until the outbox is empty (delivered or failed) and returns the calls the
// bot made since the last settle, getUpdates aside. Messages put off until later (a
// 429's retry_after) are waited for as the sender's own polling would, but without
// sleeping: when nothing is in flight, the clock moves to the first of those times and
// the sender is woken.
func (d *tgDesk) settle() []tgfake.Call {
	d.t.Helper()
	kicked := time.Now()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var pending, busy int
		var next *time.Time
		err := d.m.DB().Pool().QueryRow(d.t.Context(), `SELECT count(*), count(*) FILTER (WHERE locked_until > $1),
	min(next_attempt_at) FILTER (WHERE next_attempt_at > $1) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL`, d.clock.Now()).Scan(&pending, &busy, &next)
		if err != nil {
			d.t.Fatal(err)
		}
		if pending == 0 {
			return d.calls()
		}
		if now := time.Now(); now.Sub(kicked) > 20*time.Millisecond {
			if busy == 0 && next != nil && next.After(d.clock.Now()) {
				d.clock.Set(*next)
			}
			d.kick()
			kicked = now
		}
		if time.Now().After(deadline) {
			var why string
			_ = d.m.DB().Pool().QueryRow(d.t.Context(), `SELECT string_agg(chat || ' ' || (payload->>'msg') || ' due ' ||
	next_attempt_at::text || ': ' || last_error, '; ') FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL`).Scan(&why)
			d.t.Fatalf("%d messages undelivered after 10s (now %s): %s", pending, d.clock.Now(), why)
		}
	}
}

// calls returns the calls the bot made since the last look, getUpdates aside.
func (d *tgDesk) calls() []tgfake.Call {
	all := d.fake.Calls()
	fresh := all[d.mark:]
	d.mark = len(all)
	return slices.DeleteFunc(slices.Clone(fresh), func(c tgfake.Call) bool { return c.Method == "getUpdates" })
}

// sweepAt moves the clock to at, runs the scheduled checks and returns the calls they
// caused.
func (d *tgDesk) sweepAt(at time.Time) []tgfake.Call {
	d.t.Helper()
	if at.Before(d.clock.Now()) {
		d.t.Fatalf("the clock cannot go back from %s to %s", d.clock.Now(), at)
	}
	d.clock.Set(at)
	if _, err := d.m.Sweep(d.t.Context()); err != nil {
		d.t.Fatalf("sweep: %v", err)
	}
	return d.settle()
}

// kick wakes the sender as a newly queued message would (it also polls every few
// seconds): for messages that became due because the clock moved.
func (d *tgDesk) kick() {
	d.t.Helper()
	if _, err := d.m.DB().Pool().Exec(d.t.Context(), `SELECT pg_notify('aduan_outbox', '')`); err != nil {
		d.t.Fatal(err)
	}
}

// sent returns the messages the bot delivered to chat among calls.
func sent(calls []tgfake.Call, chat int64) []tgfake.Call {
	var out []tgfake.Call
	for _, c := range calls {
		if c.Method == "sendMessage" && c.ErrorCode == 0 && c.ChatID() == chat {
			out = append(out, c)
		}
	}
	return out
}

// message returns the one message delivered to chat among calls whose text contains
// want.
func (d *tgDesk) message(calls []tgfake.Call, chat int64, want string) tgfake.Call {
	d.t.Helper()
	var found []tgfake.Call
	for _, c := range sent(calls, chat) {
		if strings.Contains(c.Text(), want) {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		d.t.Fatalf("%d messages to %d contain %q, want 1; it received:\n%s%s", len(found), chat, want, texts(sent(calls, chat)), d.outboxOf(chat))
	}
	return found[0]
}

// noMessage checks that no message to chat among calls contains text.
func (d *tgDesk) noMessage(calls []tgfake.Call, chat int64, text string) {
	d.t.Helper()
	for _, c := range sent(calls, chat) {
		if strings.Contains(c.Text(), text) {
			d.t.Errorf("%d received %q", chat, c.Text())
		}
	}
}

// outboxOf describes what the outbox holds for chat, and the inbox, for failures.
func (d *tgDesk) outboxOf(chat int64) string {
	var b strings.Builder
	rows, err := d.m.DB().Pool().Query(d.t.Context(), `SELECT id, payload->>'msg', attempts, receipt, delivered_at IS NOT NULL, last_error
FROM outbox WHERE chat = $1 ORDER BY id`, strconv.FormatInt(chat, 10))
	if err != nil {
		return err.Error()
	}
	for rows.Next() {
		var id int64
		var msg, receipt, lastErr string
		var attempts int
		var delivered bool
		_ = rows.Scan(&id, &msg, &attempts, &receipt, &delivered, &lastErr)
		fmt.Fprintf(&b, "  outbox %d %s attempts %d receipt %q delivered %v %s\n", id, msg, attempts, receipt, delivered, lastErr)
	}
	rows.Close()
	rows, err = d.m.DB().Pool().Query(d.t.Context(), `SELECT message_id, attempts, handled_at IS NOT NULL FROM inbox WHERE chat = $1 ORDER BY id`,
		strconv.FormatInt(chat, 10))
	if err != nil {
		return err.Error()
	}
	for rows.Next() {
		var id string
		var attempts int
		var handled bool
		_ = rows.Scan(&id, &attempts, &handled)
		fmt.Fprintf(&b, "  inbox %s attempts %d handled %v\n", id, attempts, handled)
	}
	rows.Close()
	return b.String()
}

func texts(calls []tgfake.Call) string {
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "  [%d] %q %v\n", c.MessageID, c.Text(), buttonData(c.Keyboard()))
	}
	return b.String()
}

func buttonData(kb [][]models.InlineKeyboardButton) []string {
	var out []string
	for _, row := range kb {
		for _, b := range row {
			out = append(out, b.CallbackData)
		}
	}
	return out
}

// buttons returns the data of the buttons a message in chat shows now, after edits.
func (d *tgDesk) buttons(chat int64, msg tgfake.Call) []string {
	d.t.Helper()
	m, ok := d.fake.Message(chat, msg.MessageID)
	if !ok {
		d.t.Fatalf("no message %d in %d", msg.MessageID, chat)
	}
	if m.ReplyMarkup == nil {
		return nil
	}
	return buttonData(m.ReplyMarkup.InlineKeyboard)
}

// button returns the data of the button of msg (as it is now) that matches pattern.
func (d *tgDesk) button(chat int64, msg tgfake.Call, pattern string) string {
	d.t.Helper()
	re := regexp.MustCompile(pattern)
	all := d.buttons(chat, msg)
	for _, b := range all {
		if re.MatchString(b) {
			return b
		}
	}
	d.t.Fatalf("message %d in %d (%q) has no button matching %s: %v", msg.MessageID, chat, msg.Text(), pattern, all)
	return ""
}

// spent checks that a card offers nothing any more but recording the national
// LAPOR! ID (which regency and agency admins may do while the complaint is open) and
// the buttons that show more of it.
func (d *tgDesk) spent(chat int64, card tgfake.Call) {
	d.t.Helper()
	for _, b := range d.buttons(chat, card) {
		if !strings.HasPrefix(b, "a:lapor_id:") && !strings.HasPrefix(b, "v:") {
			d.t.Errorf("the card in %d still offers %q", chat, b)
		}
	}
}

// press presses the button with data on msg in chat as user, after checking the
// message offers it now.
func (d *tgDesk) press(chat, user int64, msg tgfake.Call, data string) []tgfake.Call {
	d.t.Helper()
	if all := d.buttons(chat, msg); !slices.Contains(all, data) {
		d.t.Fatalf("message %d in %d (%q) offers no button %q: %v", msg.MessageID, chat, msg.Text(), data, all)
	}
	upd := tgfake.Callback(chat, user, msg.MessageID, data)
	calls := d.do(upd)
	if !slices.ContainsFunc(calls, func(c tgfake.Call) bool {
		return c.Method == "answerCallbackQuery" && c.Fields["callback_query_id"] == upd.CallbackQuery.ID
	}) {
		d.t.Errorf("the press of %q was not answered (the button keeps spinning)", data)
	}
	return calls
}

// choose presses the card's button for event, then the unit target among those
// offered; it returns the calls of the second press.
func (d *tgDesk) choose(chat, user int64, card tgfake.Call, event flows.EventKind, target string) []tgfake.Call {
	d.t.Helper()
	calls := d.press(chat, user, card, d.button(chat, card, `^a:`+string(event)+`:\d+:\d+$`))
	offer := d.message(calls, chat, "Pilih unit tujuan")
	return d.press(chat, user, offer, d.button(chat, offer, `^a:`+string(event)+`:\d+:\d+:`+target+`$`))
}

// act presses the card's button for an event that needs text, answers the forced reply
// with text, checks the confirmation shows it and confirms; it returns the calls of the
// confirmation.
func (d *tgDesk) act(chat, user int64, card tgfake.Call, event flows.EventKind, text string) []tgfake.Call {
	d.t.Helper()
	calls := d.press(chat, user, card, d.button(chat, card, `^a:`+string(event)+`:\d+:\d+$`))
	ask := d.message(calls, chat, "Balas pesan ini")
	if !strings.Contains(ask.Fields["reply_markup"], `"force_reply":true`) {
		d.t.Errorf("the request for text is not a forced reply: %s", ask.Fields["reply_markup"])
	}
	calls = d.do(tgfake.ReplyMessage(chat, user, ask.MessageID, text))
	confirm := d.message(calls, chat, "Periksa teks berikut")
	if !strings.Contains(confirm.Text(), text) {
		d.t.Errorf("the confirmation does not show the text: %q", confirm.Text())
	}
	d.button(chat, confirm, `^p:\d+:no$`) // Cancel is offered too
	return d.press(chat, user, confirm, d.button(chat, confirm, `^p:\d+:ok$`))
}

// complaint returns the stored complaint with a tracking number.
func (d *tgDesk) complaint(tracking string) flows.Complaint {
	d.t.Helper()
	var id int64
	if err := d.m.DB().Pool().QueryRow(d.t.Context(), `SELECT id FROM complaint WHERE tracking = $1`, tracking).Scan(&id); err != nil {
		d.t.Fatalf("complaint %s: %v", tracking, err)
	}
	c, err := d.m.DB().Complaint(d.t.Context(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	return c
}

// wantState checks a complaint's state and version.
func (d *tgDesk) wantState(tracking string, state flows.State, version int) flows.Complaint {
	d.t.Helper()
	c := d.complaint(tracking)
	if c.State != state || c.Version != version {
		d.t.Fatalf("%s: state %s version %d, want %s version %d", tracking, c.State, c.Version, state, version)
	}
	return c
}

// auditLine is one audit event as the tests compare it.
type auditLine struct {
	Kind, Actor, Unit, Ref, Name, From, To, UnitAfter, Text string
}

func (d *tgDesk) audit(tracking string) []auditLine {
	d.t.Helper()
	rows, err := d.m.DB().Pool().Query(d.t.Context(), `SELECT a.kind, a.actor_kind, a.actor_unit, a.actor_ref, a.actor_name,
	a.from_state, a.to_state, a.unit_after, a.text FROM audit_event a JOIN complaint c ON c.id = a.complaint_id
WHERE c.tracking = $1 ORDER BY a.id`, tracking)
	if err != nil {
		d.t.Fatal(err)
	}
	defer rows.Close()
	var out []auditLine
	for rows.Next() {
		var l auditLine
		if err := rows.Scan(&l.Kind, &l.Actor, &l.Unit, &l.Ref, &l.Name, &l.From, &l.To, &l.UnitAfter, &l.Text); err != nil {
			d.t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func auditKinds(lines []auditLine) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.Kind)
	}
	return out
}

// toAttachments takes a citizen from /lapor to the request for attachments: consent, a
// complaint (pengaduan) in the privacy mode and category given, body as its
// description, no date and no place. It returns the calls of the last step, the
// request among them.
func (d *tgDesk) toAttachments(citizen int64, privacy flows.Privacy, category, body string) []tgfake.Call {
	d.t.Helper()
	calls := d.do(tgfake.TextMessage(citizen, citizen, "/lapor"))
	msg := d.message(calls, citizen, "Pemberitahuan privasi")
	for _, data := range []string{"i:consent:ok", "i:type:pengaduan", "i:privacy:" + string(privacy), "i:category:" + category} {
		calls = d.press(citizen, citizen, msg, data)
		msg = sent(calls, citizen)[len(sent(calls, citizen))-1]
	}
	d.message(calls, citizen, "Ceritakan apa yang terjadi")
	calls = d.do(tgfake.TextMessage(citizen, citizen, body))
	msg = d.message(calls, citizen, "Kapan kejadiannya")
	calls = d.press(citizen, citizen, msg, "i:when:skip")
	msg = d.message(calls, citizen, "Di mana kejadiannya")
	calls = d.press(citizen, citizen, msg, "i:where:skip")
	d.message(calls, citizen, "Kirim foto atau dokumen")
	return calls
}

// intake takes a citizen from /lapor to the summary: an ordinary complaint about the KK
// with a description, no attachment, no phone (the skip key) and no e-mail. It returns
// the summary message.
func (d *tgDesk) intake(citizen int64, body string) tgfake.Call {
	d.t.Helper()
	calls := d.toAttachments(citizen, flows.Ordinary, "kk", body)
	calls = d.press(citizen, citizen, d.message(calls, citizen, "Kirim foto atau dokumen"), "i:files:done")
	askPhone := d.message(calls, citizen, "Nomor telepon")
	if !strings.Contains(askPhone.Fields["reply_markup"], `{"text":"Lewati"}`) {
		d.t.Fatalf("no skip key under %q: %s", askPhone.Text(), askPhone.Fields["reply_markup"])
	}
	calls = d.do(tgfake.TextMessage(citizen, citizen, "Lewati")) // the key sends its label
	msg := d.message(calls, citizen, "Alamat e-mail")
	calls = d.press(citizen, citizen, msg, "i:email:skip")
	return d.message(calls, citizen, "Periksa kembali aduan Anda")
}

// file takes a citizen through the intake and sends the complaint; it returns the
// tracking number and the card the national group received.
func (d *tgDesk) file(citizen int64, body string) (string, tgfake.Call) {
	d.t.Helper()
	summary := d.intake(citizen, body)
	calls := d.press(citizen, citizen, summary, "i:confirm:send")
	filed := d.message(calls, citizen, "aduan Anda sudah kami terima dengan nomor")
	tr := trackingNumber.FindString(filed.Text())
	if tr == "" {
		d.t.Fatalf("no tracking number in %q", filed.Text())
	}
	return tr, d.message(calls, groupNational, "Aduan baru "+tr)
}

// noFailedCalls checks that every message and edit the bot sent was accepted, but
// for edits that changed nothing (a card refreshed after a change it does not show),
// which Telegram refuses with "message is not modified".
func (d *tgDesk) noFailedCalls() {
	d.t.Helper()
	type key struct {
		chat int64
		id   string
	}
	shown := map[key]string{} // text and keyboard of each message, as the bot last set them
	for _, c := range d.fake.Calls("sendMessage", "editMessageText") {
		k := key{c.ChatID(), c.Fields["message_id"]}
		if c.Method == "sendMessage" {
			k.id = strconv.Itoa(c.MessageID)
		}
		content := c.Fields["text"] + "\x00" + c.Fields["reply_markup"]
		switch {
		case c.ErrorCode == 0:
			shown[k] = content
		case c.Method == "editMessageText" && c.ErrorCode == http.StatusBadRequest && shown[k] == content:
		default:
			d.t.Errorf("%s to %d failed with %d: %q", c.Method, c.ChatID(), c.ErrorCode, c.Text())
		}
	}
}

const (
	bodyKK     = "Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai."
	bodyAkta   = "Akta kelahiran anak saya belum terbit padahal berkas sudah lengkap sejak bulan lalu."
	bodyJalan  = "Jalan di depan rumah saya rusak parah dan berlubang sejak lama sekali, mohon diperbaiki."
	bodyAntrea = "Antrean di loket kantor Disdukcapil sangat panjang dan petugasnya sering tidak ada di tempat."
)

// TestTelegramComplaintJourney files a complaint through the whole Telegram
// conversation and takes it through every step of the SOP with the groups' buttons:
// routed, distributed, tasked, taken, findings, answered, replied to, answered again,
// closed after ten days of silence and rated.
func TestTelegramComplaintJourney(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 08:55", nil)
	cit := citizenBudi

	// Start learns the bot's name and makes sure no webhook is set (long polling).
	if calls, err := d.fake.WaitCalls(t.Context(), 1, "deleteWebhook"); err != nil || len(d.fake.Calls("getMe")) == 0 {
		t.Fatalf("Telegram not started: %v %v", calls, err)
	}

	// The citizen opens the bot: the menu.
	calls := d.do(tgfake.TextMessage(cit, cit, "/start"))
	menu := d.message(calls, cit, "Selamat datang")
	if got := d.buttons(cit, menu); !slices.Contains(got, "m:new") || !slices.Contains(got, "m:status") {
		t.Errorf("menu buttons %v", got)
	}

	// 1. The citizen files a complaint, step by step.
	calls = d.press(cit, cit, menu, "m:new")
	notice := d.message(calls, cit, "Pemberitahuan privasi")
	calls = d.press(cit, cit, notice, "i:consent:ok")
	msg := d.message(calls, cit, "Apa jenis laporan Anda?")
	calls = d.press(cit, cit, msg, "i:type:pengaduan")
	msg = d.message(calls, cit, "Siapa yang boleh melihat identitas Anda?")
	calls = d.press(cit, cit, msg, "i:privacy:biasa")
	msg = d.message(calls, cit, "Layanan apa yang Anda adukan?")
	calls = d.press(cit, cit, msg, "i:category:kk")
	d.message(calls, cit, "Ceritakan apa yang terjadi")
	calls = d.do(tgfake.TextMessage(cit, cit, bodyKK))
	msg = d.message(calls, cit, "Kapan kejadiannya?")
	calls = d.do(tgfake.TextMessage(cit, cit, "Senin, 23 November 2026"))
	msg = d.message(calls, cit, "Di mana kejadiannya?")
	calls = d.press(cit, cit, msg, "i:where:skip")
	d.message(calls, cit, "Kirim foto atau dokumen")
	photo := []byte("\xff\xd8\xff\xe0 a photo of the receipt \xff\xd9")
	d.fake.AddFile("photo-kk-1", "photos/file_1.jpg", photo)
	calls = d.do(tgfake.PhotoMessage(cit, cit, "photo-kk-1", int64(len(photo)), ""))
	if len(d.fake.Calls("getFile")) != 1 {
		t.Errorf("getFile called %d times, want 1", len(d.fake.Calls("getFile")))
	}
	msg = d.message(calls, cit, "Lampiran diterima (1 dari 5)")
	calls = d.press(cit, cit, msg, "i:files:done")
	askPhone := d.message(calls, cit, "Nomor telepon")
	if rm := askPhone.Fields["reply_markup"]; !strings.Contains(rm, `"request_contact":true`) || !strings.Contains(rm, "Lewati") {
		t.Errorf("the phone is asked for without a share-contact button and a skip key: %s", rm)
	}
	calls = d.do(tgfake.ContactMessage(cit, cit, "+62 812-3456-7890"))
	msg = d.message(calls, cit, "Alamat e-mail")
	calls = d.press(cit, cit, msg, "i:email:skip")
	summary := d.message(calls, cit, "Periksa kembali aduan Anda")
	wantText(t, "summary", summary.Text(), "Jenis: Pengaduan", "Kerahasiaan: Biasa", "Kategori: Kartu Keluarga (KK)",
		"Waktu kejadian: Senin, 23 November 2026", "Lokasi: –", "Lampiran: 1 berkas", "Nama: Tester", "Telepon: +6281234567890", bodyKK)

	calls = d.press(cit, cit, summary, "i:confirm:send")
	filed := d.message(calls, cit, "aduan Anda sudah kami terima dengan nomor")
	tr := trackingNumber.FindString(filed.Text())
	if !strings.HasPrefix(tr, "ADU-261130-") {
		t.Fatalf("tracking number %q in %q", tr, filed.Text())
	}
	c := d.wantState(tr, flows.Submitted, 1)
	if c.Contact.Phone != "6281234567890" || c.Contact.Name != "Tester" || c.EventDate != "Senin, 23 November 2026" ||
		c.Category != "kk" || c.Body != bodyKK || len(c.Attachment) != 1 {
		t.Errorf("filed %+v", c)
	}
	// The photo was downloaded and kept in the database.
	var kept []byte
	var sum []byte
	err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT data, sha256 FROM attachment_file WHERE 'file:' || id = $1`, c.Attachment[0].Ref).Scan(&kept, &sum)
	if want := sha256.Sum256(photo); err != nil || !bytes.Equal(kept, photo) || !bytes.Equal(sum, want[:]) {
		t.Errorf("attachment %q kept as %q (%v)", c.Attachment[0].Ref, kept, err)
	}

	// The national group gets the card, with the buttons of what it may do.
	card := d.message(calls, groupNational, "Aduan baru "+tr)
	wantText(t, "national card", card.Text(), "Menunggu Verifikasi", bodyKK, "Lampiran: 1 berkas", "Pelapor: Tester")
	if got, want := d.buttons(groupNational, card), []string{fmt.Sprintf("a:route:%d:1", c.ID), fmt.Sprintf("a:archive:%d:1", c.ID), fmt.Sprintf("v:files:%d", c.ID)}; !slices.Equal(got, want) {
		t.Errorf("national card buttons %v, want %v", got, want)
	}

	// 2. The national admin routes it: the group is offered the regencies.
	calls = d.press(groupNational, adminNational, card, fmt.Sprintf("a:route:%d:1", c.ID))
	offer := d.message(calls, groupNational, "Pilih unit tujuan")
	if got, want := d.buttons(groupNational, offer), []string{fmt.Sprintf("a:route:%d:1:kuburaya", c.ID)}; !slices.Equal(got, want) {
		t.Errorf("route targets %v, want %v", got, want)
	}
	d.wantState(tr, flows.Submitted, 1)
	calls = d.press(groupNational, adminNational, offer, fmt.Sprintf("a:route:%d:1:kuburaya", c.ID))
	d.wantState(tr, flows.Routed, 2)
	d.message(calls, groupNational, "Tercatat")
	d.message(calls, cit, "sudah diverifikasi dan sedang disalurkan ke dinas yang berwenang")
	regencyCard := d.message(calls, groupRegency, "Aduan baru "+tr)
	// The national card is edited in place: no buttons any more.
	if !slices.ContainsFunc(calls, func(c tgfake.Call) bool {
		return c.Method == "editMessageText" && c.ErrorCode == 0 && c.ChatID() == groupNational && c.Fields["message_id"] == strconv.Itoa(card.MessageID)
	}) {
		t.Errorf("the national card was not edited:\n%s", texts(calls))
	}
	if got := d.buttons(groupNational, card); len(got) != 0 {
		t.Errorf("the national card still has buttons %v", got)
	}
	if m, _ := d.fake.Message(groupNational, card.MessageID); !strings.Contains(m.Text, "Terverifikasi") {
		t.Errorf("the national card shows %q", m.Text)
	}

	// 3. The regency distributes it to Dukcapil.
	calls = d.choose(groupRegency, adminRegency, regencyCard, flows.EvDistribute, flowstest.Agency)
	d.wantState(tr, flows.Distributed, 3)
	d.message(calls, cit, "sudah diteruskan ke Dinas Dukcapil Kubu Raya")
	agencyCard := d.message(calls, groupAgency, "Aduan baru "+tr)
	d.spent(groupRegency, regencyCard)

	// 4. The agency tasks its technical team, which takes the task and reports.
	calls = d.choose(groupAgency, adminAgency, agencyCard, flows.EvTask, flowstest.Team)
	d.wantState(tr, flows.InProgress, 4)
	teamCard := d.message(calls, groupTeam, "ditugaskan ke tim ini")
	d.noMessage(calls, cit, tr) // the citizen hears of the team's work through the answer
	calls = d.press(groupTeam, memberTeam, teamCard, d.button(groupTeam, teamCard, `^a:take:`))
	d.wantState(tr, flows.InProgress, 5)
	d.message(calls, groupAgency, "diambil oleh Tester")
	findings := "Berkas KK tertahan menunggu tanda tangan camat."
	calls = d.act(groupTeam, memberTeam, teamCard, flows.EvFindings, findings)
	d.wantState(tr, flows.InProgress, 6)
	got := d.message(calls, groupAgency, "Hasil pemeriksaan aduan "+tr)
	wantText(t, "findings", got.Text(), findings, "Tester")
	d.noMessage(calls, cit, findings)

	// 5. The agency answers: the citizen may say they are satisfied or reply.
	answer := "KK Bapak sudah dapat diambil di kantor kecamatan."
	calls = d.act(groupAgency, adminAgency, agencyCard, flows.EvAnswer, answer)
	d.wantState(tr, flows.Answered, 7)
	answered := d.message(calls, cit, "sudah dijawab oleh Dinas Dukcapil Kubu Raya")
	wantText(t, "answer", answered.Text(), answer)
	if got, want := d.buttons(cit, answered), []string{"c:sat:" + tr, "c:rep:" + tr}; !slices.Equal(got, want) {
		t.Errorf("answer buttons %v, want %v", got, want)
	}

	// 6. The citizen replies: back to the agency and its team.
	calls = d.press(cit, cit, answered, "c:rep:"+tr)
	d.message(calls, cit, "Tulis tanggapan Anda untuk aduan "+tr)
	reply := "Belum ada di kecamatan, petugas bilang belum dikirim."
	calls = d.do(tgfake.TextMessage(cit, cit, reply))
	d.wantState(tr, flows.InProgress, 8)
	d.message(calls, cit, "Tanggapan Anda untuk aduan "+tr+" sudah kami terima")
	wantText(t, "reply to the agency", d.message(calls, groupAgency, "Pelapor menanggapi jawaban aduan "+tr).Text(), reply)
	d.message(calls, groupTeam, "Pelapor menanggapi jawaban aduan "+tr)

	// The agency answers again.
	answer2 := "Mohon maaf, KK sudah kami antar ke rumah Bapak."
	calls = d.act(groupAgency, adminAgency, agencyCard, flows.EvAnswer, answer2)
	c = d.wantState(tr, flows.Answered, 9)
	wantText(t, "second answer", d.message(calls, cit, "sudah dijawab").Text(), answer2)

	// 7. Ten days of silence: the sweep closes it and the citizen is asked for a rating.
	calls = d.sweepAt(c.Updated.Add(10*24*time.Hour + time.Minute))
	d.wantState(tr, flows.Closed, 10)
	closed := d.message(calls, cit, "kami tutup karena tidak ada tanggapan")
	if got := d.buttons(cit, closed); len(got) != 5 || got[4] != "c:rate:"+tr+":5" {
		t.Errorf("rating buttons %v", got)
	}
	d.message(calls, groupAgency, "Aduan "+tr+" selesai")
	calls = d.press(cit, cit, closed, "c:rate:"+tr+":5")
	c = d.wantState(tr, flows.Closed, 11)
	if c.Rating != 5 {
		t.Errorf("rating %d", c.Rating)
	}
	d.message(calls, cit, "Terima kasih atas penilaian 5 dari 5")
	d.message(calls, groupAgency, "Pelapor menilai penanganan aduan "+tr+": 5 dari 5")

	// The audit trail holds every step, with who did it.
	trail := d.audit(tr)
	wantKinds := []string{"file", "route", "distribute", "task", "take", "findings", "answer", "reply", "answer", "auto_close", "rate"}
	if got := auditKinds(trail); !slices.Equal(got, wantKinds) {
		t.Fatalf("audit trail %v, want %v", got, wantKinds)
	}
	// People are named by pseudonym: the citizen's conversation, each admin's user ID.
	ref := func(kind flows.ActorKind, id string) string {
		r, err := d.m.DB().ActorRef(t.Context(), flows.Actor{Kind: kind, Ref: id}, store.Telegram)
		if err != nil || r == "" || strings.Contains(r, id) {
			t.Fatalf("pseudonym of %s %s: %q (%v)", kind, id, r, err)
		}
		return r
	}
	citizenRef := ref(flows.ByComplainant, strconv.FormatInt(cit, 10))
	national, regency, agency, team := ref(flows.ByUnit, "7001"), ref(flows.ByUnit, "7002"), ref(flows.ByUnit, "7003"), ref(flows.ByUnit, "7004")
	wantTrail := []auditLine{
		{"file", "complainant", "", citizenRef, "", "", "submitted", "nasional", ""},
		{"route", "unit", "nasional", national, "Tester", "submitted", "routed", "kuburaya", ""},
		{"distribute", "unit", "kuburaya", regency, "Tester", "routed", "distributed", "dukcapil", ""},
		{"task", "unit", "dukcapil", agency, "Tester", "distributed", "in_progress", "dukcapil", ""},
		{"take", "unit", "tim-kk", team, "Tester", "in_progress", "in_progress", "dukcapil", ""},
		{"findings", "unit", "tim-kk", team, "Tester", "in_progress", "in_progress", "dukcapil", findings},
		{"answer", "unit", "dukcapil", agency, "Tester", "in_progress", "answered", "dukcapil", answer},
		{"reply", "complainant", "", citizenRef, "", "answered", "in_progress", "dukcapil", reply},
		{"answer", "unit", "dukcapil", agency, "Tester", "in_progress", "answered", "dukcapil", answer2},
		{"auto_close", "system", "", "", "system", "answered", "closed", "dukcapil", ""},
		{"rate", "complainant", "", citizenRef, "", "closed", "closed", "dukcapil", "5"},
	}
	for i, want := range wantTrail {
		if trail[i] != want {
			t.Errorf("audit %d: %+v, want %+v", i, trail[i], want)
		}
	}

	// Every update was handled once, and nothing is left to send.
	var unhandled int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM inbox WHERE handled_at IS NULL`).Scan(&unhandled); err != nil || unhandled != 0 {
		t.Errorf("%d updates unhandled (%v)", unhandled, err)
	}
	d.noFailedCalls()
}

// TestTelegramOmbudsman hands a complaint nobody follows up to the Ombudsman after 60
// days; the liaison records the Ombudsman's outcome in its group, which closes it.
func TestTelegramOmbudsman(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, _ := d.file(citizenSiti, bodyAkta)
	c := d.wantState(tr, flows.Submitted, 1)

	calls := d.sweepAt(c.FiledAt.Add(60 * 24 * time.Hour))
	d.wantState(tr, flows.AtOmbudsman, 2)
	d.message(calls, citizenSiti, "kami limpahkan ke Ombudsman")
	handover := d.message(calls, groupOmbudsman, "Aduan "+tr+" dilimpahkan ke Ombudsman")
	if !slices.ContainsFunc(d.buttons(groupOmbudsman, handover), func(b string) bool { return strings.HasPrefix(b, "a:outcome:") }) {
		// flows: EvHandover's unit.handover notice to the Ombudsman liaison is not a card,
		// so its group never gets a button to record the outcome (SOP step 8).
		t.Fatalf("the hand-over to the Ombudsman comes without the complaint's card, so the liaison cannot record the outcome:\n%s",
			handover.Text())
	}
	wantText(t, "hand-over", handover.Text(), "Admin Nasional SP4N LAPOR!", bodyAkta)
	d.message(calls, groupNational, "Aduan "+tr+" dilimpahkan ke Ombudsman karena")

	outcome := "Ombudsman menyatakan akta sudah diterbitkan dan diterima pelapor."
	calls = d.act(groupOmbudsman, liaisonOmbuds, handover, flows.EvOutcome, outcome)
	d.wantState(tr, flows.Closed, 3)
	closed := d.message(calls, citizenSiti, "Ombudsman sudah menyelesaikan aduan "+tr)
	wantText(t, "outcome", closed.Text(), outcome)
	if got := d.buttons(citizenSiti, closed); len(got) != 5 {
		t.Errorf("rating buttons %v", got)
	}
	d.message(calls, groupNational, "Aduan "+tr+" selesai: hasil Ombudsman sudah dicatat")
	if got, want := auditKinds(d.audit(tr)), []string{"file", "handover", "outcome"}; !slices.Equal(got, want) {
		t.Errorf("audit trail %v, want %v", got, want)
	}
	d.noFailedCalls()
}

// TestTelegramSendBackAndArchive has the regency send a complaint back up with a reason,
// and the national admin archive it with one.
func TestTelegramSendBackAndArchive(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, card := d.file(citizenBudi, bodyJalan)
	calls := d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	regencyCard := d.message(calls, groupRegency, "Aduan baru "+tr)

	reason := "Jalan bukan kewenangan Dukcapil; mohon diteruskan ke Dinas PU."
	calls = d.act(groupRegency, adminRegency, regencyCard, flows.EvSendBack, reason)
	d.wantState(tr, flows.Submitted, 3)
	returned := d.message(calls, groupNational, "Aduan "+tr+" dikembalikan oleh Admin Kabupaten Kubu Raya")
	wantText(t, "returned", returned.Text(), reason, "Menunggu Verifikasi")
	d.spent(groupRegency, regencyCard)
	d.noMessage(calls, citizenBudi, tr)

	// The national admin begins to archive it, then thinks better of it: Cancel.
	calls = d.press(groupNational, adminNational, returned, d.button(groupNational, returned, `^a:archive:\d+:3$`))
	ask := d.message(calls, groupNational, "Balas pesan ini dengan alasannya")
	calls = d.do(tgfake.ReplyMessage(groupNational, adminNational, ask.MessageID, "Salah kirim."))
	confirm := d.message(calls, groupNational, "Salah kirim.")
	calls, ans := d.tap(tgfake.Callback(groupNational, adminNational, confirm.MessageID, d.button(groupNational, confirm, `^p:\d+:no$`)))
	wantText(t, "cancelled", ans.Text, "Dibatalkan")
	d.noMessage(calls, groupNational, "Dibatalkan")
	d.wantState(tr, flows.Submitted, 3)
	// A second press of the used confirmation does nothing but say so, to the presser.
	calls, ans = d.tap(tgfake.Callback(groupNational, adminNational, confirm.MessageID, d.button(groupNational, confirm, `^p:\d+:ok$`)))
	wantText(t, "used confirmation", ans.Text, "Tombol ini berasal dari kartu lama")
	if got := sent(calls, groupNational); len(got) != 0 {
		t.Errorf("a used confirmation posted to the group:\n%s", texts(got))
	}
	d.wantState(tr, flows.Submitted, 3)

	archive := "Bukan kewenangan pemerintah kabupaten di layanan ini; silakan lapor ke Dinas PU Provinsi."
	calls = d.act(groupNational, adminNational, returned, flows.EvArchive, archive)
	d.wantState(tr, flows.Archived, 4)
	wantText(t, "archived", d.message(calls, citizenBudi, "aduan "+tr+" tidak dapat kami proses").Text(), archive)
	wantText(t, "archived in the group", d.message(calls, groupNational, "Aduan "+tr+" diarsipkan oleh Tester").Text(), archive)
	if got := d.buttons(groupNational, returned); len(got) != 0 {
		t.Errorf("the national card still has buttons %v", got)
	}
	trail := d.audit(tr)
	if got, want := auditKinds(trail), []string{"file", "route", "send_back", "archive"}; !slices.Equal(got, want) {
		t.Fatalf("audit trail %v, want %v", got, want)
	}
	if trail[2].Text != reason || trail[2].Unit != "kuburaya" || trail[2].UnitAfter != "nasional" || trail[3].Text != archive {
		t.Errorf("audit trail %+v", trail)
	}
	d.noFailedCalls()
}

// TestTelegramDoubleAndForgedPresses presses a button twice and presses buttons that no
// card offers: one transition, and a clear refusal for everything else, as the answer
// to the press (nothing posted to any group).
func TestTelegramDoubleAndForgedPresses(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, card := d.file(citizenBudi, bodyKK)
	c := d.complaint(tr)
	calls := d.press(groupNational, adminNational, card, fmt.Sprintf("a:route:%d:1", c.ID))
	offer := d.message(calls, groupNational, "Pilih unit tujuan")

	// A double click: the same button twice before the first is handled.
	data := fmt.Sprintf("a:route:%d:1:kuburaya", c.ID)
	first, second := tgfake.Callback(groupNational, adminNational, offer.MessageID, data),
		tgfake.Callback(groupNational, adminNational, offer.MessageID, data)
	calls = d.do(first, second)
	d.wantState(tr, flows.Routed, 2)
	d.message(calls, groupNational, "Tercatat")
	d.noMessage(calls, groupNational, "baru saja diubah oleh orang lain")
	d.message(calls, groupRegency, "Aduan baru "+tr)
	d.message(calls, citizenBudi, "sudah diverifikasi")
	if a := d.answer(first); a.Text != "" {
		t.Errorf("the first press was answered %+v, want a bare acknowledgement", a)
	}
	// The second press is the same person's: they are not told someone else did it.
	if a := d.answer(second); !a.Alert || !strings.Contains(a.Text, "Anda sendiri baru saja mengubah") || strings.Contains(a.Text, "orang lain") {
		t.Errorf("the second press was answered %+v, want an alert that they changed it themselves", a)
	}

	before := len(d.audit(tr))
	for _, f := range []struct {
		name  string
		group int64
		user  int64
		data  string
		want  string
	}{
		{"tampered target", groupNational, adminNational, fmt.Sprintf("a:route:%d:2:KubuRaya!", c.ID), "Tombol ini berasal dari kartu lama"},
		{"tampered event", groupRegency, adminRegency, fmt.Sprintf("a:close:%d:2", c.ID), "Tombol ini berasal dari kartu lama"},
		{"garbage", groupRegency, adminRegency, "x:1:2:3", "Tombol ini berasal dari kartu lama"},
		{"no such complaint", groupRegency, adminRegency, "a:distribute:999999:2:dukcapil", "Tombol ini berasal dari kartu lama"},
		{"no such pending text", groupRegency, adminRegency, "p:999999:ok", "Tombol ini berasal dari kartu lama"},
		{"another unit's button", groupAgency, adminAgency, fmt.Sprintf("a:distribute:%d:2:dukcapil", c.ID), "Tombol ini berasal dari kartu lama"},
		{"the previous holder's button", groupNational, adminNational, fmt.Sprintf("a:archive:%d:2", c.ID), "bukan giliran Anda"},
		{"an old card's button", groupRegency, adminRegency, fmt.Sprintf("a:distribute:%d:1:dukcapil", c.ID), "baru saja diubah oleh orang lain"},
	} {
		calls, ans := d.tap(tgfake.Callback(f.group, f.user, 1, f.data))
		if !ans.Alert || !strings.Contains(ans.Text, f.want) {
			t.Errorf("%s (%s in %d): the press was answered %+v, want an alert with %q", f.name, f.data, f.group, ans, f.want)
		}
		if f.group == groupAgency && strings.Contains(ans.Text, tr) {
			t.Errorf("%s: a press in another unit's group learnt the tracking number: %q", f.name, ans.Text)
		}
		for _, c := range calls {
			if c.Method == "sendMessage" {
				t.Errorf("%s: a message to %d: %q", f.name, c.ChatID(), c.Text())
			}
		}
		d.wantState(tr, flows.Routed, 2)
	}
	if after := len(d.audit(tr)); after != before {
		t.Errorf("the forged presses wrote %d audit events", after-before)
	}
	d.noFailedCalls()
}

// TestTelegramRestartMidIntake stops the desk while a citizen is halfway through a
// complaint and starts a new one on the same database: the next answer continues the
// draft.
func TestTelegramRestartMidIntake(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	cit := citizenSiti
	calls := d.do(tgfake.TextMessage(cit, cit, "/lapor"))
	msg := d.message(calls, cit, "Pemberitahuan privasi")
	calls = d.press(cit, cit, msg, "i:consent:ok")
	msg = d.message(calls, cit, "Apa jenis laporan Anda?")
	calls = d.press(cit, cit, msg, "i:type:aspirasi")
	msg = d.message(calls, cit, "Siapa yang boleh melihat identitas Anda?")
	calls = d.press(cit, cit, msg, "i:privacy:rahasia")
	category := d.message(calls, cit, "Layanan apa yang terkait dengan aspirasi Anda?")

	d.stop()
	d.start()

	calls = d.press(cit, cit, category, "i:category:sikap-petugas")
	d.message(calls, cit, "Ceritakan apa yang terjadi")
	calls = d.do(tgfake.TextMessage(cit, cit, bodyAntrea))
	d.message(calls, cit, "Kapan kejadiannya?")
	s, err := d.m.DB().Session(t.Context(), "telegram", strconv.FormatInt(cit, 10))
	if err != nil {
		t.Fatal(err)
	}
	if s.Step != flows.StepWhen || s.Draft.Type != flows.ReportAspiration || s.Draft.Privacy != flows.Confidential ||
		s.Draft.Category != "sikap-petugas" || s.Draft.Body != bodyAntrea {
		t.Errorf("after the restart: step %q, draft %+v", s.Step, s.Draft)
	}
	// Every update was handled exactly once across the restart.
	var stored, handled int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*), count(handled_at) FROM inbox`).Scan(&stored, &handled); err != nil || stored != 6 || handled != 6 {
		t.Errorf("inbox: %d stored, %d handled (%v), want 6", stored, handled, err)
	}
	d.noFailedCalls()
}

// TestTelegramResilience: a 429 delays a message without losing it; a citizen who
// blocked the bot costs one attempt; commands addressed to the bot by name work in a
// private chat; a sticker gets an explanation and the conversation goes on.
func TestTelegramResilience(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	// Wait for Start: the bot's username is needed for /status@AduanBot.
	if _, err := d.fake.WaitCalls(t.Context(), 1, "deleteWebhook"); err != nil {
		t.Fatal(err)
	}

	// 429: the welcome waits for retry_after, then goes out once.
	d.fake.FailNext("sendMessage", http.StatusTooManyRequests, "Too Many Requests: retry after 1", 1)
	d.clock.Advance(time.Minute)
	upd := d.fake.Push(tgfake.TextMessage(citizenBudi, citizenBudi, "/start"))
	d.waitHandled(strconv.FormatInt(upd.ID, 10))
	var next time.Time
	var lastErr string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT next_attempt_at, last_error FROM outbox WHERE chat = $1`,
			strconv.FormatInt(citizenBudi, 10)).Scan(&next, &lastErr)
		if err != nil {
			t.Fatal(err)
		}
		if lastErr != "" || time.Now().After(deadline) {
			break
		}
	}
	if want := d.clock.Now().Add(time.Second); !next.Equal(want) || !strings.Contains(lastErr, "retry after") {
		t.Fatalf("after a 429: next attempt %s (want %s), error %q", next, want, lastErr)
	}
	if got := sent(d.fake.Calls(), citizenBudi); len(got) != 0 {
		t.Fatalf("delivered despite the 429: %s", texts(got))
	}
	d.clock.Advance(2 * time.Second)
	d.kick()
	calls := d.settle()
	d.message(calls, citizenBudi, "Selamat datang")
	tries := 0
	for _, c := range d.fake.Calls("sendMessage") {
		if c.ChatID() == citizenBudi {
			tries++
		}
	}
	if tries != 2 {
		t.Errorf("%d attempts to send the welcome, want 2 (429, then success)", tries)
	}

	// 403: the citizen blocked the bot right after writing: one attempt, marked failed.
	d.fake.BlockUser(citizenBlocked)
	calls = d.do(tgfake.TextMessage(citizenBlocked, citizenBlocked, "/start"))
	if len(calls) == 0 || len(sent(calls, citizenBlocked)) != 0 {
		t.Fatalf("to a blocked chat:\n%s", texts(calls))
	}
	var attempts int
	var failed bool
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT attempts, failed_at IS NOT NULL FROM outbox WHERE chat = $1`,
		strconv.FormatInt(citizenBlocked, 10)).Scan(&attempts, &failed); err != nil || attempts != 1 || !failed {
		t.Errorf("message to a blocked chat: %d attempts, failed %v (%v)", attempts, failed, err)
	}
	// Hours later, other chats' messages go out; the blocked chat is not tried again.
	d.clock.Advance(3 * time.Hour)
	d.kick()
	calls = d.do(tgfake.TextMessage(citizenBudi, citizenBudi, "/status@AduanBot"))
	d.message(calls, citizenBudi, "Anda belum pernah mengirim laporan")
	blockedTries := 0
	for _, c := range d.fake.Calls("sendMessage") {
		if c.ChatID() == citizenBlocked {
			blockedTries++
		}
	}
	if blockedTries != 1 {
		t.Errorf("%d attempts to reach the blocked chat, want 1", blockedTries)
	}
	// Once unblocked, the chat works again.
	d.fake.UnblockUser(citizenBlocked)
	calls = d.do(tgfake.TextMessage(citizenBlocked, citizenBlocked, "/start"))
	d.message(calls, citizenBlocked, "Selamat datang")

	// A command for another bot is not a command here.
	calls = d.do(tgfake.TextMessage(citizenBudi, citizenBudi, "/status@OtherBot"))
	d.message(calls, citizenBudi, "kami belum memahami pesan itu")

	// A sticker in the middle of the description: explained, then the step asked again.
	calls = d.do(tgfake.TextMessage(citizenBudi, citizenBudi, "/lapor"))
	msg := d.message(calls, citizenBudi, "Pemberitahuan privasi")
	for _, data := range []string{"i:consent:ok", "i:type:pengaduan", "i:privacy:anonim", "i:category:ktp-el"} {
		calls = d.press(citizenBudi, citizenBudi, msg, data)
		msg = sent(calls, citizenBudi)[len(sent(calls, citizenBudi))-1]
	}
	d.message(calls, citizenBudi, "Ceritakan apa yang terjadi")
	sticker := models.Update{Message: &models.Message{
		From: &models.User{ID: citizenBudi, FirstName: "Tester", LanguageCode: "id"},
		Chat: models.Chat{ID: citizenBudi, Type: models.ChatTypePrivate, FirstName: "Tester"},
		Sticker: &models.Sticker{FileID: "sticker-1", FileUniqueID: "u-sticker-1", Type: "regular", Width: 512, Height: 512,
			Emoji: "😡"},
	}}
	calls = d.do(sticker)
	d.message(calls, citizenBudi, "stiker")
	d.message(calls, citizenBudi, "Ceritakan apa yang terjadi")
	calls = d.do(tgfake.TextMessage(citizenBudi, citizenBudi, "KTP-el saya belum dicetak sejak tiga bulan lalu, katanya blangko habis terus."))
	d.message(calls, citizenBudi, "Kapan kejadiannya?")
	if len(d.fake.Calls("getFile")) != 0 {
		t.Errorf("the sticker was downloaded")
	}
}

// newWebhookDesk starts a desk in webhook mode on a listener of its own and returns it
// with the webhook's URL and secret.
func newWebhookDesk(t *testing.T) (d *tgDesk, hook, secret string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hook, secret = "http://"+ln.Addr().String()+"/tg/hook", "s3cret-Webhook_token"
	d = newTGDesk(t, "2026-11-30 09:00", func(m *Main) {
		m.Config.Telegram.WebhookURL, m.Config.Telegram.WebhookSecret = hook, secret
		m.Listener = ln
	})
	return d, hook, secret
}

// TestTelegramWebhook runs the desk in webhook mode: a wrong secret is refused and
// nothing is stored; the right one is stored and handled; a redelivery is handled once.
func TestTelegramWebhook(t *testing.T) {
	t.Parallel()
	d, hook, secret := newWebhookDesk(t)
	calls, err := d.fake.WaitCalls(t.Context(), 1, "setWebhook")
	if err != nil {
		t.Fatal(err)
	}
	if f := calls[0].Fields; f["url"] != hook || f["secret_token"] != secret || !strings.Contains(f["allowed_updates"], "callback_query") {
		t.Errorf("setWebhook %v", f)
	}

	inbox := func() int {
		var n int
		if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM inbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	post := func(secret string, upd models.Update) int {
		t.Helper()
		resp, err := d.fake.PostWebhook(hook, secret, upd)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	start := tgfake.TextMessage(citizenBudi, citizenBudi, "/start")
	start.ID, start.Message.ID = 900001, 41
	for _, wrong := range []string{"", "not-the-secret", secret + "x"} {
		if code := post(wrong, start); code != http.StatusUnauthorized {
			t.Errorf("secret %q: HTTP %d, want 401", wrong, code)
		}
	}
	if n := inbox(); n != 0 {
		t.Fatalf("%d updates stored with a wrong secret", n)
	}

	d.clock.Advance(time.Minute)
	if code := post(secret, start); code != http.StatusOK {
		t.Fatalf("HTTP %d, want 200", code)
	}
	d.waitHandled("900001")
	d.message(d.settle(), citizenBudi, "Selamat datang")
	// Telegram delivers it again (as after a timeout): stored once, handled once. The
	// next update is the barrier: a chat's updates are handled in order.
	if code := post(secret, start); code != http.StatusOK {
		t.Fatalf("redelivery: HTTP %d, want 200", code)
	}
	help := tgfake.TextMessage(citizenBudi, citizenBudi, "/bantuan")
	help.ID, help.Message.ID = 900002, 100
	d.clock.Advance(time.Minute)
	if code := post(secret, help); code != http.StatusOK {
		t.Fatalf("HTTP %d, want 200", code)
	}
	d.waitHandled("900002")
	calls = d.settle()
	d.message(calls, citizenBudi, "Cara menggunakan layanan ini")
	if got := sent(calls, citizenBudi); len(got) != 1 {
		t.Errorf("after the redelivery the citizen received\n%s", texts(got))
	}
	if n := inbox(); n != 2 {
		t.Errorf("%d updates stored, want 2", n)
	}
	if n := len(d.fake.Calls("getUpdates")); n != 0 {
		t.Errorf("%d getUpdates calls in webhook mode", n)
	}
	d.noFailedCalls()
}

// TestTelegramForumTopics: in a forum supergroup each complaint gets a topic of its own,
// and everything about it in that group — the card, its refreshes, reminders — goes there.
func TestTelegramForumTopics(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	d.fake.SetForum(groupNational)
	tr, card := d.file(citizenSiti, bodyAkta)
	topics := d.fake.Calls("createForumTopic")
	if len(topics) != 1 || topics[0].ChatID() != groupNational || !strings.Contains(topics[0].Fields["name"], tr) {
		t.Fatalf("createForumTopic calls %+v", topics)
	}
	thread := card.ThreadID()
	if thread == 0 {
		t.Fatalf("the card went to the General topic")
	}
	tr2, card2 := d.file(citizenBudi, bodyKK)
	if card2.ThreadID() == 0 || card2.ThreadID() == thread {
		t.Errorf("second complaint %s in thread %d, the first's is %d", tr2, card2.ThreadID(), thread)
	}
	// The reminder before the routing deadline goes to the complaint's topic.
	c := d.complaint(tr)
	calls := d.sweepAt(c.Due.Add(-2 * time.Hour))
	reminder := d.message(calls, groupNational, "Pengingat: aduan "+tr)
	if reminder.ThreadID() != thread {
		t.Errorf("reminder in thread %d, want %d", reminder.ThreadID(), thread)
	}
	// A regency group that is not a forum gets no topic.
	calls = d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	if regency := d.message(calls, groupRegency, "Aduan baru "+tr); regency.ThreadID() != 0 {
		t.Errorf("regency card in thread %d", regency.ThreadID())
	}
	if n := len(d.fake.Calls("createForumTopic")); n != 2 {
		t.Errorf("%d topics created, want 2", n)
	}
}
