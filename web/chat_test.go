package web

import (
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// What a chat form posted becomes the desk's input: a command word typed alone is the
// command (the web has no slash menu), anything else is text; a press keeps its data
// and label.
func TestFormInput(t *testing.T) {
	for _, tt := range []struct {
		form          url.Values
		cmd, text, ch string
	}{
		{url.Values{"text": {"menu"}}, "start", "", ""},
		{url.Values{"text": {" /lapor "}}, "lapor", "", ""},
		{url.Values{"text": {"Bahasa"}}, "bahasa", "", ""},
		{url.Values{"text": {"lapor saja, KTP saya hilang"}}, "", "lapor saja, KTP saya hilang", ""},
		{url.Values{"choice": {"m:new"}, "label": {"Buat Laporan Baru"}, "text": {"menu"}}, "", "menu", "m:new"},
	} {
		r := httptest.NewRequest("POST", "/lapor/kirim", strings.NewReader(tt.form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		in := formInput(r)
		if in.Command != tt.cmd || in.Text != tt.text || in.Choice != tt.ch {
			t.Errorf("%v: command %q text %q choice %q; want %q %q %q", tt.form, in.Command, in.Text, in.Choice, tt.cmd, tt.text, tt.ch)
		}
	}
}

// A browser's position is kept only when both coordinates are valid.
func TestLocation(t *testing.T) {
	for _, tt := range []struct {
		lat, long, ref string
		ok             bool
	}{
		{"-0.0263", "109.3425", "-0.026300,109.342500", true},
		{"91", "109", "", false},
		{"-0.02", "", "", false},
		{"x", "y", "", false},
		{"-0.02,5", "109", "", false},
	} {
		a, ok := location(tt.lat, tt.long)
		if ok != tt.ok || (ok && (a.Ref != tt.ref || a.Kind != "location")) {
			t.Errorf("location(%q, %q) = %+v, %v", tt.lat, tt.long, a, ok)
		}
	}
}

// An upload's name loses its folders and control characters, and is never empty.
func TestFileName(t *testing.T) {
	for _, tt := range []struct{ in, kind, want string }{
		{`C:\Users\budi\foto ktp.jpg`, "photo", "foto ktp.jpg"},
		{"../../etc/passwd", "document", "passwd"},
		{"a\x00b\nc.pdf", "document", "abc.pdf"},
		{"", "photo", "foto"},
		{"  ", "document", "dokumen"},
		{strings.Repeat("x", 150) + ".pdf", "document", strings.Repeat("x", 96) + ".pdf"},
	} {
		if got := fileName(&multipart.FileHeader{Filename: tt.in}, tt.kind); got != tt.want {
			t.Errorf("fileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
