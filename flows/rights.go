package flows

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// The rights of the citizen over their personal data (UU 27/2022): a copy of what the
// desk holds about them, asked with /datasaya or the menu, answered at once with a
// document (MsgDataCopy) that the store fills in and the channel renders.

// Messages and labels of the citizen's data requests.
const (
	// MsgDataCopy carries the copy of the citizen's data: the channel sends Copy as a
	// document (JSON, labels in the reader's language) with this message as its caption.
	MsgDataCopy  MsgID = "rights.data_copy"
	LabelMyData  MsgID = "choice.my_data"   // the menu's button: a copy of my data
	MsgCmdMyData MsgID = "command.datasaya" // the command's description in a channel's menu
)

// RequestKind is what a citizen asks of their personal data.
type RequestKind string

// The kinds of data request; the store records each one (table data_request).
const (
	RequestNone    RequestKind = ""
	RequestAccess  RequestKind = "access"  // a copy of everything the desk holds about them
	RequestErasure RequestKind = "erasure" // the deletion of their personal data
)

// IsMyDataCommand reports whether cmd asks for a copy of one's data.
func IsMyDataCommand(cmd string) bool { return cmd == "datasaya" || cmd == "mydata" }

// dataCopy answers a request for a copy of the citizen's data: the store records the
// request and fills in the document (Outcome.Request); a draft being written is asked
// for again after it.
func (in *Intake) dataCopy(o *Outcome) {
	o.Request = RequestAccess
	n := o.say(MsgDataCopy)
	n.Report = ""
	in.prompt(o)
}

// DataCopy is everything the desk holds about one citizen's conversation, as of Made:
// the conversation (and the draft in it), every complaint filed from it with its files
// and the steps of its audit trail the citizen may know, and their earlier data
// requests. It holds personal data: it travels only to the citizen's own chat.
type DataCopy struct {
	Made       time.Time       `json:"made"`
	Channel    string          `json:"channel"`
	Chat       string          `json:"chat"`   // the conversation's address on the channel (WhatsApp: often the phone number)
	Person     string          `json:"person"` // the pseudonym that stands for the citizen in the desk's logs
	Lang       string          `json:"lang"`
	Session    *SessionCopy    `json:"session,omitempty"`
	Complaints []ComplaintCopy `json:"complaints"`
	Requests   []RequestCopy   `json:"requests,omitempty"`
}

// SessionCopy is the conversation as the desk keeps it: where it stands, the draft
// being written (its contact details, description and files) and text kept until the
// citizen says which complaint it is for.
type SessionCopy struct {
	Step    Step       `json:"step"`
	Updated time.Time  `json:"updated"`
	Draft   *Complaint `json:"draft,omitempty"`
	Files   []FileCopy `json:"files,omitempty"`
	Pending string     `json:"pending,omitempty"`
}

// ComplaintCopy is one complaint as filed and as it stands, with its files and steps.
type ComplaintCopy struct {
	Complaint Complaint  `json:"complaint"`
	Files     []FileCopy `json:"files,omitempty"`
	Steps     []StepCopy `json:"steps,omitempty"`
}

// FileCopy describes a file the citizen sent: the file itself stays with the desk.
type FileCopy struct {
	Kind   string `json:"kind"`
	Name   string `json:"name,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"` // hex; empty for a location
	Place  string `json:"place,omitempty"`  // a location's "lat,long"
}

// StepCopy is one step of a complaint's audit trail as the citizen may see it: when,
// what, the states and unit, and the text when it is theirs or was addressed to them
// (see CitizenText). Staff names are not given: the unit stands for them.
type StepCopy struct {
	At   time.Time `json:"at"`
	Kind EventKind `json:"kind"`
	Mine bool      `json:"mine,omitempty"` // the citizen took the step
	From State     `json:"from,omitempty"`
	To   State     `json:"to"`
	Unit string    `json:"unit,omitempty"`
	Text string    `json:"text,omitempty"`
}

// RequestCopy is one of the citizen's data requests.
type RequestCopy struct {
	Kind      RequestKind `json:"kind"`
	Requested time.Time   `json:"requested"`
	Completed time.Time   `json:"completed,omitzero"`
}

// CitizenText reports whether the text of an event of kind k is the citizen's to see
// in their copy: what they wrote themselves (a reply, an addition), the answer, the
// reason an archive gave them and the Ombudsman's outcome — the texts the desk sent
// them. Internal texts (findings, reasons between units) stay with the desk.
func CitizenText(k EventKind) bool {
	return slices.Contains([]EventKind{EvReply, EvAddInfo, EvAnswer, EvArchive, EvOutcome, EvFile}, k)
}

// CopyStep returns audit event a as the citizen's copy shows it.
func CopyStep(a AuditEvent) StepCopy {
	s := StepCopy{At: a.At, Kind: a.Kind, Mine: a.Actor.Kind == ByComplainant, From: a.FromState, To: a.ToState, Unit: a.UnitAfter}
	if CitizenText(a.Kind) {
		s.Text = a.Text
	}
	return s
}

// NIK is a 16-digit Indonesian population number (Nomor Induk Kependudukan): province
// (2 digits), regency or city (2), district (2), the holder's birth date DDMMYY (40
// added to the day for women), and a serial number (4).
type NIK string

// provinces are the two-digit province codes of Kemendagri's region codes (Aceh 11 to
// the Papua provinces 91–96).
var provinces = []string{"11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
	"51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96"}

// The reasons ParseNIK gives for a number that is no NIK; each is also the ID of the
// message that tells the citizen which part is wrong, in their language.
const (
	ErrNIKDigits   ErrorCode = "nik.not_digits" // something but digits, spaces, dots and hyphens
	ErrNIKLength   ErrorCode = "nik.length"     // not 16 digits; Data "Count": how many
	ErrNIKProvince ErrorCode = "nik.province"   // the first two digits are no province; Data "Code"
	ErrNIKRegion   ErrorCode = "nik.region"     // the regency or district code is 00
	ErrNIKBirth    ErrorCode = "nik.birth_date" // digits 7–12 are no birth date (DDMMYY, 40 added to the day for women)
	ErrNIKSerial   ErrorCode = "nik.serial"     // the last four digits are 0000
)

// NIKErrors lists ParseNIK's reasons, in the order it checks them.
var NIKErrors = []ErrorCode{ErrNIKDigits, ErrNIKLength, ErrNIKProvince, ErrNIKRegion, ErrNIKBirth, ErrNIKSerial}

// ParseNIK reads a population number as people write it (spaces, dots and hyphens
// between digits are dropped) and checks it: 16 digits, a known province code, a
// regency and a district code that are not 00, a birth date that exists (day 01–31,
// or 41–71 for women; month 01–12; the year in either century, so 29 February needs a
// leap year in one), and a serial that is not 0000. The error is a *Error whose code
// (one of NIKErrors) says which part is wrong; its data never holds the whole number.
func ParseNIK(s string) (NIK, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-':
		default:
			return "", refuse(ErrNIKDigits)
		}
	}
	d := b.String()
	if len(d) != 16 {
		return "", refuse(ErrNIKLength, "Count", strconv.Itoa(len(d)))
	}
	if !slices.Contains(provinces, d[0:2]) {
		return "", refuse(ErrNIKProvince, "Code", d[0:2])
	}
	if d[2:4] == "00" || d[4:6] == "00" {
		return "", refuse(ErrNIKRegion)
	}
	day, month, year := atoi2(d[6:8]), atoi2(d[8:10]), atoi2(d[10:12])
	if day > 40 {
		day -= 40
	}
	if !validDate(day, month, 1900+year) && !validDate(day, month, 2000+year) {
		return "", refuse(ErrNIKBirth)
	}
	if d[12:16] == "0000" {
		return "", refuse(ErrNIKSerial)
	}
	return NIK(d), nil
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

func validDate(day, month, year int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t.Day() == day && int(t.Month()) == month
}

// Female reports whether the NIK's birth day carries the 40 added for women.
func (n NIK) Female() bool { return len(n) == 16 && atoi2(string(n[6:8])) > 40 }

// Masked returns the NIK as it is shown wherever no duty requires the whole number:
// the province and regency (the first four digits) and the last two, the rest hidden
// ("6112••••••••••01"). Anything but a 16-digit number is hidden whole.
func (n NIK) Masked() string {
	if len(n) != 16 {
		return strings.Repeat("•", 16)
	}
	return string(n[:4]) + strings.Repeat("•", 10) + string(n[14:])
}
