package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"aduan/bot/telegram/tgfake"
	"aduan/bot/web"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store/storetest"
)

// The tests in this file run whole journeys on the web surfaces only: the citizen in
// /lapor over real HTTP, the units in their web groups (a unit's pane, whose member
// posts as the practice page's panes do), the whole program behind them on a real
// database, at debug level.

// newWebDesk starts Main with every fixture unit working in its web group (Telegram
// runs beside it, with no unit and no citizen, so that no practice desk starts).
func newWebDesk(t *testing.T, start string) *tgDesk {
	t.Helper()
	units := flowstest.Units()
	for i := range units {
		units[i].Chats = []flows.ChatRef{{Channel: web.Name, Chat: web.GroupChat(units[i].Code)}}
	}
	db, dbURL := storetest.New(t)
	if _, err := db.ApplyUnits(t.Context(), mustDirectory(t, units), flowstest.At(t, "2026-11-01 00:00")); err != nil {
		t.Fatal(err)
	}
	d := &tgDesk{t: t, url: dbURL, clock: flowstest.NewClock(flowstest.At(t, start)), log: &storetest.LogBuffer{}, failed: map[string]error{}}
	d.fake = tgfake.New(tgToken)
	t.Cleanup(d.fake.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("desk log:\n%s", d.log)
		}
	})
	d.start()
	return d
}

// unitPane returns the web group of a unit as its member sees it.
func unitPane(d *tgDesk, unit, name string) *webChat {
	chat := web.GroupChat(unit)
	return webChatOf(d, chat, web.Member(chat), name)
}

// card returns the lines of the pane since its last look, failing unless one of them
// is a card of tracking with buttons.
func (c *webChat) card(tracking string) []web.StoredLine {
	c.d.t.Helper()
	lines := c.fresh()
	for _, l := range lines {
		if strings.Contains(webText([]web.StoredLine{l}), tracking) && len(l.Message.Numbered()) > 0 {
			return lines
		}
	}
	c.d.t.Fatalf("no card of %s in %s:\n%s", tracking, c.chat, webText(lines))
	return nil
}

// choose presses the card's action, then the target unit offered.
func (c *webChat) choose(lines []web.StoredLine, action, target string) []web.StoredLine {
	c.d.t.Helper()
	lines = c.press(lines, action)
	return c.press(lines, target)
}

// act presses the card's action that needs text, answers the prompt with text (as its
// reply box does) and confirms.
func (c *webChat) act(lines []web.StoredLine, action, text string) []web.StoredLine {
	c.d.t.Helper()
	lines = c.press(lines, action)
	prompt := lines[len(lines)-1]
	if prompt.From != web.FromDesk || !strings.Contains(webText([]web.StoredLine{prompt}), action) {
		c.d.t.Fatalf("no prompt for the text after %q:\n%s", action, webText(lines))
	}
	lines = c.post(web.Input{Text: text, ReplyTo: prompt.Ref})
	return c.press(lines, "Konfirmasi")
}

// webCitizen is the citizen of the web journeys, and what identifies them.
type webCitizen struct {
	name, phone, email, nik string
	body, reply             string
}

var wulan = webCitizen{
	name: "Wulan Sekarwangi", phone: "0813-7777-8888", email: "wulan.sekar@example.id", nik: "6112014501900011",
	body:  "KTP-el saya belum jadi sejak tiga bulan padahal sudah rekam data. NIK saya 6112014501900011, nomor saya 0813-7777-8888.",
	reply: "Di kecamatan dibilang blangkonya habis, mohon dipastikan lagi kapan bisa diambil.",
}

// needles are the strings that identify the citizen or repeat what they wrote.
func (w webCitizen) needles() []string {
	return append(phoneForms(w.phone), w.name, "Wulan", "Sekarwangi", w.email, w.nik, w.body, w.reply)
}

// fileOnLapor files w's complaint in /lapor: the name on the start page, the NIK and
// phone in the description, the phone and e-mail asked; it returns the tracking number
// and the access code the page shows.
func (p *laporClient) fileAs(w webCitizen, privacy string) (tracking, code string) {
	p.t.Helper()
	p.post("/lapor/mulai", url.Values{"nama": {w.name}})
	for _, l := range []string{"Buat", "Setuju", "Pengaduan", privacy, "KTP"} {
		p.press(l)
	}
	p.say(w.body)
	p.press("Lewati")
	p.press("Lewati")
	p.press("Selesai")
	if privacy != "Anonim" {
		p.wantText("Nomor telepon")
		p.say(w.phone)
		p.wantText("Alamat e-mail")
		p.say(w.email)
	}
	p.wantText("Periksa kembali")
	p.press("Kirim")
	return p.filed()
}

// A whole journey on the web surfaces at debug level: the citizen files in /lapor
// (name, phone, e-mail, a NIK and the phone in the description), the units route,
// distribute and answer in their web groups, the citizen replies, is answered again,
// is satisfied and rates, follows it on /status with the access code, asks for a copy
// of their data and for its deletion. The whole log then holds nothing that identifies
// the citizen or repeats what they wrote, nor their chat's token, nor the access code,
// nor any of the desk's secrets.
func TestWebJourneyLogHoldsNothingPersonal(t *testing.T) {
	t.Parallel()
	d := newWebDesk(t, "2026-12-01 09:00")
	p := newLaporClient(t, deskURL(d), "id")
	tracking, code := p.fileAs(wulan, "Biasa")
	token := chatCookieOf(t, p)
	k := d.complaint(tracking)
	if k.Contact.Channel != web.Name || k.Contact.Chat != token || k.Contact.Name != wulan.name || k.Contact.Email != wulan.email ||
		!strings.HasSuffix(k.Contact.Phone, "81377778888") || k.Body != wulan.body {
		t.Fatalf("complaint %s: %+v", tracking, k)
	}

	national := unitPane(d, flowstest.National, "Rina")
	regency := unitPane(d, flowstest.Regency, "Yusuf")
	agency := unitPane(d, flowstest.Agency, "Sari")
	national.choose(national.card(tracking), "Teruskan", "Admin Kabupaten")
	regency.choose(regency.card(tracking), "Disposisikan", "Dinas Dukcapil")
	answer := "Blangko KTP-el sudah tersedia; KTP-el Anda dapat diambil di kecamatan mulai Kamis."
	agency.act(agency.card(tracking), "Jawab", answer)
	if st := d.complaint(tracking).State; st != flows.Answered {
		t.Fatalf("after the answer: %s", st)
	}

	// The citizen reads the answer in their chat and replies.
	p.get("/lapor")
	p.wantText(answer)
	p.press("Balas")
	p.wantText("Tulis tanggapan Anda")
	p.say(wulan.reply)
	d.settle()
	if st := d.complaint(tracking).State; st != flows.InProgress {
		t.Fatalf("after the reply: %s", st)
	}
	again := "Mohon maaf, blangko baru tiba hari ini; KTP-el Anda sudah dicetak dan menunggu di loket 2."
	agency.act(agency.card(tracking), "Jawab", again)

	// Another browser follows it on the status page with the access code.
	status, page := d.statusPage("/status/" + tracking + "?code=" + strings.ToLower(strings.ReplaceAll(code, "-", "")))
	if status != 200 || !strings.Contains(page, tracking) {
		t.Fatalf("the status page with the code: HTTP %d\n%s", status, page)
	}
	follower := newLaporClient(t, deskURL(d), "id")
	follower.post("/lapor/ikuti", url.Values{"tracking": {tracking}, "code": {"AAAA-AAAA"}})
	follower.wantText("kode akses salah")
	follower.post("/lapor/ikuti", url.Values{"tracking": {tracking}, "code": {code}})
	follower.wantText(again)
	// What goes wrong is logged too: a chat cookie never started, a choice tampered with.
	forged := newLaporClient(t, deskURL(d), "id")
	forged.c.Jar.SetCookies(mustParseURL(t, deskURL(d)+"/lapor"), []*http.Cookie{{Name: "aduan_chat", Value: web.CitizenChat(), Path: "/lapor"}})
	forged.say(wulan.body)
	forged.wantText("Percakapan belum dimulai")
	p.post("/lapor/kirim", url.Values{"pane": {"warga"}, "choice": {"c:rate:" + tracking + ":9"}, "label": {wulan.name}})

	// Satisfied, then a rating.
	p.get("/lapor")
	p.press("Saya Puas")
	p.wantText("Mohon beri penilaian")
	p.press("4")
	p.wantText("Terima kasih atas penilaian 4 dari 5")
	if k := d.complaint(tracking); k.State != flows.Closed || k.Rating != 4 {
		t.Fatalf("after the rating: %s, rated %d", k.State, k.Rating)
	}

	// A copy of the data, then its deletion.
	p.say("/datasaya")
	p.wantText("salinan data pribadi Anda")
	p.say("/hapusdata")
	p.wantText("Anda meminta kami menghapus data pribadi Anda")
	p.press("Setuju")
	d.settle()
	if k := d.complaint(tracking); k.Body != "" || k.Contact.Name != "" || k.Contact.Chat != flows.ErasedChat {
		t.Errorf("after /hapusdata: %+v", k)
	}

	// The scheduled checks and the retention sweep run over it all.
	d.sweepAt(d.clock.Now().Add(time.Hour))

	logged := d.log.String()
	if !strings.Contains(logged, "deletion request recorded") || !strings.Contains(logged, "data request completed") {
		t.Errorf("the log does not tell the operator of the requests")
	}
	secrets := append(wulan.needles(), answer, again, token, strings.TrimPrefix(token, web.CitizenPrefix))
	secrets = append(secrets, accessCodeForms(code)...)
	secrets = append(secrets, deskSecrets(t, d)...)
	wantLogClean(t, logged, secrets...)
}
