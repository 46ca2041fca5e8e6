package flows

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SpanUnit is the unit of a Span, as written after its number.
type SpanUnit string

// The units of a Span.
const (
	// WorkingDays counts working days of the calendar: see Calendar.AddWorkingDays.
	WorkingDays SpanUnit = "wd"
	// CalendarDays counts days of exactly 24 hours, weekends and holidays included.
	CalendarDays SpanUnit = "d"
	// WorkingHours counts office time: see Calendar.AddWorkingHours.
	WorkingHours SpanUnit = "wh"
	// Hours counts hours of elapsed time.
	Hours SpanUnit = "h"
)

// maxSpanN bounds N so that every unit stays well inside time.Duration and
// working-day walks stay short.
const maxSpanN = 100_000

const spanUnits = "wd (working days), d (calendar days), wh (working hours) or h (hours)"

// Span is a time limit such as three working days, written "3wd".
// N is normally not negative; a negative N turns After and Before around.
// The zero Span has no unit and means no limit is set.
type Span struct {
	N    int
	Unit SpanUnit
}

// ParseSpan parses a span written as a whole number from 0 to 100000 followed without
// space by a unit: wd, d, wh or h, such as "3wd", "10d", "2wh" or "48h".
// It returns an error naming s, and listing the units when the unit is missing or unknown,
// if s is not in that form.
func ParseSpan(s string) (Span, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	num, unit := s[:i], SpanUnit(s[i:])
	if num == "" {
		return Span{}, fmt.Errorf("bad span %q: want a number followed by a unit, e.g. \"3wd\"; units are %s", s, spanUnits)
	}
	switch unit {
	case WorkingDays, CalendarDays, WorkingHours, Hours:
	case "":
		return Span{}, fmt.Errorf("bad span %q: missing unit; want %s", s, spanUnits)
	default:
		return Span{}, fmt.Errorf("bad span %q: unknown unit %q; want %s", s, unit, spanUnits)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n > maxSpanN {
		return Span{}, fmt.Errorf("bad span %q: %s is more than %d", s, num, maxSpanN)
	}
	return Span{N: n, Unit: unit}, nil
}

// String returns s in the form ParseSpan reads, such as "3wd"; the zero Span gives "".
func (s Span) String() string {
	if s.IsZero() {
		return ""
	}
	return strconv.Itoa(s.N) + string(s.Unit)
}

// IsZero reports whether s is the zero Span, which means no limit is set.
// A span of zero length with a unit, such as "0wd", is not the zero Span.
func (s Span) IsZero() bool { return s == Span{} }

// After returns the end of a span of s that starts at t, in c's location:
// for wd, c.AddWorkingDays(t, N); for wh, c.AddWorkingHours(t, N hours);
// for d, t plus exactly N×24 hours; for h, t plus N hours.
// For the zero Span or an unknown unit it returns t.
func (s Span) After(c *Calendar, t time.Time) time.Time {
	switch s.Unit {
	case WorkingDays:
		return c.AddWorkingDays(t, s.N)
	case WorkingHours:
		return c.AddWorkingHours(t, time.Duration(s.N)*time.Hour)
	case CalendarDays:
		t = t.Add(time.Duration(s.N) * 24 * time.Hour)
	case Hours:
		t = t.Add(time.Duration(s.N) * time.Hour)
	}
	return t.In(c.Location())
}

// Before returns the start of a span of s that ends at t, in c's location. For wd it walks
// back: a t that is not after opening and at or before closing of a working day first moves
// back to the last closing, and the result is the same clock time N working days earlier,
// kept within that day's office hours, as c.AddWorkingDays(t, -N) gives it; "0wd" before t
// is t so moved. For wh it is c.SubWorkingHours(t, N hours); for d, t minus exactly N×24
// hours; for h, t minus N hours. For the zero Span or an unknown unit it returns t.
func (s Span) Before(c *Calendar, t time.Time) time.Time {
	switch s.Unit {
	case WorkingDays:
		if s.N < 0 {
			return c.AddWorkingDays(t, -s.N)
		}
		return c.subWorkingDays(t, s.N)
	case WorkingHours:
		return c.SubWorkingHours(t, time.Duration(s.N)*time.Hour)
	case CalendarDays:
		t = t.Add(-time.Duration(s.N) * 24 * time.Hour)
	case Hours:
		t = t.Add(-time.Duration(s.N) * time.Hour)
	}
	return t.In(c.Location())
}
