package flows

import "slices"

// What a person does in a chat — a card's button pressed, a text typed for a pending
// action and confirmed, a view asked for — is answered the same way whatever the
// surface: the functions below decide it from the complaint as the store loaded it and
// return a Reaction; an event they ask for is acknowledged by Rules.Apply itself, so
// that the same event applied from any surface (store.DB.Apply) says the same. The
// store only loads, applies, and writes what they return.

// Origin is where a person's action came from: the chat of a surface it was taken in,
// who took it, and the surface's reference of a press waiting for its answer. The zero
// Origin is an action from no chat (the command line, the scheduled checks): nothing
// acknowledges it.
type Origin struct {
	Channel string
	Chat    string // the chat the action was taken in
	User    string // the person, on Channel (on Telegram and WhatsApp also their private chat)
	Name    string // their display name, as they chose it
	Lang    string // their language, as the surface reports it
	Press   string // the pressed button waiting for its answer (Inbound.Press), if any
}

// Origin returns where msg came from.
func (msg Inbound) Origin() Origin {
	return Origin{Channel: msg.Channel, Chat: msg.Chat, User: msg.User, Name: msg.Name, Lang: msg.Lang, Press: msg.Press}
}

// Member returns the person of o as a member of unit's group acting for it.
func (o Origin) Member(unit string) Actor {
	return Actor{Kind: ByUnit, Unit: unit, Ref: o.User, Name: o.Name}
}

// ToOrigin addresses the chat an action came from, as the group of unit (empty for a
// group that is no unit's): the choice of units, the request for text, "done by".
func ToOrigin(unit string, o Origin) Recipient { return Recipient{Unit: unit, Origin: o} }

// ToPerson addresses the person who acted, alone, never their group.
func ToPerson(o Origin) Recipient { return Recipient{Origin: o, Person: true} }

// Tell returns n for the person of o alone: the answer to their press when they
// pressed a button (Notice.Press), else a message to them.
func (o Origin) Tell(n Notice) Notice {
	n.To, n.Press = ToPerson(o), o.Press
	return n
}

// answered returns ns with o's press answered: when o pressed a button and no notice
// of ns answers it, a bare acknowledgement is added. Every press is answered.
func (o Origin) answered(ns []Notice) []Notice {
	if o.Press == "" || slices.ContainsFunc(ns, func(n Notice) bool { return n.To.Person && n.Press == o.Press }) {
		return ns
	}
	return append(ns, o.Tell(Notice{}))
}

// Pending is a unit's action waiting for its text: begun from a card of Complaint at
// Version by the group of Unit, its text asked for as a reply to a prompt, then shown
// back to be confirmed or cancelled. Done marks one confirmed or cancelled: it is
// never offered again.
type Pending struct {
	ID        int64 // the store's; 0 for one not kept yet
	Unit      string
	Complaint int64
	Version   int
	Event     EventKind
	Target    string
	Text      string
	Done      bool
}

// Reaction is what a person's action in a chat leads to: the Notices to send now (to
// the chat it came from, ToOrigin, and to the person alone, ToPerson; a press is always
// answered), an Event to apply, and a Pending action to keep.
type Reaction struct {
	Notices []Notice
	// Event, when set, is to be applied to the complaint, checking the Version the
	// person saw (0: the rules check it against the complaint as it is). Its change
	// carries its acknowledgements (Change.Acks); when the rules refuse it, Refused
	// says what to tell the person instead. Notices is then empty.
	Event   *Event
	Version int
	// Pending, when set, is to be kept: a new one (ID 0) whose prompt is Notices[0],
	// or one whose Text or Done changed.
	Pending *Pending
}

// staleNotice is the answer to a button that no card or pending action in its chat
// offers, or to an action on a complaint the chat may not know about.
var staleNotice = Notice{Msg: MsgStaleCard, Alert: true}

// Stale tells the person of o alone that what they pressed offers nothing (see
// MsgStaleCard): a stale or tampered button, a complaint their group may not see.
func Stale(o Origin) Reaction { return Answer(o, staleNotice) }

// Answer tells n to the person of o alone, answering their press if they pressed.
func Answer(o Origin, n Notice) Reaction { return Reaction{Notices: []Notice{o.Tell(n)}} }

// AlreadyDone is the refusal of an action on a complaint that changed since the person
// saw it, naming who changed it (Data "By", from last, the complaint's latest change)
// and how ("Event"). When the change was the person's own (user, their channel
// identity), Data "Self" is "yes" and "By" is empty: nobody is told that someone else
// did what they did themselves.
func AlreadyDone(last AuditEvent, user string) *Error {
	data := map[string]string{"By": last.Actor.Name, "Event": string(last.Kind)}
	if user != "" && last.Actor.Ref == user {
		data["By"], data["Self"] = "", "yes"
	}
	return &Error{Code: ErrAlreadyDone, Data: data}
}

// Refused tells the person of o, alone and as an alert, that the rules refused their
// action on c (fe).
func Refused(c Complaint, o Origin, fe *Error) []Notice {
	return []Notice{o.Tell(Notice{Msg: MsgRefusedU, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type,
		Text: string(fe.Code), Data: fe.Data, Alert: true})}
}

// Pressed decides what a press of card action a, by the person of o in the group of
// units, does to complaint c (zero when there is none). held says the chat holds a card
// of c; last is c's latest change (its audit event), named when the card is old. The
// first of units that may take the action acts (the first of all when none may: it is
// then refused). It refuses, to the person alone, a press in a chat that holds no card
// of c (MsgStaleCard: the chat learns nothing about c, not even its tracking number),
// an old card (ErrAlreadyDone) or an action the unit may not take; it offers the units
// to choose from or asks for the action's text in the group — in c's forum topic where
// it has one — keeping the action pending; or it asks for the event.
func (r *Rules) Pressed(c Complaint, held bool, units []string, a CardAction, o Origin, last AuditEvent) Reaction {
	if c.ID == 0 || !held {
		return Stale(o)
	}
	unit := r.actingUnit(c, units, a.Event)
	if a.Version != c.Version {
		return Reaction{Notices: Refused(c, o, AlreadyDone(last, o.User))}
	}
	p := r.PressCard(c, unit, a, o.Member(unit))
	switch {
	case p.Event != nil:
		ev := *p.Event
		ev.Origin = o
		return Reaction{Event: &ev, Version: a.Version}
	case p.Reply == nil:
		return Reaction{Notices: o.answered(nil)}
	case p.Reply.Msg == MsgRefusedU:
		return Reaction{Notices: Refused(c, o, &Error{Code: ErrorCode(p.Reply.Text), Data: p.Reply.Data})}
	}
	n := *p.Reply
	n.To, n.Complaint, n.Report = ToOrigin(unit, o), c.ID, c.Type
	rx := Reaction{Notices: o.answered([]Notice{n})}
	if p.AskText {
		rx.Pending = &Pending{Unit: unit, Complaint: c.ID, Version: c.Version, Event: a.Event, Target: a.Target}
	}
	return rx
}

// actingUnit picks, among units, the one that may take action ev on c; the first one
// when none may (the rules then refuse).
func (r *Rules) actingUnit(c Complaint, units []string, ev EventKind) string {
	for _, u := range units {
		if slices.Contains(r.Actions(c, u), ev) {
			return u
		}
	}
	if len(units) == 0 {
		return ""
	}
	return units[0]
}

// ReplyPending decides what text, typed by the person of o as a reply to the prompt of
// pending action p on complaint c, does: it is kept and shown back to the group with
// buttons to confirm or cancel (see ConfirmText), in c's forum topic where it has one.
// A reply to the prompt of an action already confirmed or cancelled, or of none (p.ID
// 0), does nothing.
func ReplyPending(p Pending, c Complaint, text string, o Origin) Reaction {
	if p.ID == 0 || p.Done {
		return Reaction{}
	}
	n := ConfirmText(p.ID, c.Tracking, p.Event, text)
	n.To, n.Complaint, n.Report = ToOrigin(p.Unit, o), c.ID, c.Type
	p.Text = text
	return Reaction{Notices: o.answered([]Notice{n}), Pending: &p}
}

// ConfirmPending decides what the Send (confirm) or Cancel button under the text of
// pending action p on complaint c does, pressed by the person of o: Send asks for the
// event as that person, checked against the complaint as it now is (a colleague's
// findings or a recorded LAPOR! ID since the action began do not void it); Cancel tells
// the person it was cancelled. Either way the action is done. A confirmation that is
// unknown (p.ID 0), used, or has no text yet is stale.
func ConfirmPending(p Pending, c Complaint, confirm bool, o Origin) Reaction {
	if p.ID == 0 || p.Done || p.Text == "" {
		return Stale(o)
	}
	p.Done = true
	if !confirm {
		n := o.Tell(Notice{Msg: MsgCancelledU, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type})
		return Reaction{Notices: []Notice{n}, Pending: &p}
	}
	ev := Event{Kind: p.Event, Actor: o.Member(p.Unit), Target: p.Target, Text: p.Text, Origin: o}
	return Reaction{Event: &ev, Pending: &p}
}

// Shown decides what a view button pressed by the person of o in the group of units
// shows of complaint c (zero when there is none): what Show returns for the first of
// units that may see it, in the group (the whole NIK to the person alone); seen says
// the chat received a card of c. A group that may not see c learns nothing about it:
// the person is told the button is stale.
func (r *Rules) Shown(c Complaint, seen bool, units []string, v View, o Origin) Reaction {
	if c.ID == 0 {
		return Stale(o)
	}
	for _, unit := range units {
		if ns, ok := r.Show(c, unit, v, seen); ok {
			for i := range ns {
				if ns[i].Msg == MsgNIKShown {
					ns[i] = o.Tell(ns[i]) // the person alone, never the group
					continue
				}
				ns[i].To = ToOrigin(unit, o)
			}
			return Reaction{Notices: o.answered(ns)}
		}
	}
	return Stale(o)
}

// GroupAnswer decides the answer to command cmd typed by the person of o in the group
// of units: the chat's ID (ChatIDNotice) in any group, also one that is no unit's
// (units empty); else, in a unit's group, the answer of GroupCommand for the first
// unit, open holding the units' open complaints. A group that is no unit's gets no
// other answer.
func GroupAnswer(cmd string, units []string, open []Complaint, o Origin) Reaction {
	first := ""
	if len(units) > 0 {
		first = units[0]
	}
	var n Notice
	switch {
	case IsChatIDCommand(cmd):
		n = ChatIDNotice(o.Chat, units)
	case first == "":
		return Reaction{}
	default:
		n = GroupCommand(cmd, first, open)
	}
	n.To = ToOrigin(first, o)
	return Reaction{Notices: o.answered([]Notice{n})}
}

// Concerned returns the citizen's complaint the outcome's event is for, among mine (the
// complaints of their conversation); when it is none of theirs, ok is false and the
// citizen is told so (MsgNotYours).
func (o Outcome) Concerned(mine []Complaint) (c Complaint, notYours []Notice) {
	for _, m := range mine {
		if m.Tracking == o.Tracking {
			return m, nil
		}
	}
	return Complaint{}, []Notice{{To: ToComplainant, Msg: MsgNotYours}}
}

// CitizenRefusal tells the complainant that the rules refused what they asked (fe),
// about complaint c when there is one (zero for a report that could not be filed).
func CitizenRefusal(c Complaint, fe *Error) Notice {
	return Notice{To: ToComplainant, Msg: MsgRefused, Tracking: c.Tracking, Report: c.Type, Text: string(fe.Code), Data: fe.Data}
}

// acknowledge adds to ch what an event asked from a chat (ev.Origin) tells there: to
// the chat, as the acting unit's group, that the person did it (MsgDone: Actor their
// name, Unit the unit chosen, Data "Event") — unless the change already tells that
// unit's group who did it (archiving) —; to the person, the answer to their press. An
// event from no chat, or not by a unit's member, is acknowledged by nothing.
func (ch *Change) acknowledge(before Complaint, ev Event) {
	o := ev.Origin
	if o.Chat == "" || ev.Actor.Kind != ByUnit {
		return
	}
	told := slices.ContainsFunc(ch.Notices, func(n Notice) bool {
		return n.To.Unit != "" && n.To.Unit == ev.Actor.Unit && n.Actor != ""
	})
	var acks []Notice
	if !told {
		acks = append(acks, Notice{To: ToOrigin(ev.Actor.Unit, o), Msg: MsgDone, Complaint: before.ID, Tracking: before.Tracking,
			Report: before.Type, Actor: ev.Actor.Name, Unit: ev.Target, Data: map[string]string{"Event": string(ev.Kind)}})
	}
	ch.Acks = o.answered(acks)
}

// RefreshesCards reports whether the change moved its complaint, so that its cards in
// the groups that hold one must be shown again as it now is (no card may keep buttons
// for a version that is gone): every change but filing (no card exists yet), the
// complainant's further message (passed on, it leaves the cards as they are), the
// alerts of the scheduled checks and the end of a rating window.
func (ch Change) RefreshesCards() bool {
	return ch.Complaint.ID != 0 && refreshesCards(ch.Audit.Kind)
}

// refreshesCards reports whether a change of the kind shows the complaint's cards
// again. One that does not keeps the complaint's version (Rules.Apply), so that the
// buttons those cards carry stay good.
func refreshesCards(k EventKind) bool {
	switch k {
	case EvFile, EvAddInfo, EvRemind, EvOverdue, EvWarn, EvRatingClosed:
		return false
	}
	return true
}
