package flows

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// calZone returns the Asia/Pontianak zone, in which every calendar test reckons.
func calZone(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Pontianak")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// calTime parses "2006-01-02 15:04" as a wall-clock time in Asia/Pontianak.
func calTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calZone(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func calDate(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func calHours(tb testing.TB, s string) WeekHours {
	tb.Helper()
	w, err := ParseWeekHours(s)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// builtinCalendar is the production calendar: Asia/Pontianak, default hours, built-in holidays
// plus extra.
func builtinCalendar(tb testing.TB, extra ...Holiday) *Calendar {
	tb.Helper()
	return NewCalendar(calZone(tb), DefaultWeekHours(), append(BuiltinHolidays(), extra...))
}

// checkCalTime fails unless got is the instant want, expressed in the calendar's zone.
func checkCalTime(tb testing.TB, name string, got, want time.Time) {
	tb.Helper()
	if !got.Equal(want) {
		tb.Errorf("%s = %s, want %s", name, got.Format("Mon 2006-01-02 15:04 MST"), want.Format("Mon 2006-01-02 15:04 MST"))
	}
	if got.Location().String() != "Asia/Pontianak" {
		tb.Errorf("%s is in %s, want Asia/Pontianak", name, got.Location())
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr string
	}{
		{in: "2026-12-25", want: Date{2026, time.December, 25}},
		{in: "2028-02-29", want: Date{2028, time.February, 29}},
		{in: "0001-01-01", want: Date{1, time.January, 1}},
		{in: "", wantErr: `bad date "": want YYYY-MM-DD`},
		{in: "2026-1-5", wantErr: `bad date "2026-1-5": want YYYY-MM-DD`},
		{in: "2026/12/25", wantErr: `bad date "2026/12/25": want YYYY-MM-DD`},
		{in: "2026-12-2x", wantErr: `bad date "2026-12-2x": want YYYY-MM-DD`},
		{in: "+026-12-25", wantErr: `bad date "+026-12-25": want YYYY-MM-DD`},
		{in: " 2026-12-25", wantErr: `bad date " 2026-12-25": want YYYY-MM-DD`},
		{in: "2026-13-01", wantErr: `bad date "2026-13-01": month 13 out of range 01-12`},
		{in: "2026-00-01", wantErr: `bad date "2026-00-01": month 0 out of range 01-12`},
		{in: "2026-02-29", wantErr: `bad date "2026-02-29": day 29 out of range: February 2026 has 28 days`},
		{in: "2026-04-31", wantErr: `bad date "2026-04-31": day 31 out of range: April 2026 has 30 days`},
		{in: "2026-04-00", wantErr: `bad date "2026-04-00": day 0 out of range: April 2026 has 30 days`},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseDate(%q) error = %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("ParseDate(%q).String() = %q", tt.in, got)
		}
	}
}

func TestDateMethods(t *testing.T) {
	loc := calZone(t)
	d := Date{2026, time.December, 31}

	if got := d.String(); got != "2026-12-31" {
		t.Errorf("String() = %q", got)
	}
	for _, tt := range []struct {
		n    int
		want Date
	}{
		{0, d},
		{1, Date{2027, time.January, 1}},
		{-365, Date{2025, time.December, 31}},
		{60, Date{2027, time.March, 1}},
	} {
		if got := d.AddDays(tt.n); got != tt.want {
			t.Errorf("AddDays(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	if got := (Date{2026, time.February, 30}).AddDays(0); got != (Date{2026, time.March, 2}) {
		t.Errorf("2026-02-30 AddDays(0) = %v, want 2026-03-02", got)
	}
	if got := d.Weekday(); got != time.Thursday {
		t.Errorf("Weekday() = %v, want Thursday", got)
	}
	for _, tt := range []struct {
		a, b Date
		want bool
	}{
		{d, d, false},
		{d, d.AddDays(1), true},
		{d.AddDays(1), d, false},
		{Date{2026, time.January, 31}, Date{2026, time.February, 1}, true},
		{Date{2025, time.December, 31}, Date{2026, time.January, 1}, true},
	} {
		if got := tt.a.Before(tt.b); got != tt.want {
			t.Errorf("%v.Before(%v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	if got, want := d.In(loc), time.Date(2026, time.December, 31, 0, 0, 0, 0, loc); !got.Equal(want) || got.Location() != loc {
		t.Errorf("In(loc) = %v, want %v", got, want)
	}
	// 18:00 UTC on 31 December is already 1 January in Pontianak (UTC+7).
	utc := time.Date(2026, time.December, 31, 18, 0, 0, 0, time.UTC)
	if got := DateOf(utc, loc); got != (Date{2027, time.January, 1}) {
		t.Errorf("DateOf(%v, Pontianak) = %v, want 2027-01-01", utc, got)
	}
	if got := DateOf(utc, time.UTC); got != d {
		t.Errorf("DateOf(%v, UTC) = %v, want %v", utc, got, d)
	}
}

func TestBuiltinHolidays(t *testing.T) {
	hs := BuiltinHolidays()

	type count struct {
		year int
		kind HolidayKind
	}
	counts := map[count]int{}
	for i, h := range hs {
		counts[count{h.Date.Year, h.Kind}]++
		if want := h.Date.Year == 2027; h.Provisional != want {
			t.Errorf("%s provisional = %v, want %v", h.Date, h.Provisional, want)
		}
		if h.Source == "" || h.Name == "" {
			t.Errorf("%s has an empty name or source: %+v", h.Date, h)
		}
		if i > 0 && !hs[i-1].Date.Before(h.Date) {
			t.Errorf("%s listed after %s: want strictly ascending dates", h.Date, hs[i-1].Date)
		}
	}
	want := map[count]int{
		{2026, NationalHoliday}: 17, {2026, CollectiveLeave}: 8,
		{2027, NationalHoliday}: 18, {2027, CollectiveLeave}: 8,
	}
	if len(hs) != 25+26 {
		t.Errorf("%d built-in holidays, want 51", len(hs))
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d %s: %d rows, want %d", k.year, k.kind, counts[k], n)
		}
	}

	byDate := map[Date]Holiday{}
	for _, h := range hs {
		byDate[h.Date] = h
	}
	for _, tt := range []struct {
		date string
		kind HolidayKind
		name string
	}{
		{"2026-01-01", NationalHoliday, "Tahun Baru 2026 Masehi"},
		{"2026-02-16", CollectiveLeave, "Cuti Bersama Tahun Baru Imlek 2577 Kongzili"},
		{"2026-03-21", NationalHoliday, "Hari Raya Idul Fitri 1447 H"},
		{"2026-03-24", CollectiveLeave, "Cuti Bersama Idul Fitri 1447 H"},
		{"2026-12-24", CollectiveLeave, "Cuti Bersama Kelahiran Yesus Kristus"},
		{"2026-12-25", NationalHoliday, "Kelahiran Yesus Kristus (Natal)"},
		{"2027-01-01", NationalHoliday, "Tahun Baru 2027 Masehi"},
		{"2027-03-10", NationalHoliday, "Hari Raya Idul Fitri 1448 H"},
		{"2027-05-19", CollectiveLeave, "Cuti Bersama Hari Raya Waisak"},
		{"2027-12-26", NationalHoliday, "Isra Mikraj Nabi Muhammad SAW (1449 H)"},
	} {
		h, ok := byDate[calDate(t, tt.date)]
		if !ok || h.Kind != tt.kind || h.Name != tt.name {
			t.Errorf("holiday on %s = %+v, %v; want %s %q", tt.date, h, ok, tt.kind, tt.name)
		}
	}

	hs[0].Name = "changed"
	if BuiltinHolidays()[0].Name == "changed" {
		t.Error("BuiltinHolidays returns a slice shared between callers")
	}
}

func TestParseHolidays(t *testing.T) {
	in := "# comment before the header\r\n" +
		"\r\n" +
		"date\tkind\tname\tprovisional\tsource\r\n" +
		"2026-12-25\tLN\tNatal\tfalse\tSKB\r\n" +
		"  # indented comment\n" +
		"2026-12-02 \t closure \t Banjir Sungai Kapuas \ttrue\t\n" +
		"2026-12-24\tCB\tCuti Bersama Natal\tfalse\tKeppres 42/2025\n"
	got, err := ParseHolidays("h.tsv", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Holiday{
		{Date: Date{2026, time.December, 25}, Kind: NationalHoliday, Name: "Natal", Source: "SKB"},
		{Date: Date{2026, time.December, 2}, Kind: Closure, Name: "Banjir Sungai Kapuas", Provisional: true},
		{Date: Date{2026, time.December, 24}, Kind: CollectiveLeave, Name: "Cuti Bersama Natal", Source: "Keppres 42/2025"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ParseHolidays = %+v\nwant %+v", got, want)
	}

	got, err = ParseHolidays("h.tsv", strings.NewReader("date\tkind\tname\tprovisional\tsource\n"))
	if err != nil || len(got) != 0 {
		t.Errorf("header only: %v, %v; want no holidays and no error", got, err)
	}
}

func TestParseHolidaysErrors(t *testing.T) {
	const header = "date\tkind\tname\tprovisional\tsource\n"
	tests := []struct {
		in, want string
	}{
		{"", `h.tsv: missing header line "date\tkind\tname\tprovisional\tsource"`},
		{"# only a comment\n\n", `h.tsv: missing header line "date\tkind\tname\tprovisional\tsource"`},
		{"date,kind,name\n", `h.tsv:1: header is "date,kind,name"; want "date\tkind\tname\tprovisional\tsource"`},
		{header + "2026-13-01\tLN\tX\tfalse\tS\n", `h.tsv:2: bad date "2026-13-01": month 13 out of range 01-12`},
		{header + "# c\n\n2026-12-25\tXX\tNatal\tfalse\t\n", `h.tsv:4: bad kind "XX": want LN, CB or closure`},
		{header + "2026-12-25\tln\tNatal\tfalse\t\n", `h.tsv:2: bad kind "ln": want LN, CB or closure`},
		{header + "2026-12-25\tLN\t\tfalse\tS\n", `h.tsv:2: empty name`},
		{header + "2026-12-25\tLN\tNatal\tyes\tS\n", `h.tsv:2: bad provisional "yes": want true or false`},
		{header + "2026-12-25 LN Natal false S\n", `h.tsv:2: want 5 tab-separated fields (date, kind, name, provisional, source), got 1`},
		{header + "2026-12-25\tLN\tNatal\tfalse\n", `h.tsv:2: want 5 tab-separated fields (date, kind, name, provisional, source), got 4`},
		{header + "2026-12-25\tLN\tNatal\tfalse\tS\t\n", `h.tsv:2: want 5 tab-separated fields (date, kind, name, provisional, source), got 6`},
		{header + "2026-12-25\tLN\tNatal\tfalse\tS\n2026-12-25\tclosure\tX\tfalse\t\n", `h.tsv:3: date 2026-12-25 already listed on line 2`},
	}
	for _, tt := range tests {
		_, err := ParseHolidays("h.tsv", strings.NewReader(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseHolidays(%q) error = %v\nwant %s", tt.in, err, tt.want)
		}
	}

	readErr := errors.New("disk on fire")
	_, err := ParseHolidays("h.tsv", failingReader{readErr})
	if !errors.Is(err, readErr) || !strings.HasPrefix(err.Error(), "h.tsv: ") {
		t.Errorf("ParseHolidays(failing reader) error = %v, want h.tsv: %v", err, readErr)
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestWriteHolidaysRoundTrip(t *testing.T) {
	hs := append(BuiltinHolidays(), Holiday{
		Date: Date{2026, time.December, 2}, Kind: Closure, Name: "Banjir", Provisional: false,
	})
	var buf bytes.Buffer
	if err := WriteHolidays(&buf, hs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "date\tkind\tname\tprovisional\tsource\n2026-01-01\tLN\tTahun Baru 2026 Masehi\tfalse\tSKB 3 Menteri 2026") {
		t.Errorf("WriteHolidays output starts %q", buf.String()[:100])
	}
	got, err := ParseHolidays("out.tsv", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, hs) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, hs)
	}

	buf.Reset()
	if err := WriteHolidays(&buf, nil); err != nil || buf.String() != "date\tkind\tname\tprovisional\tsource\n" {
		t.Errorf("WriteHolidays(nil) wrote %q, %v; want the header only", buf.String(), err)
	}
}

func TestWriteHolidaysErrors(t *testing.T) {
	natal := Holiday{Date: Date{2026, time.December, 25}, Kind: NationalHoliday, Name: "Natal"}
	with := func(f func(*Holiday)) Holiday { h := natal; f(&h); return h }
	tests := []struct {
		hs   []Holiday
		want string
	}{
		{[]Holiday{with(func(h *Holiday) { h.Date = Date{} })}, "write holidays: 0000-00-00: bad date 0000-00-00"},
		{[]Holiday{with(func(h *Holiday) { h.Date.Day = 32 })}, "write holidays: 2026-12-32: bad date 2026-12-32"},
		{[]Holiday{with(func(h *Holiday) { h.Kind = "" })}, `write holidays: 2026-12-25: bad kind "": want LN, CB or closure`},
		{[]Holiday{with(func(h *Holiday) { h.Name = "" })}, "write holidays: 2026-12-25: empty name"},
		{[]Holiday{with(func(h *Holiday) { h.Name = "Na\ttal" })}, `write holidays: 2026-12-25: bad name "Na\ttal": a tab, a line break or surrounding spaces`},
		{[]Holiday{with(func(h *Holiday) { h.Name = " Natal" })}, `write holidays: 2026-12-25: bad name " Natal": a tab, a line break or surrounding spaces`},
		{[]Holiday{with(func(h *Holiday) { h.Source = "SKB\n" })}, `write holidays: 2026-12-25: bad source "SKB\n": a tab, a line break or surrounding spaces`},
		{[]Holiday{natal, with(func(h *Holiday) { h.Kind = Closure })}, "write holidays: date 2026-12-25 listed twice"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		err := WriteHolidays(&buf, tt.hs)
		if err == nil || err.Error() != tt.want {
			t.Errorf("WriteHolidays(%+v) error = %v\nwant %s", tt.hs, err, tt.want)
		}
		if buf.Len() != 0 {
			t.Errorf("WriteHolidays(%+v) wrote %q before failing", tt.hs, buf.String())
		}
	}
}

func TestParseWeekHours(t *testing.T) {
	const (
		h0730 = 7*time.Hour + 30*time.Minute
		h1600 = 16 * time.Hour
	)
	tests := []struct {
		in   string
		want func() WeekHours
		str  string
	}{
		{"mon-fri 07:30-16:00", DefaultWeekHours, "mon-fri 07:30-16:00"},
		{" MON-Fri  07:30-16:00 ", DefaultWeekHours, "mon-fri 07:30-16:00"},
		{"mon-thu 07:30-16:00, fri 07:30-16:30", func() WeekHours {
			w := DefaultWeekHours()
			w[time.Friday].Close = 16*time.Hour + 30*time.Minute
			return w
		}, "mon-thu 07:30-16:00, fri 07:30-16:30"},
		{"fri 07:30-16:00,mon-thu 07:30-16:00", DefaultWeekHours, "mon-fri 07:30-16:00"},
		{"mon 07:30-16:00, wed 07:30-16:00", func() WeekHours {
			var w WeekHours
			w[time.Monday] = OfficeHours{h0730, h1600}
			w[time.Wednesday] = OfficeHours{h0730, h1600}
			return w
		}, "mon 07:30-16:00, wed 07:30-16:00"},
		{"sat 08:00-12:00, sun 00:00-24:00", func() WeekHours {
			var w WeekHours
			w[time.Saturday] = OfficeHours{8 * time.Hour, 12 * time.Hour}
			w[time.Sunday] = OfficeHours{0, 24 * time.Hour}
			return w
		}, "sat 08:00-12:00, sun 00:00-24:00"},
		{"mon-sun 08:00-09:00", func() WeekHours {
			var w WeekHours
			for d := range w {
				w[d] = OfficeHours{8 * time.Hour, 9 * time.Hour}
			}
			return w
		}, "mon-sun 08:00-09:00"},
	}
	for _, tt := range tests {
		got, err := ParseWeekHours(tt.in)
		if err != nil || got != tt.want() {
			t.Errorf("ParseWeekHours(%q) = %v, %v; want %v", tt.in, got, err, tt.want())
			continue
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseWeekHours(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		if again, err := ParseWeekHours(got.String()); err != nil || again != got {
			t.Errorf("ParseWeekHours(%q) = %v, %v; want the round trip %v", got.String(), again, err, got)
		}
	}
}

func TestParseWeekHoursErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `office hours: none given; want e.g. "mon-fri 07:30-16:00"`},
		{"  ", `office hours: none given; want e.g. "mon-fri 07:30-16:00"`},
		{"mon-fri", `office hours "mon-fri": want DAYS HH:MM-HH:MM, e.g. "mon-fri 07:30-16:00"`},
		{"mon-fri 07:30-16:00,", `office hours "": want DAYS HH:MM-HH:MM, e.g. "mon-fri 07:30-16:00"`},
		{"mon - fri 07:30-16:00", `office hours "mon - fri 07:30-16:00": want DAYS HH:MM-HH:MM, e.g. "mon-fri 07:30-16:00"`},
		{"senin-jumat 07:30-16:00", `office hours "senin-jumat 07:30-16:00": unknown day "senin"; want mon, tue, wed, thu, fri, sat or sun`},
		{"mon-friday 07:30-16:00", `office hours "mon-friday 07:30-16:00": unknown day "friday"; want mon, tue, wed, thu, fri, sat or sun`},
		{"fri-mon 07:30-16:00", `office hours "fri-mon 07:30-16:00": day range "fri-mon" runs backwards; the week runs mon to sun`},
		{"mon 7:30-16:00", `office hours "mon 7:30-16:00": bad time "7:30": want HH:MM from 00:00 to 24:00`},
		{"mon 07:30-24:30", `office hours "mon 07:30-24:30": bad time "24:30": want HH:MM from 00:00 to 24:00`},
		{"mon 07:60-16:00", `office hours "mon 07:60-16:00": bad time "07:60": want HH:MM from 00:00 to 24:00`},
		{"mon 07:30", `office hours "mon 07:30": bad times "07:30": want HH:MM-HH:MM`},
		{"mon 16:00-07:30", `office hours "mon 16:00-07:30": opening 16:00 is not before closing 07:30`},
		{"mon 08:00-08:00", `office hours "mon 08:00-08:00": opening 08:00 is not before closing 08:00`},
		{"mon-fri 07:30-16:00, fri 07:30-11:00", `office hours "fri 07:30-11:00": fri named twice`},
	}
	for _, tt := range tests {
		got, err := ParseWeekHours(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseWeekHours(%q) error = %v\nwant %s", tt.in, err, tt.want)
		}
		if got != (WeekHours{}) {
			t.Errorf("ParseWeekHours(%q) = %v with an error, want the zero WeekHours", tt.in, got)
		}
	}
}

func TestWeekHoursString(t *testing.T) {
	var w WeekHours
	if got := w.String(); got != "" {
		t.Errorf("closed every day: String() = %q, want \"\"", got)
	}
	// Hours that mean closed are left out.
	w[time.Monday] = OfficeHours{Open: 16 * time.Hour, Close: 8 * time.Hour}
	w[time.Tuesday] = OfficeHours{Open: 8 * time.Hour, Close: 25 * time.Hour}
	w[time.Wednesday] = OfficeHours{Open: 8 * time.Hour, Close: 12 * time.Hour}
	if got := w.String(); got != "wed 08:00-12:00" {
		t.Errorf("String() = %q, want \"wed 08:00-12:00\"", got)
	}
}

func TestCalendarHoliday(t *testing.T) {
	closure := Holiday{Date: Date{2026, time.December, 25}, Kind: Closure, Name: "Kantor tutup"}
	c := builtinCalendar(t, closure)
	if h, ok := c.Holiday(calDate(t, "2026-03-22")); !ok || h.Kind != NationalHoliday {
		t.Errorf("Holiday(2026-03-22, a Sunday) = %+v, %v; want the Idul Fitri LN", h, ok)
	}
	if h, ok := c.Holiday(calDate(t, "2026-12-26")); ok || h != (Holiday{}) {
		t.Errorf("Holiday(2026-12-26) = %+v, %v; want none", h, ok)
	}
	// The later of two holidays on one date wins.
	if h, ok := c.Holiday(closure.Date); !ok || h != closure {
		t.Errorf("Holiday(2026-12-25) = %+v, %v; want %+v", h, ok, closure)
	}
	if c.Location().String() != "Asia/Pontianak" {
		t.Errorf("Location() = %v", c.Location())
	}
}

func TestCalendarIsWorkingDay(t *testing.T) {
	c := builtinCalendar(t, Holiday{Date: Date{2026, time.December, 2}, Kind: Closure, Name: "Banjir"})
	tests := []struct {
		date string
		want bool
	}{
		{"2026-11-30", true},  // Monday
		{"2026-12-02", false}, // operator closure
		{"2026-12-05", false}, // Saturday
		{"2026-12-06", false}, // Sunday
		{"2026-12-24", false}, // cuti bersama
		{"2026-12-25", false}, // libur nasional
		{"2026-12-28", true},
		{"2026-03-17", true},
		{"2026-03-18", false}, // Lebaran 2026: 18–24 March are all off
		{"2026-03-19", false},
		{"2026-03-20", false},
		{"2026-03-23", false},
		{"2026-03-24", false},
		{"2026-03-25", true},
		{"2027-01-01", false},
		{"2027-01-04", true},
	}
	for _, tt := range tests {
		if got := c.IsWorkingDay(calDate(t, tt.date)); got != tt.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}

func TestCalendarNextOpening(t *testing.T) {
	c := builtinCalendar(t)
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"within hours", calTime(t, "2026-11-30 10:00"), "2026-11-30 10:00"},
		{"at opening", calTime(t, "2026-11-30 07:30"), "2026-11-30 07:30"},
		{"before opening", calTime(t, "2026-11-30 06:00"), "2026-11-30 07:30"},
		{"at closing", calTime(t, "2026-11-30 16:00"), "2026-12-01 07:30"},
		{"after closing on Friday", calTime(t, "2026-12-04 17:00"), "2026-12-07 07:30"},
		{"on Saturday", calTime(t, "2026-12-05 12:00"), "2026-12-07 07:30"},
		{"on cuti bersama", calTime(t, "2026-12-24 10:00"), "2026-12-28 07:30"},
		{"over the year end", calTime(t, "2026-12-31 16:30"), "2027-01-04 07:30"},
		{"in UTC, same date", time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), "2026-11-30 10:00"},
		{"in UTC, previous date", time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC), "2026-12-04 07:30"},
	}
	for _, tt := range tests {
		checkCalTime(t, tt.name, c.NextOpening(tt.in), calTime(t, tt.want))
	}
}

func TestCalendarAddWorkingDays(t *testing.T) {
	builtin := builtinCalendar(t)
	closure := builtinCalendar(t, Holiday{Date: Date{2026, time.December, 2}, Kind: Closure, Name: "Banjir"})
	var cb []Holiday
	for _, h := range BuiltinHolidays() {
		if h.Kind == CollectiveLeave {
			cb = append(cb, h)
		}
	}
	onlyCB := NewCalendar(calZone(t), DefaultWeekHours(), cb)
	shortFriday := NewCalendar(calZone(t), calHours(t, "mon-thu 07:30-16:00, fri 07:30-11:00"), BuiltinHolidays())
	lateMonday := NewCalendar(calZone(t), calHours(t, "mon 09:00-16:00, tue-fri 07:30-16:00"), BuiltinHolidays())

	tests := []struct {
		name string
		c    *Calendar
		in   time.Time
		n    int
		want string
	}{
		{"next day", builtin, calTime(t, "2026-11-30 10:00"), 1, "2026-12-01 10:00"},
		{"after Friday closing", builtin, calTime(t, "2026-12-04 17:00"), 1, "2026-12-08 07:30"},
		{"over Christmas", builtin, calTime(t, "2026-12-23 09:00"), 1, "2026-12-28 09:00"},
		{"3 over Lebaran", builtin, calTime(t, "2026-03-17 10:00"), 3, "2026-03-27 10:00"},
		{"3 into Lebaran", builtin, calTime(t, "2026-03-13 14:00"), 3, "2026-03-25 14:00"},
		{"received during Lebaran", builtin, calTime(t, "2026-03-19 09:00"), 1, "2026-03-26 07:30"},
		{"over the year end", builtin, calTime(t, "2026-12-31 11:00"), 1, "2027-01-04 11:00"},
		{"cuti bersama alone", onlyCB, calTime(t, "2026-02-13 10:00"), 1, "2026-02-17 10:00"},
		{"cuti bersama and LN", builtin, calTime(t, "2026-02-13 10:00"), 1, "2026-02-18 10:00"},
		{"operator closure", closure, calTime(t, "2026-11-30 10:00"), 2, "2026-12-03 10:00"},
		{"zero within hours", builtin, calTime(t, "2026-11-30 10:00"), 0, "2026-11-30 10:00"},
		{"zero on Saturday", builtin, calTime(t, "2026-12-05 12:00"), 0, "2026-12-07 07:30"},
		{"before opening", builtin, calTime(t, "2026-11-30 06:00"), 1, "2026-12-01 07:30"},
		{"zero before opening", builtin, calTime(t, "2026-11-30 06:00"), 0, "2026-11-30 07:30"},
		{"at closing", builtin, calTime(t, "2026-11-30 16:00"), 1, "2026-12-02 07:30"},
		{"due after Friday closing", shortFriday, calTime(t, "2026-12-03 15:00"), 1, "2026-12-04 11:00"},
		{"due before Friday closing", shortFriday, calTime(t, "2026-12-03 10:00"), 1, "2026-12-04 10:00"},
		{"due before Monday opening", lateMonday, calTime(t, "2026-12-04 08:00"), 1, "2026-12-07 09:00"},
		{"input in UTC", builtin, time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), 1, "2026-12-01 10:00"},
		{"20 days", builtin, calTime(t, "2026-11-30 10:00"), 20, "2026-12-30 10:00"},
		{"22 days", builtin, calTime(t, "2026-11-30 10:00"), 22, "2027-01-04 10:00"},

		{"back one", builtin, calTime(t, "2026-12-01 10:00"), -1, "2026-11-30 10:00"},
		{"back over Christmas", builtin, calTime(t, "2026-12-28 09:00"), -1, "2026-12-23 09:00"},
		{"back over Lebaran", builtin, calTime(t, "2026-03-27 10:00"), -3, "2026-03-17 10:00"},
		{"back from Monday opening", builtin, calTime(t, "2026-12-07 07:30"), -1, "2026-12-03 16:00"},
		{"back from Sunday", builtin, calTime(t, "2026-12-06 12:00"), -1, "2026-12-03 16:00"},
		{"back from closing", builtin, calTime(t, "2026-12-01 16:00"), -1, "2026-11-30 16:00"},
		{"back to short Friday", shortFriday, calTime(t, "2026-12-07 15:00"), -1, "2026-12-04 11:00"},
		{"back to late Monday", lateMonday, calTime(t, "2026-12-08 08:00"), -1, "2026-12-07 09:00"},
	}
	for _, tt := range tests {
		checkCalTime(t, tt.name, tt.c.AddWorkingDays(tt.in, tt.n), calTime(t, tt.want))
	}
}

func TestCalendarAddWorkingHours(t *testing.T) {
	c := builtinCalendar(t)
	tests := []struct {
		name string
		in   string
		d    time.Duration
		want string
	}{
		{"same day", "2026-11-30 10:00", 2 * time.Hour, "2026-11-30 12:00"},
		{"up to closing", "2026-11-30 15:00", time.Hour, "2026-11-30 16:00"},
		{"into the next day", "2026-11-30 15:00", 2 * time.Hour, "2026-12-01 08:30"},
		{"a whole day", "2026-11-30 07:30", 8*time.Hour + 30*time.Minute, "2026-11-30 16:00"},
		{"a day and a half hour", "2026-11-30 07:30", 9 * time.Hour, "2026-12-01 08:00"},
		{"from Saturday", "2026-12-05 10:00", time.Hour, "2026-12-07 08:30"},
		{"over Christmas", "2026-12-23 15:00", 2 * time.Hour, "2026-12-28 08:30"},
		{"zero after closing", "2026-11-30 17:00", 0, "2026-12-01 07:30"},
		{"zero within hours", "2026-11-30 10:00", 0, "2026-11-30 10:00"},
		{"negative", "2026-12-01 08:30", -2 * time.Hour, "2026-11-30 15:00"},
	}
	for _, tt := range tests {
		checkCalTime(t, tt.name, c.AddWorkingHours(calTime(t, tt.in), tt.d), calTime(t, tt.want))
	}
}

func TestCalendarSubWorkingHours(t *testing.T) {
	c := builtinCalendar(t)
	tests := []struct {
		name string
		in   string
		d    time.Duration
		want string
	}{
		{"same day", "2026-11-30 12:00", 2 * time.Hour, "2026-11-30 10:00"},
		{"down to opening", "2026-12-01 08:30", time.Hour, "2026-12-01 07:30"},
		{"into the previous day", "2026-12-01 08:30", 2 * time.Hour, "2026-11-30 15:00"},
		{"from opening", "2026-12-01 07:30", 2 * time.Hour, "2026-11-30 14:00"},
		{"from closing", "2026-11-30 16:00", time.Hour, "2026-11-30 15:00"},
		{"after closing", "2026-11-30 16:30", time.Hour, "2026-11-30 15:00"},
		{"from Sunday", "2026-12-06 12:00", 2 * time.Hour, "2026-12-04 14:00"},
		{"over Christmas", "2026-12-28 09:00", 2 * time.Hour, "2026-12-23 15:30"},
		{"zero at opening", "2026-12-01 07:30", 0, "2026-11-30 16:00"},
		{"zero at closing", "2026-11-30 16:00", 0, "2026-11-30 16:00"},
		{"negative", "2026-11-30 15:00", -2 * time.Hour, "2026-12-01 08:30"},
	}
	for _, tt := range tests {
		checkCalTime(t, tt.name, c.SubWorkingHours(calTime(t, tt.in), tt.d), calTime(t, tt.want))
	}
}

// TestCalendarWorkingHoursInverse checks that SubWorkingHours undoes AddWorkingHours for
// every quarter hour of three weeks around Christmas 2026.
func TestCalendarWorkingHoursInverse(t *testing.T) {
	c := NewCalendar(calZone(t), calHours(t, "mon-thu 07:30-16:00, fri 07:30-11:00, sat 00:00-24:00"), BuiltinHolidays())
	start := calTime(t, "2026-12-14 00:00")
	for in := start; in.Before(start.AddDate(0, 0, 21)); in = in.Add(15 * time.Minute) {
		for _, d := range []time.Duration{time.Minute, 2 * time.Hour, 8*time.Hour + 30*time.Minute, 30 * time.Hour} {
			out := c.AddWorkingHours(in, d)
			if back := c.SubWorkingHours(out, d); !back.Equal(c.NextOpening(in)) {
				t.Fatalf("SubWorkingHours(AddWorkingHours(%s, %v) = %s, %v) = %s, want NextOpening = %s",
					in, d, out, d, back, c.NextOpening(in))
			}
		}
	}
}

func TestCalendarWorkingDaysBetween(t *testing.T) {
	c := builtinCalendar(t)
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-11-30", "2026-12-07", 5},
		{"2026-12-07", "2026-11-30", -5},
		{"2026-11-30", "2026-11-30", 0},
		{"2026-12-23", "2026-12-28", 1},
		{"2026-03-17", "2026-03-27", 3},
		{"2026-12-31", "2027-01-04", 1},
		// 261 weekdays in 2026, 21 of them holidays.
		{"2025-12-31", "2026-12-31", 240},
	}
	for _, tt := range tests {
		if got := c.WorkingDaysBetween(calDate(t, tt.from), calDate(t, tt.to)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestNewCalendarPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"nil location":  func() { NewCalendar(nil, DefaultWeekHours(), nil) },
		"closed always": func() { NewCalendar(time.UTC, WeekHours{}, nil) },
		"invalid hours": func() {
			NewCalendar(time.UTC, WeekHours{time.Monday: {Open: 9 * time.Hour, Close: 8 * time.Hour}}, nil)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewCalendar with %s did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestCalendarConcurrentUse(t *testing.T) {
	c := builtinCalendar(t)
	in := calTime(t, "2026-12-23 09:00")
	want := calTime(t, "2026-12-28 09:00")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if got := c.AddWorkingDays(in, 1); !got.Equal(want) {
					t.Errorf("AddWorkingDays = %v, want %v", got, want)
					return
				}
				c.SubWorkingHours(want, 2*time.Hour)
				c.WorkingDaysBetween(DateOf(in, c.Location()), DateOf(want, c.Location()))
			}
		})
	}
	wg.Wait()
}
