package locales

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// renderAll renders every message of the reference file with c in lang, once for each
// of several sets of template data that reach every branch the wording of a surface
// depends on, and returns the texts by message ID.
func renderAll(t *testing.T, c *Catalog, lang string) map[string][]string {
	t.Helper()
	base := map[string]any{
		"Tracking": "KKR-261130-7QXM", "Report": "aduan", "ReportTitle": "Aduan", "Due": "Senin, 30 November 2026 pukul 16.00 WIB",
		"DueDate": "Senin, 30 November 2026", "Items": "• Aduan KKR-261130-7QXM: Selesai", "Unit": "Dinas Dukcapil Kubu Raya",
		"Actor": "Siti Aminah", "Text": "Sudah selesai.", "State": "Selesai", "Refusal": "Maaf.", "Why": "pelapor menyatakan puas",
		"Open": 3, "DueToday": 1, "Overdue": 0, "Rating": 4, "Name": "Budi", "Event": "Jawab", "EventCode": "answer",
	}
	for k, v := range sampleData() {
		if _, set := base[k]; !set {
			base[k] = v
		}
	}
	variants := []map[string]any{{}, {"Self": true}, {"What": "too_large", "MaxMB": "10"}, {"What": "contact_other"},
		{"What": "edited"}, {"EventCode": "lapor_id"}, {"EventCode": "archive"}, {"Due": "", "DueDate": ""}}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range MustParseFile(t, "active.id.yaml") {
			if !yield(id) {
				return
			}
		}
	})
	out := map[string][]string{}
	for _, id := range ids {
		for _, v := range variants {
			data := map[string]any{}
			for k, x := range base {
				data[k] = x
			}
			for k, x := range v {
				data[k] = x
			}
			if id == "unit.digest" {
				data["PluralCount"] = 3
			}
			s, err := c.Text(lang, id, data)
			if err != nil {
				t.Errorf("%s %s %s: %v", c.Surface().Name, lang, id, err)
			}
			out[id] = append(out[id], s)
		}
	}
	return out
}

// TestSurfaceWording renders every message on every surface and checks that none
// names an ability its surface lacks — a slash command, a button, the share-number
// button, "reply to this message" — while Telegram's messages still do.
func TestSurfaceWording(t *testing.T) {
	abilities := []struct {
		name  string
		has   func(Surface) bool
		words *regexp.Regexp // what a message may say only on a surface with the ability
	}{
		{"commands", func(s Surface) bool { return s.Commands }, regexp.MustCompile(`/(start|lapor|status|batal|bahasa|bantuan|antrian|help)\b`)},
		{"buttons", func(s Surface) bool { return s.Buttons }, regexp.MustCompile(`(?i)tombol|button`)},
		{"share contact", func(s Surface) bool { return s.ShareContact }, regexp.MustCompile(`(?i)bagikan nomor|share (your|my) (own )?number`)},
		{"quote", func(s Surface) bool { return s.Quote }, regexp.MustCompile(`(?i)balas pesan|balas lagi permintaan|reply to (this message|the request|that request)`)},
	}
	c := MustNew(t)
	for _, s := range Surfaces() {
		for _, lang := range c.Languages() {
			texts := renderAll(t, c.On(s), lang)
			for _, a := range abilities {
				seen := false
				for id, ss := range texts {
					if strings.HasPrefix(id, "choice.") || strings.HasPrefix(id, "command.") || strings.HasPrefix(id, "surface.") {
						continue // a label or a menu entry names only itself; Hint chooses among the hints
					}
					for _, text := range ss {
						if a.words.MatchString(text) {
							seen = true
							if !a.has(s) {
								t.Errorf("%s %s %s: says %q without %s:\n%s", s.Name, lang, id, a.words.FindString(text), a.name, text)
							}
						}
					}
				}
				if a.has(s) && s.Name == Telegram.Name && !seen {
					t.Errorf("%s %s: no message mentions %s (%s): the check sees nothing", s.Name, lang, a.name, a.words)
				}
			}
		}
	}
}

// TestSurfaceCommands checks how each surface names the commands, and that a command's
// word typed alone is understood.
func TestSurfaceCommands(t *testing.T) {
	c := MustNew(t)
	help := func(s Surface, lang string) string {
		t.Helper()
		text, err := c.On(s).Text(lang, "intake.help", nil)
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	for _, tc := range []struct {
		s    Surface
		lang string
		want []string
	}{
		{Telegram, "id", []string{"Ketik /lapor", "/status (laporan Anda)", "/bantuan (petunjuk ini)"}},
		{WhatsApp, "id", []string{"Ketik “lapor”", "“status” (laporan Anda)", "“bantuan” (petunjuk ini)"}},
		{WhatsApp, "en", []string{"Type “lapor”", "“batal” (cancel what you are writing)"}},
		{Web, "id", []string{"Ketik “lapor”"}},
	} {
		got := help(tc.s, tc.lang)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s help lacks %q:\n%s", tc.s.Name, tc.lang, w, got)
			}
		}
	}
	// After a question that takes typed text, a number typed is text: the skip is typed as a word.
	for _, tc := range []struct {
		s          Surface
		lang, want string
	}{
		{Telegram, "id", "Pilih Lewati bila tidak ingat."}, {WhatsApp, "id", "Ketik “Lewati” bila tidak ingat."},
		{Web, "id", "Pilih Lewati bila tidak ingat."}, {WhatsApp, "en", "Type “Skip” if you do not remember."},
	} {
		if got, _ := c.On(tc.s).Text(tc.lang, "intake.ask_when", nil); !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: ask_when lacks %q:\n%s", tc.s.Name, tc.lang, tc.want, got)
		}
	}
	if got, _ := c.On(WhatsApp).Text("id", "complainant.closing_soon", map[string]any{"Tracking": "KKR-1", "Report": "aduan", "ReportTitle": "Aduan"}); !strings.Contains(got, "ketik “menu” lalu pilih “Balas KKR-1”") {
		t.Errorf("WhatsApp's closing notice does not name the menu's word:\n%s", got)
	}
	for word, want := range map[string]string{"menu": "start", " Lapor ": "lapor", "STATUS": "status", "batal": "batal",
		"bahasa": "bahasa", "bantuan": "bantuan", "antrian": "antrian", "start": "start"} {
		if got, ok := CommandWord(word); !ok || got != want {
			t.Errorf("CommandWord(%q) = %q, %v; want %q", word, got, ok, want)
		}
	}
	for _, word := range []string{"", "halo", "/lapor", "lapor sekarang", "1"} {
		if got, ok := CommandWord(word); ok {
			t.Errorf("CommandWord(%q) = %q, want no command", word, got)
		}
	}
}

func TestSurfaceOf(t *testing.T) {
	for _, s := range Surfaces() {
		if got := SurfaceOf(s.Name); got != s {
			t.Errorf("SurfaceOf(%q) = %+v, want %+v", s.Name, got, s)
		}
	}
	if got := SurfaceOf("signal"); got.Name != "signal" || !got.Buttons || !got.Commands {
		t.Errorf("SurfaceOf(signal) = %+v, want Telegram's abilities under its own name", got)
	}
	c := MustNew(t)
	if c.Surface() != Telegram || c.On(WhatsApp).Surface() != WhatsApp || c.Surface() != Telegram {
		t.Error("a catalog renders for Telegram until told otherwise, and On leaves it unchanged")
	}
}

func TestHint(t *testing.T) {
	c := MustNew(t)
	for _, tc := range []struct {
		s       Surface
		lang    string
		inGroup bool
		want    string
	}{
		{Telegram, "id", false, ""},
		{Telegram, "id", true, ""},
		{Web, "en", false, ""},
		{WhatsApp, "id", false, "Ketik nomor pilihan Anda."},
		{WhatsApp, "id", true, "Balas pesan ini dengan nomor pilihan Anda."},
		{WhatsApp, "en", false, "Type the number of your choice."},
		{WhatsApp, "en", true, "Reply to this message with the number of your choice."},
		{Surface{Name: "sms"}, "id", true, "Ketik nomor pilihan Anda."},
	} {
		if got := c.On(tc.s).Hint(tc.lang, tc.inGroup); got != tc.want {
			t.Errorf("%s %s in group %v: hint %q, want %q", tc.s.Name, tc.lang, tc.inGroup, got, tc.want)
		}
	}
}
