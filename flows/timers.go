package flows

import "time"

// handoverAt returns when a complaint waiting on the government side goes to the
// Ombudsman, or zero when its 60-day clock is not running.
func (r *Rules) handoverAt(c Complaint) time.Time {
	if !c.State.GovernmentSide() || c.ClockFrom.IsZero() {
		return time.Time{}
	}
	return r.Policy.OmbudsmanAfter.After(r.Calendar, c.ClockFrom)
}

// alertAt returns when the next alert about the current deadline is due and which
// event it is, or a zero time when every alert has been sent.
func (r *Rules) alertAt(c Complaint) (time.Time, EventKind) {
	if c.Due.IsZero() {
		return time.Time{}, ""
	}
	if c.DueKind == DueClose {
		if !c.Timers.Warned && !r.Policy.WarnBefore.IsZero() {
			return r.Policy.WarnBefore.Before(r.Calendar, c.Due), EvWarn
		}
		return c.Due, EvAutoClose
	}
	switch {
	case c.Timers.Overdue:
		return time.Time{}, ""
	case !c.Timers.Reminded && !r.Policy.RemindBefore.IsZero():
		return r.Policy.RemindBefore.Before(r.Calendar, c.Due), EvRemind
	}
	return c.Due, EvOverdue
}

// NextCheck returns when the sweep must next look at c: the earliest of its next alert
// and its hand-over to the Ombudsman, or the end of its rating window (a closed anonim
// complaint); zero when nothing is pending. Every change the rules make stores it in
// Complaint.NextCheck.
func (r *Rules) NextCheck(c Complaint) time.Time {
	if end := ratingEndsAt(c); !end.IsZero() {
		return end
	}
	a, _ := r.alertAt(c)
	h := r.handoverAt(c)
	switch {
	case a.IsZero():
		return h
	case h.IsZero() || a.Before(h):
		return a
	}
	return h
}

// Tick is what the sweep does to complaint c at now, one step at a time: hand it to the
// Ombudsman when its clock ran out; close it after the complainant's silence; warn the
// complainant before that; tell the responsible group (and its parent) that the
// deadline passed, or remind it before. A reminder whose deadline has already passed
// is not sent: the overdue notice replaces it; nor is a warning whose closure time has
// passed: the complaint closes. It ends an unrated anonim complaint's rating window
// once RatingWindow has passed since closure (EvRatingClosed). ok is false when nothing
// is due; the sweep calls Tick again while the returned complaint's NextCheck is not
// after now.
func (r *Rules) Tick(c Complaint, now time.Time) (ch Change, ok bool, err error) {
	if end := ratingEndsAt(c); !end.IsZero() {
		if now.Before(end) {
			return Change{}, false, nil
		}
		return endRating(c, now), true, nil
	}
	if h := r.handoverAt(c); !h.IsZero() && !now.Before(h) {
		ch, err = r.Apply(c, Event{Kind: EvHandover, Actor: System}, now)
		return ch, err == nil, err
	}
	at, kind := r.alertAt(c)
	if at.IsZero() || now.Before(at) {
		return Change{}, false, nil
	}
	if kind == EvWarn && !now.Before(c.Due) {
		kind = EvAutoClose
	}
	if kind == EvAutoClose {
		ch, err = r.Apply(c, Event{Kind: EvAutoClose, Actor: System}, now)
		return ch, err == nil, err
	}
	ch = Change{Complaint: c}
	nc := &ch.Complaint
	switch kind {
	case EvWarn:
		nc.Timers.Warned = true
		ch.notify(ToComplainant, MsgClosingSoon, "", "").Choices = answerChoices(c.Tracking)
	case EvRemind:
		nc.Timers.Reminded = true
		if !now.Before(c.Due) {
			nc.Timers.Overdue = true
			kind = EvOverdue
			r.overdue(&ch)
		} else {
			for _, code := range r.responsible(c) {
				ch.notify(ToUnit(code), MsgReminder, "", "")
			}
		}
	case EvOverdue:
		nc.Timers.Reminded, nc.Timers.Overdue = true, true
		r.overdue(&ch)
	}
	// An alert changes nothing anyone can do, so the version (what an actor saw) stays.
	nc.Updated = now
	nc.NextCheck = r.NextCheck(*nc)
	ch.Audit = AuditEvent{At: now, Kind: kind, Actor: System, FromState: c.State, ToState: c.State, UnitBefore: c.Unit, UnitAfter: c.Unit}
	return ch, true, nil
}

// responsible returns the units whose groups must act before c's deadline: the holder,
// and the technical team tasked while the answer is due.
func (r *Rules) responsible(c Complaint) []string {
	if c.Team != "" && c.State == InProgress && c.DueKind == DueAnswer {
		return []string{c.Unit, c.Team}
	}
	return []string{c.Unit}
}

// overdue tells the responsible groups their deadline passed and the holder's parent
// group too.
func (r *Rules) overdue(ch *Change) {
	c := ch.Complaint
	for _, code := range r.responsible(c) {
		ch.notify(ToUnit(code), MsgOverdue, c.Unit, "")
	}
	if u, ok := r.Units.Unit(c.Unit); ok && u.Parent != "" {
		ch.notify(ToUnit(u.Parent), MsgEscalation, c.Unit, "")
	}
}

// DigestDay reports whether the daily digest is due at now: now is on a working day, at
// or after the policy's digest time. It returns that day and the end of it (the next
// midnight), before which a deadline counts as due today.
func (r *Rules) DigestDay(now time.Time) (day Date, end time.Time, ok bool) {
	loc := r.Calendar.Location()
	day = DateOf(now, loc)
	if !r.Calendar.IsWorkingDay(day) || now.Before(day.In(loc).Add(r.Policy.DigestAt)) {
		return day, time.Time{}, false
	}
	return day, day.AddDays(1).In(loc), true
}
