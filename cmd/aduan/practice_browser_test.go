package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aduan/flows"
)

// practiceScreens is where the practice desk's browser test keeps its screenshots:
// $ADUAN_TEST_OUTPUT when set, else aduan-practice in the temporary directory; kept
// after the run, as the test's artefacts.
func practiceScreens(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ADUAN_TEST_OUTPUT")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "aduan-practice")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// paneText is what pane shows.
func (tb *tab) paneText(pane string) string {
	return eval[string](tb, fmt.Sprintf(`(function(){var p=document.getElementById(%q);return p?p.innerText:""})()`, "p-"+pane))
}

// waitPane waits until pane shows want.
func (tb *tab) waitPane(pane, want string) {
	tb.b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(tb.paneText(pane), want) {
		if time.Now().After(deadline) {
			tb.b.t.Fatalf("pane %s does not show %q:\n%s", pane, want, tb.paneText(pane))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pressIn clicks the newest button of pane whose label holds label and waits for the
// pane's answer.
func (tb *tab) pressIn(pane, label string) {
	tb.b.t.Helper()
	before := tb.paneText(pane)
	desk := tb.paneDeskLines(pane)
	click := fmt.Sprintf(`(function(){var bs=[].filter.call(document.querySelectorAll("#p-%s .lines button"),function(b){return b.textContent.indexOf(%q)>=0});
if(!bs.length)return false;var b=bs[bs.length-1];b.scrollIntoView();window.aduanPressed=b;b.click();return true})()`, pane, label)
	if !eval[bool](tb, click) {
		tb.b.t.Fatalf("no button %q in pane %s:\n%s", label, pane, before)
	}
	// The desk's answer is a new line of the pane: wait for it, so that the next press
	// finds the buttons it offers and not those of a line before. A tap on a button the
	// page replaced at that instant posts nothing, as a person's would: only then is it
	// pressed again.
	for deadline := time.Now().Add(15 * time.Second); tb.paneDeskLines(pane) <= desk && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		if tb.paneText(pane) == before && eval[bool](tb, `!!(window.aduanPressed && !window.aduanPressed.isConnected)`) {
			tb.b.t.Logf("the button %q was replaced as it was pressed: pressed again", label)
			eval[bool](tb, click)
		}
	}
	tb.paneSettled(pane, before)
}

// paneDeskLines is how many of the desk's lines pane shows.
func (tb *tab) paneDeskLines(pane string) int {
	return eval[int](tb, fmt.Sprintf(`document.querySelectorAll("#p-%s .lines li.desk").length`, pane))
}

// paneSettled waits until pane shows something else than before (a new line, or a
// card kept current), then until nothing changes for a moment.
func (tb *tab) paneSettled(pane string, before string) {
	tb.b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	now, since := tb.paneText(pane), time.Now()
	for now == before || time.Since(since) < 300*time.Millisecond {
		if time.Now().After(deadline) {
			tb.b.t.Fatalf("pane %s did not answer:\n%s", pane, now)
		}
		time.Sleep(50 * time.Millisecond)
		if m := tb.paneText(pane); m != now {
			now, since = m, time.Now()
		}
	}
}

// sayIn types text in pane's message box and sends it.
func (tb *tab) sayIn(pane, text string) {
	tb.b.t.Helper()
	before := tb.paneText(pane)
	tb.do(chromedp.SendKeys(chromedp.CSS("#text-"+pane), text), chromedp.Click(chromedp.CSS("#tulis-"+pane+" button.primary")))
	tb.paneSettled(pane, before)
}

// replyIn types text in the newest reply box of pane (a prompt for text) and sends it.
func (tb *tab) replyIn(pane, text string) {
	tb.b.t.Helper()
	before := tb.paneText(pane)
	id := eval[string](tb, fmt.Sprintf(`(function(){var ts=document.querySelectorAll("#p-%s form.reply textarea");return ts.length?ts[ts.length-1].id:""})()`, pane))
	if id == "" {
		tb.b.t.Fatalf("no reply box in pane %s:\n%s", pane, tb.paneText(pane))
	}
	tb.do(chromedp.SendKeys(chromedp.ID(id), text), chromedp.Click(chromedp.CSS(`#`+id+` + button`)))
	tb.paneSettled(pane, before)
}

// viewTop keeps a screenshot of the top of the page (the clock and the panes' heads).
func (tb *tab) viewTop(name string) {
	tb.b.t.Helper()
	eval[bool](tb, `(window.scrollTo(0, 0), true)`)
	tb.view(name)
}

// A newcomer plays a whole path of the SOP in the practice desk that serve runs: files
// as the citizen, routes as the national admin, distributes as the regency's, tasks
// and answers as the agency's, then moves the clock ten days on and sees the
// complaint closed by itself.
func TestPracticeBrowserPath(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	r := newPracticeRun(t, "2026-12-01 09:00")
	base := "http://" + r.m.Addr().String()
	b := newBrowser(t, base)
	b.out = practiceScreens(t)
	tb := b.fresh()
	tb.do(chromedp.EmulateViewport(1600, 1000), chromedp.Navigate(base+"/latihan"), chromedp.WaitVisible(chromedp.CSS("#p-warga")))

	tb.sayIn("warga", "menu")
	for _, l := range []string{"Buat", "Setuju", "Pengaduan", "Biasa", "KTP"} {
		tb.pressIn("warga", l)
	}
	tb.sayIn("warga", "KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.")
	for _, l := range []string{"Lewati", "Lewati", "Selesai", "Lewati", "Lewati", "Kirim"} {
		tb.pressIn("warga", l)
	}
	tracking := trackingNumber.FindString(tb.paneText("warga"))
	if tracking == "" {
		t.Fatalf("no tracking number in the citizen's pane:\n%s", tb.paneText("warga"))
	}
	tb.waitPane("nasional", tracking)
	tb.viewTop("practice-1-filed")

	tb.pressIn("nasional", "Teruskan")
	tb.pressIn("nasional", "Admin Kabupaten Kubu Raya")
	tb.waitPane("kuburaya", tracking)
	tb.pressIn("kuburaya", "Disposisikan")
	tb.pressIn("kuburaya", "Dinas Kependudukan")
	tb.waitPane("dukcapil", tracking)
	tb.pressIn("dukcapil", "Tugaskan")
	tb.pressIn("dukcapil", "Tim Teknis Pendaftaran")
	tb.waitPane("tim-pendaftaran", tracking)
	tb.pressIn("dukcapil", "Jawab")
	tb.replyIn("dukcapil", "KTP-el Anda sudah dicetak dan dapat diambil di kantor Kecamatan Sungai Raya.")
	tb.pressIn("dukcapil", "Konfirmasi")
	tb.waitPane("warga", "Sungai Raya")
	k, err := r.p.DB().ComplaintByTracking(t.Context(), tracking)
	if err != nil {
		t.Fatal(err)
	}
	if k.State != flows.Answered {
		t.Fatalf("after the answer from the agency's pane the complaint is %s", k.State)
	}
	tb.viewTop("practice-2-answered")

	// Ten days on: the warning, then the closure, listed by the page.
	tb.do(chromedp.Click(chromedp.CSS(`button[data-step="10d"]`)), chromedp.WaitVisible(chromedp.CSS("#kejadian ol")))
	happened := eval[string](tb, `document.getElementById("kejadian").innerText`)
	if !strings.Contains(happened, tracking) {
		t.Errorf("the page lists nothing of %s ten days on:\n%s", tracking, happened)
	}
	k, err = r.p.DB().ComplaintByTracking(t.Context(), tracking)
	if err != nil {
		t.Fatal(err)
	}
	if k.State != flows.Closed {
		t.Fatalf("ten days after the answer the complaint is %s, want closed:\n%s", k.State, happened)
	}
	tb.waitPane("warga", "ditutup")
	tb.viewTop("practice-3-closed")
	t.Logf("screenshots in %s", b.out)
}
