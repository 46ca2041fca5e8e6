package flows

import (
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	tests := []struct {
		in   string
		want Span
		str  string
	}{
		{"3wd", Span{3, WorkingDays}, "3wd"},
		{"10d", Span{10, CalendarDays}, "10d"},
		{"2wh", Span{2, WorkingHours}, "2wh"},
		{"48h", Span{48, Hours}, "48h"},
		{"0wd", Span{0, WorkingDays}, "0wd"},
		{"007d", Span{7, CalendarDays}, "7d"},
		{"100000h", Span{100000, Hours}, "100000h"},
	}
	for _, tt := range tests {
		got, err := ParseSpan(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseSpan(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		if again, err := ParseSpan(got.String()); err != nil || again != got {
			t.Errorf("ParseSpan(%q) = %v, %v; want the round trip %v", got.String(), again, err, got)
		}
	}
}

func TestParseSpanErrors(t *testing.T) {
	const units = "wd (working days), d (calendar days), wh (working hours) or h (hours)"
	tests := []struct{ in, want string }{
		{"", `bad span "": want a number followed by a unit, e.g. "3wd"; units are ` + units},
		{"wd", `bad span "wd": want a number followed by a unit, e.g. "3wd"; units are ` + units},
		{"-3wd", `bad span "-3wd": want a number followed by a unit, e.g. "3wd"; units are ` + units},
		{" 3wd", `bad span " 3wd": want a number followed by a unit, e.g. "3wd"; units are ` + units},
		{"3", `bad span "3": missing unit; want ` + units},
		{"3w", `bad span "3w": unknown unit "w"; want ` + units},
		{"3 wd", `bad span "3 wd": unknown unit " wd"; want ` + units},
		{"3WD", `bad span "3WD": unknown unit "WD"; want ` + units},
		{"1.5h", `bad span "1.5h": unknown unit ".5h"; want ` + units},
		{"100001d", `bad span "100001d": 100001 is more than 100000`},
		{"99999999999999999999wd", `bad span "99999999999999999999wd": 99999999999999999999 is more than 100000`},
	}
	for _, tt := range tests {
		got, err := ParseSpan(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseSpan(%q) error = %v\nwant %s", tt.in, err, tt.want)
		}
		if !got.IsZero() {
			t.Errorf("ParseSpan(%q) = %v with an error, want the zero Span", tt.in, got)
		}
	}
}

func TestSpanIsZero(t *testing.T) {
	tests := []struct {
		s    Span
		want bool
	}{
		{Span{}, true},
		{Span{0, WorkingDays}, false},
		{Span{0, Hours}, false},
		{Span{3, WorkingDays}, false},
	}
	for _, tt := range tests {
		if got := tt.s.IsZero(); got != tt.want {
			t.Errorf("%#v.IsZero() = %v, want %v", tt.s, got, tt.want)
		}
	}
	if got := (Span{}).String(); got != "" {
		t.Errorf("Span{}.String() = %q, want \"\"", got)
	}
}

func TestSpanAfter(t *testing.T) {
	c := builtinCalendar(t)
	tests := []struct {
		span Span
		in   time.Time
		want time.Time
	}{
		{Span{3, WorkingDays}, calTime(t, "2026-11-30 10:00"), calTime(t, "2026-12-03 10:00")},
		{Span{1, WorkingDays}, calTime(t, "2026-12-23 09:00"), calTime(t, "2026-12-28 09:00")},
		{Span{0, WorkingDays}, calTime(t, "2026-12-05 12:00"), calTime(t, "2026-12-07 07:30")},
		{Span{2, WorkingHours}, calTime(t, "2026-11-30 15:00"), calTime(t, "2026-12-01 08:30")},
		{Span{10, CalendarDays}, calTime(t, "2026-12-04 17:00"), calTime(t, "2026-12-14 17:00")},
		{Span{10, CalendarDays}, calTime(t, "2026-12-04 17:00"), calTime(t, "2026-12-04 17:00").Add(240 * time.Hour)},
		{Span{48, Hours}, calTime(t, "2026-12-24 10:00"), calTime(t, "2026-12-26 10:00")},
		{Span{}, calTime(t, "2026-12-24 10:00"), calTime(t, "2026-12-24 10:00")},
		{Span{3, "weeks"}, calTime(t, "2026-12-24 10:00"), calTime(t, "2026-12-24 10:00")},
		{Span{-1, WorkingDays}, calTime(t, "2026-12-01 10:00"), calTime(t, "2026-11-30 10:00")},
		{Span{2, Hours}, time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), calTime(t, "2027-01-01 01:00")},
	}
	for _, tt := range tests {
		checkCalTime(t, tt.span.String()+" after "+tt.in.String(), tt.span.After(c, tt.in), tt.want)
	}
}

func TestSpanBefore(t *testing.T) {
	c := builtinCalendar(t)
	tests := []struct {
		span Span
		in   time.Time
		want time.Time
	}{
		{Span{1, WorkingDays}, calTime(t, "2026-12-28 09:00"), calTime(t, "2026-12-23 09:00")},
		{Span{3, WorkingDays}, calTime(t, "2026-03-27 10:00"), calTime(t, "2026-03-17 10:00")},
		{Span{0, WorkingDays}, calTime(t, "2026-12-06 12:00"), calTime(t, "2026-12-04 16:00")},
		{Span{0, WorkingDays}, calTime(t, "2026-12-04 12:00"), calTime(t, "2026-12-04 12:00")},
		{Span{2, WorkingHours}, calTime(t, "2026-12-01 08:30"), calTime(t, "2026-11-30 15:00")},
		{Span{2, WorkingHours}, calTime(t, "2026-12-28 09:00"), calTime(t, "2026-12-23 15:30")},
		{Span{10, CalendarDays}, calTime(t, "2026-12-14 17:00"), calTime(t, "2026-12-04 17:00")},
		{Span{48, Hours}, calTime(t, "2026-12-26 10:00"), calTime(t, "2026-12-24 10:00")},
		{Span{}, calTime(t, "2026-12-24 10:00"), calTime(t, "2026-12-24 10:00")},
		{Span{-1, WorkingDays}, calTime(t, "2026-11-30 10:00"), calTime(t, "2026-12-01 10:00")},
	}
	for _, tt := range tests {
		checkCalTime(t, tt.span.String()+" before "+tt.in.String(), tt.span.Before(c, tt.in), tt.want)
	}
}
