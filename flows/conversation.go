package flows

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Inbound is one thing a person sent, as any channel delivers it: text, a command, a
// pressed choice, a shared phone number, an attachment, or something the desk cannot use.
type Inbound struct {
	Channel string
	ID      string // the channel's ID of the message (Telegram: the update), unique per channel
	Chat    string // the conversation: a private chat, or a group
	User    string // the sender's identity on the channel
	Name    string // the sender's display name (as they chose it: untrusted)
	Lang    string // the language the channel reports for the sender, if any
	Command string // "start", "lapor", "status", "batal", "bahasa", "help", without "/" or bot name
	Text    string
	Choice  string // the data of a pressed button, or of a numbered choice
	Phone   string // a phone number the sender shared from their own account
	// Known is the sender's phone number as the channel itself vouches for it (WhatsApp:
	// the number of the chat or of the sender's other identity), international digits;
	// empty when the channel does not know it. The phone step offers it instead of
	// asking from nothing; it is kept only when the citizen accepts it there, never for
	// an anonymous report (see Intake.Converse).
	Known       string
	Attachment  *Attachment
	Unsupported string // what was sent that the desk cannot use: "sticker", "voice", "video", "too_large", …
	ReplyTo     string // the channel's ID of the message this one answers
	// About is the tracking number of the complaint that the message this one answers
	// (ReplyTo) was about, as the store found it; empty when none.
	About string
	// Press is the channel's reference of a pressed button that waits for its answer
	// (Telegram: the callback query ID of a press in a group); empty otherwise. A reply
	// that carries it answers the press itself, seen only by the person who pressed.
	Press string
}

// Concerns returns the tracking number of the complaint msg is about, when it says:
// the complaint of a pressed complaint button ("c:rep:TRACKING"), or About.
func (msg Inbound) Concerns() string {
	if parts := strings.Split(msg.Choice, ":"); len(parts) >= 3 && parts[0] == "c" {
		return parts[2]
	}
	return msg.About
}

// RawInbound is an inbound message as its channel delivered it, stored before the
// channel is told it arrived and kept until it is handled.
type RawInbound struct {
	Channel  string
	ID       string
	Chat     string
	Payload  []byte
	Attempts int // handling attempts, this one included
}

// Choice is one button (or numbered option) offered with a message: its label is the
// message Label in the reader's language, or Text as it is.
type Choice struct {
	Label MsgID  `json:"label,omitempty"`
	Text  string `json:"text,omitempty"`
	Data  string `json:"data"` // at most 64 bytes: what comes back in Inbound.Choice
}

// Step is where a citizen's conversation stands.
type Step string

// The steps of filing a complaint, in order, and the others.
const (
	StepMenu     Step = ""         // nothing in progress
	StepConsent  Step = "consent"  // the privacy notice is shown; waiting for agreement
	StepType     Step = "type"     // report type
	StepPrivacy  Step = "privacy"  // biasa, rahasia or anonim
	StepCategory Step = "category" // the service concerned
	StepBody     Step = "body"     // what happened
	StepWhen     Step = "when"     // when it happened
	StepWhere    Step = "where"    // where it happened
	StepFiles    Step = "files"    // photos, documents, a location
	StepPhone    Step = "phone"    // the phone number (not for anonim)
	StepNIK      Step = "nik"      // the NIK, for the categories that need it (not for anonim), optional
	StepEmail    Step = "email"    // an e-mail address, optional
	StepConfirm  Step = "confirm"  // the summary: send, correct or cancel
	StepFix      Step = "fix"      // choosing what to correct
	StepReply    Step = "reply"    // writing a reply to the answer of complaint Focus
)

var intakeSteps = []Step{StepType, StepPrivacy, StepCategory, StepBody, StepWhen, StepWhere, StepFiles, StepPhone, StepNIK, StepEmail}

// Session is a citizen's conversation with the desk: their language, where they are,
// and the complaint being written. The store keeps it, so it survives restarts.
type Session struct {
	Channel string
	Chat    string
	Lang    string
	Step    Step
	Draft   Complaint
	Fixing  bool      // the step was chosen from the summary: go back to it afterwards
	Focus   string    // tracking number of the complaint a reply is being written for
	Resume  Step      // the filing step to go back to after that reply
	Updated time.Time // the citizen's last message
	Nudged  bool      // the reminder about an unfinished draft was sent
	// Pending is text the citizen typed outside any step while several of their
	// complaints wait for a reply: kept until they choose which complaint it answers.
	Pending string
	// Partial is set while the description may go on in a further message: a chat app
	// splits a text longer than its limit into several messages.
	Partial bool
}

// Filing reports whether the session holds an unfinished complaint.
func (s Session) Filing() bool { return s.Step != StepMenu && s.Step != StepReply }

// Intake is how the desk talks with citizens: the categories it offers and the limits
// of what it accepts.
type Intake struct {
	Categories []string // category codes, in the order offered; "lainnya" should be last
	// NIKCategories are the categories (among Categories) whose case needs the
	// citizen's population record: only their complaints ask for the NIK. None: never.
	NIKCategories []string
	MinBody       int           // fewest characters of a usable description
	MinWords      int           // fewest words of a usable description
	MaxBody       int           // most characters of a description
	MaxShort      int           // most characters of when, where and e-mail
	MaxFiles      int           // most attachments per complaint
	MaxFileBytes  int64         // largest attachment kept
	RemindAfter   time.Duration // an unfinished draft is reminded of once after this silence…
	ExpireAfter   time.Duration // …and dropped after this
}

// DefaultCategories are Dukcapil's services.
var DefaultCategories = []string{"ktp-el", "kk", "akta-lahir", "akta-mati", "pindah-datang", "kia", "ikd",
	"perubahan-data", "layanan-online", "sikap-petugas", "pungli", "lainnya"}

// DefaultNIKCategories are the services the office performs on the citizen's own
// population record (the e-KTP, the family card, a move, the digital ID, a change of
// data): the NIK finds the record. The others (certificates of a birth or death,
// the child's card, online services, conduct, illegal charges, anything else) are
// handled without it, and the desk collects the minimum.
var DefaultNIKCategories = []string{"ktp-el", "kk", "pindah-datang", "ikd", "perubahan-data"}

// SeriousCategory is the category of complaints about illegal charges: Dukcapil's
// services are free, so cards flag it.
const SeriousCategory = "pungli"

// DefaultIntake returns the categories of Dukcapil and limits that suit a phone.
func DefaultIntake() Intake {
	return Intake{Categories: DefaultCategories, NIKCategories: DefaultNIKCategories, MinBody: 30, MinWords: 5, MaxBody: 8000, MaxShort: 200,
		MaxFiles: 5, MaxFileBytes: 10 << 20, RemindAfter: 24 * time.Hour, ExpireAfter: 72 * time.Hour}
}

// Messages of the conversation with citizens.
const (
	MsgWelcome       MsgID = "intake.welcome"        // the menu; Choices: new, status, language, replies
	MsgMenuHint      MsgID = "intake.menu_hint"      // text outside a step: what the citizen can do
	MsgHelp          MsgID = "intake.help"           // how the desk works
	MsgPrivacyNotice MsgID = "intake.privacy_notice" // who holds the data, why, how long, rights (UU 27/2022)
	MsgAskType       MsgID = "intake.ask_type"
	MsgAskPrivacy    MsgID = "intake.ask_privacy"
	MsgAskCategory   MsgID = "intake.ask_category"
	MsgAskBody       MsgID = "intake.ask_body" // Data: Min
	MsgBodyTooShort  MsgID = "intake.body_too_short"
	MsgTooLong       MsgID = "intake.too_long" // Data: Max
	MsgAskWhen       MsgID = "intake.ask_when"
	MsgAskWhere      MsgID = "intake.ask_where"
	MsgAskFiles      MsgID = "intake.ask_files"  // Data: Max
	MsgFileAdded     MsgID = "intake.file_added" // Data: Count, Max
	MsgTooManyFiles  MsgID = "intake.too_many_files"
	MsgAskPhone      MsgID = "intake.ask_phone"
	MsgBadPhone      MsgID = "intake.bad_phone"
	MsgAskNIK        MsgID = "intake.ask_nik"   // why it is asked, and that it may be skipped (the unit may then ask)
	MsgNIKNoted      MsgID = "intake.nik_noted" // Data: NIK (masked)
	MsgAskEmail      MsgID = "intake.ask_email"
	MsgBadEmail      MsgID = "intake.bad_email"
	MsgSummary       MsgID = "intake.summary" // Data: Type, Privacy, Category, Body, When, Where, Files, Phone, NIK (masked), Email
	MsgAskFix        MsgID = "intake.ask_fix"
	MsgCancelled     MsgID = "intake.cancelled"
	MsgStaleChoice   MsgID = "intake.stale_choice"
	MsgUnsupported   MsgID = "intake.unsupported" // Data: What
	MsgChooseButton  MsgID = "intake.choose_button"
	MsgDraftReminder MsgID = "intake.draft_reminder"
	MsgDraftExpired  MsgID = "intake.draft_expired"
	MsgStatusList    MsgID = "intake.status"      // Items: one MsgStatusItem per complaint
	MsgStatusItem    MsgID = "intake.status_item" // Data: DateOnly when the deadline is shown as a date
	MsgStatusNone    MsgID = "intake.status_none"
	MsgAskReply      MsgID = "intake.ask_reply" // Tracking
	MsgNotYours      MsgID = "intake.not_yours"
	MsgChooseLang    MsgID = "intake.choose_language"
	MsgLangSet       MsgID = "intake.language_set"
	MsgRefused       MsgID = "intake.refused" // Text: the localized refusal code (Data: Code)
	MsgFailed        MsgID = "intake.failed"  // the desk could not handle the citizen's message: send it again

	MsgDraftOpen       MsgID = "intake.draft_open"         // /lapor during a draft: continue it or start over
	MsgNothingToCancel MsgID = "intake.nothing_to_cancel"  // /batal with no draft and no reply being written
	MsgReplyCancelled  MsgID = "intake.reply_cancelled"    // Tracking: the reply is not sent; the complaint still waits
	MsgPhoneNoted      MsgID = "intake.phone_noted"        // Data: Phone ("" when skipped); closes the share-number keyboard
	MsgOfferPhone      MsgID = "intake.offer_phone"        // the phone step with a number the channel knows: use it? Data: Phone (masked)
	MsgWhichComplaint  MsgID = "intake.which_complaint"    // several complaints wait: which one does the text answer?
	MsgAddOrNew        MsgID = "intake.add_or_new"         // none waits but some are worked: add the text to one, or a new report? Tracking when one
	MsgSatisfiedOrNot  MsgID = "intake.satisfied_or_reply" // "ok" / "terima kasih": satisfied, or a reply? Items: the complaints
	MsgWaitingItem     MsgID = "intake.waiting_item"       // Tracking, Due (closure): one complaint waiting for the citizen
	MsgGuided          MsgID = "intake.guided"             // typed text kept as the description of a new complaint; Data: File when a file came with it
	MsgBodyPart        MsgID = "intake.body_part"          // a long description: send the rest, or continue
	MsgBodyJoined      MsgID = "intake.body_joined"        // the rest of a long description was added to it
)

// Labels of choices.
const (
	LabelNew       MsgID = "choice.new"
	LabelStatus    MsgID = "choice.status"
	LabelHelp      MsgID = "choice.help"
	LabelLanguage  MsgID = "choice.language"
	LabelAgree     MsgID = "choice.agree"
	LabelCancel    MsgID = "choice.cancel"
	LabelSkip      MsgID = "choice.skip"
	LabelDone      MsgID = "choice.done"
	LabelSend      MsgID = "choice.send"
	LabelFix       MsgID = "choice.fix"
	LabelContinue  MsgID = "choice.continue"
	LabelShare     MsgID = "choice.share_phone"
	LabelUseKnown  MsgID = "choice.use_phone"   // use the number the channel knows (MsgOfferPhone)
	LabelOther     MsgID = "choice.other_phone" // type another number instead (MsgOfferPhone)
	LabelSatisfied MsgID = "choice.satisfied"
	LabelReply     MsgID = "choice.reply" // Tracking in the label's data
	LabelAdd       MsgID = "choice.add"   // add the text to complaint Tracking
	LabelRestart   MsgID = "choice.restart"
)

// Converse is the citizen's side of the desk: given the session, what they sent, their
// complaints (newest first; those waiting for their reply and the one msg concerns
// among them) and the time, it returns the new session, the replies and what to do —
// file the draft, or make an event happen to one of their complaints.
//
// Text typed outside any step is never dropped: it is the reply to the complaint whose
// message it answers (About), or to the only complaint waiting for a reply; with
// several waiting the citizen is asked which one; with none, a text that reads like a
// complaint starts one with it as the description. A bare "ok" or "terima kasih" asks
// whether the citizen is satisfied or wants to respond, instead of replying.
//
// The phone step offers the number the channel vouches for (msg.Known, an Indonesian
// number), masked, with "use it", "another number" and "skip", instead of asking for
// one; without it the step asks. The number is kept only when the citizen takes it
// there, and the step is never asked of an anonymous report.
//
// The NIK step follows the phone in the categories of NIKCategories alone, never for
// an anonymous report; the citizen may skip it. A number ParseNIK refuses is answered
// with its reason's message (the ErrorCode as MsgID, with its Data) and the step stays;
// an accepted one is kept whole in the draft and shown masked (MsgNIKNoted, the
// summary). A category corrected to one without the step drops the NIK; corrected to
// one with it, the step is asked before the summary.
func (in *Intake) Converse(s Session, msg Inbound, mine []Complaint, now time.Time) Outcome {
	if s.Lang == "" {
		s.Lang = langOf(msg.Lang)
	}
	s.Channel, s.Chat = msg.Channel, msg.Chat
	s.Updated, s.Nudged = now, false
	o := &Outcome{Session: s}
	if msg.Known != "" {
		o.known, _ = NormalizePhone("+" + strings.TrimPrefix(msg.Known, "+"))
	}
	in.handle(o, msg, mine)
	if s.Step == StepPhone && o.Session.Step != StepPhone {
		closeKeyboard(o)
	}
	o.known = ""
	return *o
}

// closeKeyboard makes one of the replies remove the share-number keyboard of the phone
// step: the first one without buttons (a message has one keyboard), unless a reply
// asks for the phone again.
func closeKeyboard(o *Outcome) {
	for _, n := range o.Replies {
		if n.Ask == AskPhone || n.Ask == AskClose {
			return
		}
	}
	for i := range o.Replies {
		if len(o.Replies[i].Choices) == 0 && o.Replies[i].Ask == "" {
			o.Replies[i].Ask = AskClose
			return
		}
	}
}

// Outcome is what one inbound message leads to.
type Outcome struct {
	Session Session
	Replies []Notice
	// File asks the store to file Session.Draft as it was before the reset; Draft holds it.
	File  bool
	Draft Complaint
	// Event asks the store to make an event happen to the citizen's complaint Tracking.
	Event    *Event
	Tracking string
	// Request asks the store to record and answer a request about the citizen's
	// personal data (see rights.go): for RequestAccess it fills in the copy of the
	// MsgDataCopy reply.
	Request RequestKind
	// Erase asks the store to delete the citizen's personal data (/hapusdata, confirmed).
	Erase bool

	known string // the sender's number the channel vouches for, normalized (Inbound.Known); only while handling
}

// say adds a reply; it names the report type of the draft being written, if any.
func (o *Outcome) say(msg MsgID, choices ...[]Choice) *Notice {
	o.Replies = append(o.Replies, Notice{To: ToComplainant, Msg: msg, Choices: choices, Report: o.Session.Draft.Type})
	return &o.Replies[len(o.Replies)-1]
}

func (in *Intake) handle(o *Outcome, msg Inbound, mine []Complaint) {
	s := &o.Session
	if s.Step == StepReply && (msg.Command == "batal" || msg.Command == "cancel") {
		in.cancel(o, mine)
		return
	}
	if s.Step == StepReply && msg.Command != "" {
		// A command leaves the reply unwritten: back to the draft it interrupted, if any.
		s.Step, s.Focus, s.Resume = cmp.Or(s.Resume, StepMenu), "", ""
	}
	if msg.Command != "" {
		s.Pending = ""
	}
	if in.erasure(o, msg, mine) {
		return
	}
	if msg.Command != "" || msg.Choice != "" || msg.Attachment != nil || msg.Unsupported != "" {
		s.Partial = false // the rest of a split text comes next, or not at all
	}
	switch msg.Command {
	case "start":
		in.menu(o, mine, MsgWelcome)
		return
	case "lapor":
		if s.Filing() {
			in.askRestart(o)
			return
		}
		in.begin(o)
		return
	case "status":
		in.status(o, mine)
		in.prompt(o)
		return
	case "batal", "cancel":
		in.cancel(o, mine)
		return
	case "bahasa", "language":
		o.say(MsgChooseLang, []Choice{{Text: "Bahasa Indonesia", Data: "m:lang:id"}, {Text: "English", Data: "m:lang:en"}})
		return
	case "help", "bantuan":
		o.say(MsgHelp)
		in.prompt(o)
		return
	case "datasaya", "mydata":
		in.dataCopy(o)
		return
	case "":
	default:
		in.menu(o, mine, MsgMenuHint)
		return
	}
	if msg.Unsupported != "" {
		n := o.say(MsgUnsupported)
		n.Data = map[string]string{"What": msg.Unsupported}
		if msg.Unsupported == "too_large" {
			n.Data["MaxMB"] = strconv.FormatInt(max(in.MaxFileBytes>>20, 1), 10)
		}
		in.prompt(o)
		return
	}
	if msg.Choice != "" {
		in.choose(o, msg.Choice, mine)
		return
	}
	if msg.Attachment != nil {
		caption := strings.TrimSpace(msg.Text)
		if s.Step == StepMenu && caption != "" {
			// A captioned file outside a draft: the caption is typed text (a reply, or a
			// complaint); the file itself is asked for again at the attachments step.
			in.loose(o, caption, mine)
			if s.Step == StepConsent {
				o.Replies[0].Data = map[string]string{"File": "yes"}
			}
			return
		}
		if !s.Filing() || s.Step == StepConsent {
			in.menu(o, mine, MsgMenuHint)
			return
		}
		if caption == "" && s.Step == StepWhere && msg.Attachment.Kind == "location" {
			// A location shared when asked where: kept with the evidence, and its name
			// (or its coordinates) is the place.
			caption = cmp.Or(strings.TrimSpace(msg.Attachment.Name), msg.Attachment.Ref)
		}
		takesText := s.Step == StepBody || s.Step == StepWhen || s.Step == StepWhere
		in.attach(o, *msg.Attachment, caption == "" || !takesText)
		if caption != "" && takesText {
			in.text(o, caption, msg, mine) // a photo captioned with the answer
		}
		return
	}
	if msg.Phone != "" && s.Step == StepPhone {
		in.phone(o, msg.Phone)
		return
	}
	t := strings.TrimSpace(msg.Text)
	if s.Partial && t != "" {
		in.continueBody(o, t)
		return
	}
	if c, ok := waitingFor(mine, msg.About); ok && s.Step != StepReply && t != "" {
		// A reply (in the chat app's sense) to a message about a complaint that waits
		// for the citizen: their reply to it, whatever step a draft is at.
		if isThanks(t) {
			in.askSatisfied(o, []Complaint{c})
			in.prompt(o)
			return
		}
		in.reply(o, c.Tracking, t)
		in.prompt(o) // back to the complaint being written, if any
		return
	}
	if c, ok := beingWorked(mine, msg.About); ok && s.Step != StepReply && t != "" && !isThanks(t) {
		// A reply to a message about a complaint the government side works: what the
		// citizen adds to it.
		in.addInfo(o, c.Tracking, t)
		in.prompt(o)
		return
	}
	in.text(o, t, msg, mine)
}

// waitingFor returns the complaint with tracking number tr among mine when it waits
// for the citizen's reply.
func waitingFor(mine []Complaint, tr string) (Complaint, bool) {
	return findIn(mine, tr, awaitsCitizen)
}

// waiting returns the citizen's complaints that wait for their reply, newest first.
func waiting(mine []Complaint) []Complaint { return filterIn(mine, awaitsCitizen) }

// beingWorked returns the complaint with tracking number tr among mine when the
// government side works it (it waits for no reply of the citizen's).
func beingWorked(mine []Complaint, tr string) (Complaint, bool) { return findIn(mine, tr, worksOn) }

// worked returns the citizen's complaints the government side works, newest first.
func worked(mine []Complaint) []Complaint { return filterIn(mine, worksOn) }

func awaitsCitizen(s State) bool { return s == Answered }
func worksOn(s State) bool       { return s.GovernmentSide() || s == AtOmbudsman }

// findIn returns the complaint with tracking number tr among mine when its state is ok.
func findIn(mine []Complaint, tr string, ok func(State) bool) (Complaint, bool) {
	if tr == "" {
		return Complaint{}, false
	}
	for _, c := range mine {
		if c.Tracking == tr && ok(c.State) {
			return c, true
		}
	}
	return Complaint{}, false
}

// filterIn returns the complaints among mine whose state is ok, in their order.
func filterIn(mine []Complaint, ok func(State) bool) []Complaint {
	var out []Complaint
	for _, c := range mine {
		if ok(c.State) {
			out = append(out, c)
		}
	}
	return out
}

// reply sends t as the citizen's reply to complaint tracking.
func (in *Intake) reply(o *Outcome, tracking, t string) { in.textEvent(o, EvReply, tracking, t) }

// addInfo passes t on to whoever works complaint tracking.
func (in *Intake) addInfo(o *Outcome, tracking, t string) { in.textEvent(o, EvAddInfo, tracking, t) }

// textEvent makes the citizen's text t event k of complaint tracking, or asks for a
// shorter text.
func (in *Intake) textEvent(o *Outcome, k EventKind, tracking, t string) {
	if utf8.RuneCountInString(t) > MaxText {
		n := o.say(MsgTooLong)
		n.Data, n.Tracking = map[string]string{"Max": strconv.Itoa(MaxText)}, tracking
		return
	}
	o.Event, o.Tracking = &Event{Kind: k, Actor: Actor{Kind: ByComplainant, Ref: o.Session.Chat}, Text: t}, tracking
}

// loose handles text typed outside any step (see Converse).
func (in *Intake) loose(o *Outcome, t string, mine []Complaint) {
	s := &o.Session
	w := waiting(mine)
	if isThanks(t) {
		if len(w) == 0 {
			in.menu(o, mine, MsgMenuHint)
			return
		}
		in.askSatisfied(o, w)
		return
	}
	switch {
	case len(w) == 1:
		in.reply(o, w[0].Tracking, t)
		return
	case len(w) > 1:
		s.Pending = t
		var rows [][]Choice
		for i, c := range w {
			if i == 5 {
				break
			}
			rows = append(rows, []Choice{{Label: LabelReply, Text: c.Tracking, Data: "c:send:" + c.Tracking}})
		}
		if in.usableBody(t) {
			rows = append(rows, []Choice{{Label: LabelNew, Data: "m:new:text"}})
		}
		o.say(MsgWhichComplaint, rows...)
		return
	}
	if work := worked(mine); len(work) > 0 {
		// Nothing waits for the citizen, but the government side works some of their
		// complaints: the text is most likely more about one of them. Kept until they say.
		s.Pending = t
		var rows [][]Choice
		for i, c := range work {
			if i == 3 {
				break
			}
			rows = append(rows, []Choice{{Label: LabelAdd, Text: c.Tracking, Data: "c:send:" + c.Tracking}})
		}
		if in.usableBody(t) {
			rows = append(rows, []Choice{{Label: LabelNew, Data: "m:new:text"}})
		}
		n := o.say(MsgAddOrNew, rows...)
		if len(work) == 1 {
			n.Tracking, n.Report = work[0].Tracking, work[0].Type
		}
		return
	}
	if in.usableBody(t) {
		in.begin(o)
		in.keepBody(o, t)
		o.Replies = slices.Insert(o.Replies, 0, Notice{To: ToComplainant, Msg: MsgGuided})
		return
	}
	if isGreeting(t) {
		// "Halo", "Selamat pagi": how a chat begins where people know no commands.
		in.menu(o, mine, MsgWelcome)
		return
	}
	in.menu(o, mine, MsgMenuHint)
}

// keepBody keeps t as the description of the complaint being begun.
func (in *Intake) keepBody(o *Outcome, t string) {
	d := &o.Session.Draft
	if utf8.RuneCountInString(t) > in.MaxBody {
		return // asked for again at its step
	}
	d.Body, d.Title = t, titleOf(t)
	o.Session.Partial = utf8.RuneCountInString(t) >= splitNear
}

// askSatisfied asks about complaints waiting for the citizen whether they are
// satisfied or want to respond.
func (in *Intake) askSatisfied(o *Outcome, w []Complaint) {
	var rows [][]Choice
	n := o.say(MsgSatisfiedOrNot)
	for i, c := range w {
		if i == 3 {
			break
		}
		tr := c.Tracking
		n.Items = append(n.Items, Notice{Msg: MsgWaitingItem, Complaint: c.ID, Tracking: tr, State: c.State, Due: c.Due, Report: c.Type})
		rows = append(rows, []Choice{{Label: LabelSatisfied, Text: tr, Data: "c:sat:" + tr}, {Label: LabelReply, Text: tr, Data: "c:rep:" + tr}})
	}
	if len(w) == 1 {
		n.Tracking, n.Report, n.Due = w[0].Tracking, w[0].Type, w[0].Due
	}
	n.Choices = rows
}

// splitNear is the length from which a text may be the first part of one that the chat
// app split (Telegram splits texts over 4,096 characters).
const splitNear = 3800

// continueBody adds text that follows a long description to it.
func (in *Intake) continueBody(o *Outcome, t string) {
	s := &o.Session
	d := &s.Draft
	s.Partial = utf8.RuneCountInString(t) >= splitNear
	body := d.Body + " " + t
	if n := utf8.RuneCountInString(body); n > in.MaxBody {
		d.Body, d.Title, s.Partial = "", "", false
		o.say(MsgTooLong).Data = map[string]string{"Max": strconv.Itoa(in.MaxBody), "Count": strconv.Itoa(n)}
		if s.Step == StepBody {
			in.prompt(o)
		}
		return
	}
	d.Body, d.Title = body, titleOf(body)
	switch {
	case s.Partial:
		o.say(MsgBodyPart, in.bodyDone(s.Step)...)
	case s.Step == StepBody:
		in.next(o)
	default:
		o.say(MsgBodyJoined)
	}
}

// bodyDone offers to go on from the description step.
func (in *Intake) bodyDone(st Step) [][]Choice {
	if st != StepBody {
		return nil
	}
	return [][]Choice{{{Label: LabelContinue, Data: "i:body:done"}}}
}

// usableBody reports whether t would do as a description.
func (in *Intake) usableBody(t string) bool {
	return utf8.RuneCountInString(t) >= in.MinBody && len(strings.Fields(t)) >= in.MinWords
}

// askRestart asks a citizen who begins a complaint while writing one whether to
// continue it or start over.
func (in *Intake) askRestart(o *Outcome) {
	o.say(MsgDraftOpen, []Choice{{Label: LabelContinue, Data: "m:continue"}, {Label: LabelRestart, Data: "m:restart"}})
}

// begin starts a new complaint with the privacy notice.
func (in *Intake) begin(o *Outcome) {
	s := &o.Session
	s.Step, s.Draft, s.Fixing, s.Focus, s.Pending, s.Partial = StepConsent, Complaint{}, false, "", "", false
	in.prompt(o)
}

// cancel cancels what is being written: a reply (back to the draft it interrupted, if
// any), or the draft. With neither, it says there was nothing to cancel.
func (in *Intake) cancel(o *Outcome, mine []Complaint) {
	s := &o.Session
	if s.Step == StepReply {
		n := o.say(MsgReplyCancelled)
		n.Tracking, n.Report = s.Focus, ""
		if c, ok := waitingFor(mine, s.Focus); ok {
			n.Due, n.Report = c.Due, c.Type
		}
		s.Step, s.Focus, s.Resume = cmp.Or(s.Resume, StepMenu), "", ""
		if s.Step == StepMenu {
			n.Choices = menuRows(mine)
			return
		}
		in.prompt(o) // back to the complaint being written
		return
	}
	filing := s.Filing()
	s.Step, s.Draft, s.Fixing, s.Focus, s.Resume, s.Pending, s.Partial = StepMenu, Complaint{}, false, "", "", "", false
	if !filing {
		o.say(MsgNothingToCancel, menuRows(mine)...)
		return
	}
	in.menu(o, mine, MsgCancelled)
}

// menu shows the menu: file, status, language, and a reply button per answered complaint.
func (in *Intake) menu(o *Outcome, mine []Complaint, msg MsgID) {
	s := &o.Session
	if s.Filing() && msg != MsgCancelled {
		// An unfinished draft stays: offer to continue it.
		o.say(msg, []Choice{{Label: LabelContinue, Data: "m:continue"}, {Label: LabelCancel, Data: "m:cancel"}})
		return
	}
	o.say(msg, menuRows(mine)...)
}

// menuRows are the menu's buttons: file, status, help, language, a copy of my data,
// and a reply button per complaint waiting for the citizen (at most three).
func menuRows(mine []Complaint) [][]Choice {
	rows := [][]Choice{{{Label: LabelNew, Data: "m:new"}}, {{Label: LabelStatus, Data: "m:status"}, {Label: LabelHelp, Data: "m:help"}},
		{{Label: LabelLanguage, Data: "m:lang"}, {Label: LabelMyData, Data: "m:data"}}}
	for i, c := range waiting(mine) {
		if i == 3 {
			break
		}
		rows = append(rows, []Choice{{Label: LabelReply, Text: c.Tracking, Data: "c:rep:" + c.Tracking}})
	}
	return rows
}

func (in *Intake) status(o *Outcome, mine []Complaint) {
	if len(mine) == 0 {
		o.say(MsgStatusNone, []Choice{{Label: LabelNew, Data: "m:new"}})
		return
	}
	n := o.say(MsgStatusList)
	for i, c := range mine {
		if i == 10 {
			break
		}
		item := Notice{Msg: MsgStatusItem, Complaint: c.ID, Tracking: c.Tracking, State: c.State, Due: c.Due, Report: c.Type}
		if c.State != Answered {
			item.Data = map[string]string{"DateOnly": "yes"} // the government's deadline: its date is enough
		}
		n.Items = append(n.Items, item)
	}
}

// choose handles a pressed button.
func (in *Intake) choose(o *Outcome, data string, mine []Complaint) {
	s := &o.Session
	parts := strings.Split(data, ":")
	switch parts[0] {
	case "m":
		in.chooseMenu(o, parts[1:], mine)
		return
	case "c":
		in.chooseComplaint(o, parts[1:], mine)
		return
	case "i":
		if len(parts) < 3 || Step(parts[1]) != s.Step {
			o.say(MsgStaleChoice)
			in.prompt(o)
			return
		}
		in.chooseIntake(o, parts[2], mine)
		return
	}
	o.say(MsgStaleChoice)
	in.prompt(o)
}

func (in *Intake) chooseMenu(o *Outcome, parts []string, mine []Complaint) {
	s := &o.Session
	switch first(parts) {
	case "new":
		if s.Filing() {
			in.askRestart(o)
			return
		}
		pending := s.Pending
		in.begin(o)
		if len(parts) == 2 && parts[1] == "text" && pending != "" {
			in.keepBody(o, pending) // the text typed before, as the description
		}
	case "restart":
		in.begin(o)
	case "status":
		in.status(o, mine)
	case "continue":
		in.prompt(o)
	case "help":
		o.say(MsgHelp)
		in.prompt(o)
	case "cancel":
		in.cancel(o, mine)
	case "data":
		in.dataCopy(o)
	case "lang":
		if len(parts) == 2 && (parts[1] == "id" || parts[1] == "en") {
			s.Lang = parts[1]
			o.say(MsgLangSet)
			in.prompt(o)
			return
		}
		o.say(MsgChooseLang, []Choice{{Text: "Bahasa Indonesia", Data: "m:lang:id"}, {Text: "English", Data: "m:lang:en"}})
	default:
		o.say(MsgStaleChoice)
		in.prompt(o)
	}
}

// chooseComplaint handles the buttons under messages about a complaint: satisfied,
// reply, rate.
func (in *Intake) chooseComplaint(o *Outcome, parts []string, mine []Complaint) {
	s := &o.Session
	if len(parts) < 2 {
		o.say(MsgStaleChoice)
		return
	}
	tracking := parts[1]
	i := slices.IndexFunc(mine, func(c Complaint) bool { return c.Tracking == tracking })
	if i < 0 && parts[0] == "rate" {
		// Most often an anonim complaint whose chat identity went after its rating window.
		o.say(MsgRatingClosed).Tracking = tracking
		return
	}
	if i < 0 {
		o.say(MsgNotYours)
		return
	}
	actor := Actor{Kind: ByComplainant, Ref: s.Chat}
	switch parts[0] {
	case "send":
		// The text typed before, for the complaint chosen.
		pending := s.Pending
		s.Pending = ""
		switch {
		case pending != "" && mine[i].State == Answered:
			in.reply(o, tracking, pending)
		case pending != "" && worksOn(mine[i].State):
			in.addInfo(o, tracking, pending)
		default:
			in.chooseComplaint(o, []string{"rep", tracking}, mine)
			return
		}
		in.prompt(o)
	case "sat":
		o.Event, o.Tracking = &Event{Kind: EvSatisfied, Actor: actor}, tracking
	case "rep":
		if mine[i].State != Answered {
			o.Event, o.Tracking = &Event{Kind: EvReply, Actor: actor, Text: "-"}, tracking // refused by the rules, with their explanation
			return
		}
		if s.Filing() {
			s.Resume = s.Step // the complaint being written waits for the reply
		}
		s.Step, s.Focus, s.Pending = StepReply, tracking, ""
		n := o.say(MsgAskReply, []Choice{{Label: LabelCancel, Data: "m:cancel"}})
		n.Tracking, n.Report = tracking, mine[i].Type
	case "rate":
		r := 0
		if len(parts) == 3 {
			r, _ = strconv.Atoi(parts[2])
		}
		o.Event, o.Tracking = &Event{Kind: EvRate, Actor: actor, Rating: r}, tracking
	default:
		o.say(MsgStaleChoice)
	}
}

// chooseIntake handles a button of the current step. A value the step does not offer
// (an old keyboard, or tampered data) is refused as stale and the step asked again.
func (in *Intake) chooseIntake(o *Outcome, v string, mine []Complaint) {
	s := &o.Session
	d := &s.Draft
	ok := true
	switch s.Step {
	case StepConsent:
		if v != "ok" {
			in.cancel(o, mine)
			return
		}
	case StepType:
		if ok = slices.Contains(ReportTypes, ReportType(v)); ok {
			d.Type = ReportType(v)
		}
	case StepPrivacy:
		if ok = slices.Contains(Privacies, Privacy(v)); ok {
			d.Privacy = Privacy(v)
			if d.Privacy == Anonymous {
				d.Contact.Name, d.Contact.Phone, d.Contact.Email, d.Contact.NIK = "", "", "", ""
			}
		}
	case StepCategory:
		if ok = slices.Contains(in.Categories, v); ok {
			d.Category = v
			if !in.needsNIK(v) {
				d.Contact.NIK = "" // collected only where the case needs it
			}
		}
	case StepPhone:
		switch {
		case v == "known" && o.known != "":
			d.Contact.Phone = o.known
			n := o.say(MsgPhoneNoted)
			n.Data, n.Ask = map[string]string{"Phone": maskPhone(o.known)}, AskClose
		case v == "other":
			o.say(MsgAskPhone, []Choice{{Label: LabelSkip, Data: "i:phone:skip"}}).Ask = AskPhone
			return
		case v == "skip":
			d.Contact.Phone = "" // as typing "lewati" does
		default:
			// "known" without the number (a message from a chat the channel does not
			// vouch for): stale, and the step is asked again.
			ok = false
		}
	case StepWhen, StepWhere, StepEmail:
		ok = v == "skip"
	case StepNIK:
		if ok = v == "skip"; ok {
			d.Contact.NIK = ""
		}
	case StepFiles:
		ok = v == "done"
	case StepBody:
		// Continue after a long description that may have had a further part.
		if ok = v == "done" && d.Body != ""; ok {
			s.Partial = false
			if !in.usableBody(d.Body) {
				o.say(MsgBodyTooShort).Data = map[string]string{"Min": strconv.Itoa(in.MinBody), "Words": strconv.Itoa(in.MinWords)}
				return
			}
		}
	case StepConfirm:
		switch v {
		case "send":
			o.File, o.Draft = true, in.finish(*d, s)
			s.Step, s.Draft, s.Fixing = StepMenu, Complaint{}, false
			return
		case "fix":
			s.Step = StepFix
			in.prompt(o)
			return
		case "cancel":
			in.cancel(o, mine)
			return
		}
		ok = false
	case StepFix:
		st := Step(v)
		if slices.Contains(intakeSteps, st) && in.applies(st, *d) {
			s.Step, s.Fixing = st, true
			in.prompt(o)
			return
		}
		ok = false
	default: // the menu, the description and a reply take no intake buttons
		ok = false
	}
	if !ok {
		o.say(MsgStaleChoice)
		in.prompt(o)
		return
	}
	in.next(o)
}

// finish completes the draft with what the conversation knows.
func (in *Intake) finish(d Complaint, s *Session) Complaint {
	d.Contact.Channel, d.Contact.Chat, d.Contact.Lang = s.Channel, s.Chat, s.Lang
	if d.Title == "" {
		d.Title = titleOf(d.Body)
	}
	return d
}

// text handles free text in the current step.
func (in *Intake) text(o *Outcome, t string, msg Inbound, mine []Complaint) {
	s := &o.Session
	d := &s.Draft
	if t == "" {
		if s.Step == StepMenu {
			in.menu(o, mine, MsgMenuHint)
			return
		}
		in.prompt(o)
		return
	}
	short := func() bool {
		if utf8.RuneCountInString(t) > in.MaxShort {
			o.say(MsgTooLong).Data = map[string]string{"Max": strconv.Itoa(in.MaxShort)}
			in.prompt(o)
			return false
		}
		return true
	}
	switch s.Step {
	case StepMenu:
		in.loose(o, t, mine)
		return
	case StepReply:
		if utf8.RuneCountInString(t) > MaxText {
			o.say(MsgTooLong).Data = map[string]string{"Max": strconv.Itoa(MaxText)}
			return
		}
		in.reply(o, s.Focus, t)
		s.Step, s.Focus, s.Resume = cmp.Or(s.Resume, StepMenu), "", ""
		in.prompt(o) // back to the complaint being written, if any
		return
	case StepBody:
		n := utf8.RuneCountInString(t)
		switch {
		case n > in.MaxBody:
			o.say(MsgTooLong).Data = map[string]string{"Max": strconv.Itoa(in.MaxBody), "Count": strconv.Itoa(n)}
			return
		case n >= splitNear:
			// Perhaps the first part of a longer text: wait for the rest.
			d.Body, d.Title, s.Partial = t, titleOf(t), true
			o.say(MsgBodyPart, in.bodyDone(s.Step)...)
			return
		case n < in.MinBody || len(strings.Fields(t)) < in.MinWords:
			o.say(MsgBodyTooShort).Data = map[string]string{"Min": strconv.Itoa(in.MinBody), "Words": strconv.Itoa(in.MinWords)}
			return
		}
		d.Body = t
		d.Title = titleOf(t)
	case StepWhen:
		if !short() {
			return
		}
		d.EventDate = t
	case StepWhere:
		if !short() {
			return
		}
		d.Place = t
	case StepPhone:
		if o.known != "" && isYes(t) {
			// "iya boleh", "ya, nomor ini saja": the number offered.
			d.Contact.Phone = o.known
			n := o.say(MsgPhoneNoted)
			n.Data, n.Ask = map[string]string{"Phone": maskPhone(o.known)}, AskClose
			break
		}
		if isSkip(t) {
			// The "skip" key of a keyboard that also offers to share the number.
			d.Contact.Phone = ""
			o.say(MsgPhoneNoted).Ask = AskClose
			break
		}
		in.phone(o, t)
		return
	case StepNIK:
		if isSkip(t) {
			d.Contact.NIK = ""
			break
		}
		n, err := ParseNIK(t)
		var fe *Error
		if errors.As(err, &fe) {
			// Which part is wrong, and the step's skip button again.
			o.say(MsgID(fe.Code), []Choice{{Label: LabelSkip, Data: "i:nik:skip"}}).Data = fe.Data
			return
		}
		d.Contact.NIK = n
		o.say(MsgNIKNoted).Data = map[string]string{"NIK": n.Masked()}
	case StepEmail:
		if !short() {
			return
		}
		if !emailPattern.MatchString(t) {
			o.say(MsgBadEmail, []Choice{{Label: LabelSkip, Data: "i:email:skip"}})
			return
		}
		d.Contact.Email = t
	default:
		// A step that takes a button: say so, and ask again.
		o.say(MsgChooseButton)
		in.prompt(o)
		return
	}
	if msg.Name != "" && d.Privacy != Anonymous && d.Contact.Name == "" {
		d.Contact.Name = msg.Name
	}
	in.next(o)
}

func (in *Intake) phone(o *Outcome, p string) {
	norm, ok := NormalizePhone(p)
	if !ok {
		o.say(MsgBadPhone, []Choice{{Label: LabelSkip, Data: "i:phone:skip"}}).Ask = AskPhone
		return
	}
	o.Session.Draft.Contact.Phone = norm
	n := o.say(MsgPhoneNoted)
	n.Data, n.Ask = map[string]string{"Phone": norm}, AskClose
	in.next(o)
}

// attach adds an attachment to the draft; reprompt asks the current step again.
func (in *Intake) attach(o *Outcome, a Attachment, reprompt bool) {
	d := &o.Session.Draft
	if len(d.Attachment) < in.MaxFiles && a.Ref == "" {
		// The channel did not keep the file, though the draft has room for it.
		o.say(MsgFailed)
		return
	}
	if len(d.Attachment) >= in.MaxFiles {
		n := o.say(MsgTooManyFiles)
		n.Data = map[string]string{"Max": strconv.Itoa(in.MaxFiles)}
		if o.Session.Step == StepFiles {
			n.Choices = [][]Choice{{{Label: LabelDone, Data: "i:files:done"}}}
			return
		}
		in.prompt(o)
		return
	}
	d.Attachment = append(slices.Clip(d.Attachment), a) // never into the caller's array
	n := o.say(MsgFileAdded)
	n.Data = map[string]string{"Count": strconv.Itoa(len(d.Attachment)), "Max": strconv.Itoa(in.MaxFiles)}
	if o.Session.Step == StepFiles {
		n.Choices = [][]Choice{{{Label: LabelDone, Data: "i:files:done"}}}
		return
	}
	if reprompt {
		in.prompt(o)
	}
}

// applies reports whether step st is asked for draft d: phone, NIK and e-mail are not
// asked of anonymous complainants, and the NIK only in the categories that need it.
func (in *Intake) applies(st Step, d Complaint) bool {
	switch {
	case d.Privacy == Anonymous && (st == StepPhone || st == StepNIK || st == StepEmail):
		return false
	case st == StepNIK:
		return in.needsNIK(d.Category)
	}
	return true
}

// needsNIK reports whether a complaint in category c asks for the NIK.
func (in *Intake) needsNIK(c string) bool { return c != "" && slices.Contains(in.NIKCategories, c) }

// next moves to the step after the current one (or back to the summary when
// correcting) and asks for it.
func (in *Intake) next(o *Outcome) {
	s := &o.Session
	if s.Fixing && s.Step == StepCategory && s.Draft.Contact.NIK == "" && in.applies(StepNIK, s.Draft) {
		// A category corrected to one that needs the NIK: it is asked, then the summary.
		s.Step = StepNIK
		in.prompt(o)
		return
	}
	if s.Fixing || s.Step == StepConfirm || s.Step == StepFix {
		s.Step, s.Fixing = StepConfirm, false
		in.prompt(o)
		return
	}
	if s.Step == StepConsent {
		s.Step = StepType
		in.prompt(o)
		return
	}
	i := slices.Index(intakeSteps, s.Step)
	// The description is not asked for when the citizen wrote it before filing.
	for i++; i < len(intakeSteps) && (!in.applies(intakeSteps[i], s.Draft) || (intakeSteps[i] == StepBody && s.Draft.Body != "")); i++ {
	}
	if i >= len(intakeSteps) {
		s.Step = StepConfirm
	} else {
		s.Step = intakeSteps[i]
	}
	in.prompt(o)
}

// prompt asks for the current step.
func (in *Intake) prompt(o *Outcome) {
	s := &o.Session
	d := s.Draft
	skip := func(st Step) []Choice { return []Choice{{Label: LabelSkip, Data: "i:" + string(st) + ":skip"}} }
	switch s.Step {
	case StepMenu:
		return
	case StepReply:
		n := o.say(MsgAskReply, []Choice{{Label: LabelCancel, Data: "m:cancel"}})
		n.Tracking = s.Focus
	case StepConsent:
		o.say(MsgPrivacyNotice, []Choice{{Label: LabelAgree, Data: "i:consent:ok"}, {Label: LabelCancel, Data: "i:consent:no"}})
	case StepType:
		var row []Choice
		for _, t := range ReportTypes {
			row = append(row, Choice{Label: MsgID("type." + string(t)), Data: "i:type:" + string(t)})
		}
		o.say(MsgAskType, row)
	case StepPrivacy:
		var rows [][]Choice
		for _, p := range Privacies {
			rows = append(rows, []Choice{{Label: MsgID("privacy." + string(p)), Data: "i:privacy:" + string(p)}})
		}
		o.say(MsgAskPrivacy, rows...)
	case StepCategory:
		var rows [][]Choice
		for i, c := range in.Categories {
			ch := Choice{Label: MsgID("category." + c), Data: "i:category:" + c}
			if i%2 == 0 {
				rows = append(rows, []Choice{ch})
			} else {
				rows[len(rows)-1] = append(rows[len(rows)-1], ch)
			}
		}
		o.say(MsgAskCategory, rows...)
	case StepBody:
		if s.Partial {
			o.say(MsgBodyPart, in.bodyDone(s.Step)...)
			return
		}
		o.say(MsgAskBody).Data = map[string]string{"Min": strconv.Itoa(in.MinBody)}
	case StepWhen:
		o.say(MsgAskWhen, skip(StepWhen))
	case StepWhere:
		o.say(MsgAskWhere, skip(StepWhere))
	case StepFiles:
		o.say(MsgAskFiles, []Choice{{Label: LabelDone, Data: "i:files:done"}}).Data = map[string]string{"Max": strconv.Itoa(in.MaxFiles)}
	case StepPhone:
		if o.known != "" {
			n := o.say(MsgOfferPhone, []Choice{{Label: LabelUseKnown, Data: "i:phone:known"}},
				[]Choice{{Label: LabelOther, Data: "i:phone:other"}}, skip(StepPhone))
			n.Data = map[string]string{"Phone": maskPhone(o.known)}
			return
		}
		o.say(MsgAskPhone, skip(StepPhone)).Ask = AskPhone
	case StepNIK:
		o.say(MsgAskNIK, skip(StepNIK))
	case StepEmail:
		o.say(MsgAskEmail, skip(StepEmail))
	case StepConfirm:
		n := o.say(MsgSummary, []Choice{{Label: LabelSend, Data: "i:confirm:send"}},
			[]Choice{{Label: LabelFix, Data: "i:confirm:fix"}, {Label: LabelCancel, Data: "i:confirm:cancel"}})
		n.Data = map[string]string{
			"Type": string(d.Type), "Privacy": string(d.Privacy), "Category": d.Category, "Body": d.Body,
			"When": d.EventDate, "Where": d.Place, "Files": strconv.Itoa(len(d.Attachment)),
			"Phone": d.Contact.Phone, "Email": d.Contact.Email, "Name": d.Contact.Name,
		}
		if d.Contact.NIK != "" {
			n.Data["NIK"] = d.Contact.NIK.Masked()
		}
	case StepFix:
		var rows [][]Choice
		for _, st := range intakeSteps {
			if in.applies(st, d) {
				rows = append(rows, []Choice{{Label: MsgID("field." + string(st)), Data: "i:fix:" + string(st)}})
			}
		}
		o.say(MsgAskFix, rows...)
	}
}

// Tick is what the sweep does to a session at now: one reminder after RemindAfter of
// silence in an unfinished complaint, and the draft dropped after ExpireAfter. ok is
// false when nothing is due.
func (in *Intake) Tick(s Session, now time.Time) (o Outcome, ok bool) {
	if !s.Filing() || s.Updated.IsZero() {
		return Outcome{}, false
	}
	idle := now.Sub(s.Updated)
	switch {
	case idle >= in.ExpireAfter:
		o.Session = s
		o.Session.Step, o.Session.Draft, o.Session.Fixing, o.Session.Partial = StepMenu, Complaint{}, false, false
		n := o.say(MsgDraftExpired, []Choice{{Label: LabelNew, Data: "m:new"}})
		n.Report, n.Data = s.Draft.Type, draftData(s)
		return o, true
	case idle >= in.RemindAfter && !s.Nudged:
		o.Session = s
		o.Session.Nudged = true
		// Due: when the draft will be deleted.
		n := o.say(MsgDraftReminder, []Choice{{Label: LabelContinue, Data: "m:continue"}, {Label: LabelCancel, Data: "m:cancel"}})
		n.Due, n.Data = s.Updated.Add(in.ExpireAfter), draftData(s)
		return o, true
	}
	return Outcome{}, false
}

// draftData is what the sweep's messages about a draft name of it, so that no two
// citizens get the same text (WhatsApp bans numbers that send one text to many):
// Since, when the citizen last wrote to it (RFC 3339), and its Category when chosen —
// never what they wrote.
func draftData(s Session) map[string]string {
	d := map[string]string{"Since": s.Updated.Format(time.RFC3339)}
	if s.Draft.Category != "" {
		d["Category"] = s.Draft.Category
	}
	return d
}

// NextCheck returns when the sweep must look at the session next; zero when never.
func (in *Intake) NextCheck(s Session) time.Time {
	if !s.Filing() || s.Updated.IsZero() {
		return time.Time{}
	}
	if !s.Nudged {
		return s.Updated.Add(in.RemindAfter)
	}
	return s.Updated.Add(in.ExpireAfter)
}

// AskPhone marks a message that asks for the phone number: channels that can offer a
// "share my number" button do.
const AskPhone = "phone"

// AskClose marks the message after the phone step: channels remove the "share my
// number" keyboard with it.
const AskClose = "close"

// isThanks reports whether a typed text only acknowledges: a few words such as "ok",
// "terima kasih banyak, Pak", "thanks" and nothing else, or only signs such as 👍.
func isThanks(t string) bool {
	words := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) == 0 {
		return strings.TrimSpace(t) != "" // only signs, such as 👍 or 🙏
	}
	if len(words) > 6 {
		return false
	}
	for _, w := range words {
		if !thanksWords[w] {
			return false
		}
	}
	return true
}

// isGreeting reports whether t only greets (a few words of greetingWords, at least one
// of them not also a word of address such as "pak"), as a chat with someone begins.
func isGreeting(t string) bool {
	words := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	if len(words) == 0 || len(words) > 5 {
		return false
	}
	greets := false
	for _, w := range words {
		g, ok := greetingWords[w]
		if !ok {
			return false
		}
		greets = greets || g
	}
	return greets
}

// greetingWords are the words of a greeting, in Indonesian and English: true for a
// word that greets, false for one that only goes with a greeting ("pagi, pak").
var greetingWords = map[string]bool{
	"halo": true, "hallo": true, "helo": true, "hai": true, "hay": true, "hi": true, "hello": true, "hey": true,
	"assalamualaikum": true, "assalamu'alaikum": true, "asalamualaikum": true, "salam": true, "permisi": true,
	"selamat": true, "pagi": true, "siang": true, "sore": true, "malam": true, "good": true, "morning": true,
	"afternoon": true, "evening": true, "wr": false, "wb": false, "pak": false, "bu": false, "bapak": false,
	"ibu": false, "kak": false, "min": false, "admin": false, "mas": false, "mbak": false, "semua": false,
}

// thanksWords are the words of an acknowledgement, in Indonesian and English.
var thanksWords = map[string]bool{
	"ok": true, "oke": true, "okay": true, "okey": true, "okee": true, "baik": true, "siap": true, "sip": true,
	"ya": true, "iya": true, "y": true, "mantap": true, "terima": true, "kasih": true, "terimakasih": true,
	"makasih": true, "trims": true, "tq": true, "banyak": true, "pak": true, "bu": true, "bapak": true, "ibu": true,
	"min": true, "admin": true, "thanks": true, "thank": true, "you": true, "thx": true, "much": true, "very": true,
	"noted": true, "atas": true, "bantuan": true, "bantuannya": true, "so": true, "for": true, "your": true,
	"help": true,
}

var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]{2,}$`)

// NormalizePhone turns an Indonesian phone number as people write it (0812-3456-7890,
// +62 812 3456 7890, 6281234567890) into international digits (6281234567890). ok is
// false when it is not one.
func NormalizePhone(p string) (string, bool) {
	p = strings.TrimSpace(p)
	plus := strings.HasPrefix(p, "+")
	p = strings.TrimPrefix(p, "+")
	p = strings.Replace(p, "(0)", "", 1) // +62 (0)812…: the trunk zero written in brackets
	var b strings.Builder
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "0062") && !plus:
		d = d[2:]
	case strings.HasPrefix(d, "62"):
	case strings.HasPrefix(d, "0") && !plus:
		d = "62" + d[1:]
	default:
		return "", false
	}
	if strings.HasPrefix(d, "620") {
		return "", false // a trunk zero after the country code
	}
	if len(d) < 10 || len(d) > 15 {
		return "", false
	}
	return d, true
}

// maskPhone shows a normalized phone number with its middle digits hidden, as the
// phone step offers it: "+62 812-••••-7890" for 6281234567890.
func maskPhone(p string) string {
	if len(p) < 10 || !strings.HasPrefix(p, "62") {
		return "+62 ••••"
	}
	rest := p[2:]
	return "+62 " + rest[:3] + "-••••-" + rest[len(rest)-4:]
}

// titleOf makes a title from the first words of a description, at most 60 characters.
func titleOf(body string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	line = strings.TrimSpace(line) // "\r" of a Windows line end
	if utf8.RuneCountInString(line) <= 60 {
		return line
	}
	r := []rune(line)[:60]
	if i := strings.LastIndexByte(string(r), ' '); i > 30 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}

// isYes reports whether a typed answer only says yes, in a few words ("iya boleh", "ya,
// nomor ini saja", "yes please"), as the answer to the offer of a known phone number.
func isYes(t string) bool {
	words := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) == 0 || len(words) > 6 {
		return false
	}
	yes := false
	for _, w := range words {
		switch w {
		case "ya", "iya", "iyah", "y", "yes", "yep", "yeah", "boleh", "silakan", "silahkan", "ok", "oke", "okay", "baik", "betul", "benar", "sure":
			yes = true
		case "nomor", "ini", "itu", "saja", "aja", "pak", "bu", "min", "please", "this", "number", "that", "one", "pakai", "gunakan", "use", "it":
		default:
			return false
		}
	}
	return yes
}

// isSkip reports whether a typed answer means "skip" (in Indonesian or English).
func isSkip(t string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(t), ".!")) {
	case "lewati", "skip", "-", "tidak ada", "tidak", "no", "none":
		return true
	}
	return false
}

func langOf(pref string) string {
	if strings.HasPrefix(strings.ToLower(pref), "en") {
		return "en"
	}
	return "id"
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// String describes the session without personal data, for logs.
func (s Session) String() string { return fmt.Sprintf("session(%s, step %q)", s.Channel, s.Step) }
