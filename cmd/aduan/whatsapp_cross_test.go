package main

import (
	"strings"
	"testing"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// TestWhatsAppCitizenTelegramUnits files a complaint over WhatsApp that the units work
// in their Telegram groups with buttons: every notice to the citizen goes to WhatsApp,
// every card to Telegram, and the citizen's reply on WhatsApp reaches the agency's
// Telegram group.
func TestWhatsAppCitizenTelegramUnits(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnTelegram)
	cit := waBudi
	tr, sent := d.waFile(cit, bodyKK)
	card := d.message(d.lastTG, groupNational, "Aduan baru "+tr)
	wantText(t, "national card on Telegram", card.Text(), "Pelapor: Budi", bodyKK)
	for _, s := range sent {
		if s.To != cit.JID {
			t.Errorf("a WhatsApp message to %s: %q", s.To, s.Text())
		}
	}

	calls := d.tgDesk.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	sent = d.wa.Take()
	d.wantState(tr, flows.Routed, 2)
	d.msg(sent, cit.JID, "sudah diverifikasi dan sedang disalurkan")
	regencyCard := d.message(calls, groupRegency, "Aduan baru "+tr)
	calls = d.tgDesk.choose(groupRegency, adminRegency, regencyCard, flows.EvDistribute, flowstest.Agency)
	sent = d.wa.Take()
	d.msg(sent, cit.JID, "sudah diteruskan ke Dinas Dukcapil Kubu Raya")
	agencyCard := d.message(calls, groupAgency, "Aduan baru "+tr)

	answer := "KK Bapak sudah dapat diambil di kantor kecamatan."
	d.tgDesk.act(groupAgency, adminAgency, agencyCard, flows.EvAnswer, answer)
	sent = d.wa.Take()
	d.wantState(tr, flows.Answered, 4)
	answered := d.msg(sent, cit.JID, "sudah dijawab oleh Dinas Dukcapil Kubu Raya")
	wantText(t, "answer on WhatsApp", answered.Text(), answer)

	// The citizen replies by quoting the answer with their text.
	reply := "Belum ada di kecamatan, petugas bilang belum dikirim."
	sent = d.quote(cit.JID, cit, answered, reply)
	d.wantState(tr, flows.InProgress, 5)
	d.msg(sent, cit.JID, "Tanggapan Anda untuk aduan "+tr+" sudah kami terima")
	wantText(t, "reply on Telegram", d.message(d.lastTG, groupAgency, "Pelapor menanggapi jawaban aduan "+tr).Text(), reply)
	if got := auditKinds(d.audit(tr)); strings.Join(got, " ") != "file route distribute answer reply" {
		t.Errorf("audit trail %v", got)
	}
}

// TestTelegramCitizenWhatsAppUnits files a complaint over Telegram that the units work
// in their WhatsApp groups by quoting cards with numbers: the citizen hears on Telegram.
func TestTelegramCitizenWhatsAppUnits(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)
	cit := citizenBudi
	summary := d.intake(cit, bodyAkta)
	calls := d.press(cit, cit, summary, "i:confirm:send")
	tr := trackingNumber.FindString(d.message(calls, cit, "aduan Anda sudah kami terima dengan nomor").Text())
	sent := d.wa.Take()
	card := d.msg(sent, waNational, "Aduan baru "+tr)
	wantText(t, "national card on WhatsApp", card.Text(), "Pelapor: Tester", bodyAkta)
	for _, c := range calls {
		if c.Method == "sendMessage" && c.ChatID() != cit {
			t.Errorf("a Telegram message to %d: %q", c.ChatID(), c.Text())
		}
	}

	sent = d.choose(waNational, waAdminNational, card, "Teruskan", "Admin Kabupaten Kubu Raya")
	d.wantState(tr, flows.Routed, 2)
	d.message(d.lastTG, cit, "sudah diverifikasi dan sedang disalurkan")
	regencyCard := d.msg(sent, waRegency, "Aduan baru "+tr)
	sent = d.choose(waRegency, waAdminRegency, regencyCard, "Disposisikan", "Dinas Dukcapil Kubu Raya")
	d.message(d.lastTG, cit, "sudah diteruskan ke Dinas Dukcapil Kubu Raya")
	agencyCard := d.msg(sent, waAgency, "Aduan baru "+tr)

	answer := "Akta sudah terbit dan dapat diambil di kantor Disdukcapil."
	d.act(waAgency, waAdminAgency, agencyCard, "Jawab", answer)
	d.wantState(tr, flows.Answered, 4)
	answered := d.message(d.lastTG, cit, "sudah dijawab oleh Dinas Dukcapil Kubu Raya")
	wantText(t, "answer on Telegram", answered.Text(), answer)

	// The citizen is satisfied, with the button: the agency's group hears it on WhatsApp.
	calls, sent = d.tg(tgfake.Callback(cit, cit, answered.MessageID, "c:sat:"+tr))
	d.wantState(tr, flows.Closed, 5)
	d.message(calls, cit, tr)
	d.msg(sent, waAgency, "Aduan "+tr+" selesai")
}

// TestUnitsInBothChannels: units that work in a Telegram group and a WhatsApp group at
// once get each card in both; an action taken in one is taken for the unit: the card
// in the other stops offering it, and a quote of the old WhatsApp card afterwards is
// refused as changed.
func TestUnitsInBothChannels(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnBoth)
	tr, sent := d.waFile(waBudi, bodyKK)
	waCard := d.msg(sent, waNational, "Aduan baru "+tr)
	tgCard := d.message(d.lastTG, groupNational, "Aduan baru "+tr)

	// Routed from the Telegram group: the regency's card reaches both its groups.
	calls := d.tgDesk.choose(groupNational, adminNational, tgCard, flows.EvRoute, flowstest.Regency)
	sent = d.wa.Take()
	d.wantState(tr, flows.Routed, 2)
	d.message(calls, groupRegency, "Aduan baru "+tr)
	waRegencyCard := d.msg(sent, waRegency, "Aduan baru "+tr)
	d.msg(sent, waBudi.JID, "sudah diverifikasi")
	if got := d.buttons(groupNational, tgCard); len(got) != 0 {
		t.Errorf("the national Telegram card still offers %v", got)
	}
	// The national WhatsApp card is old now: quoting it changes nothing and says so.
	sent = d.pick(waNational, waAdminNational, waCard, "Arsipkan")
	d.msg(sent, waNational, "baru saja diubah")
	d.wantState(tr, flows.Routed, 2)

	// Distributed from the regency's WhatsApp group: the Telegram card is spent.
	regencyTG := d.message(calls, groupRegency, "Aduan baru "+tr)
	sent = d.choose(waRegency, waAdminRegency, waRegencyCard, "Disposisikan", "Dinas Dukcapil Kubu Raya")
	d.wantState(tr, flows.Distributed, 3)
	d.msg(sent, waAgency, "Aduan baru "+tr)
	d.message(d.lastTG, groupAgency, "Aduan baru "+tr)
	d.spent(groupRegency, regencyTG)
}
