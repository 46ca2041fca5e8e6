package flows

import "time"

// RatingWindow is how long after closure an anonim complaint's complainant may still
// rate it from the closing message. The chat identity needed to take the rating is
// kept until the complaint is rated or the window has passed (EvRatingClosed), and is
// then erased by the retention sweep; a rating pressed after that is answered by
// MsgRatingClosed. Complaints of the other modes keep their chat until their retention
// ends, and may be rated until then.
const RatingWindow = 3 * 24 * time.Hour

// EvRatingClosed is the scheduled checks' event that ends an unrated anonim
// complaint's rating window: nothing changes but that the complaint needs no more
// checks, and so its chat identity may go.
const EvRatingClosed EventKind = "rating_closed"

// MsgRatingClosed tells a citizen who pressed a rating button (Tracking) that the
// rating can no longer be taken: the complaint is no longer linked to their chat.
const MsgRatingClosed MsgID = "complainant.rating_closed"

// ratingEndsAt returns when the rating window of c ends: RatingWindow after closure for
// an unrated anonim complaint that still holds its chat; zero for every other.
func ratingEndsAt(c Complaint) time.Time {
	if c.State != Closed || c.Privacy != Anonymous || c.Rating != 0 || c.ClosedAt.IsZero() || c.Contact.Chat == ErasedChat {
		return time.Time{}
	}
	return c.ClosedAt.Add(RatingWindow)
}

// askRating makes n, a closing message to the complainant of c closed at now, offer
// the ratings; for an anonim complaint, its Due is the end of the rating window.
func askRating(n *Notice, c Complaint, now time.Time) {
	n.Choices = rateChoices(c.Tracking)
	if c.Privacy == Anonymous {
		n.Due = now.Add(RatingWindow)
	}
}

// endRating is the change that ends c's rating window at now (EvRatingClosed).
func endRating(c Complaint, now time.Time) Change {
	ch := Change{Complaint: c}
	nc := &ch.Complaint
	nc.Updated = now
	nc.NextCheck = time.Time{}
	ch.Audit = AuditEvent{At: now, Kind: EvRatingClosed, Actor: System, FromState: c.State, ToState: c.State, UnitBefore: c.Unit, UnitAfter: c.Unit}
	return ch
}
