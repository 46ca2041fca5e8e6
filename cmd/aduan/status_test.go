package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"aduan/bot/web"
	"aduan/flows"
)

// accessCode finds an access code as the desk shows it.
var accessCode = regexp.MustCompile(`\b[34679ACDEFGHJKMNPQRTUVWXY]{4}-[34679ACDEFGHJKMNPQRTUVWXY]{4}\b`)

// statusPage gets path from the desk's HTTP endpoint.
func (d *tgDesk) statusPage(path string) (int, string) {
	d.t.Helper()
	resp, err := http.Get("http://" + d.m.Addr().String() + path)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		d.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// A citizen who files in the web chat is given the complaint's access code with the
// tracking number, and the status page of the running desk opens the complaint with
// them; the Telegram citizen of a desk without a public address gets no code.
func TestWebFilingGivesTheAccessCode(t *testing.T) {
	d := newTGDesk(t, "2026-12-01 09:00", nil)
	c := newWebChat(d)
	lines := c.file("KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.")
	var filed web.StoredLine
	for _, l := range lines {
		if l.From == web.FromDesk && trackingNumber.MatchString(strings.Join(l.Message.Blocks, "\n")) {
			filed = l
		}
	}
	if len(filed.Message.Blocks) != 2 {
		t.Fatalf("the filing line has blocks %q, want the notice and the access code:\n%s", filed.Message.Blocks, webText(lines))
	}
	tracking := trackingNumber.FindString(filed.Message.Blocks[0])
	code := accessCode.FindString(filed.Message.Blocks[1])
	want, err := d.m.DB().AccessCode(t.Context(), tracking)
	if err != nil {
		t.Fatal(err)
	}
	if code == "" || code != want || !strings.Contains(filed.Message.Blocks[1], "Simpan kode ini") {
		t.Fatalf("access block %q: code %q, want %q with what it is for", filed.Message.Blocks[1], code, want)
	}
	status, body := d.statusPage("/status/" + tracking + "?code=" + strings.ToLower(strings.ReplaceAll(code, "-", "")))
	if status != http.StatusOK || !strings.Contains(body, d.m.catalog.State("id", flows.Submitted)) {
		t.Fatalf("status page with the code: %d, want 200 with the state:\n%s", status, body)
	}
	if status, _ := d.statusPage("/status/" + tracking + "?code=AAAA-AAAA"); status != http.StatusNotFound {
		t.Fatalf("status page with a wrong code: %d, want 404", status)
	}

	// On Telegram, without --public-url, the code would point nowhere: not shown.
	tr, _ := d.file(citizenBudi, bodyKK)
	for _, call := range sent(d.calls(), citizenBudi) {
		if strings.Contains(call.Text(), tr) && (accessCode.MatchString(call.Text()) || strings.Contains(call.Text(), "/status/")) {
			t.Errorf("Telegram without a public address shows a code or link: %q", call.Text())
		}
	}
}

// With --public-url, the Telegram citizen's filing message ends with the access code
// and the status page's link, which holds the number and never the code.
func TestTelegramFilingGivesTheAccessCodeWithPublicURL(t *testing.T) {
	d := newTGDesk(t, "2026-12-01 09:00", func(m *Main) { m.Config.Web.PublicURL = "https://lapor.kuburayakab.go.id" })
	summary := d.intake(citizenSiti, bodyAkta)
	calls := d.press(citizenSiti, citizenSiti, summary, "i:confirm:send")
	filed := d.message(calls, citizenSiti, "sudah kami terima dengan nomor")
	text := filed.Text()
	tr := trackingNumber.FindString(text)
	want, err := d.m.DB().AccessCode(t.Context(), tr)
	if err != nil {
		t.Fatal(err)
	}
	link := "https://lapor.kuburayakab.go.id/status/" + tr
	if !strings.Contains(text, "Kode akses: "+want) || !strings.Contains(text, link) {
		t.Fatalf("filing message %q: want the code %s and the link %s", text, want, link)
	}
	if strings.Contains(text, link+"?") {
		t.Fatalf("the link carries more than the number: %q", text)
	}
}
