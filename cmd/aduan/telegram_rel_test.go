package main

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
)

// inboxRow is what the inbox says of one update.
type inboxRow struct {
	handled bool
	lastErr string
	leased  time.Time // locked_until, zero when free
}

func (d *tgDesk) inboxRow(id int64) (inboxRow, bool) {
	d.t.Helper()
	var r inboxRow
	var leased *time.Time
	err := d.m.DB().Pool().QueryRow(d.t.Context(), `SELECT handled_at IS NOT NULL, last_error, locked_until FROM inbox
WHERE channel = 'telegram' AND message_id = $1`, strconv.FormatInt(id, 10)).Scan(&r.handled, &r.lastErr, &leased)
	if err != nil {
		return r, false
	}
	if leased != nil {
		r.leased = *leased
	}
	return r, true
}

// waitSettled waits until every given update is in the inbox and handled or given up —
// without failing on a given-up one, as waitHandled does — and returns their rows.
func (d *tgDesk) waitSettled(ids ...int64) map[int64]inboxRow {
	d.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		rows := map[int64]inboxRow{}
		for _, id := range ids {
			if r, ok := d.inboxRow(id); ok && r.handled {
				rows[id] = r
			}
		}
		if len(rows) == len(ids) {
			return rows
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("updates %v: %d settled after 10 s (pending in the fake: %d)", ids, len(rows), d.fake.Pending())
		}
	}
}

// TestTelegramBadUpdatesDoNotStopIntake: in polling mode, updates PostgreSQL's jsonb
// cannot hold as sent (an escaped U+0000, a lone surrogate), one whose text is not a
// string and one whose bot_command entity has a negative length are each stored or set
// aside and settled at once: the offset moves on, the other chats and the chat's own
// later messages are answered, and the citizen whose message could not be read is
// asked to send it again.
func TestTelegramBadUpdatesDoNotStopIntake(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	if _, err := d.fake.WaitCalls(t.Context(), 1, "deleteWebhook"); err != nil {
		t.Fatal(err)
	}
	d.clock.Advance(time.Minute)
	from := func(chat int64) string {
		c := strconv.FormatInt(chat, 10)
		return `"date":1764468000,"chat":{"id":` + c + `,"type":"private","first_name":"T"},"from":{"id":` + c + `,"is_bot":false,"first_name":"T"}`
	}
	push := func(raw string) int64 {
		t.Helper()
		id, err := d.fake.PushRaw([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	nul := push(`{"message":{"message_id":11,` + from(citizenBudi) + `,"text":"Jalan\u0000 rusak"}}`)
	surrogate := push(`{"message":{"message_id":12,` + from(citizenSiti) + `,"text":"\ud800 tolong"}}`)
	notString := push(`{"message":{"message_id":13,` + from(citizenBudi) + `,"text":5}}`)
	negative := push(`{"message":{"message_id":14,` + from(citizenSiti) + `,"text":"/start","entities":[{"type":"bot_command","offset":0,"length":-3}]}}`)
	after := d.fake.Push(tgfake.TextMessage(citizenBudi, citizenBudi, "/start")).ID

	rows := d.waitSettled(nul, surrogate, notString, negative, after)
	for _, id := range []int64{nul, surrogate, negative, after} {
		if rows[id].lastErr != "" {
			t.Errorf("update %d: %q, want it stored and handled", id, rows[id].lastErr)
		}
	}
	if rows[notString].lastErr == "" {
		t.Errorf("the update whose text is a number was handled as if it could be read")
	}
	calls := d.settle()
	d.message(calls, citizenBudi, "belum dapat kami proses karena gangguan")
	d.message(calls, citizenBudi, "Selamat datang")
	if n := len(sent(calls, citizenSiti)); n < 2 {
		t.Errorf("the other citizen got %d answers, want one for each of their 2 messages:\n%s", n, texts(calls))
	}
	if n := d.fake.Pending(); n != 0 {
		t.Errorf("%d updates still unconfirmed in the fake: the offset did not move on", n)
	}
	if strings.Contains(d.log.String(), "panic") {
		t.Errorf("a panic was logged:\n%s", d.log)
	}
}

// TestTelegramWebhookStoresWhatJsonbCannot: in webhook mode, invalid UTF-8, an escaped
// U+0000 and a lone surrogate are each answered 200 once stored, and handled; a body
// that is no update is refused with 400 and stores nothing.
func TestTelegramWebhookStoresWhatJsonbCannot(t *testing.T) {
	t.Parallel()
	d, hook, secret := newWebhookDesk(t)
	if _, err := d.fake.WaitCalls(t.Context(), 1, "setWebhook"); err != nil {
		t.Fatal(err)
	}
	post := func(body []byte) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, hook, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	d.clock.Advance(time.Minute)
	msg := func(id int, chat int64, text string) []byte {
		c := strconv.FormatInt(chat, 10)
		return []byte(`{"update_id":` + strconv.Itoa(id) + `,"message":{"message_id":` + strconv.Itoa(id) + `,"date":1764468000,` +
			`"chat":{"id":` + c + `,"type":"private"},"from":{"id":` + c + `,"is_bot":false,"first_name":"T"},"text":"` + text + `"}}`)
	}
	invalid := msg(700001, citizenBudi, "Halo \xff\xfe pagi")
	for i, body := range [][]byte{invalid, msg(700002, citizenSiti, `Halo\u0000`), msg(700003, citizenBlocked, `\udc00 pagi`)} {
		if code := post(body); code != http.StatusOK {
			t.Errorf("update %d: HTTP %d, want 200", i+1, code)
		}
	}
	if code := post([]byte(`{"hello":"world"}`)); code != http.StatusBadRequest {
		t.Errorf("not an update: HTTP %d, want 400", code)
	}
	rows := d.waitSettled(700001, 700002, 700003)
	for id, r := range rows {
		if r.lastErr != "" {
			t.Errorf("update %d: %q, want it stored and handled", id, r.lastErr)
		}
	}
	calls := d.settle()
	for _, chat := range []int64{citizenBudi, citizenSiti, citizenBlocked} {
		if len(sent(calls, chat)) == 0 {
			t.Errorf("chat %d got no answer", chat)
		}
	}
}

// TestTelegramPassingDownloadFailureIsRetriedSoon: a getFile 500 holds the citizen's
// chat for a second, not for the minute-long lease; the photo is then kept.
func TestTelegramPassingDownloadFailureIsRetriedSoon(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	if _, err := d.fake.WaitCalls(t.Context(), 1, "deleteWebhook"); err != nil {
		t.Fatal(err)
	}
	d.toAttachments(citizenBudi, flows.Ordinary, "kk", "Kartu keluarga saya belum jadi sejak sebulan lalu, padahal berkas sudah lengkap.")

	d.fake.AddFile("photo-1", "photos/1.jpg", bytes.Repeat([]byte{0xff}, 2048))
	d.fake.FailNext("getFile", http.StatusInternalServerError, "Internal Server Error", 0)
	d.clock.Advance(time.Minute)
	id := d.fake.Push(tgfake.PhotoMessage(citizenBudi, citizenBudi, "photo-1", 2048, "")).ID
	var r inboxRow
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var ok bool
		if r, ok = d.inboxRow(id); ok && r.lastErr != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the getFile failure was not recorded within 10 s")
		}
	}
	if r.handled || !r.leased.Equal(d.clock.Now().Add(time.Second)) {
		t.Fatalf("after a getFile 500: handled %v, claimable again at %s; want at %s (a second later)", r.handled, r.leased, d.clock.Now().Add(time.Second))
	}
	d.clock.Advance(time.Second)
	rows := d.waitSettled(id)
	if rows[id].lastErr != "" && !strings.Contains(rows[id].lastErr, "getFile") {
		t.Errorf("update: %q", rows[id].lastErr)
	}
	if n := len(d.fake.Calls("getFile")); n != 2 {
		t.Errorf("%d getFile calls, want 2 (the 500, then the retry)", n)
	}
	var kept int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM attachment_file`).Scan(&kept); err != nil || kept != 1 {
		t.Errorf("%d files kept (%v), want 1", kept, err)
	}
}

// TestTelegramTopicSurvivesACrash: the forum topic opened for a new card is recorded in
// the database as soon as Telegram answers, so when sending the card fails and the desk
// is restarted, the card goes into that topic instead of a second one.
func TestTelegramTopicSurvivesACrash(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	d.fake.SetForum(groupNational)
	summary := d.intake(citizenSiti, bodyAkta)
	// The card's first message fails (and so does the citizen's answer, sent alongside).
	d.fake.FailNext("sendMessage", http.StatusInternalServerError, "Internal Server Error", 0)
	d.fake.FailNext("sendMessage", http.StatusInternalServerError, "Internal Server Error", 0)
	d.clock.Advance(time.Minute)
	upd := d.fake.Push(tgfake.Callback(citizenSiti, citizenSiti, summary.MessageID, "i:confirm:send"))
	d.waitHandled(strconv.FormatInt(upd.ID, 10))
	var thread, lastErr string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT thread, last_error FROM outbox WHERE chat = $1 AND payload->>'card' = 'true'`,
			strconv.FormatInt(groupNational, 10)).Scan(&thread, &lastErr)
		if err == nil && lastErr != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the card's failure was not recorded within 10 s (%v)", err)
		}
	}
	if thread == "" {
		t.Fatalf("the topic opened for the card is not in the outbox")
	}
	d.stop() // the process that opened the topic is gone
	d.start()
	calls := d.settle()
	card := d.message(calls, groupNational, "Aduan baru")
	if got := strconv.Itoa(card.ThreadID()); got != thread {
		t.Errorf("the card went to thread %s, want the topic opened before the restart (%s)", got, thread)
	}
	if n := len(d.fake.Calls("createForumTopic")); n != 1 {
		t.Errorf("%d topics created, want 1", n)
	}
	d.message(calls, citizenSiti, "aduan Anda sudah kami terima")
}
