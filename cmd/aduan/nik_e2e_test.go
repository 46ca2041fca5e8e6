package main

import (
	"fmt"
	"strings"
	"testing"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
	"aduan/flows/flowstest"
)

const (
	nikRatna       = "6112014501900011"
	nikRatnaMasked = "6112••••••••••11"
	nikSiti        = "6112025702850022"
)

// withNIK turns the NIK step on for the categories of the default configuration (the
// test desks turn it off).
func withNIK(m *Main) { m.Config.Intake.NIKCategories = flows.DefaultNIKCategories }

// fileWithNIK takes citizen through the intake of a complaint about the KK in privacy
// mode p, with body, no phone, a NIK first mistyped (15 digits: the citizen is told how
// many), then typed as people write it, and sends it. It returns the tracking number
// and the national group's card.
func (d *tgDesk) fileWithNIK(citizen int64, p flows.Privacy, body, nik string) (string, tgfake.Call) {
	d.t.Helper()
	calls := d.do(tgfake.TextMessage(citizen, citizen, "/lapor"))
	msg := d.message(calls, citizen, "Pemberitahuan privasi")
	for _, data := range []string{"i:consent:ok", "i:type:pengaduan", "i:privacy:" + string(p), "i:category:kk"} {
		calls = d.press(citizen, citizen, msg, data)
		msg = sent(calls, citizen)[len(sent(calls, citizen))-1]
	}
	ask := d.message(calls, citizen, "Ceritakan apa yang terjadi")
	if !strings.Contains(ask.Text(), "kami menanyakannya tersendiri") {
		d.t.Errorf("the description's hint does not say the NIK is asked separately: %q", ask.Text())
	}
	calls = d.do(tgfake.TextMessage(citizen, citizen, body))
	msg = d.message(calls, citizen, "Kapan kejadiannya")
	calls = d.press(citizen, citizen, msg, "i:when:skip")
	msg = d.message(calls, citizen, "Di mana kejadiannya")
	calls = d.press(citizen, citizen, msg, "i:where:skip")
	msg = d.message(calls, citizen, "Kirim foto atau dokumen")
	calls = d.press(citizen, citizen, msg, "i:files:done")
	d.message(calls, citizen, "Nomor telepon")
	calls = d.do(tgfake.TextMessage(citizen, citizen, "Lewati"))
	ask = d.message(calls, citizen, "Ketik NIK Anda")
	if !strings.Contains(ask.Text(), "petugas mungkin perlu menanyakannya nanti") || len(d.buttons(citizen, ask)) != 1 {
		d.t.Errorf("the NIK step does not offer to skip it: %q %v", ask.Text(), d.buttons(citizen, ask))
	}
	calls = d.do(tgfake.TextMessage(citizen, citizen, nik[:4]+" "+nik[4:8]+" "+nik[8:12]+" "+nik[12:15]))
	d.message(calls, citizen, "NIK terdiri atas 16 angka, yang Anda kirim 15 angka")
	calls = d.do(tgfake.TextMessage(citizen, citizen, nik[:4]+"-"+nik[4:8]+"-"+nik[8:12]+"-"+nik[12:]))
	noted := d.message(calls, citizen, "kami catat")
	masked := flows.NIK(nik).Masked()
	if !strings.Contains(noted.Text(), "NIK "+masked) || strings.Contains(noted.Text(), nik) {
		d.t.Errorf("the NIK is noted as %q, want it masked", noted.Text())
	}
	msg = d.message(calls, citizen, "Alamat e-mail")
	calls = d.press(citizen, citizen, msg, "i:email:skip")
	summary := d.message(calls, citizen, "Periksa kembali aduan Anda")
	if !strings.Contains(summary.Text(), "NIK: "+masked+"\n") || strings.Contains(summary.Text(), "NIK: "+nik) {
		d.t.Errorf("the summary shows the NIK as:\n%s", summary.Text())
	}
	calls = d.press(citizen, citizen, summary, "i:confirm:send")
	tr := trackingNumber.FindString(d.message(calls, citizen, "aduan Anda sudah kami terima dengan nomor").Text())
	if got := d.complaint(tr).Contact.NIK; got != flows.NIK(nik) {
		d.t.Fatalf("%s: stored NIK %q, want %q", tr, got, nik)
	}
	return tr, d.message(calls, groupNational, "Aduan baru "+tr)
}

// pressNIK presses the card's Lihat NIK button as user and returns the answer to the
// press (the callback's text), failing when no press answer came.
func (d *tgDesk) pressNIK(chat, user int64, card tgfake.Call, complaint int64) (answer, alert string, calls []tgfake.Call) {
	d.t.Helper()
	upd := tgfake.Callback(chat, user, card.MessageID, flows.View{What: flows.ViewNIK, Complaint: complaint}.Data())
	calls = d.do(upd)
	for _, c := range calls {
		if c.Method == "answerCallbackQuery" && c.Fields["callback_query_id"] == upd.CallbackQuery.ID {
			return c.Fields["text"], c.Fields["show_alert"], calls
		}
	}
	d.t.Fatalf("the press of Lihat NIK in %d was not answered", chat)
	return "", "", nil
}

// TestTelegramNIK files a complaint about the KK with a NIK on Telegram: the citizen is
// told what is wrong with a mistyped NIK; the summary and every card show the NIK
// masked, and a NIK the citizen wrote in the description masked too, biasa included;
// Lihat NIK on the card of the unit holding it tells the presser alone the whole
// number, recorded in `aduan audit access`; a confidential complaint's card at the
// agency shows nothing of the NIK and its button (forged) answers nothing; `complaints
// show` prints it masked, whole with --nik, each recorded.
func TestTelegramNIK(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", withNIK)
	body := "KK baru saya belum dicetak sejak tiga minggu. NIK saya " + nikRatna + " dan HP 0812-3456-7890, mohon dibantu."
	tr, card := d.fileWithNIK(citizenBudi, flows.Ordinary, body, nikRatna)
	c := d.complaint(tr)
	if !strings.Contains(card.Text(), "NIK "+nikRatnaMasked) || strings.Contains(card.Text(), nikRatna) {
		t.Errorf("the national card shows the NIK as:\n%s", card.Text())
	}
	if !strings.Contains(card.Text(), "NIK saya ••••••••••••••••") || !strings.Contains(card.Text(), "0812-3456-7890") {
		t.Errorf("the card's description: the NIK is not masked, or the phone (biasa) is:\n%s", card.Text())
	}
	if b := d.button(groupNational, card, `^v:nik:\d+$`); b != (flows.View{What: flows.ViewNIK, Complaint: c.ID}).Data() {
		t.Errorf("Lihat NIK button %q", b)
	}

	// The admin who presses it is told the whole number alone, as an alert.
	answer, alert, calls := d.pressNIK(groupNational, adminNational, card, c.ID)
	if !strings.Contains(answer, nikRatna) || alert != "true" {
		t.Errorf("the press answer %q (alert %s), want the whole NIK in an alert", answer, alert)
	}
	for _, call := range calls {
		if call.Method != "answerCallbackQuery" && strings.Contains(fmt.Sprint(call.Fields), nikRatna) {
			t.Errorf("the whole NIK went out in %s to %d", call.Method, call.ChatID())
		}
	}
	cl := &cli{t: t, env: map[string]string{"DATABASE_URL": d.url}, clock: d.clock}
	access := cl.ok("audit", "access", "--complaint", tr)
	if !accessLine(access, "unit:"+flowstest.National+" member:", "nik") {
		t.Errorf("the view is not in the access log:\n%s", access)
	}
	if strings.Contains(access, nikRatna) || strings.Contains(access, fmt.Sprint(adminNational)) {
		t.Errorf("the access log names the NIK or the member's Telegram ID:\n%s", access)
	}

	// The command line: masked, whole only when asked, and each show recorded.
	show := cl.ok("complaints", "show", tr)
	if !strings.Contains(show, nikRatnaMasked) || strings.Contains(show, nikRatna) {
		t.Errorf("complaints show prints the NIK as:\n%s", show)
	}
	if show := cl.ok("complaints", "show", tr, "--nik", "--json"); !strings.Contains(show, `"nik": "`+nikRatna+`"`) {
		t.Errorf("complaints show --nik:\n%s", show)
	}
	access = cl.ok("audit", "access", "--complaint", tr)
	if strings.Count(access, "complaints.show") != 2 || strings.Count(access, "complaints.show.nik") != 1 {
		t.Errorf("the shows in the access log:\n%s", access)
	}

	// Routed to the regency: its card (the unit holding it) offers the button; the
	// national card no longer does, and its old button reveals nothing.
	calls = d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	regencyCard := d.message(calls, groupRegency, "Aduan baru "+tr)
	d.button(groupRegency, regencyCard, `^v:nik:\d+$`)
	if answer, _, _ := d.pressNIK(groupNational, adminNational, card, c.ID); strings.Contains(answer, "6112") {
		t.Errorf("the national group, no longer holding it, was told %q", answer)
	}

	// Rahasia: the agency sees nothing of the NIK, and a forged press reveals nothing.
	tr2, card2 := d.fileWithNIK(citizenSiti, flows.Confidential, "KK saya salah nama ibu sejak sebulan lalu, mohon dibantu petugas.", nikSiti)
	c2 := d.complaint(tr2)
	if !strings.Contains(card2.Text(), "NIK "+flows.NIK(nikSiti).Masked()) {
		t.Errorf("the national card of the confidential complaint (the identity visible) lacks the masked NIK:\n%s", card2.Text())
	}
	calls = d.choose(groupNational, adminNational, card2, flows.EvRoute, flowstest.Regency)
	regencyCard2 := d.message(calls, groupRegency, "Aduan baru "+tr2)
	calls = d.choose(groupRegency, adminRegency, regencyCard2, flows.EvDistribute, flowstest.Agency)
	agencyCard := d.message(calls, groupAgency, "Aduan baru "+tr2)
	if strings.Contains(agencyCard.Text(), "NIK") || strings.Contains(agencyCard.Text(), "6112") {
		t.Errorf("the agency's card of a confidential complaint shows the NIK:\n%s", agencyCard.Text())
	}
	for _, b := range d.buttons(groupAgency, agencyCard) {
		if strings.HasPrefix(b, "v:nik:") {
			t.Errorf("the agency's card offers %q", b)
		}
	}
	if answer, _, _ := d.pressNIK(groupAgency, adminAgency, agencyCard, c2.ID); strings.Contains(answer, "6112") {
		t.Errorf("a forged Lihat NIK at the agency answered %q", answer)
	}
	if out := cl.ok("audit", "access", "--complaint", tr2); accessLine(out, "unit:", "nik") {
		t.Errorf("a view of the confidential complaint's NIK was logged:\n%s", out)
	}
	d.noFailedCalls()

	// The log holds neither NIK.
	for _, n := range []string{nikRatna, nikSiti} {
		if strings.Contains(d.log.String(), n) {
			t.Errorf("the log holds the NIK %s", n)
		}
	}
}

// accessLine reports whether a line of `aduan audit access` names who (a prefix of the
// field) and what (the whole field).
func accessLine(out, who, what string) bool {
	for line := range strings.SplitSeq(out, "\n") {
		if !strings.Contains(line, who) {
			continue
		}
		for _, f := range strings.Fields(line) {
			if f == what {
				return true
			}
		}
	}
	return false
}
