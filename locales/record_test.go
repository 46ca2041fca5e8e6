package locales

import (
	"strings"
	"testing"
	"time"

	"aduan/flows"
)

// TestRecord: the whole record names every step with who and when and its text, the
// identity as the viewer may see it, and the attachments; in both languages.
func TestRecord(t *testing.T) {
	c := MustNew(t)
	units := MustDirectory(t)
	loc := MustPontianak(t)
	k := sampleComplaint(loc)
	k.Body = "NIK saya 6112010101900001, HP 081234567890. " + k.Body
	k.Contact.NIK = "6112014501900011"
	at := func(h int) time.Time { return time.Date(2026, 11, 30, h, 0, 0, 0, loc) }
	trail := []flows.AuditEvent{
		{At: at(8), Kind: flows.EvFile, Actor: flows.Actor{Kind: flows.ByComplainant, Ref: "1001"}, ToState: flows.Submitted, UnitAfter: "nasional"},
		{At: at(9), Kind: flows.EvRoute, Actor: flows.Actor{Kind: flows.ByUnit, Unit: "nasional", Name: "Andi"}, FromState: flows.Submitted, ToState: flows.Routed, UnitAfter: "kuburaya"},
		{At: at(10), Kind: flows.EvAnswer, Actor: flows.Actor{Kind: flows.ByUnit, Unit: "dukcapil", Name: "Sari"}, FromState: flows.InProgress, ToState: flows.Answered, UnitAfter: "dukcapil", Text: "Sudah kami tindak."},
		{At: at(11), Kind: flows.EvReply, Actor: flows.Actor{Kind: flows.ByComplainant, Ref: "1001"}, FromState: flows.Answered, ToState: flows.InProgress, UnitAfter: "dukcapil", Text: "Belum, hubungi 081234567890."},
		{At: at(12), Kind: flows.EvHandover, Actor: flows.System, FromState: flows.InProgress, ToState: flows.AtOmbudsman, UnitAfter: "dukcapil"},
	}
	ombudsman, _ := units.Unit("ombudsman")
	agency, _ := units.Unit("dukcapil")

	doc, err := c.Record("id", k, trail, ombudsman, units, loc)
	checkRecord(t, "rahasia for the Ombudsman", doc, err)
	// The NIK is masked for every unit, the Ombudsman included: beside the complainant and
	// in what they wrote.
	if strings.Contains(doc, "6112010101900001") || strings.Contains(doc, "6112014501900011") {
		t.Errorf("the Ombudsman's record shows a whole NIK:\n%s", doc)
	}
	wantIn(t, doc, "Pelapor: Budi Santoso, +6281234567890, NIK 6112••••••••••11", "NIK saya ••••••••••••••••, HP 081234567890.", "Belum, hubungi 081234567890.",
		"3. Senin, 30 November 2026 pukul 10.00 WIB · Dijawab", "Oleh: Sari, Dinas Kependudukan dan Pencatatan Sipil",
		"Status: Ditindaklanjuti → Menunggu Tanggapan Pelapor", "Isi: Sudah kami tindak.", "Oleh: sistem", "Oleh: pelapor",
		"Lampiran 1: foto", "Lampiran 2: lokasi -0.05,109.34")
	if n := strings.Count(doc, "\n   Oleh: "); n != len(trail) {
		t.Errorf("%d steps in the record, want %d", n, len(trail))
	}

	doc, err = c.Record("en", k, trail, agency, units, loc)
	checkRecord(t, "rahasia for the agency, in English", doc, err)
	if strings.Contains(doc, "6112010101900001") || strings.Contains(doc, "081234567890") || strings.Contains(doc, "Budi") || strings.Contains(doc, "NIK 6112") {
		t.Errorf("the agency's record shows the identity:\n%s", doc)
	}
	wantIn(t, doc, "Reporter: identity withheld", "(Personal numbers masked.)", "Text: Sudah kami tindak.", "By: the complainant")

	k.Privacy = flows.Anonymous
	doc, err = c.Record("id", k, trail, ombudsman, units, loc)
	checkRecord(t, "anonim for the Ombudsman", doc, err)
	if strings.Contains(doc, "6112010101900001") || strings.Contains(doc, "081234567890") || strings.Contains(doc, "NIK 6112") {
		t.Errorf("an anonymous complaint's record shows its numbers:\n%s", doc)
	}
}

func checkRecord(t *testing.T, what, doc string, err error) {
	t.Helper()
	if err != nil || strings.Contains(doc, "<no value>") || strings.Contains(doc, "{{") {
		t.Errorf("%s: %v\n%s", what, err, doc)
	}
}

func wantIn(t *testing.T, doc string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(doc, w) {
			t.Errorf("record lacks %q:\n%s", w, doc)
		}
	}
}
