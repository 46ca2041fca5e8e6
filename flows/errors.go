package flows

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrorCode identifies a refusal; it is also the ID of the message that explains it to
// the person who caused it.
type ErrorCode string

// The refusals a person can cause.
const (
	ErrNotYourTurn    ErrorCode = "error.not_your_turn"   // the actor may not take this action on this complaint now
	ErrWrongState     ErrorCode = "error.wrong_state"     // the action does not apply in the complaint's state
	ErrAlreadyDone    ErrorCode = "error.already_done"    // someone else changed the complaint first
	ErrReasonRequired ErrorCode = "error.reason_required" // archive, send back and not-our-authority need a reason
	ErrTextRequired   ErrorCode = "error.text_required"   // an answer, reply, finding or outcome needs text
	ErrTextTooLong    ErrorCode = "error.text_too_long"   // text longer than MaxText
	ErrBadTarget      ErrorCode = "error.bad_target"      // the chosen unit cannot receive the complaint
	ErrBadRating      ErrorCode = "error.bad_rating"      // a rating outside 1–5
	ErrAlreadyRated   ErrorCode = "error.already_rated"   // the complaint was rated before
	ErrBadLaporID     ErrorCode = "error.bad_lapor_id"    // not a plausible LAPOR! tracking ID
	ErrIncomplete     ErrorCode = "error.incomplete"      // a filing lacks a required field
	ErrUnknownEvent   ErrorCode = "error.unknown_event"   // an event the procedure does not have
	ErrAlreadyTaken   ErrorCode = "error.already_taken"   // a team member took the task before (Data "By")
)

// Error is a refusal caused by the person who asked: it carries the message ID that
// explains it in their language and the data that message needs.
type Error struct {
	Code ErrorCode
	Data map[string]string // e.g. "State", "By", "Field"
}

func (e *Error) Error() string {
	if len(e.Data) == 0 {
		return string(e.Code)
	}
	parts := make([]string, 0, len(e.Data))
	for _, k := range slices.Sorted(maps.Keys(e.Data)) {
		parts = append(parts, k+"="+e.Data[k])
	}
	return fmt.Sprintf("%s (%s)", e.Code, strings.Join(parts, ", "))
}

// Is makes errors.Is(err, &Error{Code: c}) match any refusal with code c.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func refuse(code ErrorCode, kv ...string) *Error {
	e := &Error{Code: code}
	if len(kv) > 0 {
		e.Data = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Data[kv[i]] = kv[i+1]
		}
	}
	return e
}
