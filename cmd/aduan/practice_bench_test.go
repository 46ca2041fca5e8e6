package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aduan/config"
	"aduan/store/storetest"
)

// The benchmarks in this file load the practice desk's page and the citizens' web chat
// with concurrent users, each from an address of its own (127.0.0.2, 127.0.0.3, …: the
// pages' limits are per address, as a town's citizens have theirs). They run against a
// desk started in the benchmark, or, with ADUAN_BENCH_URL, against a running
// `aduan serve` (ADUAN_BENCH_PID: its process, whose memory is reported). Latency is
// measured at the client over loopback: the server's time and the loopback's.

// benchServe returns the address of the desk to load and the process to read memory
// of: a desk started here (with the practice desk, on fresh databases), or the one of
// ADUAN_BENCH_URL and ADUAN_BENCH_PID.
func benchServe(b *testing.B) (base string, pid int) {
	b.Helper()
	if u := os.Getenv("ADUAN_BENCH_URL"); u != "" {
		pid, _ := strconv.Atoi(os.Getenv("ADUAN_BENCH_PID"))
		return strings.TrimRight(u, "/"), pid
	}
	admin := storetest.AdminURL(b)
	name := "aduan_ptest_" + strings.ToLower(fmt.Sprint(time.Now().UnixNano())) + "_latihan"
	b.Cleanup(func() {
		ctx := context.Background()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			c.Exec(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
			c.Close(ctx)
		}
	})
	cfg := config.Defaults()
	cfg.DatabaseURL, cfg.Listen = newBenchDB(b), "127.0.0.1:0"
	cfg.Practice.DatabaseURL = databaseURL(b, admin, name)
	m := &Main{Config: cfg, Clock: systemClock{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	if m.practice == nil {
		b.Fatal("no practice desk")
	}
	return "http://" + m.Addr().String(), os.Getpid()
}

// benchClient is a user's browser: its own cookies, its own source address.
func benchClient(i int) *http.Client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+(i+1)/250), byte(2+(i+1)%250))}}
	return &http.Client{Jar: jar, Timeout: 40 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}}
}

// reportMemory reports the resident memory of process pid (VmRSS) and its peak (VmHWM), in
// MiB.
func reportMemory(b *testing.B, pid int) {
	b.Helper()
	if pid == 0 {
		return
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Logf("memory of %d: %v", pid, err)
		return
	}
	for _, l := range strings.Split(string(raw), "\n") {
		k, v, _ := strings.Cut(l, ":")
		if k != "VmRSS" && k != "VmHWM" {
			continue
		}
		kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		b.ReportMetric(float64(kb)/1024, strings.ToLower(k)+"-MiB")
	}
}

// load runs users concurrently, each calling turn until it reports false, with a
// pause of think between a user's turns (a person reading what came; 0: none), and
// reports the latency of every turn. The users start spread over the first pause.
func load(b *testing.B, unit string, users int, think time.Duration, turn func(user, n int) (time.Duration, bool)) {
	b.Helper()
	var mu sync.Mutex
	start, done := map[string]time.Time{}, map[string]time.Time{}
	var wg sync.WaitGroup
	t0 := time.Now()
	total := 0
	for u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if think > 0 {
				time.Sleep(think * time.Duration(u) / time.Duration(users))
			}
			for n := 0; ; n++ {
				began := time.Now()
				took, more := turn(u, n)
				if took > 0 {
					id := fmt.Sprintf("%d-%d", u, n)
					mu.Lock()
					start[id], done[id] = began, began.Add(took)
					total++
					mu.Unlock()
				}
				if !more {
					return
				}
				time.Sleep(think)
			}
		}()
	}
	wg.Wait()
	storetest.ReportLatency(b, unit, total, time.Since(t0), start, &mu, done)
}

// BenchmarkPracticePage measures GET /latihan, the practice desk's whole page (the
// clock, the citizen's pane and the seven units' panes, with a conversation's lines in
// them), by USERS concurrent users (50) for SECONDS (10), each loading it again
// THINK_MS (1000) after it came (THINK_MS=0: at once, the most the desk can serve);
// and the desk's memory afterwards.
//
//	go test -run '^$' -bench PracticePage -benchtime 1x ./cmd/aduan/
func BenchmarkPracticePage(b *testing.B) {
	users, seconds, think := envInt("USERS", 50), envInt("SECONDS", 10), envMillis("THINK_MS", 1000)
	base, pid := benchServe(b)
	// Lines in the panes: the citizen's conversation up to the summary.
	c := benchClient(-1)
	for _, text := range []string{"menu", "lapor", "KTP-el saya belum jadi sejak tiga bulan, padahal sudah rekam data di kantor kecamatan."} {
		resp, err := c.PostForm(base+"/latihan/kirim", url.Values{"pane": {"warga"}, "text": {text}})
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	time.Sleep(time.Second) // the desk answers
	reportMemory(b, pid)
	for b.Loop() {
		clients := make([]*http.Client, users)
		for i := range clients {
			clients[i] = benchClient(i)
		}
		end := time.Now().Add(time.Duration(seconds) * time.Second)
		var size int
		load(b, "pages/s", users, think, func(u, n int) (time.Duration, bool) {
			t := time.Now()
			resp, err := clients[u].Get(base + "/latihan")
			if err != nil {
				b.Errorf("GET /latihan: %v", err)
				return 0, false
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			took := time.Since(t)
			if resp.StatusCode != http.StatusOK {
				b.Errorf("GET /latihan: %s", resp.Status)
				return 0, false
			}
			if u == 0 {
				size = len(body)
			}
			return took, time.Now().Before(end)
		})
		b.ReportMetric(float64(size)/1024, "page-KiB")
	}
	reportMemory(b, pid)
}

// BenchmarkWebChatTurn measures turns of the citizens' web chat (/lapor) as the page's
// script makes them, by USERS concurrent citizens (50), TURNS turns each (10): the
// citizen sends a message (POST /lapor/kirim) and the page waits (GET /lapor/tunggu)
// until the desk's answer is in the chat — through the inbox, the desk, the outbox and
// the web channel. It reports each turn's latency (p50, p99, max), the sends' alone
// (post-p99-ms), and the desk's memory afterwards.
//
//	go test -run '^$' -bench WebChatTurn -benchtime 1x ./cmd/aduan/
func BenchmarkWebChatTurn(b *testing.B) {
	users, turns, think := envInt("USERS", 50), envInt("TURNS", 10), envMillis("THINK_MS", 1000)
	base, pid := benchServe(b)
	reportMemory(b, pid)
	for b.Loop() {
		type citizen struct {
			c       *http.Client
			version int64
			desk    int
		}
		cs := make([]*citizen, users)
		var pmu sync.Mutex
		var posts []time.Duration
		// send posts form to path and, meanwhile, waits as the page's script does until
		// the desk's lines in the chat are more than before; then it waits for the post
		// to end (the desk's handler answers once the desk's answer is in and nothing
		// more came for a moment).
		send := func(u *citizen, path string, form url.Values) time.Duration {
			t := time.Now()
			posted := make(chan bool, 1)
			go func() {
				req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Aduan", "1")
				resp, err := u.c.Do(req)
				if err != nil {
					b.Errorf("POST %s: %v", path, err)
					posted <- false
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				pmu.Lock()
				posts = append(posts, time.Since(t))
				pmu.Unlock()
				if resp.StatusCode >= 300 {
					b.Errorf("POST %s: %s", path, resp.Status)
				}
				posted <- resp.StatusCode < 300
			}()
			if path == "/lapor/mulai" { // the chat is the browser's once the post is answered
				if ok := <-posted; !ok {
					return 0
				}
				posted <- true
			}
			var took time.Duration
			for took == 0 {
				select {
				case ok := <-posted:
					if !ok {
						return 0
					}
					posted <- true
				default:
				}
				resp, err := u.c.Get(fmt.Sprintf("%s/lapor/tunggu?v=warga:%d", base, u.version))
				if err != nil {
					b.Errorf("GET /lapor/tunggu: %v", err)
					return 0
				}
				var got struct {
					Panes map[string]struct {
						V    int64  `json:"v"`
						HTML string `json:"html"`
					} `json:"panes"`
				}
				if resp.StatusCode == http.StatusOK {
					json.NewDecoder(resp.Body).Decode(&got)
				}
				resp.Body.Close()
				p, ok := got.Panes["warga"]
				if !ok {
					continue
				}
				u.version = p.V
				if n := strings.Count(p.HTML, `class="line desk`); n > u.desk {
					u.desk, took = n, time.Since(t)
				}
			}
			<-posted
			return took
		}
		var wg sync.WaitGroup
		for i := range cs {
			cs[i] = &citizen{c: benchClient(i)}
			wg.Add(1)
			go func() {
				defer wg.Done()
				send(cs[i], "/lapor/mulai", url.Values{})
			}()
		}
		wg.Wait()
		pmu.Lock()
		posts = posts[:0]
		pmu.Unlock()
		load(b, "turns/s", users, think, func(u, n int) (time.Duration, bool) {
			return send(cs[u], "/lapor/kirim", url.Values{"text": {"menu"}}), n+1 < turns
		})
		slices.Sort(posts)
		if len(posts) > 0 {
			b.ReportMetric(float64(posts[int(0.99*float64(len(posts)-1))].Microseconds())/1000, "post-p99-ms")
		}
	}
	reportMemory(b, pid)
}

// envMillis is the environment variable name as milliseconds, def when unset.
func envMillis(name string, def int) time.Duration {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v >= 0 {
		return time.Duration(v) * time.Millisecond
	}
	return time.Duration(def) * time.Millisecond
}
