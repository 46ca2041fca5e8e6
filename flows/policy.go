package flows

import "time"

// Policy holds every time limit of the procedure. Each limit carries its own unit
// (working or calendar days or hours), so an operator can follow the SOP, LAPOR!'s own
// service levels or a newer regulation without a rebuild.
type Policy struct {
	Route      Span // submitted → routed: the national admin's limit
	Distribute Span // routed → distributed: the regency admin's limit
	Answer     Span // distributed or in_progress → answered: the agency's limit
	CloseAfter Span // answered → closed after this much silence from the complainant
	// OmbudsmanAfter is how long a complaint may wait on the government side, from
	// filing or the complainant's latest reply, before it goes to the Ombudsman.
	OmbudsmanAfter Span
	RemindBefore   Span          // how long before a deadline the responsible group is reminded
	WarnBefore     Span          // how long before auto-closure the complainant is warned
	DigestAt       time.Duration // time of day of the daily digest, on working days
}

// DefaultPolicy returns the SOP's limits: 3 working days to route, 1 to distribute, 1 to
// answer, closure after 10 days of silence, the Ombudsman after 60 days, a reminder 2
// working hours before a deadline, a warning 2 days before closure, the digest at 08:00.
func DefaultPolicy() Policy {
	return Policy{
		Route:          Span{3, WorkingDays},
		Distribute:     Span{1, WorkingDays},
		Answer:         Span{1, WorkingDays},
		CloseAfter:     Span{10, CalendarDays},
		OmbudsmanAfter: Span{60, CalendarDays},
		RemindBefore:   Span{2, WorkingHours},
		WarnBefore:     Span{2, CalendarDays},
		DigestAt:       8 * time.Hour,
	}
}

// limit returns the span that times a deadline of kind k.
func (p Policy) limit(k DueKind) Span {
	switch k {
	case DueRoute:
		return p.Route
	case DueDistribute:
		return p.Distribute
	case DueAnswer:
		return p.Answer
	case DueClose:
		return p.CloseAfter
	}
	return Span{}
}
