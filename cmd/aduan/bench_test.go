package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"aduan/bot/telegram/tgfake"
	"aduan/bot/whatsapp"
	"aduan/bot/whatsapp/wafake"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store/storetest"
)

// BenchmarkWebhook measures inbound updates end to end — POST to the webhook, update
// stored, handled (state change and replies in the outbox) — at a fixed offered load,
// with the whole program running against the fake Bot API, which absorbs the replies.
// Each update is a different citizen's /start, so the per-chat order does not
// serialise them. It reports the handled rate and the latency percentiles, and checks
// the delivery of the replies against Telegram's flood limits.
//
//	go test -run '^$' -bench Webhook -benchtime 1x ./cmd/aduan/   (RATE=200 SECONDS=10 by default)
func BenchmarkWebhook(b *testing.B) {
	rate, seconds := envInt("RATE", 200), envInt("SECONDS", 10)
	const token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
	const secret = "bench-secret"
	fake := tgfake.New(token)
	defer fake.Close()

	url := newBenchDB(b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	hook := "http://" + addr + "/tg/hook"
	cfg := config.Defaults()
	cfg.DatabaseURL, cfg.Listen, cfg.SweepEvery = url, addr, time.Hour
	cfg.Telegram = config.Telegram{Token: token, APIURL: fake.URL(), WebhookURL: hook, WebhookSecret: secret}

	var mu sync.Mutex
	handledAt := map[string]time.Time{}
	done := make(chan struct{}, rate*seconds)
	m := &Main{Config: cfg, Clock: systemClock{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Observe: func(raw flows.RawInbound, err error) {
			if err != nil {
				b.Errorf("update %s failed: %v", raw.ID, err)
			}
			mu.Lock()
			handledAt[raw.ID] = time.Now()
			mu.Unlock()
			done <- struct{}{}
		}}
	ctx := context.Background()
	if err := m.Run(ctx); err != nil {
		b.Fatal(err)
	}
	defer m.Close()

	iter := 0
	for b.Loop() {
		iter++
		n := rate * seconds
		sentAt := make(map[string]time.Time, n)
		client := &http.Client{Timeout: 10 * time.Second}
		tick := time.NewTicker(time.Second / time.Duration(rate))
		var wg sync.WaitGroup
		var smu sync.Mutex
		start := time.Now()
		for i := range n {
			<-tick.C
			uid := int64(1_000_000 + iter*n + i)
			id := strconv.FormatInt(uid, 10)
			chat := int64(7_000_000 + iter*n + i)
			upd := tgfake.TextMessage(chat, chat, "/start")
			upd.ID = uid
			body, _ := json.Marshal(upd)
			smu.Lock()
			sentAt[id] = time.Now()
			smu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
				resp, err := client.Do(req)
				if err != nil {
					b.Errorf("webhook: %v", err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("webhook answered %d", resp.StatusCode)
				}
			}()
		}
		tick.Stop()
		wg.Wait()
		for range n {
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				b.Fatalf("updates not handled after 30 s")
			}
		}
		storetest.ReportLatency(b, "updates/s", n, time.Since(start), sentAt, &mu, handledAt)
	}

	// Delivery: the replies drain at Telegram's ceiling, never above it, and no 429.
	deadline := time.Now().Add(time.Duration(rate*seconds/25+30) * time.Second)
	for time.Now().Before(deadline) && undeliveredCount(b, m) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	calls := fake.Calls("sendMessage")
	if len(calls) < 2 {
		b.Fatalf("only %d replies delivered", len(calls))
	}
	maxPerSecond, window := 0, 0
	for i := range calls {
		for window < i && calls[i].At.Sub(calls[window].At) >= time.Second {
			window++
		}
		maxPerSecond = max(maxPerSecond, i-window+1)
	}
	span := calls[len(calls)-1].At.Sub(calls[0].At).Seconds()
	b.ReportMetric(float64(len(calls))/max(span, 1), "sent/s")
	b.ReportMetric(float64(len(calls)), "sent")
	b.ReportMetric(float64(maxPerSecond), "max-sent-in-1s")
	for _, c := range calls {
		if c.ErrorCode == 429 {
			b.Errorf("a 429 was provoked")
			break
		}
	}
}

func undeliveredCount(b *testing.B, m *Main) int {
	var n int
	if err := m.DB().Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

func newBenchDB(b *testing.B) string {
	db, url := storetest.New(b)
	dir, err := flows.NewDirectory(flowstest.Units())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.ApplyUnits(context.Background(), dir, time.Now()); err != nil {
		b.Fatal(err)
	}
	// The database was just cloned, its pages written to the WAL: a checkpoint now keeps
	// the one that would follow out of the measured run.
	if _, err := db.Pool().Exec(context.Background(), "CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
	return url
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkWhatsAppInbound measures WhatsApp inbound messages end to end — the
// channel's HandleMessage storing the message as whatsmeow's event loop calls it (one
// at a time), the desk decoding and handling it (a state change and the replies in the
// outbox) — at a fixed offered load, with the whole program running over the fake
// whatsmeow client. Each message is a different citizen's "lapor", so the per-chat
// order does not serialise them. Latency runs from the moment a message is due to
// arrive (a handler that falls behind delays the next ones, as whatsmeow's queue
// does) until the desk has handled it. Meanwhile the replies go out under the
// settings' default pacing (whatsapp.DefaultPacing), and the benchmark checks that no two sends
// came closer than its gap, none twice to a chat within its per-chat gap, and none to a
// chat that had not written.
//
//	go test -run '^$' -bench WhatsAppInbound -benchtime 1x ./cmd/aduan/   (RATE=200 SECONDS=10 by default)
func BenchmarkWhatsAppInbound(b *testing.B) {
	rate, seconds := envInt("RATE", 200), envInt("SECONDS", 10)
	url := newBenchDB(b)
	cfg := config.Defaults()
	cfg.DatabaseURL, cfg.Listen, cfg.SweepEvery = url, "127.0.0.1:0", time.Hour

	var mu sync.Mutex
	handledAt := map[string]time.Time{}
	done := make(chan struct{}, rate*seconds*2)
	m := &Main{Config: cfg, Clock: systemClock{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Observe: func(raw flows.RawInbound, err error) {
			if err != nil {
				b.Errorf("message %s failed: %v", raw.ID, err)
			}
			mu.Lock()
			handledAt[raw.ID] = time.Now()
			mu.Unlock()
			done <- struct{}{}
		}}
	client := wafake.New(waSelf)
	useWhatsAppFake(m, client, nil, nil) // the pacing of the settings' defaults
	wc := cfg.WhatsApp
	pacing := whatsapp.Pacing{Gap: wc.Gap, Jitter: wc.Jitter, PerChat: wc.PerChat, Daily: wc.Daily}
	if pacing != whatsapp.DefaultPacing() {
		b.Fatalf("the settings pace WhatsApp as %+v, the channel's defaults are %+v", pacing, whatsapp.DefaultPacing())
	}
	if err := m.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer m.Close()

	wrote := map[types.JID]bool{}
	iter := 0
	for b.Loop() {
		iter++
		n := rate * seconds
		due := make(map[string]time.Time, n)
		evts := make([]*events.Message, n)
		for i := range evts {
			p := wafake.PN(strconv.Itoa(628_100_000_000+iter*n+i), "Warga")
			evts[i] = client.DM(p, "lapor")
			wrote[p.JID] = true
		}
		start := time.Now()
		var inHandler time.Duration // spent in HandleMessage, which holds up whatsmeow's event loop
		for i, evt := range evts {
			at := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
			if wait := time.Until(at); wait > 0 {
				time.Sleep(wait) // the offered load: one message every 1/RATE s
			}
			due[whatsapp.InboxID(evt.Info.Chat.String(), evt.Info.ID)] = at
			t0 := time.Now()
			if err := client.Receive(evt); err != nil {
				b.Fatal(err)
			}
			inHandler += time.Since(t0)
		}
		for range n {
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				b.Fatalf("messages not handled after 30 s")
			}
		}
		storetest.ReportLatency(b, "msgs/s", n, time.Since(start), due, &mu, handledAt)
		b.ReportMetric(float64(inHandler.Microseconds())/1000/float64(n), "handler-ms/msg")
	}

	// Delivery meanwhile: paced, and only to chats that wrote.
	sent := client.Sent()
	minGap := time.Duration(0)
	last := map[types.JID]time.Time{}
	for i, s := range sent {
		if i > 0 {
			gap := s.At.Sub(sent[i-1].At)
			if minGap == 0 || gap < minGap {
				minGap = gap
			}
			if gap < pacing.Gap {
				b.Errorf("sends %d and %d %s apart, under the pacing's %s", i-1, i, gap, pacing.Gap)
			}
		}
		if t, ok := last[s.To]; ok && s.At.Sub(t) < pacing.PerChat {
			b.Errorf("two sends to one chat %s apart", s.At.Sub(t))
		}
		last[s.To] = s.At
		if !wrote[s.To] {
			b.Errorf("a send to %s, which never wrote", s.To)
		}
	}
	b.ReportMetric(float64(len(sent)), "sent")
	b.ReportMetric(minGap.Seconds(), "min-gap-s")
}
