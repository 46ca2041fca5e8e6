package telegram

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxText is the most UTF-16 code units Telegram accepts in the text of one message.
const MaxText = 4096

// htmlEscaper escapes what parse_mode HTML treats as markup.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeHTML escapes <, > and & as &lt;, &gt; and &amp;, which is all that Telegram's
// parse_mode HTML requires of text outside tags; quotes need no escaping there. It
// escapes every &, so already escaped text is escaped twice.
func EscapeHTML(s string) string {
	return htmlEscaper.Replace(s)
}

// UTF16Len returns the length of s in UTF-16 code units, the unit of Telegram's limits:
// 1 for each character of the Basic Multilingual Plane (Latin letters, é, 中) and 2 for
// each one beyond it (most emoji, 𝄞). A byte that is not valid UTF-8 counts 1, as the
// U+FFFD it is replaced by.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

// Split cuts the plain text s into parts of at most limit UTF-16 code units each.
//
// A text that fits is returned unchanged as the only part, even when empty. A longer
// text is cut, for each part, at the last paragraph break ("\n\n") that leaves the part
// at least about half full, else at the last line break that does, else at the last
// whitespace that does, else at the last of these anywhere; a single word longer than
// limit is cut between characters, keeping together a character made of several code
// points (an emoji with a skin tone or a ZWJ sequence, a flag, a letter with a
// combining mark) where that fits. A cut never falls inside a UTF-8 sequence, so never
// inside a surrogate pair either. The whitespace on both sides of each cut is dropped,
// and parts that would be only whitespace are left out, so the parts joined with that
// whitespace give s back.
//
// Split works on plain text. Text for parse_mode HTML is split first and then each part
// escaped, which SplitEscaped does; splitting already escaped or marked-up text could
// cut an entity such as &amp; or a tag such as <b>…</b> in two.
//
// A limit of zero or less means MaxText; a limit below 2 (one emoji) counts as 2.
func Split(s string, limit int) []string {
	return split(s, limitOr(limit, 2), runeUnits)
}

// SplitEscaped splits the plain text s as Split does, choosing the cuts so that each
// part is at most limit UTF-16 code units once escaped, and returns the escaped parts,
// ready for parse_mode HTML. No cut falls inside an entity, because the cuts are made
// in the plain text. Telegram counts a message's length after parsing the entities, so
// an escaped part of limit units is never too long. A caller that wraps a part in tags
// must pass a limit smaller by the length of the tags.
//
// A limit of zero or less means MaxText; a limit below 5 (one &amp;) counts as 5.
func SplitEscaped(s string, limit int) []string {
	parts := split(s, limitOr(limit, 5), escapedUnits)
	for i, p := range parts {
		parts[i] = EscapeHTML(p)
	}
	return parts
}

// limitOr returns limit, or MaxText when limit is not positive, and at least least.
func limitOr(limit, least int) int {
	if limit <= 0 {
		return MaxText
	}
	return max(limit, least)
}

// runeUnits returns the UTF-16 length of r.
func runeUnits(r rune) int {
	if r > 0xFFFF {
		return 2
	}
	return 1
}

// escapedUnits returns the UTF-16 length of r once escaped by EscapeHTML.
func escapedUnits(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	}
	return runeUnits(r)
}

// split implements Split with cost giving the length of each rune. limit is at least
// the largest cost of one rune.
func split(s string, limit int, cost func(rune) int) []string {
	w, fits := prefix(s, limit, cost)
	if fits {
		return []string{s}
	}
	var parts []string
	rest := s
	for !fits {
		cut := cutAt(rest, w)
		if part := strings.TrimRightFunc(rest[:cut], unicode.IsSpace); part != "" {
			parts = append(parts, part)
		}
		rest = strings.TrimLeftFunc(rest[cut:], unicode.IsSpace)
		w, fits = prefix(rest, limit, cost)
	}
	if rest != "" {
		parts = append(parts, rest)
	}
	return parts
}

// prefix returns the length in bytes of the longest prefix of s that costs at most
// limit, and whether that is all of s.
func prefix(s string, limit int, cost func(rune) int) (n int, all bool) {
	units := 0
	for i, r := range s {
		units += cost(r)
		if units > limit {
			return i, false
		}
	}
	return len(s), true
}

// cutAt returns where to cut s, whose first w bytes are the longest prefix that fits: a
// byte offset in (0, w] on a rune boundary. w is positive.
func cutAt(s string, w int) int {
	for _, low := range []int{w / 2, 0} {
		if i := lastBefore(s, w, "\n\n"); i > low {
			return i
		}
		if i := lastBefore(s, w, "\n"); i > low {
			return i
		}
		if i := lastSpace(s, w); i > low {
			return i
		}
	}
	return hardCut(s, w)
}

// lastBefore returns the offset of the last sep in s that starts at or before w, or -1.
// sep is ASCII, so it is never found inside a multi-byte rune.
func lastBefore(s string, w int, sep string) int {
	return strings.LastIndex(s[:min(w+len(sep), len(s))], sep)
}

// lastSpace returns the offset of the last whitespace rune in s that starts at or
// before w, or -1.
func lastSpace(s string, w int) int {
	if r, _ := utf8.DecodeRuneInString(s[w:]); unicode.IsSpace(r) {
		return w
	}
	for i := w; i > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		if unicode.IsSpace(r) {
			return i
		}
	}
	return -1
}

// maxCluster is how many runes hardCut steps back to keep a character made of several
// code points whole; longer sequences are cut anyway.
const maxCluster = 32

// hardCut returns the last rune boundary at or before w, and after 0, that does not
// split a character made of several code points, or w when there is none close enough.
func hardCut(s string, w int) int {
	i := w
	for range maxCluster {
		prev, size := utf8.DecodeLastRuneInString(s[:i])
		next, _ := utf8.DecodeRuneInString(s[i:])
		if !joined(s[:i], prev, next) {
			return i
		}
		i -= size
		if i == 0 {
			break
		}
	}
	return w
}

// joined reports whether the runes prev, ending before, and next, right after it,
// belong to one user-perceived character. It covers what chat text holds (combining
// marks, emoji modifiers and sequences, flags, CR LF), not every rule of Unicode text
// segmentation.
func joined(before string, prev, next rune) bool {
	switch {
	case prev == '\r' && next == '\n',
		prev == 0x200D || next == 0x200D, // zero width joiner
		0xFE00 <= next && next <= 0xFE0F, // variation selectors
		0xE0100 <= next && next <= 0xE01EF,
		0x1F3FB <= next && next <= 0x1F3FF, // emoji skin tone modifiers
		0xE0020 <= next && next <= 0xE007F, // tags, as in the flag of Scotland
		unicode.Is(unicode.M, next):        // combining marks
		return true
	case regionalIndicator(prev) && regionalIndicator(next):
		// Flags are pairs of regional indicators: keep an odd run's last one with next.
		n := 0
		for s := before; s != ""; n++ {
			r, size := utf8.DecodeLastRuneInString(s)
			if !regionalIndicator(r) {
				break
			}
			s = s[:len(s)-size]
		}
		return n%2 == 1
	}
	return false
}

func regionalIndicator(r rune) bool { return 0x1F1E6 <= r && r <= 0x1F1FF }
