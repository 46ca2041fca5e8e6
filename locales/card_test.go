package locales

import (
	"strings"
	"testing"
	"time"

	"aduan/flows"
)

// sampleComplaint is a confidential complaint about illegal fees, tasked to a team.
func sampleComplaint(loc *time.Location) flows.Complaint {
	return flows.Complaint{
		ID: 42, Tracking: "KKR-261130-7QXM", Version: 4,
		Type: flows.ReportComplaint, Privacy: flows.Confidential, Category: flows.SeriousCategory,
		Title:      "Petugas loket meminta Rp50.000 agar KTP-el saya cepat…",
		Body:       "Petugas loket meminta Rp50.000 agar KTP-el saya cepat dicetak, padahal layanan ini gratis.",
		Place:      "Kantor Disdukcapil Kubu Raya, loket 3",
		EventDate:  "Senin, 23 November 2026 sekitar pukul 10.00",
		Attachment: []flows.Attachment{{Kind: "photo", Ref: "files/1"}, {Kind: "location", Ref: "-0.05,109.34"}},
		Contact: flows.Contact{Channel: "telegram", Chat: "1001", Name: "Budi Santoso", Phone: "6281234567890",
			Email: "budi.santoso@example.com", Lang: "id"},
		State: flows.InProgress, Unit: "dukcapil", Team: "tim-ktp",
		Due:     time.Date(2026, 12, 1, 10, 0, 0, 0, loc),
		FiledAt: time.Date(2026, 11, 30, 8, 15, 0, 0, loc),
		LaporID: "6271234",
	}
}

func TestCard(t *testing.T) {
	c := MustNew(t)
	units := MustDirectory(t)
	loc := MustPontianak(t)
	unit := func(code string) flows.Unit {
		u, ok := units.Unit(code)
		if !ok {
			t.Fatalf("no unit %s", code)
		}
		return u
	}
	k := sampleComplaint(loc)
	card := func(lang string, k flows.Complaint, viewer string) string {
		t.Helper()
		s, err := c.Card(lang, k, unit(viewer), units, loc)
		checkOutput(t, lang+" card for "+viewer, s, err)
		return s
	}

	t.Run("exact", func(t *testing.T) {
		tests := []struct{ name, got, want string }{
			{"rahasia seen by the regency", card("id", k, "kuburaya"),
				"⚠️ PUNGUTAN LIAR\n" +
					"Aduan KKR-261130-7QXM: Petugas loket meminta Rp50.000 agar KTP-el saya cepat…\n" +
					"Jenis: Pengaduan\n" +
					"Kategori: Pungutan Liar\n" +
					"\n" +
					"Petugas loket meminta Rp50.000 agar KTP-el saya cepat dicetak, padahal layanan ini gratis.\n" +
					"\n" +
					"Waktu kejadian: Senin, 23 November 2026 sekitar pukul 10.00\n" +
					"Lokasi: Kantor Disdukcapil Kubu Raya, loket 3\n" +
					"Lampiran: 2 berkas, dikirim di bawah kartu ini\n" +
					"Pelapor: Budi Santoso, +6281234567890, budi.santoso@example.com (Rahasia: jangan teruskan identitas pelapor ke dinas)\n" +
					"Status: Ditindaklanjuti\n" +
					"Ditangani: Dinas Kependudukan dan Pencatatan Sipil · Tim Teknis KTP-el\n" +
					"Diajukan: Senin, 30 November 2026 pukul 08.15 WIB\n" +
					"Batas waktu: Selasa, 1 Desember 2026 pukul 10.00 WIB\n" +
					"ID LAPOR!: 6271234"},
			{"rahasia seen by the agency, in English", card("en", k, "dukcapil"),
				"⚠️ ILLEGAL FEES (PUNGLI)\n" +
					"Complaint KKR-261130-7QXM: Petugas loket meminta Rp50.000 agar KTP-el saya cepat…\n" +
					"Type: Complaint\n" +
					"Category: Illegal Fees (Pungli)\n" +
					"\n" +
					"Petugas loket meminta Rp50.000 agar KTP-el saya cepat dicetak, padahal layanan ini gratis.\n" +
					"\n" +
					"When: Senin, 23 November 2026 sekitar pukul 10.00\n" +
					"Where: Kantor Disdukcapil Kubu Raya, loket 3\n" +
					"Attachments: 2, sent below this card\n" +
					"Reporter: identity withheld\n" +
					"Status: In progress\n" +
					"Handled by: Dinas Kependudukan dan Pencatatan Sipil · Tim Teknis KTP-el\n" +
					"Filed: Monday, 30 November 2026 at 08:15 WIB\n" +
					"Deadline: Tuesday, 1 December 2026 at 10:00 WIB\n" +
					"LAPOR! ID: 6271234"},
		}
		for _, tt := range tests {
			if tt.got != tt.want {
				t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got, tt.want)
			}
		}
	})

	t.Run("privacy", func(t *testing.T) {
		for _, lang := range c.Languages() {
			for _, viewer := range []string{"dukcapil", "tim-ktp"} {
				s := card(lang, k, viewer)
				for _, secret := range []string{"Budi", "6281234567890", "budi.santoso@example.com"} {
					if strings.Contains(s, secret) {
						t.Errorf("%s card of a confidential complaint for %s shows %q:\n%s", lang, viewer, secret, s)
					}
				}
				if hidden := c.label(lang, "", cardHidden); !strings.Contains(s, hidden) {
					t.Errorf("%s card for %s: no %q:\n%s", lang, viewer, hidden, s)
				}
			}
			for _, viewer := range []string{"nasional", "kuburaya", "ombudsman"} {
				if s := card(lang, k, viewer); !strings.Contains(s, "Budi Santoso") || !strings.Contains(s, "+6281234567890") {
					t.Errorf("%s card of a confidential complaint for %s hides the identity:\n%s", lang, viewer, s)
				}
			}
			ordinary := k
			ordinary.Privacy = flows.Ordinary
			if s := card(lang, ordinary, "tim-ktp"); !strings.Contains(s, "Budi Santoso") || strings.Contains(s, "(Rahasia") || strings.Contains(s, "(Confidential") {
				t.Errorf("%s card of an ordinary complaint for the team:\n%s", lang, s)
			}
			anonymous := k
			anonymous.Privacy = flows.Anonymous
			for _, viewer := range []string{"nasional", "kuburaya", "dukcapil"} {
				s := card(lang, anonymous, viewer)
				if strings.Contains(s, "Budi") || !strings.Contains(s, c.label(lang, "", cardAnonymous)) {
					t.Errorf("%s card of an anonymous complaint for %s:\n%s", lang, viewer, s)
				}
			}
		}
	})

	t.Run("pungli flag", func(t *testing.T) {
		first := func(s string) string { line, _, _ := strings.Cut(s, "\n"); return line }
		if got := first(card("id", k, "nasional")); got != "⚠️ PUNGUTAN LIAR" {
			t.Errorf("first line of a pungli card = %q", got)
		}
		other := k
		other.Category = "ktp-el"
		for _, lang := range c.Languages() {
			if s := card(lang, other, "nasional"); strings.Contains(s, "⚠️") || !strings.HasPrefix(s, "Aduan KKR-261130-7QXM") && !strings.HasPrefix(s, "Complaint KKR-261130-7QXM") {
				t.Errorf("%s card of a KTP-el complaint:\n%s", lang, s)
			}
		}
	})

	t.Run("long body", func(t *testing.T) {
		long := k
		long.Body = strings.Repeat("Antrean sangat panjang dan petugas tidak ramah. ", 60) // 2,880 characters
		s := card("id", long, "nasional")
		if !strings.Contains(s, "…\n") || strings.Count(s, "Antrean") > 20 {
			t.Errorf("long description not cut:\n%s", s)
		}
		got := truncate(long.Body, cardBodyMax)
		if n := len([]rune(got)); n > cardBodyMax+1 || n < cardBodyMax*9/10 || !strings.HasSuffix(got, "…") || strings.HasSuffix(got, " …") {
			t.Errorf("truncate: %d characters, ends %q", n, got[len(got)-20:])
		}
		if cut := strings.TrimSuffix(got, "…"); !strings.HasPrefix(long.Body, cut) || !strings.HasPrefix(long.Body[len(cut):], " ") {
			t.Errorf("truncate did not cut at a space: ends %q", got[len(got)-20:])
		}
		if got := truncate("pendek", 700); got != "pendek" {
			t.Errorf("truncate short = %q", got)
		}
		if got := truncate(strings.Repeat("é", 10), 4); got != "éééé…" {
			t.Errorf("truncate without spaces = %q", got)
		}
	})

	t.Run("sparse", func(t *testing.T) {
		// A complaint with nothing optional: no title, time, place, files, team, deadline,
		// LAPOR! ID or contact; and units unknown to a nil directory.
		bare := flows.Complaint{Tracking: "KKR-261130-7QXM", Type: flows.ReportAspiration, Privacy: flows.Ordinary,
			Category: "lainnya", Body: "Mohon ruang tunggu diberi kursi tambahan.", State: flows.Submitted, Unit: "nasional"}
		for _, lang := range c.Languages() {
			for _, viewer := range []string{"nasional", "dukcapil"} {
				s := card(lang, bare, viewer)
				if strings.Contains(s, "Waktu kejadian") || strings.Contains(s, "When:") || strings.Contains(s, "ID LAPOR!") || strings.Contains(s, "LAPOR! ID") || strings.Contains(s, "·") {
					t.Errorf("%s sparse card shows empty fields:\n%s", lang, s)
				}
			}
			s, err := c.Card(lang, bare, flows.Unit{}, nil, nil)
			checkOutput(t, lang+" card without directory", s, err)
			if !strings.Contains(s, ": nasional") {
				t.Errorf("%s card without directory: no unit code:\n%s", lang, s)
			}
			s, err = c.Card(lang, flows.Complaint{}, flows.Unit{}, nil, nil)
			if err != nil || strings.Contains(s, "<no value>") {
				t.Errorf("%s empty complaint: %v\n%s", lang, err, s)
			}
		}
	})

	t.Run("every state, privacy and viewer", func(t *testing.T) {
		for _, lang := range c.Languages() {
			for _, st := range flows.States {
				for _, p := range flows.Privacies {
					for _, u := range units.Units() {
						kk := k
						kk.State, kk.Privacy = st, p
						s, err := c.Card(lang, kk, u, units, loc)
						checkOutput(t, lang+" card "+string(st)+" "+string(p)+" "+u.Code, s, err)
					}
				}
			}
		}
	})
}
