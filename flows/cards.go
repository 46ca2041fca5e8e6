package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A card is the message about one complaint in a unit's group: its summary, state,
// deadline and the buttons of what the unit may do now. Pressing a button sends back a
// CardAction; actions that need a unit to be chosen offer the choice first, and those
// that need text ask for it as a reply, then ask to confirm it.

// Messages of the groups' side.
const (
	MsgCard          MsgID = "card.body"          // the card itself (rendered by the channel from the complaint)
	MsgChooseTarget  MsgID = "card.choose_target" // Tracking; Data: Event (the action's label)
	MsgAskText       MsgID = "card.ask_text"      // Tracking; Data: Event; reply to this message with the text
	MsgConfirmText   MsgID = "card.confirm_text"  // Tracking, Text; Data: Event
	MsgDone          MsgID = "card.done"          // Tracking, Actor; Data: Event: the action took effect
	MsgCancelledU    MsgID = "card.cancelled"     // the pending action was cancelled
	MsgRefusedU      MsgID = "card.refused"       // Text: the refusal's message ID; Data: the refusal's data
	MsgTaken         MsgID = "unit.taken"         // to the agency: Actor of Unit (the team) took the task
	MsgStaleCard     MsgID = "card.stale"         // a button from an old card or another group
	MsgNotMemberHint MsgID = "card.not_for_you"   // the group is not the unit whose turn it is
	MsgGroupHelp     MsgID = "card.help"          // /help in a group: how the cards work; Unit
	MsgQueue         MsgID = "card.queue"         // /antrian in a group: Items, one MsgStatusItem per open complaint; Unit
	MsgQueueEmpty    MsgID = "card.queue_empty"   // /antrian with nothing open; Unit
	MsgFiles         MsgID = "card.files"         // Tracking, Files (all of one kind); Data: From, Total (their numbers among the complaint's attachments)
	MsgFullText      MsgID = "card.full_text"     // Tracking, Text: the whole description, as the group may read it; Data: Masked
	MsgRecord        MsgID = "card.record"        // Tracking: the whole record of the complaint, a document the channel renders from the store
	MsgNoFiles       MsgID = "card.no_files"      // Tracking: the complaint has no attachments
	MsgNIKShown      MsgID = "card.nik"           // to the person who pressed LabelNIK alone: Tracking, Text (the whole NIK), Unit (theirs)
)

// Labels of the buttons that show more of a complaint without changing it.
const (
	LabelFiles  = MsgID("card.button_files")  // send the attachments again
	LabelMore   = MsgID("card.button_more")   // the whole description
	LabelRecord = MsgID("card.button_record") // the whole record (the Ombudsman liaison)
	LabelShow   = MsgID("card.button_show")   // Text: the tracking number; show the card again (/antrian)
	LabelNIK    = MsgID("card.button_nik")    // the whole NIK, to the person who pressed alone (see MayRevealNIK)
)

// CardBodyMax is the most characters of the description a card shows; a longer one is
// cut, and the card offers the whole text (LabelMore).
const CardBodyMax = 700

// The things a View shows.
const (
	ViewFiles  = "files"  // the attachments, as sent with the card
	ViewMore   = "more"   // the whole description
	ViewCard   = "card"   // the card itself, as a new message
	ViewRecord = "record" // the whole record, as a document
	ViewNIK    = "nik"    // the whole NIK, to the person alone
)

// View is what a button that shows more of a complaint carries: "v:<what>:<id>".
type View struct {
	What      string
	Complaint int64
}

// Data encodes the view as button data.
func (v View) Data() string { return "v:" + v.What + ":" + strconv.FormatInt(v.Complaint, 10) }

// ParseView decodes View.Data; ok is false for anything else.
func ParseView(data string) (v View, ok bool) {
	p := strings.Split(data, ":")
	if len(p) != 3 || p[0] != "v" {
		return v, false
	}
	switch p[1] {
	case ViewFiles, ViewMore, ViewCard, ViewRecord, ViewNIK:
	default:
		return v, false
	}
	id, err := strconv.ParseInt(p[2], 10, 64)
	if err != nil || id <= 0 {
		return v, false
	}
	return View{What: p[1], Complaint: id}, true
}

// MayView reports whether the group of unit may see complaint c's card, files and
// description: the unit holds it or is its technical team, it is above the holder in
// the tree, or it is the Ombudsman liaison of a complaint handed over. (A group that
// received a card of the complaint may too; the store knows that.)
func (r *Rules) MayView(c Complaint, unit string) bool {
	u, ok := r.Units.Unit(unit)
	switch {
	case !ok:
		return false
	case c.Unit == unit, c.Team != "" && c.Team == unit:
		return true
	case u.Kind == Ombudsman:
		return c.State == AtOmbudsman
	}
	return r.Units.IsAncestor(unit, c.Unit)
}

// MayRevealNIK reports whether a member of unit may see the whole NIK of c, to trace
// its population record: c has one, the unit is the one whose turn it is or the
// technical team tasked, and it may see the complainant's identity (not for a
// confidential complaint at the agency or its teams, never for an anonymous one).
// Everyone else sees NIK.Masked at most.
func (r *Rules) MayRevealNIK(c Complaint, unit string) bool {
	u, ok := r.Units.Unit(unit)
	return ok && c.Contact.NIK != "" && (c.Unit == unit || c.Team != "" && c.Team == unit) && !c.HidesIdentity(u)
}

// Show returns what a view button pressed in the group of unit shows: the card again,
// the attachments, the whole description, (for the Ombudsman liaison) the record, or
// the whole NIK (MsgNIKShown, for the person who pressed alone; see MayRevealNIK).
// ok is false when the group may not see it (see MayView; seen says the group received
// a card of c before).
func (r *Rules) Show(c Complaint, unit string, v View, seen bool) (ns []Notice, ok bool) {
	if !seen && !r.MayView(c, unit) {
		return nil, false
	}
	viewer, _ := r.Units.Unit(unit)
	switch v.What {
	case ViewNIK:
		if !r.MayRevealNIK(c, unit) {
			return nil, false
		}
		return []Notice{{Msg: MsgNIKShown, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, Unit: unit,
			Text: string(c.Contact.NIK), Alert: true}}, true
	case ViewCard:
		return []Notice{{Msg: MsgCard, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, State: c.State, Card: true}}, true
	case ViewFiles:
		if ns = FileNotices(c); len(ns) == 0 {
			return []Notice{{Msg: MsgNoFiles, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type}}, true
		}
		return ns, true
	case ViewMore:
		return []Notice{FullText(c, viewer)}, true
	case ViewRecord:
		if viewer.Kind != Ombudsman {
			return nil, false
		}
		return []Notice{{Msg: MsgRecord, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, State: c.State}}, true
	}
	return nil, false
}

// FullText returns the whole description of c as members of unit viewer may read it.
func FullText(c Complaint, viewer Unit) Notice {
	body, masked := c.TextFor(viewer, strings.TrimSpace(c.Body))
	n := Notice{Msg: MsgFullText, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, State: c.State, Text: body}
	if masked {
		n.Data = map[string]string{"Masked": "yes"}
	}
	return n
}

// maxAlbum is the most files one message (an album) carries.
const maxAlbum = 10

// FileNotices returns the messages that carry c's attachments to a unit's group, in the
// order they were sent: the photos together, the documents together (up to ten to a
// message), and each location on its own; none when c has no attachment.
func FileNotices(c Complaint) []Notice {
	var out []Notice
	total := strconv.Itoa(len(c.Attachment))
	add := func(from int, files []Attachment) {
		out = append(out, Notice{Msg: MsgFiles, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, State: c.State, Due: c.Due, Files: files,
			Data: map[string]string{"From": strconv.Itoa(from + 1), "Total": total}})
	}
	var group []Attachment
	first := 0
	flush := func() {
		if len(group) > 0 {
			add(first, group)
			group = nil
		}
	}
	for i, a := range c.Attachment {
		switch {
		case a.Kind == "location":
			flush()
			add(i, []Attachment{a})
			continue
		case len(group) > 0 && (group[0].Kind != a.Kind || len(group) == maxAlbum):
			flush()
		}
		if len(group) == 0 {
			first = i
		}
		group = append(group, a)
	}
	flush()
	return out
}

// GroupCommand returns the answer to a command typed in the group of unit: the list
// of its open complaints (oldest deadline first) for "antrian" and "status", how the
// cards work for anything else. open holds the unit's open complaints.
func GroupCommand(cmd, unit string, open []Complaint) Notice {
	switch cmd {
	case "antrian", "status", "queue":
		if len(open) == 0 {
			return Notice{Msg: MsgQueueEmpty, Unit: unit}
		}
		n := Notice{Msg: MsgQueue, Unit: unit}
		for i, c := range open {
			if i == 30 {
				break
			}
			n.Items = append(n.Items, Notice{Msg: MsgStatusItem, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, State: c.State, Due: c.Due})
			// Each entry's button shows its card again, current, below the list.
			ch := Choice{Label: LabelShow, Text: c.Tracking, Data: View{ViewCard, c.ID}.Data()}
			if i%2 == 0 {
				n.Choices = append(n.Choices, []Choice{ch})
			} else {
				n.Choices[len(n.Choices)-1] = append(n.Choices[len(n.Choices)-1], ch)
			}
		}
		return n
	}
	return Notice{Msg: MsgGroupHelp, Unit: unit}
}

// Labels of the card's buttons: "action.<event>", and these.
const (
	LabelConfirm MsgID = "choice.confirm"
)

// CardAction is what a card's button carries: an event on a complaint as its card
// showed it (the version), and the unit chosen for route, distribute and task.
type CardAction struct {
	Event     EventKind
	Complaint int64
	Version   int
	Target    string
}

// Data encodes the action as button data: "a:<event>:<id>:<version>[:<target>]". It
// always fits Telegram's 64 bytes: the longest event name (13 bytes with its prefix),
// the largest ID (19 digits) and version (10 digits) leave 20 for the unit code, the
// longest NewDirectory accepts.
func (a CardAction) Data() string {
	s := fmt.Sprintf("a:%s:%d:%d", a.Event, a.Complaint, a.Version)
	if a.Target != "" {
		s += ":" + a.Target
	}
	return s
}

// ParseCardAction decodes button data made by CardAction.Data. ok is false for anything
// else, including tampered data.
func ParseCardAction(data string) (a CardAction, ok bool) {
	p := strings.Split(data, ":")
	if len(p) < 4 || len(p) > 5 || p[0] != "a" {
		return a, false
	}
	id, err1 := strconv.ParseInt(p[2], 10, 64)
	v, err2 := strconv.Atoi(p[3])
	if err1 != nil || err2 != nil || id <= 0 || v <= 0 {
		return a, false
	}
	a = CardAction{Event: EventKind(p[1]), Complaint: id, Version: v}
	if len(p) == 5 {
		if !unitCode.MatchString(p[4]) {
			return CardAction{}, false
		}
		a.Target = p[4]
	}
	if _, known := transitions[a.Event]; !known {
		return CardAction{}, false
	}
	return a, true
}

// PendingData encodes the confirmation buttons of a pending text: "p:<id>:ok|no".
func PendingData(id int64, ok bool) string {
	if ok {
		return "p:" + strconv.FormatInt(id, 10) + ":ok"
	}
	return "p:" + strconv.FormatInt(id, 10) + ":no"
}

// ParsePendingData decodes PendingData.
func ParsePendingData(data string) (id int64, confirm bool, ok bool) {
	p := strings.Split(data, ":")
	if len(p) != 3 || p[0] != "p" || (p[2] != "ok" && p[2] != "no") {
		return 0, false, false
	}
	id, err := strconv.ParseInt(p[1], 10, 64)
	return id, p[2] == "ok", err == nil && id > 0
}

// CardChoices returns the buttons of c's card in the group of unit: one per action
// Rules.Actions allows that unit now, two to a row; then, while the unit may act, a row
// to see more of the complaint: its attachments again (when it has any), its whole
// description (when the card cuts it, see CardBodyMax), its whole NIK (see
// MayRevealNIK) and, for the Ombudsman liaison, its whole record.
func (r *Rules) CardChoices(c Complaint, unit string) [][]Choice {
	var rows [][]Choice
	actions := r.Actions(c, unit)
	for i, k := range actions {
		ch := Choice{Label: MsgID("action." + string(k)), Data: CardAction{Event: k, Complaint: c.ID, Version: c.Version}.Data()}
		if i%2 == 0 {
			rows = append(rows, []Choice{ch})
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], ch)
		}
	}
	if len(actions) == 0 {
		return rows
	}
	var more []Choice
	if len(c.Attachment) > 0 {
		more = append(more, Choice{Label: LabelFiles, Data: View{ViewFiles, c.ID}.Data()})
	}
	if utf8.RuneCountInString(strings.TrimSpace(c.Body)) > CardBodyMax {
		more = append(more, Choice{Label: LabelMore, Data: View{ViewMore, c.ID}.Data()})
	}
	if r.MayRevealNIK(c, unit) {
		more = append(more, Choice{Label: LabelNIK, Data: View{ViewNIK, c.ID}.Data()})
	}
	if u, ok := r.Units.Unit(unit); ok && u.Kind == Ombudsman {
		more = append(more, Choice{Label: LabelRecord, Data: View{ViewRecord, c.ID}.Data()})
	}
	if len(more) > 0 {
		rows = append(rows, more)
	}
	return rows
}

// Press is what pressing a card button leads to.
type Press struct {
	Reply   *Notice // to the group: a choice of units, a request for text, or a refusal
	Event   *Event  // the event to make happen now
	AskText bool    // the group was asked for text: the action waits for it (see Rules.Pressed)
}

// PressCard decides what a press of action a by actor, in the group of unit, does to
// complaint c: refuse it (an old card, an action the unit may not take), offer the
// units to choose from, ask for the text the action needs, or make it happen.
func (r *Rules) PressCard(c Complaint, unit string, a CardAction, actor Actor) Press {
	refuse := func(e *Error) Press {
		return Press{Reply: &Notice{Msg: MsgRefusedU, Tracking: c.Tracking, Text: string(e.Code), Data: e.Data}}
	}
	if a.Version != c.Version {
		return refuse(&Error{Code: ErrAlreadyDone})
	}
	if !slices.Contains(r.Actions(c, unit), a.Event) {
		return refuse(&Error{Code: ErrNotYourTurn, Data: map[string]string{"Event": string(a.Event)}})
	}
	actor.Unit = unit
	t := transitions[a.Event]
	if t.target != "" && a.Target == "" {
		n := &Notice{Msg: MsgChooseTarget, Tracking: c.Tracking, Data: map[string]string{"Event": string(a.Event)}}
		for _, u := range r.Units.Children(c.Unit) {
			if u.Kind == t.target {
				n.Choices = append(n.Choices, []Choice{{Text: u.Name, Data: CardAction{a.Event, c.ID, c.Version, u.Code}.Data()}})
			}
		}
		if len(n.Choices) == 0 {
			return refuse(&Error{Code: ErrBadTarget})
		}
		return Press{Reply: n}
	}
	if t.text == needText || t.text == needReason {
		return Press{AskText: true, Reply: &Notice{Msg: MsgAskText, Tracking: c.Tracking, Ask: AskReply,
			Data: map[string]string{"Event": string(a.Event)}}}
	}
	return Press{Event: &Event{Kind: a.Event, Actor: actor, Target: a.Target}}
}

// ConfirmText returns the question that shows text typed for a pending action back to
// the group with Confirm and Cancel buttons, or a refusal when the text cannot be used:
// empty, too long, or for EvLaporID not a LAPOR! ID (see NormalizeLaporID).
func ConfirmText(pending int64, tracking string, ev EventKind, text string) Notice {
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxText {
		code := ErrTextRequired
		if n > 0 {
			code = ErrTextTooLong
		}
		return Notice{Msg: MsgRefusedU, Tracking: tracking, Text: string(code), Data: map[string]string{"Max": strconv.Itoa(MaxText)}}
	}
	if ev == EvLaporID {
		// Checked as typed, so the group can reply again at once, not after confirming.
		if text = NormalizeLaporID(text); !laporID.MatchString(text) {
			return Notice{Msg: MsgRefusedU, Tracking: tracking, Text: string(ErrBadLaporID), Data: map[string]string{"Event": string(ev)}}
		}
	}
	return Notice{Msg: MsgConfirmText, Tracking: tracking, Text: text, Data: map[string]string{"Event": string(ev)},
		Choices: [][]Choice{{{Label: LabelConfirm, Data: PendingData(pending, true)}, {Label: LabelCancel, Data: PendingData(pending, false)}}}}
}

// AskReply marks a message to be answered with a reply (Telegram's force reply).
const AskReply = "reply"
