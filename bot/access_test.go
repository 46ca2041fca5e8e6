package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
)

// codes gives every complaint the access code "K7QM-3XPA", and fails for "KKR-BROKEN".
type codes struct{ complaints }

func (codes) AccessCode(_ context.Context, tracking string) (string, error) {
	if tracking == "KKR-BROKEN" {
		return "", errors.New("database down")
	}
	return "K7QM-3XPA", nil
}

// The filing notice to the complainant ends with the access code: always on the web,
// on Telegram and WhatsApp only with the desk's public address, then with the status
// page's link (without the code in it). Other notices, a renderer without access codes
// and a failing code source leave it out.
func TestRenderFiledWithAccessCode(t *testing.T) {
	base, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	rules := flowstest.Rules(t)
	filed := flows.Notice{Msg: flows.MsgFiled, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Complaint: 7,
		Due: flowstest.At(t, "2026-12-03 16:00")}
	const link = "https://lapor.example.go.id/status/KKR-261130-7QXM"
	for _, public := range []string{"", "https://lapor.example.go.id"} {
		cat := base.WithOffice(locales.Office{Name: "Disdukcapil", PublicURL: public})
		r := bot.NewRenderer(cat, func() *flows.Rules { return rules }, codes{}, nil)
		for _, s := range locales.Surfaces() {
			for _, lang := range cat.Languages() {
				what := s.Name + " " + lang + " public=" + public
				m, err := r.Render(ctx, flows.Envelope{Channel: s.Name, Chat: "555001", Lang: lang, Notice: filed}, s)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				notice, _ := cat.On(s).Notice(lang, filed, nil, nil)
				shows := s == locales.Web || public != ""
				switch {
				case !shows && len(m.Blocks) != 1:
					t.Errorf("%s: blocks %q, want the notice alone", what, m.Blocks)
				case shows && len(m.Blocks) != 2:
					t.Errorf("%s: blocks %q, want the notice and the access code", what, m.Blocks)
				case m.Blocks[0] != notice:
					t.Errorf("%s: first block %q, want the notice %q", what, m.Blocks[0], notice)
				case shows:
					code := m.Blocks[1]
					if !strings.Contains(code, "K7QM-3XPA") || !strings.Contains(code, "KKR-261130-7QXM") {
						t.Errorf("%s: access block %q lacks the code or the number", what, code)
					}
					if public != "" && !strings.Contains(code, link) {
						t.Errorf("%s: access block %q lacks the link %s", what, code, link)
					}
					if public == "" && strings.Contains(code, "http") {
						t.Errorf("%s: access block %q has a link without a public address", what, code)
					}
					if strings.Contains(code, "{{") || strings.Contains(code, "<no value>") || strings.Contains(code, "  ") {
						t.Errorf("%s: access block badly rendered: %q", what, code)
					}
				}
			}
		}
		// A unit's notice, another notice to the complainant, a broken code source.
		for name, env := range map[string]flows.Envelope{
			"verified":      {Lang: "id", Notice: flows.Notice{Msg: flows.MsgVerified, Tracking: filed.Tracking, Complaint: 7}},
			"broken source": {Lang: "id", Notice: flows.Notice{Msg: flows.MsgFiled, Tracking: "KKR-BROKEN", Complaint: 8}},
		} {
			m, err := r.Render(ctx, env, locales.Web)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(m.Blocks) != 1 || strings.Contains(m.Blocks[0], "K7QM") {
				t.Errorf("%s: blocks %q, want one without a code", name, m.Blocks)
			}
		}
	}
	// Complaints that give no access codes: nothing to show.
	r := bot.NewRenderer(base, func() *flows.Rules { return rules }, complaints{}, nil)
	m, err := r.Render(ctx, flows.Envelope{Lang: "id", Notice: filed}, locales.Web)
	if err != nil || len(m.Blocks) != 1 {
		t.Errorf("without access codes: blocks %q, %v; want the notice alone", m.Blocks, err)
	}
}
