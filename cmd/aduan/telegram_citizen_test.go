package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// The tests in this file follow a citizen through the fake Bot API where the trial of
// the desk found them stranded: typed replies, a second /lapor, cancelling, the phone
// keyboard, files, long and edited messages, and a complaint typed without a command.

// english makes an update come from a user whose Telegram speaks English.
func english(u models.Update) models.Update {
	if u.Message != nil && u.Message.From != nil {
		u.Message.From.LanguageCode = "en"
	}
	return u
}

// answerOf takes a filed complaint from the national card to an answer by the agency
// and returns the answer the citizen received.
func (d *tgDesk) answerOf(citizen int64, tr string, card tgfake.Call, answer string) tgfake.Call {
	d.t.Helper()
	calls := d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	regency := d.message(calls, groupRegency, "Aduan baru "+tr)
	calls = d.choose(groupRegency, adminRegency, regency, flows.EvDistribute, flowstest.Agency)
	agency := d.message(calls, groupAgency, "Aduan baru "+tr)
	calls = d.act(groupAgency, adminAgency, agency, flows.EvAnswer, answer)
	return d.message(calls, citizen, answer)
}

// answerAgain answers a complaint that the citizen replied to, from the agency's card.
func (d *tgDesk) answerAgain(citizen int64, tr, answer string) tgfake.Call {
	d.t.Helper()
	var card tgfake.Call
	for _, c := range sent(d.fake.Calls(), groupAgency) {
		if strings.Contains(c.Text(), "Aduan baru "+tr) {
			card = c
		}
	}
	calls := d.act(groupAgency, adminAgency, card, flows.EvAnswer, answer)
	return d.message(calls, citizen, answer)
}

// TestTelegramCitizenTypedReplies: after an answer, what the citizen types is their
// reply — to the answer they reply to in Telegram, or to the only complaint waiting —
// and with two waiting they are asked which; "terima kasih" asks whether they are
// satisfied. Nothing they type is lost.
func TestTelegramCitizenTypedReplies(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 08:00", nil)
	cit := citizenBudi
	tr, card := d.file(cit, bodyKK)
	d.answerOf(cit, tr, card, "KK Anda sudah dicetak, silakan ambil di kecamatan.")
	d.wantState(tr, flows.Answered, 4)

	// Plain text, no command, no button: the reply to the only complaint waiting.
	reply := "Di kecamatan belum ada, petugas bilang belum dikirim."
	calls := d.do(tgfake.TextMessage(cit, cit, reply))
	d.message(calls, cit, "Tanggapan Anda untuk aduan "+tr+" sudah kami terima")
	wantText(t, "the reply in the agency's group", d.message(calls, groupAgency, "Pelapor menanggapi jawaban aduan "+tr).Text(), reply)
	d.noMessage(calls, cit, "belum memahami")
	d.wantState(tr, flows.InProgress, 5)

	// A Telegram reply to the answer message: the reply to that complaint.
	answer := d.answerAgain(cit, tr, "Sudah kami kirim ulang ke kecamatan hari ini.")
	reply = "Terima kasih, tetapi mohon dikabari bila sudah sampai di kecamatan."
	calls = d.do(tgfake.ReplyMessage(cit, cit, answer.MessageID, reply))
	d.message(calls, cit, "Tanggapan Anda untuk aduan "+tr+" sudah kami terima")
	wantText(t, "the reply to the answer message", d.message(calls, groupAgency, "Pelapor menanggapi jawaban aduan "+tr).Text(), reply)
	d.wantState(tr, flows.InProgress, 7)

	// A bare "terima kasih" asks, and changes nothing until the citizen chooses.
	d.answerAgain(cit, tr, "KK sudah sampai di kecamatan.")
	calls = d.do(tgfake.TextMessage(cit, cit, "Terima kasih!"))
	ask := d.message(calls, cit, "Apakah jawaban atas aduan "+tr+" sudah menyelesaikan masalah Anda?")
	d.noMessage(calls, groupAgency, "menanggapi")
	d.wantState(tr, flows.Answered, 8)
	if got := d.buttons(cit, ask); !slices.Equal(got, []string{"c:sat:" + tr, "c:rep:" + tr}) {
		t.Errorf("the question offers %v, want satisfied and reply for %s", got, tr)
	}
	calls = d.press(cit, cit, ask, "c:sat:"+tr)
	d.message(calls, cit, "Terima kasih, aduan "+tr+" sudah selesai")
	d.wantState(tr, flows.Closed, 9)

	// Two complaints waiting: the citizen is asked which one the text answers, and the
	// text goes to the one chosen.
	tr1, card1 := d.file(cit, bodyAkta)
	d.answerOf(cit, tr1, card1, "Akta sudah terbit, silakan ambil di loket 2.")
	tr2, card2 := d.file(cit, bodyAntrea)
	d.answerOf(cit, tr2, card2, "Kami sudah menambah petugas loket.")
	reply = "Hari ini antrean masih panjang dan loket 3 tutup."
	calls = d.do(tgfake.TextMessage(cit, cit, reply))
	which := d.message(calls, cit, "Ada beberapa laporan yang menunggu tanggapan Anda")
	if got := d.buttons(cit, which); !slices.Contains(got, "c:send:"+tr1) || !slices.Contains(got, "c:send:"+tr2) {
		t.Fatalf("the question offers %v, want both complaints", got)
	}
	d.wantState(tr2, flows.Answered, 4)
	calls = d.press(cit, cit, which, "c:send:"+tr2)
	d.message(calls, cit, "Tanggapan Anda untuk aduan "+tr2+" sudah kami terima")
	wantText(t, "the reply chosen afterwards", d.message(calls, groupAgency, "Pelapor menanggapi jawaban aduan "+tr2).Text(), reply)
	d.wantState(tr2, flows.InProgress, 5)
	d.wantState(tr1, flows.Answered, 4)
	d.noFailedCalls()
}

// TestTelegramCitizenDraft goes through a draft in English: /lapor at the summary asks
// to continue or start over; the share-number keyboard goes away after a typed number;
// someone else's contact, a file over the limit, an edited message and a sixth file are
// each explained, the sixth not even downloaded; a description Telegram split in two
// is kept whole; /batal says what it cancelled, or that there was nothing.
func TestTelegramCitizenDraft(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 08:00", nil)
	cit := citizenSiti
	calls := d.do(english(tgfake.TextMessage(cit, cit, "/batal")))
	d.message(calls, cit, "You are not writing a report, so there is nothing to cancel.")
	d.noMessage(calls, cit, "deleted")

	calls = d.do(english(tgfake.TextMessage(cit, cit, "/lapor")))
	msg := d.message(calls, cit, "Privacy notice")
	wantText(t, "privacy notice", msg.Text(), "Personal data controller: Disdukcapil Kabupaten Kubu Raya", "Monday–Friday 07:30–16:00 WIB")
	for _, data := range []string{"i:consent:ok", "i:type:aspirasi", "i:privacy:biasa", "i:category:kk"} {
		calls = d.press(cit, cit, msg, data)
		msg = sent(calls, cit)[len(sent(calls, cit))-1]
	}
	ask := d.message(calls, cit, "Tell us what happened")
	wantText(t, "the description step", ask.Text(), "do not write your NIK, phone number")

	// A text over Telegram's limit arrives as two messages: both parts are the description.
	first := strings.Repeat("The queue at the counter was very long again. ", 90) // 4,140 characters
	cut := strings.LastIndex(first[:4096], " ")
	calls = d.do(english(tgfake.TextMessage(cit, cit, first[:cut])), english(tgfake.TextMessage(cit, cit, first[cut+1:])))
	d.message(calls, cit, "Your description is long")
	d.message(calls, cit, "When did it happen?")
	s, err := d.m.DB().Session(t.Context(), "telegram", strconv.FormatInt(cit, 10))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Draft.Body, strings.TrimSpace(first); got != want {
		t.Errorf("the description is %d characters, want the whole %d", len(got), len(want))
	}

	calls = d.press(cit, cit, d.message(calls, cit, "When did it happen?"), "i:when:skip")
	calls = d.press(cit, cit, d.message(calls, cit, "Where did it happen?"), "i:where:skip")
	d.message(calls, cit, "Send supporting photos")

	// A file over the limit says the limit; five files are kept; the sixth is refused
	// without being downloaded.
	d.fake.AddFile("big", "photos/big.jpg", make([]byte, 100))
	calls = d.do(english(tgfake.PhotoMessage(cit, cit, "big", 11<<20, "")))
	wantText(t, "too large", d.message(calls, cit, "too large").Text(), "at most 10 MB a file")
	for i := range 5 {
		id := "p" + string(rune('1'+i))
		d.fake.AddFile(id, "photos/"+id+".jpg", []byte("jpeg "+id))
		d.message(d.do(english(tgfake.PhotoMessage(cit, cit, id, 5, ""))), cit, "Attachment received")
	}
	d.fake.AddFile("p6", "photos/p6.jpg", []byte("jpeg p6"))
	before := len(d.fake.Calls("getFile"))
	calls = d.do(english(tgfake.PhotoMessage(cit, cit, "p6", 7, "")))
	d.message(calls, cit, "You have reached the limit of attachments (5 files); this file was not kept.")
	if n := len(d.fake.Calls("getFile")) - before; n != 0 {
		t.Errorf("the sixth file was fetched (%d getFile calls)", n)
	}

	// An edited message is not read again, and the citizen is told so.
	edited := english(tgfake.TextMessage(cit, cit, "typo"))
	edited.EditedMessage, edited.Message = edited.Message, nil
	edited.EditedMessage.ID = ask.MessageID + 1
	calls = d.do(edited)
	d.message(calls, cit, "We do not read edited messages again.")

	// Someone else's contact; then a typed number, which closes the share keyboard.
	calls = d.press(cit, cit, d.message(calls, cit, "Send supporting photos"), "i:files:done")
	askPhone := d.message(calls, cit, "Which phone number")
	if !strings.Contains(askPhone.Fields["reply_markup"], `"request_contact":true`) {
		t.Fatalf("no share-number key: %s", askPhone.Fields["reply_markup"])
	}
	other := english(tgfake.ContactMessage(cit, cit, "+62 811 0000 0000"))
	other.Message.Contact.UserID = 999
	calls = d.do(other)
	d.message(calls, cit, "That number belongs to someone else. Please share your own number")
	calls = d.do(english(tgfake.TextMessage(cit, cit, "0812-3456-7890")))
	noted := d.message(calls, cit, "We have noted the phone number +6281234567890.")
	if !strings.Contains(noted.Fields["reply_markup"], `"remove_keyboard":true`) {
		t.Errorf("the share-number keyboard stays after a typed number: %q", noted.Fields["reply_markup"])
	}
	calls = d.press(cit, cit, d.message(calls, cit, "Which e-mail address"), "i:email:skip")
	summary := d.message(calls, cit, "Please check your suggestion")
	wantText(t, "summary", summary.Text(), "Attachments: 5")

	// /lapor at the summary: continue or start over; continuing keeps everything.
	calls = d.do(english(tgfake.TextMessage(cit, cit, "/lapor")))
	open := d.message(calls, cit, "You are writing a suggestion that has not been sent")
	calls = d.press(cit, cit, open, "m:continue")
	d.message(calls, cit, "Please check your suggestion")
	s, _ = d.m.DB().Session(t.Context(), "telegram", strconv.FormatInt(cit, 10))
	if s.Step != flows.StepConfirm || len(s.Draft.Attachment) != 5 || s.Draft.Contact.Phone != "6281234567890" {
		t.Errorf("after continuing: step %q, %d files, phone %q", s.Step, len(s.Draft.Attachment), s.Draft.Contact.Phone)
	}
	calls = d.do(english(tgfake.TextMessage(cit, cit, "/lapor")))
	calls = d.press(cit, cit, d.message(calls, cit, "start over"), "m:restart")
	d.message(calls, cit, "Privacy notice")
	calls = d.do(english(tgfake.TextMessage(cit, cit, "/batal")))
	d.message(calls, cit, "All right, the report is cancelled.")
	d.noFailedCalls()
}

// TestTelegramCitizenReplyCancelled: /batal while writing a reply cancels the reply,
// not the complaint.
func TestTelegramCitizenReplyCancelled(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 08:00", nil)
	cit := citizenBudi
	tr, card := d.file(cit, bodyKK)
	answer := d.answerOf(cit, tr, card, "KK Anda sudah dicetak.")
	calls := d.press(cit, cit, answer, "c:rep:"+tr)
	d.message(calls, cit, "Tulis tanggapan Anda untuk aduan "+tr)
	calls = d.do(tgfake.TextMessage(cit, cit, "/batal"))
	got := d.message(calls, cit, "tanggapan untuk aduan "+tr+" tidak jadi dikirim").Text()
	wantText(t, "reply cancelled", got, "tetap menunggu tanggapan Anda sampai")
	d.noMessage(calls, cit, "dibatalkan")
	d.wantState(tr, flows.Answered, 4)
}

// TestTelegramCitizenTypesComplaint: a citizen who writes their complaint without a
// command is guided into filing with it as the description, one who greets gets the
// welcome, a few words that are neither get a hint; the welcome and the help
// name the office; a deadline on an opening minute is shown as the close of the
// working day before (to the citizen, its date).
func TestTelegramCitizenTypesComplaint(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-12-04 16:50", nil) // a Friday, after hours by the time it is filed
	cit := citizenBudi
	calls := d.do(tgfake.TextMessage(cit, cit, "/start"))
	d.message(calls, cit, "Selamat datang di layanan pengaduan SP4N LAPOR! Disdukcapil Kabupaten Kubu Raya.")
	calls = d.do(tgfake.TextMessage(cit, cit, "/bantuan"))
	wantText(t, "help", d.message(calls, cit, "Cara menggunakan layanan ini").Text(), "Jam layanan: Senin–Jumat pukul 07.30–16.00 WIB")

	calls = d.do(tgfake.TextMessage(cit, cit, "halo"))
	d.message(calls, cit, "Selamat datang di layanan pengaduan SP4N LAPOR!")
	calls = d.do(tgfake.TextMessage(cit, cit, "jalan rusak"))
	d.message(calls, cit, "kami belum memahami pesan itu")

	calls = d.do(tgfake.TextMessage(cit, cit, bodyJalan))
	d.message(calls, cit, "tulisan Anda kami simpan sebagai isi laporan")
	msg := d.message(calls, cit, "Pemberitahuan privasi")
	for _, data := range []string{"i:consent:ok", "i:type:pengaduan", "i:privacy:biasa", "i:category:lainnya"} {
		calls = d.press(cit, cit, msg, data)
		msg = sent(calls, cit)[len(sent(calls, cit))-1]
	}
	d.noMessage(calls, cit, "Ceritakan apa yang terjadi")
	calls = d.press(cit, cit, d.message(calls, cit, "Kapan kejadiannya?"), "i:when:skip")
	calls = d.press(cit, cit, d.message(calls, cit, "Di mana kejadiannya?"), "i:where:skip")
	calls = d.press(cit, cit, d.message(calls, cit, "Kirim foto atau dokumen"), "i:files:done")
	d.message(calls, cit, "Nomor telepon")
	calls = d.do(tgfake.TextMessage(cit, cit, "Lewati"))
	d.message(calls, cit, "Baik, tanpa nomor telepon.")
	calls = d.press(cit, cit, d.message(calls, cit, "Alamat e-mail"), "i:email:skip")
	summary := d.message(calls, cit, "Periksa kembali aduan Anda")
	wantText(t, "summary", summary.Text(), bodyJalan)
	calls = d.press(cit, cit, summary, "i:confirm:send")
	filed := d.message(calls, cit, "aduan Anda sudah kami terima dengan nomor").Text()
	// Filed after hours on Friday: three working days end at Thursday's opening, which
	// is read as the end of Wednesday.
	wantText(t, "filed", filed, "paling lambat Rabu, 9 Desember 2026,")
	tr := trackingNumber.FindString(filed)
	if due := d.complaint(tr).Due; due.In(d.m.Config.Zone).Format("Mon 15:04") != "Thu 07:30" {
		t.Errorf("stored deadline %s, want Thursday 07:30 (the instant is kept)", due)
	}
	card := d.message(calls, groupNational, "Aduan baru "+tr)
	wantText(t, "card", card.Text(), "Batas waktu: Rabu, 9 Desember 2026 pukul 16.00 WIB", bodyJalan)
	d.noFailedCalls()
}

// TestTelegramCitizenTypedReplyEnglish: the same in English — thanks asks, text replies.
func TestTelegramCitizenTypedReplyEnglish(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 08:00", nil)
	cit := citizenSiti
	tr, card := d.file(cit, bodyAkta)
	calls := d.do(tgfake.TextMessage(cit, cit, "/bahasa"))
	calls = d.press(cit, cit, d.message(calls, cit, "Choose your language"), "m:lang:en")
	d.message(calls, cit, "we will write to you in English")
	answer := d.answerOf(cit, tr, card, "Akta sudah terbit.")
	wantText(t, "answer", answer.Text(), "has answered complaint "+tr, "or simply write your response here")

	calls = d.do(tgfake.TextMessage(cit, cit, "Thanks!"))
	d.message(calls, cit, "Has the answer to complaint "+tr+" solved your problem?")
	d.wantState(tr, flows.Answered, 4)
	calls = d.do(tgfake.TextMessage(cit, cit, "The certificate has a typo in my child's name."))
	d.message(calls, cit, "We have received your reply about complaint "+tr)
	d.wantState(tr, flows.InProgress, 5)
}

// TestTelegramCitizenReplyInSeveralMessages: a citizen who writes their reply in
// several messages loses none: the first is the reply, a later one is asked about and
// then added to the complaint the agency now works, which reaches the agency's group;
// the deadline the agency has stays as it was.
func TestTelegramCitizenReplyInSeveralMessages(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 08:00", nil)
	cit := citizenBudi
	tr, card := d.file(cit, bodyKK)
	d.answerOf(cit, tr, card, "KK Anda sudah dicetak, silakan ambil di kecamatan.")
	calls := d.do(tgfake.TextMessage(cit, cit, "Di kecamatan belum ada, petugas bilang belum dikirim."))
	d.message(calls, groupAgency, "Pelapor menanggapi jawaban aduan "+tr)
	d.wantState(tr, flows.InProgress, 5)
	due := d.complaint(tr).Due

	more := "Saya sudah datang dua kali ke kantor kecamatan dan petugas bilang datanya belum masuk."
	calls = d.do(tgfake.TextMessage(cit, cit, more))
	ask := d.message(calls, cit, "Apakah pesan Anda tadi tambahan keterangan untuk aduan "+tr)
	d.noMessage(calls, cit, "Pemberitahuan privasi")
	if got := d.buttons(cit, ask); !slices.Contains(got, "c:send:"+tr) {
		t.Fatalf("the question offers %v, want to add the text to %s", got, tr)
	}
	calls = d.press(cit, cit, ask, "c:send:"+tr)
	d.message(calls, cit, "Tambahan keterangan Anda untuk aduan "+tr+" sudah kami teruskan")
	wantText(t, "the further message in the agency's group", d.message(calls, groupAgency, "Pelapor menambahkan keterangan untuk aduan "+tr).Text(), more)
	// The added information leaves the agency's card as it is, and its version with it:
	// the card's buttons still act.
	d.wantState(tr, flows.InProgress, 5)
	if got := d.complaint(tr).Due; !got.Equal(due) {
		t.Errorf("the answer deadline moved from %v to %v", due, got)
	}
	d.answerAgain(cit, tr, "Data Anda sudah kami kirim ulang ke kecamatan.")
	d.wantState(tr, flows.Answered, 6)
	d.noFailedCalls()
}
