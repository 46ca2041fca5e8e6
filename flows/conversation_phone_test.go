package flows_test

import (
	"reflect"
	"testing"

	"aduan/flows"
)

// The number WhatsApp gives for the fixture citizen's chat, and how the desk shows it.
const (
	aKnown       = "6285298765432"
	aKnownMasked = "+62 852-••••-5432"
)

// knownTo makes msg come from a chat whose number the channel vouches for.
func knownTo(msg flows.Inbound, number string) flows.Inbound {
	msg.Known = number
	return msg
}

// fillingKnown is filling, every message coming from a chat whose number is known, in
// a category that does not ask for the NIK (sikap-petugas).
func fillingKnown(t *testing.T, p flows.Privacy, step flows.Step) *desk {
	t.Helper()
	d := newDesk(t)
	script := []flows.Inbound{
		msgPress("m:new"), msgPress("i:consent:ok"), msgPress("i:type:pengaduan"), msgPress("i:privacy:" + string(p)),
		msgPress("i:category:sikap-petugas"), msgText(aBody), msgText(aWhen), msgPress("i:where:skip"),
		msgFile("photo", "blob/1"), msgPress("i:files:done"), msgPress("i:phone:known"), msgText(anEmail),
	}
	for _, m := range script {
		if d.s.Step == step {
			break
		}
		d.send(knownTo(m, aKnown))
	}
	if d.s.Step != step {
		t.Fatalf("the usual answers end at step %q, not %q", d.s.Step, step)
	}
	return d
}

// TestConverseKnownPhone: with a number the channel vouches for, the phone step offers
// it, masked, instead of asking; the citizen takes it, types another or skips; the
// number is kept only when taken, and never asked of or kept for an anonymous report.
func TestConverseKnownPhone(t *testing.T) {
	t.Run("offered masked", func(t *testing.T) {
		d := fillingKnown(t, flows.Ordinary, flows.StepFiles)
		o := d.do(knownTo(msgPress("i:files:done"), aKnown), flows.StepPhone, flows.MsgOfferPhone)
		n := o.Replies[0]
		want := [][]flows.Choice{{{Label: flows.LabelUseKnown, Data: "i:phone:known"}}, {{Label: flows.LabelOther, Data: "i:phone:other"}},
			{{Label: flows.LabelSkip, Data: "i:phone:skip"}}}
		if !reflect.DeepEqual(n.Choices, want) {
			t.Errorf("offer choices %+v, want %+v", n.Choices, want)
		}
		checkMap(t, n, map[string]string{"Phone": aKnownMasked})
		if n.Ask != "" {
			t.Errorf("offer asks %q: no share-number keyboard with a known number", n.Ask)
		}
		if got := d.s.Draft.Contact.Phone; got != "" {
			t.Errorf("phone %q kept before the citizen took it", got)
		}
	})

	t.Run("taken", func(t *testing.T) {
		d := fillingKnown(t, flows.Ordinary, flows.StepPhone)
		o := d.do(knownTo(msgPress("i:phone:known"), aKnown), flows.StepEmail, flows.MsgPhoneNoted, flows.MsgAskEmail)
		checkMap(t, o.Replies[0], map[string]string{"Phone": aKnownMasked})
		if o.Replies[0].Ask != flows.AskClose {
			t.Errorf("noted: ask %q, want %q", o.Replies[0].Ask, flows.AskClose)
		}
		if got := d.s.Draft.Contact.Phone; got != aKnown {
			t.Errorf("phone %q, want %q", got, aKnown)
		}
		o = d.do(knownTo(msgText(anEmail), aKnown), flows.StepConfirm, flows.MsgSummary)
		if got := o.Replies[0].Data["Phone"]; got != aKnown {
			t.Errorf("summary phone %q, want %q", got, aKnown)
		}
	})

	for _, yes := range []string{"iya boleh", "Ya, nomor ini saja.", "boleh pak", "yes please"} {
		t.Run("taken by typing "+yes, func(t *testing.T) {
			d := fillingKnown(t, flows.Ordinary, flows.StepPhone)
			d.do(knownTo(msgText(yes), aKnown), flows.StepEmail, flows.MsgPhoneNoted, flows.MsgAskEmail)
			if got := d.s.Draft.Contact.Phone; got != aKnown {
				t.Errorf("phone %q, want %q", got, aKnown)
			}
		})
	}
	for _, not := range []string{"ya tapi nanti", "nomor lain"} {
		t.Run("not taken by typing "+not, func(t *testing.T) {
			d := fillingKnown(t, flows.Ordinary, flows.StepPhone)
			d.do(knownTo(msgText(not), aKnown), flows.StepPhone, flows.MsgBadPhone)
			if got := d.s.Draft.Contact.Phone; got != "" {
				t.Errorf("phone %q kept", got)
			}
		})
	}
	t.Run("a yes without a known number is no number", func(t *testing.T) {
		d := filling(t, flows.Ordinary, flows.StepPhone)
		d.do(msgText("iya boleh"), flows.StepPhone, flows.MsgBadPhone)
	})

	t.Run("another number typed at once", func(t *testing.T) {
		d := fillingKnown(t, flows.Ordinary, flows.StepPhone)
		d.do(knownTo(msgText(aPhone), aKnown), flows.StepEmail, flows.MsgPhoneNoted, flows.MsgAskEmail)
		if got := d.s.Draft.Contact.Phone; got != aPhoneNorm {
			t.Errorf("phone %q, want the typed %q", got, aPhoneNorm)
		}
	})

	t.Run("another number chosen, then typed", func(t *testing.T) {
		d := fillingKnown(t, flows.Ordinary, flows.StepPhone)
		o := d.do(knownTo(msgPress("i:phone:other"), aKnown), flows.StepPhone, flows.MsgAskPhone)
		checkData(t, o.Replies[0], "i:phone:skip")
		d.do(knownTo(msgText(aPhone), aKnown), flows.StepEmail, flows.MsgPhoneNoted, flows.MsgAskEmail)
		if got := d.s.Draft.Contact.Phone; got != aPhoneNorm {
			t.Errorf("phone %q, want the typed %q", got, aPhoneNorm)
		}
	})

	t.Run("skipped", func(t *testing.T) {
		d := fillingKnown(t, flows.Ordinary, flows.StepPhone)
		d.do(knownTo(msgPress("i:phone:skip"), aKnown), flows.StepEmail, flows.MsgAskEmail)
		if got := d.s.Draft.Contact.Phone; got != "" {
			t.Errorf("phone %q kept after skipping", got)
		}
	})

	t.Run("taken from a chat that no longer vouches", func(t *testing.T) {
		// The offer was made; the answer comes without the number (the chat changed):
		// nothing is kept, and the step asks.
		d := fillingKnown(t, flows.Ordinary, flows.StepPhone)
		d.do(msgPress("i:phone:known"), flows.StepPhone, flows.MsgStaleChoice, flows.MsgAskPhone)
		if got := d.s.Draft.Contact.Phone; got != "" {
			t.Errorf("phone %q kept", got)
		}
	})

	t.Run("a foreign number is not offered", func(t *testing.T) {
		d := fillingKnown(t, flows.Ordinary, flows.StepFiles)
		o := d.do(knownTo(msgPress("i:files:done"), "14155550100"), flows.StepPhone, flows.MsgAskPhone)
		if o.Replies[0].Ask != flows.AskPhone {
			t.Errorf("ask %q, want %q", o.Replies[0].Ask, flows.AskPhone)
		}
	})

	t.Run("offered again when corrected", func(t *testing.T) {
		d := fillingKnown(t, flows.Ordinary, flows.StepConfirm)
		d.do(knownTo(msgPress("i:confirm:fix"), aKnown), flows.StepFix, flows.MsgAskFix)
		d.do(knownTo(msgPress("i:fix:phone"), aKnown), flows.StepPhone, flows.MsgOfferPhone)
		d.do(knownTo(msgPress("i:phone:skip"), aKnown), flows.StepConfirm, flows.MsgSummary)
		if got := d.s.Draft.Contact.Phone; got != "" {
			t.Errorf("phone %q after skipping the correction", got)
		}
	})

	t.Run("anonymous", func(t *testing.T) {
		d := fillingKnown(t, flows.Anonymous, flows.StepConfirm)
		if got := d.s.Draft.Contact; got.Phone != "" || got.Name != "" {
			t.Errorf("anonymous draft keeps contact %+v", got)
		}
		o := d.send(knownTo(msgPress("i:confirm:send"), aKnown))
		if !o.File || o.Draft.Contact.Phone != "" {
			t.Errorf("filed %t with phone %q, want filed without a phone", o.File, o.Draft.Contact.Phone)
		}
	})

	t.Run("made anonymous after taking it", func(t *testing.T) {
		d := fillingKnown(t, flows.Ordinary, flows.StepConfirm)
		if d.s.Draft.Contact.Phone != aKnown {
			t.Fatalf("phone %q, want the known number taken", d.s.Draft.Contact.Phone)
		}
		d.do(knownTo(msgPress("i:confirm:fix"), aKnown), flows.StepFix, flows.MsgAskFix)
		d.do(knownTo(msgPress("i:fix:privacy"), aKnown), flows.StepPrivacy, flows.MsgAskPrivacy)
		d.send(knownTo(msgPress("i:privacy:anonim"), aKnown))
		if got := d.s.Draft.Contact.Phone; got != "" {
			t.Errorf("anonymous draft keeps phone %q", got)
		}
	})
}
