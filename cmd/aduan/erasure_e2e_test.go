package main

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"aduan/bot/whatsapp/wafake"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// The tests in this file follow a citizen's /hapusdata through the whole program on
// WhatsApp and on the web chat: a closed complaint is anonymised at once, an open one
// when it closes (the sweep, at the injected clock's time); the citizen is told in
// their language, the operator sees the request (`aduan requests deletions`, /metrics,
// the log), and the audit trail still verifies.

// wantAnonymised checks in the database that complaint id holds nothing personal, as
// store/redact.go erases it: no title, description, place, name, phone or e-mail, the
// chat erased, the attachments reduced to kind and size and their files deleted, the
// audit trail's texts and names emptied, no pending action, no message to the
// complainant naming their chat, no line of a web chat about it; and that none of
// those rows holds any of personal.
func wantAnonymised(t *testing.T, d *tgDesk, id int64, chat string, files []string, personal ...string) {
	t.Helper()
	ctx := t.Context()
	c, err := d.m.DB().Complaint(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "" || c.Body != "" || c.Place != "" || c.Contact.Name != "" || c.Contact.Phone != "" || c.Contact.Email != "" ||
		c.Contact.Chat != flows.ErasedChat {
		t.Errorf("complaint %s keeps personal data: %+v", c.Tracking, c)
	}
	for _, a := range c.Attachment {
		if a.Ref != "" || a.Name != "" {
			t.Errorf("complaint %s keeps an attachment's reference: %+v", c.Tracking, a)
		}
	}
	var ids []string
	for _, ref := range files {
		ids = append(ids, strings.TrimPrefix(ref, "file:"))
	}
	pool := d.m.DB().Pool()
	var n int
	for _, q := range []struct{ what, sql string }{
		{"files", `SELECT count(*) FROM attachment_file WHERE id::text = ANY($2) AND $1 > 0`},
		{"audit texts", `SELECT count(*) FROM audit_event WHERE complaint_id = $1 AND kind <> 'redact' AND (text <> '' OR actor_name <> '') AND $2::text[] IS NOT NULL`},
		{"pending actions", `SELECT count(*) FROM pending_action WHERE complaint_id = $1 AND $2::text[] IS NOT NULL`},
		{"web lines", `SELECT count(*) FROM web_line WHERE (body->>'complaint')::bigint = $1 AND $2::text[] IS NOT NULL`},
	} {
		if err := pool.QueryRow(ctx, q.sql, id, ids).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q.what, err)
		}
		if n != 0 {
			t.Errorf("complaint %s: %d %s left", c.Tracking, n, q.what)
		}
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE complaint_id = $1 AND unit = '' AND chat = $2`, id, chat).Scan(&n); err != nil || n != 0 {
		t.Errorf("complaint %s: %d messages to the complainant still name their chat (%v)", c.Tracking, n, err)
	}
	tables := map[string]string{
		"complaint":   `SELECT coalesce(string_agg(row_to_json(x)::text, ' | '), '') FROM complaint x WHERE x.id = $1`,
		"audit_event": `SELECT coalesce(string_agg(row_to_json(x)::text, ' | '), '') FROM audit_event x WHERE x.complaint_id = $1`,
		"outbox":      `SELECT coalesce(string_agg(row_to_json(x)::text, ' | '), '') FROM outbox x WHERE x.complaint_id = $1`,
		"web_line":    `SELECT coalesce(string_agg(row_to_json(x)::text, ' | '), '') FROM web_line x WHERE (x.body->>'complaint')::bigint = $1`,
	}
	for table, q := range tables {
		var rows string
		if err := pool.QueryRow(ctx, q, id).Scan(&rows); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for _, p := range personal {
			if p != "" && strings.Contains(rows, p) {
				t.Errorf("complaint %s: %s still holds %q:\n%s", c.Tracking, table, p, rows)
			}
		}
	}
}

// wantAuditVerifies checks every audit chain of the desk.
func wantAuditVerifies(t *testing.T, d *tgDesk) {
	t.Helper()
	check, err := d.m.DB().VerifyAudit(t.Context(), 0)
	if err != nil || !check.OK() {
		t.Errorf("the audit trail does not verify: %+v (%v)", check, err)
	}
}

// deletionRow matches the line of `aduan requests deletions` of a request on channel:
// its number, channel, pseudonym, when, how many were erased at once and how many were
// waiting, and when it was completed ("waiting" while not).
func deletionRow(channel string, erased, waiting int, completed bool) *regexp.Regexp {
	end := `waiting$`
	if completed {
		end = `\d{4}-\d\d-\d\d \d\d:\d\d$`
	}
	return regexp.MustCompile(fmt.Sprintf(`(?m)^\d+\s+%s\s+complainant:[0-9a-f]{20}\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+%d\s+%d\s+%s`,
		channel, erased, waiting, end))
}

// wantDeletionSeen checks what the operator sees of the desk's one deletion request:
// `aduan requests deletions`, the open requests on /metrics, the log's line.
func wantDeletionSeen(t *testing.T, d *tgDesk, channel string, erased, waiting int, completed bool, private ...string) {
	t.Helper()
	cl := &cli{t: t, env: map[string]string{"DATABASE_URL": d.url}, clock: d.clock}
	out := cl.ok("requests", "deletions")
	if !deletionRow(channel, erased, waiting, completed).MatchString(out) {
		t.Errorf("requests deletions (want %s, %d erased, %d waiting, completed %v):\n%s", channel, erased, waiting, completed, out)
	}
	for _, p := range private {
		if strings.Contains(out, p) {
			t.Errorf("requests deletions prints %q", p)
		}
	}
	mfs, _ := scrape(t, d)
	open := 1.0
	if completed {
		open = 0
	}
	if n, ok := value(mfs, "aduan_data_requests_open", map[string]string{"kind": "erasure"}); !ok || n != open {
		t.Errorf("aduan_data_requests_open{kind=erasure} = %v %v, want %v", n, ok, open)
	}
	logged := d.log.String()
	if !strings.Contains(logged, `msg="deletion request recorded"`) || strings.Contains(logged, `msg="deletion request completed"`) != completed {
		t.Errorf("the log does not tell the request (completed %v)", completed)
	}
}

// waFileWithPhoto files a complaint on WhatsApp as waFile does, with a photo.
func (d *waDesk) waFileWithPhoto(cit wafake.Person, body string, photo []byte) string {
	d.t.Helper()
	sent := d.dm(cit, "lapor")
	msg := d.msg(sent, cit.JID, "Pemberitahuan privasi")
	for _, label := range []string{"Setuju", "Pengaduan", "Biasa", "Kartu Keluarga (KK)"} {
		sent = d.dm(cit, d.num(msg, label))
		msg = wafake.To(sent, cit.JID)[len(wafake.To(sent, cit.JID))-1]
	}
	d.msg(d.dm(cit, body), cit.JID, "Kapan kejadiannya")
	d.msg(d.dm(cit, "lewati"), cit.JID, "Di mana kejadiannya")
	d.msg(d.dm(cit, "lewati"), cit.JID, "Kirim foto atau dokumen")
	d.msg(d.do(d.wa.Image(cit.JID, cit, photo, "image/jpeg", "tanda terima")), cit.JID, "Lampiran diterima (1 dari 5)")
	d.msg(d.dm(cit, "selesai"), cit.JID, "Boleh petugas menghubungi Anda di nomor +62 ")
	d.msg(d.dm(cit, "1"), cit.JID, "Alamat e-mail")
	d.msg(d.dm(cit, "lewati"), cit.JID, "Periksa kembali aduan Anda")
	tr := trackingNumber.FindString(d.msg(d.dm(cit, "kirim"), cit.JID, "aduan Anda sudah kami terima dengan nomor").Text())
	if tr == "" {
		d.t.Fatal("no tracking number")
	}
	return tr
}

// waAnswered has the units route, distribute and answer tr in their WhatsApp groups;
// it returns the answer as the citizen received it.
func (d *waDesk) waAnswered(cit wafake.Person, tr, answer string) wafake.Sent {
	d.t.Helper()
	d.choose(waNational, waAdminNational, d.card(waNational, tr), "Teruskan", "Admin Kabupaten Kubu Raya")
	d.choose(waRegency, waAdminRegency, d.card(waRegency, tr), "Disposisikan", "Dinas Dukcapil Kubu Raya")
	sent := d.act(waAgency, waAdminAgency, d.card(waAgency, tr), "Jawab", answer)
	return d.msg(sent, cit.JID, "sudah dijawab")
}

// On WhatsApp, a citizen with one closed complaint (with a photo) and one open asks
// for deletion by the typed word and confirms by number: the closed one is anonymised
// at once, the open one recorded; the citizen is told both in Indonesian, and is still
// told of the open one's answer; when it closes after ten days of silence, the next
// sweep anonymises it and completes the request. The operator sees it all, and every
// audit chain verifies.
func TestWhatsAppErasure(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 08:55", unitsOnWhatsApp)
	cit := waBudi
	photo := []byte("\xff\xd8\xff\xe0 a photo of the receipt \xff\xd9")
	closedTr := d.waFileWithPhoto(cit, bodyKK, photo)
	answer := "KK Bapak Budi sudah dapat diambil di kantor kecamatan."
	answered := d.waAnswered(cit, closedTr, answer)
	d.msg(d.dm(cit, d.num(answered, "Saya Puas")), cit.JID, "sudah selesai")
	closed := d.wantState(closedTr, flows.Closed, 5)
	if len(closed.Attachment) != 1 || closed.Attachment[0].Ref == "" {
		t.Fatalf("the closed complaint's files: %+v", closed.Attachment)
	}
	openTr, _ := d.waFile(cit, bodyAkta)
	open := d.complaint(openTr)

	sent := d.dm(cit, "hapusdata")
	ask := d.msg(sent, cit.JID, "Anda meminta kami menghapus data pribadi Anda")
	wantText(t, "the question", ask.Text(), "Laporan yang masih diproses tetap kami tangani")
	sent = d.dm(cit, d.num(ask, "Setuju"))
	done := d.msg(sent, cit.JID, "Permintaan Anda sudah kami laksanakan")
	wantText(t, "the answer", done.Text(), "data pribadi Anda sudah dihapus dari 1 laporan", "Masih diproses: 1 laporan ("+openTr+")")

	wantAnonymised(t, d.tgDesk, closed.ID, cit.JID.String(), []string{closed.Attachment[0].Ref}, bodyKK, answer, "Budi", "6281234567890")
	if c := d.complaint(openTr); c.Body != bodyAkta || c.Contact.Chat != cit.JID.String() || c.Contact.Name != "Budi" {
		t.Errorf("the open complaint lost its data before closing: %+v", c)
	}
	wantDeletionSeen(t, d.tgDesk, "whatsapp", 1, 1, false, cit.JID.User, "Budi")
	wantAuditVerifies(t, d.tgDesk)

	// The open one goes on: the citizen is told of its answer, and it closes after
	// ten days of silence; the sweep after the closing message is out anonymises it.
	answer2 := "Akta kelahiran anak Bapak sudah terbit dan dapat diambil."
	d.waAnswered(cit, openTr, answer2)
	c := d.wantState(openTr, flows.Answered, 4)
	sent = d.sweepAt(c.Updated.Add(10*24*time.Hour + time.Minute))
	d.msg(sent, cit.JID, "kami tutup karena tidak ada tanggapan")
	if c := d.complaint(openTr); c.State != flows.Closed {
		t.Fatalf("closed by the sweep: %s", c.State)
	}
	// The same sweep anonymises it when the closing message went out before its
	// retention step ran; the next one does otherwise.
	d.sweepAt(d.clock.Now().Add(time.Minute))
	wantAnonymised(t, d.tgDesk, open.ID, cit.JID.String(), nil, bodyAkta, answer2, "Budi", "6281234567890")
	wantDeletionSeen(t, d.tgDesk, "whatsapp", 1, 1, true, cit.JID.User, "Budi")
	wantAuditVerifies(t, d.tgDesk)
}

// fileInEnglish files a complaint in /lapor in English, already in the chat: /lapor,
// the notice, an ordinary complaint about the KTP-el with body, a photo when given, the
// phone and e-mail typed. It returns the tracking number.
func (p *laporClient) fileInEnglish(body string, photo []byte, phone, email string) string {
	p.t.Helper()
	p.say("/lapor")
	p.wantText("Privacy notice")
	for _, l := range []string{"I Agree", "Complaint", "Ordinary", "KTP-el"} {
		p.press(l)
	}
	p.say(body)
	p.press("Skip")
	p.press("Skip")
	if photo != nil {
		p.upload("The queue", "antrean.png", photo)
	}
	p.press("Done")
	p.say(phone)
	p.say(email)
	p.wantText("Please check your ")
	p.press("Send")
	tr := trackingNumber.FindString(p.text()[strings.LastIndex(p.text(), "Please check your "):])
	if tr == "" {
		p.t.Fatalf("no tracking number:\n%s", p.text())
	}
	return tr
}

// In the web chat, in English: a citizen with one closed complaint (with a photo) and
// one open asks for deletion with /hapusdata and confirms: the closed one is
// anonymised at once and its lines leave the chat, the open one is recorded; the
// citizen is told in English. When the open one closes, the next sweep anonymises it
// too, completes the request and empties the chat. The operator
// sees it all, and every audit chain verifies.
func TestWebChatErasure(t *testing.T) {
	t.Parallel()
	d := newWebDesk(t, "2026-12-01 09:00")
	p := newLaporClient(t, deskURL(d), "en")
	p.post("/lapor/mulai", url.Values{"nama": {"Wulan Sekarwangi"}})
	p.wantText("New Report")
	token := chatCookieOf(t, p)
	bodyA := "My KTP-el has not been printed for three months; the office keeps saying the forms ran out."
	bodyB := "The birth certificate of my daughter is still not issued although every document was handed in."
	closedTr := p.fileInEnglish(bodyA, pngBytes(t), "0813-7777-8888", "wulan.sekar@example.id")
	national := unitPane(d, flowstest.National, "Rina")
	regency := unitPane(d, flowstest.Regency, "Yusuf")
	agency := unitPane(d, flowstest.Agency, "Sari")
	work := func(tr, answer string) {
		t.Helper()
		national.choose(national.card(tr), "Teruskan", "Admin Kabupaten")
		regency.choose(regency.card(tr), "Disposisikan", "Dinas Dukcapil")
		agency.act(agency.card(tr), "Jawab", answer)
	}
	answerA := "Your KTP-el, Mrs Wulan, is ready at the district office."
	work(closedTr, answerA)
	p.get("/lapor")
	p.wantText(answerA)
	p.press("I'm Satisfied")
	p.wantText("is now closed")
	closed := d.complaint(closedTr)
	if closed.State != flows.Closed || len(closed.Attachment) != 1 || closed.Attachment[0].Ref == "" {
		t.Fatalf("the first complaint: %s, files %+v", closed.State, closed.Attachment)
	}
	openTr := p.fileInEnglish(bodyB, nil, "0813-7777-8888", "wulan.sekar@example.id")
	open := d.complaint(openTr)

	p.say("/hapusdata")
	p.wantText("Reports still being handled are handled to the end")
	p.press("I Agree")
	p.wantText("We have carried out your request: reports whose personal data is now deleted: 1.")
	p.wantText("Still being handled: 1 (" + openTr + ")")
	d.settle()
	personal := append(phoneForms("0813-7777-8888"), "Wulan", "wulan.sekar@example.id")
	wantAnonymised(t, d, closed.ID, token, []string{closed.Attachment[0].Ref}, append(personal, bodyA, answerA)...)
	// The conversation that filed it (the description typed, the summary) left the chat
	// with it, although the chat holds the open complaint still.
	var kept string
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT coalesce(string_agg(body::text, ' | '), '') FROM web_line
WHERE chat = $1 AND strpos(body::text, $2) > 0`, token, "has not been printed for three months").Scan(&kept); err != nil || kept != "" {
		t.Errorf("the chat still holds the erased complaint's description (%v): %s", err, kept)
	}
	if !strings.Contains(p.text(), "birth certificate of my daughter") {
		t.Errorf("the open complaint's conversation left the chat too:\n%s", p.text())
	}
	if c := d.complaint(openTr); c.Body != bodyB || c.Contact.Chat != token || c.Contact.Name != "Wulan Sekarwangi" {
		t.Errorf("the open complaint lost its data before closing: %+v", c)
	}
	wantDeletionSeen(t, d, "web", 1, 1, false, token, "Wulan")
	wantAuditVerifies(t, d)

	// The open one goes on: its answer reaches the chat, the citizen is satisfied, and
	// the next sweep leaves nothing of either complaint in the chat or the database.
	// (It closes by the citizen's press, every message it caused delivered before the
	// sweep: a card edit still queued for a unit's group when the sweep anonymises would
	// be written afterwards with what it showed.)
	answerB := "The birth certificate is issued; you can collect it at counter 2."
	work(openTr, answerB)
	p.get("/lapor")
	p.wantText(answerB)
	p.press("I'm Satisfied")
	p.wantText("is now closed")
	d.settle()
	if c := d.complaint(openTr); c.State != flows.Closed || c.Body != bodyB {
		t.Fatalf("closed by the citizen: %s, body %q", c.State, c.Body)
	}
	d.sweepAt(d.clock.Now().Add(time.Minute))
	wantAnonymised(t, d, open.ID, token, nil, append(personal, bodyB, answerB)...)
	wantDeletionSeen(t, d, "web", 1, 1, true, token, "Wulan")
	wantAuditVerifies(t, d)
	var lines int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM web_line WHERE chat = $1`, token).Scan(&lines); err != nil || lines != 0 {
		t.Errorf("%d lines left in the chat (%v)", lines, err)
	}
}
