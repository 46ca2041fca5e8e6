package bot_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"aduan/bot"
	"aduan/flows"
	"aduan/store"
)

// ackDecoder is a stubDecoder that is an Acknowledger: it notes the messages it is told
// were handled, and panics acknowledging panicAck.
type ackDecoder struct {
	stubDecoder
	panicAck string
	mu       *sync.Mutex
	acked    *[]string
}

func (a ackDecoder) Acknowledge(_ context.Context, raw flows.RawInbound) {
	a.mu.Lock()
	*a.acked = append(*a.acked, raw.ID)
	a.mu.Unlock()
	if raw.ID == a.panicAck {
		panic("stub: acknowledge")
	}
}

// TestDeskAcknowledgesHandled: the desk acknowledges a message to its channel once it
// was handled, not one it gave up; a panic acknowledging changes nothing of the handling.
func TestDeskAcknowledgesHandled(t *testing.T) {
	db, d, queued := newDesk(t)
	at := time.Now()
	for _, id := range []string{"1", "2", "3"} {
		if _, err := db.Receive(ctx, store.WhatsApp, id, "62811"+id, []byte(`{}`), at); err != nil {
			t.Fatal(err)
		}
	}
	var acked []string
	dec := ackDecoder{stubDecoder: stubDecoder{name: store.WhatsApp, malformed: "1"}, panicAck: "3", mu: &sync.Mutex{}, acked: &acked}
	if _, err := d.Drain(ctx, []bot.Decoder{dec}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(acked)
	if !slices.Equal(acked, []string{"2", "3"}) {
		t.Errorf("acknowledged %v, want the two handled", acked)
	}
	got := queued()
	slices.Sort(got)
	want := []string{"whatsapp:628111:" + string(flows.MsgFailed), "whatsapp:628112:" + string(flows.MsgWelcome), "whatsapp:628113:" + string(flows.MsgWelcome)}
	if !slices.Equal(got, want) {
		t.Errorf("queued %v, want %v", got, want)
	}
}
