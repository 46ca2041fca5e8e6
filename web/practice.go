package web

import (
	"context"
	"time"

	botweb "aduan/bot/web"
	"aduan/flows"
)

// PracticeDesk is the practice desk as its page needs it (cmd/aduan implements it).
type PracticeDesk interface {
	Channel() *botweb.Channel                                   // the practice desk's web channel (import botweb "aduan/bot/web")
	Citizen() string                                            // the citizen pane's chat (a web.CitizenChat kept for the practice DB)
	Units() []flows.Unit                                        // the panes, in routing order (national, regency, agency, teams, ombudsman)
	Now() time.Time                                             // the practice clock
	Calendar() *flows.Calendar                                  // the practice desk's calendar (working days)
	Advance(ctx context.Context, step string) (Happened, error) // step: "hour", "day" (to the next working day's opening), "10d", "60d"
	Reset(ctx context.Context) error                            // everything back to the start
}

// Happened is what the scheduled checks did while the practice clock moved.
type Happened struct {
	From, To time.Time
	Events   []PracticeEvent // in time order
}

// PracticeEvent is one thing a scheduled check did.
type PracticeEvent struct {
	At       time.Time
	Kind     string // "remind", "overdue", "escalate", "closing_soon", "auto_close", "handover", "digest", "draft_remind", "draft_drop"
	Tracking string // the complaint, when it is about one
	Unit     string // the unit told, when a unit was
}
