package locales

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"aduan/flows"
)

// TestDataCopy: the citizen's copy is JSON whose keys are labels in the reader's
// language, in a fixed order, every label rendered; codes become labels, times RFC 3339
// in the desk's zone.
func TestDataCopy(t *testing.T) {
	c := MustNew(t).WithOffice(Office{Name: "Disdukcapil Kabupaten Kubu Raya"})
	loc := MustPontianak(t)
	at := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	k := flows.Complaint{ID: 1, Tracking: "ADU-261130-K7QX", Type: flows.ReportComplaint, Privacy: flows.Confidential, Category: "kk",
		Title: "KK belum jadi", Body: "Sudah tiga minggu <mengurus> KK & belum selesai.", State: flows.Answered, Unit: "dukcapil",
		Contact: flows.Contact{Channel: "telegram", Chat: "555001", Name: "Budi", Phone: "6281234567890", NIK: "6112014501900011", Lang: "id"}, FiledAt: at}
	d := flows.DataCopy{Made: at, Channel: "telegram", Chat: "555001", Person: "complainant:0123456789abcdef0123", Lang: "id",
		Session: &flows.SessionCopy{Step: flows.StepWhere, Updated: at, Draft: &flows.Complaint{Body: "draf"}},
		Complaints: []flows.ComplaintCopy{{Complaint: k,
			Files: []flows.FileCopy{{Kind: "photo", Name: "foto.jpg", Size: 1200, SHA256: "ab12"}, {Kind: "location", Place: "-0.05,109.34"}},
			Steps: []flows.StepCopy{{At: at, Kind: flows.EvFile, Mine: true, To: flows.Submitted, Unit: "nasional"},
				{At: at, Kind: flows.EvAnswer, From: flows.Distributed, To: flows.Answered, Unit: "dukcapil", Text: "Sudah kami proses."}}}},
		Requests: []flows.RequestCopy{{Kind: flows.RequestAccess, Requested: at, Completed: at}}}
	for lang, want := range map[string][]string{
		"id": {`"Dokumen": "Salinan data pribadi (UU 27/2022)"`, `"Format": "aduan-data-copy/1"`, `"Waktu pembuatan": "2026-11-30T09:00:00+07:00"`,
			`"Pengendali data": "Disdukcapil Kabupaten Kubu Raya"`, `"Nomor laporan": "ADU-261130-K7QX"`, `"Identitas": "Rahasia`,
			`"Uraian": "Sudah tiga minggu <mengurus> KK & belum selesai."`, `"Unit": "Dinas Kependudukan dan Pencatatan Sipil"`,
			`"SHA-256": "ab12"`, `"Lokasi": "-0.05,109.34"`, `"Oleh Anda": true`, `"Teks": "Sudah kami proses."`,
			`"Jenis": "Salinan data"`, `"Laporan yang sedang ditulis"`,
			`"NIK": "6112014501900011"`, `"NIK": "Tidak Anda berikan`}, // the whole number: the citizen's own; the draft has none
		"en": {`"Document": "Copy of personal data (UU 27/2022)"`, `"Report number": "ADU-261130-K7QX"`, `"By you": true`,
			`"Description": "Sudah tiga minggu <mengurus> KK & belum selesai."`, `"Kind": "Copy of data"`, `"Report being written"`},
	} {
		raw, err := c.DataCopy(lang, d, MustDirectory(t), loc)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", lang, err, raw)
		}
		for _, w := range want {
			if !strings.Contains(string(raw), w) {
				t.Errorf("%s: the copy lacks %s:\n%s", lang, w, raw)
			}
		}
		if strings.Contains(string(raw), "rights.key.") {
			t.Errorf("%s: a label did not render:\n%s", lang, raw)
		}
	}
	raw, _ := c.DataCopy("id", d, nil, loc)
	if i, j := strings.Index(string(raw), `"Dokumen"`), strings.Index(string(raw), `"Permintaan data"`); i < 0 || j < i {
		t.Errorf("the keys are out of order:\n%s", raw)
	}
	if got := c.DataCopyName("en", at, loc); got != "my-data-2026-11-30.json" {
		t.Errorf("name %q", got)
	}
}
