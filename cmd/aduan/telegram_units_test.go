package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// The tests in this file follow what the units see of a complaint on Telegram: its
// evidence, its whole description, its record for the Ombudsman, and what the identity
// mode hides.

const (
	nikBudi   = "6112010101900001"
	phoneBudi = "0812-3456-7890"
)

// longBody is a description of about 1,000 characters that names the complainant's NIK
// and phone number, as citizens do.
var longBody = "Saya mengurus perubahan data KK di kantor Disdukcapil sejak awal bulan. NIK saya " + nikBudi +
	" dan nomor yang bisa dihubungi " + phoneBudi + ". " +
	strings.Repeat("Petugas loket meminta saya kembali minggu depan karena berkas belum diverifikasi, padahal semua syarat sudah lengkap. ", 8) +
	"Bagian terakhir uraian ini harus terbaca utuh oleh unit yang menangani."

// evidence are the files of fileWithEvidence: two photos, a document and a location.
var evidence = struct{ photo1, photo2, doc []byte }{
	photo1: []byte("\xff\xd8\xff\xe0 photo of the queue ticket \xff\xd9"),
	photo2: []byte("\xff\xd8\xff\xe0 photo of the counter \xff\xd9"),
	doc:    []byte("%PDF-1.4 receipt of the submitted documents"),
}

// fileWithEvidence takes a citizen through the intake with the given privacy mode, the
// long description, two photos, a PDF and a location, and sends the complaint; it
// returns the tracking number and the calls of the last press.
func (d *tgDesk) fileWithEvidence(citizen int64, privacy flows.Privacy) (string, []tgfake.Call) {
	d.t.Helper()
	d.toAttachments(citizen, privacy, "perubahan-data", longBody)
	d.fake.AddFile("ev-photo-1", "photos/ev_1.jpg", evidence.photo1)
	d.fake.AddFile("ev-photo-2", "photos/ev_2.jpg", evidence.photo2)
	d.fake.AddFile("ev-doc-1", "documents/tanda_terima.pdf", evidence.doc)
	d.do(tgfake.PhotoMessage(citizen, citizen, "ev-photo-1", int64(len(evidence.photo1)), ""))
	d.do(tgfake.PhotoMessage(citizen, citizen, "ev-photo-2", int64(len(evidence.photo2)), ""))
	d.do(tgfake.DocumentMessage(citizen, citizen, "ev-doc-1", "tanda terima.pdf", int64(len(evidence.doc)), ""))
	calls := d.do(tgfake.LocationMessage(citizen, citizen, -0.0532, 109.3421))
	msg := d.message(calls, citizen, "Lampiran diterima (4 dari 5)")
	calls = d.press(citizen, citizen, msg, "i:files:done")
	if privacy != flows.Anonymous { // no contact details are asked of an anonymous complainant
		d.message(calls, citizen, "Nomor telepon")
		calls = d.do(tgfake.TextMessage(citizen, citizen, "Lewati"))
		msg = d.message(calls, citizen, "Alamat e-mail")
		calls = d.press(citizen, citizen, msg, "i:email:skip")
	}
	summary := d.message(calls, citizen, "Periksa kembali aduan Anda")
	calls = d.press(citizen, citizen, summary, "i:confirm:send")
	tr := trackingNumber.FindString(d.message(calls, citizen, "aduan Anda sudah kami terima dengan nomor").Text())
	if tr == "" {
		d.t.Fatal("no tracking number")
	}
	return tr, calls
}

// mediaTo returns the successful calls of the given methods to chat among calls.
func mediaTo(calls []tgfake.Call, chat int64, methods ...string) []tgfake.Call {
	var out []tgfake.Call
	for _, c := range calls {
		if slices.Contains(methods, c.Method) && c.ErrorCode == 0 && c.ChatID() == chat {
			out = append(out, c)
		}
	}
	return out
}

// album is the media of a sendMediaGroup call.
type albumItem struct {
	Type, Media, Caption string
}

func album(t *testing.T, c tgfake.Call) []albumItem {
	t.Helper()
	var items []albumItem
	if err := json.Unmarshal([]byte(c.Fields["media"]), &items); err != nil {
		t.Fatalf("media of %s: %v", c.Method, err)
	}
	return items
}

// checkEvidence checks that chat received the complaint's evidence once among calls,
// after its card and in its thread: the two photos as one album with their bytes, the
// PDF as a document, the location as a location; every file names the tracking number.
func checkEvidence(t *testing.T, calls []tgfake.Call, chat int64, tr string, thread int) {
	t.Helper()
	groups := mediaTo(calls, chat, "sendMediaGroup")
	if len(groups) != 1 {
		t.Fatalf("%d albums to %d, want 1", len(groups), chat)
	}
	items := album(t, groups[0])
	if len(items) != 2 || items[0].Type != "photo" || items[1].Type != "photo" {
		t.Fatalf("album %+v, want two photos", items)
	}
	for i, it := range items {
		if !strings.Contains(it.Caption, tr) || !strings.Contains(it.Caption, fmt.Sprintf("Lampiran %d dari 4", i+1)) {
			t.Errorf("photo %d caption %q", i+1, it.Caption)
		}
		name := strings.TrimPrefix(it.Media, "attach://")
		want := [][]byte{evidence.photo1, evidence.photo2}[i]
		if got := groups[0].Files[name]; !bytes.Equal(got, want) {
			t.Errorf("photo %d uploaded as %q (%d bytes), want the citizen's %d bytes", i+1, name, len(got), len(want))
		}
	}
	docs := slices.DeleteFunc(mediaTo(calls, chat, "sendDocument"), func(c tgfake.Call) bool { return c.FileNames["document"] == tr+".txt" })
	if len(docs) != 1 || !bytes.Equal(docs[0].Files["document"], evidence.doc) || !strings.Contains(docs[0].Text(), tr) ||
		docs[0].FileNames["document"] != "tanda_terima.pdf" {
		t.Fatalf("documents to %d: %+v", chat, docs)
	}
	locs := mediaTo(calls, chat, "sendLocation")
	if len(locs) != 1 || locs[0].Fields["latitude"] != "-0.0532" || locs[0].Fields["longitude"] != "109.3421" {
		t.Fatalf("locations to %d: %+v", chat, locs)
	}
	if kb := locs[0].Keyboard(); len(kb) != 1 || !strings.Contains(kb[0][0].Text, tr) || !strings.HasPrefix(kb[0][0].CallbackData, "v:card:") {
		t.Errorf("the location does not name the complaint: %v", kb)
	}
	for _, c := range append(append(groups, docs...), locs...) {
		if c.ThreadID() != thread {
			t.Errorf("%s in thread %d, want the complaint's %d", c.Method, c.ThreadID(), thread)
		}
	}
}

// TestTelegramUnitsSeeEvidenceAndWholeDescription: the files come with every new card,
// in the complaint's topic, and again on request; the card stays short and the whole
// description is one press away; a confidential complaint's NIK and phone number reach
// only the units that may see the identity.
func TestTelegramUnitsSeeEvidenceAndWholeDescription(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	d.fake.SetForum(groupAgency)
	tr, calls := d.fileWithEvidence(citizenBudi, flows.Confidential)
	c := d.complaint(tr)
	if len(c.Attachment) != 4 {
		t.Fatalf("attachments %+v", c.Attachment)
	}

	// The national admin may see the identity: the card shows the description (cut), the
	// files follow it.
	card := d.message(calls, groupNational, "Aduan baru "+tr)
	checkEvidence(t, calls, groupNational, tr, 0)
	if n := utf8.RuneCountInString(card.Text()); n > 1400 {
		t.Errorf("the card is %d characters long", n)
	}
	// A NIK in the description is masked for every unit; the phone shows where the
	// identity may be seen.
	wantText(t, "national card", card.Text(), "NIK saya ••••••••••••••••", phoneBudi, "Selengkapnya", "Lampiran: 4 berkas, dikirim di bawah kartu ini")
	if strings.Contains(card.Text(), "Bagian terakhir uraian") {
		t.Errorf("the card shows the whole description")
	}
	if got := d.buttons(groupNational, card); !slices.Contains(got, fmt.Sprintf("v:files:%d", c.ID)) || !slices.Contains(got, fmt.Sprintf("v:more:%d", c.ID)) {
		t.Errorf("national card buttons %v", got)
	}
	calls = d.press(groupNational, adminNational, card, fmt.Sprintf("v:more:%d", c.ID))
	full := d.message(calls, groupNational, "Uraian lengkap aduan "+tr)
	wantText(t, "national full text", full.Text(), "NIK saya ••••••••••••••••", phoneBudi, "Bagian terakhir uraian ini harus terbaca utuh")
	if strings.Contains(card.Text()+full.Text(), nikBudi) {
		t.Errorf("the national group sees the whole NIK")
	}

	// Routed and distributed: the agency may not see who filed it.
	calls = d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	regencyCard := d.message(calls, groupRegency, "Aduan baru "+tr)
	checkEvidence(t, calls, groupRegency, tr, 0)
	calls = d.choose(groupRegency, adminRegency, regencyCard, flows.EvDistribute, flowstest.Agency)
	agencyCard := d.message(calls, groupAgency, "Aduan baru "+tr)
	if agencyCard.ThreadID() == 0 {
		t.Fatal("the agency's forum has no topic for the complaint")
	}
	checkEvidence(t, calls, groupAgency, tr, agencyCard.ThreadID())
	for _, secret := range []string{nikBudi, phoneBudi, "3456"} {
		if strings.Contains(agencyCard.Text(), secret) {
			t.Errorf("the agency's card shows %q:\n%s", secret, agencyCard.Text())
		}
	}
	wantText(t, "agency card", agencyCard.Text(), "••••••••••••••••", "disamarkan", "identitas dirahasiakan")
	calls = d.press(groupAgency, adminAgency, agencyCard, fmt.Sprintf("v:more:%d", c.ID))
	full = d.message(calls, groupAgency, "Uraian lengkap aduan "+tr)
	wantText(t, "agency full text", full.Text(), "Bagian terakhir uraian ini harus terbaca utuh", "disamarkan")
	if strings.Contains(full.Text(), nikBudi) || strings.Contains(full.Text(), "3456") || full.ThreadID() != agencyCard.ThreadID() {
		t.Errorf("the agency's full text (thread %d) shows the identity:\n%s", full.ThreadID(), full.Text())
	}

	// The agency asks for the files again: they come again, in the topic.
	calls = d.press(groupAgency, adminAgency, agencyCard, fmt.Sprintf("v:files:%d", c.ID))
	checkEvidence(t, calls, groupAgency, tr, agencyCard.ThreadID())

	// A group that never had the complaint learns nothing about it from forged data.
	calls = d.do(tgfake.Callback(groupTeam, memberTeam, agencyCard.MessageID, fmt.Sprintf("v:more:%d", c.ID)))
	for _, m := range sent(calls, groupTeam) {
		if strings.Contains(m.Text(), tr) || strings.Contains(m.Text(), "Bagian terakhir") {
			t.Errorf("the team's group was shown %q", m.Text())
		}
	}
	if n := len(mediaTo(calls, groupTeam, "sendMediaGroup", "sendDocument", "sendLocation")); n != 0 {
		t.Errorf("%d files sent to a group that may not see them", n)
	}

	// The citizen replies to an answer: the agency and the team read the reply masked.
	calls = d.choose(groupAgency, adminAgency, agencyCard, flows.EvTask, flowstest.Team)
	d.message(calls, groupTeam, "ditugaskan ke tim ini")
	checkEvidence(t, calls, groupTeam, tr, 0)
	calls = d.act(groupAgency, adminAgency, agencyCard, flows.EvAnswer, "Data KK sudah kami perbaiki.")
	answered := d.message(calls, citizenBudi, "sudah dijawab")
	calls = d.press(citizenBudi, citizenBudi, answered, "c:rep:"+tr)
	calls = d.do(tgfake.TextMessage(citizenBudi, citizenBudi, "Belum benar. Hubungi saya di 081234567890 atau cek NIK "+nikBudi+"."))
	for _, g := range []int64{groupAgency, groupTeam} {
		m := d.message(calls, g, "Pelapor menanggapi jawaban aduan "+tr)
		if strings.Contains(m.Text(), nikBudi) || strings.Contains(m.Text(), "081234567890") || !strings.Contains(m.Text(), "disamarkan") {
			t.Errorf("the reply reached %d unmasked:\n%s", g, m.Text())
		}
	}
	d.noFailedCalls()
}

// TestTelegramUnitsSmallerThings: a taken task is named on the card and not offered
// again; the tasked team is reminded too; archiving tells the group once; the LAPOR! ID
// is explained and checked as it is typed; /antrian shows cards again; the units read
// "Menunggu Tanggapan Pelapor"; the help names the Konfirmasi button.
func TestTelegramUnitsSmallerThings(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-12-04 09:00", nil)
	tr, card := d.file(citizenBudi, bodyKK)
	calls := d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	regencyCard := d.message(calls, groupRegency, "Aduan baru "+tr)
	calls = d.choose(groupRegency, adminRegency, regencyCard, flows.EvDistribute, flowstest.Agency)
	agencyCard := d.message(calls, groupAgency, "Aduan baru "+tr)
	calls = d.choose(groupAgency, adminAgency, agencyCard, flows.EvTask, flowstest.Team)
	teamCard := d.message(calls, groupTeam, "ditugaskan ke tim ini")

	// Ambil Tugas: the card names who took it, and offers it no more.
	take := d.button(groupTeam, teamCard, `^a:take:`)
	calls = d.press(groupTeam, memberTeam, teamCard, take)
	d.message(calls, groupAgency, "diambil oleh Tester")
	if m, _ := d.fake.Message(groupTeam, teamCard.MessageID); !strings.Contains(m.Text, "Dikerjakan oleh: Tester") {
		t.Errorf("the team's card does not say who took the task:\n%s", m.Text)
	}
	if slices.ContainsFunc(d.buttons(groupTeam, teamCard), func(b string) bool { return strings.HasPrefix(b, "a:take:") }) {
		t.Errorf("the team's card still offers Ambil Tugas: %v", d.buttons(groupTeam, teamCard))
	}
	if c := d.complaint(tr); c.TakenBy != "Tester" {
		t.Errorf("taken by %q", c.TakenBy)
	}

	// The reminder before the answer deadline reaches the agency and the team.
	c := d.complaint(tr)
	calls = d.sweepAt(c.Due.Add(-2 * time.Hour))
	d.message(calls, groupAgency, "Pengingat: aduan "+tr)
	d.message(calls, groupTeam, "Pengingat: aduan "+tr)

	// The LAPOR! ID: explained when asked for, refused as soon as it is typed wrong, and
	// taken with LAPOR!'s own "#" when typed right.
	calls = d.press(groupAgency, adminAgency, agencyCard, d.button(groupAgency, agencyCard, `^a:lapor_id:`))
	ask := d.message(calls, groupAgency, "Balas pesan ini")
	wantText(t, "LAPOR! ID prompt", ask.Text(), "misalnya 5123456", "3 sampai 40 huruf atau angka")
	calls = d.do(tgfake.ReplyMessage(groupAgency, adminAgency, ask.MessageID, "nomor saya belum ada"))
	d.message(calls, groupAgency, "ID LAPOR! tidak sesuai format")
	d.noMessage(calls, groupAgency, "Periksa teks berikut")
	calls = d.do(tgfake.ReplyMessage(groupAgency, adminAgency, ask.MessageID, "#5123456"))
	confirm := d.message(calls, groupAgency, "Periksa teks berikut")
	if strings.Contains(confirm.Text(), "#") {
		t.Errorf("the confirmation keeps the #: %q", confirm.Text())
	}
	d.press(groupAgency, adminAgency, confirm, d.button(groupAgency, confirm, `^p:\d+:ok$`))
	if c := d.complaint(tr); c.LaporID != "5123456" {
		t.Errorf("LAPOR! ID %q", c.LaporID)
	}

	// Answered: the units read whose response is awaited.
	d.act(groupAgency, adminAgency, agencyCard, flows.EvAnswer, "KK sudah dapat diambil.")
	if m, _ := d.fake.Message(groupAgency, agencyCard.MessageID); !strings.Contains(m.Text, "Status: Menunggu Tanggapan Pelapor") {
		t.Errorf("the agency's card after the answer:\n%s", m.Text)
	}

	// /antrian lists the open complaints with a button that shows each card again.
	tr2, card2 := d.file(citizenSiti, bodyAkta)
	c2 := d.complaint(tr2)
	calls = d.do(tgfake.TextMessage(groupNational, adminNational, "/antrian"))
	queue := d.message(calls, groupNational, "terbuka di")
	show := fmt.Sprintf("v:card:%d", c2.ID)
	calls = d.press(groupNational, adminNational, queue, show)
	again := d.message(calls, groupNational, "Aduan "+tr2)
	if got := d.buttons(groupNational, again); !slices.Contains(got, fmt.Sprintf("a:route:%d:1", c2.ID)) {
		t.Errorf("the card shown again offers %v", got)
	}

	// Archiving: one notice to the group, with the reason and who did it.
	reason := "Bukan aduan pelayanan publik."
	calls = d.act(groupNational, adminNational, again, flows.EvArchive, reason)
	d.wantState(tr2, flows.Archived, 2)
	got := sent(calls, groupNational)
	if len(got) != 1 || !strings.Contains(got[0].Text(), "diarsipkan oleh Tester") || !strings.Contains(got[0].Text(), reason) {
		t.Errorf("archiving told the group:\n%s", texts(got))
	}
	// The card shown again is the one the change edited: it offers nothing now.
	d.spent(groupNational, again)
	if m, _ := d.fake.Message(groupNational, card2.MessageID); !strings.Contains(m.Text, "Menunggu Verifikasi") {
		t.Errorf("the first card changed too:\n%s", m.Text)
	}

	// The help names the buttons that exist.
	calls = d.do(tgfake.TextMessage(groupAgency, adminAgency, "/help"))
	help := d.message(calls, groupAgency, "Grup ini adalah grup")
	wantText(t, "help", help.Text(), "Konfirmasi", "Selengkapnya", "/antrian")
	if strings.Contains(help.Text(), "tekan Kirim") {
		t.Errorf("the help names a Kirim button:\n%s", help.Text())
	}
	d.noFailedCalls()
}

// TestTelegramUnitsOmbudsmanGetsWholeRecord: a complaint handed to the Ombudsman comes
// to the liaison's group with its card, its files and its whole record as a document:
// every step with who and when, the findings, the answers and replies, the identity
// (the Ombudsman may see it) and the list of attachments.
func TestTelegramUnitsOmbudsmanGetsWholeRecord(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, calls := d.fileWithEvidence(citizenBudi, flows.Confidential)
	card := d.message(calls, groupNational, "Aduan baru "+tr)
	calls = d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	regencyCard := d.message(calls, groupRegency, "Aduan baru "+tr)
	calls = d.choose(groupRegency, adminRegency, regencyCard, flows.EvDistribute, flowstest.Agency)
	agencyCard := d.message(calls, groupAgency, "Aduan baru "+tr)
	calls = d.choose(groupAgency, adminAgency, agencyCard, flows.EvTask, flowstest.Team)
	teamCard := d.message(calls, groupTeam, "ditugaskan ke tim ini")
	findings := "Data KK tertahan di sistem pusat, menunggu sinkronisasi."
	d.act(groupTeam, memberTeam, teamCard, flows.EvFindings, findings)
	answer := "Mohon maaf, data sedang kami perbaiki."
	calls = d.act(groupAgency, adminAgency, agencyCard, flows.EvAnswer, answer)
	answered := d.message(calls, citizenBudi, "sudah dijawab")
	d.press(citizenBudi, citizenBudi, answered, "c:rep:"+tr)
	reply := "Sampai sekarang belum diperbaiki juga."
	d.do(tgfake.TextMessage(citizenBudi, citizenBudi, reply))

	c := d.complaint(tr)
	calls = d.sweepAt(c.ClockFrom.Add(60 * 24 * time.Hour))
	d.wantState(tr, flows.AtOmbudsman, c.Version+1)
	handover := d.message(calls, groupOmbudsman, "Aduan "+tr+" dilimpahkan ke Ombudsman")
	checkEvidence(t, calls, groupOmbudsman, tr, 0)
	var record *tgfake.Call
	for _, m := range mediaTo(calls, groupOmbudsman, "sendDocument") {
		if m.FileNames["document"] == tr+".txt" {
			record = &m
		}
	}
	if record == nil {
		t.Fatalf("no record document among %+v", mediaTo(calls, groupOmbudsman, "sendDocument"))
	}
	wantText(t, "record caption", record.Text(), "Catatan lengkap aduan "+tr)
	doc := string(record.Files["document"])
	wantText(t, "record", doc,
		"Catatan lengkap aduan "+tr, "Kerahasiaan: Rahasia", "Pelapor: Tester",
		strings.Replace(longBody, nikBudi, "••••••••••••••••", 1), // whole, the phone unmasked: the Ombudsman may see the identity; a NIK is masked for every unit
		"diajukan", "Diverifikasi dan diteruskan ke kabupaten", "Didisposisikan ke dinas", "Ditugaskan ke tim teknis",
		"Hasil pemeriksaan tim teknis dilaporkan", findings, "Dijawab", answer, "menanggapi jawaban", reply,
		"Dilimpahkan ke Ombudsman", "Oleh: Tester, Admin Kabupaten Kubu Raya", "Oleh: pelapor", "Oleh: sistem",
		"Senin, 30 November 2026 pukul", "Lampiran 1: foto", "Lampiran 3: dokumen tanda terima.pdf", "Lampiran 4: lokasi -0.053200,109.342100")
	if got := strings.Count(doc, "\n   Oleh: "); got != len(d.audit(tr)) {
		t.Errorf("the record has %d steps, the audit trail %d", got, len(d.audit(tr)))
	}
	if got := d.buttons(groupOmbudsman, handover); !slices.Contains(got, fmt.Sprintf("v:record:%d", c.ID)) {
		t.Errorf("the liaison's card offers %v", got)
	}
	// The liaison can ask for the record again; nobody else can.
	calls = d.press(groupOmbudsman, liaisonOmbuds, handover, fmt.Sprintf("v:record:%d", c.ID))
	if n := len(mediaTo(calls, groupOmbudsman, "sendDocument")); n != 1 {
		t.Errorf("%d documents after asking for the record again", n)
	}
	calls = d.do(tgfake.Callback(groupAgency, adminAgency, agencyCard.MessageID, fmt.Sprintf("v:record:%d", c.ID)))
	if n := len(mediaTo(calls, groupAgency, "sendDocument")); n != 0 {
		t.Errorf("the agency got the record")
	}
	d.noFailedCalls()
}

// TestTelegramUnitsAnonymousMaskedEverywhere: an anonymous complaint's numbers are masked
// for every unit, the Ombudsman's record included.
func TestTelegramUnitsAnonymousMaskedEverywhere(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, calls := d.fileWithEvidence(citizenSiti, flows.Anonymous)
	card := d.message(calls, groupNational, "Aduan baru "+tr)
	if strings.Contains(card.Text(), nikBudi) || !strings.Contains(card.Text(), "Pelapor: anonim") {
		t.Errorf("the national card of an anonymous complaint:\n%s", card.Text())
	}
	c := d.complaint(tr)
	calls = d.sweepAt(c.FiledAt.Add(60 * 24 * time.Hour))
	for _, m := range mediaTo(calls, groupOmbudsman, "sendDocument") {
		if doc := string(m.Files["document"]); strings.Contains(doc, nikBudi) || strings.Contains(doc, "3456") {
			t.Errorf("the Ombudsman's record of an anonymous complaint shows its numbers")
		}
	}
	if n := strconv.Itoa(len(mediaTo(calls, groupOmbudsman, "sendDocument"))); n != "2" {
		t.Errorf("%s documents to the Ombudsman, want the PDF and the record", n)
	}
	d.noFailedCalls()
}

// TestTelegramUnitsPhotoRefusedGoesAsDocument: photos Telegram will not take as photos
// (too large, odd dimensions) reach the unit as documents.
func TestTelegramUnitsPhotoRefusedGoesAsDocument(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	d.fake.FailNext("sendMediaGroup", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS", 0)
	tr, calls := d.fileWithEvidence(citizenBudi, flows.Ordinary)
	albums := mediaTo(calls, groupNational, "sendMediaGroup")
	if len(albums) != 1 {
		t.Fatalf("%d albums delivered, want the documents' one", len(albums))
	}
	items := album(t, albums[0])
	if len(items) != 2 || items[0].Type != "document" || !strings.Contains(items[1].Caption, tr) {
		t.Errorf("album %+v", items)
	}
	if got := albums[0].Files[strings.TrimPrefix(items[0].Media, "attach://")]; !bytes.Equal(got, evidence.photo1) {
		t.Errorf("first photo sent as %q", got)
	}
}

// TestTelegramUnitsWithoutAlbums: a Bot API that knows no media groups (404) gets the
// files one by one, and the group's later messages are not held back.
func TestTelegramUnitsWithoutAlbums(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	d.fake.FailNext("sendMediaGroup", 404, "Not Found", 0) // the photos as an album
	d.fake.FailNext("sendMediaGroup", 404, "Not Found", 0) // and as an album of documents
	tr, calls := d.fileWithEvidence(citizenBudi, flows.Ordinary)
	d.message(calls, groupNational, "baru "+tr)
	photos := mediaTo(calls, groupNational, "sendDocument")
	var got [][]byte
	for _, p := range photos {
		if strings.Contains(p.Text(), tr) {
			got = append(got, p.Files["document"])
		}
	}
	if len(got) != 3 || !bytes.Equal(got[0], evidence.photo1) || !bytes.Equal(got[1], evidence.photo2) || !bytes.Equal(got[2], evidence.doc) {
		t.Errorf("%d files sent one by one, want the two photos and the PDF", len(got))
	}
	if n := len(mediaTo(calls, groupNational, "sendLocation")); n != 1 {
		t.Errorf("%d locations after the files", n)
	}
}
