package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"aduan/bot/telegram/tgfake"
	"aduan/bot/whatsapp/wafake"
	"aduan/flows"
)

// The tests in this file follow a citizen's rights over their data (UU 27/2022) through
// the whole program: /datasaya (or the menu's Data Saya) sends a copy of everything the
// desk holds about them, and nothing of anyone else's, recorded as a data request and in
// the access log.

// copyDoc parses a data copy document and returns it with its raw bytes as text.
func copyDoc(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the copy is no JSON: %v\n%s", err, raw)
	}
	return doc
}

// wantRequest checks that the database holds n completed access requests and an
// access-log line for each, completed at once, under the citizen's pseudonym.
func wantRequests(t *testing.T, d *tgDesk, n int) {
	t.Helper()
	var requests, done, logged int
	err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE completed_at = requested_at AND person LIKE 'complainant:%'),
		(SELECT count(*) FROM access_log WHERE what = 'data_copy' AND who = person AND person LIKE 'complainant:%')
		FROM data_request WHERE kind = 'access'`).Scan(&requests, &done, &logged)
	if err != nil {
		t.Fatal(err)
	}
	if requests != n || done != n || logged != n {
		t.Errorf("%d access requests, %d completed at once, %d in the access log; want %d each", requests, done, logged, n)
	}
}

// TestRightsDataCopyTelegram: on Telegram, /datasaya and the menu's button send each
// citizen a JSON file with their complaints as filed (the description with its NIK and
// phone, the files with their hashes), their states and steps, their draft — and nothing
// of the other citizen's.
func TestRightsDataCopyTelegram(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	tr, _ := d.fileWithEvidence(citizenBudi, flows.Confidential)
	trSiti, _ := d.file(citizenSiti, bodyAkta)

	calls := d.do(tgfake.TextMessage(citizenBudi, citizenBudi, "/datasaya"))
	docs := mediaTo(calls, citizenBudi, "sendDocument")
	if len(docs) != 1 {
		t.Fatalf("%d documents to the citizen, want 1; sent:\n%s", len(docs), texts(sent(calls, citizenBudi)))
	}
	if name := docs[0].FileNames["document"]; name != "data-saya-2026-11-30.json" {
		t.Errorf("the copy is named %q", name)
	}
	wantText(t, "caption", docs[0].Text(), "salinan data pribadi Anda")
	raw := docs[0].Files["document"]
	doc := copyDoc(t, raw)
	if doc["Saluran"] != "telegram" || doc["Alamat percakapan"] != "555001" || doc["Format"] != "aduan-data-copy/1" {
		t.Errorf("head of the copy: %v", doc)
	}
	complaints, _ := doc["Laporan"].([]any)
	if len(complaints) != 1 {
		t.Fatalf("%d complaints in Budi's copy, want 1:\n%s", len(complaints), raw)
	}
	k := complaints[0].(map[string]any)
	if k["Nomor laporan"] != tr || k["Uraian"] != longBody || k["Identitas"] == "" || k["Status"] == "" {
		t.Errorf("the complaint in the copy: %v", k)
	}
	files, _ := k["Lampiran"].([]any)
	if len(files) != 4 {
		t.Fatalf("files in the copy: %v", k["Lampiran"])
	}
	sum := sha256.Sum256(evidence.photo1)
	if f := files[0].(map[string]any); f["SHA-256"] != hex.EncodeToString(sum[:]) || f["Ukuran (byte)"] != float64(len(evidence.photo1)) {
		t.Errorf("first file in the copy: %v", f)
	}
	if f := files[3].(map[string]any); f["Lokasi"] == nil {
		t.Errorf("the location in the copy: %v", f)
	}
	steps, _ := k["Langkah penanganan"].([]any)
	if len(steps) == 0 {
		t.Errorf("no steps in the copy")
	}
	for _, other := range []string{trSiti, bodyAkta, "555002"} {
		if bytes.Contains(raw, []byte(other)) {
			t.Errorf("Budi's copy holds %q of Siti's", other)
		}
	}
	wantRequests(t, d, 1)

	// Siti asks from the menu: her complaint and her draft; nothing of Budi's.
	calls = d.do(tgfake.TextMessage(citizenSiti, citizenSiti, "/start"))
	menu := d.message(calls, citizenSiti, "")
	calls = d.press(citizenSiti, citizenSiti, menu, "m:data")
	docs = mediaTo(calls, citizenSiti, "sendDocument")
	if len(docs) != 1 {
		t.Fatalf("%d documents to Siti, want 1", len(docs))
	}
	raw = docs[0].Files["document"]
	if doc = copyDoc(t, raw); !bytes.Contains(raw, []byte(trSiti)) || !bytes.Contains(raw, []byte(bodyAkta)) || doc["Percakapan"] != nil {
		t.Errorf("Siti's copy:\n%s", raw)
	}
	// With a draft begun, the copy holds the conversation, and the step is asked again.
	d.do(tgfake.TextMessage(citizenSiti, citizenSiti, "/lapor"))
	calls = d.do(tgfake.TextMessage(citizenSiti, citizenSiti, "/datasaya"))
	d.message(calls, citizenSiti, "Pemberitahuan privasi")
	docs = mediaTo(calls, citizenSiti, "sendDocument")
	if len(docs) != 1 {
		t.Fatalf("%d documents to Siti, want 1", len(docs))
	}
	raw = docs[0].Files["document"]
	if doc = copyDoc(t, raw); doc["Percakapan"] == nil || len(doc["Permintaan data"].([]any)) != 2 {
		t.Errorf("Siti's copy with a draft:\n%s", raw)
	}
	for _, other := range []string{tr, nikBudi, "555001", "tanda terima"} {
		if bytes.Contains(raw, []byte(other)) {
			t.Errorf("Siti's copy holds %q of Budi's", other)
		}
	}
	wantRequests(t, d, 3)
	// Once delivered, the outbox keeps nothing of the copies.
	var kept int
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM outbox WHERE payload ? 'copy'`).Scan(&kept); err != nil || kept != 0 {
		t.Errorf("%d outbox rows keep a copy (%v)", kept, err)
	}
	logged := d.log.String()
	if !strings.Contains(logged, "data request completed") {
		t.Errorf("the operator was not told of the request")
	}
	wantLogClean(t, logged, nikBudi, longBody, bodyAkta)
}

// TestRightsDataCopyWhatsApp: on WhatsApp the typed word "datasaya" sends the copy as
// a JSON document, with the number WhatsApp vouched for, and nothing of the other
// citizen's.
func TestRightsDataCopyWhatsApp(t *testing.T) {
	t.Parallel()
	d := newWADesk(t, "2026-11-30 08:55", unitsOnWhatsApp)
	tr, _ := d.waFile(waBudi, bodyKK)
	trSiti, _ := d.waFile(waSiti, bodyAkta)
	sent := d.dm(waBudi, "datasaya")
	var doc *wafake.Sent
	for _, s := range wafake.To(sent, waBudi.JID) {
		if s.Msg.GetDocumentMessage() != nil {
			doc = &s
		}
	}
	if doc == nil {
		t.Fatalf("no document to Budi; sent:\n%s", waTexts(wafake.To(sent, waBudi.JID)))
	}
	dm := doc.Msg.GetDocumentMessage()
	if dm.GetMimetype() != "application/json" || dm.GetFileName() != "data-saya-2026-11-30.json" ||
		!strings.Contains(dm.GetCaption(), "salinan data pribadi Anda") {
		t.Errorf("document %q (%s), caption %q", dm.GetFileName(), dm.GetMimetype(), dm.GetCaption())
	}
	raw, err := d.wa.Download(t.Context(), dm)
	if err != nil {
		t.Fatal(err)
	}
	parsed := copyDoc(t, raw)
	if parsed["Saluran"] != "whatsapp" {
		t.Errorf("channel %v", parsed["Saluran"])
	}
	for _, want := range []string{tr, bodyKK, "6281234567890"} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("Budi's copy lacks %q:\n%s", want, raw)
		}
	}
	for _, other := range []string{trSiti, bodyAkta, "123456789012345"} {
		if bytes.Contains(raw, []byte(other)) {
			t.Errorf("Budi's copy holds %q of Siti's", other)
		}
	}
	wantRequests(t, d.tgDesk, 1)

	// Siti takes it from the menu, by its number: her complaint, nothing of Budi's.
	menu := d.msg(d.dm(waSiti, "menu"), waSiti.JID, "Data Saya")
	sent = d.dm(waSiti, d.num(menu, "Data Saya"))
	doc = nil
	for _, s := range wafake.To(sent, waSiti.JID) {
		if s.Msg.GetDocumentMessage() != nil {
			doc = &s
		}
	}
	if doc == nil {
		t.Fatalf("no document to Siti; sent:\n%s", waTexts(wafake.To(sent, waSiti.JID)))
	}
	if raw, err = d.wa.Download(t.Context(), doc.Msg.GetDocumentMessage()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(trSiti)) || bytes.Contains(raw, []byte(tr)) || bytes.Contains(raw, []byte("6281234567890")) {
		t.Errorf("Siti's copy:\n%s", raw)
	}
	wantRequests(t, d.tgDesk, 2)
	logged := d.log.String()
	if !strings.Contains(logged, "data request completed") {
		t.Errorf("the log does not tell the requests")
	}
	wantLogClean(t, logged, "6281234567890", "123456789012345", bodyKK, bodyAkta)
}
