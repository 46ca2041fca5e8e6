package whatsapp

import (
	"context"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store/storetest"
)

// wallClock is real time, for a benchmark that measures it.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// BenchmarkInbound measures WhatsApp's inbound messages end to end through the adapter
// — HandleMessage (the event handler: the message stored in the inbox), then the desk
// (Decode, the conversation, the replies in the outbox, the message marked handled) —
// at a fixed offered load, each message from a different citizen ("halo", the start of
// a conversation), over a fake client and a real database. Latency is from the
// HandleMessage call to the commit of the message's handling. Messages are fed one
// after the other, as whatsmeow runs its event handlers (one at a time, the next
// message waiting for the handler's return: synchronous acks), so the rate reached is
// at most one over HandleMessage's time (handler-p50-ms). Meanwhile a Sender
// delivers the replies through the fake client with the default pacing; the benchmark
// fails if two sends came closer than the pacing's gap.
//
//	go test -run '^$' -bench Inbound -benchtime 1x ./bot/whatsapp/   (RATE=200 SECONDS=10 by default)
func BenchmarkInbound(b *testing.B) {
	rate, seconds := envInt("RATE", 200), envInt("SECONDS", 10)
	r := newRig(b, Config{Pace: wallClock{}})
	r.wa.sleep = sleep
	r.fake.now = time.Now
	rules := flowstest.Rules(b)
	intake := flows.DefaultIntake()
	var mu sync.Mutex
	handledAt := map[string]time.Time{}
	done := make(chan struct{}, rate*seconds*max(b.N, 1))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	desk := &bot.Desk{Store: r.db, Rules: func() *flows.Rules { return rules }, Intake: &intake, Prefix: "KR", Clock: r.clock, Log: log,
		Observe: func(raw flows.RawInbound, err error) {
			if err != nil {
				b.Errorf("message %s failed: %v", raw.ID, err)
			}
			mu.Lock()
			handledAt[raw.ID] = time.Now()
			mu.Unlock()
			done <- struct{}{}
		}}
	wake := make(chan struct{}, 1)
	r.wa.wake = func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go desk.Run(ctx, []bot.Decoder{r.wa}, wake, 50*time.Millisecond)
	sender := &bot.Sender{Outbox: r.db, Channels: []bot.Channel{r.wa}, Clock: r.clock, Log: log}
	go sender.Run(ctx, nil, 200*time.Millisecond)

	iter := 0
	for b.Loop() {
		iter++
		n := rate * seconds
		sentAt := make(map[string]time.Time, n)
		var handler []time.Duration
		tick := time.NewTicker(time.Second / time.Duration(rate))
		start := time.Now()
		for i := range n {
			<-tick.C
			chat := types.NewJID(strconv.Itoa(62800_0000_0000+iter*n+i), types.DefaultUserServer)
			evt := private("3EB0BENCH"+strconv.Itoa(iter*n+i), text("halo"))
			evt.Info.Chat, evt.Info.Sender = chat, chat
			t0 := time.Now()
			if !r.wa.HandleMessage(evt) {
				b.Fatal("HandleMessage = false")
			}
			handler = append(handler, time.Since(t0))
			sentAt[InboxID(chat.String(), evt.Info.ID)] = t0
		}
		tick.Stop()
		for range n {
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				b.Fatal("messages not handled after 30 s")
			}
		}
		storetest.ReportLatency(b, "msgs/s", n, time.Since(start), sentAt, &mu, handledAt)
		slices.Sort(handler)
		b.ReportMetric(float64(handler[len(handler)/2].Microseconds())/1000, "handler-p50-ms")
		b.ReportMetric(float64(handler[len(handler)*99/100].Microseconds())/1000, "handler-p99-ms")
	}
	cancel()
	r.fake.mu.Lock()
	at := append([]time.Time(nil), r.fake.sentAt...)
	r.fake.mu.Unlock()
	gap := DefaultPacing().Gap
	for i := 1; i < len(at); i++ {
		if d := at[i].Sub(at[i-1]); d < gap-10*time.Millisecond {
			b.Errorf("sends %d and %d only %s apart, under the pacing's %s", i, i+1, d, gap)
		}
	}
	b.ReportMetric(float64(len(at)), "sends")
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
