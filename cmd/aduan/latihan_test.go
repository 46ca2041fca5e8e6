package main

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aduan/bot/web"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
	"aduan/store/storetest"
	pages "aduan/web"
)

// The tests in this file drive the practice desk's page (/latihan) over a desk of
// their own: the fixture units with web group chats, a fake clock moved by the page's
// buttons, the scheduled checks run at each move. (The practice desk that serve runs is
// practice.go's; this one only serves the page's tests.)

// pageDesk is a desk whose units work in web groups, as web.PracticeDesk.
type pageDesk struct {
	t       *testing.T
	m       *Main
	clock   *flowstest.Clock
	citizen string
	resets  int
}

var _ pages.PracticeDesk = (*pageDesk)(nil)

func newPageDesk(t *testing.T, start string) *pageDesk {
	t.Helper()
	db, dbURL := storetest.New(t)
	units := flowstest.Units()
	for i := range units {
		units[i].Chats = []flows.ChatRef{{Channel: web.Name, Chat: web.GroupChat(units[i].Code)}}
	}
	if _, err := db.ApplyUnits(t.Context(), mustDirectory(t, units), flowstest.At(t, "2026-11-01 00:00")); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.DatabaseURL = dbURL
	cfg.SweepEvery = time.Hour
	cfg.Intake.NIKCategories = nil // the NIK step is tested on Telegram (TestTelegramNIK)
	cfg.Web.Enabled = false
	d := &pageDesk{t: t, clock: flowstest.NewClock(flowstest.At(t, start)), citizen: web.CitizenChat()}
	d.m = &Main{Config: cfg, Clock: d.clock, Log: slog.New(slog.DiscardHandler), NoHTTP: true, WebChannel: true}
	if err := d.m.Run(t.Context()); err != nil {
		d.m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { d.m.Close() })
	return d
}

func (d *pageDesk) Channel() *web.Channel       { return d.m.Web() }
func (d *pageDesk) Citizen() string             { return d.citizen }
func (d *pageDesk) Units() []flows.Unit         { return d.m.Rules().Units.Units() }
func (d *pageDesk) Now() time.Time              { return d.clock.Now() }
func (d *pageDesk) Calendar() *flows.Calendar   { return d.m.Rules().Calendar }
func (d *pageDesk) Reset(context.Context) error { d.resets++; return nil }

// Advance moves the clock by step and runs the scheduled checks there.
func (d *pageDesk) Advance(ctx context.Context, step string) (pages.Happened, error) {
	from := d.clock.Now()
	var to time.Time
	switch step {
	case "hour":
		to = from.Add(time.Hour)
	case "day":
		to = d.Calendar().NextOpening(from.Add(24 * time.Hour).Truncate(24 * time.Hour))
	case "10d":
		to = from.AddDate(0, 0, 10)
	case "60d":
		to = from.AddDate(0, 0, 60)
	default:
		return pages.Happened{}, errors.New("unknown step")
	}
	d.clock.Set(to)
	rep, err := d.m.Sweep(ctx)
	if err != nil {
		return pages.Happened{}, err
	}
	h := pages.Happened{From: from, To: to}
	for _, c := range rep.Changes {
		h.Events = append(h.Events, pages.PracticeEvent{At: to, Kind: string(c.Audit.Kind), Tracking: c.Complaint.Tracking, Unit: c.Complaint.Unit})
	}
	return h, nil
}

// serve serves the practice page of d.
func (d *pageDesk) serve() string {
	d.t.Helper()
	cat, err := locales.New()
	if err != nil {
		d.t.Fatal(err)
	}
	h := pages.NewPractice(d, pages.PracticeOptions{Store: d.m.DB(), Catalog: cat, Intake: d.m.Config.Intake})
	mux := http.NewServeMux()
	mux.Handle(pages.PracticeBase, h)
	mux.Handle(pages.PracticeBase+"/", h)
	srv := httptest.NewServer(mux)
	d.t.Cleanup(srv.Close)
	return srv.URL
}

// paneOf returns the HTML of a pane of the practice page.
func paneOf(t *testing.T, page, pane string) string {
	t.Helper()
	i := strings.Index(page, `<section class="pane" id="p-`+pane+`"`)
	if i < 0 {
		t.Fatalf("no pane %s on the page", pane)
	}
	rest := page[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// pressForm posts the newest button of pane whose label holds label.
func pressForm(p *laporClient, pane, label string) {
	p.t.Helper()
	var data, shown string
	for _, m := range choiceForm.FindAllStringSubmatch(paneOf(p.t, p.page, pane), -1) {
		if l := html.UnescapeString(m[2]); strings.Contains(l, label) {
			data, shown = html.UnescapeString(m[1]), l
		}
	}
	if data == "" {
		p.t.Fatalf("no button %q in pane %s:\n%s", label, pane, stripTags(paneOf(p.t, p.page, pane)))
	}
	p.post(pages.PracticeBase+"/kirim", url.Values{"pane": {pane}, "choice": {data}, "label": {shown}})
}

func stripTags(s string) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, ""))
}

// Text typed in a unit pane's own box, neither a command nor in a request's reply
// box, is not sent to the desk (which would pass over it in silence): the page says
// what to do instead, in the page's language, on the page or to the script (422); a
// command typed there still reaches the desk.
func TestPracticeUnitPaneText(t *testing.T) {
	t.Parallel()
	d := newPageDesk(t, "2026-12-04 10:00")
	base := d.serve()
	national := flowstest.Units()[0].Code
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	typed := "Sudah saya cek, datanya lengkap."
	for _, lang := range []string{"id", "en"} {
		want, err := cat.Text(lang, "page.error.unit_text", nil)
		if err != nil || want == "" {
			t.Fatalf("page.error.unit_text in %s: %q %v", lang, want, err)
		}
		jar := newLaporClient(t, base, lang)
		jar.post("/latihan/kirim", url.Values{"pane": {national}, "text": {typed}})
		jar.wantText(want)
		if strings.Contains(stripTags(paneOf(t, jar.page, national)), typed) {
			t.Errorf("%s: the typed text went into the pane:\n%s", lang, stripTags(paneOf(t, jar.page, national)))
		}

		// The script gets the words as its error.
		req, _ := http.NewRequest("POST", base+"/latihan/kirim", strings.NewReader(url.Values{"pane": {national}, "text": {typed}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Aduan", "1")
		resp, err := jar.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Error string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || err != nil || body.Error != want {
			t.Errorf("%s: script post = %d %q (%v), want 422 %q", lang, resp.StatusCode, body.Error, err, want)
		}
	}
	var inbound int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM inbox WHERE chat = $1`, web.GroupChat(national)).Scan(&inbound); err != nil {
		t.Fatal(err)
	}
	if inbound != 0 {
		t.Errorf("%d messages of the national pane reached the desk, want none", inbound)
	}

	// A command typed in the same box is the desk's: the group's help comes back.
	jar := newLaporClient(t, base, "id")
	jar.post("/latihan/kirim", url.Values{"pane": {national}, "text": {"bantuan"}})
	if pane := stripTags(paneOf(t, jar.page, national)); !strings.Contains(pane, "Grup ini adalah grup") {
		t.Errorf("no group help after bantuan in the national pane:\n%s", pane)
	}
}

// The practice page without JavaScript: a banner, the clock, the citizen's pane and one
// pane per unit; the citizen files, the national admin's pane gets the card and acts
// as the unit's member; the clock moves to the next working day and the page lists
// what the scheduled checks did; reset asks to be sure.
func TestPracticePage(t *testing.T) {
	t.Parallel()
	d := newPageDesk(t, "2026-12-04 15:00") // a Friday
	base := d.serve()
	jar := newLaporClient(t, base, "id")
	jar.get("/latihan")
	if jar.status != http.StatusOK {
		t.Fatalf("GET /latihan: HTTP %d", jar.status)
	}
	jar.wantText("LATIHAN")
	jar.wantText("Jumat, 4 Desember 2026 pukul 15.00 WIB")
	jar.wantText("Hari kerja")
	for _, u := range d.Units() {
		paneOf(t, jar.page, u.Code)
	}
	paneOf(t, jar.page, "warga")

	// The citizen files; the national pane gets the card.
	jar.post("/latihan/kirim", url.Values{"pane": {"warga"}, "text": {"menu"}})
	for _, l := range []string{"Buat", "Setuju", "Pengaduan", "Biasa", "KTP"} {
		pressForm(jar, "warga", l)
	}
	jar.post("/latihan/kirim", url.Values{"pane": {"warga"}, "text": {"KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan."}})
	for _, l := range []string{"Lewati", "Lewati", "Selesai", "Lewati", "Lewati", "Kirim"} {
		pressForm(jar, "warga", l)
	}
	tracking := trackingNumber.FindString(stripTags(paneOf(t, jar.page, "warga")))
	if tracking == "" {
		t.Fatalf("no tracking number in the citizen's pane:\n%s", stripTags(paneOf(t, jar.page, "warga")))
	}
	jar.get("/latihan")
	national := flowstest.Units()[0].Code
	if !strings.Contains(stripTags(paneOf(t, jar.page, national)), tracking) {
		t.Fatalf("the national pane has no card of %s:\n%s", tracking, stripTags(paneOf(t, jar.page, national)))
	}
	// The national admin routes it: the unit's member acts (others are refused).
	pressForm(jar, national, "Teruskan")
	pressForm(jar, national, "Admin Kabupaten")
	k, err := d.m.DB().ComplaintByTracking(t.Context(), tracking)
	if err != nil {
		t.Fatal(err)
	}
	if k.State != flows.Routed {
		t.Fatalf("after routing from the national pane: state %s\n%s", k.State, stripTags(paneOf(t, jar.page, national)))
	}
	regency := flowstest.Units()[1].Code
	if !strings.Contains(stripTags(paneOf(t, jar.page, regency)), tracking) {
		t.Errorf("the regency pane has no card of %s", tracking)
	}
	// The clock: the next working day is Monday.
	jar.post("/latihan/waktu", url.Values{"step": {"day"}})
	jar.wantText("Senin, 7 Desember 2026 pukul 07.30 WIB")
	jar.wantText("Jumat, 4 Desember 2026 pukul 15.")
	jar.post("/latihan/waktu", url.Values{"step": {"10d"}})
	jar.wantText("Kamis, 17 Desember 2026")
	if !strings.Contains(jar.text(), "Pengingat") && !strings.Contains(jar.text(), "lewat tenggat") && !strings.Contains(jar.text(), "Dinaikkan") {
		t.Errorf("ten days on, the page lists no scheduled check:\n%s", jar.text())
	}

	// A card's button that needs words: the prompt has its own reply box, which
	// answers it.
	jar.get("/latihan")
	pressForm(jar, regency, "Kembalikan")
	m := regexp.MustCompile(`name="reply_to" value="([^"]+)"`).FindAllStringSubmatch(paneOf(t, jar.page, regency), -1)
	if m == nil {
		t.Fatalf("no reply box in the regency's pane after Kembalikan:\n%s", stripTags(paneOf(t, jar.page, regency)))
	}
	jar.post("/latihan/kirim", url.Values{"pane": {regency}, "reply_to": {m[len(m)-1][1]}, "text": {"Bukan wilayah kabupaten ini, mohon dicek ulang."}})
	pressForm(jar, regency, "Konfirmasi")
	if k, err := d.m.DB().ComplaintByTracking(t.Context(), tracking); err != nil || k.State != flows.Submitted {
		t.Errorf("after the regency sent it back with a reason: state %s (%v)\n%s", k.State, err, stripTags(paneOf(t, jar.page, regency)))
	}

	// Reset: only when sure.
	jar.post("/latihan/reset", nil)
	if d.resets != 0 {
		t.Errorf("reset without confirm")
	}
	jar.post("/latihan/reset", url.Values{"confirm": {"ya"}})
	if d.resets != 1 {
		t.Errorf("reset with confirm: %d resets", d.resets)
	}

	if testing.Short() {
		return
	}
	b := newBrowser(t, base)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"phone", 360, 740}, {"wide", 1280, 800}} {
		tb := b.fresh()
		tb.do(chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(base+"/latihan"), chromedp.WaitVisible(chromedp.CSS(".pane")))
		tb.view("latihan-" + size.name)
	}
	// With the script: the citizen files a second complaint on a wide screen, and the
	// national pane shows its card without a reload.
	wide := b.fresh()
	wide.do(chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/latihan"), chromedp.WaitVisible(chromedp.CSS(".pane")))
	wide.sayPane("warga", "menu", "")
	for _, l := range []string{"Buat", "Setuju", "Aspirasi", "Biasa", "Layanan Online"} {
		wide.pressPane("warga", l)
	}
	wide.sayPane("warga", "Mohon jam layanan online diperpanjang sampai malam hari untuk warga yang bekerja.", "")
	for _, l := range []string{"Lewati", "Lewati", "Selesai", "Lewati", "Lewati", "Kirim"} {
		wide.pressPane("warga", l)
	}
	second := ""
	for _, tr := range trackingNumber.FindAllString(eval[string](wide, `document.getElementById("p-warga").innerText`), -1) {
		if tr != tracking {
			second = tr
		}
	}
	if second == "" {
		t.Fatalf("no second tracking number in the citizen's pane:\n%s", wide.text())
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(eval[string](wide, `document.getElementById("p-`+national+`").innerText`), second) {
		if time.Now().After(deadline) {
			t.Fatalf("the national pane does not show %s without a reload", second)
		}
		time.Sleep(100 * time.Millisecond)
	}
	wide.view("latihan-wide-filed")

	tb := b.fresh()
	tb.do(chromedp.Navigate(base+"/latihan#p-"+regency), chromedp.WaitVisible(chromedp.ID("p-"+regency)))
	if eval[bool](tb, `getComputedStyle(document.getElementById("p-warga")).display !== "none"`) {
		t.Errorf("on a phone, the regency's tab shows the citizen's pane too")
	}
	tb.view("latihan-phone-regency")
}
