package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"

	"aduan/bot/whatsapp/wafake"
	"aduan/flows"
)

// TestWhatsAppOmbudsman hands a complaint nobody follows up to the Ombudsman after 60
// days; the liaison records the Ombudsman's outcome in its WhatsApp group by quoting the
// hand-over, which closes it. The citizen writes by LID, without a phone number.
func TestWhatsAppOmbudsman(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)
	tr, _ := d.waFile(waSiti, bodyAkta)
	c := d.wantState(tr, flows.Submitted, 1)
	if c.Contact.Chat != waSiti.JID.String() || c.Contact.Phone != "" {
		t.Errorf("a citizen known by LID filed as %+v", c.Contact)
	}

	sent := d.sweepAt(c.FiledAt.Add(60 * 24 * time.Hour))
	d.wantState(tr, flows.AtOmbudsman, 2)
	d.msg(sent, waSiti.JID, "kami limpahkan ke Ombudsman")
	handover := d.msg(sent, waOmbudsman, "Aduan "+tr+" dilimpahkan ke Ombudsman")
	wantText(t, "hand-over", handover.Text(), "Admin Nasional SP4N LAPOR!", bodyAkta)
	d.msg(sent, waNational, "Aduan "+tr+" dilimpahkan ke Ombudsman karena")
	// The whole record goes to the Ombudsman as a document.
	record := d.msg(sent, waOmbudsman, "[dokumen "+tr+".txt]")
	if record.Msg.GetDocumentMessage().GetMimetype() != "text/plain" || d.wa.Uploads() == 0 {
		t.Errorf("the record is sent as %v", record.Msg)
	}

	outcome := "Ombudsman menyatakan akta sudah diterbitkan dan diterima pelapor."
	sent = d.act(waOmbudsman, waLiaison, handover, "Catat Hasil Ombudsman", outcome)
	d.wantState(tr, flows.Closed, 3)
	closed := d.msg(sent, waSiti.JID, "Ombudsman sudah menyelesaikan aduan "+tr)
	wantText(t, "outcome", closed.Text(), outcome)
	if got := options(closed); len(got) != 5 {
		t.Errorf("rating choices %v", got)
	}
	d.msg(sent, waNational, "Aduan "+tr+" selesai: hasil Ombudsman sudah dicatat")
	if got, want := auditKinds(d.audit(tr)), []string{"file", "handover", "outcome"}; !slices.Equal(got, want) {
		t.Errorf("audit trail %v, want %v", got, want)
	}
}

// TestWhatsAppSendBackAndArchive has the regency send a complaint back up with a
// reason, and the national admin cancel an archive, then archive it with a reason.
func TestWhatsAppSendBackAndArchive(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)
	tr, sent := d.waFile(waBudi, bodyJalan)
	card := d.msg(sent, waNational, "Aduan baru "+tr)
	sent = d.choose(waNational, waAdminNational, card, "Teruskan", "Admin Kabupaten Kubu Raya")
	regencyCard := d.msg(sent, waRegency, "Aduan baru "+tr)

	reason := "Jalan bukan kewenangan Dukcapil; mohon diteruskan ke Dinas PU."
	sent = d.act(waRegency, waAdminRegency, regencyCard, "Kembalikan", reason)
	d.wantState(tr, flows.Submitted, 3)
	returned := d.msg(sent, waNational, "Aduan "+tr+" dikembalikan oleh Admin Kabupaten Kubu Raya")
	wantText(t, "returned", returned.Text(), reason, "Menunggu Verifikasi")
	d.none(sent, waBudi.JID, tr)

	// The national admin begins to archive it, then thinks better of it: Batal.
	sent = d.pick(waNational, waAdminNational, returned, "Arsipkan")
	ask := d.msg(sent, waNational, "Balas pesan ini dengan alasannya")
	sent = d.quote(waNational, waAdminNational, ask, "Salah kirim.")
	confirm := d.msg(sent, waNational, "Salah kirim.")
	sent = d.quote(waNational, waAdminNational, confirm, "batal")
	d.msg(sent, waNational, "Dibatalkan")
	d.wantState(tr, flows.Submitted, 3)
	// Confirming the used confirmation afterwards does nothing but say so.
	sent = d.pick(waNational, waAdminNational, confirm, "Konfirmasi")
	d.msg(sent, waNational, "kartu lama")
	d.wantState(tr, flows.Submitted, 3)

	archive := "Bukan kewenangan pemerintah kabupaten di layanan ini; silakan lapor ke Dinas PU Provinsi."
	sent = d.act(waNational, waAdminNational, returned, "Arsipkan", archive)
	d.wantState(tr, flows.Archived, 4)
	wantText(t, "archived", d.msg(sent, waBudi.JID, "aduan "+tr+" tidak dapat kami proses").Text(), archive)
	wantText(t, "archived in the group", d.msg(sent, waNational, "Aduan "+tr+" diarsipkan oleh").Text(), archive, "Rina (Nasional)")
	trail := d.audit(tr)
	if got, want := auditKinds(trail), []string{"file", "route", "send_back", "archive"}; !slices.Equal(got, want) {
		t.Fatalf("audit trail %v, want %v", got, want)
	}
	if trail[2].Text != reason || trail[2].Unit != "kuburaya" || trail[2].UnitAfter != "nasional" || trail[3].Text != archive {
		t.Errorf("audit trail %+v", trail)
	}
}

// TestWhatsAppDoubleActionAndStaleQuotes quotes the same choice twice at once, and
// quotes old cards with numbers: one transition, and for every other quote an answer
// that the card changed, nothing else done.
func TestWhatsAppDoubleActionAndStaleQuotes(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)
	tr, sent := d.waFile(waBudi, bodyKK)
	card := d.msg(sent, waNational, "Aduan baru "+tr)
	sent = d.pick(waNational, waAdminNational, card, "Teruskan")
	offer := d.msg(sent, waNational, "Pilih unit tujuan")

	// A double send: the same quote twice before the first is handled.
	n := d.num(offer, "Admin Kabupaten Kubu Raya")
	sent = d.do(d.wa.Quote(waNational, waAdminNational, offer, n), d.wa.Quote(waNational, waAdminNational, offer, n))
	d.wantState(tr, flows.Routed, 2)
	d.msg(sent, waNational, "Tercatat")
	d.msg(sent, waRegency, "Aduan baru "+tr)
	d.msg(sent, waBudi.JID, "sudah diverifikasi")
	// The second is the same person's: they are not told someone else did it.
	again := d.msg(sent, waNational, "Anda sendiri baru saja mengubah")
	if again.Quoted() == "" {
		t.Error("the answer to the second quote does not quote it")
	}
	d.none(sent, waNational, "orang lain")
	regencyCard := d.card(waRegency, tr)

	before := len(d.audit(tr))
	for _, q := range []struct {
		name   string
		group  types.JID
		person wafake.Person
		quoted wafake.Sent
		text   string
		want   string
	}{
		{"the old national card, its archive", waNational, waAdminNational, card, d.num(card, "Arsipkan"), "Anda sendiri baru saja mengubah"},
		{"the used offer again, by label", waNational, waAdminNational, offer, "Admin Kabupaten Kubu Raya", "Anda sendiri baru saja mengubah"},
	} {
		sent := d.quote(q.group, q.person, q.quoted, q.text)
		got := d.msg(sent, q.group, q.want)
		if !strings.Contains(got.Text(), tr) {
			t.Errorf("%s: answered %q", q.name, got.Text())
		}
		if len(sent) != 1 {
			t.Errorf("%s: %d messages, want only the answer:\n%s", q.name, len(sent), waTexts(sent))
		}
		d.wantState(tr, flows.Routed, 2)
	}

	// Another admin joins the regency's group (before the desk first asks who is in it).
	other := waMember("100000000000022", "6285700000022", "Fajar (Kabupaten)")
	d.wa.Join(waRegency, other)
	// A number the card never offered is no choice of it: refused, nothing done.
	sent = d.quote(waRegency, waAdminRegency, regencyCard, "9")
	if got := d.msg(sent, waRegency, "kartu lama"); len(sent) != 1 || got.Quoted() == "" {
		t.Errorf("a number of no choice answered:\n%s", waTexts(sent))
	}
	d.wantState(tr, flows.Routed, 2)

	// The regency distributes; its old card quoted afterwards by another admin of the
	// regency is refused as changed by someone else.
	sent = d.choose(waRegency, waAdminRegency, regencyCard, "Disposisikan", "Dinas Dukcapil Kubu Raya")
	d.wantState(tr, flows.Distributed, 3)
	sent = d.quote(waRegency, other, regencyCard, d.num(regencyCard, "Kembalikan"))
	d.msg(sent, waRegency, "baru saja diubah oleh orang lain")
	d.wantState(tr, flows.Distributed, 3)
	if after := len(d.audit(tr)); after != before+1 {
		t.Errorf("the stale quotes wrote %d audit events", after-before-1)
	}
}

// TestWhatsAppBadInput sends what the desk cannot use or must not take: unknown
// commands, a voice note, a message typed on the desk's own phone, chatter in a
// group, and an action by someone who left the unit's group.
func TestWhatsAppBadInput(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)

	// In a private chat: an unknown command gets the menu; a voice note an explanation.
	sent := d.dm(waBudi, "/foo")
	menu := d.msg(sent, waBudi.JID, "Maaf, kami belum memahami pesan itu")
	if got := options(menu); len(got) < 3 || got[0] != "Buat Laporan Baru" {
		t.Errorf("the menu offers %v", got)
	}
	sent = d.do(d.wa.Voice(waBudi.JID, waBudi))
	d.msg(sent, waBudi.JID, "pesan suara belum dapat kami proses")

	// A message typed on the desk's own phone is nobody's complaint: not even stored.
	if err := d.wa.Receive(d.wa.FromMe(waBudi.JID, "Baik Pak, kami cek dulu")); err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM inbox WHERE payload::text LIKE '%kami cek dulu%'`).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("the desk's own message was stored %d times (%v)", stored, err)
	}

	tr, sent := d.waFile(waBudi, bodyKK)
	card := d.msg(sent, waNational, "Aduan baru "+tr)

	// In a group: an unknown command and "bantuan" get the group's help; chatter and
	// a quote of the card that names no choice get nothing.
	sent = d.do(d.wa.InGroup(waNational, waAdminNational, "/foo"))
	d.msg(sent, waNational, "balas kartunya dengan nomor")
	sent = d.do(d.wa.InGroup(waNational, waAdminNational, "Bantuan"))
	d.msg(sent, waNational, "balas kartunya dengan nomor")
	sent = d.do(d.wa.InGroup(waNational, waAdminNational, "siapa yang pegang ini?"), d.wa.Quote(waNational, waAdminNational, card, "nanti saya cek"))
	if len(sent) != 0 {
		t.Errorf("chatter in the group was answered:\n%s", waTexts(sent))
	}
	// "antrian" lists the open complaints, and the card comes back by its number.
	sent = d.do(d.wa.InGroup(waNational, waAdminNational, "antrian"))
	queue := d.msg(sent, waNational, "Laporan terbuka di Admin Nasional SP4N LAPOR!")
	sent = d.pick(waNational, waAdminNational, queue, tr)
	d.card(waNational, tr)
	d.wantState(tr, flows.Submitted, 1)

	// Someone in the group who is not a member any more cannot act for the unit.
	d.wa.Leave(waNational, waAdminNational)
	d.pace.Advance(time.Hour) // past what the desk believes of the group's members
	sent = d.pick(waNational, waAdminNational, card, "Teruskan")
	d.msg(sent, waNational, "tidak lagi tercatat sebagai anggota grup ini")
	d.wantState(tr, flows.Submitted, 1)
	if got := auditKinds(d.audit(tr)); !slices.Equal(got, []string{"file"}) {
		t.Errorf("audit trail %v", got)
	}
}

// TestWhatsAppShortCommands acts on cards with the short commands their group's help
// names: "jawab <teks>" quoting the card goes straight to the confirmation of that
// text, and "arsip"-like commands by the action's label.
func TestWhatsAppShortCommands(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)
	tr, sent := d.waFile(waBudi, bodyKK)
	card := d.msg(sent, waNational, "Aduan baru "+tr)
	// The action's label instead of its number.
	sent = d.quote(waNational, waAdminNational, card, "teruskan ke kabupaten")
	offer := d.msg(sent, waNational, "Pilih unit tujuan")
	sent = d.pick(waNational, waAdminNational, offer, "Admin Kabupaten")
	sent = d.choose(waRegency, waAdminRegency, d.msg(sent, waRegency, "Aduan baru "+tr), "Disposisikan", "Dinas Dukcapil Kubu Raya")
	d.wantState(tr, flows.Distributed, 3)

	answer := "KK Bapak sudah dapat diambil di kantor kecamatan."
	sent = d.quote(waAgency, waAdminAgency, d.card(waAgency, tr), "Jawab "+answer)
	confirm := d.msg(sent, waAgency, "Periksa teks berikut")
	wantText(t, "confirmation", confirm.Text(), answer)
	sent = d.quote(waAgency, waAdminAgency, confirm, "ya")
	d.wantState(tr, flows.Answered, 4)
	wantText(t, "answer", d.msg(sent, waBudi.JID, "sudah dijawab oleh Dinas Dukcapil Kubu Raya").Text(), answer)

	// "arsip <alasan>" on a second complaint; a reply to the confirmation with other
	// text replaces the text, and that is what is archived.
	tr2, sent := d.waFile(waSiti, bodyJalan)
	card2 := d.msg(sent, waNational, "Aduan baru "+tr2)
	sent = d.quote(waNational, waAdminNational, card2, "arsip Salah kirim")
	confirm = d.msg(sent, waNational, "Periksa teks berikut")
	wantText(t, "archive confirmation", confirm.Text(), "Salah kirim")
	reason := "Jalan bukan layanan Dukcapil; silakan lapor ke Dinas PU."
	sent = d.quote(waNational, waAdminNational, confirm, reason)
	confirm = d.msg(sent, waNational, "Periksa teks berikut")
	wantText(t, "second confirmation", confirm.Text(), reason)
	d.wantState(tr2, flows.Submitted, 1)
	sent = d.pick(waNational, waAdminNational, confirm, "Konfirmasi")
	d.wantState(tr2, flows.Archived, 2)
	wantText(t, "archived", d.msg(sent, waSiti.JID, "tidak dapat kami proses").Text(), reason)
	if trail := d.audit(tr2); len(trail) != 2 || trail[1].Text != reason {
		t.Errorf("audit trail %+v", trail)
	}
	// A command of an action the card does not offer now is no command: nothing happens.
	sent = d.quote(waNational, waAdminNational, card2, "jawab Sudah selesai")
	d.wantState(tr2, flows.Archived, 2)
	d.none(sent, waSiti.JID, tr2)
}

// TestWhatsAppRestart restarts the desk while a citizen is halfway through filing and a
// card waits in a group: after the restart the citizen's typed number and the admin's
// quote of the card sent before it are read against what those messages offered.
func TestWhatsAppRestart(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)
	tr, sent := d.waFile(waBudi, bodyKK)
	card := d.msg(sent, waNational, "Aduan baru "+tr)
	sent = d.dm(waSiti, "lapor")
	d.msg(sent, waSiti.JID, "Pemberitahuan privasi")
	sent = d.dm(waSiti, "1")
	kinds := d.msg(sent, waSiti.JID, "Apa jenis laporan Anda?")

	d.stop()
	d.start()
	sent = d.dm(waSiti, d.num(kinds, "Aspirasi"))
	d.msg(sent, waSiti.JID, "Siapa yang boleh melihat identitas Anda?")
	sent = d.pick(waNational, waAdminNational, card, "Teruskan")
	d.msg(sent, waNational, "Pilih unit tujuan")
	d.wantState(tr, flows.Submitted, 1)
}

// TestWhatsAppCardsOnlyWhereThereIsSomethingToDo: on WhatsApp a refreshed card is a new
// message, so a group the complaint has moved on from gets no further card — only the
// note of who acted — while the group that holds it gets the card with its numbers; a
// quote of the group's last card is still read as that card, and refused as overtaken.
func TestWhatsAppCardsOnlyWhereThereIsSomethingToDo(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 08:55", unitsOnWhatsApp)
	tr, _ := d.waFile(waBudi, bodyKK)
	card := d.card(waNational, tr)
	sent := d.choose(waNational, waAdminNational, card, "Teruskan", "Admin Kabupaten Kubu Raya")
	d.msg(sent, waNational, "oleh Rina (Nasional)")
	d.msg(sent, waRegency, "Aduan baru "+tr)
	sent = append(sent, d.choose(waRegency, waAdminRegency, d.card(waRegency, tr), "Disposisikan", "Dinas Dukcapil Kubu Raya")...)
	d.msg(sent, waAgency, "Aduan baru "+tr)
	for _, s := range wafake.To(sent, waNational) {
		if strings.Contains(s.Text(), "Status:") {
			t.Errorf("the national group got a card of a complaint it no longer holds: %q", s.Text())
		}
	}
	sent = d.quote(waNational, waAdminNational, card, "1")
	d.msg(sent, waNational, "baru saja diubah")
	d.wantState(tr, flows.Distributed, 3)
}
