package flows

import (
	"crypto/rand"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// State is where a complaint is in the procedure. The values are stored as they are.
type State string

// The states of SOP.md section 3, and no others.
const (
	Submitted   State = "submitted"   // filed, waiting for the national admin to route it
	Routed      State = "routed"      // at the regency admin, to be distributed
	Distributed State = "distributed" // at the agency admin, to be answered
	InProgress  State = "in_progress" // a technical team is tasked, or the complainant replied
	Answered    State = "answered"    // answered; waiting for the complainant
	Closed      State = "closed"      // final: satisfied, silent past the limit, or settled by the Ombudsman
	AtOmbudsman State = "ombudsman"   // handed to the Ombudsman after 60 days without follow-up
	Archived    State = "archived"    // final: not a complaint for anyone below, duplicate, spam
)

// States lists every state in the order of the procedure.
var States = []State{Submitted, Routed, Distributed, InProgress, Answered, Closed, AtOmbudsman, Archived}

// Final reports whether no event but a rating can change a complaint in state s.
func (s State) Final() bool { return s == Closed || s == Archived }

// GovernmentSide reports whether in state s the complaint waits on the government, so
// that the 60-day clock runs.
func (s State) GovernmentSide() bool {
	return s == Submitted || s == Routed || s == Distributed || s == InProgress
}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

// ReportType is the kind of report, as LAPOR! knows them.
type ReportType string

// The report types of LAPOR!.
const (
	ReportComplaint   ReportType = "pengaduan" // a complaint about a public service
	ReportAspiration  ReportType = "aspirasi"  // a suggestion
	ReportInfoRequest ReportType = "informasi" // a request for information
)

// ReportTypes lists the report types in the order they are offered.
var ReportTypes = []ReportType{ReportComplaint, ReportAspiration, ReportInfoRequest}

// Privacy is how much of the complainant's identity the handlers may see.
type Privacy string

// The privacy modes of LAPOR!.
const (
	Ordinary     Privacy = "biasa"   // identity visible to every unit
	Confidential Privacy = "rahasia" // identity hidden from the agency and its technical teams
	Anonymous    Privacy = "anonim"  // no identity collected beyond the chat needed to reply
)

// Privacies lists the privacy modes in the order they are offered.
var Privacies = []Privacy{Ordinary, Confidential, Anonymous}

// Contact is how to reach the complainant and who they are. Channel and Chat identify
// the conversation (for Telegram the private chat ID, for WhatsApp the JID); the rest is
// personal data, empty for anonymous complaints.
type Contact struct {
	Channel string // "telegram", "whatsapp", …
	Chat    string
	Name    string
	Phone   string
	Email   string
	// NIK is the citizen's population number, asked only for the categories whose case
	// needs the population record (Intake.NIKCategories); empty when not given. Units
	// are shown NIK.Masked, never this, but where a duty requires the whole number.
	NIK  NIK
	Lang string // "id" or "en"
}

// Attachment references a file the complainant sent: where the desk stored it and what
// the channel called it.
type Attachment struct {
	Kind string // "photo", "document", "location"
	Ref  string // storage key, or "lat,long" for a location
	Name string
	Size int64
}

// Location returns the coordinates of a location's Ref ("lat,long", in degrees); ok is
// false when Ref holds no valid pair of coordinates.
func (a Attachment) Location() (lat, long float64, ok bool) {
	la, lo, found := strings.Cut(a.Ref, ",")
	if !found {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
	long, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	return lat, long, err1 == nil && err2 == nil && lat >= -90 && lat <= 90 && long >= -180 && long <= 180
}

// Timers records which of the current deadline's alerts have been sent; all three are
// cleared whenever the deadline changes.
type Timers struct {
	Reminded bool // the responsible group was reminded before the deadline
	Overdue  bool // the group and its parent were told the deadline passed
	Warned   bool // the complainant was warned of the coming auto-closure
}

// Complaint is one report and where it stands.
type Complaint struct {
	ID       int64
	Tracking string // PREFIX-YYMMDD-XXXX
	Version  int    // incremented by every event a person or the system makes (not by alerts, nor by the complainant's added information: neither changes the cards); what an actor saw

	Type       ReportType
	Privacy    Privacy
	Category   string
	Title      string
	Body       string
	Place      string
	EventDate  string // as the complainant gave it
	Attachment []Attachment
	Contact    Contact

	State   State
	Unit    string    // code of the unit whose turn it is (or that held it last)
	Team    string    // code of the technical team tasked, if any
	TakenBy string    // display name of the team member who took the task; empty when nobody has
	Due     time.Time // the current deadline; zero when none runs
	DueKind DueKind
	Timers  Timers
	// ClockFrom is when the 60-day clock last started: filing, or the complainant's
	// latest reply. It runs only in government-side states.
	ClockFrom time.Time
	// NextCheck is when the sweep must look at the complaint next; zero when never.
	NextCheck time.Time

	LaporID  string // national LAPOR! tracking ID, recorded by hand
	Rating   int    // 1–5 after closure; 0 when not rated
	FiledAt  time.Time
	Updated  time.Time
	ClosedAt time.Time
}

// DueKind names what the current deadline is for.
type DueKind string

// The deadlines of the procedure.
const (
	NoDue         DueKind = ""
	DueRoute      DueKind = "route"      // national admin must route
	DueDistribute DueKind = "distribute" // regency admin must distribute
	DueAnswer     DueKind = "answer"     // agency must answer
	DueClose      DueKind = "close"      // auto-closure after the complainant's silence
)

// Visible returns the contact details that members of unit u may see: everything but the
// conversation is hidden for anonymous complaints, and the identity is hidden from
// agencies and technical teams for confidential ones.
func (c Complaint) Visible(u Unit) Contact {
	v := c.Contact
	if c.HidesIdentity(u) {
		v.Name, v.Phone, v.Email, v.NIK = "", "", "", ""
	}
	return v
}

// HidesIdentity reports whether members of unit u may not know who filed c: nobody may
// for an anonymous complaint; for a confidential one only the admins who route (and the
// Ombudsman) may, and any other viewer, an unknown one included, may not.
func (c Complaint) HidesIdentity(u Unit) bool {
	return c.Privacy == Anonymous || (c.Privacy == Confidential && u.Kind != National && u.Kind != Regency && u.Kind != Ombudsman)
}

// TextFor returns text the complainant wrote (the description, a reply) as members of
// unit u may read it, and whether anything was masked: population numbers are always
// masked (a unit that needs the NIK sees it masked beside the complainant, see
// Contact.NIK), and phone numbers too when the identity is hidden from them (see
// HidesIdentity and MaskNumbers).
func (c Complaint) TextFor(u Unit, text string) (string, bool) {
	if !c.HidesIdentity(u) {
		return maskNumbers(text, false)
	}
	return MaskNumbers(text)
}

// MaskNumbers replaces every digit of the numbers in s that identify a person — a
// 16-digit population (NIK) or family card number, and a phone number (9 to 13 digits
// starting with 0, 62 or +62) — by "•", keeping the separators (spaces, dots, hyphens)
// written between groups of digits. It reports whether it masked anything. Dates,
// times, amounts and other numbers stay as they are.
func MaskNumbers(s string) (string, bool) { return maskNumbers(s, true) }

// maskNumbers masks the 16-digit numbers of s, and the phone numbers when phones is set.
func maskNumbers(s string, phones bool) (string, bool) {
	r := []rune(s)
	masked := false
	for i := 0; i < len(r); {
		start := i
		if r[i] == '+' && i+1 < len(r) && isDigit(r[i+1]) {
			i++
		}
		if !isDigit(r[i]) || (start > 0 && isDigit(r[start-1])) {
			i = start + 1
			continue
		}
		// A run of digits, with single separators between groups.
		end, digits := i, 0
		var lead []rune
		for j := i; j < len(r); j++ {
			if isDigit(r[j]) {
				digits++
				if len(lead) < 3 {
					lead = append(lead, r[j])
				}
				end = j + 1
				continue
			}
			if (r[j] == ' ' || r[j] == '.' || r[j] == '-') && j+1 < len(r) && isDigit(r[j+1]) && end == j {
				continue
			}
			break
		}
		if digits == 16 || (phones && identifying(string(lead), digits)) {
			for k := start; k < end; k++ {
				if isDigit(r[k]) {
					r[k] = '•'
				}
			}
			masked = true
		}
		i = end
	}
	if !masked {
		return s, false
	}
	return string(r), true
}

// identifying reports whether a number of so many digits that starts with lead (its
// first three digits) is a population number or a phone number.
func identifying(lead string, digits int) bool {
	switch {
	case digits == 16:
		return true
	case digits < 9 || digits > 13:
		return false
	}
	return strings.HasPrefix(lead, "0") || strings.HasPrefix(lead, "62")
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// trackingAlphabet has no look-alike characters: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
const trackingAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"

// NewTracking returns a tracking number PREFIX-YYMMDD-XXXX for a complaint filed at t:
// the date in loc and four random characters from an alphabet without look-alikes,
// read from rnd (crypto/rand when nil). Uniqueness is the store's to enforce.
func NewTracking(prefix string, t time.Time, loc *time.Location, rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	const unbiased = 256 - 256%len(trackingAlphabet)
	out := make([]byte, 0, len(prefix)+len("-060102-XXXX"))
	out = t.In(loc).AppendFormat(append(append(out, prefix...), '-'), "060102")
	out = append(out, '-')
	want := len(out) + 4
	var b [4]byte
	for len(out) < want {
		// As many bytes as letters are missing: the bytes, and so the letters, that
		// reading one at a time would give, in fewer reads.
		n := want - len(out)
		if _, err := io.ReadFull(rnd, b[:n]); err != nil {
			return "", fmt.Errorf("flows: tracking number: %w", err)
		}
		for _, c := range b[:n] {
			if int(c) < unbiased {
				out = append(out, trackingAlphabet[int(c)%len(trackingAlphabet)])
			}
		}
	}
	return string(out), nil
}
