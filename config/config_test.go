package config_test

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"aduan/config"
	"aduan/flows"
)

// parse parses the settings from the command line args and env.
func parse(t *testing.T, env map[string]string, args ...string) (config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	vals := config.Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return config.Parse(fs, vals, func(k string) string { return env[k] })
}

// TestNIKCategories: --nik-categories names categories among --categories; empty means
// the NIK is never asked; a bad code, one not offered or one listed twice is refused,
// naming the setting and the code.
func TestNIKCategories(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || !slices.Equal(c.Intake.NIKCategories, flows.DefaultNIKCategories) {
		t.Fatalf("default: %v, %v", c.Intake.NIKCategories, err)
	}
	for _, code := range c.Intake.NIKCategories {
		if !slices.Contains(c.Intake.Categories, code) {
			t.Errorf("default NIK category %q is not offered", code)
		}
	}
	c, err = parse(t, map[string]string{"ADUAN_NIK_CATEGORIES": "none"})
	if err != nil || len(c.Intake.NIKCategories) != 0 {
		t.Errorf("none: %v, %v", c.Intake.NIKCategories, err)
	}
	c, err = parse(t, map[string]string{"ADUAN_NIK_CATEGORIES": "kk"}, "--nik-categories=")
	if err != nil || len(c.Intake.NIKCategories) != 0 {
		t.Errorf("an empty flag: %v, %v", c.Intake.NIKCategories, err)
	}
	c, err = parse(t, map[string]string{"ADUAN_NIK_CATEGORIES": " kk , akta-lahir "})
	if err != nil || !slices.Equal(c.Intake.NIKCategories, []string{"kk", "akta-lahir"}) {
		t.Errorf("kk, akta-lahir: %v, %v", c.Intake.NIKCategories, err)
	}
	c, err = parse(t, map[string]string{"ADUAN_CATEGORIES": "kk,jalan,lainnya", "ADUAN_NIK_CATEGORIES": "kk"})
	if err != nil || !slices.Equal(c.Intake.NIKCategories, []string{"kk"}) {
		t.Errorf("custom categories: %v, %v", c.Intake.NIKCategories, err)
	}
	for _, tt := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"ADUAN_NIK_CATEGORIES": "KK"}, []string{"--nik-categories", "ADUAN_NIK_CATEGORIES", `"KK" is not a category code`}},
		{map[string]string{"ADUAN_NIK_CATEGORIES": "kk,"}, []string{"--nik-categories", `"" is not a category code`}},
		{map[string]string{"ADUAN_NIK_CATEGORIES": "kk,jalan"}, []string{"--nik-categories", `"jalan" is not offered`, "--categories"}},
		{map[string]string{"ADUAN_NIK_CATEGORIES": "kk,kk"}, []string{`"kk" is listed twice`}},
		// Categories of one's own leave the default NIK categories behind: the error says so.
		{map[string]string{"ADUAN_CATEGORIES": "jalan,lainnya"}, []string{"--nik-categories", `"ktp-el" is not offered`, "jalan,lainnya"}},
	} {
		_, err := parse(t, tt.env)
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %v, want it to say %q", tt.env, err, w)
			}
		}
	}
}
