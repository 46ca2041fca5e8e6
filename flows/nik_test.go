package flows_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// fillingIn is filling in category cat, up to the phone step's answer: the step after
// the phone number (a shared one) is where the test goes on.
func fillingIn(t *testing.T, in flows.Intake, p flows.Privacy, cat string) *desk {
	t.Helper()
	d := newDesk(t)
	d.in = in
	for _, m := range []flows.Inbound{
		msgPress("m:new"), msgPress("i:consent:ok"), msgPress("i:type:pengaduan"), msgPress("i:privacy:" + string(p)),
		msgPress("i:category:" + cat), msgText(aBody), msgText(aWhen), msgPress("i:where:skip"), msgPress("i:files:done"),
	} {
		d.send(m)
	}
	if p != flows.Anonymous {
		d.send(msgPhone("+" + aPhoneNorm))
	}
	return d
}

// TestConverseNIKAskedOnlyWhereNeeded: the NIK step comes after the phone in the
// categories of NIKCategories alone, never for an anonymous report, and never when
// NIKCategories is empty.
func TestConverseNIKAskedOnlyWhereNeeded(t *testing.T) {
	def := flows.DefaultIntake()
	none := flows.DefaultIntake()
	none.NIKCategories = nil
	custom := flows.DefaultIntake()
	custom.NIKCategories = []string{"akta-lahir"}
	for _, tt := range []struct {
		name    string
		in      flows.Intake
		privacy flows.Privacy
		cat     string
		asked   bool
	}{
		{"kk", def, flows.Ordinary, "kk", true},
		{"ktp-el rahasia", def, flows.Confidential, "ktp-el", true},
		{"perubahan-data", def, flows.Ordinary, "perubahan-data", true},
		{"ikd", def, flows.Ordinary, "ikd", true},
		{"pindah-datang", def, flows.Ordinary, "pindah-datang", true},
		{"pungli", def, flows.Ordinary, "pungli", false},
		{"sikap-petugas", def, flows.Ordinary, "sikap-petugas", false},
		{"lainnya", def, flows.Ordinary, "lainnya", false},
		{"kk anonim", def, flows.Anonymous, "kk", false},
		{"kk with none listed", none, flows.Ordinary, "kk", false},
		{"akta-lahir listed", custom, flows.Ordinary, "akta-lahir", true},
		{"kk not listed", custom, flows.Ordinary, "kk", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := fillingIn(t, tt.in, tt.privacy, tt.cat)
			switch {
			case tt.asked && d.s.Step != flows.StepNIK:
				t.Errorf("step %q after the phone, want the NIK asked", d.s.Step)
			case !tt.asked && d.s.Step == flows.StepNIK:
				t.Errorf("the NIK is asked")
			case tt.privacy == flows.Anonymous && d.s.Step != flows.StepConfirm:
				t.Errorf("anonymous: step %q, want the summary", d.s.Step)
			case !tt.asked && tt.privacy != flows.Anonymous && d.s.Step != flows.StepEmail:
				t.Errorf("step %q after the phone, want the e-mail", d.s.Step)
			}
			if tt.asked {
				return
			}
			// Nor can it be chosen from the summary.
			for d.s.Step != flows.StepConfirm {
				d.send(msgPress("i:" + string(d.s.Step) + ":skip"))
			}
			o := d.send(msgPress("i:confirm:fix"))
			if slices.ContainsFunc(choicesOf(o.Replies[0]), func(c flows.Choice) bool { return c.Data == "i:fix:nik" }) {
				t.Errorf("the summary offers to correct a NIK never asked")
			}
			d.do(msgPress("i:fix:nik"), flows.StepFix, flows.MsgStaleChoice, flows.MsgAskFix)
		})
	}
}

// TestConverseNIKInvalid: each reason ParseNIK gives is told to the citizen as its own
// message, with the skip button; the step is asked again and nothing is kept.
func TestConverseNIKInvalid(t *testing.T) {
	for _, tt := range []struct {
		in   string
		code flows.ErrorCode
		data map[string]string
	}{
		{"6112O14501900011", flows.ErrNIKDigits, nil},
		{"nik saya 6112014501900011", flows.ErrNIKDigits, nil},
		{"611201450190001", flows.ErrNIKLength, map[string]string{"Count": "15"}},
		{"6112 0145 0190 0011 1", flows.ErrNIKLength, map[string]string{"Count": "17"}},
		{"9912014501900011", flows.ErrNIKProvince, map[string]string{"Code": "99"}},
		{"6100014501900011", flows.ErrNIKRegion, nil},
		{"6112004501900011", flows.ErrNIKRegion, nil},
		{"6112017202900011", flows.ErrNIKBirth, nil}, // 32 February
		{"6112011313900011", flows.ErrNIKBirth, nil}, // month 13
		{"6112014501900000", flows.ErrNIKSerial, nil},
	} {
		t.Run(string(tt.code)+" "+tt.in, func(t *testing.T) {
			d := fillingIn(t, flows.DefaultIntake(), flows.Ordinary, "kk")
			o := d.do(msgText(tt.in), flows.StepNIK, flows.MsgID(tt.code))
			checkData(t, o.Replies[0], "i:nik:skip")
			if len(tt.data) > 0 {
				checkMap(t, o.Replies[0], tt.data)
			}
			if d.s.Draft.Contact.NIK != "" {
				t.Errorf("NIK %q kept", d.s.Draft.Contact.NIK)
			}
		})
	}
	seen := map[flows.ErrorCode]bool{}
	for _, c := range flows.NIKErrors {
		seen[c] = true
	}
	if len(seen) != 6 {
		t.Errorf("NIKErrors %v", flows.NIKErrors)
	}
}

// TestConverseNIKSkipAndCorrect: the NIK may be skipped (button or text), is shown
// masked in the summary, can be corrected from it, is dropped when the category is
// corrected to one that does not need it or the report made anonymous, is asked when
// the category is corrected to one that needs it, and travels in the session's JSON.
func TestConverseNIKSkipAndCorrect(t *testing.T) {
	t.Run("skipped with the button", func(t *testing.T) {
		d := fillingIn(t, flows.DefaultIntake(), flows.Ordinary, "kk")
		d.do(msgPress("i:nik:skip"), flows.StepEmail, flows.MsgAskEmail)
		o := d.do(msgPress("i:email:skip"), flows.StepConfirm, flows.MsgSummary)
		if _, ok := o.Replies[0].Data["NIK"]; ok || d.s.Draft.Contact.NIK != "" {
			t.Errorf("skipped NIK: summary %v, draft %q", o.Replies[0].Data, d.s.Draft.Contact.NIK)
		}
	})
	t.Run("skipped by typing", func(t *testing.T) {
		d := fillingIn(t, flows.DefaultIntake(), flows.Ordinary, "kk")
		d.do(msgText("lewati"), flows.StepEmail, flows.MsgAskEmail)
	})

	d := filling(t, flows.Ordinary, flows.StepConfirm)
	o := d.send(msgPress("i:email:skip")) // a press at the summary: stale, the summary again
	if got := o.Replies[len(o.Replies)-1].Data["NIK"]; got != aNIKMasked || strings.Contains(o.Replies[len(o.Replies)-1].Data["NIK"], "4501") {
		t.Errorf("summary NIK %q, want %q", got, aNIKMasked)
	}

	// The session as the store keeps it carries the NIK.
	js, err := json.Marshal(d.s)
	if err != nil {
		t.Fatal(err)
	}
	var back flows.Session
	if err := json.Unmarshal(js, &back); err != nil || back.Draft.Contact.NIK != aNIK {
		t.Errorf("session JSON round trip: NIK %q, %v", back.Draft.Contact.NIK, err)
	}

	// Corrected from the summary, like any field.
	d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
	d.do(msgPress("i:fix:nik"), flows.StepNIK, flows.MsgAskNIK)
	d.do(msgText("6112"), flows.StepNIK, flows.MsgID(flows.ErrNIKLength))
	d.do(msgText("6112010101900001"), flows.StepConfirm, flows.MsgNIKNoted, flows.MsgSummary)
	if d.s.Draft.Contact.NIK != "6112010101900001" {
		t.Errorf("corrected NIK %q", d.s.Draft.Contact.NIK)
	}

	// A category that does not need it drops it, and the summary no longer offers it.
	d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
	d.do(msgPress("i:fix:category"), flows.StepCategory, flows.MsgAskCategory)
	o = d.do(msgPress("i:category:pungli"), flows.StepConfirm, flows.MsgSummary)
	if _, ok := o.Replies[0].Data["NIK"]; ok || d.s.Draft.Contact.NIK != "" {
		t.Errorf("NIK kept after the category became pungli: %q", d.s.Draft.Contact.NIK)
	}

	// Back to one that needs it: the NIK is asked, then the summary.
	d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
	d.do(msgPress("i:fix:category"), flows.StepCategory, flows.MsgAskCategory)
	d.do(msgPress("i:category:ktp-el"), flows.StepNIK, flows.MsgAskNIK)
	d.do(msgText(aNIK), flows.StepConfirm, flows.MsgNIKNoted, flows.MsgSummary)

	// Made anonymous: dropped with the rest of the identity.
	d.do(msgPress("i:confirm:fix"), flows.StepFix, flows.MsgAskFix)
	d.do(msgPress("i:fix:privacy"), flows.StepPrivacy, flows.MsgAskPrivacy)
	d.do(msgPress("i:privacy:anonim"), flows.StepConfirm, flows.MsgSummary)
	if d.s.Draft.Contact.NIK != "" {
		t.Errorf("anonymous draft keeps NIK %q", d.s.Draft.Contact.NIK)
	}
}

// TestFileNIK: the rules keep a valid NIK, and drop one of an anonymous report or one
// that is no NIK.
func TestFileNIK(t *testing.T) {
	r := flowstest.Rules(t)
	at := flowstest.At(t, "2026-12-01 09:00")
	for _, tt := range []struct {
		privacy   flows.Privacy
		nik, want flows.NIK
	}{
		{flows.Ordinary, aNIK, aNIK},
		{flows.Confidential, aNIK, aNIK},
		{flows.Anonymous, aNIK, ""},
		{flows.Ordinary, "1234", ""},
	} {
		c := flowstest.Report()
		c.Privacy, c.Contact.NIK = tt.privacy, tt.nik
		ch, err := r.File(c, at)
		if err != nil || ch.Complaint.Contact.NIK != tt.want {
			t.Errorf("%s NIK %q filed as %q, %v; want %q", tt.privacy, tt.nik, ch.Complaint.Contact.NIK, err, tt.want)
		}
	}
}

// TestNIKOnCards: a card shows the NIK button to the responsible unit that may see the
// identity, and the press tells the whole number to the person alone; units that may
// not see the identity (rahasia at the agency, anonim) or do not hold the complaint get
// neither the button nor the number.
func TestNIKOnCards(t *testing.T) {
	r := flowstest.Rules(t)
	at := flowstest.At(t, "2026-12-01 09:00")
	file := func(p flows.Privacy) flows.Complaint {
		c := flowstest.Report()
		c.Privacy, c.Contact.NIK = p, aNIK
		ch, err := r.File(c, at)
		if err != nil {
			t.Fatal(err)
		}
		ch.Complaint.ID = 7
		return ch.Complaint
	}
	hasButton := func(c flows.Complaint, unit string) bool {
		for _, row := range r.CardChoices(c, unit) {
			for _, ch := range row {
				if ch.Label == flows.LabelNIK {
					if v, ok := flows.ParseView(ch.Data); !ok || v != (flows.View{What: flows.ViewNIK, Complaint: c.ID}) {
						t.Errorf("NIK button data %q", ch.Data)
					}
					return true
				}
			}
		}
		return false
	}
	o := flows.Origin{Channel: "telegram", Chat: "-1001", User: "42", Name: "Andi", Press: "cb-1"}
	for _, tt := range []struct {
		privacy flows.Privacy
		unit    string // the unit whose group has the card (the complaint is there)
		move    []flows.Event
		reveal  bool
	}{
		{flows.Ordinary, flowstest.National, nil, true},
		{flows.Confidential, flowstest.National, nil, true},
		{flows.Anonymous, flowstest.National, nil, false},
		{flows.Ordinary, flowstest.Agency, []flows.Event{{Kind: flows.EvRoute, Target: flowstest.Regency}, {Kind: flows.EvDistribute, Target: flowstest.Agency}}, true},
		{flows.Confidential, flowstest.Agency, []flows.Event{{Kind: flows.EvRoute, Target: flowstest.Regency}, {Kind: flows.EvDistribute, Target: flowstest.Agency}}, false},
	} {
		c := file(tt.privacy)
		for _, ev := range tt.move {
			ev.Actor = flowstest.Member(c.Unit)
			ch, err := r.Apply(c, ev, at)
			if err != nil {
				t.Fatal(err)
			}
			c = ch.Complaint
		}
		name := string(tt.privacy) + "/" + tt.unit
		if got := hasButton(c, tt.unit); got != tt.reveal || r.MayRevealNIK(c, tt.unit) != tt.reveal {
			t.Errorf("%s: NIK button %t, want %t", name, got, tt.reveal)
		}
		if tt.unit != flowstest.National && (hasButton(c, flowstest.National) || r.MayRevealNIK(c, flowstest.National)) {
			t.Errorf("%s: the national unit, no longer holding it, may see the NIK", name)
		}
		rx := r.Shown(c, true, []string{tt.unit}, flows.View{What: flows.ViewNIK, Complaint: c.ID}, o)
		if len(rx.Notices) != 1 {
			t.Fatalf("%s: %d notices", name, len(rx.Notices))
		}
		n := rx.Notices[0]
		if !n.To.Person || n.To.Origin != o || n.Press != o.Press {
			t.Errorf("%s: the answer goes to %+v (press %q), want the person alone", name, n.To, n.Press)
		}
		switch {
		case tt.reveal && (n.Msg != flows.MsgNIKShown || n.Text != aNIK || n.Unit != tt.unit || !n.Alert):
			t.Errorf("%s: %+v, want the whole NIK", name, n)
		case !tt.reveal && (n.Msg != flows.MsgStaleCard || strings.Contains(n.Text, "6112")):
			t.Errorf("%s: %+v, want the stale answer and nothing of the NIK", name, n)
		}
	}
	// Without a NIK there is no button.
	c := file(flows.Ordinary)
	c.Contact.NIK = ""
	if hasButton(c, flowstest.National) {
		t.Errorf("a NIK button without a NIK")
	}
}

// TestMaskNIKForEveryUnit: a 16-digit number the complainant wrote is masked for every
// reader, biasa included; a phone number stays for those who may see the identity.
func TestMaskNIKForEveryUnit(t *testing.T) {
	r := flowstest.Rules(t)
	c := flows.Complaint{Privacy: flows.Ordinary}
	u, _ := r.Units.Unit(flowstest.Agency)
	got, masked := c.TextFor(u, "NIK saya 6112-0145-0190-0011, HP 0812 3456 7890, 3 kali datang")
	if want := "NIK saya ••••-••••-••••-••••, HP 0812 3456 7890, 3 kali datang"; got != want || !masked {
		t.Errorf("TextFor = %q, %t; want %q", got, masked, want)
	}
	if got, masked := c.TextFor(u, "HP 081234567890"); masked || got != "HP 081234567890" {
		t.Errorf("a phone alone, biasa: %q, %t", got, masked)
	}
}
