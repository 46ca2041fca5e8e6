package main

import (
	"slices"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow/types"

	"aduan/bot/whatsapp/wafake"
)

// TestWhatsAppKnownNumberAndChangedChat: Budi, whose number WhatsApp gives, is offered
// it (masked) at the phone step instead of being asked, takes it with "1", and the
// complaint keeps it. Then WhatsApp addresses him by LID, his number alongside: his
// conversation and complaints follow him — a draft begun under his number goes on, and
// "status" lists the complaint he filed — answered in the chat the desk knows him by.
func TestWhatsAppKnownNumberAndChangedChat(t *testing.T) {
	d := newWADesk(t, "2026-12-01 09:00", unitsOnWhatsApp)
	cit := waBudi
	sent := d.dm(cit, "lapor")
	msg := d.msg(sent, cit.JID, "Pemberitahuan privasi")
	for _, label := range []string{"Setuju", "Pengaduan", "Biasa", "Kartu Keluarga (KK)"} {
		sent = d.dm(cit, d.num(msg, label))
		msg = wafake.To(sent, cit.JID)[len(wafake.To(sent, cit.JID))-1]
	}
	d.msg(sent, cit.JID, "Ceritakan apa yang terjadi")
	for _, step := range []struct{ answer, next string }{
		{"Sudah tiga minggu mengurus KK baru di kantor kecamatan, belum juga selesai.", "Kapan kejadiannya"},
		{"lewati", "Di mana kejadiannya"}, {"lewati", "Kirim foto atau dokumen"}} {
		sent = d.dm(cit, step.answer)
		d.msg(sent, cit.JID, step.next)
	}
	sent = d.dm(cit, "selesai")
	offer := d.msg(sent, cit.JID, "Boleh petugas menghubungi Anda di nomor +62 812-••••-7890?")
	if got := options(offer); !slices.Equal(got, []string{"Ya, Gunakan Nomor Ini", "Nomor Lain", "Lewati"}) {
		t.Errorf("the offer's choices %q", got)
	}
	if strings.Contains(offer.Text(), "6281234567890") || strings.Contains(offer.Text(), "+62 812-3456") {
		t.Errorf("the offer shows the whole number: %q", offer.Text())
	}
	sent = d.dm(cit, "1")
	d.msg(sent, cit.JID, "Nomor telepon +62 812-••••-7890 kami catat.")
	d.msg(sent, cit.JID, "Alamat e-mail")
	sent = d.dm(cit, "lewati")
	d.msg(sent, cit.JID, "Periksa kembali aduan Anda")
	sent = d.dm(cit, "kirim")
	tracking := trackingNumber.FindString(d.msg(sent, cit.JID, "aduan Anda sudah kami terima dengan nomor").Text())
	var phone string
	if err := d.m.DB().Pool().QueryRow(t.Context(), `SELECT contact_phone FROM complaint WHERE tracking = $1`, tracking).Scan(&phone); err != nil {
		t.Fatal(err)
	}
	if phone != "6281234567890" {
		t.Errorf("complaint %s keeps phone %q, want the number WhatsApp gave", tracking, phone)
	}

	// Budi begins another report under his number; WhatsApp then addresses him by LID.
	byLID := wafake.Person{JID: types.NewJID("200000000000001", types.HiddenUserServer), Alt: cit.JID, Name: "Budi"}
	sent = d.dm(cit, "lapor")
	notice := d.msg(sent, cit.JID, "Pemberitahuan privasi")
	sent = d.dm(byLID, d.num(notice, "Setuju"))
	d.msg(sent, cit.JID, "Apa jenis laporan Anda?")
	sent = d.dm(byLID, "status")
	d.msg(sent, cit.JID, tracking)
	if n := len(wafake.To(sent, byLID.JID)); n != 0 {
		t.Errorf("%d messages to the LID chat, want the conversation kept in the chat the desk knows", n)
	}

	// A LID alone, its number untold, is nobody the desk knows.
	stranger := wafake.LID("200000000000002", "Budi")
	sent = d.dm(stranger, "status")
	d.msg(sent, stranger.JID, "Anda belum pernah mengirim laporan")
}
