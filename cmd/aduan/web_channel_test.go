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
	"aduan/flows/flowstest"
)

// The tests in this file run the whole program with the web channel: what a page
// posts goes through the inbox, the desk and the outbox like any channel's messages,
// and comes back as lines of the chat.

// webPane is a web chat as a test's page uses it: it posts as the chat's person, a
// minute after the last post, and reads the lines written or changed since its last
// look. The web chat tests and the practice desk's share it.
type webPane struct {
	t     *testing.T
	ch    func() *web.Channel // the desk's web channel (a desk restarted has a new one)
	clock *flowstest.Clock
	chat  string
	user  string
	name  string
	seen  int64 // the version of the last line read
	// settle waits until the desk has handled the post of the ID given and delivered
	// everything it caused.
	settle func(id string)
}

// post sends what a page would, waits until the desk has handled it and delivered what
// it caused, and returns the lines of the chat written or changed since the last look.
func (c *webPane) post(in web.Input) []web.StoredLine {
	c.t.Helper()
	c.clock.Advance(time.Minute)
	in.Chat, in.User, in.Name = c.chat, c.user, c.name
	id, err := c.ch().Post(c.t.Context(), in)
	if err != nil {
		c.t.Fatal(err)
	}
	c.settle(id)
	return c.fresh()
}

// fresh returns the lines written or changed since the last look.
func (c *webPane) fresh() []web.StoredLine {
	c.t.Helper()
	lines, v, err := c.ch().Lines(c.t.Context(), c.chat, c.seen)
	if err != nil {
		c.t.Fatal(err)
	}
	c.seen = v
	return lines
}

// press presses the button whose label holds label on the newest desk line offering
// one among lines.
func (c *webPane) press(lines []web.StoredLine, label string) []web.StoredLine {
	c.t.Helper()
	for i := len(lines) - 1; i >= 0; i-- {
		for _, o := range lines[i].Message.Numbered() {
			if strings.Contains(o.Label, label) {
				return c.post(web.Input{Choice: o.Data, Label: o.Label})
			}
		}
	}
	c.t.Fatalf("no button %q in:\n%s", label, webText(lines))
	return nil
}

// say types text.
func (c *webPane) say(text string) []web.StoredLine {
	c.t.Helper()
	return c.post(web.Input{Text: text})
}

// The presses of a whole ordinary complaint about an ID card filed in a web chat:
// those before its description is typed, and those after, the last one sending it.
var (
	webFilingBefore = []string{"Buat", "Setuju", "Pengaduan", "Biasa", "KTP"}
	webFilingAfter  = []string{"Lewati", "Lewati", "Selesai", "Lewati", "Lewati", "Kirim"}
)

// file files a whole ordinary complaint about an ID card with body as its description,
// from the start, and returns the lines the last press brought (the tracking number
// among them).
func (c *webPane) file(body string) []web.StoredLine {
	c.t.Helper()
	lines := c.post(web.Input{Command: "start"})
	for _, label := range webFilingBefore {
		lines = c.press(lines, label)
	}
	lines = c.say(body)
	for _, label := range webFilingAfter {
		lines = c.press(lines, label)
	}
	return lines
}

// webChat is one web chat of a running desk, as a page sees it.
type webChat struct {
	*webPane
	d *tgDesk
	// calls are the Telegram calls the desk made while the chat's messages were handled.
	calls []tgfake.Call
}

// newWebChat returns a citizen's web chat on the desk.
func newWebChat(d *tgDesk) *webChat {
	chat := web.CitizenChat()
	return webChatOf(d, chat, chat, "")
}

// webChatOf returns the web chat chat on the desk as user, named name, sees it.
func webChatOf(d *tgDesk, chat, user, name string) *webChat {
	c := &webChat{d: d}
	c.webPane = &webPane{t: d.t, ch: func() *web.Channel { return d.m.Web() }, clock: d.clock, chat: chat, user: user, name: name,
		settle: func(id string) {
			d.waitInbox(web.Name, false, id)
			c.calls = append(c.calls, d.settle()...)
		}}
	return c
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
	for _, label := range webFilingBefore {
		lines = c.press(lines, label)
	}
	lines = c.say("KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.")
	for _, label := range webFilingAfter {
		lines = c.press(lines, label)
	}
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
	for _, label := range webFilingBefore {
		lines = c.press(lines, label)
	}
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
	lines := c.file("Petugas loket meminta uang tambahan untuk mempercepat KTP-el saya.")
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
