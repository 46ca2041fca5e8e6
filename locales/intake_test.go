package locales

import (
	"slices"
	"strings"
	"testing"
	"time"

	"aduan/flows"
)

// sampleData is the Notice.Data of every conversation and card message at once, with
// realistic values.
func sampleData() map[string]string {
	return map[string]string{
		"Type": "pengaduan", "Privacy": "rahasia", "Category": "pungli",
		"Body":  "Petugas loket meminta Rp50.000 agar KTP-el saya cepat dicetak, padahal layanan ini gratis.",
		"When":  "Senin, 23 November 2026 sekitar pukul 10.00",
		"Where": "Kantor Disdukcapil Kubu Raya, loket 3",
		"Files": "2", "Phone": "6281234567890", "Email": "budi.santoso@example.com",
		"Min": "30", "Max": "5", "Count": "2", "What": "voice", "Event": "answer",
		"Since": "2026-11-28T03:04:00Z", "Day": "2026-12-02",
	}
}

// sampleItems are the lines of a citizen's list of complaints.
func sampleItems(due time.Time) []flows.Notice {
	return []flows.Notice{
		{Msg: flows.MsgStatusItem, Complaint: 42, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, State: flows.Answered, Due: due},
		{Msg: flows.MsgStatusItem, Complaint: 17, Tracking: "KKR-261102-AC3F", Report: flows.ReportAspiration, State: flows.Closed},
	}
}

// converse feeds msgs to the intake one after the other, starting from an empty
// session, and returns every outcome.
func converse(tb testing.TB, lang string, msgs ...flows.Inbound) []flows.Outcome {
	tb.Helper()
	in := flows.DefaultIntake()
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	s := flows.Session{}
	var outs []flows.Outcome
	for _, m := range msgs {
		m.Channel, m.Chat, m.User, m.Name, m.Lang = "telegram", "1001", "1001", "Budi Santoso", lang
		o := in.Converse(s, m, nil, now)
		outs = append(outs, o)
		s = o.Session
		now = now.Add(time.Minute)
	}
	return outs
}

// TestRenderConversation renders every reply and button of whole conversations, as the
// intake makes them, in both languages.
func TestRenderConversation(t *testing.T) {
	for _, s := range Surfaces() {
		t.Run(s.Name, func(t *testing.T) {
			c := MustNew(t).On(s)
			units := MustDirectory(t)
			loc := MustPontianak(t)
			text := func(s string) flows.Inbound { return flows.Inbound{Text: s} }
			choice := func(s string) flows.Inbound { return flows.Inbound{Choice: s} }
			body := "Petugas loket meminta Rp50.000 agar KTP-el saya cepat dicetak, padahal layanan ini gratis."
			photo := flows.Inbound{Attachment: &flows.Attachment{Kind: "photo", Ref: "files/1", Name: "kuitansi.jpg", Size: 120000}}
			conversations := map[string][]flows.Inbound{
				"rahasia with everything": {
					{Command: "start"}, {Command: "lapor"}, choice("i:consent:ok"), choice("i:type:pengaduan"),
					choice("i:privacy:rahasia"), choice("i:category:pungli"), text("terlalu singkat"), text(body),
					text("Senin lalu, pukul 10 pagi"), text("Kantor Disdukcapil, loket 3"), photo, photo, choice("i:files:done"),
					text("12345"), text("0812-3456-7890"), text("bukan e-mail"), text("budi.santoso@example.com"),
					choice("i:confirm:fix"), choice("i:fix:where"), text("Kantor Disdukcapil Kubu Raya, loket 3"),
					choice("i:confirm:send"),
				},
				"anonim skipping everything": {
					{Command: "lapor"}, choice("i:consent:ok"), text("halo"), choice("i:type:aspirasi"), choice("i:privacy:anonim"),
					choice("i:category:lainnya"), text(body), choice("i:when:skip"), choice("i:where:skip"), choice("i:files:done"),
					{Unsupported: "sticker"}, {Unsupported: "too_large"}, {Unsupported: "voice"}, {Unsupported: "video"}, {Unsupported: "gif"},
					choice("i:old:button"), choice("x"), {Command: "bahasa"}, choice("m:lang:en"), choice("m:lang:id"),
					{Command: "help"}, {Command: "status"}, {Command: "unknown"}, choice("i:confirm:cancel"), text("halo lagi"),
					choice("c:rep:KKR-261130-7QXM"), {Command: "lapor"}, choice("i:consent:no"),
				},
			}
			for name, msgs := range conversations {
				for _, lang := range c.Languages() {
					for i, o := range converse(t, lang, msgs...) {
						if len(o.Replies) == 0 && !o.File && o.Event == nil {
							t.Errorf("%s %s: message %d (%+v) got no reply", name, lang, i, msgs[i])
						}
						for _, n := range o.Replies {
							s, err := c.Notice(lang, n, units, loc)
							checkOutput(t, name+" "+lang+" "+string(n.Msg), s, err)
							for _, row := range n.Choices {
								for _, ch := range row {
									l := c.Label(lang, ch)
									checkOutput(t, name+" "+lang+" "+string(n.Msg)+" button "+string(ch.Label), l, nil)
									if ch.Label != "" && l == string(ch.Label) {
										t.Errorf("%s %s: button %+v has no label", name, lang, ch)
									}
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestRenderGroupMessages renders the group side's messages as flows makes them.
func TestRenderGroupMessages(t *testing.T) {
	for _, s := range Surfaces() {
		t.Run(s.Name, func(t *testing.T) {
			c := MustNew(t).On(s)
			units := MustDirectory(t)
			loc := MustPontianak(t)
			long := strings.Repeat("x", flows.MaxText+1)
			notices := []flows.Notice{
				flows.ConfirmText(7, "KKR-261130-7QXM", flows.EvAnswer, "KTP-el Bapak sudah dicetak dan dapat diambil di loket 2."),
				flows.ConfirmText(7, "KKR-261130-7QXM", flows.EvArchive, "Aduan ganda."),
				flows.ConfirmText(7, "KKR-261130-7QXM", flows.EvAnswer, "  "),
				flows.ConfirmText(7, "KKR-261130-7QXM", flows.EvAnswer, long),
				{Msg: flows.MsgChooseTarget, Tracking: "KKR-261130-7QXM", Data: map[string]string{"Event": "distribute"}},
				{Msg: flows.MsgAskText, Tracking: "KKR-261130-7QXM", Data: map[string]string{"Event": "lapor_id"}},
				{Msg: flows.MsgAskText, Tracking: "KKR-261130-7QXM", Data: map[string]string{"Event": "not_ours"}},
				{Msg: flows.MsgDone, Tracking: "KKR-261130-7QXM", Actor: "Siti Aminah", Data: map[string]string{"Event": "route"}},
				{Msg: flows.MsgCancelledU, Tracking: "KKR-261130-7QXM"},
				{Msg: flows.MsgRefusedU, Tracking: "KKR-261130-7QXM", Text: string(flows.ErrNotYourTurn), Data: map[string]string{"Event": "answer"}},
				{Msg: flows.MsgRefusedU, Tracking: "KKR-261130-7QXM", Text: string(flows.ErrAlreadyDone)},
				{Msg: flows.MsgTaken, Tracking: "KKR-261130-7QXM", Unit: "tim-ktp", Actor: "Andi"},
				{Msg: flows.MsgStaleCard},
				{Msg: flows.MsgNotMemberHint, Tracking: "KKR-261130-7QXM"},
			}
			for _, lang := range c.Languages() {
				for _, n := range notices {
					s, err := c.Notice(lang, n, units, loc)
					checkOutput(t, lang+" "+string(n.Msg), s, err)
					if n.Msg != flows.MsgRefusedU && n.Data["Event"] != "" && !strings.Contains(s, c.Action(lang, flows.EventKind(n.Data["Event"]))) {
						t.Errorf("%s %s: no action label:\n%s", lang, n.Msg, s)
					}
					for _, row := range n.Choices {
						for _, ch := range row {
							checkOutput(t, lang+" "+string(n.Msg)+" button", c.Label(lang, ch), nil)
						}
					}
				}
			}
		})
	}
}

func TestLabels(t *testing.T) {
	c := MustNew(t)
	consts := flowsConstants(t)
	var ids []string
	for _, id := range consts["MsgID"] {
		if strings.HasPrefix(id, "choice.") {
			ids = append(ids, id)
		}
	}
	for _, code := range flows.DefaultCategories {
		ids = append(ids, prefixCat+code)
	}
	ids = append(ids, fixFields(t)...)
	for _, k := range consts["EventKind"] {
		if !slices.Contains(notActions, k) {
			ids = append(ids, prefixAction+k)
		}
	}
	for _, lang := range c.Languages() {
		for _, id := range ids {
			for _, text := range []string{"", "KKR-261130-7QXM"} {
				s := c.Label(lang, flows.Choice{Label: flows.MsgID(id), Text: text, Data: "x"})
				checkOutput(t, lang+" "+id, s, nil)
				if s == id {
					t.Errorf("%s %s: no label", lang, id)
				}
				if len([]rune(s)) > 40 {
					t.Errorf("%s %s: %q is too long for a button", lang, id, s)
				}
			}
		}
		for _, code := range flows.DefaultCategories {
			if got := c.Category(lang, code); got == code || got == "" {
				t.Errorf("%s category %s: no label", lang, code)
			}
		}
	}
	tests := []struct{ name, got, want string }{
		{"reply id", c.Label("id", flows.Choice{Label: flows.LabelReply, Text: "KKR-261130-7QXM", Data: "c:rep:KKR-261130-7QXM"}), "Balas KKR-261130-7QXM"},
		{"reply en", c.Label("en", flows.Choice{Label: flows.LabelReply, Text: "KKR-261130-7QXM", Data: "c:rep:KKR-261130-7QXM"}), "Reply KKR-261130-7QXM"},
		{"reply without a number", c.Label("id", flows.Choice{Label: flows.LabelReply}), "Balas"},
		{"text only", c.Label("en", flows.Choice{Text: "Bahasa Indonesia", Data: "m:lang:id"}), "Bahasa Indonesia"},
		{"rating", c.Label("id", flows.Choice{Text: "5", Data: "c:rate:KKR-261130-7QXM:5"}), "5"},
		{"label only", c.Label("id", flows.Choice{Label: flows.LabelAgree}), "Setuju"},
		{"category", c.Label("id", flows.Choice{Label: "category.sikap-petugas"}), "Sikap Petugas / Antrean"},
		{"field", c.Label("en", flows.Choice{Label: "field.body"}), "Description"},
		{"action", c.Label("id", flows.Choice{Label: "action.route"}), "Teruskan ke Kabupaten"},
		{"unknown label with text", c.Label("id", flows.Choice{Label: "choice.nope", Text: "Lanjut"}), "Lanjut"},
		{"unknown label", c.Label("id", flows.Choice{Label: "choice.nope"}), "choice.nope"},
		{"Action take", c.Action("id", flows.EvTake), "Ambil Tugas"},
		{"Action lapor_id", c.Action("en", flows.EvLaporID), "Record LAPOR! ID"},
		{"Event take", c.Event("id", flows.EvTake), "Tugas diambil oleh tim teknis"},
		{"Category pungli", c.Category("id", flows.SeriousCategory), "Pungutan Liar"},
		{"Category unknown", c.Category("id", "lain-lain"), "lain-lain"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestConversationOutputs(t *testing.T) {
	c := MustNew(t)
	units := MustDirectory(t)
	loc := MustPontianak(t)
	due := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC) // 10:00 WIB
	notice := func(lang string, n flows.Notice) string {
		t.Helper()
		s, err := c.Notice(lang, n, units, loc)
		if err != nil {
			t.Errorf("%s %s: %v", lang, n.Msg, err)
		}
		return s
	}
	privacy := map[string]string{"id": "3×24 jam", "en": "3×24 hours"}
	for lang, want := range privacy {
		s := notice(lang, flows.Notice{Msg: flows.MsgPrivacyNotice})
		for _, part := range []string{want, "27/2022", "SP4N LAPOR!", "/bantuan"} {
			if !strings.Contains(s, part) {
				t.Errorf("%s privacy notice: no %q:\n%s", lang, part, s)
			}
		}
		if n := len([]rune(s)); n > 1200 {
			t.Errorf("%s privacy notice: %d characters, too long for a phone:\n%s", lang, n, s)
		}
	}
	for _, part := range []string{"Pengendali data pribadi", "selama masa retensi arsip pengaduan", "NIK hanya diminta", "Setuju", "Batal"} {
		if s := notice("id", flows.Notice{Msg: flows.MsgPrivacyNotice}); !strings.Contains(s, part) {
			t.Errorf("id privacy notice: no %q", part)
		}
	}
	askPrivacy := notice("id", flows.Notice{Msg: flows.MsgAskPrivacy})
	for _, line := range []string{
		"• Biasa: identitas Anda terlihat oleh petugas yang menangani laporan.",
		"• Rahasia: identitas Anda disembunyikan dari dinas dan tim teknis.",
		"• Anonim: identitas tidak dikumpulkan; balasan hanya dikirim lewat percakapan ini.",
	} {
		if !slices.Contains(strings.Split(askPrivacy, "\n"), line) {
			t.Errorf("ask_privacy: no line %q:\n%s", line, askPrivacy)
		}
	}

	summary := flows.Notice{Msg: flows.MsgSummary, Report: flows.ReportComplaint, Data: map[string]string{
		"Type": "pengaduan", "Privacy": "rahasia", "Category": "pungli",
		"Body": "Petugas loket meminta Rp50.000 agar KTP-el saya cepat dicetak.", "When": "Senin lalu", "Where": "",
		"Files": "2", "Phone": "6281234567890", "Email": "",
	}}
	anonymous := flows.Notice{Msg: flows.MsgSummary, Report: flows.ReportAspiration, Data: map[string]string{
		"Type": "aspirasi", "Privacy": "anonim", "Category": "sikap-petugas",
		"Body": "Mohon ruang tunggu diberi kursi tambahan.", "When": "", "Where": "", "Files": "0", "Phone": "", "Email": "",
	}}
	tests := []struct{ name, got, want string }{
		{"summary id", notice("id", summary), "Periksa kembali aduan Anda:\n\n" +
			"Jenis: Pengaduan\nKerahasiaan: Rahasia\nKategori: Pungutan Liar\nWaktu kejadian: Senin lalu\nLokasi: –\n" +
			"Lampiran: 2 berkas\nNama: –\nTelepon: +6281234567890\nE-mail: –\n\n" +
			"Isi aduan:\nPetugas loket meminta Rp50.000 agar KTP-el saya cepat dicetak.\n\n" +
			"Pilih Kirim bila sudah benar, Perbaiki untuk mengubah, atau Batal."},
		{"summary en", notice("en", summary), "Please check your complaint:\n\n" +
			"Type: Complaint\nPrivacy: Confidential\nCategory: Illegal Fees (Pungli)\nWhen: Senin lalu\nWhere: –\n" +
			"Attachments: 2\nName: –\nPhone: +6281234567890\nE-mail: –\n\n" +
			"Description:\nPetugas loket meminta Rp50.000 agar KTP-el saya cepat dicetak.\n\n" +
			"Choose Send if it is right, Correct to change something, or Cancel."},
		{"summary anonim id", notice("id", anonymous), "Periksa kembali aspirasi Anda:\n\n" +
			"Jenis: Aspirasi\nKerahasiaan: Anonim\nKategori: Sikap Petugas / Antrean\nWaktu kejadian: –\nLokasi: –\n" +
			"Lampiran: tidak ada\n\n" +
			"Isi aspirasi:\nMohon ruang tunggu diberi kursi tambahan.\n\n" +
			"Pilih Kirim bila sudah benar, Perbaiki untuk mengubah, atau Batal."},
		{"status id", notice("id", flows.Notice{Msg: flows.MsgStatusList, Items: sampleItems(due)}),
			"Laporan Anda, yang terbaru di atas:\n" +
				"• Aduan KKR-261130-7QXM: Menunggu Tanggapan Anda, batas Selasa, 1 Desember 2026 pukul 10.00 WIB\n" +
				"• Aspirasi KKR-261102-AC3F: Selesai"},
		{"status en", notice("en", flows.Notice{Msg: flows.MsgStatusList, Items: sampleItems(due)}),
			"Your reports, newest first:\n" +
				"• Complaint KKR-261130-7QXM: Awaiting your response, due Tuesday, 1 December 2026 at 10:00 WIB\n" +
				"• Suggestion KKR-261102-AC3F: Closed"},
		{"body too short en", notice("en", flows.Notice{Msg: flows.MsgBodyTooShort, Data: map[string]string{"Min": "30", "Words": "5"}}),
			"That is too short. Please describe it in more detail, in at least 30 characters and 5 words, so that the officers can act on it."},
		{"file added", notice("id", flows.Notice{Msg: flows.MsgFileAdded, Data: map[string]string{"Count": "2", "Max": "5"}}), "Lampiran diterima (2 dari 5)."},
		{"unsupported voice", notice("en", flows.Notice{Msg: flows.MsgUnsupported, Data: map[string]string{"What": "voice"}}),
			"Sorry, we cannot process voice messages yet. Please send text, photos, documents or a location."},
		{"unsupported too large", notice("id", flows.Notice{Msg: flows.MsgUnsupported, Data: map[string]string{"What": "too_large"}}),
			"Maaf, berkas itu terlalu besar untuk kami terima. Mohon kirim berkas yang lebih kecil, atau foto dengan ukuran biasa."},
		{"unsupported too large with the limit", notice("en", flows.Notice{Msg: flows.MsgUnsupported, Data: map[string]string{"What": "too_large", "MaxMB": "10"}}),
			"Sorry, that file is too large for us to accept (at most 10 MB a file). Please send a smaller file, or a photo of the usual size."},
		{"unsupported contact of someone else", notice("id", flows.Notice{Msg: flows.MsgUnsupported, Data: map[string]string{"What": "contact_other"}}),
			"Nomor itu milik orang lain. Mohon bagikan nomor Anda sendiri dengan tombol “Bagikan Nomor Saya”, atau ketik nomornya."},
		{"unsupported edited", notice("id", flows.Notice{Msg: flows.MsgUnsupported, Data: map[string]string{"What": "edited"}}),
			"Pesan yang diubah tidak kami baca ulang. Bila ada yang perlu diperbaiki, kirim pesan baru, atau pilih Perbaiki pada ringkasan sebelum laporan dikirim."},
		{"card refused", notice("id", flows.Notice{Msg: flows.MsgRefusedU, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Text: string(flows.ErrWrongState), Data: map[string]string{"State": "answered", "Event": "route"}}),
			"Aduan KKR-261130-7QXM: Maaf, tindakan ini tidak berlaku untuk laporan berstatus Menunggu Tanggapan Anda."},
		{"card refused too long en", notice("en", flows.ConfirmText(3, "KKR-261130-7QXM", flows.EvAnswer, strings.Repeat("x", flows.MaxText+1))),
			"Report KKR-261130-7QXM: The text is too long: at most 4000 characters. Please shorten it and send it again."},
		{"intake refused by code", notice("id", flows.Notice{Msg: flows.MsgRefused, Data: map[string]string{"Code": string(flows.ErrAlreadyRated)}}),
			"Laporan ini sudah dinilai. Terima kasih."},
		{"intake refused already written", notice("en", flows.Notice{Msg: flows.MsgRefused, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Text: "This complaint has already been rated. Thank you."}),
			"Complaint KKR-261130-7QXM: This complaint has already been rated. Thank you."},
		{"choose target", notice("id", flows.Notice{Msg: flows.MsgChooseTarget, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Data: map[string]string{"Event": "distribute"}}),
			"“Disposisikan ke Dinas”, aduan KKR-261130-7QXM\nPilih unit tujuan:"},
		{"ask text answer", notice("id", flows.Notice{Msg: flows.MsgAskText, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Data: map[string]string{"Event": "answer"}}),
			"“Jawab”, aduan KKR-261130-7QXM\nBalas pesan ini dengan jawaban untuk pelapor. Sebelum dikirim, Anda akan diminta mengonfirmasi."},
		{"confirm text en", notice("en", flows.ConfirmText(3, "KKR-261130-7QXM", flows.EvArchive, "Duplicate of KKR-261129-4HJK.")),
			"“Archive”, report KKR-261130-7QXM\nCheck this text before it is sent:\n\nDuplicate of KKR-261129-4HJK.\n\nChoose Confirm to send it, or Cancel."},
		{"done", notice("id", flows.Notice{Msg: flows.MsgDone, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Actor: "Siti Aminah", Data: map[string]string{"Event": "task"}}),
			"Tercatat: “Tugaskan Tim Teknis” untuk aduan KKR-261130-7QXM, oleh Siti Aminah."},
		{"taken", notice("id", flows.Notice{Msg: flows.MsgTaken, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Unit: "tim-ktp", Actor: "Andi"}),
			"Tugas aduan KKR-261130-7QXM diambil oleh Andi (Tim Teknis KTP-el)."},
		{"answered with buttons id", notice("id", flows.Notice{Msg: flows.MsgAnswered, Tracking: "KKR-261130-7QXM", Report: flows.ReportComplaint, Unit: "dukcapil", Text: "KTP-el Anda sudah dicetak.", Due: due}),
			"Aduan KKR-261130-7QXM sudah dijawab oleh Dinas Kependudukan dan Pencatatan Sipil:\n\nKTP-el Anda sudah dicetak.\n\n" +
				"Bila masalahnya sudah selesai, pilih “Saya Puas”. Bila belum, pilih “Balas KKR-261130-7QXM” atau langsung tulis tanggapan Anda di sini. " +
				"Tanpa tanggapan sampai Selasa, 1 Desember 2026 pukul 10.00 WIB, aduan ini akan ditutup otomatis."},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
	// The buttons the answer offers are named as the message says.
	for _, lang := range c.Languages() {
		s := notice(lang, flows.Notice{Msg: flows.MsgAnswered, Tracking: "KKR-261130-7QXM", Unit: "dukcapil", Text: "Sudah.", Due: due})
		for _, ch := range []flows.Choice{{Label: flows.LabelSatisfied}, {Label: flows.LabelReply, Text: "KKR-261130-7QXM"}} {
			if l := c.Label(lang, ch); !strings.Contains(s, "“"+l+"”") {
				t.Errorf("%s answered: does not name the button %q:\n%s", lang, l, s)
			}
		}
	}
}
