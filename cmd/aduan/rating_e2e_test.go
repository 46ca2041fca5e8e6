package main

import (
	"strings"
	"testing"
	"time"

	"aduan/bot/telegram/tgfake"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// answeredOnTelegram has the units route, distribute and answer tr in their Telegram
// groups; it returns the answer as the citizen in chat received it.
func (d *tgDesk) answeredOnTelegram(chat int64, tr string) tgfake.Call {
	d.t.Helper()
	card := d.message(d.fake.Calls("sendMessage"), groupNational, "Aduan baru "+tr)
	calls := d.choose(groupNational, adminNational, card, flows.EvRoute, flowstest.Regency)
	calls = d.choose(groupRegency, adminRegency, d.message(calls, groupRegency, "Aduan baru "+tr), flows.EvDistribute, flowstest.Agency)
	calls = d.act(groupAgency, adminAgency, d.message(calls, groupAgency, "Aduan baru "+tr), flows.EvAnswer, "KK Anda sudah dicetak dan dapat diambil.")
	return d.message(calls, chat, "sudah dijawab")
}

// An anonim complaint keeps its chat after closure for the rating window, as its
// closing message says: rated within it, the thanks reach the citizen and the chat goes
// at the next sweep; not rated, the sweep ends the window after flows.RatingWindow and
// the chat goes, and a rating pressed afterwards on the closing message is told,
// politely, that it can no longer be taken — never that the complaint is not theirs.
func TestAnonimRatingWindowTelegram(t *testing.T) {
	t.Parallel()
	d := newTGDesk(t, "2026-11-30 09:00", nil)
	late := &modeCitizen{mode: flows.Anonymous, chat: 556201, name: "Agus Salimudin", phone: "0813-5555-6666", nik: "6112031203780033"}
	prompt := &modeCitizen{mode: flows.Anonymous, chat: 556202, name: "Rudi Hartono", phone: "0813-5555-7777", nik: "6112031203780044"}
	closing := map[*modeCitizen]tgfake.Call{}
	for _, m := range []*modeCitizen{late, prompt} {
		d.fileAs(m)
		answered := d.answeredOnTelegram(m.chat, m.tracking)
		calls := d.press(m.chat, m.chat, answered, "c:sat:"+m.tracking)
		closing[m] = d.message(calls, m.chat, "sudah selesai")
		wantText(t, "the closing message", closing[m].Text(), "Penilaian dapat diberikan sampai", "alamat percakapan ini kami hapus")
	}
	closedAt := d.complaint(late.tracking).ClosedAt

	// Within the window the chats stay, the closing message delivered or not.
	d.sweepAt(d.clock.Now().Add(time.Hour))
	for _, m := range []*modeCitizen{late, prompt} {
		if c := d.complaint(m.tracking); c.Contact.Chat == flows.ErasedChat {
			t.Fatalf("%s: the chat went within the rating window", m.tracking)
		}
	}
	// One rates on the next day: thanked, and their chat goes at the next sweep.
	d.clock.Advance(24 * time.Hour)
	calls := d.press(prompt.chat, prompt.chat, closing[prompt], "c:rate:"+prompt.tracking+":5")
	d.message(calls, prompt.chat, "Terima kasih atas penilaian 5 dari 5")
	d.sweepAt(d.clock.Now().Add(time.Minute))
	if c := d.complaint(prompt.tracking); c.Rating != 5 || c.Contact.Chat != flows.ErasedChat {
		t.Errorf("rated: rating %d, chat %q; want 5 and erased", c.Rating, c.Contact.Chat)
	}
	if c := d.complaint(late.tracking); c.Contact.Chat == flows.ErasedChat {
		t.Fatalf("the unrated one's chat went before its window ended")
	}

	// The other's window ends: the chat goes; a rating pressed now is refused politely.
	d.sweepAt(closedAt.Add(flows.RatingWindow))
	d.sweepAt(d.clock.Now().Add(time.Minute))
	if c := d.complaint(late.tracking); c.Rating != 0 || c.Contact.Chat != flows.ErasedChat {
		t.Fatalf("after the window: rating %d, chat %q; want none and erased", c.Rating, c.Contact.Chat)
	}
	if kinds := auditKinds(d.audit(late.tracking)); !strings.Contains(strings.Join(kinds, " "), "satisfied rating_closed redact") {
		t.Errorf("audit trail %v", kinds)
	}
	calls = d.press(late.chat, late.chat, closing[late], "c:rate:"+late.tracking+":4")
	refusal := d.message(calls, late.chat, "tidak dapat kami terima lagi")
	if !strings.Contains(refusal.Text(), late.tracking) || strings.Contains(refusal.Text(), "tidak kami temukan") {
		t.Errorf("the late rating's answer: %q", refusal.Text())
	}
	if c := d.complaint(late.tracking); c.Rating != 0 {
		t.Errorf("a late rating was taken: %d", c.Rating)
	}
	wantAuditVerifies(t, d)
	wantLogClean(t, d.log.String(), append(append(late.needles(), prompt.needles()...), late.body(), prompt.body(), tgToken)...)
}
