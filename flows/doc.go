// Package flows is the domain of the complaint desk: the SP4N LAPOR! lifecycle of a
// complaint, the units that handle it, the working-day calendar that times it, and the
// checks the scheduler runs. It uses the standard library only, never reads the clock
// (every function takes the time it acts at) and never produces text: it says what to
// tell whom as message IDs with data, and the channels render them.
//
// The lifecycle, with the unit or person whose turn it is:
//
//	         file (complainant)
//	              │
//	              ▼            archive
//	┌────── submitted ───────────────────────────┐   national admin, routing deadline
//	│   route │   ▲ send back                    │
//	│         ▼   │            archive           ▼
//	│       routed ─────────────────────────► archived (final)
//	│ distribute │ ▲ not our authority             regency admin, distribution deadline
//	│            ▼ │
//	│     distributed ──task──► in_progress ◄──┐   agency admin (+ technical team),
//	│            │ answer          │ answer     │   answer deadline
//	│            ▼                 ▼            │ reply (complainant)
//	│          answered ────────────────────────┘   complainant; closes after silence
//	│            │ satisfied / silence
//	│            ▼
//	│          closed (final; the complainant may rate it)
//	│            ▲ outcome (Ombudsman liaison)
//	└─60 days──► ombudsman   (from submitted, routed, distributed, in_progress)
//
// Rules.Apply is the only way a complaint changes: a pure function of the complaint, the
// event, the time and the rules that returns the new complaint, its audit event and the
// notices to send. Rules.Tick is what the every-minute sweep does to one complaint.
//
// What a person does in a chat is answered here too, the same from every surface:
// Rules.Pressed, ReplyPending, ConfirmPending, Rules.Shown and GroupAnswer decide the
// answers to the chat it came from and to the person (a Reaction), and an event asked
// from a chat (Event.Origin) is acknowledged by Rules.Apply itself (Change.Acks).
package flows
