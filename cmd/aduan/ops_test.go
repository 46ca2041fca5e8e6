package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store/storetest"
)

// serving is `aduan serve` running in-process.
type serving struct {
	addr   string
	stderr *storetest.LogBuffer
	stop   func() int
}

// startServe runs `aduan serve` with env (ADUAN_LISTEN on a free port, JSON logs) and
// waits for it to log its address.
func startServe(t *testing.T, env map[string]string) *serving {
	t.Helper()
	env["ADUAN_LISTEN"] = "127.0.0.1:0"
	env["ADUAN_LOG_FORMAT"] = "json"
	ctx, cancel := context.WithCancel(t.Context())
	stderr := &storetest.LogBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, &strings.Builder{}, stderr, func(k string) string { return env[k] }, flowstest.NewClock(flowstest.At(t, "2026-11-30 09:00")))
	}()
	s := &serving{stderr: stderr}
	var once sync.Once
	code := 0
	s.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(15 * time.Second):
				t.Error("serve did not stop")
			}
		})
		return code
	}
	t.Cleanup(func() { s.stop() })
	for deadline := time.Now().Add(10 * time.Second); s.addr == "" && time.Now().Before(deadline); {
		for line := range strings.Lines(stderr.String()) {
			var rec struct{ Msg, Listen string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "desk started" {
				s.addr = rec.Listen
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before starting:\n%s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if s.addr == "" {
		t.Fatalf("serve did not log its address:\n%s", stderr.String())
	}
	return s
}

func TestVersion(t *testing.T) {
	// Not parallel: it sets the stamped values.
	defer func(v, c, b string) { version, commit, buildTime = v, c, b }(version, commit, buildTime)
	version, commit, buildTime = "v1.2.3", "0123abcd", "2026-12-01T10:00:00Z"
	c := newCLI(t)
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out := c.ok(args...)
		for _, want := range []string{"aduan v1.2.3", "commit 0123abcd", "built 2026-12-01T10:00:00Z", "go1."} {
			if !strings.Contains(out, want) {
				t.Errorf("aduan %s printed %q, lacking %q", args[0], out, want)
			}
		}
	}
	// Unstamped, the build information fills in what it knows.
	version, commit, buildTime = "", "", ""
	v := currentVersion()
	if v.Version == "" || v.Commit == "" || v.Built == "" || !strings.HasPrefix(v.Go, "go1.") {
		t.Errorf("unstamped version = %+v, want every field filled", v)
	}
}

func TestServeLogsJSONAndNamesItsVersion(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	if _, err := db.ApplyUnits(t.Context(), mustDirectory(t, flowstest.Units()), flowstest.At(t, "2026-11-30 09:00")); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, map[string]string{"DATABASE_URL": url})
	v := currentVersion()

	resp, err := http.Get("http://" + s.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Aduan-Version"); got != v.Version+" "+v.Commit {
		t.Errorf("/healthz Aduan-Version = %q, want %q", got, v.Version+" "+v.Commit)
	}

	// The container health check: exit 0 on a desk that answers, 1 on none.
	c := newCLI(t)
	if out := c.ok("healthcheck", "--url", "http://"+s.addr+"/healthz"); !strings.HasPrefix(out, "ok "+v.Version) {
		t.Errorf("healthcheck printed %q", out)
	}
	_, port, _ := net.SplitHostPort(s.addr)
	for _, listen := range []string{":" + port, "0.0.0.0:" + port, s.addr} {
		c.env["ADUAN_LISTEN"] = listen
		c.ok("healthcheck")
	}
	c.env["ADUAN_LISTEN"] = ":" + port
	c.env["DATABASE_URL"] = url
	if out := c.ok("healthcheck", "--database"); out != "database answers\n" {
		t.Errorf("healthcheck --database printed %q", out)
	}

	if code := s.stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	c.fails(1, []string{"healthcheck", "--timeout", "2s"}, "GET http://127.0.0.1:"+port+"/healthz")

	// Every line of the log is JSON, the store's included; the start names the version.
	started := false
	for line := range strings.Lines(s.stderr.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("a log line is not JSON: %q", line)
			continue
		}
		if rec["msg"] == "desk started" {
			started = rec["version"] == v.Version && rec["commit"] == v.Commit && rec["go"] == v.Go
		}
	}
	if !started {
		t.Errorf("the start is not logged with the version:\n%s", s.stderr.String())
	}
}

func TestSubcommandHelpAndOneLineErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{
		{"units", "apply", "--help"},
		{"units", "list", "-h"},
		{"holidays", "import", "--help"},
		{"holidays", "add", "2026-12-31", "--help"},
		{"complaints", "show", "--help"},
		{"calendar", "due", "--help"},
		{"sweep", "--help"},
		{"migrate", "--help"},
		{"healthcheck", "--help"},
	} {
		r := c.run(args...)
		if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "Usage: aduan [settings] "+args[0]) {
			t.Errorf("aduan %s: exit %d, stdout %q, stderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"units", "frobnicate"}, "want `apply FILE` or `list`"},
		{[]string{"sweep", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"migrate", "now"}, `no arguments expected, got "now"`},
		{[]string{"--bogus", "config"}, "flag provided but not defined: -bogus"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"complaints", "list", "--state", "open"}, "unknown state \"open\": want one of submitted, routed, distributed, in_progress, answered, closed, ombudsman, archived"},
	} {
		r := c.run(tt.args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != 2 || len(lines) != 2 || !strings.Contains(lines[0], tt.want) || !strings.HasPrefix(lines[1], "Run 'aduan") {
			t.Errorf("aduan %s: exit %d, want 2 and two lines (%q, then a hint); stderr:\n%s", strings.Join(tt.args, " "), r.code, tt.want, r.stderr)
		}
	}
}

func TestComplaintsListUnknownUnit(t *testing.T) {
	t.Parallel()
	c, db := newCLIWithDB(t)
	if _, err := db.ApplyUnits(t.Context(), mustDirectory(t, flowstest.Units()), flowstest.At(t, "2026-11-30 09:00")); err != nil {
		t.Fatal(err)
	}
	c.fails(2, []string{"complaints", "list", "--unit", "dukcapill"}, `unknown unit "dukcapill"`, "dukcapil,")
	c.ok("complaints", "list", "--unit", "dukcapil")
}

// ownCopy writes the example units without its example marker, as an operator's file,
// with replace applied, and returns its path.
func ownCopy(t *testing.T, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "config", "units.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "example: true\n", "", 1)
	text = strings.NewReplacer(replace...).Replace(text)
	path := filepath.Join(t.TempDir(), "units.yaml")
	writeFile(t, path, text)
	return path
}

func TestUnitsApplyDryRunAndExample(t *testing.T) {
	t.Parallel()
	c, _ := newCLIWithDB(t)
	example := filepath.Join("..", "..", "config", "units.example.yaml")
	own := ownCopy(t)

	out := c.ok("units", "apply", own, "--dry-run")
	if !strings.Contains(out, "added\tnasional\n") || !strings.HasSuffix(out, "7 units, 7 would change (dry run: nothing applied)\n") {
		t.Errorf("units apply --dry-run on an empty database printed:\n%s", out)
	}
	c.fails(1, []string{"units", "list"}, "aduan units apply")

	// The example goes onto an empty database, and again where it changes nothing.
	c.ok("units", "apply", example)
	if out := c.ok("units", "apply", example); out != "7 units, 0 changed\n" {
		t.Errorf("the example a second time printed %q", out)
	}
	// The operator's own tree replaces it; the example never comes back over it.
	renamed := ownCopy(t, "-1001000000003", "-1009876543210")
	if out := c.ok("units", "apply", renamed); !strings.Contains(out, "updated\tdukcapil\n") {
		t.Errorf("the operator's tree printed:\n%s", out)
	}
	c.fails(1, []string{"units", "apply", example}, "is an example", "without the example line")
	c.fails(1, []string{"units", "apply", example, "--dry-run"}, "is an example")
	if list := c.ok("units", "list"); !strings.Contains(list, "-1009876543210") {
		t.Errorf("the example replaced the operator's units:\n%s", list)
	}

	// A dry run shows what would be retired and changes nothing.
	smaller := ownCopy(t, "-1001000000003", "-1009876543210", "  - code: tim-piak\n", "  - code: tim-piak-x\n")
	out = c.ok("units", "apply", "--dry-run", smaller)
	for _, want := range []string{"added\ttim-piak-x\n", "retired\ttim-piak\n", "7 units, 2 would change"} {
		if !strings.Contains(out, want) {
			t.Errorf("units apply --dry-run lacks %q:\n%s", want, out)
		}
	}
	if list := c.ok("units", "list"); !hasColumn(list, 0, "tim-piak") || hasColumn(list, 0, "tim-piak-x") {
		t.Errorf("a dry run changed the units:\n%s", list)
	}
}

func TestUnitsFileProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       []string
	}{
		{"a key twice in one unit", "units:\n  - code: nasional\n    name: A\n    kind: national\n    name: B\n",
			[]string{"f.yaml:5:5: name is given twice in one unit (first on line 3)"}},
		{"a tab", "units:\n  - code: nasional\n\tname: A\n", []string{"f.yaml:3:1: found a tab character that violates indentation (indent with spaces, not tabs)"}},
		{"a wrong indent", "units:\n  - code: nasional\n   name: A\n", []string{"f.yaml:3:4:"}},
		{"an empty file", "", []string{"f.yaml:1:1: the file is empty"}},
		{"only a comment", "# nothing yet\n", []string{"f.yaml:1:1: the file is empty"}},
		{"a second document", "units: []\n---\nunits: []\n", []string{"f.yaml:2:1: a second YAML document"}},
		{"problems in file order", strings.Join([]string{
			"units:",
			"  - code: nasional", "    name: Nasional", "    kind: national",
			"  - code: kuburaya", "    name: Kubu Raya", "    kind: regency", "    parent: nasional",
			"  - code: kuburaya", "    name: Lagi", "    kind: regency", "    parent: nasionall",
			"  - code: ombudsman", "    name: \"\"", "    kind: ombudsman", ""}, "\n"),
			[]string{"f.yaml:9:11: code: \"kuburaya\" is already used by the unit on line 5\nf.yaml:12:13: parent: no unit has the code \"nasionall\"\nf.yaml:14:11: name: is empty"}},
	}
	// tree is a valid tree but for the chats of its units, given as YAML lines.
	tree := func(national, regency, ombudsman string) string {
		return strings.Join([]string{
			"units:",
			"  - code: nasional", "    name: Nasional", "    kind: national", national,
			"  - code: kuburaya", "    name: Kubu Raya", "    kind: regency", "    parent: nasional", regency,
			"  - code: ombudsman", "    name: Ombudsman", "    kind: ombudsman", ombudsman, ""}, "\n")
	}
	tests = append(tests, []struct {
		name, text string
		want       []string
	}{
		{"a person's Telegram chat", tree("    telegram: 1001", "", ""),
			[]string{"f.yaml:5:15: telegram: 1001 is not a group chat ID (group IDs are negative"}},
		{"a Telegram chat ID that is no number", tree("    telegram: grup-nasional", "", ""),
			[]string{`f.yaml:5:15: telegram: "grup-nasional" is not a chat ID`}},
		{"a WhatsApp JID of a person in a list", tree("    whatsapp: [120363000001@g.us, 628123456789@s.whatsapp.net]", "", ""),
			[]string{`f.yaml:5:35: whatsapp: "628123456789@s.whatsapp.net" is not a WhatsApp group JID`}},
		{"a chat of two units", tree("    telegram: -1001", "    telegram:\n      - -1002\n      - -1001", ""),
			[]string{`f.yaml:12:9: telegram: "-1001" is already the chat of the unit on line 2: each group chat serves one unit`}},
		{"a chat twice in a unit", tree("    whatsapp: [1@g.us, 1@g.us]", "", ""),
			[]string{`f.yaml:5:24: whatsapp: "1@g.us" is given twice`}},
		{"a mapping for chats", tree("    telegram: {id: -1001}", "", ""),
			[]string{"f.yaml:5:15: telegram: want a chat ID or a list of chat IDs"}},
		{"a list in a list", tree("    telegram: [[-1001]]", "", ""),
			[]string{"f.yaml:5:15: telegram: want a chat ID or a list of chat IDs"}},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.ParseUnits("f.yaml", []byte(tt.text), chatChecks())
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	// A byte-order mark is not a problem.
	b, err := os.ReadFile(filepath.Join("..", "..", "config", "units.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.ParseUnits("bom.yaml", append([]byte("\ufeff"), b...), chatChecks()); err != nil {
		t.Errorf("a units file with a byte-order mark: %v", err)
	}
}

func TestUnitsFileChats(t *testing.T) {
	t.Parallel()
	text := strings.Join([]string{
		"units:",
		"  - code: nasional", "    name: Nasional", "    kind: national",
		"    telegram: -1001", "    whatsapp: 120363000001@g.us",
		"  - code: kuburaya", "    name: Kubu Raya", "    kind: regency", "    parent: nasional",
		"    whatsapp:", "      - 120363000002@g.us", "      - 120363000012@g.us", "    telegram: [-1002, -1001000000012]",
		"  - code: dukcapil", "    name: Dukcapil", "    kind: agency", "    parent: kuburaya", "    telegram: []",
		"  - code: ombudsman", "    name: Ombudsman", "    kind: ombudsman", "    whatsapp:", ""}, "\n")
	dir, err := config.ParseUnits("f.yaml", []byte(text), chatChecks())
	if err != nil {
		t.Fatal(err)
	}
	tg := func(chat string) flows.ChatRef { return flows.ChatRef{Channel: "telegram", Chat: chat} }
	wa := func(chat string) flows.ChatRef { return flows.ChatRef{Channel: "whatsapp", Chat: chat} }
	for code, want := range map[string][]flows.ChatRef{
		"nasional":  {tg("-1001"), wa("120363000001@g.us")},
		"kuburaya":  {tg("-1002"), tg("-1001000000012"), wa("120363000002@g.us"), wa("120363000012@g.us")},
		"dukcapil":  nil,
		"ombudsman": nil,
	} {
		if u, _ := dir.Unit(code); !slices.Equal(u.Chats, want) {
			t.Errorf("%s: chats %v, want %v", code, u.Chats, want)
		}
	}
	if got := dir.UnitsOfChat("whatsapp", "120363000012@g.us"); !slices.Equal(got, []string{"kuburaya"}) {
		t.Errorf("UnitsOfChat of kuburaya's second WhatsApp group = %v", got)
	}
}

func TestSettingsRefusedPrecisely(t *testing.T) {
	t.Parallel()
	due := []string{"calendar", "due", "--from", "2026-11-30 10:00", "--working-days", "1"}
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	for _, tt := range []struct {
		name string
		env  map[string]string
		msgs []string
	}{
		{"http webhook", map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_WEBHOOK_SECRET": "s", "TELEGRAM_WEBHOOK_URL": "http://desk.example/tg"},
			[]string{"TELEGRAM_WEBHOOK_URL", "only over HTTPS", "not http://"}},
		{"webhook port", map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_WEBHOOK_SECRET": "s", "TELEGRAM_WEBHOOK_URL": "https://desk.example:9443/tg"},
			[]string{"ports 443, 80, 88 and 8443, not 9443"}},
		{"0wd", map[string]string{"ADUAN_LIMIT_ANSWER": "0wd"}, []string{"ADUAN_LIMIT_ANSWER", "a limit of 0"}},
		{"0d", map[string]string{"ADUAN_LIMIT_CLOSE": "0d"}, []string{"ADUAN_LIMIT_CLOSE", "a limit of 0"}},
		{"short secret", map[string]string{"TELEGRAM_BOT_TOKEN": "123456789:AAHdqTcv"}, []string{"TELEGRAM_BOT_TOKEN", "has 8 characters", "20 to 80"}},
		{"no colon", map[string]string{"TELEGRAM_BOT_TOKEN": "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"}, []string{"no colon"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			for k, v := range tt.env {
				c.env[k] = v
			}
			r := c.run(due...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			for _, m := range tt.msgs {
				if !strings.Contains(r.stderr, m) {
					t.Errorf("stderr lacks %q:\n%s", m, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "AAHdqTcv") {
				t.Errorf("stderr shows the token:\n%s", r.stderr)
			}
		})
	}
	c := newCLI(t)
	c.env["TELEGRAM_BOT_TOKEN"] = token
	c.env["TELEGRAM_WEBHOOK_SECRET"] = "s"
	c.env["TELEGRAM_WEBHOOK_URL"] = "https://desk.example:8443/tg"
	c.ok(due...)
	// A self-hosted Bot API server posts over http, to any port.
	c.env["TELEGRAM_API_URL"] = "http://127.0.0.1:8081"
	c.env["TELEGRAM_WEBHOOK_URL"] = "http://127.0.0.1:9090/tg"
	c.ok(due...)
	// setWebhookURL reads the API URL: it must be parsed first.
	api, hook := -1, -1
	for i, s := range config.Settings {
		switch s.Flag {
		case "telegram-api-url":
			api = i
		case "telegram-webhook-url":
			hook = i
		}
	}
	if api < 0 || hook < api {
		t.Errorf("--telegram-api-url (%d) must come before --telegram-webhook-url (%d) in config.Settings", api, hook)
	}
}

func TestSilentDatabaseFailsClearly(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["DATABASE_URL"] = "postgres://aduan@" + storetest.SilentServer(t) + "/aduan?sslmode=disable&connect_timeout=1&pool_max_conns=4"
	c.env["ADUAN_LISTEN"] = "127.0.0.1:0"
	for _, cmd := range []string{"migrate", "serve", "sweep"} {
		start := time.Now()
		c.fails(1, []string{cmd}, "did not answer within 1s")
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("aduan %s gave up after %s", cmd, d)
		}
	}
}

func TestServeOnAnUnmigratedDatabaseCreatesNothing(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	url := storetest.Empty(t)
	c.env["DATABASE_URL"] = url
	c.env["ADUAN_LISTEN"] = "127.0.0.1:0"
	c.fails(1, []string{"serve"}, "never been migrated", "run `aduan migrate`")
	// With JSON logs, the reason serve stopped is a JSON line too.
	c.env["ADUAN_LOG_FORMAT"] = "json"
	r := c.run("serve")
	var rec struct{ Level, Msg, Err string }
	if err := json.Unmarshal([]byte(r.stderr), &rec); err != nil || r.code != 1 || rec.Msg != "desk failed" || !strings.Contains(rec.Err, "never been migrated") {
		t.Errorf("serve with JSON logs on an unmigrated database: exit %d, stderr %q", r.code, r.stderr)
	}
	delete(c.env, "ADUAN_LOG_FORMAT")
	c.fails(1, []string{"units", "list"}, "run `aduan migrate`")
	db, err := openDB(t.Context(), &env{cfg: config.Config{DatabaseURL: url}, log: nil}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables int
	if err := db.Pool().QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("serve created %d tables in a database it refused", tables)
	}
}

func TestSweepDropsUnfinishedComplaints(t *testing.T) {
	t.Parallel()
	c, db := newCLIWithDB(t)
	ctx := t.Context()
	filed := flowstest.At(t, "2026-11-26 09:00") // four days before the CLI's clock
	if _, err := db.ApplyUnits(ctx, mustDirectory(t, flowstest.Units()), filed); err != nil {
		t.Fatal(err)
	}
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	intake := flows.DefaultIntake()
	in := flows.Inbound{Channel: "memory", ID: "1", Chat: "5001", User: "5001", Command: "lapor"}
	if err := db.Converse(ctx, rules, &intake, "ADU", in, filed); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Session(ctx, "memory", "5001"); err != nil || s.Step == "" {
		t.Fatalf("no draft after /lapor: %+v, %v", s, err)
	}
	if out := c.ok("sweep", "--dry-run"); strings.Contains(out, "unfinished") {
		t.Errorf("sweep --dry-run printed:\n%s", out)
	}
	if s, err := db.Session(ctx, "memory", "5001"); err != nil || s.Step == "" {
		t.Fatalf("a dry run dropped the draft: %+v, %v", s, err)
	}
	if out := c.ok("sweep"); !strings.Contains(out, "unfinished complaints reminded or dropped: 1\n") {
		t.Errorf("sweep printed:\n%s", out)
	}
	if s, err := db.Session(ctx, "memory", "5001"); err != nil || s.Step != "" {
		t.Errorf("the draft of four days ago is still there after the sweep: %+v, %v", s, err)
	}
	if out := c.ok("sweep"); strings.Contains(out, "unfinished") {
		t.Errorf("a second sweep printed:\n%s", out)
	}
}
