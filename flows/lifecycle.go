package flows

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// EventKind names something that happens to a complaint.
type EventKind string

// The events of SOP.md section 4, plus the alerts the sweep records.
const (
	EvFile       EventKind = "file"       // complainant files: → submitted
	EvRoute      EventKind = "route"      // national admin routes to a regency (Target): → routed
	EvArchive    EventKind = "archive"    // national or regency admin archives with a reason: → archived
	EvDistribute EventKind = "distribute" // regency admin distributes to an agency (Target): → distributed
	EvSendBack   EventKind = "send_back"  // regency admin sends back up with a reason: → submitted
	EvTask       EventKind = "task"       // agency admin tasks a technical team (Target): → in_progress
	EvAnswer     EventKind = "answer"     // agency admin answers (Text): → answered (or stays with the Ombudsman)
	EvNotOurs    EventKind = "not_ours"   // agency admin: not our authority, with a reason: → routed
	EvTake       EventKind = "take"       // a member of the technical team takes the task
	EvFindings   EventKind = "findings"   // technical team reports findings (Text) to the agency
	EvReply      EventKind = "reply"      // complainant replies to an answer (Text): → in_progress
	EvAddInfo    EventKind = "add_info"   // complainant adds to a complaint being worked (Text): state and deadline unchanged
	EvSatisfied  EventKind = "satisfied"  // complainant is satisfied: → closed
	EvAutoClose  EventKind = "auto_close" // system: silence past the closure limit: → closed
	EvHandover   EventKind = "handover"   // system: no follow-up for the Ombudsman limit: → ombudsman
	EvOutcome    EventKind = "outcome"    // Ombudsman liaison records the outcome (Text): → closed
	EvRate       EventKind = "rate"       // complainant rates 1–5 (Rating)
	EvLaporID    EventKind = "lapor_id"   // regency or agency admin records the national tracking ID (Text)

	EvRemind  EventKind = "remind"  // system: the responsible group was reminded of the deadline
	EvOverdue EventKind = "overdue" // system: the deadline passed; the group and its parent were told
	EvWarn    EventKind = "warn"    // system: the complainant was warned of auto-closure
)

// ActorKind says who acts.
type ActorKind string

// The kinds of actor.
const (
	ByComplainant ActorKind = "complainant"
	ByUnit        ActorKind = "unit"
	BySystem      ActorKind = "system"
)

// Actor is who makes an event happen. For a unit member, Unit is the unit they act for
// (the channel has checked they belong to its group), Ref their channel identity and
// Name their display name. For the complainant, Ref is their conversation (Contact.Chat).
type Actor struct {
	Kind ActorKind
	Unit string
	Ref  string
	Name string
}

// System is the actor of the scheduled checks.
var System = Actor{Kind: BySystem, Name: "system"}

// Event is a request to change a complaint.
type Event struct {
	Kind   EventKind
	Actor  Actor
	Target string // unit code for route, distribute and task
	Text   string // reason, answer, findings, reply, outcome or LAPOR! ID
	Rating int    // for rate
	// Origin is the chat the event was asked from, if any: Apply then acknowledges it
	// there (Change.Acks).
	Origin Origin
}

// AuditEvent is one line of a complaint's audit trail: never edited, never deleted.
type AuditEvent struct {
	At         time.Time
	Kind       EventKind
	Actor      Actor
	FromState  State
	ToState    State
	UnitBefore string
	UnitAfter  string
	Text       string
}

// Change is the outcome of an event: the complaint as it now is, the line for its audit
// trail and the notices to send. The store writes all three in one transaction, and
// refreshes the complaint's cards when the change moved it (RefreshesCards).
type Change struct {
	Complaint Complaint
	Audit     AuditEvent
	Notices   []Notice
	// Acks acknowledge an event asked from a chat (Event.Origin) to that chat and to
	// the person who asked (see Change.acknowledge); they go out after the notices and
	// the refreshed cards.
	Acks []Notice
}

// MaxText is the longest reason, answer, reply, finding or outcome accepted, in characters.
const MaxText = 4000

// Rules is everything a transition depends on besides the complaint and the time.
type Rules struct {
	Policy   Policy
	Calendar *Calendar
	Units    *Directory
}

// File turns a filled-in report into a submitted complaint at the national unit, with
// the routing deadline running and the 60-day clock started. It refuses with
// ErrIncomplete (Data "Field") when the type, privacy mode, body or conversation is
// missing. For anonymous reports the name, phone, e-mail and NIK are dropped; a NIK
// that ParseNIK does not accept is dropped too (the conversation never keeps one).
func (r *Rules) File(c Complaint, now time.Time) (Change, error) {
	switch {
	case !slices.Contains(ReportTypes, c.Type):
		return Change{}, refuse(ErrIncomplete, "Field", "type")
	case !slices.Contains(Privacies, c.Privacy):
		return Change{}, refuse(ErrIncomplete, "Field", "privacy")
	case strings.TrimSpace(c.Body) == "":
		return Change{}, refuse(ErrIncomplete, "Field", "body")
	case c.Contact.Channel == "" || c.Contact.Chat == "":
		return Change{}, refuse(ErrIncomplete, "Field", "contact")
	}
	if c.Privacy == Anonymous {
		c.Contact.Name, c.Contact.Phone, c.Contact.Email, c.Contact.NIK = "", "", "", ""
	}
	if c.Contact.NIK != "" {
		c.Contact.NIK, _ = ParseNIK(string(c.Contact.NIK))
	}
	root := r.Units.Root()
	c.State, c.Unit, c.Team = Submitted, root.Code, ""
	c.FiledAt, c.Updated, c.ClockFrom = now, now, now
	c.Version = 1
	r.setDue(&c, DueRoute, now)
	actor := Actor{Kind: ByComplainant, Ref: c.Contact.Chat}
	ch := Change{Complaint: c, Audit: AuditEvent{At: now, Kind: EvFile, Actor: actor, ToState: Submitted, UnitAfter: root.Code}}
	ch.notify(ToComplainant, MsgFiled, "", "")
	ch.notify(ToUnit(root.Code), MsgNewCase, "", "").Card = true
	ch.files(ToUnit(root.Code))
	return ch, nil
}

// Apply makes event ev happen to complaint c at now. It returns the change, or a *Error
// when the procedure does not allow it: ErrUnknownEvent, ErrWrongState (Data "State"),
// ErrNotYourTurn, ErrReasonRequired, ErrTextRequired, ErrTextTooLong, ErrBadTarget
// (Data "Target"), ErrBadRating, ErrAlreadyRated, ErrBadLaporID, ErrAlreadyTaken (Data "By").
// The returned complaint has its version incremented, unless the change leaves the
// complaint's cards as they are (EvAddInfo: see Change.RefreshesCards). An event asked from a chat
// (ev.Origin) is acknowledged there: the change's Acks.
func (r *Rules) Apply(c Complaint, ev Event, now time.Time) (Change, error) {
	t, ok := transitions[ev.Kind]
	if !ok {
		return Change{}, refuse(ErrUnknownEvent, "Event", string(ev.Kind))
	}
	if !slices.Contains(t.from, c.State) {
		return Change{}, refuse(ErrWrongState, "State", string(c.State), "Event", string(ev.Kind))
	}
	if !r.allowed(c, t.who, ev.Actor) {
		return Change{}, refuse(ErrNotYourTurn, "Event", string(ev.Kind))
	}
	if t.guard != nil {
		if err := t.guard(c); err != nil {
			return Change{}, err
		}
	}
	ev.Text = strings.TrimSpace(ev.Text)
	if ev.Kind == EvLaporID {
		ev.Text = NormalizeLaporID(ev.Text)
	}
	switch {
	case t.text == needReason && ev.Text == "":
		return Change{}, refuse(ErrReasonRequired)
	case t.text == needText && ev.Text == "":
		return Change{}, refuse(ErrTextRequired)
	case utf8.RuneCountInString(ev.Text) > MaxText:
		return Change{}, refuse(ErrTextTooLong, "Max", strconv.Itoa(MaxText))
	}
	if t.target != "" {
		u, ok := r.Units.Unit(ev.Target)
		if !ok || u.Kind != t.target || u.Parent != c.Unit {
			return Change{}, refuse(ErrBadTarget, "Target", ev.Target)
		}
	}
	before := c
	ch := Change{Complaint: c}
	if err := t.apply(r, &ch, ev, now); err != nil {
		return Change{}, err
	}
	nc := &ch.Complaint
	if refreshesCards(ev.Kind) {
		// The units' buttons carry the version: a change that leaves their cards as
		// they are (the complainant's added information) must not make those stale.
		nc.Version = before.Version + 1
	}
	nc.Updated = now
	if nc.State.Final() && !before.State.Final() {
		nc.ClosedAt = now
	}
	nc.NextCheck = r.NextCheck(*nc)
	ch.Audit = AuditEvent{
		At: now, Kind: ev.Kind, Actor: ev.Actor,
		FromState: before.State, ToState: nc.State,
		UnitBefore: before.Unit, UnitAfter: nc.Unit,
		Text: ev.Text,
	}
	if ev.Kind == EvRate {
		ch.Audit.Text = strconv.Itoa(ev.Rating)
	}
	ch.acknowledge(before, ev)
	return ch, nil
}

// Actions lists the events a member of the given unit may take on c now: exactly those
// for which Apply would not answer ErrWrongState, ErrNotYourTurn or ErrAlreadyTaken.
// Channels show them as buttons.
func (r *Rules) Actions(c Complaint, unit string) []EventKind {
	actor := Actor{Kind: ByUnit, Unit: unit}
	var out []EventKind
	for _, k := range eventOrder {
		t := transitions[k]
		if slices.Contains(t.from, c.State) && t.who != whoSystem && t.who != whoComplainant && r.allowed(c, t.who, actor) &&
			(t.guard == nil || t.guard(c) == nil) {
			out = append(out, k)
		}
	}
	return out
}

// who says which actor may make a transition.
type who int

const (
	whoHolder       who = iota // a member of the unit whose turn it is (Complaint.Unit) …
	whoAgencyHolder            // … when that unit is an agency
	whoTeam                    // a member of the technical team tasked
	whoOmbudsman               // a member of the Ombudsman liaison unit
	whoRecorder                // a regency or agency admin on the complaint's path
	whoComplainant             // the complainant, from their own conversation
	whoSystem                  // the scheduled checks
)

type textRule int

const (
	noText textRule = iota
	needReason
	needText
	optionalText
)

type transition struct {
	from   []State
	who    who
	text   textRule
	target UnitKind                // the kind of unit Event.Target must be, a child of the holder
	guard  func(c Complaint) error // when set, a refusal that holds whoever acts
	apply  func(r *Rules, ch *Change, ev Event, now time.Time) error
}

var govSide = []State{Submitted, Routed, Distributed, InProgress}

// eventOrder is the order in which Actions lists what a unit may do.
var eventOrder = []EventKind{EvRoute, EvDistribute, EvTask, EvAnswer, EvTake, EvFindings, EvSendBack, EvNotOurs, EvArchive, EvOutcome, EvLaporID}

// transitions is SOP.md section 4, every row and no others, plus the technical team's
// "take the task" that the group chats add (it records who works the complaint).
var transitions = map[EventKind]transition{
	EvRoute: {from: []State{Submitted}, who: whoHolder, target: Regency, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ch.move(Routed, ev.Target)
		r.setDue(&ch.Complaint, DueDistribute, now)
		ch.notify(ToComplainant, MsgVerified, ev.Target, "")
		ch.notify(ToUnit(ev.Target), MsgNewCase, "", "").Card = true
		ch.files(ToUnit(ev.Target))
		return nil
	}},
	EvArchive: {from: []State{Submitted, Routed}, who: whoHolder, text: needReason, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ch.move(Archived, ch.Complaint.Unit)
		r.setDue(&ch.Complaint, NoDue, now)
		ch.notify(ToComplainant, MsgArchivedC, "", ev.Text)
		ch.notify(ToUnit(ch.Complaint.Unit), MsgArchivedU, "", ev.Text).Actor = ev.Actor.Name
		return nil
	}},
	EvDistribute: {from: []State{Routed}, who: whoHolder, target: Agency, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ch.move(Distributed, ev.Target)
		r.setDue(&ch.Complaint, DueAnswer, now)
		ch.notify(ToComplainant, MsgForwarded, ev.Target, "")
		ch.notify(ToUnit(ev.Target), MsgNewCase, "", "").Card = true
		ch.files(ToUnit(ev.Target))
		return nil
	}},
	EvSendBack: {from: []State{Routed}, who: whoHolder, text: needReason, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		return r.sendUp(ch, Submitted, DueRoute, ev, now)
	}},
	EvTask: {from: []State{Distributed}, who: whoAgencyHolder, target: Team, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ch.move(InProgress, ch.Complaint.Unit)
		ch.Complaint.Team, ch.Complaint.TakenBy = ev.Target, ""
		r.setDue(&ch.Complaint, DueAnswer, now)
		ch.notify(ToUnit(ev.Target), MsgTasked, "", "").Card = true
		ch.files(ToUnit(ev.Target))
		return nil
	}},
	EvAnswer: {from: []State{Distributed, InProgress, AtOmbudsman}, who: whoAgencyHolder, text: needText, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		c := &ch.Complaint
		if c.State == AtOmbudsman {
			ob := r.Units.OmbudsmanLiaison()
			ch.notify(ToComplainant, MsgAnswered, c.Unit, ev.Text)
			ch.notify(ToUnit(ob.Code), MsgOmbudsmanAns, c.Unit, ev.Text)
			return nil
		}
		ch.move(Answered, c.Unit)
		r.setDue(c, DueClose, now)
		ch.notify(ToComplainant, MsgAnswered, c.Unit, ev.Text).Choices = answerChoices(c.Tracking)
		return nil
	}},
	EvNotOurs: {from: []State{Distributed, InProgress}, who: whoAgencyHolder, text: needReason, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		return r.sendUp(ch, Routed, DueDistribute, ev, now)
	}},
	EvTake: {from: []State{InProgress}, who: whoTeam, guard: notTaken, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ch.Complaint.TakenBy = cmp.Or(strings.TrimSpace(ev.Actor.Name), "?") // never the chat identity: on WhatsApp it is often the phone number
		ch.notify(ToUnit(ch.Complaint.Unit), MsgTaken, ch.Complaint.Team, "").Actor = ch.Complaint.TakenBy
		return nil
	}},
	EvFindings: {from: []State{InProgress}, who: whoTeam, text: needText, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ch.notify(ToUnit(ch.Complaint.Unit), MsgFindings, ch.Complaint.Team, ev.Text).Actor = ev.Actor.Name
		return nil
	}},
	EvReply: {from: []State{Answered}, who: whoComplainant, text: needText, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		c := &ch.Complaint
		ch.move(InProgress, c.Unit)
		c.ClockFrom = now
		r.setDue(c, DueAnswer, now)
		ch.notify(ToComplainant, MsgReplyReceived, "", "")
		ch.toWorkers(r, MsgReplied, ev.Text)
		return nil
	}},
	// A further message of the complainant while the government side works the
	// complaint (the SOP is silent): passed on to whoever holds it, never dropped; it
	// moves nothing and restarts no limit.
	EvAddInfo: {from: []State{Submitted, Routed, Distributed, InProgress, AtOmbudsman}, who: whoComplainant, text: needText, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ch.notify(ToComplainant, MsgInfoAddedC, "", "")
		ch.toWorkers(r, MsgInfoAdded, ev.Text)
		return nil
	}},
	EvSatisfied: {from: []State{Answered}, who: whoComplainant, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		r.close(ch, MsgClosedThanks, WhySatisfied, now)
		return nil
	}},
	EvAutoClose: {from: []State{Answered}, who: whoSystem, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		r.close(ch, MsgClosedSilence, WhySilence, now)
		return nil
	}},
	EvHandover: {from: govSide, who: whoSystem, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ob := r.Units.OmbudsmanLiaison()
		c := &ch.Complaint
		ch.move(AtOmbudsman, c.Unit)
		r.setDue(c, NoDue, now)
		ch.notify(ToComplainant, MsgHandedC, "", "")
		ch.notify(ToUnit(ob.Code), MsgHandover, c.Unit, "").Card = true // the liaison records the outcome from it
		// The whole record goes with it: every step, the texts, the files.
		ch.notify(ToUnit(ob.Code), MsgRecord, "", "")
		ch.files(ToUnit(ob.Code))
		ch.notify(ToUnit(c.Unit), MsgHandedU, c.Unit, "")
		return nil
	}},
	EvOutcome: {from: []State{AtOmbudsman}, who: whoOmbudsman, text: needText, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		ch.move(Closed, ch.Complaint.Unit)
		r.setDue(&ch.Complaint, NoDue, now)
		askRating(ch.notify(ToComplainant, MsgOutcomeC, "", ev.Text), ch.Complaint, now)
		ch.notify(ToUnit(ch.Complaint.Unit), MsgClosedU, "", WhyOutcome)
		return nil
	}},
	EvRate: {from: []State{Closed}, who: whoComplainant, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		c := &ch.Complaint
		switch {
		case c.Rating != 0:
			return refuse(ErrAlreadyRated)
		case ev.Rating < 1 || ev.Rating > 5:
			return refuse(ErrBadRating)
		}
		c.Rating = ev.Rating
		ch.notify(ToComplainant, MsgRated, "", "").Rating = ev.Rating
		ch.notify(ToUnit(c.Unit), MsgRatedU, "", "").Rating = ev.Rating
		return nil
	}},
	EvLaporID: {from: []State{Submitted, Routed, Distributed, InProgress, Answered, AtOmbudsman}, who: whoRecorder, text: needText, apply: func(r *Rules, ch *Change, ev Event, now time.Time) error {
		if !laporID.MatchString(ev.Text) {
			return refuse(ErrBadLaporID)
		}
		ch.Complaint.LaporID = ev.Text
		return nil
	}},
}

var laporID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/._-]{2,39}$`)

// NormalizeLaporID returns a LAPOR! tracking ID as typed without the spaces around it
// and a leading "#" (LAPOR! shows its IDs as "#1234567"). A valid ID is 3 to 40
// letters, digits, "/", ".", "_" or "-", starting with a letter or digit.
func NormalizeLaporID(s string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#"))
}

// notTaken refuses to take a task somebody already took.
func notTaken(c Complaint) error {
	if c.TakenBy != "" {
		return refuse(ErrAlreadyTaken, "By", c.TakenBy)
	}
	return nil
}

// allowed reports whether actor a may make a transition of kind w on c.
func (r *Rules) allowed(c Complaint, w who, a Actor) bool {
	switch w {
	case whoSystem:
		return a.Kind == BySystem
	case whoComplainant:
		return a.Kind == ByComplainant && a.Ref != "" && a.Ref == c.Contact.Chat
	}
	if a.Kind != ByUnit {
		return false
	}
	u, ok := r.Units.Unit(a.Unit)
	if !ok {
		return false
	}
	switch w {
	case whoHolder:
		return u.Code == c.Unit
	case whoAgencyHolder:
		return u.Code == c.Unit && u.Kind == Agency
	case whoTeam:
		return c.Team != "" && u.Code == c.Team
	case whoOmbudsman:
		return u.Kind == Ombudsman
	case whoRecorder:
		if u.Kind != Regency && u.Kind != Agency {
			return false
		}
		return u.Code == c.Unit || r.Units.IsAncestor(u.Code, c.Unit) || (c.State == Submitted && u.Kind == Regency)
	}
	return false
}

// sendUp returns a complaint to the parent of its holder with a reason.
func (r *Rules) sendUp(ch *Change, to State, due DueKind, ev Event, now time.Time) error {
	c := &ch.Complaint
	holder, _ := r.Units.Unit(c.Unit)
	ch.move(to, holder.Parent)
	c.Team, c.TakenBy = "", ""
	r.setDue(c, due, now)
	n := ch.notify(ToUnit(holder.Parent), MsgReturned, holder.Code, ev.Text)
	n.Actor, n.Card = ev.Actor.Name, true
	return nil
}

func (r *Rules) close(ch *Change, msg MsgID, why string, now time.Time) {
	c := &ch.Complaint
	ch.move(Closed, c.Unit)
	r.setDue(c, NoDue, now)
	askRating(ch.notify(ToComplainant, msg, "", ""), *c, now)
	ch.notify(ToUnit(c.Unit), MsgClosedU, "", why)
}

// answerChoices offers the complainant of an answered complaint to say they are
// satisfied or to reply.
func answerChoices(tracking string) [][]Choice {
	return [][]Choice{{{Label: LabelSatisfied, Data: "c:sat:" + tracking}, {Label: LabelReply, Text: tracking, Data: "c:rep:" + tracking}}}
}

// rateChoices offers the ratings 1 (very poor) to 5 (very good).
func rateChoices(tracking string) [][]Choice {
	row := make([]Choice, 5)
	for i := range row {
		n := strconv.Itoa(i + 1)
		row[i] = Choice{Text: n, Data: "c:rate:" + tracking + ":" + n}
	}
	return [][]Choice{row}
}

// setDue starts a deadline of kind k at now (none for NoDue) and clears its alerts.
func (r *Rules) setDue(c *Complaint, k DueKind, now time.Time) {
	c.DueKind, c.Timers = k, Timers{}
	if k == NoDue {
		c.Due = time.Time{}
	} else {
		c.Due = r.Policy.limit(k).After(r.Calendar, now)
	}
	c.NextCheck = r.NextCheck(*c)
}

func (ch *Change) move(to State, unit string) {
	ch.Complaint.State = to
	ch.Complaint.Unit = unit
}

// files adds the messages that carry the complaint's attachments to a unit's group,
// after its card.
func (ch *Change) files(to Recipient) {
	for _, n := range FileNotices(ch.Complaint) {
		n.To = to
		ch.Notices = append(ch.Notices, n)
	}
}

// toWorkers tells the holder of the complaint and its tasked team, if any, msg with the
// citizen's text, masked for a unit that may not see the complainant's identity.
func (ch *Change) toWorkers(r *Rules, msg MsgID, text string) {
	c := ch.Complaint
	for _, code := range []string{c.Unit, c.Team} {
		if code == "" {
			continue
		}
		u, _ := r.Units.Unit(code)
		shown, masked := c.TextFor(u, text)
		if n := ch.notify(ToUnit(code), msg, "", shown); masked {
			n.Data = map[string]string{"Masked": "yes"}
		}
	}
}

// notify adds a notice about the changed complaint and returns it for further detail.
func (ch *Change) notify(to Recipient, msg MsgID, unit, text string) *Notice {
	c := ch.Complaint
	ch.Notices = append(ch.Notices, Notice{
		To: to, Msg: msg, Complaint: c.ID, Tracking: c.Tracking, Report: c.Type, State: c.State,
		Unit: unit, Text: text, Due: c.Due,
	})
	return &ch.Notices[len(ch.Notices)-1]
}
