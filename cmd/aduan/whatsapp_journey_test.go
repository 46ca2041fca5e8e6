package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"

	"aduan/bot/whatsapp/wafake"
	"aduan/flows"
)

// waFile takes a citizen through the WhatsApp conversation by typed words and numbers,
// without attachments, and sends the complaint; it returns the tracking number and the
// messages sent when it was filed.
func (d *waDesk) waFile(cit wafake.Person, body string) (string, []wafake.Sent) {
	d.t.Helper()
	sent := d.dm(cit, "lapor")
	msg := d.msg(sent, cit.JID, "Pemberitahuan privasi")
	for _, label := range []string{"Setuju", "Pengaduan", "Biasa", "Kartu Keluarga (KK)"} {
		sent = d.dm(cit, d.num(msg, label))
		msg = wafake.To(sent, cit.JID)[len(wafake.To(sent, cit.JID))-1]
	}
	d.msg(sent, cit.JID, "Ceritakan apa yang terjadi")
	sent = d.dm(cit, body)
	d.msg(sent, cit.JID, "Kapan kejadiannya")
	phone := "Nomor telepon yang dapat dihubungi petugas?" // asked of a LID alone
	if cit.JID.Server == "s.whatsapp.net" || cit.Alt.Server == "s.whatsapp.net" {
		phone = "Boleh petugas menghubungi Anda di nomor +62 " // WhatsApp gave the number: offered
	}
	for _, step := range []struct{ answer, next string }{{"lewati", "Di mana kejadiannya"}, {"Lewati.", "Kirim foto atau dokumen"},
		{"1", phone}, {"lewati", "Alamat e-mail"}, {"LEWATI", "Periksa kembali aduan Anda"}} {
		sent = d.dm(cit, step.answer)
		d.msg(sent, cit.JID, step.next)
	}
	sent = d.dm(cit, "kirim")
	filed := d.msg(sent, cit.JID, "aduan Anda sudah kami terima dengan nomor")
	tr := trackingNumber.FindString(filed.Text())
	if tr == "" {
		d.t.Fatalf("no tracking number in %q", filed.Text())
	}
	return tr, sent
}

// TestWhatsAppComplaintJourney files a complaint over WhatsApp — typed numbers, words
// and labels, a photo with a caption, a location — and takes it through every step of
// the SOP in the units' WhatsApp groups, each admin quoting the card with a number:
// routed, distributed, tasked, taken, findings, answered, replied to, answered again,
// closed after ten days of silence and rated.
func TestWhatsAppComplaintJourney(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 08:55", unitsOnWhatsApp)
	cit := waBudi

	// The citizen writes a command word: the privacy notice, numbered choices.
	sent := d.dm(cit, "Lapor")
	notice := d.msg(sent, cit.JID, "Pemberitahuan privasi")
	if got := options(notice); !slices.Equal(got, []string{"Setuju", "Batal"}) {
		t.Errorf("privacy notice offers %v", got)
	}
	if raw := notice.Msg.GetConversation(); !strings.Contains(raw, "*1.* Setuju") {
		t.Errorf("the choices are not numbered in bold: %q", raw)
	}
	if !slices.Contains(d.wa.Typing(), cit.JID) {
		t.Error("no typing shown before the answer")
	}
	if reads := d.wa.Reads(); len(reads) == 0 || reads[len(reads)-1].Chat != cit.JID {
		t.Errorf("the citizen's message was not marked read: %+v", reads)
	}

	// 1. The citizen files: "ya" for Setuju, a number, a label, a number with a dot.
	sent = d.dm(cit, "ya")
	msg := d.msg(sent, cit.JID, "Apa jenis laporan Anda?")
	sent = d.dm(cit, " 1. ")
	msg = d.msg(sent, cit.JID, "Siapa yang boleh melihat identitas Anda?")
	sent = d.dm(cit, "biasa")
	msg = d.msg(sent, cit.JID, "Layanan apa yang Anda adukan?")
	sent = d.dm(cit, d.num(msg, "Kartu Keluarga (KK)"))
	d.msg(sent, cit.JID, "Ceritakan apa yang terjadi")
	sent = d.dm(cit, bodyKK)
	// A question that takes typed text numbers no choice: a typed number is an answer.
	if when := d.msg(sent, cit.JID, "Kapan kejadiannya?"); len(options(when)) != 0 || !strings.Contains(when.Text(), "\n• Lewati") {
		t.Errorf("the question of when shows its choices as %q", when.Text())
	}
	sent = d.dm(cit, "Senin, 23 November 2026")
	d.msg(sent, cit.JID, "Di mana kejadiannya?")
	// A shared location answers where, and is kept with the evidence.
	sent = d.do(d.wa.Location(cit.JID, cit, -0.0833, 109.3667, "Kantor Kecamatan Sungai Raya"))
	d.msg(sent, cit.JID, "Lampiran diterima (1 dari 5)")
	d.msg(sent, cit.JID, "Kirim foto atau dokumen")
	photo := []byte("\xff\xd8\xff\xe0 a photo of the receipt \xff\xd9")
	sent = d.do(d.wa.Image(cit.JID, cit, photo, "image/jpeg", "tanda terima"))
	d.msg(sent, cit.JID, "Lampiran diterima (2 dari 5)")
	sent = d.dm(cit, "selesai")
	d.msg(sent, cit.JID, "Boleh petugas menghubungi Anda di nomor +62 812-••••-7890?") // the chat's number, offered; another is typed
	sent = d.dm(cit, "0812-3456-7890")
	d.msg(sent, cit.JID, "Alamat e-mail")
	sent = d.dm(cit, "lewati")
	summary := d.msg(sent, cit.JID, "Periksa kembali aduan Anda")
	wantText(t, "summary", summary.Text(), "Jenis: Pengaduan", "Kerahasiaan: Biasa", "Kategori: Kartu Keluarga (KK)",
		"Waktu kejadian: Senin, 23 November 2026", "Lokasi: Kantor Kecamatan Sungai Raya", "Lampiran: 2 berkas", "Nama: Budi", "Telepon: +6281234567890", bodyKK)
	sent = d.dm(cit, d.num(summary, "Kirim"))
	filed := d.msg(sent, cit.JID, "aduan Anda sudah kami terima dengan nomor")
	tr := trackingNumber.FindString(filed.Text())
	if !strings.HasPrefix(tr, "ADU-261130-") {
		t.Fatalf("tracking number %q in %q", tr, filed.Text())
	}
	c := d.wantState(tr, flows.Submitted, 1)
	if c.Contact.Channel != "whatsapp" || c.Contact.Chat != cit.JID.String() || c.Contact.Phone != "6281234567890" || c.Body != bodyKK || len(c.Attachment) != 2 || c.Place != "Kantor Kecamatan Sungai Raya" {
		t.Errorf("filed %+v", c)
	}
	var kept []byte
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT data FROM attachment_file WHERE 'file:' || id = $1`, c.Attachment[1].Ref).Scan(&kept); err != nil || !bytes.Equal(kept, photo) {
		t.Errorf("attachment %q kept as %q (%v)", c.Attachment[1].Ref, kept, err)
	}

	// The national group gets the card with its numbered choices, and the photo.
	card := d.msg(sent, waNational, "Aduan baru "+tr)
	wantText(t, "national card", card.Text(), "Menunggu Verifikasi", bodyKK, "Pelapor: Budi")
	if got := options(card); len(got) == 0 {
		t.Fatalf("the card offers nothing: %q", card.Text())
	}
	d.msg(sent, waNational, "[foto] Lampiran 2 dari 2")
	d.msg(sent, waNational, "[lokasi -0.083300,109.366700]")

	// 2. The national admin routes it by quoting the card with a number.
	sent = d.pick(waNational, waAdminNational, card, "Teruskan")
	offer := d.msg(sent, waNational, "Pilih unit tujuan")
	d.wantState(tr, flows.Submitted, 1)
	sent = d.pick(waNational, waAdminNational, offer, "Admin Kabupaten Kubu Raya")
	d.wantState(tr, flows.Routed, 2)
	d.msg(sent, cit.JID, "sudah diverifikasi dan sedang disalurkan ke dinas yang berwenang")
	regencyCard := d.msg(sent, waRegency, "Aduan baru "+tr)

	// 3. The regency distributes it to Dukcapil.
	sent = d.choose(waRegency, waAdminRegency, regencyCard, "Disposisikan", "Dinas Dukcapil Kubu Raya")
	d.wantState(tr, flows.Distributed, 3)
	d.msg(sent, cit.JID, "sudah diteruskan ke Dinas Dukcapil Kubu Raya")
	agencyCard := d.msg(sent, waAgency, "Aduan baru "+tr)

	// 4. The agency tasks its technical team, which takes the task and reports.
	sent = d.choose(waAgency, waAdminAgency, agencyCard, "Tugaskan", "Tim Teknis KK")
	d.wantState(tr, flows.InProgress, 4)
	teamCard := d.msg(sent, waTeam, "ditugaskan ke tim ini")
	d.none(sent, cit.JID, tr)
	sent = d.pick(waTeam, waMemberTeam, teamCard, "Ambil")
	d.wantState(tr, flows.InProgress, 5)
	d.msg(sent, waAgency, "diambil oleh")
	findings := "Berkas KK tertahan menunggu tanda tangan camat."
	sent = d.act(waTeam, waMemberTeam, d.card(waTeam, tr), "Laporkan Hasil", findings)
	d.wantState(tr, flows.InProgress, 6)
	wantText(t, "findings", d.msg(sent, waAgency, "Hasil pemeriksaan aduan "+tr).Text(), findings)
	d.none(sent, cit.JID, findings)

	// 5. The agency answers.
	answer := "KK Bapak sudah dapat diambil di kantor kecamatan."
	sent = d.act(waAgency, waAdminAgency, d.card(waAgency, tr), "Jawab", answer)
	d.wantState(tr, flows.Answered, 7)
	answered := d.msg(sent, cit.JID, "sudah dijawab oleh Dinas Dukcapil Kubu Raya")
	wantText(t, "answer", answered.Text(), answer)

	// 6. The citizen replies: back to the agency and its team.
	sent = d.dm(cit, d.num(answered, "Balas"))
	d.msg(sent, cit.JID, "Tulis tanggapan Anda untuk aduan "+tr)
	reply := "Belum ada di kecamatan, petugas bilang belum dikirim."
	sent = d.dm(cit, reply)
	d.wantState(tr, flows.InProgress, 8)
	d.msg(sent, cit.JID, "Tanggapan Anda untuk aduan "+tr+" sudah kami terima")
	wantText(t, "reply to the agency", d.msg(sent, waAgency, "Pelapor menanggapi jawaban aduan "+tr).Text(), reply)
	d.msg(sent, waTeam, "Pelapor menanggapi jawaban aduan "+tr)

	// The agency answers again, quoting its card.
	answer2 := "Mohon maaf, KK sudah kami antar ke rumah Bapak."
	sent = d.act(waAgency, waAdminAgency, d.card(waAgency, tr), "Jawab", answer2)
	c = d.wantState(tr, flows.Answered, 9)
	wantText(t, "second answer", d.msg(sent, cit.JID, "sudah dijawab").Text(), answer2)

	// 7. Ten days of silence: the sweep closes it and the citizen rates by a number.
	sent = d.sweepAt(c.Updated.Add(10*24*time.Hour + time.Minute))
	d.wantState(tr, flows.Closed, 10)
	closed := d.msg(sent, cit.JID, "kami tutup karena tidak ada tanggapan")
	if got := options(closed); len(got) != 5 {
		t.Errorf("rating choices %v", got)
	}
	d.msg(sent, waAgency, "Aduan "+tr+" selesai")
	sent = d.dm(cit, "5")
	c = d.wantState(tr, flows.Closed, 11)
	if c.Rating != 5 {
		t.Errorf("rating %d", c.Rating)
	}
	d.msg(sent, cit.JID, "Terima kasih atas penilaian 5 dari 5")
	d.msg(sent, waAgency, "Pelapor menilai penanganan aduan "+tr+": 5 dari 5")

	// 8. The audit trail holds every step, with who did it; no phone number in it.
	trail := d.audit(tr)
	wantKinds := []string{"file", "route", "distribute", "task", "take", "findings", "answer", "reply", "answer", "auto_close", "rate"}
	if got := auditKinds(trail); !slices.Equal(got, wantKinds) {
		t.Fatalf("audit trail %v, want %v", got, wantKinds)
	}
	units := []string{"", "nasional", "kuburaya", "dukcapil", "tim-kk", "tim-kk", "dukcapil", "", "dukcapil", "", ""}
	for i, l := range trail {
		if l.Unit != units[i] {
			t.Errorf("audit %d %s by unit %q, want %q", i, l.Kind, l.Unit, units[i])
		}
	}
	for _, l := range trail {
		if strings.Contains(l.Ref, "@") || strings.Contains(l.Ref, "6281234567890") {
			t.Errorf("audit %s names a chat identity: %q", l.Kind, l.Ref)
		}
	}
	// Every message was handled once; nothing is left to send; no send was refused.
	var unhandled int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM inbox WHERE handled_at IS NULL`).Scan(&unhandled); err != nil || unhandled != 0 {
		t.Errorf("%d messages unhandled (%v)", unhandled, err)
	}
}

// TestWhatsAppCitizenWithoutCommands: a citizen who greets gets the welcome and its
// menu; one who simply writes their complaint is guided into filing with what they
// wrote kept as the description; one known only by LID is asked for a phone number,
// and a typed one is kept. A photo WhatsApp no longer serves is asked for again; a
// document is kept and reaches the unit's group.
func TestWhatsAppCitizenWithoutCommands(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)
	sent := d.dm(waSiti, "Selamat pagi, Pak")
	welcome := d.msg(sent, waSiti.JID, "Selamat datang")
	if got := options(welcome); len(got) < 3 || got[0] != "Buat Laporan Baru" {
		t.Errorf("the welcome offers %v", got)
	}

	sent = d.dm(waSiti, bodyAntrea)
	d.msg(sent, waSiti.JID, "tulisan Anda kami simpan sebagai isi laporan")
	d.msg(sent, waSiti.JID, "Pemberitahuan privasi")
	for _, step := range []struct{ answer, next string }{{"setuju", "Apa jenis laporan Anda?"}, {"pengaduan", "Siapa yang boleh melihat"},
		{"1", "Layanan apa"}, {"sikap petugas / antrean", "Kapan kejadiannya?"}, {"tadi pagi", "Di mana kejadiannya?"},
		{"Kantor Disdukcapil, loket 3", "Kirim foto atau dokumen"}} {
		sent = d.dm(waSiti, step.answer)
		d.msg(sent, waSiti.JID, step.next)
	}
	// A photo WhatsApp no longer serves: asked to send it again, and an alert is raised.
	d.wa.FailDownloads(whatsmeow.ErrMediaDownloadFailedWith410)
	sent = d.doFailing(d.wa.Image(waSiti.JID, waSiti, []byte("jpeg"), "image/jpeg", ""))
	d.msg(sent, waSiti.JID, "Mohon kirim ulang")
	if st, err := d.m.DB().Channel(t.Context(), "whatsapp"); err != nil || st.Alert.Kind != flows.AlertMediaExpired {
		t.Errorf("after media expired, WhatsApp's alert is %+v (%v)", st.Alert, err)
	}
	d.wa.FailDownloads(nil)
	pdf := []byte("%PDF-1.4 surat pengantar")
	sent = d.do(d.wa.Document(waSiti.JID, waSiti, pdf, "surat-pengantar.pdf", "application/pdf", ""))
	d.msg(sent, waSiti.JID, "Lampiran diterima (1 dari 5)")
	for _, step := range []struct{ answer, next string }{{"selesai", "Nomor telepon yang dapat dihubungi petugas?"}, {"0813 1111 2222", "Alamat e-mail"},
		{"siti@example.id", "Periksa kembali aduan Anda"}} {
		sent = d.dm(waSiti, step.answer)
		d.msg(sent, waSiti.JID, step.next)
	}
	summary := d.msg(sent, waSiti.JID, "Periksa kembali aduan Anda")
	wantText(t, "summary", summary.Text(), "Kategori: Sikap Petugas / Antrean", "Waktu kejadian: tadi pagi", "Telepon: +6281311112222",
		"E-mail: siti@example.id", bodyAntrea)
	sent = d.dm(waSiti, "iya")
	tr := trackingNumber.FindString(d.msg(sent, waSiti.JID, "aduan Anda sudah kami terima dengan nomor").Text())
	c := d.wantState(tr, flows.Submitted, 1)
	doc := d.msg(d.wa.Sent(), waNational, "[dokumen surat-pengantar.pdf]")
	if d.wa.Uploads() == 0 || doc.Msg.GetDocumentMessage().GetMimetype() != "application/pdf" {
		t.Errorf("the document went to the group as %v", doc.Msg)
	}
	if len(c.Attachment) != 1 || c.Attachment[0].Kind != "document" {
		t.Errorf("attachments %+v", c.Attachment)
	}
	if c.Body != bodyAntrea || c.Contact.Phone != "6281311112222" || c.Contact.Chat != waSiti.JID.String() || c.Contact.Name != "Siti" {
		t.Errorf("filed %+v", c)
	}
}

// TestWhatsAppCitizenEnglish: a citizen who asks for English by the word gets the
// conversation in English and answers it with English words ("yes", "two").
func TestWhatsAppCitizenEnglish(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 09:00", unitsOnWhatsApp)
	sent := d.dm(waBudi, "language")
	langs := d.msg(sent, waBudi.JID, "Choose your language")
	sent = d.dm(waBudi, "English")
	d.msg(sent, waBudi.JID, "we will write to you in English")
	if got := options(langs); len(got) != 2 {
		t.Errorf("languages offered %v", got)
	}
	sent = d.dm(waBudi, "lapor")
	d.msg(sent, waBudi.JID, "Privacy notice")
	sent = d.dm(waBudi, "yes")
	kinds := d.msg(sent, waBudi.JID, "What kind of report is it?")
	if got := options(kinds); len(got) != 3 || got[1] != "Suggestion" {
		t.Errorf("kinds offered %v", got)
	}
	sent = d.dm(waBudi, "two")
	d.msg(sent, waBudi.JID, "Who may see your identity?")
	var lang, draft string
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT lang, draft->>'Type' FROM session WHERE channel = 'whatsapp' AND chat = $1`,
		waBudi.JID.String()).Scan(&lang, &draft); err != nil || lang != "en" || draft != "aspirasi" {
		t.Errorf("session lang %q, draft type %q (%v)", lang, draft, err)
	}
}
