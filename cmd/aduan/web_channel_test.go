package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"aduan/bot/telegram/tgfake"
	"aduan/bot/web"
	"aduan/flows"
)

// The tests in this file run the whole program with the web channel: what a page
// posts goes through the inbox, the desk and the outbox like any channel's messages,
// and comes back as lines of the chat.

// webChat is one web chat of a running desk, as a page sees it.
type webChat struct {
	d    *tgDesk
	chat string
	user string
	name string
	seen int64 // the version of the last line read
	// calls are the Telegram calls the desk made while the chat's messages were handled.
	calls []tgfake.Call
}

// newWebChat returns a citizen's web chat on the desk.
func newWebChat(d *tgDesk) *webChat {
	chat := web.CitizenChat()
	return &webChat{d: d, chat: chat, user: chat}
}

// post sends what a page would, waits until the desk has handled it and delivered what
// it caused, and returns the lines of the chat written or changed since the last post.
func (c *webChat) post(in web.Input) []web.StoredLine {
	c.d.t.Helper()
	c.d.clock.Advance(time.Minute)
	in.Chat, in.User, in.Name = c.chat, c.user, c.name
	id, err := c.d.m.Web().Post(c.d.t.Context(), in)
	if err != nil {
		c.d.t.Fatal(err)
	}
	c.d.waitInboxOf(web.Name, id)
	c.calls = append(c.calls, c.d.settle()...)
	return c.fresh()
}

// fresh returns the lines written or changed since the last look.
func (c *webChat) fresh() []web.StoredLine {
	c.d.t.Helper()
	lines, v, err := c.d.m.Web().Lines(c.d.t.Context(), c.chat, c.seen)
	if err != nil {
		c.d.t.Fatal(err)
	}
	c.seen = v
	return lines
}

// press presses the button whose label holds label on the newest desk line offering
// one among lines.
func (c *webChat) press(lines []web.StoredLine, label string) []web.StoredLine {
	c.d.t.Helper()
	for i := len(lines) - 1; i >= 0; i-- {
		for _, o := range lines[i].Message.Numbered() {
			if strings.Contains(o.Label, label) {
				return c.post(web.Input{Choice: o.Data, Label: o.Label})
			}
		}
	}
	c.d.t.Fatalf("no button %q in:\n%s", label, webText(lines))
	return nil
}

// say types text.
func (c *webChat) say(text string) []web.StoredLine {
	c.d.t.Helper()
	return c.post(web.Input{Text: text})
}

// webText is the lines as a test failure shows them.
func webText(lines []web.StoredLine) string {
	var b strings.Builder
	for _, l := range lines {
		var labels []string
		for _, o := range l.Message.Numbered() {
			labels = append(labels, o.Label)
		}
		fmt.Fprintf(&b, "  [%s %s] %q %q %v\n", l.Ref, l.From, l.Text, strings.Join(l.Message.Blocks, " / "), labels)
	}
	return b.String()
}

// waitInboxOf waits until the inbound messages of channel with the given IDs are
// handled without being given up.
func (d *tgDesk) waitInboxOf(channel string, ids ...string) {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		var errs string
		err := d.m.DB().Pool().QueryRow(d.t.Context(), `SELECT count(*) FILTER (WHERE handled_at IS NOT NULL),
	coalesce(string_agg(nullif(last_error, ''), '; '), '') FROM inbox WHERE channel = $1 AND message_id = ANY($2)`, channel, ids).Scan(&n, &errs)
		if err != nil {
			d.t.Fatal(err)
		}
		if errs != "" {
			d.t.Fatalf("messages %v failed: %s", ids, errs)
		}
		if n == len(ids) {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("messages %v: %d of %d handled after 10s", ids, n, len(ids))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A citizen files a whole complaint in the web chat while the units work on Telegram:
// the conversation comes back as lines with buttons, the complaint is the web chat's,
// and the national admin's card reaches Telegram.
func TestWebChannelFiling(t *testing.T) {
	d := newTGDesk(t, "2026-12-01 09:00", nil)
	c := newWebChat(d)
	lines := c.post(web.Input{Command: "start"})
	if len(lines) < 2 || lines[0].From != web.FromPerson || lines[0].Text != "/start" {
		t.Fatalf("the chat does not start with what the citizen sent:\n%s", webText(lines))
	}
	if len(lines[len(lines)-1].Message.Numbered()) == 0 {
		t.Fatalf("the welcome offers no button:\n%s", webText(lines))
	}
	lines = c.press(lines, "Buat")
	lines = c.press(lines, "Setuju")
	lines = c.press(lines, "Pengaduan")
	lines = c.press(lines, "Biasa")
	lines = c.press(lines, "KTP")
	lines = c.say("KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.")
	lines = c.press(lines, "Lewati")
	lines = c.press(lines, "Lewati")
	lines = c.press(lines, "Selesai")
	lines = c.press(lines, "Lewati")
	lines = c.press(lines, "Lewati")
	lines = c.press(lines, "Kirim")
	all := webText(lines)
	tracking := trackingNumber.FindString(all)
	if tracking == "" {
		t.Fatalf("no tracking number after Konfirmasi:\n%s", all)
	}
	k, err := d.m.DB().ComplaintByTracking(t.Context(), tracking)
	if err != nil {
		t.Fatal(err)
	}
	if k.Contact.Channel != web.Name || k.Contact.Chat != c.chat || k.State != flows.Submitted {
		t.Fatalf("complaint %s: contact %s %s, state %s; want the web chat, submitted", tracking, k.Contact.Channel, k.Contact.Chat, k.State)
	}
	d.message(c.calls, groupNational, tracking)
}

// A citizen's copy of their data reaches the web chat as a JSON document holding what
// they filed.
func TestWebChannelDataCopy(t *testing.T) {
	d := newTGDesk(t, "2026-12-01 09:00", nil)
	c := newWebChat(d)
	lines := c.post(web.Input{Command: "start"})
	lines = c.press(lines, "Buat")
	lines = c.press(lines, "Setuju")
	lines = c.press(lines, "Pengaduan")
	lines = c.press(lines, "Biasa")
	lines = c.press(lines, "KTP")
	c.say("Antrean perekaman KTP-el di kecamatan ditutup sebelum jam layanan selesai.")
	lines = c.post(web.Input{Command: "datasaya"})
	var doc *web.Document
	for _, l := range lines {
		if l.Document != nil {
			doc = l.Document
		}
	}
	if doc == nil || doc.Mime != "application/json" || !strings.HasSuffix(doc.Name, ".json") {
		t.Fatalf("no JSON document after /datasaya:\n%s", webText(lines))
	}
	if !strings.Contains(doc.Text, "Antrean perekaman KTP-el") {
		t.Errorf("the copy does not hold the draft's description:\n%s", doc.Text)
	}
}

// Once a web complaint is anonymised, the web chat holds nothing of it: the chat's
// lines go with it, the citizen's own words and the desk's cards alike.
func TestWebChannelAnonymised(t *testing.T) {
	d := newTGDesk(t, "2026-12-01 09:00", nil)
	c := newWebChat(d)
	lines := c.post(web.Input{Command: "start"})
	for _, label := range []string{"Buat", "Setuju", "Pengaduan", "Biasa", "KTP"} {
		lines = c.press(lines, label)
	}
	const body = "Petugas loket meminta uang tambahan untuk mempercepat KTP-el saya."
	lines = c.say(body)
	for _, label := range []string{"Lewati", "Lewati", "Selesai", "Lewati", "Lewati", "Kirim"} {
		lines = c.press(lines, label)
	}
	tracking := trackingNumber.FindString(webText(lines))
	k, err := d.m.DB().ComplaintByTracking(t.Context(), tracking)
	if err != nil {
		t.Fatal(err)
	}
	held := func() int {
		var n int
		if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM web_line WHERE body::text LIKE '%' || $1 || '%'`, "uang tambahan").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if held() == 0 {
		t.Fatal("the web chat never held the description: the test proves nothing")
	}
	if _, err := d.m.DB().Pool().Exec(t.Context(), `UPDATE complaint SET state = 'archived' WHERE id = $1`, k.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := d.m.DB().Anonymise(t.Context(), []int64{k.ID}, "test", d.clock.Now()); err != nil || n != 1 {
		t.Fatalf("Anonymise: %d, %v", n, err)
	}
	if n := held(); n != 0 {
		t.Errorf("%d web lines still hold the description", n)
	}
	c.seen = 0
	if left := c.fresh(); len(left) != 0 {
		t.Errorf("the web chat still shows lines:\n%s", webText(left))
	}
}

// Whoever opens the desk's address is sent to a page: the web chat when no practice
// desk runs.
func TestRootLeadsToAPage(t *testing.T) {
	d := newTGDesk(t, "2026-12-01 09:00", nil)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get("http://" + d.m.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/lapor" {
		t.Errorf("GET /: %d to %q, want 303 to /lapor", resp.StatusCode, resp.Header.Get("Location"))
	}
}
