package flows_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// What the units see of a complaint: its files, its whole description, masked numbers,
// who took a task, the LAPOR! ID checked as typed.

func TestMaskNumbers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"NIK saya 6112010101900001.", "NIK saya ••••••••••••••••."},
		{"NIK 6112 0101 0190 0001 ya", "NIK •••• •••• •••• •••• ya"},
		{"KK: 6112-0101-0190-0002", "KK: ••••-••••-••••-••••"},
		{"hubungi 0812-3456-7890", "hubungi ••••-••••-••••"},
		{"hubungi +62 812 3456 7890 sore", "hubungi +•• ••• •••• •••• sore"},
		{"WA 6281234567890", "WA •••••••••••••"},
		{"telp (0561) 721234", "telp (0561) 721234"}, // a landline split by brackets: not a run
		{"kantor 0561721234", "kantor ••••••••••"},
		// What is not a person's number stays.
		{"Senin, 23 November 2026 pukul 10.00", "Senin, 23 November 2026 pukul 10.00"},
		{"diminta Rp50.000 di loket 3", "diminta Rp50.000 di loket 3"},
		{"antrean 1234567 orang", "antrean 1234567 orang"},
		{"nomor 12345678901234567890", "nomor 12345678901234567890"},
		{"", ""},
	} {
		got, masked := flows.MaskNumbers(tt.in)
		if got != tt.want || masked != (tt.in != tt.want) {
			t.Errorf("MaskNumbers(%q) = %q, %t; want %q", tt.in, got, masked, tt.want)
		}
	}
}

// TestTextForByPrivacy: who reads a citizen's numbers — a NIK is masked for every
// unit; phone numbers are hidden by rahasia from the agency and its team, by anonim
// from everyone, by biasa from no one.
func TestTextForByPrivacy(t *testing.T) {
	r := flowstest.Rules(t)
	text := "NIK 6112010101900001, HP 081234567890"
	for _, tt := range []struct {
		privacy flows.Privacy
		hidden  []string // units that read it masked
	}{
		{flows.Ordinary, nil},
		{flows.Confidential, []string{flowstest.Agency, flowstest.Team, flowstest.Other, "unknown"}},
		{flows.Anonymous, []string{flowstest.National, flowstest.Regency, flowstest.Agency, flowstest.Team, flowstest.Other, flowstest.Ombudsman, "unknown"}},
	} {
		c := flows.Complaint{Privacy: tt.privacy}
		for _, code := range []string{flowstest.National, flowstest.Regency, flowstest.Agency, flowstest.Team, flowstest.Other, flowstest.Ombudsman, "unknown"} {
			u, _ := r.Units.Unit(code)
			got, masked := c.TextFor(u, text)
			want := slices.Contains(tt.hidden, code)
			if !masked || strings.Contains(got, "6112010101900001") || strings.Contains(got, "081234567890") == want || c.HidesIdentity(u) != want {
				t.Errorf("%s read by %s: %q (masked %t), want the NIK masked and the phone hidden %t", tt.privacy, code, got, masked, want)
			}
		}
	}
}

// TestReplyMaskedForAgencyAndTeam: a confidential complainant's reply reaches the agency
// and the team with its numbers masked, and says so.
func TestReplyMaskedForAgencyAndTeam(t *testing.T) {
	r := flowstest.Rules(t)
	c := fixture(t, r, "answered")
	c.Privacy = flows.Confidential
	ev := reply()
	ev.Text = "Hubungi saya di 0812-3456-7890."
	ch, err := r.Apply(c, ev, at(t, "2026-11-30 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, note := range ch.Notices {
		if note.Msg != flows.MsgReplied {
			continue
		}
		n++
		if strings.Contains(note.Text, "3456") || note.Data["Masked"] != "yes" {
			t.Errorf("reply to %s: %q %v", note.To.Unit, note.Text, note.Data)
		}
	}
	if n != 2 {
		t.Errorf("%d replies to units, want the agency's and the team's", n)
	}
	if ch.Audit.Text != ev.Text {
		t.Errorf("the audit keeps %q, want the reply as written", ch.Audit.Text)
	}
}

func TestFileNotices(t *testing.T) {
	c := flows.Complaint{ID: 7, Tracking: "ADU-261130-AAAA"}
	for i := range 12 {
		c.Attachment = append(c.Attachment, flows.Attachment{Kind: "photo", Ref: fmt.Sprintf("file:%d", i)})
	}
	c.Attachment = append(c.Attachment,
		flows.Attachment{Kind: "location", Ref: "-0.05,109.34"},
		flows.Attachment{Kind: "document", Ref: "file:20"}, flows.Attachment{Kind: "document", Ref: "file:21"},
		flows.Attachment{Kind: "photo", Ref: "file:22"})
	ns := flows.FileNotices(c)
	var got []string
	for _, n := range ns {
		if n.Msg != flows.MsgFiles || n.Complaint != 7 || n.Tracking != c.Tracking || n.Data["Total"] != "16" {
			t.Errorf("notice %+v", n)
		}
		got = append(got, fmt.Sprintf("%s×%d@%s", n.Files[0].Kind, len(n.Files), n.Data["From"]))
	}
	want := []string{"photo×10@1", "photo×2@11", "location×1@13", "document×2@14", "photo×1@16"}
	if !slices.Equal(got, want) {
		t.Errorf("file notices %v, want %v", got, want)
	}
	if ns := flows.FileNotices(flows.Complaint{}); len(ns) != 0 {
		t.Errorf("no attachments gave %v", ns)
	}
}

// TestNewCardsBringTheFiles: every new card to a unit is followed by its files; the
// Ombudsman's also by the record.
func TestNewCardsBringTheFiles(t *testing.T) {
	r := flowstest.Rules(t)
	for _, tt := range []struct {
		name string
		c    flows.Complaint
		ev   flows.Event
		to   string
	}{
		{"route", fixture(t, r, "submitted"), route(regency), regency},
		{"distribute", fixture(t, r, "routed"), distribute(agency), agency},
		{"task", fixture(t, r, "distributed"), task(team), team},
		{"handover", fixture(t, r, "in_progress"), handover(), ombudsman},
	} {
		ch, err := r.Apply(tt.c, tt.ev, at(t, fixtureHandover))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var to []flows.MsgID
		for _, n := range ch.Notices {
			if n.To.Unit == tt.to {
				to = append(to, n.Msg)
			}
		}
		if i := slices.Index(to, flows.MsgFiles); i < 1 || !ch.Notices[slices.IndexFunc(ch.Notices, func(n flows.Notice) bool { return n.To.Unit == tt.to })].Card {
			t.Errorf("%s: %s received %v, want the card, then the files", tt.name, tt.to, to)
		}
		if tt.to == ombudsman && !slices.Contains(to, flows.MsgRecord) {
			t.Errorf("handover: the Ombudsman received %v, no record", to)
		}
	}
}

// TestShow: what the view buttons show, and to whom.
func TestShow(t *testing.T) {
	r := flowstest.Rules(t)
	c := fixture(t, r, "distributed")
	c.Body = strings.Repeat("Kata-kata uraian yang panjang. ", 40)
	c.Privacy = flows.Confidential
	c.Body += "NIK 6112010101900001."
	for _, tt := range []struct {
		unit, what string
		seen       bool
		want       flows.MsgID // "" when refused
	}{
		{agency, flows.ViewMore, false, flows.MsgFullText},
		{agency, flows.ViewFiles, false, flows.MsgFiles},
		{agency, flows.ViewCard, false, flows.MsgCard},
		{agency, flows.ViewRecord, false, ""}, // the record is the Ombudsman's
		{regency, flows.ViewMore, false, flows.MsgFullText},
		{national, flows.ViewCard, false, flows.MsgCard},
		{team, flows.ViewMore, false, ""},             // not tasked yet
		{flowstest.Other, flows.ViewFiles, false, ""}, // another agency
		{flowstest.Other, flows.ViewFiles, true, flows.MsgFiles},
		{ombudsman, flows.ViewRecord, false, ""}, // not handed over
	} {
		ns, ok := r.Show(c, tt.unit, flows.View{What: tt.what, Complaint: c.ID}, tt.seen)
		switch {
		case tt.want == "" && ok:
			t.Errorf("%s %s (seen %t) shown %v", tt.unit, tt.what, tt.seen, ns)
		case tt.want != "" && (!ok || len(ns) == 0 || ns[0].Msg != tt.want):
			t.Errorf("%s %s (seen %t) = %v, %t; want %s", tt.unit, tt.what, tt.seen, ns, ok, tt.want)
		}
	}
	ns, _ := r.Show(c, agency, flows.View{What: flows.ViewMore, Complaint: c.ID}, false)
	if strings.Contains(ns[0].Text, "6112010101900001") || ns[0].Data["Masked"] != "yes" || !strings.HasPrefix(ns[0].Text, "Kata-kata") {
		t.Errorf("the agency's full text %+v", ns[0])
	}
	ns, _ = r.Show(c, regency, flows.View{What: flows.ViewMore, Complaint: c.ID}, false)
	if strings.Contains(ns[0].Text, "6112010101900001") || ns[0].Data["Masked"] != "yes" {
		t.Errorf("the regency's full text shows the NIK: %+v", ns[0])
	}
	c.Attachment = nil
	if ns, _ := r.Show(c, agency, flows.View{What: flows.ViewFiles, Complaint: c.ID}, false); len(ns) != 1 || ns[0].Msg != flows.MsgNoFiles {
		t.Errorf("no files: %v", ns)
	}
	h := fixture(t, r, "ombudsman")
	if ns, ok := r.Show(h, ombudsman, flows.View{What: flows.ViewRecord, Complaint: h.ID}, false); !ok || ns[0].Msg != flows.MsgRecord {
		t.Errorf("the Ombudsman's record: %v %t", ns, ok)
	}
}

func TestParseView(t *testing.T) {
	for _, v := range []flows.View{{flows.ViewFiles, 1}, {flows.ViewMore, 9007199254740993}, {flows.ViewCard, 3}, {flows.ViewRecord, 4}} {
		if got, ok := flows.ParseView(v.Data()); !ok || got != v || len(v.Data()) > 64 {
			t.Errorf("ParseView(%q) = %+v, %t", v.Data(), got, ok)
		}
	}
	for _, bad := range []string{"v:files", "v:files:0", "v:files:-1", "v:x:1", "v:more:1:2", "a:route:1:1", "v:card:abc"} {
		if v, ok := flows.ParseView(bad); ok {
			t.Errorf("ParseView(%q) = %+v", bad, v)
		}
	}
}

// TestCardViewButtons: the row below the actions.
func TestCardViewButtons(t *testing.T) {
	r := flowstest.Rules(t)
	c := fixture(t, r, "distributed")
	row := func(c flows.Complaint, unit string) []string {
		rows := r.CardChoices(c, unit)
		var out []string
		for _, ch := range rows[len(rows)-1] {
			if v, ok := flows.ParseView(ch.Data); ok {
				out = append(out, v.What)
			}
		}
		return out
	}
	if got := row(c, agency); !slices.Equal(got, []string{flows.ViewFiles}) {
		t.Errorf("short description with a photo: %v", got)
	}
	c.Body = strings.Repeat("x ", flows.CardBodyMax)
	c.Attachment = nil
	if got := row(c, agency); !slices.Equal(got, []string{flows.ViewMore}) {
		t.Errorf("long description without files: %v", got)
	}
	h := fixture(t, r, "ombudsman")
	if got := row(h, ombudsman); !slices.Equal(got, []string{flows.ViewFiles, flows.ViewRecord}) {
		t.Errorf("the Ombudsman's card: %v", got)
	}
	if rows := r.CardChoices(fixture(t, r, "closed"), agency); len(rows) != 0 {
		t.Errorf("a closed complaint's card offers %v", rows)
	}
}

// TestTakeOnce: the task is taken once, by name; a new task clears it.
func TestTakeOnce(t *testing.T) {
	r := flowstest.Rules(t)
	c := fixture(t, r, "in_progress")
	c = mustApply(t, r, c, take(team), "2026-11-30 10:00")
	if c.TakenBy != flowstest.Member(team).Name {
		t.Errorf("taken by %q", c.TakenBy)
	}
	if slices.Contains(r.Actions(c, team), flows.EvTake) {
		t.Errorf("take still offered: %v", r.Actions(c, team))
	}
	_, err := r.Apply(c, take(team), at(t, "2026-11-30 10:01"))
	if fe := refusal(t, err); fe.Code != flows.ErrAlreadyTaken || fe.Data["By"] != c.TakenBy {
		t.Errorf("second take: %v", err)
	}
	c = mustApply(t, r, c, notOurs(), "2026-11-30 10:05")
	c = mustApply(t, r, c, distribute(agency), "2026-11-30 10:10")
	c = mustApply(t, r, c, task(team), "2026-11-30 10:15")
	if c.TakenBy != "" || !slices.Contains(r.Actions(c, team), flows.EvTake) {
		t.Errorf("after a new task: taken by %q, actions %v", c.TakenBy, r.Actions(c, team))
	}
}

// TestLaporIDCheckedAsTyped: the confirmation refuses a malformed ID at once and takes
// LAPOR!'s "#1234567" as 1234567.
func TestLaporIDCheckedAsTyped(t *testing.T) {
	n := flows.ConfirmText(5, "ADU-261130-AAAA", flows.EvLaporID, "belum ada nomor")
	if n.Msg != flows.MsgRefusedU || n.Text != string(flows.ErrBadLaporID) || len(n.Choices) != 0 {
		t.Errorf("malformed ID: %+v", n)
	}
	n = flows.ConfirmText(5, "ADU-261130-AAAA", flows.EvLaporID, " #5123456 ")
	if n.Msg != flows.MsgConfirmText || n.Text != "5123456" {
		t.Errorf("#5123456: %+v", n)
	}
	r := flowstest.Rules(t)
	c := mustApply(t, r, fixture(t, r, "distributed"), laporID(agency, "#5123456"), "2026-11-30 10:00")
	if c.LaporID != "5123456" {
		t.Errorf("LAPOR! ID stored as %q", c.LaporID)
	}
	// Any other text is confirmed as typed.
	if n := flows.ConfirmText(5, "ADU-261130-AAAA", flows.EvAnswer, "belum ada nomor"); n.Msg != flows.MsgConfirmText {
		t.Errorf("an answer: %+v", n)
	}
}

// TestQueueOffersCards: /antrian gives each complaint a button that shows its card.
func TestQueueOffersCards(t *testing.T) {
	open := []flows.Complaint{{ID: 1, Tracking: "ADU-1"}, {ID: 2, Tracking: "ADU-2"}, {ID: 3, Tracking: "ADU-3"}}
	n := flows.GroupCommand("antrian", agency, open)
	var got []string
	for _, row := range n.Choices {
		for _, ch := range row {
			if ch.Label != flows.LabelShow {
				t.Errorf("button %+v", ch)
			}
			got = append(got, ch.Text+"="+ch.Data)
		}
	}
	if want := []string{"ADU-1=v:card:1", "ADU-2=v:card:2", "ADU-3=v:card:3"}; !slices.Equal(got, want) {
		t.Errorf("queue buttons %v, want %v", got, want)
	}
}
