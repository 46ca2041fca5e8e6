package main

import (
	"strings"
	"testing"

	"aduan/bot/web"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// What the desk tells a unit's member alone (flows.ToPerson) — the refusal of a stale
// press, the NIK shown to them — reaches their pane in the web group, as a notice: on
// the web a group's pane is its member's own view. Before, such messages went to a
// chat no page showed.
func TestPracticePersonNotices(t *testing.T) {
	r := startPracticeRun(t, newDeskDB(t), practiceDBURL(t), flowstest.NewClock(flowstest.At(t, "2026-12-01 09:00")),
		func(c *config.Config) { c.Intake.NIKCategories = flows.DefaultNIKCategories })
	const nik = "6112014501900011"
	citizen := r.citizen()
	lines := citizen.post(web.Input{Command: "start"})
	for _, label := range webFilingBefore {
		lines = citizen.press(lines, label)
	}
	lines = citizen.say("KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan.")
	for _, label := range []string{"Lewati", "Lewati", "Selesai", "Lewati"} {
		lines = citizen.press(lines, label)
	}
	if !strings.Contains(webText(lines), "NIK") {
		t.Fatalf("no NIK asked for a KTP-el complaint:\n%s", webText(lines))
	}
	lines = citizen.say(nik)
	for _, label := range []string{"Lewati", "Kirim"} {
		lines = citizen.press(lines, label)
	}
	tracking := trackingNumber.FindString(webText(lines))
	if tracking == "" {
		t.Fatalf("no tracking number:\n%s", webText(lines))
	}

	g := web.GroupChat("nasional")
	national := &webPane{t: t, ch: r.p.Channel, clock: r.clock, chat: g, user: web.Member(g), settle: func(id string) { r.settle(id) }}
	card := national.fresh()
	if all := webText(card); strings.Contains(all, nik) || !strings.Contains(all, "6112••••••••••11") {
		t.Fatalf("the card does not show the NIK masked:\n%s", all)
	}
	// Lihat NIK: the whole number, in the member's pane, as a notice.
	shown := national.press(card, "NIK")
	if !hasNotice(shown, nik) {
		t.Fatalf("the NIK shown to the member is not in their pane:\n%s", webText(shown))
	}
	// A stale press is refused in the pane.
	lines = national.press(card, "Teruskan")
	national.press(lines, "Admin Kabupaten")
	refused := national.press(card, "Teruskan")
	if !hasNotice(refused, "") {
		t.Fatalf("a stale press is not refused in the pane:\n%s", webText(refused))
	}
	var lost int
	if err := r.p.DB().Pool().QueryRow(t.Context(), `SELECT count(*) FROM web_line WHERE chat LIKE 'm-%'`).Scan(&lost); err != nil || lost != 0 {
		t.Errorf("%d lines written to a chat no pane shows (%v)", lost, err)
	}
}

// hasNotice reports whether lines hold a desk notice to the person (holding text).
func hasNotice(lines []web.StoredLine, text string) bool {
	for _, l := range lines {
		if l.From == web.FromDesk && l.Answer && strings.Contains(webText([]web.StoredLine{l}), text) {
			return true
		}
	}
	return false
}
