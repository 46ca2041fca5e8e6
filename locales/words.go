package locales

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"

	"aduan/flows"
)

//go:embed words.yaml
var wordsFile []byte

// Words are the words a person may type on a surface without buttons instead of a
// choice's number or label: the numbers as words ("dua", "two") and, per label, the
// words that stand for it ("ya", "ok" for choice.send; "batal", "tidak" for
// choice.cancel). They live in words.yaml, in every language at once. A Words is
// read-only and safe for concurrent use.
type Words struct {
	numbers  map[string]int           // normalized word -> 1, 2, 3 …
	synonyms map[string][]flows.MsgID // normalized word -> the labels it stands for
	byLabel  map[flows.MsgID][]string // label -> its words, normalized, in file order
}

// wordsData is words.yaml as it is written.
type wordsData struct {
	Numbers  map[string][]string                 `yaml:"numbers"`
	Synonyms map[flows.MsgID]map[string][]string `yaml:"synonyms"`
}

// ParseWords reads words in the format of words.yaml. It fails on a malformed file, a
// word that is empty once normalized (see Normalize), and a word given two numbers.
func ParseWords(data []byte) (*Words, error) {
	var d wordsData
	if err := yaml.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("locales: words: %w", err)
	}
	w := &Words{numbers: map[string]int{}, synonyms: map[string][]flows.MsgID{}, byLabel: map[flows.MsgID][]string{}}
	for lang, list := range d.Numbers {
		for i, word := range list {
			n := Normalize(word)
			if n == "" {
				return nil, fmt.Errorf("locales: words: number %d of %s is empty", i+1, lang)
			}
			if old, ok := w.numbers[n]; ok && old != i+1 {
				return nil, fmt.Errorf("locales: words: %q is both %d and %d", word, old, i+1)
			}
			w.numbers[n] = i + 1
		}
	}
	for label, langs := range d.Synonyms {
		for _, lang := range wordLangs(langs) {
			for _, word := range langs[lang] {
				n := Normalize(word)
				if n == "" {
					return nil, fmt.Errorf("locales: words: an empty word for %s in %s", label, lang)
				}
				if !containsLabel(w.synonyms[n], label) {
					w.synonyms[n] = append(w.synonyms[n], label)
					w.byLabel[label] = append(w.byLabel[label], n)
				}
			}
		}
	}
	return w, nil
}

// wordLangs returns the languages of a label's words in the order its words are listed
// (Of): Indonesian, the reference language, first, then the others alphabetically.
func wordLangs(langs map[string][]string) []string {
	out := make([]string, 0, len(langs))
	for lang := range langs {
		out = append(out, lang)
	}
	slices.SortFunc(out, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "id":
			return -1
		case b == "id":
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

func containsLabel(labels []flows.MsgID, l flows.MsgID) bool { return slices.Contains(labels, l) }

var standardWords = sync.OnceValues(func() (*Words, error) { return ParseWords(wordsFile) })

// StandardWords returns the desk's words, those of the embedded words.yaml (a test
// makes sure it parses).
func StandardWords() *Words {
	w, err := standardWords()
	if err != nil {
		panic(err) // the embedded file is checked by TestWordsFile
	}
	return w
}

// Number returns the number that word stands for ("dua" is 2), and false when it is
// no number word.
func (w *Words) Number(word string) (int, bool) {
	n, ok := w.numbers[Normalize(word)]
	return n, ok
}

// Means reports whether word stands for the choice labelled label.
func (w *Words) Means(word string, label flows.MsgID) bool {
	if label == "" {
		return false
	}
	return containsLabel(w.synonyms[Normalize(word)], label)
}

// Of returns the words that stand for label, normalized, Indonesian first, each
// language's in the order of the file: a message may name the first as the short
// command of a card's action ("jawab" for action.answer).
func (w *Words) Of(label flows.MsgID) []string { return w.byLabel[label] }

// Normalize returns text as typed words are compared: lower case, the words separated
// by one space, without the punctuation and signs around them (" Ya! " is "ya", "1." is
// "1", "*Kirim*" is "kirim"). Signs inside a word stay ("e-ktp", "ktp-el").
func Normalize(text string) string {
	fields := strings.Fields(strings.ToLower(text))
	out := fields[:0]
	for _, f := range fields {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if f != "" {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}
