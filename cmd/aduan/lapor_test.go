package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"aduan/bot/web"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// The tests in this file use /lapor as a browser without JavaScript does: plain forms
// posted and answered by redirects, a cookie jar, the whole program behind it on a
// real database.

// laporClient is one browser without JavaScript on /lapor.
type laporClient struct {
	t    *testing.T
	c    *http.Client
	base string
	// page is the last page shown, status its HTTP status.
	page   string
	status int
}

func newLaporClient(t *testing.T, base, lang string) *laporClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Transport: langTransport(lang)}
	return &laporClient{t: t, c: c, base: base}
}

// deskURL is the address of the desk's HTTP endpoint.
func deskURL(d *tgDesk) string { return "http://" + d.m.Addr().String() }

// langTransport sends Accept-Language: lang with every request.
type langTransport string

func (l langTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if l != "" {
		r.Header.Set("Accept-Language", string(l))
	}
	return http.DefaultTransport.RoundTrip(r)
}

// show keeps the page of a response.
func (p *laporClient) show(resp *http.Response, err error) {
	p.t.Helper()
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	p.page, p.status = string(b), resp.StatusCode
}

func (p *laporClient) get(path string) { p.t.Helper(); p.show(p.c.Get(p.base + path)) }

// post posts a form and follows the redirect back.
func (p *laporClient) post(path string, form url.Values) {
	p.t.Helper()
	p.show(p.c.PostForm(p.base+path, form))
}

// text is what the page shows, tags aside.
func (p *laporClient) text() string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(p.page, ""))
}

var choiceForm = regexp.MustCompile(`name="choice" value="([^"]*)"><input type="hidden" name="label" value="([^"]*)">`)

// press posts the newest button whose label holds label, as its form does.
func (p *laporClient) press(label string) {
	p.t.Helper()
	var data, shown string
	for _, m := range choiceForm.FindAllStringSubmatch(p.page, -1) {
		if l := html.UnescapeString(m[2]); strings.Contains(l, label) {
			data, shown = html.UnescapeString(m[1]), l
		}
	}
	if data == "" {
		p.t.Fatalf("no button %q on the page:\n%s", label, p.text())
	}
	p.post("/lapor/kirim", url.Values{"pane": {"warga"}, "choice": {data}, "label": {shown}})
}

func (p *laporClient) say(text string) {
	p.t.Helper()
	p.post("/lapor/kirim", url.Values{"pane": {"warga"}, "text": {text}})
}

// upload sends a file with a caption, as the message form does.
func (p *laporClient) upload(caption, name string, data []byte) {
	p.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("pane", "warga")
	w.WriteField("text", caption)
	f, _ := w.CreateFormFile("file", name)
	f.Write(data)
	w.Close()
	p.show(p.c.Post(p.base+"/lapor/kirim", w.FormDataContentType(), &b))
}

// wantText fails unless the page shows s.
func (p *laporClient) wantText(s string) {
	p.t.Helper()
	if !strings.Contains(p.text(), s) {
		p.t.Fatalf("the page does not show %q:\n%s", s, p.text())
	}
}

// fileOnWeb files a complaint in /lapor without JavaScript and returns its tracking
// number and access code.
func (p *laporClient) fileOnWeb(body string) (tracking, code string) {
	p.t.Helper()
	p.get("/lapor")
	p.post("/lapor/mulai", nil)
	for _, label := range webFilingBefore {
		p.press(label)
	}
	p.say(body)
	p.press("Lewati")
	// Where: the browser's position, as the page's script sends it.
	p.post("/lapor/kirim", url.Values{"pane": {"warga"}, "lat": {"-0.0263"}, "long": {"109.3425"}})
	p.upload("Antrean di loket", "antrean.png", pngBytes(p.t))
	p.upload("", "catatan.html", []byte("<html><script>alert(1)</script></html>"))
	p.press("Selesai")
	p.press("Lewati")
	p.press("Lewati")
	p.press("Kirim")
	return p.filed()
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(testPhoto(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Without JavaScript: a citizen files in /lapor through forms and redirects, with a
// photo, and sees the tracking number and the access code; the complaint is the web
// chat's with the photo; another browser follows it with the code and sees the answer.
func TestLaporWithoutScript(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-12-01 09:00", nil)
	p := newLaporClient(t, deskURL(d), "")
	p.get("/lapor")
	if p.status != http.StatusOK || !strings.Contains(p.page, `action="/lapor/mulai"`) || strings.Contains(p.page, `class="pane"`) {
		t.Fatalf("the first visit: HTTP %d, no start button or a chat already:\n%s", p.status, p.text())
	}
	p.wantText("Laporkan Layanan Dukcapil")
	tracking, code := p.fileOnWeb(`KTP-el saya belum jadi <b>sejak</b> tiga bulan, padahal sudah rekam data di kantor "kecamatan" & dinas.`)
	if strings.Contains(p.page, "<b>sejak</b>") || !strings.Contains(p.page, "&lt;b&gt;sejak&lt;/b&gt;") {
		t.Errorf("what the citizen typed is not escaped on the page")
	}
	k := d.complaint(tracking)
	if k.Contact.Channel != "web" || len(k.Attachment) != 3 || k.Attachment[0].Kind != "location" || k.Attachment[1].Kind != "photo" ||
		k.Attachment[1].Ref == "" || k.Attachment[2].Kind != "document" || !strings.Contains(k.Place, "109.3425") {
		t.Fatalf("complaint %s: contact %s, place %q, attachments %+v", tracking, k.Contact.Channel, k.Place, k.Attachment)
	}
	photo := regexp.MustCompile(`src="(/lapor/berkas\?[^"]+)"`).FindStringSubmatch(p.page)
	if photo == nil {
		t.Fatalf("no photo in the chat:\n%s", p.page)
	}
	src := html.UnescapeString(photo[1])
	resp, err := p.c.Get(p.base + src)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("the photo in its chat: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A document is only ever downloaded, never shown as a page of the desk.
	doc := regexp.MustCompile(`href="(/lapor/berkas\?[^"]+)" download>catatan.html`).FindStringSubmatch(p.page)
	if doc == nil {
		t.Fatalf("no document in the chat:\n%s", p.page)
	}
	resp, err = p.c.Get(p.base + html.UnescapeString(doc[1]))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/octet-stream" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("the document: HTTP %d, %v", resp.StatusCode, resp.Header)
	}

	// The agency answers (on Telegram); another browser follows with the code.
	card := d.message(d.settle(), groupNational, tracking)
	calls := d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	regency := d.message(calls, groupRegency, "Aduan baru "+tracking)
	calls = d.choose(groupRegency, adminRegency, regency, flows.EvDistribute, flowstest.Agency)
	agency := d.message(calls, groupAgency, "Aduan baru "+tracking)
	answer := "KTP-el Anda sudah dicetak dan dapat diambil di kantor kecamatan mulai besok."
	d.act(groupAgency, adminAgency, agency, flows.EvAnswer, answer)
	later := newLaporClient(t, deskURL(d), "")
	resp, err = later.c.Get(later.base + src)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the photo from another browser: HTTP %d, want 404", resp.StatusCode)
	}
	later.post("/lapor/ikuti", url.Values{"tracking": {strings.ToLower(tracking)}, "code": {"AAAA-AAAA"}})
	later.wantText("kode akses salah")
	if strings.Contains(later.page, `class="pane"`) {
		t.Fatalf("a wrong code opens a chat:\n%s", later.text())
	}
	later.post("/lapor/ikuti", url.Values{"tracking": {tracking}, "code": {code}})
	later.wantText(tracking)
	later.wantText("tiga bulan, padahal sudah rekam")
	later.wantText(answer)

	// The citizen replies to the answer: the page's message box answers the prompt.
	later.press("Balas")
	later.wantText("Tulis tanggapan Anda")
	reply := "Di kecamatan dibilang belum ada blangko, mohon dicek lagi."
	later.say(reply)
	d.settle()
	if k := d.complaint(tracking); k.State != flows.InProgress {
		t.Errorf("after the citizen's reply: state %s, want %s", k.State, flows.InProgress)
	}
	if got := d.audit(tracking); !strings.Contains(fmt.Sprint(got), reply) {
		t.Errorf("the reply is not in the audit trail: %v", got)
	}
}

// /lapor's guards: cross-site posts are refused; an address starts only so many chats;
// a file over the intake's limit is refused by the desk in the conversation's words; a
// complaint filed on Telegram is followed on the status page; bodies are limited; the
// page and the conversation speak English when asked.
func TestLaporGuards(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-12-01 09:00", func(m *Main) { m.Config.Intake.MaxFileBytes = 2000 })
	p := newLaporClient(t, deskURL(d), "")

	req, _ := http.NewRequest(http.MethodPost, p.base+"/lapor/mulai", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site post: HTTP %d, want 403", resp.StatusCode)
	}

	// A made-up chat cookie starts nothing.
	forged := newLaporClient(t, deskURL(d), "id")
	u, _ := url.Parse(forged.base + "/lapor")
	made := web.CitizenChat()
	forged.c.Jar.SetCookies(u, []*http.Cookie{{Name: "aduan_chat", Value: made, Path: "/lapor"}})
	forged.say("Halo, ini pesan dari obrolan yang tidak pernah dimulai.")
	forged.wantText("Percakapan belum dimulai")
	var n int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM inbox WHERE chat = $1`, made).Scan(&n); err != nil || n != 0 {
		t.Errorf("a made-up chat's message: %d in the inbox (%v)", n, err)
	}

	// A file too large: the desk says so.
	p.post("/lapor/mulai", nil)
	for _, label := range webFilingBefore {
		p.press(label)
	}
	p.say("KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.")
	p.press("Lewati")
	p.press("Lewati")
	before := strings.Count(p.page, `class="line desk`)
	p.upload("", "besar.bin", bytes.Repeat([]byte("x"), 5000))
	if strings.Count(p.page, `class="line desk`) <= before {
		t.Fatalf("no answer to a file too large:\n%s", p.text())
	}
	p.wantText("terlalu besar")
	if k, _, err := d.m.DB().DraftFiles(t.Context(), "web", chatCookieOf(t, p)); err != nil || k == "" {
		t.Fatalf("draft: %v", err)
	}

	// A body over the limit.
	p.post("/lapor/kirim", url.Values{"text": {strings.Repeat("a", 3<<20)}})
	p.wantText("Isian tidak dapat dibaca")

	// English, for the page and the conversation.
	p.post("/lapor/bahasa", url.Values{"lang": {"en"}})
	p.wantText("Send message")
	p.wantText("we will write to you in English")

	// A complaint filed on Telegram: the status page.
	tr, _ := d.file(citizenBudi, "KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.")
	code, err := d.m.DB().AccessCode(t.Context(), tr)
	if err != nil {
		t.Fatal(err)
	}
	other := newLaporClient(t, deskURL(d), "id")
	other.post("/lapor/ikuti", url.Values{"tracking": {tr}, "code": {code}})
	other.wantText("dikirim melalui Telegram atau WhatsApp")
	if strings.Contains(other.page, `class="pane"`) || strings.Contains(other.text(), "KTP-el saya") {
		t.Errorf("following a Telegram complaint shows a chat:\n%s", other.text())
	}

	// Five new chats from one address, then no more.
	var last int
	for range 6 {
		c := newLaporClient(t, deskURL(d), "id")
		c.post("/lapor/mulai", nil)
		last = c.status
		if strings.Contains(c.text(), "Terlalu banyak permintaan") {
			return
		}
	}
	t.Errorf("six new chats from one address: all started (last HTTP %d)", last)
}

// chatCookieOf returns the chat the client's cookie names.
func chatCookieOf(t *testing.T, p *laporClient) string {
	t.Helper()
	u, _ := url.Parse(p.base + "/lapor")
	for _, c := range p.c.Jar.Cookies(u) {
		if c.Name == "aduan_chat" {
			return c.Value
		}
	}
	t.Fatal("no chat cookie")
	return ""
}

// The chat's cookie: HttpOnly, SameSite=Lax, for /lapor only, long-lived; Secure when
// the desk's public address is https (a proxy in front speaking plain HTTP to it).
func TestLaporCookie(t *testing.T) {
	t.Parallel()
	for _, public := range []string{"", "https://aduan.example.go.id"} {
		d := newTGDesk(t, "2026-12-01 09:00", func(m *Main) { m.Config.Web.PublicURL = public })
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Post(deskURL(d)+"/lapor/mulai", "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var chat *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "aduan_chat" {
				chat = ck
			}
		}
		switch {
		case resp.StatusCode != http.StatusSeeOther:
			t.Errorf("public %q: POST /lapor/mulai: HTTP %d, want 303", public, resp.StatusCode)
		case chat == nil:
			t.Errorf("public %q: no chat cookie", public)
		case !chat.HttpOnly || chat.SameSite != http.SameSiteLaxMode || chat.Path != "/lapor" || chat.MaxAge < 30*24*3600:
			t.Errorf("public %q: cookie %+v", public, chat)
		case chat.Secure != (public != ""):
			t.Errorf("public %q: Secure = %v", public, chat.Secure)
		case !regexp.MustCompile(`^c-[a-z2-7]{26}$`).MatchString(chat.Value):
			t.Errorf("public %q: the cookie holds %q, not a chat's name", public, chat.Value)
		}
	}
}

// The name a citizen gives on the start page is the report's, as a chat app's profile
// name is; the summary shows it, and leaving the device forgets it.
func TestLaporName(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-12-01 09:00", nil)
	p := newLaporClient(t, deskURL(d), "")
	p.get("/lapor")
	if !strings.Contains(p.page, `name="nama"`) {
		t.Fatalf("the start page asks no name:\n%s", p.page)
	}
	p.post("/lapor/mulai", url.Values{"nama": {"  Siti\tRahma\x00 "}})
	for _, l := range []string{"Buat", "Setuju", "Pengaduan", "Biasa", "KTP"} {
		p.press(l)
	}
	p.say("Antrean perekaman KTP-el ditutup sebelum jam layanan selesai.")
	for _, l := range []string{"Lewati", "Lewati", "Selesai", "Lewati", "Lewati"} {
		p.press(l)
	}
	p.wantText("Nama: Siti Rahma")
	p.press("Kirim")
	tracking := trackingNumber.FindString(p.text())
	if k := d.complaint(tracking); k.Contact.Name != "Siti Rahma" {
		t.Errorf("complaint %s: name %q, want Siti Rahma", tracking, k.Contact.Name)
	}
	p.post("/lapor/keluar", nil)
	for _, c := range p.c.Jar.Cookies(mustParseURL(t, deskURL(d)+"/lapor")) {
		if c.Name == "aduan_nama" {
			t.Errorf("the name's cookie stays after leaving the device")
		}
	}
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// filed returns the tracking number and access code the chat shows once a report is
// sent.
func (p *laporClient) filed() (tracking, code string) {
	p.t.Helper()
	tracking = trackingNumber.FindString(p.text())
	m := webAccessCode.FindStringSubmatch(p.text())
	if tracking == "" || m == nil {
		p.t.Fatalf("no tracking number or access code:\n%s", p.text())
	}
	return tracking, m[1]
}
