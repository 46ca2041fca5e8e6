package bot_test

import (
	"testing"

	"aduan/bot"
	"aduan/flows"
	"aduan/locales"
)

// TestPick: numbers, number words, labels and their words, as people type them, pick
// exactly the choice shown; anything else — and, after a message that takes typed text,
// a bare number — stays text.
func TestPick(t *testing.T) {
	w := locales.StandardWords()
	summary := flows.Receipt{Choices: []flows.Shown{
		{Label: "Kirim", Key: flows.LabelSend, Data: "i:confirm:send"},
		{Label: "Perbaiki", Key: flows.LabelFix, Data: "i:confirm:fix"},
		{Label: "Batal", Key: flows.LabelCancel, Data: "i:confirm:cancel"},
	}}
	answered := flows.Receipt{Choices: []flows.Shown{
		{Label: "Saya Puas (KKR-261130-7QXM)", Key: flows.LabelSatisfied, Data: "c:sat:KKR-261130-7QXM"},
		{Label: "Balas KKR-261130-7QXM", Key: flows.LabelReply, Data: "c:rep:KKR-261130-7QXM"},
	}}
	when := flows.Receipt{FreeText: true, Choices: []flows.Shown{{Label: "Lewati", Key: flows.LabelSkip, Data: "i:when:skip"}}}
	categories := flows.Receipt{Choices: []flows.Shown{
		{Label: "KTP-el", Key: "category.ktp-el", Data: "i:category:ktp-el"},
		{Label: "Kartu Keluarga (KK)", Key: "category.kk", Data: "i:category:kk"},
	}}
	twoYes := flows.Receipt{Choices: []flows.Shown{
		{Label: "Setuju", Key: flows.LabelAgree, Data: "agree"},
		{Label: "Kirim", Key: flows.LabelSend, Data: "send"},
	}}
	card := flows.Receipt{Choices: []flows.Shown{
		{Label: "Jawab", Key: "action.answer", Data: "a:answer:42:4"},
		{Label: "Bukan Kewenangan Kami", Key: "action.not_ours", Data: "a:not_ours:42:4"},
		{Label: "Arsipkan", Key: "action.archive", Data: "a:archive:42:4"},
	}}
	rating := flows.Receipt{Choices: []flows.Shown{{Label: "1", Data: "r1"}, {Label: "2", Data: "r2"}, {Label: "3", Data: "r3"}}}
	tests := []struct {
		name     string
		text     string
		r        flows.Receipt
		commands bool
		data     string // "" when it stays text
		rest     string
	}{
		{"a digit", "1", summary, false, "i:confirm:send", ""},
		{"a digit and a dot", "3.", summary, false, "i:confirm:cancel", ""},
		{"spaces around", "  2 ", summary, false, "i:confirm:fix", ""},
		{"bold digit", "*2*", summary, false, "i:confirm:fix", ""},
		{"a number word", "dua", summary, false, "i:confirm:fix", ""},
		{"an English number word", "Three", summary, false, "i:confirm:cancel", ""},
		{"a number of no choice", "4", summary, false, "", ""},
		{"zero", "0", summary, false, "", ""},
		{"the label", "perbaiki", summary, false, "i:confirm:fix", ""},
		{"the label, shouted", "  KIRIM! ", summary, false, "i:confirm:send", ""},
		{"ya", "ya", summary, false, "i:confirm:send", ""},
		{"iya", "Iya", summary, false, "i:confirm:send", ""},
		{"y", "y", summary, false, "i:confirm:send", ""},
		{"ok", "ok", summary, false, "i:confirm:send", ""},
		{"oke", "oke.", summary, false, "i:confirm:send", ""},
		{"yes", "yes", summary, false, "i:confirm:send", ""},
		{"batal", "batal", summary, false, "i:confirm:cancel", ""},
		{"tidak", "tidak", summary, false, "i:confirm:cancel", ""},
		{"no", "No", summary, false, "i:confirm:cancel", ""},
		{"a sentence", "ya sudah saya kirim kemarin", summary, false, "", ""},
		{"the label without its tracking number", "saya puas", answered, false, "c:sat:KKR-261130-7QXM", ""},
		{"the whole label", "Saya Puas (KKR-261130-7QXM)", answered, false, "c:sat:KKR-261130-7QXM", ""},
		{"a word of a label", "balas", answered, false, "c:rep:KKR-261130-7QXM", ""},
		{"ok only acknowledges an answer", "ok", answered, false, "", ""},
		{"a word of a category", "kk", categories, false, "i:category:kk", ""},
		{"a label without its bracket", "kartu keluarga", categories, false, "i:category:kk", ""},
		{"a word that fits two choices picks neither", "ya", twoYes, false, "", ""},
		{"a label still picks among them", "setuju", twoYes, false, "agree", ""},
		{"free text: a number stays text", "2", when, false, "", ""},
		{"free text: a number word stays text", "satu", when, false, "", ""},
		{"free text: the label", "Lewati", when, false, "i:when:skip", ""},
		{"free text: a word of the label", "lewati saja", when, false, "", ""},
		{"free text: skip", "skip", when, false, "i:when:skip", ""},
		{"free text: text", "Senin lalu pukul 10", when, false, "", ""},
		{"a rating", "3", rating, false, "r3", ""},
		{"nothing shown", "1", flows.Receipt{}, false, "", ""},
		{"only signs", "👍", summary, false, "", ""},
		{"a card's number", "1", card, true, "a:answer:42:4", ""},
		{"a card's word", "arsip", card, true, "a:archive:42:4", ""},
		{"a card's command with text", "jawab  Sudah kami proses, KK bisa diambil besok.", card, true,
			"a:answer:42:4", "Sudah kami proses, KK bisa diambil besok."},
		{"a card's label as a command", "Arsipkan\nbukan pengaduan", card, true, "a:archive:42:4", "bukan pengaduan"},
		{"a command of several words", "bukan kewenangan Ini urusan Disdukcapil provinsi", card, true,
			"a:not_ours:42:4", "Ini urusan Disdukcapil provinsi"},
		{"a command outside a group", "jawab Sudah kami proses", card, false, "", ""},
		{"text that begins with no command", "tolong jawab segera", card, true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, rest, ok := bot.Pick(tt.text, tt.r, w, tt.commands)
			if ok != (tt.data != "") || data != tt.data || rest != tt.rest {
				t.Errorf("Pick(%q) = %q, %q, %v; want %q, %q", tt.text, data, rest, ok, tt.data, tt.rest)
			}
		})
	}
}
