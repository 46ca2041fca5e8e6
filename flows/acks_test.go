package flows_test

import (
	"reflect"
	"slices"
	"testing"

	"aduan/flows"
)

// via is a press in a unit's group chat, as a surface reports it.
var via = flows.Origin{Channel: "telegram", Chat: "-100200", User: "7001", Name: "Andi", Lang: "en", Press: "cq-1"}

// heard writes notices as "<where> <msg>": where is "chat:<unit>" for the chat an
// action came from (as the unit's group), "person" for the person alone, the unit or
// "complainant" otherwise; msg is "ack" for a bare acknowledgement of a press.
func heard(ns []flows.Notice) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		var where string
		switch {
		case n.To.Person:
			where = "person"
		case n.To.Origin.Chat != "":
			where = "chat:" + n.To.Unit
		case n.To.Complainant:
			where = "complainant"
		default:
			where = n.To.Unit
		}
		msg := string(n.Msg)
		if msg == "" {
			msg = "ack"
		}
		out = append(out, where+" "+msg)
	}
	return out
}

// checkHeard fails unless ns are want (see heard), each addressed from o and, for the
// person, answering o's press.
func checkHeard(t *testing.T, ns []flows.Notice, o flows.Origin, want ...string) {
	t.Helper()
	if got := heard(ns); !slices.Equal(got, want) {
		t.Errorf("notices = %q, want %q", got, want)
	}
	for _, n := range ns {
		if (n.To.Person || n.To.Origin.Chat != "") && n.To.Origin != o {
			t.Errorf("%s addressed from %+v, want %+v", n.Msg, n.To.Origin, o)
		}
		if n.To.Person && n.Press != o.Press {
			t.Errorf("%s to the person answers press %q, want %q", n.Msg, n.Press, o.Press)
		}
	}
}

// TestAcknowledge checks what every unit's action tells the chat it was taken in and
// the person who took it, and that an event asked from no chat, or not by a unit's
// member, is acknowledged by nothing.
func TestAcknowledge(t *testing.T) {
	r := wideRules(t)
	done := func(unit string) string { return "chat:" + unit + " " + string(flows.MsgDone) }
	const ack = "person ack"
	tests := []struct {
		name string
		fx   string
		ev   flows.Event
		want []string
	}{
		{"route", "submitted", route(regency), []string{done(national), ack}},
		{"archive by the national admin", "submitted", archive(national), []string{ack}}, // MsgArchivedU names who
		{"distribute", "routed", distribute(agency), []string{done(regency), ack}},
		{"send back", "routed", sendBack(), []string{done(regency), ack}}, // MsgReturned names who, to the parent
		{"archive by the regency", "routed", archive(regency), []string{ack}},
		{"task", "distributed", task(team), []string{done(agency), ack}},
		{"answer", "distributed", answer(), []string{done(agency), ack}},
		{"not ours", "in_progress", notOurs(), []string{done(agency), ack}},
		{"take", "in_progress", take(team), []string{done(team), ack}}, // MsgTaken names who, to the agency
		{"findings", "in_progress", findings(), []string{done(team), ack}},
		{"answer at the Ombudsman", "ombudsman", answer(), []string{done(agency), ack}},
		{"outcome", "ombudsman", outcome(), []string{done(ombudsman), ack}},
		{"LAPOR! ID", "distributed", laporID(regency, goodLaporID), []string{done(regency), ack}},
	}
	when := at(t, "2026-12-01 10:00")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture(t, r, tt.fx)
			plain, err := r.Apply(c, tt.ev, when)
			if err != nil {
				t.Fatal(err)
			}
			if plain.Acks != nil {
				t.Errorf("an event from no chat: acks %q", heard(plain.Acks))
			}
			ev := tt.ev
			ev.Origin = via
			ch, err := r.Apply(c, ev, when)
			if err != nil {
				t.Fatal(err)
			}
			checkHeard(t, ch.Acks, via, tt.want...)
			if !reflect.DeepEqual(ch.Notices, plain.Notices) || !reflect.DeepEqual(ch.Complaint, plain.Complaint) || !reflect.DeepEqual(ch.Audit, plain.Audit) {
				t.Errorf("the origin changed more than the acks")
			}
			for _, n := range ch.Acks {
				if n.Msg != flows.MsgDone {
					continue
				}
				want := flows.Notice{To: flows.ToOrigin(ev.Actor.Unit, via), Msg: flows.MsgDone, Complaint: c.ID, Tracking: c.Tracking,
					Report: c.Type, Actor: ev.Actor.Name, Unit: ev.Target, Data: map[string]string{"Event": string(ev.Kind)}}
				if !reflect.DeepEqual(n, want) {
					t.Errorf("done\n got %+v\nwant %+v", n, want)
				}
			}

			// Not a press (a confirmation typed, a surface without buttons): nothing to answer.
			ev.Origin.Press = ""
			ch, err = r.Apply(c, ev, when)
			if err != nil {
				t.Fatal(err)
			}
			checkHeard(t, ch.Acks, ev.Origin, slices.DeleteFunc(slices.Clone(tt.want), func(s string) bool { return s == ack })...)
		})
	}

	t.Run("not by a unit's member", func(t *testing.T) {
		for _, tt := range []struct {
			fx string
			ev flows.Event
		}{
			{"answered", reply()}, {"answered", satisfied()}, {"answered", autoClose()}, {"distributed", handover()},
		} {
			c := fixture(t, r, tt.fx)
			ev := tt.ev
			ev.Origin = via
			ch, err := r.Apply(c, ev, when)
			if err != nil {
				t.Fatalf("%s: %v", ev.Kind, err)
			}
			if ch.Acks != nil {
				t.Errorf("%s: acks %q", ev.Kind, heard(ch.Acks))
			}
		}
	})
}

// TestPressed checks what a press of a card's button leads to, to whom.
func TestPressed(t *testing.T) {
	r := wideRules(t)
	press := func(c flows.Complaint, k flows.EventKind, target string) flows.CardAction {
		return flows.CardAction{Event: k, Complaint: c.ID, Version: c.Version, Target: target}
	}
	refusedWith := func(t *testing.T, rx flows.Reaction, c flows.Complaint, code flows.ErrorCode, data map[string]string) {
		t.Helper()
		want := flows.Reaction{Notices: []flows.Notice{{To: flows.ToPerson(via), Press: via.Press, Msg: flows.MsgRefusedU, Alert: true,
			Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, Text: string(code), Data: data}}}
		if !reflect.DeepEqual(rx, want) {
			t.Errorf("reaction\n got %+v\nwant %+v", rx, want)
		}
	}
	stale := flows.Reaction{Notices: []flows.Notice{{To: flows.ToPerson(via), Press: via.Press, Msg: flows.MsgStaleCard, Alert: true}}}

	t.Run("no such complaint, or no card of it in the chat", func(t *testing.T) {
		c := fixture(t, r, "routed")
		for _, tt := range []struct {
			c    flows.Complaint
			held bool
		}{{flows.Complaint{}, false}, {flows.Complaint{}, true}, {c, false}} {
			if rx := r.Pressed(tt.c, tt.held, []string{regency}, press(c, flows.EvDistribute, agency), via, flows.AuditEvent{}); !reflect.DeepEqual(rx, stale) {
				t.Errorf("complaint %d, held %t: %+v, want the stale answer", tt.c.ID, tt.held, rx)
			}
		}
	})

	t.Run("an old card", func(t *testing.T) {
		c := fixture(t, r, "distributed")
		a := press(c, flows.EvAnswer, "")
		a.Version--
		last := flows.AuditEvent{Kind: flows.EvDistribute, Actor: flows.Actor{Kind: flows.ByUnit, Unit: regency, Ref: "7009", Name: "Rina"}}
		refusedWith(t, r.Pressed(c, true, []string{agency}, a, via, last), c, flows.ErrAlreadyDone, map[string]string{"By": "Rina", "Event": "distribute"})
		// The person's own change: nobody else is named.
		last.Actor.Ref = via.User
		refusedWith(t, r.Pressed(c, true, []string{agency}, a, via, last), c, flows.ErrAlreadyDone, map[string]string{"By": "", "Event": "distribute", "Self": "yes"})
	})

	t.Run("an action the unit may not take", func(t *testing.T) {
		c := fixture(t, r, "distributed")
		refusedWith(t, r.Pressed(c, true, []string{regency}, press(c, flows.EvAnswer, ""), via, flows.AuditEvent{}), c,
			flows.ErrNotYourTurn, map[string]string{"Event": "answer"})
	})

	t.Run("choose a unit", func(t *testing.T) {
		c := fixture(t, r, "routed")
		rx := r.Pressed(c, true, []string{regency}, press(c, flows.EvDistribute, ""), via, flows.AuditEvent{})
		checkHeard(t, rx.Notices, via, "chat:"+regency+" "+string(flows.MsgChooseTarget), "person ack")
		if n := rx.Notices[0]; n.Complaint != c.ID || n.Report != c.Type || n.Tracking != c.Tracking || len(n.Choices) != 2 {
			t.Errorf("choice %+v: want complaint %d of type %s with its two agencies", n, c.ID, c.Type)
		}
		if rx.Event != nil || rx.Pending != nil {
			t.Errorf("event %+v, pending %+v: want neither", rx.Event, rx.Pending)
		}
	})

	t.Run("ask for the text", func(t *testing.T) {
		c := fixture(t, r, "routed")
		rx := r.Pressed(c, true, []string{regency}, press(c, flows.EvSendBack, ""), via, flows.AuditEvent{})
		checkHeard(t, rx.Notices, via, "chat:"+regency+" "+string(flows.MsgAskText), "person ack")
		if n := rx.Notices[0]; n.Ask != flows.AskReply || n.Complaint != c.ID || n.Report != c.Type {
			t.Errorf("prompt %+v: want a reply asked about complaint %d", n, c.ID)
		}
		want := &flows.Pending{Unit: regency, Complaint: c.ID, Version: c.Version, Event: flows.EvSendBack}
		if rx.Event != nil || !reflect.DeepEqual(rx.Pending, want) {
			t.Errorf("event %+v, pending %+v: want pending %+v", rx.Event, rx.Pending, want)
		}
	})

	t.Run("the event, by the unit that may take it", func(t *testing.T) {
		c := fixture(t, r, "in_progress")
		// A chat that is the group of the agency and its team: the team takes the task.
		for _, units := range [][]string{{team}, {agency, team}} {
			rx := r.Pressed(c, true, units, press(c, flows.EvTake, ""), via, flows.AuditEvent{})
			want := flows.Reaction{Event: &flows.Event{Kind: flows.EvTake, Actor: via.Member(team), Origin: via}, Version: c.Version}
			if !reflect.DeepEqual(rx, want) {
				t.Errorf("units %v: %+v, want %+v", units, rx, want)
			}
			ch, err := r.Apply(c, *rx.Event, at(t, "2026-12-01 10:00"))
			if err != nil {
				t.Fatal(err)
			}
			checkHeard(t, ch.Acks, via, "chat:"+team+" "+string(flows.MsgDone), "person ack")
		}
	})

	t.Run("not a press", func(t *testing.T) {
		typed := via
		typed.Press = ""
		c := fixture(t, r, "routed")
		rx := r.Pressed(c, true, []string{regency}, press(c, flows.EvDistribute, ""), typed, flows.AuditEvent{})
		checkHeard(t, rx.Notices, typed, "chat:"+regency+" "+string(flows.MsgChooseTarget))
		rx = r.Pressed(c, false, []string{regency}, press(c, flows.EvDistribute, ""), typed, flows.AuditEvent{})
		checkHeard(t, rx.Notices, typed, "person "+string(flows.MsgStaleCard))
	})
}

// TestPendingActions checks a pending action's text typed as a reply, then confirmed or
// cancelled.
func TestPendingActions(t *testing.T) {
	r := wideRules(t)
	c := fixture(t, r, "distributed")
	p := flows.Pending{ID: 9, Unit: agency, Complaint: c.ID, Version: c.Version, Event: flows.EvAnswer}
	typed := via
	typed.Press = ""

	t.Run("reply", func(t *testing.T) {
		for _, q := range []flows.Pending{{}, {ID: 9, Done: true}} {
			if rx := flows.ReplyPending(q, c, anAnswer, typed); !reflect.DeepEqual(rx, flows.Reaction{}) {
				t.Errorf("a reply to pending %+v: %+v, want nothing", q, rx)
			}
		}
		rx := flows.ReplyPending(p, c, "  "+anAnswer, typed)
		want := flows.ConfirmText(p.ID, c.Tracking, p.Event, anAnswer)
		want.To, want.Complaint, want.Report = flows.ToOrigin(agency, typed), c.ID, c.Type
		kept := p
		kept.Text = "  " + anAnswer
		if !reflect.DeepEqual(rx, flows.Reaction{Notices: []flows.Notice{want}, Pending: &kept}) {
			t.Errorf("reply: %+v\nwant %+v, pending %+v", rx, want, kept)
		}
		// A text that cannot be used is refused in the group, so that it can reply again.
		rx = flows.ReplyPending(p, c, " ", typed)
		checkHeard(t, rx.Notices, typed, "chat:"+agency+" "+string(flows.MsgRefusedU))
	})

	t.Run("confirm", func(t *testing.T) {
		p := p
		p.Text = anAnswer
		stale := flows.Stale(via)
		checkHeard(t, stale.Notices, via, "person "+string(flows.MsgStaleCard))
		for _, q := range []flows.Pending{{}, {ID: 9, Unit: agency, Text: anAnswer, Done: true}, {ID: 9, Unit: agency}} {
			for _, confirm := range []bool{true, false} {
				if rx := flows.ConfirmPending(q, c, confirm, via); !reflect.DeepEqual(rx, stale) {
					t.Errorf("pending %+v, confirm %t: %+v, want the stale answer", q, confirm, rx)
				}
			}
		}
		used := p
		used.Done = true
		rx := flows.ConfirmPending(p, c, false, via)
		checkHeard(t, rx.Notices, via, "person "+string(flows.MsgCancelledU))
		if n := rx.Notices[0]; n.Complaint != c.ID || n.Tracking != c.Tracking || n.Report != c.Type || rx.Event != nil || !reflect.DeepEqual(rx.Pending, &used) {
			t.Errorf("cancel: %+v, want the cancellation of complaint %d and pending %+v", rx, c.ID, used)
		}
		rx = flows.ConfirmPending(p, c, true, via)
		wantEv := flows.Event{Kind: flows.EvAnswer, Actor: via.Member(agency), Text: anAnswer, Origin: via}
		if !reflect.DeepEqual(rx, flows.Reaction{Event: &wantEv, Pending: &used}) {
			t.Errorf("confirm: %+v, want event %+v with pending %+v", rx, wantEv, used)
		}
		ch, err := r.Apply(c, *rx.Event, at(t, "2026-12-01 10:00"))
		if err != nil {
			t.Fatal(err)
		}
		checkHeard(t, ch.Acks, via, "chat:"+agency+" "+string(flows.MsgDone), "person ack")
	})
}

// TestShown checks who sees what a view button shows, and where.
func TestShown(t *testing.T) {
	r := wideRules(t)
	c := fixture(t, r, "distributed")
	card := flows.View{What: flows.ViewCard, Complaint: c.ID}
	stale := flows.Stale(via)
	if rx := r.Shown(flows.Complaint{}, true, []string{agency}, card, via); !reflect.DeepEqual(rx, stale) {
		t.Errorf("no complaint: %+v", rx)
	}
	if rx := r.Shown(c, false, []string{other}, card, via); !reflect.DeepEqual(rx, stale) {
		t.Errorf("a sibling agency that never had its card: %+v", rx)
	}
	// The first of the chat's units that may see it shows it.
	for _, units := range [][]string{{agency}, {other, agency}} {
		rx := r.Shown(c, false, units, card, via)
		checkHeard(t, rx.Notices, via, "chat:"+agency+" "+string(flows.MsgCard), "person ack")
	}
	// A group that received a card of the complaint may see it.
	checkHeard(t, r.Shown(c, true, []string{other}, card, via).Notices, via, "chat:"+other+" "+string(flows.MsgCard), "person ack")
	// The record is the Ombudsman liaison's.
	rec := flows.View{What: flows.ViewRecord, Complaint: c.ID}
	if rx := r.Shown(c, true, []string{agency}, rec, via); !reflect.DeepEqual(rx, stale) {
		t.Errorf("the record to the agency: %+v", rx)
	}
}

// TestGroupAnswer checks the answers to commands typed in a group, and where they go.
func TestGroupAnswer(t *testing.T) {
	typed := via
	typed.Press = ""
	rx := flows.GroupAnswer("id", nil, nil, typed)
	checkHeard(t, rx.Notices, typed, "chat: "+string(flows.MsgChatID))
	if rx.Notices[0].Text != typed.Chat {
		t.Errorf("chat ID notice %+v does not name the chat %s", rx.Notices[0], typed.Chat)
	}
	if rx := flows.GroupAnswer("antrian", nil, nil, typed); !reflect.DeepEqual(rx, flows.Reaction{}) {
		t.Errorf("a group of no unit: %+v, want nothing", rx)
	}
	checkHeard(t, flows.GroupAnswer("id", []string{agency, team}, nil, typed).Notices, typed, "chat:"+agency+" "+string(flows.MsgChatID))
	checkHeard(t, flows.GroupAnswer("antrian", []string{agency, team}, nil, typed).Notices, typed, "chat:"+agency+" "+string(flows.MsgQueueEmpty))
	checkHeard(t, flows.GroupAnswer("help", []string{agency}, nil, typed).Notices, typed, "chat:"+agency+" "+string(flows.MsgGroupHelp))
}

// TestCitizenAcks checks what the citizen is told when the event their conversation
// asked for concerns no complaint of theirs, or is refused.
func TestCitizenAcks(t *testing.T) {
	r := wideRules(t)
	c := fixture(t, r, "answered")
	elsewise := fixture(t, r, "routed")
	elsewise.ID, elsewise.Tracking = c.ID+1, "KKR-261130-OTHR"
	o := flows.Outcome{Event: &flows.Event{Kind: flows.EvSatisfied}, Tracking: c.Tracking}
	if got, none := o.Concerned([]flows.Complaint{elsewise, c}); got.ID != c.ID || none != nil {
		t.Errorf("Concerned = %d, %+v; want complaint %d", got.ID, none, c.ID)
	}
	got, none := o.Concerned([]flows.Complaint{elsewise})
	checkNotes(t, none, note{"complainant", flows.MsgNotYours})
	if got.ID != 0 {
		t.Errorf("Concerned = %d, want none", got.ID)
	}
	fe := &flows.Error{Code: flows.ErrAlreadyRated}
	want := flows.Notice{To: flows.ToComplainant, Msg: flows.MsgRefused, Tracking: c.Tracking, Report: c.Type, Text: string(fe.Code)}
	if n := flows.CitizenRefusal(c, fe); !reflect.DeepEqual(n, want) {
		t.Errorf("CitizenRefusal = %+v, want %+v", n, want)
	}
}

// TestRefreshesCards checks which changes refresh their complaint's cards.
func TestRefreshesCards(t *testing.T) {
	for _, k := range []flows.EventKind{flows.EvRoute, flows.EvArchive, flows.EvDistribute, flows.EvSendBack, flows.EvTask, flows.EvAnswer,
		flows.EvNotOurs, flows.EvTake, flows.EvFindings, flows.EvReply, flows.EvSatisfied, flows.EvAutoClose, flows.EvHandover,
		flows.EvOutcome, flows.EvRate, flows.EvLaporID} {
		if !(flows.Change{Complaint: flows.Complaint{ID: 1}, Audit: flows.AuditEvent{Kind: k}}).RefreshesCards() {
			t.Errorf("%s does not refresh the cards", k)
		}
	}
	for _, k := range []flows.EventKind{flows.EvFile, flows.EvAddInfo, flows.EvRemind, flows.EvOverdue, flows.EvWarn} {
		if (flows.Change{Complaint: flows.Complaint{ID: 1}, Audit: flows.AuditEvent{Kind: k}}).RefreshesCards() {
			t.Errorf("%s refreshes the cards", k)
		}
	}
	if (flows.Change{Audit: flows.AuditEvent{Kind: flows.EvRoute}}).RefreshesCards() {
		t.Errorf("a change of no stored complaint refreshes cards")
	}
}
