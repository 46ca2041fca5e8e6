package flows

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Pontianak loads even on hosts without a zoneinfo database.
	"unicode/utf8"
)

// Date is a civil date (no time, no zone).
// A valid Date has Year 0–9999, Month 1–12 and a Day that exists in that month;
// the zero Date is not valid.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a date written YYYY-MM-DD, such as "2026-12-25".
// It returns an error naming s and what is wrong with it if s is not in that form
// or names a day that does not exist, such as "2026-02-29".
func ParseDate(s string) (Date, error) {
	bad := func(format string, args ...any) (Date, error) {
		return Date{}, fmt.Errorf("bad date %q: "+format, append([]any{s}, args...)...)
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return bad("want YYYY-MM-DD")
	}
	y, okY := atoiDigits(s[0:4])
	m, okM := atoiDigits(s[5:7])
	d, okD := atoiDigits(s[8:10])
	if !okY || !okM || !okD {
		return bad("want YYYY-MM-DD")
	}
	if m < 1 || m > 12 {
		return bad("month %d out of range 01-12", m)
	}
	if n := daysIn(y, time.Month(m)); d < 1 || d > n {
		return bad("day %d out of range: %s %d has %d days", d, time.Month(m), y, n)
	}
	return Date{y, time.Month(m), d}, nil
}

// DateOf returns the date of t in loc. It panics if loc is nil, as time.Time.In does.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// String returns d written YYYY-MM-DD, such as "2026-12-25", the form ParseDate reads.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// AddDays returns the date n days after d, or before d if n is negative.
// An invalid d is normalized first, as time.Date does: 2026-02-30 counts as 2026-03-02.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC), time.UTC)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// In returns midnight at the start of d in loc, as time.Date computes it.
// It panics if loc is nil, as time.Date does.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

func (d Date) valid() bool {
	return 0 <= d.Year && d.Year <= 9999 && time.January <= d.Month && d.Month <= time.December &&
		1 <= d.Day && d.Day <= daysIn(d.Year, d.Month)
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// atoiDigits parses s made of ASCII digits only; it reports false for anything else.
func atoiDigits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// HolidayKind says why the office is closed on a day.
type HolidayKind string

// The kinds of holiday, as written in the kind column of holidays.tsv.
const (
	// NationalHoliday is a libur nasional declared by the government.
	NationalHoliday HolidayKind = "LN"
	// CollectiveLeave is a cuti bersama declared by the government.
	CollectiveLeave HolidayKind = "CB"
	// Closure is an office closure declared by the operator.
	Closure HolidayKind = "closure"
)

// Holiday is a date on which the office is closed whatever its weekday.
type Holiday struct {
	Date        Date
	Kind        HolidayKind
	Name        string // such as "Hari Raya Idul Fitri 1447 H"
	Source      string // where the date comes from, such as the decree; may be empty
	Provisional bool   // the date is not confirmed by its primary source yet
}

// check reports what keeps h from being written as a row that ParseHolidays reads back.
func (h Holiday) check() error {
	switch {
	case !h.Date.valid():
		return fmt.Errorf("bad date %s", h.Date)
	case h.Kind != NationalHoliday && h.Kind != CollectiveLeave && h.Kind != Closure:
		return fmt.Errorf("bad kind %q: want LN, CB or closure", h.Kind)
	case h.Name == "":
		return errors.New("empty name")
	case !utf8.ValidString(h.Name) || !utf8.ValidString(h.Source):
		return errors.New("a name or source that is not valid UTF-8 text")
	case !plainField(h.Name):
		return fmt.Errorf("bad name %q: a tab, a line break or surrounding spaces", h.Name)
	case !plainField(h.Source):
		return fmt.Errorf("bad source %q: a tab, a line break or surrounding spaces", h.Source)
	}
	return nil
}

func plainField(s string) bool {
	return !strings.ContainsAny(s, "\t\r\n") && strings.TrimSpace(s) == s
}

const holidaysHeader = "date\tkind\tname\tprovisional\tsource"

//go:embed holidays.tsv
var holidaysTSV string

var builtinHolidays = sync.OnceValue(func() []Holiday {
	hs, err := ParseHolidays("holidays.tsv", strings.NewReader(holidaysTSV))
	if err != nil {
		panic("flows: embedded " + err.Error())
	}
	return hs
})

// BuiltinHolidays returns the holidays shipped with the binary (parsed from the embedded
// holidays.tsv), in file order: the national holidays and cuti bersama of 2026, and those of
// 2027 marked provisional. The caller may modify the returned slice.
// It panics only if the embedded file is malformed, which a test rules out.
func BuiltinHolidays() []Holiday {
	return slices.Clone(builtinHolidays())
}

// maxHolidayLine is the longest line ParseHolidays reads, in bytes.
const maxHolidayLine = 64 << 10

// ParseHolidays reads holidays in TSV format from r, in file order; name is the file name
// used in errors. The first line that is neither blank nor a comment (first non-space
// character '#') is the header "date\tkind\tname\tprovisional\tsource"; each later one is
// a row of those five tab-separated fields: a date as ParseDate reads it, a kind (LN, CB
// or closure), a non-empty name, provisional (true or false) and a source, which may be
// empty. Spaces around fields, a trailing "\r" and a UTF-8 byte-order mark at the start
// are ignored; the text must be UTF-8, each line at most 64 KiB.
//
// It returns an error naming the file and line, such as
// `holidays.tsv:12: bad date "2026-13-01": month 13 out of range 01-12`, for a bad header
// or row, a date listed twice or a missing header, and an error naming the file if r fails.
func ParseHolidays(name string, r io.Reader) ([]Holiday, error) {
	var (
		hs     []Holiday
		header bool
		seen   = make(map[Date]int) // date → line
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxHolidayLine+2) // room for the "\r\n"
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // a byte-order mark, as some editors write
		}
		if len(text) > maxHolidayLine {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line, maxHolidayLine)
		}
		if !utf8.ValidString(text) {
			return nil, fmt.Errorf("%s:%d: not valid UTF-8 text (save the file as UTF-8)", name, line)
		}
		if t := strings.TrimSpace(text); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if !header {
			if got := strings.Join(fields, "\t"); got != holidaysHeader {
				return nil, fmt.Errorf("%s:%d: header is %q; want %q", name, line, got, holidaysHeader)
			}
			header = true
			continue
		}
		h, err := parseHolidayRow(fields)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if first, ok := seen[h.Date]; ok {
			return nil, fmt.Errorf("%s:%d: date %s already listed on line %d", name, line, h.Date, first)
		}
		seen[h.Date] = line
		hs = append(hs, h)
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxHolidayLine)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !header {
		return nil, fmt.Errorf("%s: missing header line %q", name, holidaysHeader)
	}
	return hs, nil
}

func parseHolidayRow(f []string) (Holiday, error) {
	if len(f) != 5 {
		return Holiday{}, fmt.Errorf("want 5 tab-separated fields (date, kind, name, provisional, source), got %d", len(f))
	}
	d, err := ParseDate(f[0])
	if err != nil {
		return Holiday{}, err
	}
	h := Holiday{Date: d, Kind: HolidayKind(f[1]), Name: f[2], Source: f[4]}
	switch f[3] {
	case "true":
		h.Provisional = true
	case "false":
	default:
		return Holiday{}, fmt.Errorf("bad provisional %q: want true or false", f[3])
	}
	return h, h.check()
}

// WriteHolidays writes hs to w in the format ParseHolidays reads, header first and rows
// in the order of hs, so that reading the output back yields hs.
// It returns an error and writes nothing if a holiday could not be read back (an invalid
// date or kind, an empty name, a tab, line break or surrounding spaces in a name or
// source) or if two share a date; otherwise it returns any error from w.
func WriteHolidays(w io.Writer, hs []Holiday) error {
	seen := make(map[Date]bool, len(hs))
	for _, h := range hs {
		if err := h.check(); err != nil {
			return fmt.Errorf("write holidays: %s: %w", h.Date, err)
		}
		if seen[h.Date] {
			return fmt.Errorf("write holidays: date %s listed twice", h.Date)
		}
		seen[h.Date] = true
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, holidaysHeader)
	for _, h := range hs {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%t\t%s\n", h.Date, h.Kind, h.Name, h.Provisional, h.Source)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write holidays: %w", err)
	}
	return nil
}

// OfficeHours is the opening and closing time of one weekday, as offsets from midnight
// (wall clock); the office is open from Open up to Close. A zero value means closed, and
// so do hours where Close is not after Open or that fall outside 00:00–24:00.
type OfficeHours struct {
	Open, Close time.Duration
}

func (h OfficeHours) isOpen() bool {
	return 0 <= h.Open && h.Open < h.Close && h.Close <= 24*time.Hour
}

// WeekHours holds office hours indexed by time.Weekday.
type WeekHours [7]OfficeHours

// DefaultWeekHours returns the hours of Perpres 21/2023: Monday to Friday 07:30–16:00,
// closed on Saturday and Sunday.
func DefaultWeekHours() WeekHours {
	var w WeekHours
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = OfficeHours{Open: 7*time.Hour + 30*time.Minute, Close: 16 * time.Hour}
	}
	return w
}

// ParseWeekHours parses office hours written as comma-separated items, each a day or a
// range of days followed by opening and closing times, such as
// "mon-thu 07:30-16:00, fri 07:30-16:30". Days are mon, tue, wed, thu, fri, sat and sun
// in any case; a range runs forward from mon to sun; times are HH:MM from 00:00 to 24:00.
// Days not named are closed.
// It returns an error naming the item and the problem if an item is malformed, names an
// unknown day or a day already named, or opens at or after it closes, and an error if s
// names no day at all.
func ParseWeekHours(s string) (WeekHours, error) {
	var (
		w     WeekHours
		named [7]bool
	)
	if strings.TrimSpace(s) == "" {
		return w, errors.New(`office hours: none given; want e.g. "mon-fri 07:30-16:00"`)
	}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		days, h, err := parseHoursItem(item)
		if err != nil {
			return WeekHours{}, fmt.Errorf("office hours %q: %w", item, err)
		}
		for _, d := range days {
			if named[d] {
				return WeekHours{}, fmt.Errorf("office hours %q: %s named twice", item, shortDay(d))
			}
			named[d] = true
			w[d] = h
		}
	}
	return w, nil
}

func parseHoursItem(item string) ([]time.Weekday, OfficeHours, error) {
	f := strings.Fields(item)
	if len(f) != 2 {
		return nil, OfficeHours{}, errors.New(`want DAYS HH:MM-HH:MM, e.g. "mon-fri 07:30-16:00"`)
	}
	first, last, isRange := strings.Cut(f[0], "-")
	if !isRange {
		last = first
	}
	from, err := parseShortDay(first)
	if err != nil {
		return nil, OfficeHours{}, err
	}
	to, err := parseShortDay(last)
	if err != nil {
		return nil, OfficeHours{}, err
	}
	if mondayIndex(to) < mondayIndex(from) {
		return nil, OfficeHours{}, fmt.Errorf("day range %q runs backwards; the week runs mon to sun", f[0])
	}
	var days []time.Weekday
	for i := mondayIndex(from); i <= mondayIndex(to); i++ {
		days = append(days, weekdayAt(i))
	}

	open, closing, ok := strings.Cut(f[1], "-")
	if !ok {
		return nil, OfficeHours{}, fmt.Errorf("bad times %q: want HH:MM-HH:MM", f[1])
	}
	var h OfficeHours
	if h.Open, err = parseHHMM(open); err != nil {
		return nil, OfficeHours{}, err
	}
	if h.Close, err = parseHHMM(closing); err != nil {
		return nil, OfficeHours{}, err
	}
	if h.Open >= h.Close {
		return nil, OfficeHours{}, fmt.Errorf("opening %s is not before closing %s", open, closing)
	}
	return days, h, nil
}

// parseShortDay parses a three-letter English day name such as "mon", in any case.
func parseShortDay(s string) (time.Weekday, error) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(s, shortDay(d)) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown day %q; want mon, tue, wed, thu, fri, sat or sun", s)
}

func shortDay(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

// weekdayAt returns the ith day of a week that starts on Monday; mondayIndex is its inverse.
func weekdayAt(i int) time.Weekday   { return time.Weekday((i + 1) % 7) }
func mondayIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

func parseHHMM(s string) (time.Duration, error) {
	if len(s) == 5 && s[2] == ':' {
		h, okH := atoiDigits(s[:2])
		m, okM := atoiDigits(s[3:])
		if okH && okM && m < 60 && (h < 24 || h == 24 && m == 0) {
			return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
		}
	}
	return 0, fmt.Errorf("bad time %q: want HH:MM from 00:00 to 24:00", s)
}

func formatHHMM(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// String returns w in the canonical form ParseWeekHours reads, days in week order from
// Monday with runs of equal hours joined into ranges, such as "mon-fri 07:30-16:00".
// Closed days are left out, so hours closed every day give "", which ParseWeekHours
// rejects. Times are written to the minute; seconds are dropped.
func (w WeekHours) String() string {
	var items []string
	for i := 0; i < 7; i++ {
		h := w[weekdayAt(i)]
		if !h.isOpen() {
			continue
		}
		j := i
		for j+1 < 7 && w[weekdayAt(j+1)] == h {
			j++
		}
		days := shortDay(weekdayAt(i))
		if j > i {
			days += "-" + shortDay(weekdayAt(j))
		}
		items = append(items, days+" "+formatHHMM(h.Open)+"-"+formatHHMM(h.Close))
		i = j
	}
	return strings.Join(items, ", ")
}

// Calendar answers working-day questions in one time zone. Safe for concurrent use
// (immutable after NewCalendar).
//
// A day is a working day when its weekday has office hours and it is not a holiday of
// any kind. An instant is within office hours when it is on a working day at or after
// opening and before closing. Every time.Time a Calendar returns is in its location.
type Calendar struct {
	loc      *time.Location
	hours    WeekHours
	holidays map[Date]Holiday
}

// NewCalendar returns a calendar for the time zone loc with the given weekly office hours
// and holidays; the calendar keeps its own copy of both. Weekdays whose hours mean closed
// (see OfficeHours) are closed. When two holidays share a date, the later one in holidays
// is the one Holiday reports; the day is closed either way.
// NewCalendar panics if loc is nil or if hours has no open day, which ParseWeekHours and
// DefaultWeekHours never return.
func NewCalendar(loc *time.Location, hours WeekHours, holidays []Holiday) *Calendar {
	if loc == nil {
		panic("flows: NewCalendar: nil location")
	}
	c := &Calendar{loc: loc, holidays: make(map[Date]Holiday, len(holidays))}
	for d, h := range hours {
		if h.isOpen() {
			c.hours[d] = h
		}
	}
	if c.hours == (WeekHours{}) {
		panic("flows: NewCalendar: the office is closed every day of the week")
	}
	for _, h := range holidays {
		c.holidays[h.Date] = h
	}
	return c
}

// Location returns the time zone in which c reckons dates and office hours.
func (c *Calendar) Location() *time.Location { return c.loc }

// Holiday returns the holiday on d and true, or the zero Holiday and false if d is not a
// holiday. Holidays on days the office is closed anyway, such as a Sunday, are reported too.
func (c *Calendar) Holiday(d Date) (Holiday, bool) {
	h, ok := c.holidays[d]
	return h, ok
}

// IsWorkingDay reports whether d is a working day: its weekday has office hours and it is
// not a national holiday, cuti bersama or closure.
func (c *Calendar) IsWorkingDay(d Date) bool { return c.hoursOn(d).isOpen() }

// NextOpening returns t itself (in c's location) if it is within office hours of a working
// day; the opening of the same day if t is before it on a working day; else the opening of
// the next working day.
func (c *Calendar) NextOpening(t time.Time) time.Time {
	d, clock := c.split(t)
	if od, oclock := c.opening(d, clock); od != d || oclock != clock {
		return c.at(od, oclock)
	}
	return t.In(c.loc)
}

// AddWorkingDays returns the same clock time on the nth working day after t, where a t
// outside office hours is first moved to NextOpening(t); a clock time after closing on
// that day gives its closing, one before its opening gives its opening. For n = 0 it is
// NextOpening(t).
//
// A negative n walks back symmetrically: t is first moved back to the last closing unless
// it is after opening and at or before closing of a working day, and the result is that
// clock time on the |n|th working day before, kept within the day's office hours the same way.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	if n < 0 {
		return c.subWorkingDays(t, -n)
	}
	d, clock := c.opening(c.split(t))
	for ; n > 0; n-- {
		d = c.workingDayFrom(d, 1)
	}
	return c.atWithin(d, clock)
}

// subWorkingDays walks back n ≥ 0 working days as AddWorkingDays(t, -n) describes;
// for n = 0 it returns t moved back to the last closing unless within office hours.
func (c *Calendar) subWorkingDays(t time.Time, n int) time.Time {
	d, clock := c.closing(c.split(t))
	for ; n > 0; n-- {
		d = c.workingDayFrom(d, -1)
	}
	return c.atWithin(d, clock)
}

// atWithin returns clock on the working day d, kept within its office hours.
func (c *Calendar) atWithin(d Date, clock time.Duration) time.Time {
	h := c.hoursOn(d)
	return c.at(d, min(max(clock, h.Open), h.Close))
}

// AddWorkingHours returns the earliest instant after which d of office time has passed
// since t, counting from NextOpening(t): Monday 15:00 plus 2 working hours, with offices
// closing at 16:00 and opening at 07:30, is Tuesday 08:30, and Monday 15:00 plus 1 is
// Monday 16:00. For d = 0 it is NextOpening(t); a negative d is SubWorkingHours(t, -d).
func (c *Calendar) AddWorkingHours(t time.Time, d time.Duration) time.Time {
	day, clock := c.split(t)
	if d < 0 {
		return c.at(c.subHours(day, clock, -d))
	}
	return c.at(c.addHours(day, clock, d))
}

// SubWorkingHours returns the latest instant from which d of office time passes until t:
// with offices opening at 07:30 and closing at 16:00, 2 working hours before Tuesday 08:30
// is Monday 15:00, and 1 before Tuesday 08:30 is Tuesday 07:30. A t outside office hours
// counts from the last closing before it, so for d = 0 the result is t if t is after
// opening and at or before closing of a working day, else that last closing.
// A negative d is AddWorkingHours(t, -d).
func (c *Calendar) SubWorkingHours(t time.Time, d time.Duration) time.Time {
	day, clock := c.split(t)
	if d < 0 {
		return c.at(c.addHours(day, clock, -d))
	}
	return c.at(c.subHours(day, clock, d))
}

// WorkingDaysBetween returns the number of working days in (from, to]: after from, up to
// and including to. It is 0 if from equals to, and the negated count of working days in
// (to, from] if to is before from.
func (c *Calendar) WorkingDaysBetween(from, to Date) int {
	if to.Before(from) {
		return -c.WorkingDaysBetween(to, from)
	}
	n := 0
	for d := from.AddDays(1); !to.Before(d); d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// The methods below reckon instants as a date and a wall-clock offset from its midnight
// (clock), which keeps the closing time 24:00 on its own day.

// hoursOn returns the office hours of d, the zero OfficeHours if d is not a working day.
func (c *Calendar) hoursOn(d Date) OfficeHours {
	if _, ok := c.holidays[d]; ok {
		return OfficeHours{}
	}
	return c.hours[d.Weekday()]
}

func (c *Calendar) split(t time.Time) (Date, time.Duration) {
	t = t.In(c.loc)
	h, m, s := t.Clock()
	clock := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
	return DateOf(t, c.loc), clock
}

func (c *Calendar) at(d Date, clock time.Duration) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(clock/time.Hour), int(clock%time.Hour/time.Minute),
		int(clock%time.Minute/time.Second), int(clock%time.Second), c.loc)
}

// workingDayFrom returns the first working day after d, going forward if step is 1 and
// back if it is -1. It ends because some weekday is open and holidays are finite.
func (c *Calendar) workingDayFrom(d Date, step int) Date {
	for {
		if d = d.AddDays(step); c.IsWorkingDay(d) {
			return d
		}
	}
}

// opening returns the instant itself if within office hours, else the next opening.
func (c *Calendar) opening(d Date, clock time.Duration) (Date, time.Duration) {
	if h := c.hoursOn(d); h.isOpen() && clock < h.Close {
		return d, max(clock, h.Open)
	}
	d = c.workingDayFrom(d, 1)
	return d, c.hoursOn(d).Open
}

// closing returns the instant itself if after opening and at or before closing of a
// working day, else the last closing before it.
func (c *Calendar) closing(d Date, clock time.Duration) (Date, time.Duration) {
	if h := c.hoursOn(d); h.isOpen() && clock > h.Open {
		return d, min(clock, h.Close)
	}
	d = c.workingDayFrom(d, -1)
	return d, c.hoursOn(d).Close
}

// addHours and subHours move by d ≥ 0 of office time; a negative d counts as 0.
func (c *Calendar) addHours(day Date, clock, d time.Duration) (Date, time.Duration) {
	day, clock = c.opening(day, clock)
	for d = max(d, 0); ; {
		left := c.hoursOn(day).Close - clock
		if d <= left {
			return day, clock + d
		}
		d -= left
		day = c.workingDayFrom(day, 1)
		clock = c.hoursOn(day).Open
	}
}

func (c *Calendar) subHours(day Date, clock, d time.Duration) (Date, time.Duration) {
	day, clock = c.closing(day, clock)
	for d = max(d, 0); ; {
		left := clock - c.hoursOn(day).Open
		if d <= left {
			return day, clock - d
		}
		d -= left
		day = c.workingDayFrom(day, -1)
		clock = c.hoursOn(day).Close
	}
}
