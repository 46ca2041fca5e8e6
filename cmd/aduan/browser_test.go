package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// The tests in this file drive the desk's pages in headless Chromium (Debian's
// chromium, through chromedp) as a person would: they click the buttons, type, attach
// a photo, and read what the page shows.

// browser is one headless Chromium for a test, and the desk's address.
type browser struct {
	t     *testing.T
	alloc context.Context
	base  string
	out   string // where screenshots are kept
}

// newBrowser starts headless Chromium (Indonesian, a phone's screen) for the desk at
// base. Without chromium the test is skipped, except in CI (CI=true), where it fails.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is not installed (CI must install Debian's chromium): %v", err)
		}
		t.Skip("chromium is not installed: browser tests skipped (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.Flag("lang", "id"), chromedp.Flag("accept-lang", "id"), chromedp.WindowSize(360, 740))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	root, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(root); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	out := os.Getenv("ADUAN_TEST_OUTPUT")
	if out == "" {
		out = t.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, alloc: root, base: base, out: out}
}

// tab is one browsing context (its own cookies) with one tab.
type tab struct {
	b   *browser
	ctx context.Context
}

// fresh opens a new browsing context: no cookies of any other.
func (b *browser) fresh() *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.alloc, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil { // a cheap phone's screen
		b.t.Fatalf("start chromium: %v", err)
	}
	return &tab{b: b, ctx: ctx}
}

// do runs steps with a timeout.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.b.t.Fatalf("browser: %v\npage:\n%s", err, tb.text())
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](tb *tab, js string) T {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.b.t.Fatalf("browser: %s: %v", js, err)
	}
	return v
}

// text is what the page shows.
func (tb *tab) text() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return s
}

// deskLines is how many of the desk's lines the page shows.
func (tb *tab) deskLines() int {
	return eval[int](tb, `document.querySelectorAll(".lines li.desk").length`)
}

// allLines is how many lines, the desk's and the people's, the page shows.
func (tb *tab) allLines() int {
	return eval[int](tb, `document.querySelectorAll(".lines li.line").length`)
}

// settled waits until the page shows more of the desk's lines than before, and then
// until no more come for a moment.
func (tb *tab) settled(before int) {
	tb.b.t.Helper()
	deadline := time.Now().Add(30 * time.Second) // CI runs it beside other packages, under -race
	n, since := tb.deskLines(), time.Now()
	for n <= before || time.Since(since) < 400*time.Millisecond {
		if time.Now().After(deadline) {
			tb.b.t.Fatalf("the desk did not answer (%d lines, %d before):\n%s", n, before, tb.text())
		}
		time.Sleep(50 * time.Millisecond)
		if m := tb.deskLines(); m != n {
			n, since = m, time.Now()
		}
	}
}

// press clicks the newest button whose label holds label, and waits for the answer.
func (tb *tab) press(label string) { tb.b.t.Helper(); tb.pressPane("", label) }

// pressPane clicks the newest button of pane (its name: "warga", a unit's code; "" for
// any) whose label holds label, and waits for the desk's answer in any pane. On a
// phone, the pane's tab is opened first.
func (tb *tab) pressPane(pane, label string) {
	tb.b.t.Helper()
	before, lines := tb.deskLines(), tb.allLines()
	ok := eval[bool](tb, fmt.Sprintf(`(function(){var pane=%q, root=pane?document.getElementById("p-"+pane):document;
if(!root)return false;if(pane&&location.hash!=="#p-"+pane)location.hash="#p-"+pane;
var bs=[].filter.call(root.querySelectorAll(".lines button"),function(b){return b.textContent.indexOf(%q)>=0});
if(!bs.length)return false;var b=bs[bs.length-1];b.scrollIntoView();window.aduanPressed=b;b.click();return true})()`, pane, label))
	if !ok {
		tb.b.t.Fatalf("no button %q in pane %q:\n%s", label, pane, tb.text())
	}
	// A tap on a button the page replaced at that instant (a line updated in place)
	// reaches no form and posts nothing, as a person's would: who sees nothing happen
	// taps again. The test does so only then — no line at all came, not even the
	// press's own, which a slow desk shows long before its answer — so that nothing is
	// pressed twice.
	for deadline := time.Now().Add(5 * time.Second); tb.allLines() <= lines && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if tb.allLines() <= lines && eval[bool](tb, `!!(window.aduanPressed && !window.aduanPressed.isConnected)`) {
		tb.b.t.Logf("the button %q was replaced as it was pressed: pressed again", label)
		eval[bool](tb, fmt.Sprintf(`(function(){var pane=%q, root=pane?document.getElementById("p-"+pane):document;
var bs=[].filter.call(root.querySelectorAll(".lines button"),function(b){return b.textContent.indexOf(%q)>=0});
if(!bs.length)return false;var b=bs[bs.length-1];window.aduanPressed=b;b.click();return true})()`, pane, label))
	}
	tb.settled(before)
}

// say types text in the citizen's message box and sends it, with a file when one is
// given.
func (tb *tab) say(text, file string) { tb.b.t.Helper(); tb.sayPane("warga", text, file) }

// sayPane types text in pane's message box and sends it, with a file when one is given
// (a citizen's pane), and waits for the desk's answer in any pane.
func (tb *tab) sayPane(pane, text, file string) {
	tb.b.t.Helper()
	before := tb.deskLines()
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash="#p-"+%q`, pane)))
	steps := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.CSS("#text-"+pane), text)}
	if file != "" {
		steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS("#tulis-"+pane+` input[type=file]`), []string{file}))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("#tulis-"+pane+" button.primary")))
	tb.do(steps...)
	tb.settled(before)
}

// shot keeps a screenshot of the whole page as name.png.
func (tb *tab) shot(name string) { tb.b.t.Helper(); tb.keep(name, chromedp.FullScreenshot(100)) }

// view keeps a screenshot of what the window shows as name.png.
func (tb *tab) view(name string) { tb.b.t.Helper(); tb.keep(name, chromedp.CaptureScreenshot()) }

func (tb *tab) keep(name string, a chromedp.Action[[]byte]) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(tb.b.out, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		tb.b.t.Error(err)
	}
	tb.b.t.Logf("screenshot: %s", path)
}

// testPhoto writes a small PNG and returns its path.
func testPhoto(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ktp-antrean.png")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var webAccessCode = regexp.MustCompile(`Kode akses: ([A-Z0-9]{4}-[A-Z0-9]{4})`)

// A citizen files a complaint in /lapor with the buttons, typing and a photo, and sees
// the tracking number and the access code; later, in a fresh browser, the number and
// the code open the complaint's chat: the photo, the agency's answer, and the citizen
// says they are satisfied and rates. A browser without the chat gets neither the
// chat nor the photo.
func TestBrowserLaporFileAndFollow(t *testing.T) {
	d := newTGDesk(t, "2026-12-01 09:00", nil)
	base := "http://" + d.m.Addr().String()
	b := newBrowser(t, base)
	citizen := b.fresh()
	citizen.do(chromedp.Navigate(base+"/lapor"), chromedp.WaitVisible(chromedp.ID("mulai")))
	citizen.shot("lapor-start")
	before := citizen.deskLines()
	citizen.do(chromedp.Click(chromedp.ID("mulai")), chromedp.WaitVisible(chromedp.CSS(".pane")))
	citizen.settled(before)
	citizen.press("Buat")
	citizen.press("Setuju")
	citizen.press("Pengaduan")
	citizen.press("Biasa")
	citizen.press("KTP")
	citizen.say("KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.", "")
	citizen.press("Lewati")
	citizen.press("Lewati")
	citizen.say("Antrean di loket", testPhoto(t))
	if n := eval[int](citizen, `document.querySelectorAll(".lines li.mine img").length`); n != 1 {
		t.Fatalf("the photo sent is not shown in the chat (%d images):\n%s", n, citizen.text())
	}
	citizen.press("Selesai")
	citizen.press("Lewati")
	citizen.press("Lewati")
	citizen.shot("lapor-confirm")
	citizen.press("Kirim")
	page := citizen.text()
	tracking := trackingNumber.FindString(page)
	code := webAccessCode.FindStringSubmatch(page)
	if tracking == "" || code == nil {
		t.Fatalf("no tracking number or access code after sending:\n%s", page)
	}
	citizen.shot("lapor-filed")
	k := d.complaint(tracking)
	if len(k.Attachment) != 1 || k.Attachment[0].Kind != "photo" || k.State != flows.Submitted {
		t.Fatalf("complaint %s: %d attachments %v, state %s", tracking, len(k.Attachment), k.Attachment, k.State)
	}
	photo := eval[string](citizen, `document.querySelector(".lines li.mine img").getAttribute("src")`)

	// The units answer on Telegram.
	calls := d.settle()
	card := d.message(calls, groupNational, tracking)
	calls = d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	regency := d.message(calls, groupRegency, "Aduan baru "+tracking)
	calls = d.choose(groupRegency, adminRegency, regency, flows.EvDistribute, flowstest.Agency)
	agency := d.message(calls, groupAgency, "Aduan baru "+tracking)

	// Later, another browser: the number and the code open the chat, and the answer
	// comes in while the page is open.
	later := b.fresh()
	later.do(chromedp.Navigate(base+"/lapor"), chromedp.WaitVisible(chromedp.ID("ikuti")))
	later.do(chromedp.SendKeys(chromedp.ID("tracking"), tracking), chromedp.SendKeys(chromedp.ID("code"), strings.ToLower(code[1])),
		chromedp.Submit(chromedp.ID("ikuti")), chromedp.WaitVisible(chromedp.CSS(".pane")))
	if !strings.Contains(later.text(), tracking) {
		t.Fatalf("the followed chat does not show %s:\n%s", tracking, later.text())
	}
	answer := "KTP-el Anda sudah dicetak dan dapat diambil di kantor kecamatan mulai besok."
	d.act(groupAgency, adminAgency, agency, flows.EvAnswer, answer)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(later.text(), answer) {
		if time.Now().After(deadline) {
			t.Fatalf("the open page does not show the answer:\n%s", later.text())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := eval[int](later, `document.querySelectorAll(".lines li.mine img").length`); n != 1 {
		t.Errorf("the followed chat does not show the photo")
	}
	later.shot("lapor-followed")
	later.press("Saya Puas")
	later.press("5")
	d.settle()
	if k := d.complaint(tracking); k.State != flows.Closed || k.Rating != 5 {
		t.Errorf("after satisfied and 5: state %s, rating %d", k.State, k.Rating)
	}

	// A browser without the chat: no photo, no chat.
	resp, err := http.Get(base + photo)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the photo without the chat's cookie: HTTP %d, want 404", resp.StatusCode)
	}
	stranger := b.fresh()
	stranger.do(chromedp.Navigate(base + "/lapor"))
	if s := stranger.text(); strings.Contains(s, tracking) || strings.Contains(s, "KTP-el saya") {
		t.Errorf("a fresh browser sees the chat:\n%s", s)
	}
	wrong := b.fresh()
	wrong.do(chromedp.Navigate(base+"/lapor"), chromedp.SendKeys(chromedp.ID("tracking"), tracking),
		chromedp.SendKeys(chromedp.ID("code"), "AAAA-AAAA"), chromedp.Submit(chromedp.ID("ikuti")), chromedp.WaitVisible(chromedp.ID("pesan")))
	if s := wrong.text(); strings.Contains(s, "KTP-el saya") || !strings.Contains(s, "kode akses salah") {
		t.Errorf("a wrong code:\n%s", s)
	}
}
