package locales

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"aduan/flows"
)

// TestWordsFile: the embedded words parse; every label they give words for is a message
// of the catalog; and no word stands for two choices that one message offers together
// (it would pick neither).
func TestWordsFile(t *testing.T) {
	w, err := ParseWords(wordsFile)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("active.id.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var messages map[string]any
	if err := yaml.Unmarshal(raw, &messages); err != nil {
		t.Fatal(err)
	}
	for label := range w.byLabel {
		if _, ok := messages[string(label)]; !ok {
			t.Errorf("words.yaml gives words for %q, which is no message", label)
		}
	}
	together := [][]flows.MsgID{
		{flows.LabelAgree, flows.LabelCancel},                                                       // the privacy notice
		{flows.LabelSend, flows.LabelFix, flows.LabelCancel},                                        // the summary
		{flows.LabelContinue, flows.LabelRestart},                                                   // a draft is open
		{flows.LabelContinue, flows.LabelCancel},                                                    // a draft waits
		{flows.LabelSatisfied, flows.LabelReply},                                                    // an answer
		{flows.LabelConfirm, flows.LabelCancel},                                                     // a card action's text
		{flows.LabelUseKnown, flows.LabelOther, flows.LabelSkip},                                    // the phone step with a known number
		{flows.LabelNew, flows.LabelStatus, flows.LabelHelp, flows.LabelLanguage, flows.LabelReply}, // the menu
		{"type.pengaduan", "type.aspirasi", "type.informasi"},
		{"privacy.biasa", "privacy.rahasia", "privacy.anonim"},
		{"action.route", "action.archive", "card.button_files", "card.button_more"},
		{"action.distribute", "action.send_back", "action.archive"},
		{"action.task", "action.answer", "action.not_ours", "action.lapor_id"},
		{"action.take", "action.findings"},
		{"action.answer", "action.outcome", "card.button_record"},
	}
	for _, set := range together {
		for _, a := range set {
			for _, word := range w.Of(a) {
				for _, b := range set {
					if b != a && w.Means(word, b) {
						t.Errorf("%q stands for both %s and %s, offered together", word, a, b)
					}
				}
			}
		}
	}
}

// TestWords: numbers as words, synonyms and normalization, as a person types them.
func TestWords(t *testing.T) {
	w := StandardWords()
	for word, want := range map[string]int{"satu": 1, " Dua ": 2, "TIGA.": 3, "one": 1, "two!": 2, "dua belas": 12, "dua  belas": 12} {
		if got, ok := w.Number(word); !ok || got != want {
			t.Errorf("Number(%q) = %d, %v; want %d", word, got, ok, want)
		}
	}
	if got := w.Of("action.answer"); len(got) < 2 || got[0] != "jawab" || !slices.Contains(got, "answer") {
		t.Errorf("Of(action.answer) = %v, want jawab first and answer among them", got)
	}
	if n, ok := w.Number("lapor"); ok {
		t.Errorf("Number(lapor) = %d", n)
	}
	for _, tt := range []struct {
		word  string
		label flows.MsgID
		want  bool
	}{
		{"ya", flows.LabelSend, true}, {"Iya!", flows.LabelSend, true}, {"y", flows.LabelConfirm, true}, {"OK", flows.LabelAgree, true},
		{"oke", flows.LabelSend, true}, {"yes", flows.LabelSend, true}, {"batal", flows.LabelCancel, true},
		{"tidak", flows.LabelCancel, true}, {"no", flows.LabelCancel, true}, {"jawab", "action.answer", true},
		{"arsip", "action.archive", true}, {"bukan  kewenangan", "action.not_ours", true},
		{"ok", flows.LabelSatisfied, false}, {"ya", flows.LabelCancel, false}, {"ya", "", false},
	} {
		if got := w.Means(tt.word, tt.label); got != tt.want {
			t.Errorf("Means(%q, %s) = %v, want %v", tt.word, tt.label, got, tt.want)
		}
	}
	for in, want := range map[string]string{" 1. ": "1", "*Kirim*": "kirim", "Saya  Puas!": "saya puas", "e-KTP": "e-ktp", "…": "", "(2)": "2"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := ParseWords([]byte("numbers:\n  id: [satu]\n  en: [dua, satu]\n")); err == nil || !strings.Contains(err.Error(), "both") {
		t.Errorf("a word with two numbers: %v", err)
	}
}
