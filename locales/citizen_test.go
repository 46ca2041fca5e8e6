package locales

import (
	"strings"
	"testing"
	"time"

	"aduan/flows"
)

// TestDeadlineShown: a deadline on an opening minute is shown as the close of the
// working day before (over a weekend and a holiday too); any other instant as it is;
// citizens get the date.
func TestDeadlineShown(t *testing.T) {
	loc := MustPontianak(t)
	holiday := flows.Holiday{Date: flows.Date{Year: 2026, Month: 12, Day: 25}, Kind: flows.HolidayKind("LN"), Name: "Natal"}
	cal := flows.NewCalendar(loc, flows.DefaultWeekHours(), []flows.Holiday{holiday})
	c := MustNew(t).WithCalendar(func() *flows.Calendar { return cal })
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct{ due, shown string }{
		{"2026-12-08 07:30", "2026-12-07 16:00"}, // Tuesday's opening: Monday's close
		{"2026-12-07 07:30", "2026-12-04 16:00"}, // Monday's opening: Friday's close
		{"2026-12-28 07:30", "2026-12-24 16:00"}, // after Christmas (the 25th) and a weekend
		{"2026-12-08 10:23", "2026-12-08 10:23"}, // within office hours: as it is
		{"2026-12-08 16:00", "2026-12-08 16:00"}, // a close is a close
		{"2026-12-05 22:00", "2026-12-05 22:00"}, // calendar days end at any time
	} {
		if got := c.Deadline(at(tt.due)); !got.Equal(at(tt.shown)) {
			t.Errorf("Deadline(%s) = %s, want %s", tt.due, got.In(loc).Format("2006-01-02 15:04"), tt.shown)
		}
	}
	if got := MustNew(t).Deadline(at("2026-12-08 07:30")); !got.Equal(at("2026-12-08 07:30")) {
		t.Errorf("without a calendar the deadline changed: %s", got)
	}
	n := flows.Notice{Msg: flows.MsgForwarded, Tracking: "ADU-261204-K7QX", Report: flows.ReportComplaint, Unit: "dukcapil", Due: at("2026-12-08 07:30")}
	s, err := c.Notice("id", n, MustDirectory(t), loc)
	checkOutput(t, "forwarded", s, err)
	if !strings.Contains(s, "paling lambat Senin, 7 Desember 2026.") {
		t.Errorf("the citizen's deadline is not Monday's date:\n%s", s)
	}
	n = flows.Notice{Msg: flows.MsgNewCase, Tracking: "ADU-261204-K7QX", Report: flows.ReportInfoRequest, State: flows.Distributed, Due: at("2026-12-08 07:30")}
	s, err = c.Notice("en", n, MustDirectory(t), loc)
	checkOutput(t, "new case", s, err)
	if !strings.Contains(s, "New request for information ADU-261204-K7QX") || !strings.Contains(s, "by Monday, 7 December 2026 at 16:00 WIB") {
		t.Errorf("the unit's message:\n%s", s)
	}
	item := flows.Notice{Msg: flows.MsgStatusItem, Tracking: "ADU-261204-K7QX", Report: flows.ReportComplaint, State: flows.Routed,
		Due: at("2026-12-08 07:30"), Data: map[string]string{"DateOnly": "yes"}}
	s, err = c.Notice("id", item, nil, loc)
	checkOutput(t, "status item", s, err)
	if s != "• Aduan ADU-261204-K7QX: Terverifikasi, paling lambat Senin, 7 Desember 2026" {
		t.Errorf("status item: %q", s)
	}
	k := flows.Complaint{Tracking: "ADU-261204-K7QX", Type: flows.ReportAspiration, State: flows.Submitted, Due: at("2026-12-08 07:30")}
	s, err = c.Card("id", k, flows.Unit{}, nil, loc)
	checkOutput(t, "card", s, err)
	if !strings.HasPrefix(s, "Aspirasi ADU-261204-K7QX") || !strings.Contains(s, "Batas waktu: Senin, 7 Desember 2026 pukul 16.00 WIB") {
		t.Errorf("the card:\n%s", s)
	}
}

// TestOfficeInMessages: the welcome, the help and the privacy notice name the office,
// its contact and its hours from configuration, and read well without them.
func TestOfficeInMessages(t *testing.T) {
	loc := MustPontianak(t)
	hours, err := flows.ParseWeekHours("mon-thu 07:30-16:00, fri 07:30-11:30")
	if err != nil {
		t.Fatal(err)
	}
	c := MustNew(t).WithOffice(Office{Name: "Disdukcapil Kabupaten Kubu Raya", Contact: "0561-721234", Hours: hours, RetentionDays: 730}).
		WithCalendar(func() *flows.Calendar { return flows.NewCalendar(loc, hours, nil) })
	want := map[string]map[flows.MsgID][]string{
		"id": {
			flows.MsgWelcome:       {"layanan pengaduan SP4N LAPOR! Disdukcapil Kabupaten Kubu Raya."},
			flows.MsgHelp:          {"atau /hapusdata untuk menghapusnya", "Kontak: 0561-721234", "Jam layanan: Senin–Kamis pukul 07.30–16.00, Jumat pukul 07.30–11.30 WIB"},
			flows.MsgPrivacyNotice: {"Pengendali data pribadi: Disdukcapil Kabupaten Kubu Raya (0561-721234).", "Lama penyimpanan: 730 hari setelah laporan selesai", "(ketik /hapusdata)"},
		},
		"en": {
			flows.MsgWelcome:       {"SP4N LAPOR! complaint service of Disdukcapil Kabupaten Kubu Raya."},
			flows.MsgHelp:          {"Contact: 0561-721234", "Office hours: Monday–Thursday 07:30–16:00, Friday 07:30–11:30 WIB"},
			flows.MsgPrivacyNotice: {"Personal data controller: Disdukcapil Kabupaten Kubu Raya (0561-721234).", "How long we keep it: 730 days after the report is finished", "(type /hapusdata)"},
		},
	}
	for lang, msgs := range want {
		for id, parts := range msgs {
			s, err := c.Notice(lang, flows.Notice{Msg: id}, nil, loc)
			checkOutput(t, lang+" "+string(id), s, err)
			for _, p := range parts {
				if !strings.Contains(s, p) {
					t.Errorf("%s %s lacks %q:\n%s", lang, id, p, s)
				}
			}
			bare, err := MustNew(t).Notice(lang, flows.Notice{Msg: id}, nil, loc)
			checkOutput(t, lang+" "+string(id)+" without an office", bare, err)
		}
	}
}

// TestOneWording: the Indonesian messages address the reader as Anda only, call the
// person who reports pelapor, and the national number ID LAPOR!.
func TestOneWording(t *testing.T) {
	for id, m := range MustParseFile(t, "active.id.yaml") {
		text := strings.ToLower(m.Other)
		for _, banned := range []string{"bapak", "ibu", "pengadu ", "pengadu.", "pengadu,", "nomor pelacakan lapor", "nomor lapor!"} {
			if strings.Contains(text, banned) {
				t.Errorf("%s says %q:\n%s", id, banned, m.Other)
			}
		}
	}
}
