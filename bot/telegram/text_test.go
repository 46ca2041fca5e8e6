package telegram

import (
	"html"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

func TestUTF16Len(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"Pengaduan", 9},
		{"jalan rusak 😡", 14},
		{"é", 1},       // precomposed
		{"e\u0301", 2}, // e + combining acute
		{"👍🏽", 4},      // thumbs up + skin tone
		{"🇮🇩", 4},      // flag: two regional indicators
		{"👨‍👩‍👧", 8},   // three emoji joined by two ZWJ
		{"中文", 2},      // BMP
		{"𝄞", 2},       // beyond the BMP, not an emoji
		{"a\xffb", 3},  // an invalid byte counts as U+FFFD
		{"&lt;", 4},    // no entity decoding
		{"Terima kasih 🙏🙏", 17},
	}
	for _, tt := range tests {
		if got := UTF16Len(tt.s); got != tt.want {
			t.Errorf("UTF16Len(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestEscapeHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"<script>&", "&lt;script&gt;&amp;"},
		{`"kutip" dan 'apostrof'`, `"kutip" dan 'apostrof'`},
		{"&amp;", "&amp;amp;"},
		{"Jl. A & B <No. 5> 😡", "Jl. A &amp; B &lt;No. 5&gt; 😡"},
	}
	for _, tt := range tests {
		if got := EscapeHTML(tt.in); got != tt.want {
			t.Errorf("EscapeHTML(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitShortTextUnchanged(t *testing.T) {
	for _, s := range []string{
		"",
		"   ",
		"  Halo, laporan Anda sudah kami terima.\n\n",
		strings.Repeat("a", MaxText),
		strings.Repeat("😀", MaxText/2),
	} {
		if got := Split(s, MaxText); !slices.Equal(got, []string{s}) {
			t.Errorf("Split(%.20q…, MaxText) = %d parts, want the text unchanged", s, len(got))
		}
		if got := Split(s, 0); !slices.Equal(got, []string{s}) {
			t.Errorf("Split(%.20q…, 0) = %d parts, want the text unchanged", s, len(got))
		}
	}
	if got, want := SplitEscaped("Tom & Jerry", 0), []string{"Tom &amp; Jerry"}; !slices.Equal(got, want) {
		t.Errorf("SplitEscaped = %q, want %q", got, want)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		limit int
		want  []string
	}{
		{"paragraph break", "satu dua tiga\n\nempat lima enam", 20,
			[]string{"satu dua tiga", "empat lima enam"}},
		{"paragraph before a later line break", "satu dua tiga\n\nempat\nlima", 22,
			[]string{"satu dua tiga", "empat\nlima"}},
		{"line break before a later space", "satu dua tiga\nempat lima", 20,
			[]string{"satu dua tiga", "empat lima"}},
		{"space", "satu dua tiga empat lima", 20,
			[]string{"satu dua tiga empat", "lima"}},
		{"space right after the limit", "satu dua tiga empat lima", 19,
			[]string{"satu dua tiga empat", "lima"}},
		{"a break too early gives way to a later space", "satu\n\ndua tiga empat lima", 20,
			[]string{"satu\n\ndua tiga empat", "lima"}},
		{"an early break beats a hard cut", "ab\n\ncdefghijklmnopqrstuvwxyz", 10,
			[]string{"ab", "cdefghijkl", "mnopqrstuv", "wxyz"}},
		{"whitespace around a cut is dropped", "satu   \n\n\n  dua", 8,
			[]string{"satu", "dua"}},
		{"whitespace-only parts are left out", strings.Repeat(" ", 30) + "satu dua", 10,
			[]string{"satu dua"}},
		{"a text that starts with whitespace keeps it", "  satu dua tiga", 10,
			[]string{"  satu dua", "tiga"}},
		{"CR LF stays together", "abcd\r\nefgh", 5,
			[]string{"abcd", "efgh"}},
		{"hard cut", "abcdefghij", 4,
			[]string{"abcd", "efgh", "ij"}},
		{"emoji at the limit moves to the next part", "abc😀d", 4,
			[]string{"abc", "😀d"}},
		{"emoji that fits stays", "ab😀cd", 4,
			[]string{"ab😀", "cd"}},
		{"skin tone stays with its emoji", "abcd👍🏽e", 7,
			[]string{"abcd", "👍🏽e"}},
		{"flags stay whole", "ab🇮🇩🇮🇩c", 7,
			[]string{"ab🇮🇩", "🇮🇩c"}},
		{"ZWJ sequence stays whole", "abc👨‍👩‍👧d", 9,
			[]string{"abc", "👨‍👩‍👧d"}},
		{"combining mark stays with its letter", "abcde\u0301f", 5,
			[]string{"abcd", "e\u0301f"}},
		{"a cluster longer than the limit is cut anyway", "👨‍👩‍👧", 4,
			[]string{"👨\u200d", "👩\u200d", "👧"}},
		{"limit below one emoji counts as 2", "😀😀", 1,
			[]string{"😀", "😀"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.s, tt.limit)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Split(%q, %d) = %q, want %q", tt.s, tt.limit, got, tt.want)
			}
			checkParts(t, tt.s, got, max(tt.limit, 2), UTF16Len)
		})
	}
}

func TestSplitEscaped(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		limit int
		want  []string
	}{
		{"entity fits", "a<b", 5, []string{"a&lt;", "b"}},
		{"entities are never cut", "&&&", 9, []string{"&amp;", "&amp;", "&amp;"}},
		{"two entities fit", "&&&", 10, []string{"&amp;&amp;", "&amp;"}},
		{"limit below one entity counts as 5", "&&", 1, []string{"&amp;", "&amp;"}},
		{"cut at a space, escaped", "<b> dan <i>", 13, []string{"&lt;b&gt; dan", "&lt;i&gt;"}},
		{"an early space beats a hard cut", "<b> dan <i>", 12, []string{"&lt;b&gt;", "dan", "&lt;i&gt;"}},
		{"fits plain but not escaped", strings.Repeat("<", 20), 40,
			[]string{strings.Repeat("&lt;", 10), strings.Repeat("&lt;", 10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitEscaped(tt.s, tt.limit)
			if !slices.Equal(got, tt.want) {
				t.Errorf("SplitEscaped(%q, %d) = %q, want %q", tt.s, tt.limit, got, tt.want)
			}
			checkEscaped(t, tt.s, got, max(tt.limit, 5))
		})
	}
}

// TestSplitLongText splits twenty pages of Indonesian text with emoji and markup
// characters for one Telegram message each.
func TestSplitLongText(t *testing.T) {
	s := pages(20)
	if n := UTF16Len(s); n < 10*MaxText {
		t.Fatalf("test text has %d units, want a long one", n)
	}
	for _, tc := range []struct {
		name  string
		split func(string, int) []string
		check func(*testing.T, string, []string, int) bool
	}{
		{"Split", Split, func(t *testing.T, s string, parts []string, limit int) bool {
			return checkParts(t, s, parts, limit, UTF16Len)
		}},
		{"SplitEscaped", SplitEscaped, checkEscaped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := tc.split(s, MaxText)
			tc.check(t, s, parts, MaxText)
			if len(parts) < 10 {
				t.Errorf("%d parts, want at least 10", len(parts))
			}
			// Paragraphs are short, so every cut falls on a paragraph break and every
			// part but the last is more than half full.
			for i, p := range parts {
				if i == len(parts)-1 {
					break
				}
				if !strings.HasSuffix(html.UnescapeString(p), ".") {
					t.Errorf("part %d ends %q, want the end of a paragraph", i, p[max(0, len(p)-20):])
				}
				if n := UTF16Len(p); n <= MaxText/2 {
					t.Errorf("part %d has %d units, want more than %d", i, n, MaxText/2)
				}
			}
		})
	}
}

func TestSplitOneLongWord(t *testing.T) {
	s := strings.Repeat("x", 10_000)
	parts := Split(s, MaxText)
	if got, want := lens(parts), []int{4096, 4096, 1808}; !slices.Equal(got, want) {
		t.Errorf("part lengths = %v, want %v", got, want)
	}
	if strings.Join(parts, "") != s {
		t.Error("parts of a hard cut do not join to the input")
	}

	s = strings.Repeat("😀", 5_000)
	parts = Split(s, MaxText)
	if got, want := lens(parts), []int{4096, 4096, 1808}; !slices.Equal(got, want) {
		t.Errorf("emoji part lengths = %v, want %v", got, want)
	}
	if strings.Join(parts, "") != s {
		t.Error("parts of a hard cut of emoji do not join to the input")
	}

	s = strings.Repeat("&", 10_000)
	parts = SplitEscaped(s, MaxText)
	if got, want := lens(parts), []int{4095, 4095, 4095, 4095, 4095, 4095, 4095, 4095, 4095, 4095, 4095, 4095, 860}; !slices.Equal(got, want) {
		t.Errorf("escaped part lengths = %v, want %v", got, want)
	}
	if strings.Join(parts, "") != EscapeHTML(s) {
		t.Error("escaped parts of a hard cut do not join to the escaped input")
	}
}

func TestSplitEmojiAtBoundary(t *testing.T) {
	for _, emoji := range []string{"😀", "👍🏽", "🇮🇩", "👨‍👩‍👧", "1️⃣"} {
		n := UTF16Len(emoji)
		// The emoji begins k units before the limit: it fits only when k is n.
		for k := 1; k <= n; k++ {
			a := strings.Repeat("a", MaxText-k)
			want := []string{a, emoji + "b"}
			if k == n {
				want = []string{a + emoji, "b"}
			}
			if got := Split(a+emoji+"b", MaxText); !slices.Equal(got, want) {
				t.Errorf("%q %d units before the limit: parts end %q, want %q", emoji, k, tails(got), tails(want))
			}
		}
	}
}

// tails returns the last few runes of each part.
func tails(parts []string) []string {
	t := make([]string, len(parts))
	for i, p := range parts {
		r := []rune(p)
		t[i] = string(r[max(0, len(r)-8):])
	}
	return t
}

// TestSplitRandom checks Split and SplitEscaped on random text: every part is within
// the limit, valid UTF-8 and never only whitespace, and the parts join to the input.
func TestSplitRandom(t *testing.T) {
	pieces := []string{
		"a", "kata", "Pontianak", " ", " ", " ", "\n", "\n\n", "\t", "\r\n", "\u00a0",
		"<", ">", "&", "<b>", "&amp;", "é", "e\u0301", "😀", "👍🏽", "🇮🇩", "👨‍👩‍👧", "1️⃣", "中",
		"𝄞", "Jalan rusak di depan sekolah.",
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	for i := range 3000 {
		var b strings.Builder
		for range rng.IntN(200) {
			if rng.IntN(50) == 0 {
				b.WriteString(strings.Repeat(pieces[rng.IntN(len(pieces))], rng.IntN(100)))
				continue
			}
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		limit := 2 + rng.IntN(60)
		if i%10 == 0 {
			limit = MaxText
			s = strings.Repeat(s, 1+rng.IntN(30))
		}
		if got, want := UTF16Len(s), len(utf16.Encode([]rune(s))); got != want {
			t.Fatalf("UTF16Len(%q) = %d, want %d", s, got, want)
		}
		parts := Split(s, limit)
		if !checkParts(t, s, parts, limit, UTF16Len) {
			t.Fatalf("Split(%q, %d) = %q", s, limit, parts)
		}
		limit = max(limit, 5)
		escaped := SplitEscaped(s, limit)
		if !checkEscaped(t, s, escaped, limit) {
			t.Fatalf("SplitEscaped(%q, %d) = %q", s, limit, escaped)
		}
	}
}

// checkParts reports whether parts are a correct split of s, and why not: each within
// limit as measured by length, valid UTF-8 when s is, not only whitespace unless it is
// the whole of s, and joined with whitespace equal to s.
func checkParts(t *testing.T, s string, parts []string, limit int, length func(string) int) bool {
	t.Helper()
	ok := true
	if n := length(s); n <= limit {
		if !slices.Equal(parts, []string{s}) {
			t.Errorf("a text of %d units in %d parts, want it unchanged", n, len(parts))
			ok = false
		}
		return ok
	}
	valid := utf8.ValidString(s)
	pos := 0
	for i, p := range parts {
		if n := length(p); n > limit {
			t.Errorf("part %d has %d units, over the limit %d", i, n, limit)
			ok = false
		}
		if valid && !utf8.ValidString(p) {
			t.Errorf("part %d has a broken rune: %q", i, p)
			ok = false
		}
		if strings.TrimSpace(p) == "" {
			t.Errorf("part %d is only whitespace: %q", i, p)
			ok = false
		}
		if !strings.HasPrefix(s[pos:], p) {
			pos += len(s[pos:]) - len(strings.TrimLeftFunc(s[pos:], unicode.IsSpace))
		}
		if !strings.HasPrefix(s[pos:], p) {
			t.Errorf("part %d %q does not follow in the input at byte %d: %q", i, p, pos, s[pos:min(len(s), pos+40)])
			return false
		}
		pos += len(p)
	}
	if strings.TrimLeftFunc(s[pos:], unicode.IsSpace) != "" {
		t.Errorf("the input goes on after the last part: %q", s[pos:min(len(s), pos+40)])
		ok = false
	}
	return ok
}

// checkEscaped reports whether escaped are a correct escaped split of s: each part
// within limit, with every &, < and > escaped and every entity whole, and the unescaped
// parts a correct split of s.
func checkEscaped(t *testing.T, s string, escaped []string, limit int) bool {
	t.Helper()
	ok := true
	plain := make([]string, len(escaped))
	for i, p := range escaped {
		plain[i] = html.UnescapeString(p)
		if EscapeHTML(plain[i]) != p {
			t.Errorf("part %d %q is not exactly the escaped %q", i, p, plain[i])
			ok = false
		}
		if n := UTF16Len(p); n > limit {
			t.Errorf("escaped part %d has %d units, over the limit %d", i, n, limit)
			ok = false
		}
	}
	if UTF16Len(EscapeHTML(s)) <= limit {
		if !slices.Equal(plain, []string{s}) {
			t.Errorf("a text that fits escaped in %d parts, want it unchanged", len(plain))
			ok = false
		}
		return ok
	}
	return checkParts(t, s, plain, limit, func(p string) int { return UTF16Len(EscapeHTML(p)) }) && ok
}

// pages returns n pages of Indonesian complaint text, each about 3,000 characters in
// paragraphs of a few hundred.
func pages(n int) string {
	sentences := []string{
		"Jalan di depan SDN 12 Pontianak Barat rusak parah sejak bulan lalu 😡.",
		"Mohon segera ditindaklanjuti oleh dinas terkait, terima kasih 🙏.",
		"Lampu penerangan jalan mati sehingga warga merasa tidak aman pada malam hari.",
		"Saluran air tersumbat & meluap ke rumah warga ketika hujan <deras>.",
		"Sudah dilaporkan ke RT/RW tetapi belum ada tanggapan 👍🏽.",
		"Anak-anak harus melewati genangan setinggi lutut untuk pergi ke sekolah 🇮🇩.",
	}
	var b strings.Builder
	k := 0
	for p := range n {
		if p > 0 {
			b.WriteString("\n\n")
		}
		for para := range 8 {
			if para > 0 {
				b.WriteString("\n\n")
			}
			for s := range 5 {
				if s > 0 {
					b.WriteString(" ")
				}
				b.WriteString(sentences[k%len(sentences)])
				k += 1 + k%3
			}
		}
	}
	return b.String()
}

// lens returns the UTF-16 length of each part.
func lens(parts []string) []int {
	n := make([]int, len(parts))
	for i, p := range parts {
		n[i] = UTF16Len(p)
	}
	return n
}
