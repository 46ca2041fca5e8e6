package flows_test

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"aduan/flows"
	"aduan/flows/flowstest"
)

// telegramDataLimit is the most bytes of callback data Telegram accepts on a button.
const telegramDataLimit = 64

// TestCardActionData checks the encoding of card buttons and that it comes back as it
// went.
func TestCardActionData(t *testing.T) {
	literal := []struct {
		a    flows.CardAction
		want string
	}{
		{flows.CardAction{Event: flows.EvRoute, Complaint: 42, Version: 3, Target: regency}, "a:route:42:3:kuburaya"},
		{flows.CardAction{Event: flows.EvAnswer, Complaint: 42, Version: 3}, "a:answer:42:3"},
		{flows.CardAction{Event: flows.EvTake, Complaint: 1, Version: 1}, "a:take:1:1"},
	}
	for _, tt := range literal {
		if got := tt.a.Data(); got != tt.want {
			t.Errorf("%+v.Data() = %q, want %q", tt.a, got, tt.want)
		}
	}

	round := []flows.CardAction{
		{Event: flows.EvRoute, Complaint: 42, Version: 3, Target: regency},
		{Event: flows.EvDistribute, Complaint: 7, Version: 12, Target: agency},
		{Event: flows.EvTask, Complaint: 7, Version: 13, Target: team},
		{Event: flows.EvAnswer, Complaint: 1, Version: 1},
		{Event: flows.EvTake, Complaint: math.MaxInt64, Version: math.MaxInt32},
		{Event: flows.EvLaporID, Complaint: 99, Version: 2},
		{Event: flows.EvDistribute, Complaint: 1, Version: 1, Target: "x"},
		{Event: flows.EvDistribute, Complaint: 1, Version: 1, Target: "0_a-b"},
	}
	for _, a := range round {
		got, ok := flows.ParseCardAction(a.Data())
		if !ok || got != a {
			t.Errorf("ParseCardAction(%q) = %+v, %t; want %+v", a.Data(), got, ok, a)
		}
	}

	tampered := []string{
		"a:route:1",                              // too few parts
		"a:route:x:1",                            // not an ID
		"a:route:1:x",                            // not a version
		"a:nope:1:1",                             // no such event
		"a::1:1",                                 // no event
		"a:file:1:1",                             // not an event of Apply
		"a:remind:1:1",                           // an alert, not an event of Apply
		"a:route:1:0",                            // version 0
		"a:route:1:-1",                           // negative version
		"a:route:0:1",                            // ID 0
		"a:route:-5:1",                           // negative ID
		"a:route:99999999999999999999:1",         // ID out of range
		"a:route:1:99999999999999999999",         // version out of range
		"b:route:1:1",                            // another prefix
		"A:route:1:1",                            //
		"p:1:ok",                                 // a pending confirmation
		"c:sat:LPR-261130-ACDE",                  // a citizen's button
		"a:route:1:1:Kubu Raya",                  // target with a space and capitals
		"a:route:1:1:KUBURAYA",                   // capitals
		"a:route:1:1:kubu/raya",                  // a slash
		"a:route:1:1:-kuburaya",                  // a code starts with a letter or digit
		"a:route:1:1:",                           // empty target
		"a:route:1:1:" + strings.Repeat("k", 41), // too long a code
		"a:route:1:1:kuburaya:x",                 // too many parts
		"a:route:1:1:kuburaya:",                  //
		"a:route:1:1::",                          //
		"",                                       //
		"a",                                      //
		"a:route: 1:1",                           // a space in the ID
		"a:route:1:1\n",                          // a line end
	}
	for _, data := range tampered {
		if got, ok := flows.ParseCardAction(data); ok || got != (flows.CardAction{}) {
			t.Errorf("ParseCardAction(%q) = %+v, %t; want refused", data, got, ok)
		}
	}
}

// TestCardActionDataSize checks that card buttons fit Telegram's 64 bytes: for every
// unit of the fixture tree with the largest ID and version there can be, and for unit
// codes of the longest length allowed with an ID of seven digits and a version of two.
func TestCardActionDataSize(t *testing.T) {
	r := wideRules(t)
	events := append([]flows.EventKind{flows.EvTake}, eventKinds...)
	check := func(a flows.CardAction) {
		t.Helper()
		d := a.Data()
		if len(d) > telegramDataLimit {
			t.Errorf("%q is %d bytes, more than %d", d, len(d), telegramDataLimit)
		}
		if got, ok := flows.ParseCardAction(d); !ok || got != a {
			t.Errorf("ParseCardAction(%q) = %+v, %t; want %+v", d, got, ok, a)
		}
	}
	for _, u := range r.Units.Units() {
		for _, k := range events {
			check(flows.CardAction{Event: k, Complaint: math.MaxInt64, Version: math.MaxInt32, Target: u.Code})
		}
	}
	longest := strings.Repeat("k", 19) + "9"
	if _, err := flows.NewDirectory(append(flowstest.Units(), flows.Unit{Code: longest, Name: "Dinas dengan kode terpanjang", Kind: flows.Agency, Parent: regency})); err != nil {
		t.Fatalf("a 20-character code is not allowed: %v", err)
	}
	for _, k := range events {
		check(flows.CardAction{Event: k, Complaint: math.MaxInt64, Version: math.MaxInt32, Target: longest})
		check(flows.CardAction{Event: k, Complaint: math.MaxInt64, Version: math.MaxInt32})
	}

	// Every button of every card and every choice of units fits as well.
	for _, fx := range []string{"submitted", "routed", "distributed", "in_progress", "answered", "closed", "ombudsman", "archived"} {
		c := fixture(t, r, fx)
		c.ID, c.Version = math.MaxInt64, math.MaxInt32
		for _, u := range r.Units.Units() {
			for _, ch := range choiceList(r.CardChoices(c, u.Code)) {
				if len(ch.Data) > telegramDataLimit {
					t.Errorf("%s card of %s: %q is %d bytes", fx, u.Code, ch.Data, len(ch.Data))
				}
				a, _ := flows.ParseCardAction(ch.Data)
				p := r.PressCard(c, u.Code, a, member(u.Code))
				if p.Reply != nil {
					for _, ch := range choiceList(p.Reply.Choices) {
						if len(ch.Data) > telegramDataLimit {
							t.Errorf("%s choice of %s: %q is %d bytes", fx, u.Code, ch.Data, len(ch.Data))
						}
					}
				}
			}
		}
	}
}

func choiceList(rows [][]flows.Choice) []flows.Choice {
	var out []flows.Choice
	for _, row := range rows {
		out = append(out, row...)
	}
	return out
}

// TestPendingData checks the buttons that confirm a pending text.
func TestPendingData(t *testing.T) {
	for _, id := range []int64{1, 42, math.MaxInt64} {
		for _, confirm := range []bool{true, false} {
			d := flows.PendingData(id, confirm)
			if len(d) > telegramDataLimit {
				t.Errorf("PendingData(%d, %t) = %q: %d bytes", id, confirm, d, len(d))
			}
			gotID, gotConfirm, ok := flows.ParsePendingData(d)
			if !ok || gotID != id || gotConfirm != confirm {
				t.Errorf("ParsePendingData(%q) = %d, %t, %t; want %d, %t, true", d, gotID, gotConfirm, ok, id, confirm)
			}
		}
	}
	if got := flows.PendingData(7, true); got != "p:7:ok" {
		t.Errorf("PendingData(7, true) = %q", got)
	}
	if got := flows.PendingData(7, false); got != "p:7:no" {
		t.Errorf("PendingData(7, false) = %q", got)
	}
	for _, d := range []string{"", "p", "p:7", "p:7:yes", "p:7:OK", "p:x:ok", "p:0:ok", "p:-7:ok", "p::ok", "q:7:ok",
		"p:7:ok:x", "a:answer:7:1", "p:99999999999999999999:ok"} {
		if _, _, ok := flows.ParsePendingData(d); ok {
			t.Errorf("ParsePendingData(%q) accepted", d)
		}
	}
}

// TestCardChoices checks that a card's buttons are the unit's actions, two to a row.
func TestCardChoices(t *testing.T) {
	r := flowstest.Rules(t)
	var codes []string
	for _, u := range r.Units.Units() {
		codes = append(codes, u.Code)
	}
	codes = append(codes, unknownUnit)
	for _, fx := range []string{"submitted", "routed", "distributed", "in_progress", "in_progress_replied", "answered", "closed", "ombudsman", "archived"} {
		c := fixture(t, r, fx)
		for _, unit := range codes {
			t.Run(fx+"/"+unit, func(t *testing.T) {
				rows := r.CardChoices(c, unit)
				acts := r.Actions(c, unit)
				if len(acts) == 0 && rows != nil {
					t.Errorf("no actions, but buttons %+v", rows)
				}
				// A last row of buttons that show more (files, description, record)
				// follows the actions.
				if n := len(rows); n > 0 && strings.HasPrefix(string(rows[n-1][0].Label), "card.button_") {
					for _, ch := range rows[n-1] {
						if v, ok := flows.ParseView(ch.Data); !ok || v.Complaint != c.ID {
							t.Errorf("view button %+v", ch)
						}
					}
					rows = rows[:n-1]
				}
				for i, row := range rows {
					if len(row) == 0 || len(row) > 2 || (i < len(rows)-1 && len(row) != 2) {
						t.Errorf("row %d has %d buttons, want two to a row", i, len(row))
					}
				}
				got := choiceList(rows)
				if len(got) != len(acts) {
					t.Fatalf("%d buttons for the actions %v", len(got), acts)
				}
				for i, k := range acts {
					ch := got[i]
					if ch.Label != flows.MsgID("action."+string(k)) || ch.Text != "" {
						t.Errorf("button %d labelled %q %q, want action.%s", i, ch.Label, ch.Text, k)
					}
					a, ok := flows.ParseCardAction(ch.Data)
					if want := (flows.CardAction{Event: k, Complaint: c.ID, Version: c.Version}); !ok || a != want {
						t.Errorf("button %d data %q decodes to %+v, %t; want %+v", i, ch.Data, a, ok, want)
					}
				}
			})
		}
	}
}

// TestPressCard checks what pressing each kind of button leads to.
func TestPressCard(t *testing.T) {
	r := wideRules(t)
	andi := flows.Actor{Kind: flows.ByUnit, Ref: "tg:77", Name: "Andi"}
	as := func(unit string) flows.Actor { a := andi; a.Unit = unit; return a }
	press := func(c flows.Complaint, k flows.EventKind, target string) flows.CardAction {
		return flows.CardAction{Event: k, Complaint: c.ID, Version: c.Version, Target: target}
	}
	refused := func(t *testing.T, p flows.Press, c flows.Complaint, code flows.ErrorCode, data map[string]string) {
		t.Helper()
		want := flows.Press{Reply: &flows.Notice{Msg: flows.MsgRefusedU, Tracking: c.Tracking, Text: string(code), Data: data}}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("press = %s, want %s", fmtPress(p), fmtPress(want))
		}
	}

	t.Run("an old card", func(t *testing.T) {
		c := fixture(t, r, "routed")
		for _, v := range []int{c.Version - 1, c.Version + 1} {
			a := press(c, flows.EvDistribute, agency)
			a.Version = v
			refused(t, r.PressCard(c, regency, a, andi), c, flows.ErrAlreadyDone, nil)
		}
	})

	t.Run("an action the unit may not take", func(t *testing.T) {
		tests := []struct {
			fx   string
			unit string
			k    flows.EventKind
		}{
			{"submitted", regency, flows.EvRoute},    // the regency presses route
			{"submitted", agency, flows.EvArchive},   //
			{"routed", national, flows.EvDistribute}, //
			{"distributed", other, flows.EvAnswer},   // a sibling agency
			{"in_progress", team2, flows.EvTake},     // the team not tasked
			{"in_progress", agency, flows.EvTake},    //
			{"in_progress", team, flows.EvAnswer},    //
			{"answered", agency, flows.EvSatisfied},  // the complainant's
			{"answered", agency, flows.EvAutoClose},  // the system's
			{"closed", agency, flows.EvRate},         //
			{"routed", unknownUnit, flows.EvDistribute},
			{"routed", regency, flows.EvRoute},      // the state is wrong
			{"archived", national, flows.EvArchive}, //
		}
		for _, tt := range tests {
			c := fixture(t, r, tt.fx)
			p := r.PressCard(c, tt.unit, press(c, tt.k, ""), as(tt.unit))
			refused(t, p, c, flows.ErrNotYourTurn, map[string]string{"Event": string(tt.k)})
		}
	})

	t.Run("choose a unit", func(t *testing.T) {
		tests := []struct {
			fx, unit string
			k        flows.EventKind
			want     []string // the units offered, in order
		}{
			{"submitted", national, flows.EvRoute, []string{regency, regency2}},
			{"routed", regency, flows.EvDistribute, []string{agency, other}},
			{"distributed", agency, flows.EvTask, []string{team2, team}},
		}
		for _, tt := range tests {
			t.Run(string(tt.k), func(t *testing.T) {
				c := fixture(t, r, tt.fx)
				p := r.PressCard(c, tt.unit, press(c, tt.k, ""), andi)
				if p.Event != nil || p.AskText || p.Reply == nil {
					t.Fatalf("press = %s, want a choice of units", fmtPress(p))
				}
				n := *p.Reply
				want := flows.Notice{Msg: flows.MsgChooseTarget, Tracking: c.Tracking, Data: map[string]string{"Event": string(tt.k)}}
				for _, code := range tt.want {
					u, _ := r.Units.Unit(code)
					want.Choices = append(want.Choices, []flows.Choice{{Text: u.Name, Data: press(c, tt.k, code).Data()}})
				}
				if !reflect.DeepEqual(n, want) {
					t.Errorf("reply\n got %+v\nwant %+v", n, want)
				}
				// Each choice, pressed, makes an event the rules accept.
				for _, ch := range choiceList(n.Choices) {
					a, ok := flows.ParseCardAction(ch.Data)
					if !ok {
						t.Fatalf("choice data %q does not decode", ch.Data)
					}
					p := r.PressCard(c, tt.unit, a, andi)
					wantEv := flows.Event{Kind: tt.k, Actor: as(tt.unit), Target: a.Target}
					if p.Reply != nil || p.AskText || p.Event == nil || !reflect.DeepEqual(*p.Event, wantEv) {
						t.Errorf("pressing %q = %s, want event %+v", ch.Data, fmtPress(p), wantEv)
						continue
					}
					if _, err := r.Apply(c, *p.Event, at(t, "2026-12-01 10:00")); err != nil {
						t.Errorf("Apply %+v: %v", *p.Event, err)
					}
				}
			})
		}
	})

	t.Run("route with a target", func(t *testing.T) {
		c := fixture(t, r, "submitted")
		other := andi
		other.Unit = unknownUnit // whatever the channel put there, the card's unit counts
		p := r.PressCard(c, national, press(c, flows.EvRoute, regency2), other)
		want := flows.Press{Event: &flows.Event{Kind: flows.EvRoute, Actor: as(national), Target: regency2}}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("press = %s, want %s", fmtPress(p), fmtPress(want))
		}
		ch, err := r.Apply(c, *p.Event, at(t, "2026-12-01 10:00"))
		if err != nil || ch.Complaint.Unit != regency2 {
			t.Errorf("Apply: %v, unit %q", err, ch.Complaint.Unit)
		}
		// A target the card never offered is left to Apply, which refuses it.
		p = r.PressCard(c, national, press(c, flows.EvRoute, agency), andi)
		if p.Event == nil {
			t.Fatalf("press = %s, want an event", fmtPress(p))
		}
		if _, err := r.Apply(c, *p.Event, at(t, "2026-12-01 10:00")); refusal(t, err).Code != flows.ErrBadTarget {
			t.Errorf("Apply of a target that is not a regency: %v", err)
		}
	})

	t.Run("actions that need text", func(t *testing.T) {
		tests := []struct {
			fx, unit string
			k        flows.EventKind
		}{
			{"distributed", agency, flows.EvAnswer},
			{"in_progress", agency, flows.EvNotOurs},
			{"submitted", national, flows.EvArchive},
			{"routed", regency, flows.EvSendBack},
			{"in_progress", team, flows.EvFindings},
			{"ombudsman", ombudsman, flows.EvOutcome},
			{"ombudsman", agency, flows.EvAnswer},
			{"distributed", regency, flows.EvLaporID},
		}
		for _, tt := range tests {
			c := fixture(t, r, tt.fx)
			p := r.PressCard(c, tt.unit, press(c, tt.k, ""), andi)
			want := flows.Press{AskText: true, Reply: &flows.Notice{Msg: flows.MsgAskText, Tracking: c.Tracking, Ask: flows.AskReply,
				Data: map[string]string{"Event": string(tt.k)}}}
			if !reflect.DeepEqual(p, want) {
				t.Errorf("%s by %s: press = %s, want %s", tt.k, tt.unit, fmtPress(p), fmtPress(want))
			}
		}
		if flows.AskReply != "reply" {
			t.Errorf("AskReply = %q", flows.AskReply)
		}
	})

	t.Run("take", func(t *testing.T) {
		c := fixture(t, r, "in_progress")
		p := r.PressCard(c, team, press(c, flows.EvTake, ""), andi)
		want := flows.Press{Event: &flows.Event{Kind: flows.EvTake, Actor: as(team)}}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("press = %s, want %s", fmtPress(p), fmtPress(want))
		}
		ch, err := r.Apply(c, *p.Event, at(t, "2026-12-01 10:00"))
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		checkNotes(t, ch.Notices, note{agency, flows.MsgTaken})
		if n := ch.Notices[0]; n.Actor != "Andi" || n.Unit != team {
			t.Errorf("taken notice actor %q unit %q, want Andi of %q", n.Actor, n.Unit, team)
		}
		// The card is then a version behind: pressing it again is refused.
		refused(t, r.PressCard(ch.Complaint, team, press(c, flows.EvTake, ""), andi), ch.Complaint, flows.ErrAlreadyDone, nil)
	})
}

// fmtPress writes p for failure messages.
func fmtPress(p flows.Press) string {
	s := fmt.Sprintf("{AskText:%t", p.AskText)
	if p.Reply != nil {
		s += fmt.Sprintf(" Reply:%+v", *p.Reply)
	}
	if p.Event != nil {
		s += fmt.Sprintf(" Event:%+v", *p.Event)
	}
	return s + "}"
}

// TestConfirmText checks the question that shows a typed text back before it is sent.
func TestConfirmText(t *testing.T) {
	const tracking = "LPR-261130-ACDE"
	max := map[string]string{"Max": strconv.Itoa(flows.MaxText)}
	refusedWith := func(code flows.ErrorCode) flows.Notice {
		return flows.Notice{Msg: flows.MsgRefusedU, Tracking: tracking, Text: string(code), Data: max}
	}
	for _, text := range []string{"", " ", "\n\t "} {
		if got, want := flows.ConfirmText(7, tracking, flows.EvAnswer, text), refusedWith(flows.ErrTextRequired); !reflect.DeepEqual(got, want) {
			t.Errorf("ConfirmText(%q) = %+v, want %+v", text, got, want)
		}
	}
	long := strings.Repeat("é", flows.MaxText+1)
	if got, want := flows.ConfirmText(7, tracking, flows.EvAnswer, long), refusedWith(flows.ErrTextTooLong); !reflect.DeepEqual(got, want) {
		t.Errorf("ConfirmText(%d runes) = %+v, want %+v", flows.MaxText+1, got.Msg, want)
	}

	for _, text := range []string{anAnswer, "  " + anAnswer + "\n", strings.Repeat("é", flows.MaxText), " " + strings.Repeat("a", flows.MaxText) + " "} {
		got := flows.ConfirmText(7, tracking, flows.EvAnswer, text)
		want := flows.Notice{Msg: flows.MsgConfirmText, Tracking: tracking, Text: strings.TrimSpace(text),
			Data:    map[string]string{"Event": "answer"},
			Choices: [][]flows.Choice{{{Label: flows.LabelConfirm, Data: "p:7:ok"}, {Label: flows.LabelCancel, Data: "p:7:no"}}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ConfirmText(%.20q…) = %+v, want %+v", text, got.Msg, want.Msg)
		}
	}
	n := flows.ConfirmText(math.MaxInt64, tracking, flows.EvNotOurs, aReason)
	for i, ch := range choiceList(n.Choices) {
		id, confirm, ok := flows.ParsePendingData(ch.Data)
		if !ok || id != math.MaxInt64 || confirm != (i == 0) {
			t.Errorf("button %d data %q decodes to %d, %t, %t", i, ch.Data, id, confirm, ok)
		}
	}
	if n.Data["Event"] != string(flows.EvNotOurs) {
		t.Errorf("Data %v, want the event", n.Data)
	}
}

// TestGroupCommand checks the answers to commands typed in a unit's group.
func TestGroupCommand(t *testing.T) {
	if n := flows.GroupCommand("antrian", "dukcapil", nil); n.Msg != flows.MsgQueueEmpty || n.Unit != "dukcapil" {
		t.Errorf("empty queue: %+v", n)
	}
	var open []flows.Complaint
	for i := range 35 {
		open = append(open, flows.Complaint{ID: int64(i + 1), Tracking: fmt.Sprintf("ADU-261130-%04d", i), State: flows.Distributed})
	}
	n := flows.GroupCommand("status", "dukcapil", open)
	if n.Msg != flows.MsgQueue || len(n.Items) != 30 || n.Items[0].Tracking != open[0].Tracking || n.Items[0].Msg != flows.MsgStatusItem {
		t.Errorf("queue: %s with %d items", n.Msg, len(n.Items))
	}
	for _, cmd := range []string{"help", "start", "bantuan", "anything"} {
		if n := flows.GroupCommand(cmd, "dukcapil", open); n.Msg != flows.MsgGroupHelp {
			t.Errorf("%s: %s, want %s", cmd, n.Msg, flows.MsgGroupHelp)
		}
	}
}
