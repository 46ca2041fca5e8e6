package locales

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"aduan/flows"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// flowsTypes are the types of package flows whose constants need messages.
var flowsTypes = []string{"MsgID", "ErrorCode", "State", "ReportType", "Privacy", "EventKind"}

// closeReasons are the Text values of flows.MsgClosedU.
var closeReasons = []string{"satisfied", "silence", "outcome"}

// counted are the messages that take a count, and so need English "one" and "other".
var counted = []string{string(flows.MsgDigest)}

// cardLabels are the words Catalog.Card uses besides the card.body template.
var cardLabels = []string{"card.identity_hidden", "card.anonymous", "card.state.answered", "card.record_head", "card.record_line", "card.record_file",
	string(flows.LabelFiles), string(flows.LabelMore), string(flows.LabelRecord), string(flows.LabelShow), string(flows.LabelNIK)}

// notActions are the event kinds no unit takes from a card: the complainant's, the
// system's and the alerts'. Every other event kind is a card button action.<event>.
var notActions = []string{"file", "reply", "add_info", "satisfied", "rate", "auto_close", "handover", "remind", "overdue", "warn", "redact", "rating_closed"}

// fixFields returns the steps the intake offers to correct from the summary, as it
// offers them to a complainant who gives their identity: the field.<step> labels.
func fixFields(tb testing.TB) []string {
	tb.Helper()
	in := flows.DefaultIntake()
	s := flows.Session{Channel: "telegram", Chat: "1001", Lang: "id", Step: flows.StepConfirm,
		Draft: flows.Complaint{Type: flows.ReportComplaint, Privacy: flows.Ordinary, Category: "kk", Body: "Kartu keluarga saya belum juga dicetak setelah dua bulan menunggu."}}
	out := in.Converse(s, flows.Inbound{Channel: "telegram", Chat: "1001", User: "1001", Choice: "i:confirm:fix"}, nil, time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC))
	if len(out.Replies) != 1 || out.Replies[0].Msg != flows.MsgAskFix {
		tb.Fatalf("asking to correct the summary gave %+v, want one %s", out.Replies, flows.MsgAskFix)
	}
	var ids []string
	for _, row := range out.Replies[0].Choices {
		for _, ch := range row {
			if !strings.HasPrefix(string(ch.Label), prefixField) {
				tb.Fatalf("choice %+v of %s is not a field label", ch, flows.MsgAskFix)
			}
			ids = append(ids, string(ch.Label))
		}
	}
	if len(ids) < 9 {
		tb.Fatalf("the intake offers %d fields to correct, want at least 9: %v", len(ids), ids)
	}
	return ids
}

// flowsConstants parses the non-test Go files of package flows and returns the values
// of the string constants of each type in flowsTypes, in declaration order.
func flowsConstants(tb testing.TB) map[string][]string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join("..", "flows", "*.go"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("list flows sources: %v (%d files)", err, len(names))
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			tb.Fatalf("parse %s: %v", name, err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, ok := vs.Type.(*ast.Ident)
				if !ok || !slices.Contains(flowsTypes, typ.Name) {
					continue
				}
				if len(vs.Values) != len(vs.Names) {
					tb.Fatalf("%s: constants %v of type %s have no explicit values", fset.Position(vs.Pos()), vs.Names, typ.Name)
				}
				for i, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						tb.Fatalf("%s: constant %s of type %s is not a string literal", fset.Position(v.Pos()), vs.Names[i], typ.Name)
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						tb.Fatalf("%s: %v", fset.Position(v.Pos()), err)
					}
					out[typ.Name] = append(out[typ.Name], s)
				}
			}
		}
	}
	for _, typ := range flowsTypes {
		if len(out[typ]) == 0 {
			tb.Fatalf("found no constants of type flows.%s: has the package changed shape?", typ)
		}
	}
	return out
}

// expectedIDs returns every message ID the code uses.
func expectedIDs(tb testing.TB) []string {
	tb.Helper()
	consts := flowsConstants(tb)
	var ids []string
	ids = append(ids, consts["MsgID"]...)
	ids = append(ids, consts["ErrorCode"]...)
	for typ, prefix := range map[string]string{"State": prefixState, "ReportType": prefixType, "Privacy": prefixPrivacy, "EventKind": prefixEvent} {
		for _, v := range consts[typ] {
			ids = append(ids, prefix+v)
		}
	}
	for _, why := range closeReasons {
		ids = append(ids, prefixClosed+why)
	}
	for _, code := range flows.DefaultCategories {
		ids = append(ids, prefixCat+code)
	}
	ids = append(ids, fixFields(tb)...)
	for _, k := range consts["EventKind"] {
		if !slices.Contains(notActions, k) {
			ids = append(ids, prefixAction+k)
		}
	}
	for _, v := range consts["ReportType"] {
		ids = append(ids, prefixWord+v)
	}
	ids = append(ids, wordReport)
	ids = append(ids, cardLabels...)
	ids = append(ids, HintNumber, HintQuote)
	ids = append(ids, Generic)
	for _, k := range dataCopyKeys {
		ids = append(ids, "rights.key."+k)
	}
	ids = append(ids, MsgAccessCode)
	ids = append(ids, StatusPage...)
	ids = append(ids, WebPages...)
	slices.Sort(ids)
	return ids
}

// MustParseFile parses a message file of this package as go-i18n does.
func MustParseFile(tb testing.TB, name string) map[string]*i18n.Message {
	tb.Helper()
	buf, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	mf, err := i18n.ParseMessageFileBytes(buf, name, map[string]i18n.UnmarshalFunc{"yaml": yaml.Unmarshal})
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	out := make(map[string]*i18n.Message, len(mf.Messages))
	for _, m := range mf.Messages {
		out[m.ID] = m
	}
	return out
}

// MustNew returns the catalog of the embedded files.
func MustNew(tb testing.TB) *Catalog {
	tb.Helper()
	c, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// MustPontianak returns Asia/Pontianak (WIB).
func MustPontianak(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// MustDirectory returns a small routing tree with every kind of unit.
func MustDirectory(tb testing.TB) *flows.Directory {
	tb.Helper()
	d, err := flows.NewDirectory([]flows.Unit{
		{Code: "nasional", Name: "Admin Nasional LAPOR!", Kind: flows.National},
		{Code: "kuburaya", Name: "Admin Kabupaten Kubu Raya", Kind: flows.Regency, Parent: "nasional"},
		{Code: "dukcapil", Name: "Dinas Kependudukan dan Pencatatan Sipil", Kind: flows.Agency, Parent: "kuburaya"},
		{Code: "tim-ktp", Name: "Tim Teknis KTP-el", Kind: flows.Team, Parent: "dukcapil"},
		{Code: "ombudsman", Name: "Penghubung Ombudsman Kalbar", Kind: flows.Ombudsman},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestFilesComplete(t *testing.T) {
	want := expectedIDs(t)
	for _, lang := range []string{"id", "en"} {
		name := "active." + lang + ".yaml"
		msgs := MustParseFile(t, name)
		for _, id := range want {
			m, ok := msgs[id]
			switch {
			case !ok:
				t.Errorf("%s: missing %q", name, id)
			case strings.TrimSpace(m.Other) == "":
				t.Errorf("%s: %q has no \"other\" text", name, id)
			}
		}
		for id, m := range msgs {
			if !slices.Contains(want, id) {
				t.Errorf("%s: %q is not used by the code", name, id)
			}
			isCounted := slices.Contains(counted, id)
			switch {
			case lang == "id" && (m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""):
				t.Errorf("%s: %q has plural forms other than \"other\", which Indonesian never selects", name, id)
			case lang == "en" && isCounted && m.One == "":
				t.Errorf("%s: %q takes a count but has no \"one\" form", name, id)
			case lang == "en" && !isCounted && m.One != "":
				t.Errorf("%s: %q has a \"one\" form but is rendered without a count", name, id)
			}
		}
	}
	embedded, err := filepathGlobEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(embedded, []string{"active.en.yaml", "active.id.yaml"}) {
		t.Errorf("embedded files = %v, want active.en.yaml and active.id.yaml", embedded)
	}
}

func filepathGlobEmbedded() ([]string, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}

// checkOutput fails on the signs of a broken rendering.
func checkOutput(t *testing.T, what, s string, err error) {
	t.Helper()
	switch {
	case err != nil:
		t.Errorf("%s: %v", what, err)
	case strings.TrimSpace(s) == "":
		t.Errorf("%s: empty", what)
	case strings.Contains(s, "<no value>"):
		t.Errorf("%s: missing template data:\n%s", what, s)
	case strings.Contains(s, "{{") || strings.Contains(s, "}}"):
		t.Errorf("%s: unrendered template:\n%s", what, s)
	case strings.Contains(s, "  ") || strings.Contains(s, " .") || strings.Contains(s, " ,") || strings.Contains(s, "()"):
		t.Errorf("%s: stray space or empty parentheses:\n%q", what, s)
	case s != strings.TrimSpace(s):
		t.Errorf("%s: leading or trailing space:\n%q", what, s)
	}
}

func TestRenderNotices(t *testing.T) {
	for _, s := range Surfaces() {
		t.Run(s.Name, func(t *testing.T) {
			c := MustNew(t).On(s)
			units := MustDirectory(t)
			loc := MustPontianak(t)
			due := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
			consts := flowsConstants(t)
			for _, lang := range c.Languages() {
				for _, id := range consts["MsgID"] {
					if strings.HasPrefix(id, "choice.") {
						continue // button labels: TestLabels
					}
					texts := []string{"Petugas meminta KTP-el saya dibayar Rp50.000, padahal layanan gratis."}
					switch id {
					case string(flows.MsgClosedU):
						texts = closeReasons
					case string(flows.MsgRefusedU), string(flows.MsgRefused):
						texts = append(texts, string(flows.ErrAlreadyDone), string(flows.ErrTextTooLong), "")
					}
					for _, text := range texts {
						for _, open := range []int{1, 5} {
							full := flows.Notice{
								To: flows.ToUnit("dukcapil"), Msg: flows.MsgID(id), Complaint: 42,
								Tracking: "KKR-261130-7QXM", State: flows.InProgress, Unit: "dukcapil",
								Actor: "Budi Santoso", Text: text, Due: due, Rating: 4,
								Open: open, DueToday: 2, Overdue: 1,
								Data: sampleData(), Items: sampleItems(due),
							}
							s, err := c.Notice(lang, full, units, loc)
							checkOutput(t, lang+" "+id+" full", s, err)
							tracked := strings.HasPrefix(id, "complainant.") || strings.HasPrefix(id, "unit.") || strings.HasPrefix(id, "card.")
							// Messages about a unit rather than one complaint name none.
							aboutUnit := map[string]bool{string(flows.MsgDigest): true, string(flows.MsgStaleCard): true,
								string(flows.MsgGroupHelp): true, string(flows.MsgQueueEmpty): true,
								string(flows.MsgChannelDown): true, string(flows.MsgChannelUp): true}
							if tracked && !strings.Contains(s, "KKR-261130-7QXM") && !aboutUnit[id] {
								t.Errorf("%s %s: no tracking number:\n%s", lang, id, s)
							}
						}
						// A notice without the optional data: no deadline, actor or unit names.
						bare := flows.Notice{Msg: flows.MsgID(id), Tracking: "KKR-261130-7QXM", State: flows.Closed, Unit: "dukcapil", Text: text}
						s, err := c.Notice(lang, bare, nil, nil)
						checkOutput(t, lang+" "+id+" bare", s, err)
						// The optional data present but empty, as the summary of a short draft has it.
						sparse := bare
						sparse.Data = map[string]string{"Type": "pengaduan", "Privacy": "biasa", "Category": "lainnya", "Body": "Antrean di loket terlalu lama dan tidak ada nomor antrean.",
							"When": "", "Where": "", "Files": "0", "Phone": "", "Email": "", "Min": "", "Max": "", "Count": "", "What": "", "Event": ""}
						s, err = c.Notice(lang, sparse, units, loc)
						checkOutput(t, lang+" "+id+" sparse", s, err)
					}
				}
			}
		})
	}
}

func TestRenderLabelsAndRefusals(t *testing.T) {
	for _, s := range Surfaces() {
		t.Run(s.Name, func(t *testing.T) {
			c := MustNew(t).On(s)
			consts := flowsConstants(t)
			for _, lang := range c.Languages() {
				for typ, label := range map[string]func(string) string{
					"State":      func(v string) string { return c.State(lang, flows.State(v)) },
					"EventKind":  func(v string) string { return c.Event(lang, flows.EventKind(v)) },
					"ReportType": func(v string) string { return c.ReportType(lang, flows.ReportType(v)) },
					"Privacy":    func(v string) string { return c.Privacy(lang, flows.Privacy(v)) },
				} {
					for _, v := range consts[typ] {
						s := label(v)
						checkOutput(t, lang+" "+typ+" "+v, s, nil)
						if s == v {
							t.Errorf("%s %s %q: no label", lang, typ, v)
						}
					}
				}
				full := map[string]string{"State": "answered", "Event": "answer", "By": "Siti Aminah", "Field": "body", "Max": "4000", "Target": "tim-ktp"}
				for _, code := range consts["ErrorCode"] {
					for _, data := range []map[string]string{full, nil} {
						e := &flows.Error{Code: flows.ErrorCode(code), Data: data}
						tdata := map[string]any{}
						for k, v := range data {
							tdata[k] = v
						}
						s, err := c.Text(lang, code, tdata)
						checkOutput(t, lang+" "+code+" text", s, err)
						s = c.Refusal(lang, e)
						checkOutput(t, lang+" "+code+" refusal", s, nil)
						if generic := c.Refusal(lang, nil); s == generic {
							t.Errorf("%s %s: refusal fell back to the generic apology", lang, code)
						}
					}
				}
				s, err := c.Text(lang, Generic, nil)
				checkOutput(t, lang+" "+Generic, s, err)
			}
		})
	}
}

func TestExactOutputs(t *testing.T) {
	c := MustNew(t)
	units := MustDirectory(t)
	loc := MustPontianak(t)
	due := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC) // 10:00 WIB
	tests := []struct {
		name, got, want string
	}{
		{"Time id", Time("id", due, loc), "Selasa, 1 Desember 2026 pukul 10.00 WIB"},
		{"Time en", Time("en", due, loc), "Tuesday, 1 December 2026 at 10:00 WIB"},
		{"Time id Monday January", Time("id", time.Date(2026, 1, 5, 8, 5, 0, 0, loc), loc), "Senin, 5 Januari 2026 pukul 08.05 WIB"},
		{"Time id Sunday May", Time("id", time.Date(2026, 5, 31, 23, 59, 0, 0, loc), loc), "Minggu, 31 Mei 2026 pukul 23.59 WIB"},
		{"Time en-US", Time("en-US", time.Date(2026, 8, 17, 7, 30, 0, 0, loc), loc), "Monday, 17 August 2026 at 07:30 WIB"},
		{"Time nil loc", Time("id", time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), nil), "Selasa, 1 Desember 2026 pukul 03.00 UTC"},
		{"State id", c.State("id", flows.Answered), "Menunggu Tanggapan Anda"},
		{"State en", c.State("en", flows.AtOmbudsman), "Handed over to the Ombudsman"},
		{"State unknown", c.State("id", flows.State("lost")), "lost"},
		{"Event id", c.Event("id", flows.EvDistribute), "Didisposisikan ke dinas"},
		{"Event unknown", c.Event("en", flows.EventKind("dance")), "dance"},
		{"ReportType id", c.ReportType("id", flows.ReportInfoRequest), "Permintaan Informasi"},
		{"Privacy id", c.Privacy("id", flows.Confidential), "Rahasia"},
		{"Refusal wrong_state id", c.Refusal("id", &flows.Error{Code: flows.ErrWrongState, Data: map[string]string{"State": "answered", "Event": "route"}}),
			"Maaf, tindakan ini tidak berlaku untuk laporan berstatus Menunggu Tanggapan Anda."},
		{"Refusal incomplete en", c.Refusal("en", &flows.Error{Code: flows.ErrIncomplete, Data: map[string]string{"Field": "privacy"}}),
			"The report is incomplete: the privacy choice is missing. Please complete it and send it again."},
		{"Refusal unknown_event id", c.Refusal("id", &flows.Error{Code: flows.ErrUnknownEvent, Data: map[string]string{"Event": "dance"}}),
			`Maaf, tindakan "dance" tidak dikenal.`},
		{"Refusal nil", c.Refusal("en", nil), "Sorry, something went wrong on our side. Your message is safe; please try again in a moment."},
		{"Refusal unknown code", c.Refusal("id", &flows.Error{Code: "error.nope"}), "Maaf, terjadi gangguan di sistem kami. Pesan Anda aman; silakan coba lagi sebentar lagi."},
	}
	notice := func(lang string, n flows.Notice) string {
		t.Helper()
		s, err := c.Notice(lang, n, units, loc)
		if err != nil {
			t.Errorf("%s %s: %v", lang, n.Msg, err)
		}
		return s
	}
	digest := func(open int) flows.Notice {
		return flows.Notice{Msg: flows.MsgDigest, Open: open, DueToday: 2, Overdue: 1}
	}
	tests = append(tests, []struct{ name, got, want string }{
		{"filed id", notice("id", flows.Notice{Msg: flows.MsgFiled, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, State: flows.Submitted, Due: due}),
			"Terima kasih, aduan Anda sudah kami terima dengan nomor KKR-261130-7QXM. Simpan nomor ini untuk menanyakan perkembangannya. " +
				"Aduan Anda akan diverifikasi paling lambat Selasa, 1 Desember 2026, dan setiap perkembangannya kami kabarkan di sini."},
		{"filed aspirasi id", notice("id", flows.Notice{Msg: flows.MsgFiled, Tracking: "KKR-261130-7QXM", Report: flows.ReportAspiration, State: flows.Submitted, Due: due}),
			"Terima kasih, aspirasi Anda sudah kami terima dengan nomor KKR-261130-7QXM. Simpan nomor ini untuk menanyakan perkembangannya. " +
				"Aspirasi Anda akan diverifikasi paling lambat Selasa, 1 Desember 2026, dan setiap perkembangannya kami kabarkan di sini."},
		{"filed en", notice("en", flows.Notice{Msg: flows.MsgFiled, Tracking: "KKR-261130-7QXM", Report: flows.ReportInfoRequest, State: flows.Submitted, Due: due}),
			"Thank you, we have received your request for information. Its number is KKR-261130-7QXM: keep it to follow up on your request for information. " +
				"It will be verified by Tuesday, 1 December 2026, and we will keep you updated here."},
		{"forwarded id uses the unit name", notice("id", flows.Notice{Msg: flows.MsgForwarded, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Unit: "dukcapil", Due: due}),
			"Aduan KKR-261130-7QXM sudah diteruskan ke Dinas Kependudukan dan Pencatatan Sipil untuk ditindaklanjuti. " +
				"Jawaban akan kami kirim paling lambat Selasa, 1 Desember 2026."},
		{"escalation unknown unit keeps the code", notice("id", flows.Notice{Msg: flows.MsgEscalation, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, State: flows.Distributed, Unit: "dinkes", Due: due}),
			"Eskalasi: dinkes melewati batas waktu aduan KKR-261130-7QXM (Terdisposisi), yaitu Selasa, 1 Desember 2026 pukul 10.00 WIB. Mohon pastikan segera ditindaklanjuti."},
		{"closed silence id", notice("id", flows.Notice{Msg: flows.MsgClosedU, Tracking: "KKR-261130-7QXM", State: flows.Closed, Text: "silence"}),
			"Laporan KKR-261130-7QXM selesai: pelapor tidak menanggapi sampai batas waktu."},
		{"closed satisfied en", notice("en", flows.Notice{Msg: flows.MsgClosedU, Tracking: "KKR-261130-7QXM", State: flows.Closed, Text: "satisfied"}),
			"Report KKR-261130-7QXM closed: the reporter is satisfied."},
		{"digest en 1", notice("en", digest(1)), "Daily summary: 1 report is open; 2 due today, 1 overdue."},
		{"digest en 5", notice("en", digest(5)), "Daily summary: 5 reports are open; 2 due today, 1 overdue."},
		{"digest id 1", notice("id", digest(1)), "Ringkasan harian: 1 laporan terbuka, 2 jatuh tempo hari ini, 1 terlambat."},
		{"digest id 5", notice("id", digest(5)), "Ringkasan harian: 5 laporan terbuka, 2 jatuh tempo hari ini, 1 terlambat."},
		// As the sweep queues it: the unit and the day make each group's text its own.
		{"digest of a unit id", notice("id", flows.Notice{Msg: flows.MsgDigest, Unit: "dukcapil", Open: 5, DueToday: 2, Overdue: 1, Data: map[string]string{"Day": "2026-12-02"}}),
			"Ringkasan harian untuk Dinas Kependudukan dan Pencatatan Sipil (Rabu, 2 Desember 2026): 5 laporan terbuka, 2 jatuh tempo hari ini, 1 terlambat."},
		{"digest of a unit en", notice("en", flows.Notice{Msg: flows.MsgDigest, Unit: "tim-ktp", Open: 1, Data: map[string]string{"Day": "2026-12-02"}}),
			"Daily summary for Tim Teknis KTP-el (Wednesday, 2 December 2026): 1 report is open; 0 due today, 0 overdue."},
		{"draft reminder id", notice("id", flows.Notice{Msg: flows.MsgDraftReminder, Report: flows.ReportComplaint, Due: due,
			Data: map[string]string{"Category": "pungli", "Since": "2026-11-28T03:04:00Z"}}),
			"Aduan Anda (kategori Pungutan Liar) belum selesai dan belum terkirim. Terakhir Anda isi pada Sabtu, 28 November 2026 pukul 10.04 WIB. Ingin melanjutkannya? " +
				"Bila tidak dilanjutkan, draf ini akan dihapus otomatis pada Selasa, 1 Desember 2026 pukul 10.00 WIB."},
		{"draft expired en", notice("en", flows.Notice{Msg: flows.MsgDraftExpired, Report: flows.ReportAspiration,
			Data: map[string]string{"Category": "kk", "Since": "2026-11-28T03:04:00Z"}}),
			"We have deleted your unfinished suggestion draft (category: Family Card (KK)), last edited on Saturday, 28 November 2026 at 10:04 WIB, without sending it, because it was not continued for a long time. " +
				"You can file a new report at any time."},
		{"answered with the Ombudsman id", notice("id", flows.Notice{Msg: flows.MsgAnswered, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, State: flows.AtOmbudsman, Unit: "dukcapil", Text: "KTP-el Anda sudah dicetak."}),
			"Aduan KKR-261130-7QXM sudah dijawab oleh Dinas Kependudukan dan Pencatatan Sipil:\n\nKTP-el Anda sudah dicetak.\n\nJawaban ini juga disampaikan kepada Ombudsman."},
	}...)
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestTextFallback(t *testing.T) {
	c := MustNew(t)
	s, err := c.Text("en", "no.such.message", nil)
	if err == nil || s != "no.such.message" {
		t.Errorf("missing everywhere: got %q, %v; want the ID and an error", s, err)
	}

	bundle := i18n.NewBundle(language.Indonesian)
	bundle.MustAddMessages(language.Indonesian, &i18n.Message{ID: "only.id", Other: "Halo {{.Name}}"}, &i18n.Message{ID: "both", Other: "Halo"})
	bundle.MustAddMessages(language.English, &i18n.Message{ID: "both", Other: "Hello"})
	c, err = newCatalog(bundle)
	if err != nil {
		t.Fatal(err)
	}
	s, err = c.Text("en", "only.id", map[string]any{"Name": "Budi"})
	var nf *i18n.MessageNotFoundErr
	if s != "Halo Budi" || !errors.As(err, &nf) {
		t.Errorf("missing in en: got %q, %v; want the Indonesian text and a MessageNotFoundErr", s, err)
	}
	if s, err := c.Text("en-GB", "both", nil); s != "Hello" || err != nil {
		t.Errorf("present: got %q, %v", s, err)
	}

	if _, err := newCatalog(i18n.NewBundle(language.Indonesian)); err == nil {
		t.Error("a bundle without messages was accepted")
	}
}

func TestLang(t *testing.T) {
	tests := []struct{ pref, want string }{
		{"", "id"},
		{"id", "id"},
		{"id-ID", "id"},
		{"in", "id"},
		{"en", "en"},
		{"EN", "en"},
		{"en-US", "en"},
		{"en_GB", "en"},
		{" en-gb ", "en"},
		{"fr-FR,en;q=0.8", "en"},
		{"jv", "id"},
		{"su", "id"},
		{"fr", "id"},
		{"zz-$$$", "id"},
		{"ms", "id"},
	}
	for _, tt := range tests {
		if got := Lang(tt.pref); got != tt.want {
			t.Errorf("Lang(%q) = %q, want %q", tt.pref, got, tt.want)
		}
	}
	if got := MustNew(t).Languages(); !slices.Equal(got, []string{"id", "en"}) {
		t.Errorf("Languages() = %v", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := MustNew(t)
	loc := MustPontianak(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lang := c.Languages()[i%2]
			for range 50 {
				n := flows.Notice{Msg: flows.MsgDigest, Open: i, DueToday: 1, Overdue: 0}
				if _, err := c.Notice(lang, n, nil, loc); err != nil {
					t.Error(err)
					return
				}
				c.Refusal(lang, &flows.Error{Code: flows.ErrWrongState, Data: map[string]string{"State": "routed"}})
			}
		}()
	}
	wg.Wait()
}
