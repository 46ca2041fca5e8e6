package flows_test

import (
	"strings"
	"testing"

	"aduan/flows"
)

func TestParseHolidaysBadBytes(t *testing.T) {
	const header = "date\tkind\tname\tprovisional\tsource\n"
	row := "2026-12-31\tclosure\tTutup akhir tahun\tfalse\toperator\n"
	tests := []struct {
		name, text, want string
	}{
		{"a line over 64 KB", header + row + "2027-01-02\tclosure\t" + strings.Repeat("x", 70_000) + "\tfalse\t\n", "f.tsv:3: line longer than 65536 bytes"},
		{"a line of exactly 64 KB and one byte", header + row + strings.Repeat("#", 65_537) + "\n", "f.tsv:3: line longer than 65536 bytes"},
		{"invalid UTF-8", header + row + "2027-01-02\tclosure\tTutup \xff\tfalse\t\n", "f.tsv:3: not valid UTF-8"},
	}
	for _, tt := range tests {
		_, err := flows.ParseHolidays("f.tsv", strings.NewReader(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	hs, err := flows.ParseHolidays("bom.tsv", strings.NewReader("\ufeff"+header+row))
	if err != nil || len(hs) != 1 || hs[0].Name != "Tutup akhir tahun" {
		t.Errorf("a file with a byte-order mark: %v, %v", hs, err)
	}
}

func TestWriteHolidaysRefusesInvalidUTF8(t *testing.T) {
	d, err := flows.ParseDate("2026-12-31")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := flows.WriteHolidays(&b, []flows.Holiday{{Date: d, Kind: flows.Closure, Name: "Tutup \xff"}}); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("WriteHolidays of a name that is not UTF-8: %v", err)
	}
}
