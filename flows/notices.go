package flows

import "time"

// MsgID identifies a message a channel renders in the reader's language; the locales
// hold its text.
type MsgID string

// Messages to the complainant.
const (
	MsgFiled         MsgID = "complainant.filed"          // Tracking, Due (routing deadline)
	MsgVerified      MsgID = "complainant.verified"       // Tracking, Unit (regency), Due
	MsgForwarded     MsgID = "complainant.forwarded"      // Tracking, Unit (agency), Due (answer deadline)
	MsgArchivedC     MsgID = "complainant.archived"       // Tracking, Text (reason)
	MsgAnswered      MsgID = "complainant.answered"       // Tracking, Unit, Text (answer), Due (closure)
	MsgReplyReceived MsgID = "complainant.reply_received" // Tracking, Due (answer deadline)
	MsgInfoAddedC    MsgID = "complainant.info_added"     // Tracking, Due: the citizen's further message was passed on
	MsgClosingSoon   MsgID = "complainant.closing_soon"   // Tracking, Due (closure)
	MsgClosedThanks  MsgID = "complainant.closed"         // Tracking: closed as satisfied; asks for a rating
	MsgClosedSilence MsgID = "complainant.closed_silence" // Tracking: closed after silence; asks for a rating
	MsgHandedC       MsgID = "complainant.ombudsman"      // Tracking
	MsgOutcomeC      MsgID = "complainant.outcome"        // Tracking, Text (the Ombudsman's outcome)
	MsgRated         MsgID = "complainant.rated"          // Tracking, Rating
)

// Messages to a unit's group.
const (
	MsgNewCase      MsgID = "unit.new"              // a complaint reached the unit: card with Due
	MsgReturned     MsgID = "unit.returned"         // sent back to the unit with Text (reason); Unit returned it, Actor is who
	MsgTasked       MsgID = "unit.tasked"           // a technical team is tasked: card with Due
	MsgFindings     MsgID = "unit.findings"         // the team reported Text to the agency
	MsgReplied      MsgID = "unit.replied"          // the complainant replied Text; Due (new answer deadline)
	MsgInfoAdded    MsgID = "unit.info_added"       // the complainant added Text to a complaint being worked; Due unchanged
	MsgReminder     MsgID = "unit.reminder"         // Due approaches
	MsgOverdue      MsgID = "unit.overdue"          // Due passed
	MsgEscalation   MsgID = "unit.escalation"       // to the parent: Unit (the child) let Due pass
	MsgClosedU      MsgID = "unit.closed"           // the complaint closed; Text says why ("satisfied", "silence", "outcome")
	MsgArchivedU    MsgID = "unit.archived"         // archived by Actor with Text (reason)
	MsgHandover     MsgID = "unit.handover"         // to the Ombudsman liaison: the whole record of the complaint
	MsgHandedU      MsgID = "unit.handed"           // to the holder: the complaint went to the Ombudsman
	MsgOmbudsmanAns MsgID = "unit.ombudsman_answer" // to the Ombudsman liaison: the agency answered Text
	MsgRatedU       MsgID = "unit.rated"            // the complainant rated Rating
	MsgDigest       MsgID = "unit.digest"           // daily: Open, DueToday, Overdue
)

// Why a complaint closed, as the Text of MsgClosedU.
const (
	WhySatisfied = "satisfied" // the complainant said so
	WhySilence   = "silence"   // the complainant was silent past the closure limit
	WhyOutcome   = "outcome"   // the Ombudsman liaison recorded the outcome
)

// Recipient is who a notice goes to: the group of a unit, or the complainant; or,
// for what answers a person's action in a chat, the chat it came from or that person
// alone (ToOrigin, ToPerson).
type Recipient struct {
	Unit        string // unit code; empty when the notice is for the complainant
	Complainant bool
	// Origin, when set, narrows the recipient to where an action came from: the chat
	// Origin.Chat, as the group of Unit (empty for a group that is no unit's); with
	// Person, the person Origin.User alone.
	Origin Origin
	Person bool
}

// ToUnit addresses a unit's group.
func ToUnit(code string) Recipient { return Recipient{Unit: code} }

// ToComplainant addresses the complainant of the complaint.
var ToComplainant = Recipient{Complainant: true}

// Notice is something to tell someone: a message ID and the data it needs. Channels
// render it in the reader's language; the store keeps it in the outbox until delivered.
type Notice struct {
	To        Recipient  `json:"-"`
	Msg       MsgID      `json:"msg"`
	Complaint int64      `json:"complaint,omitempty"`
	Tracking  string     `json:"tracking,omitempty"`
	Report    ReportType `json:"report,omitempty"` // the complaint's report type, when known: messages name it
	State     State      `json:"state,omitempty"`
	Unit      string     `json:"unit,omitempty"`  // the unit the message is about
	Actor     string     `json:"actor,omitempty"` // display name of who acted
	Text      string     `json:"text,omitempty"`  // reason, answer, findings, reply or outcome
	Due       time.Time  `json:"due,omitzero"`
	Rating    int        `json:"rating,omitempty"`
	Open      int        `json:"open,omitempty"` // digest counts
	DueToday  int        `json:"due_today,omitempty"`
	Overdue   int        `json:"overdue,omitempty"`

	Data    map[string]string `json:"data,omitempty"`    // further template data of conversation messages
	Items   []Notice          `json:"items,omitempty"`   // lines of a list (e.g. the citizen's complaints)
	Choices [][]Choice        `json:"choices,omitempty"` // buttons, in rows
	Ask     string            `json:"ask,omitempty"`     // AskPhone: offer to share the phone number
	// Files are the attachments a MsgFiles notice carries, all of one kind.
	Files []Attachment `json:"files,omitempty"`
	// Copy is the citizen's data that a MsgDataCopy notice carries to their own chat,
	// filled in by the store; the outbox drops it once the message is delivered.
	Copy *DataCopy `json:"copy,omitempty"`
	// Card asks channels to show the complaint's card (summary, state, deadline and
	// the unit's buttons) with the message, and to keep it current.
	Card bool `json:"card,omitempty"`
	// Press, set on a notice to the person who pressed a button (Inbound.Press), makes
	// the notice the answer to that press: a channel that can answers the press itself
	// (Telegram: answerCallbackQuery), any other sends the notice to the person. A
	// press answer without Msg only acknowledges the press. Alert asks for an answer
	// the person must dismiss: a refusal, where a passing note is not enough.
	Press string `json:"press,omitempty"`
	Alert bool   `json:"alert,omitempty"`
}

// Envelope is a notice addressed to one chat of one channel, as it waits in the outbox.
type Envelope struct {
	ID       int64  // the outbox row
	Channel  string // "telegram", "whatsapp", …
	Chat     string // the channel's address of the chat
	Lang     string // the reader's language
	Unit     string // the unit whose group Chat is; empty for the complainant
	Notice   Notice
	Attempts int    // delivery attempts, this one included
	Edit     string // the channel's reference of the message this one replaces (a card), if any
	Thread   string // the forum topic of the complaint in this chat (or the one opened for this message), if any
	// Parts is how many parts of a message sent in several the channel already accepted
	// in earlier attempts, and PartRef the last one's reference: a retry goes on from there.
	Parts   int
	PartRef string
	// Answer marks an answer to what a person just did in a group (a prompt for text, a
	// confirmation, a refusal): channels let it go ahead of the chat's other messages.
	Answer bool
}

// Receipt is a channel's confirmation of a delivered message.
type Receipt struct {
	Ref    string // the channel's reference of the message
	Thread string // the forum topic it went to, when the channel opened one
	// Choices are the options a surface without buttons showed with the message, in
	// the order it numbered them (the first is "1"); empty when it showed buttons or
	// none. A reply that types a number or a label is read against them.
	Choices []Shown
	// FreeText reports that the message also took typed text as an answer (a
	// description, a date), so that a bare number typed after it stays text.
	FreeText bool
	// Unchanged reports an edit the surface did not carry out: the message it was to
	// replace (Envelope.Edit, whose reference Ref repeats) stays on the screen as it was,
	// and so does what it offered.
	Unchanged bool
}

// Shown is one choice as a surface showed it: its label in the reader's language, the
// message ID of that label when it has one (Choice.Label, which words meaning the same
// are matched against: "ya", "ok" for a yes), and the data that comes back in
// Inbound.Choice when it is taken.
type Shown struct {
	Label string `json:"label"`
	Key   MsgID  `json:"key,omitempty"`
	Data  string `json:"data"`
}
