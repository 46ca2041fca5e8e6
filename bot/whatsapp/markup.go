package whatsapp

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"aduan/bot"
)

// Format returns message m as WhatsApp text: its blocks, each escaped (see Escape), a
// blank line apart, then its choices one per line, numbered in the order of
// bot.Message.Numbered ("1. Saya puas"), the numbers in bold, and below them, in
// italics, the hint that says how to take one. When typed text also answers the message
// (bot.Message.FreeText), the choices are listed unnumbered, their labels in bold: a
// number typed there is taken as text, so only the label itself picks a choice.
func Format(m bot.Message) string {
	var parts []string
	for _, b := range m.Blocks {
		if b = strings.TrimSpace(b); b != "" {
			parts = append(parts, Escape(b))
		}
	}
	if opts := m.Numbered(); len(opts) > 0 {
		lines := make([]string, len(opts))
		for i, o := range opts {
			if m.FreeText {
				// Typed text answers the question, so a number would be read as text: the
				// choices are words to type, not numbers.
				lines[i] = "• *" + Escape(strings.TrimSpace(o.Label)) + "*"
				continue
			}
			lines[i] = "*" + strconv.Itoa(i+1) + ".* " + Escape(strings.TrimSpace(o.Label))
		}
		parts = append(parts, strings.Join(lines, "\n"))
		if h := strings.TrimSpace(m.Hint); h != "" {
			parts = append(parts, "_"+Escape(h)+"_")
		}
	}
	return strings.Join(parts, "\n\n")
}

// zwsp is the zero-width space, which WhatsApp counts as a word's edge.
const zwsp = "\u200b"

// Escape returns plain text that WhatsApp shows as it is. WhatsApp has no escape
// character: a '*', '_', '~' or '`' that could open or close bold, italic,
// strikethrough or monospace — one next to a space, a punctuation mark or the text's
// edge — gets a zero-width space on each side, so it can do neither. Markers inside a
// word ("a_b_c@example.id", "2*3") are left alone: WhatsApp formats only at word edges.
func Escape(s string) string {
	if !strings.ContainsAny(s, "*_~`") {
		return s
	}
	var sb strings.Builder
	for i, r := range s {
		if !isMarker(r) {
			sb.WriteRune(r)
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+1:])
		if i > 0 && i+1 < len(s) && isWord(before) && isWord(after) {
			sb.WriteRune(r)
			continue
		}
		sb.WriteString(zwsp)
		sb.WriteRune(r)
		sb.WriteString(zwsp)
	}
	return sb.String()
}

func isMarker(r rune) bool { return r == '*' || r == '_' || r == '~' || r == '`' }

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// split cuts text into parts of at most limit characters, at a paragraph's end where it
// can, else at a line's end, else at a space, else anywhere (never inside a character).
// An empty text has no parts.
func split(text string, limit int) []string {
	var out []string
	for utf8.RuneCountInString(text) > limit {
		cut := byteIndex(text, limit)
		head := text[:cut]
		at := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i > len(head)/2 {
				at = i
				break
			}
		}
		if at < 0 {
			out = append(out, head)
			text = text[cut:]
			continue
		}
		out = append(out, strings.TrimRight(head[:at], " \n"))
		text = strings.TrimLeft(text[at:], " \n")
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// byteIndex returns the byte offset of the n-th character of s.
func byteIndex(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}
