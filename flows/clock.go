package flows

import "time"

// Clock tells the time. The domain never reads it: callers pass the time into every
// function. The program's only real clock lives in cmd/aduan; tests use a fake.
type Clock interface {
	Now() time.Time
}
