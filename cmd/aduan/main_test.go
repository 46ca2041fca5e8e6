package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// result is what one run of the program gave.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the program in-process with its own environment and a fake clock.
type cli struct {
	t     *testing.T
	env   map[string]string
	clock *flowstest.Clock
}

// newCLI returns a program without a database, its clock at Monday 30 November 2026
// 09:00 in Asia/Pontianak.
func newCLI(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{}, clock: flowstest.NewClock(flowstest.At(t, "2026-11-30 09:00"))}
}

// newCLIWithDB returns a program on a fresh migrated database, and that database.
func newCLIWithDB(t *testing.T) (*cli, *store.DB) {
	db, url := storetest.New(t)
	c := newCLI(t)
	c.env["DATABASE_URL"] = url
	return c, db
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr, func(k string) string { return c.env[k] }, c.clock)
	return result{code, stdout.String(), stderr.String()}
}

// ok runs args and fails the test unless the program exits 0.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("aduan %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// fails runs args and checks that the program exits with code, prints nothing on
// stdout and prints every one of msgs on stderr.
func (c *cli) fails(code int, args []string, msgs ...string) {
	c.t.Helper()
	r := c.run(args...)
	cmd := "aduan " + strings.Join(args, " ")
	if r.code != code {
		c.t.Errorf("%s: exit %d, want %d\nstderr: %s", cmd, r.code, code, r.stderr)
	}
	if r.stdout != "" {
		c.t.Errorf("%s: stdout = %q, want nothing", cmd, r.stdout)
	}
	for _, m := range msgs {
		if !strings.Contains(r.stderr, m) {
			c.t.Errorf("%s: stderr lacks %q:\n%s", cmd, m, r.stderr)
		}
	}
}

func TestCalendarDueBuiltin(t *testing.T) {
	t.Parallel()
	tests := []struct{ from, want string }{
		{"2026-11-30 10:00", "2026-12-01T10:00:00+07:00"},          // Monday → Tuesday
		{"2026-12-04 17:00", "2026-12-08T07:30:00+07:00"},          // Friday after hours → Tuesday's opening
		{"2026-12-23T09:00:00+07:00", "2026-12-28T09:00:00+07:00"}, // over Christmas and its cuti bersama
		{"2026-11-30T03:00:00Z", "2026-12-01T10:00:00+07:00"},      // RFC 3339 in another zone
	}
	for _, tt := range tests {
		c := newCLI(t)
		got := c.ok("calendar", "due", "--from", tt.from, "--working-days", "1")
		if strings.TrimSpace(got) != tt.want {
			t.Errorf("calendar due --from %q --working-days 1 = %q, want %s", tt.from, got, tt.want)
		}
	}
}

func TestCalendarDueFollowsOperatorsHolidays(t *testing.T) {
	t.Parallel()
	c, _ := newCLIWithDB(t)
	due := []string{"calendar", "due", "--from", "2026-11-30 10:00", "--working-days", "1"}
	if got := strings.TrimSpace(c.ok(due...)); got != "2026-12-01T10:00:00+07:00" {
		t.Fatalf("before the closure: %s", got)
	}
	if out := c.ok("holidays", "add", "2026-12-01", "closure", "Tutup"); !strings.Contains(out, "2026-12-01") {
		t.Errorf("holidays add printed %q", out)
	}
	if got := strings.TrimSpace(c.ok(due...)); got != "2026-12-02T10:00:00+07:00" {
		t.Errorf("with a closure on 1 December: %s, want 2026-12-02T10:00:00+07:00", got)
	}
	if list := c.ok("holidays", "list"); !strings.Contains(list, "2026-12-01\tclosure\tTutup") {
		t.Errorf("holidays list lacks the closure:\n%s", list)
	}
	c.ok("holidays", "remove", "2026-12-01")
	if got := strings.TrimSpace(c.ok(due...)); got != "2026-12-01T10:00:00+07:00" {
		t.Errorf("after removing the closure: %s", got)
	}
	if list := c.ok("holidays", "list"); !strings.Contains(list, "# removed by an operator: 2026-12-01") {
		t.Errorf("holidays list does not mark the removed day:\n%s", list)
	}
}

func TestErrorsGoToStderr(t *testing.T) {
	t.Parallel()
	due := []string{"calendar", "due", "--from", "2026-11-30 10:00", "--working-days", "1"}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		msgs []string
	}{
		{"no command", nil, nil, 2, []string{"Usage: aduan"}},
		{"unknown command", nil, []string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
		{"unknown setting", nil, []string{"--no-such-flag", "config"}, 2, []string{"no-such-flag"}},
		{"bad flag value", nil, append([]string{"--limit-route=3x"}, due...), 2, []string{"--limit-route", "ADUAN_LIMIT_ROUTE", `"3x"`}},
		{"bad environment value", map[string]string{"ADUAN_LIMIT_ROUTE": "3x"}, due, 2, []string{"--limit-route", "ADUAN_LIMIT_ROUTE"}},
		{"bad time zone", map[string]string{"ADUAN_TIME_ZONE": "Mars/Olympus"}, due, 2, []string{"ADUAN_TIME_ZONE"}},
		{"bad web limit", map[string]string{"ADUAN_LIMIT_WEB_CHATS": "5 per hour"}, due, 2, []string{"--limit-web-chats", "want N/DURATION"}},
		{"zero web limit", nil, append([]string{"--limit-access-codes=0/1m"}, due...), 2, []string{"--limit-access-codes", "want N/DURATION"}},
		{"bad --from", nil, []string{"calendar", "due", "--from", "kemarin", "--working-days", "1"}, 2, []string{"not a time"}},
		{"missing --working-days", nil, []string{"calendar", "due", "--from", "2026-11-30 10:00"}, 2, []string{"--working-days"}},
		{"calendar without due", nil, []string{"calendar", "soon"}, 2, []string{"due"}},
		{"sweep without a database", nil, []string{"sweep"}, 1, []string{"DATABASE_URL"}},
		{"sweep with a bad --at", nil, []string{"sweep", "--at", "besok"}, 2, []string{"not a time"}},
		{"migrate without a database", nil, []string{"migrate"}, 1, []string{"DATABASE_URL"}},
		{"serve without a database", nil, []string{"serve"}, 1, []string{"DATABASE_URL"}},
		{"units without a subcommand", nil, []string{"units"}, 2, []string{"apply FILE"}},
		{"units apply of a missing file", nil, []string{"units", "apply", "/nonexistent/units.yaml"}, 1, []string{"/nonexistent/units.yaml"}},
		{"complaints with a bad subcommand", nil, []string{"complaints", "delete"}, 2, []string{"show TRACKING"}},
		{"complaints with an unknown state", nil, []string{"complaints", "list", "--state", "lost"}, 2, []string{`"lost"`}},
		{"holidays add of a bad date", nil, []string{"holidays", "add", "2026-02-30", "LN", "x"}, 2, []string{"2026-02-30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			for k, v := range tt.env {
				c.env[k] = v
			}
			c.fails(tt.code, tt.args, tt.msgs...)
		})
	}
}

func TestErrorsWithDatabase(t *testing.T) {
	t.Parallel()
	c, _ := newCLIWithDB(t)
	c.fails(1, []string{"complaints", "show", "NOPE"}, "no complaint", "NOPE")
	c.fails(1, []string{"holidays", "remove", "2026-12-02"}, "2026-12-02 is not a day off")
	c.fails(1, []string{"units", "list"}, "aduan units apply")

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	writeFile(t, bad, `units:
  - code: nasional
    name: Admin Nasional
    kind: national
  - code: kuburaya
    name: Admin Kabupaten
    kind: regency
    parent: nasional
    telegram: grup-kabupaten
    colour: blue
`)
	r := c.run("units", "apply", bad)
	if r.code != 1 || r.stdout != "" {
		t.Errorf("units apply %s: exit %d, stdout %q", bad, r.code, r.stdout)
	}
	for _, want := range []string{bad + ":9:15: telegram:", bad + ":10:5: unknown key \"colour\""} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("units apply of a bad file: stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	// Nothing was applied.
	c.fails(1, []string{"units", "list"}, "aduan units apply")
}

func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{{"--help"}, {"-h"}} {
		r := c.run(args...)
		if r.code != 0 || !strings.Contains(r.stderr, "Commands:") {
			t.Errorf("aduan %s: exit %d, stderr:\n%s", args[0], r.code, r.stderr)
		}
	}
	for _, cmd := range commands {
		r := c.run(cmd.name, "--help")
		if r.code != 0 {
			t.Errorf("aduan %s --help: exit %d\nstderr: %s", cmd.name, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "Usage: aduan [settings] "+cmd.name) {
			t.Errorf("aduan %s --help: no usage on stderr:\n%s", cmd.name, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("aduan %s --help: stdout = %q", cmd.name, r.stdout)
		}
	}
	// The top-level help names every setting with its environment variable.
	help := c.run("--help").stderr
	for _, s := range config.Settings {
		if !strings.Contains(help, "-"+s.Flag+" ") || !strings.Contains(help, "(env "+s.Env+")") {
			t.Errorf("aduan --help lacks --%s (env %s)", s.Flag, s.Env)
		}
	}
}

func TestMigrateFreshDatabase(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["DATABASE_URL"] = storetest.Empty(t)
	c.env["ADUAN_LISTEN"] = "127.0.0.1:0"

	c.fails(1, []string{"complaints", "list"}, "run `aduan migrate`")
	c.fails(1, []string{"serve"}, "run `aduan migrate`")
	c.fails(1, []string{"calendar", "due", "--from", "2026-11-30 10:00", "--working-days", "1"}, "run `aduan migrate`")

	out := c.ok("migrate")
	m := regexp.MustCompile(`^migrations applied: (\d+); built-in holidays added: (\d+)\n$`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" || m[2] == "0" {
		t.Fatalf("first migrate printed %q", out)
	}
	if n, _ := strconv.Atoi(m[2]); n != len(flows.BuiltinHolidays()) {
		t.Errorf("built-in holidays added: %d, want %d", n, len(flows.BuiltinHolidays()))
	}
	if out := c.ok("migrate"); out != "migrations applied: 0; built-in holidays added: 0\n" {
		t.Errorf("second migrate printed %q", out)
	}
	if out := c.ok("complaints", "list"); !strings.HasPrefix(out, "TRACKING") || strings.Count(out, "\n") != 1 {
		t.Errorf("complaints list on a migrated database printed %q", out)
	}
	if got := strings.TrimSpace(c.ok("calendar", "due", "--from", "2026-12-23 09:00", "--working-days", "1")); got != "2026-12-28T09:00:00+07:00" {
		t.Errorf("calendar due after migrate (seeded holidays) = %s", got)
	}
	// serve also needs the routing tree.
	c.fails(1, []string{"serve"}, "aduan units apply")
}

func TestServeAnswersHealthAndStopsOnSignal(t *testing.T) {
	t.Parallel()
	db, url := storetest.New(t)
	if _, err := db.ApplyUnits(t.Context(), mustDirectory(t, flowstest.Units()), flowstest.At(t, "2026-11-30 09:00")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout bytes.Buffer
	stderr := &storetest.LogBuffer{}
	env := map[string]string{"DATABASE_URL": url, "ADUAN_LISTEN": "127.0.0.1:0", "ADUAN_LOG_FORMAT": "json"}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, &stdout, stderr, func(k string) string { return env[k] }, flowstest.NewClock(flowstest.At(t, "2026-11-30 09:00")))
	}()

	// serve logs its address once it listens.
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); {
		for line := range strings.Lines(stderr.String()) {
			var rec struct{ Msg, Listen string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "desk started" {
				addr = rec.Listen
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before starting:\n%s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if addr == "" {
		t.Fatalf("serve did not log its address:\n%s", stderr.String())
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("GET /healthz = %d %q", resp.StatusCode, body)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after the signal:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after the signal")
	}
	if stdout.Len() != 0 {
		t.Errorf("serve wrote on stdout: %q", stdout.String())
	}
}

func TestUnitsApplyAndList(t *testing.T) {
	t.Parallel()
	c, _ := newCLIWithDB(t)
	example := filepath.Join("..", "..", "config", "units.example.yaml")
	out := c.ok("units", "apply", example)
	if !strings.Contains(out, "added\tnasional\n") || !strings.HasSuffix(out, "7 units, 7 changed\n") {
		t.Errorf("units apply of the example printed:\n%s", out)
	}
	list := c.ok("units", "list")
	for _, code := range []string{"nasional", "kuburaya", "dukcapil", "tim-pendaftaran", "tim-pencatatan", "tim-piak", "ombudsman-kalbar"} {
		if !hasColumn(list, 0, code) {
			t.Errorf("units list lacks %s:\n%s", code, list)
		}
	}
	if !regexp.MustCompile(`(?m)^dukcapil\s+agency\s+kuburaya\s+-1001000000003\s+–\s+Dinas Kependudukan`).MatchString(list) {
		t.Errorf("units list does not show dukcapil's kind, parent and group:\n%s", list)
	}
	if out := c.ok("units", "apply", example); out != "7 units, 0 changed\n" {
		t.Errorf("applying the same file again printed %q", out)
	}

	// Without tim-piak, and with a renamed team: tim-piak is retired.
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "example: true\n", "", 1) // an operator's own copy
	cut := strings.Index(text, "  - code: tim-piak")
	end := strings.Index(text, "  - code: ombudsman-kalbar")
	if cut < 0 || end < cut {
		t.Fatal("units.example.yaml changed shape: tim-piak before ombudsman-kalbar expected")
	}
	text = text[:cut] + text[end:]
	text = strings.Replace(text, "Tim Teknis Pencatatan Sipil (akta kelahiran, kematian, perkawinan)", "Tim Teknis Akta", 1)
	smaller := filepath.Join(t.TempDir(), "units.yaml")
	writeFile(t, smaller, text)
	out = c.ok("units", "apply", smaller)
	for _, want := range []string{"retired\ttim-piak\n", "updated\ttim-pencatatan\n", "6 units, 2 changed\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("units apply without tim-piak: output lacks %q:\n%s", want, out)
		}
	}
	list = c.ok("units", "list")
	if hasColumn(list, 0, "tim-piak") {
		t.Errorf("units list still shows the retired tim-piak:\n%s", list)
	}
	if !strings.Contains(list, "Tim Teknis Akta") {
		t.Errorf("units list lacks the new name:\n%s", list)
	}

	// Putting it back restores it.
	own := filepath.Join(t.TempDir(), "own.yaml")
	writeFile(t, own, strings.Replace(string(b), "example: true\n", "", 1))
	if out := c.ok("units", "apply", own); !strings.Contains(out, "restored\ttim-piak\n") {
		t.Errorf("applying the whole tree again printed:\n%s", out)
	}

	// A unit without a group chat is accepted with a warning.
	quiet := filepath.Join(t.TempDir(), "quiet.yaml")
	writeFile(t, quiet, strings.Replace(strings.Replace(string(b), "example: true\n", "", 1), "    telegram: -1001000000006\n", "", 1))
	r := c.run("units", "apply", quiet)
	if r.code != 0 || !strings.Contains(r.stderr, "unit tim-piak has no group chat") {
		t.Errorf("units apply of a unit without a chat: exit %d, stderr %q", r.code, r.stderr)
	}

	// A unit in several groups on both channels lists them all.
	several := filepath.Join(t.TempDir(), "several.yaml")
	writeFile(t, several, strings.Replace(strings.Replace(string(b), "example: true\n", "", 1),
		"    telegram: -1001000000003\n", "    telegram: [-1001000000003, -1001000000013]\n    whatsapp: 120363025246125486@g.us\n", 1))
	if out := c.ok("units", "apply", several); !strings.Contains(out, "updated\tdukcapil\n") {
		t.Errorf("units apply with several chats printed:\n%s", out)
	}
	list = c.ok("units", "list")
	if !regexp.MustCompile(`(?m)^dukcapil\s+agency\s+kuburaya\s+-1001000000003,-1001000000013\s+120363025246125486@g\.us\s+Dinas`).MatchString(list) {
		t.Errorf("units list does not show dukcapil's three groups:\n%s", list)
	}
}

func TestConfigTableIsInREADME(t *testing.T) {
	t.Parallel()
	table := newCLI(t).ok("config")
	for _, s := range config.Settings {
		if !strings.Contains(table, "| `--"+s.Flag+"` | `"+s.Env+"` |") {
			t.Errorf("config table lacks --%s", s.Flag)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	const begin, end = "<!-- settings:begin -->\n", "<!-- settings:end -->"
	text := string(readme)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q section: paste the output of `aduan config` between them", strings.TrimSpace(begin), end)
	}
	got := strings.TrimSpace(text[i+len(begin) : j])
	if got != strings.TrimSpace(table) {
		t.Errorf("README.md's settings table differs from `aduan config`; replace it with:\n%s", table)
	}
}

// fileComplaint files a complaint of the fixture complainant, from a WhatsApp chat named
// after their phone number, at now and moves it to the agency with an answer and a
// reply, so that its audit trail has every kind of actor.
func fileComplaint(t *testing.T, db *store.DB, now time.Time) flows.Complaint {
	t.Helper()
	ctx := t.Context()
	if _, err := db.ApplyUnits(ctx, mustDirectory(t, flowstest.Units()), now); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	rules, err := db.Rules(ctx, cfg.Policy, cfg.Zone, cfg.Hours)
	if err != nil {
		t.Fatal(err)
	}
	r := flowstest.Report()
	r.Contact.Channel, r.Contact.Chat = store.WhatsApp, "6281234567890@s.whatsapp.net"
	c, err := db.File(ctx, rules, cfg.Prefix, r, now)
	if err != nil {
		t.Fatal(err)
	}
	complainant := flows.Actor{Kind: flows.ByComplainant, Ref: r.Contact.Chat}
	for i, ev := range []flows.Event{
		{Kind: flows.EvRoute, Actor: flowstest.Member(flowstest.National), Target: flowstest.Regency},
		{Kind: flows.EvDistribute, Actor: flowstest.Member(flowstest.Regency), Target: flowstest.Agency},
		{Kind: flows.EvAnswer, Actor: flowstest.Member(flowstest.Agency), Text: "KK sudah dapat diambil di kantor kecamatan."},
		{Kind: flows.EvReply, Actor: complainant, Text: "Saya sudah ke sana, kata petugas belum ada. Budi, 081234567890."},
	} {
		ch, err := db.Apply(ctx, rules, c.ID, c.Version, ev, now.Add(time.Duration(i+1)*time.Minute))
		if err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
		c = ch.Complaint
	}
	return c
}

func TestComplaintsListAndShowWithoutPersonalData(t *testing.T) {
	t.Parallel()
	cl, db := newCLIWithDB(t)
	c := fileComplaint(t, db, flowstest.At(t, "2026-11-30 10:00"))
	r := flowstest.Report()
	personal := []string{r.Contact.Name, "81234567890", r.Body, r.Title, r.Place, "KK sudah dapat diambil", "Saya sudah ke sana", "s.whatsapp.net"}
	private := func(what, out string) {
		t.Helper()
		for _, p := range personal {
			if strings.Contains(out, p) {
				t.Errorf("%s shows personal data or a message body %q:\n%s", what, p, out)
			}
		}
	}

	out := cl.ok("complaints", "list", "--json")
	private("complaints list --json", out)
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("complaints list --json: %v\n%s", err, out)
	}
	if len(list) != 1 || list[0]["tracking"] != c.Tracking || list[0]["state"] != "in_progress" || list[0]["unit"] != flowstest.Agency {
		t.Errorf("complaints list --json = %v", list)
	}
	if list[0]["due"] != "2026-12-01T10:04:00+07:00" || list[0]["due_kind"] != "answer" {
		t.Errorf("complaints list --json: due %v (%v), want 2026-12-01T10:04:00+07:00 (answer)", list[0]["due"], list[0]["due_kind"])
	}

	for _, args := range [][]string{{"complaints", "show", c.Tracking, "--json"}, {"complaints", "show", "--json", strings.ToLower(c.Tracking)}} {
		out = cl.ok(args...)
		private(strings.Join(args, " "), out)
		var v complaintView
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if v.Tracking != c.Tracking || v.State != "in_progress" || v.Privacy != "biasa" || v.Filed != "2026-11-30T10:00:00+07:00" {
			t.Errorf("show --json = %+v", v)
		}
		var events []string
		for _, a := range v.Audit {
			events = append(events, a.Event+":"+a.ActorKind+":"+a.From+">"+a.To)
		}
		want := []string{"file:complainant:>submitted", "route:unit:submitted>routed", "distribute:unit:routed>distributed",
			"answer:unit:distributed>answered", "reply:complainant:answered>in_progress"}
		if !slices.Equal(events, want) {
			t.Errorf("show --json audit = %v, want %v", events, want)
		}
		member, err := db.ActorRef(t.Context(), flowstest.Member(flowstest.National), c.Contact.Channel)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Audit) == 5 && (v.Audit[3].TextChars == 0 || v.Audit[1].ActorUnit != flowstest.National || v.Audit[1].ActorRef != member) {
			t.Errorf("show --json audit details: %+v", v.Audit)
		}
	}

	for _, args := range [][]string{{"complaints", "list"}, {"complaints", "show", c.Tracking}} {
		out := cl.ok(args...)
		private(strings.Join(args, " "), out)
		if !strings.Contains(out, c.Tracking) || !strings.Contains(out, "in_progress") {
			t.Errorf("%s:\n%s", strings.Join(args, " "), out)
		}
	}
	if out := cl.ok("complaints", "list", "--state", "closed", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("complaints list --state closed --json = %q", out)
	}
	if out := cl.ok("complaints", "list", "--unit", flowstest.Agency); !strings.Contains(out, c.Tracking) {
		t.Errorf("complaints list --unit %s:\n%s", flowstest.Agency, out)
	}
}

func TestSweepDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	cl, db := newCLIWithDB(t)
	ctx := t.Context()
	if _, err := db.ApplyUnits(ctx, mustDirectory(t, flowstest.Units()), flowstest.At(t, "2026-11-30 09:00")); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	rules, err := db.Rules(ctx, cfg.Policy, cfg.Zone, cfg.Hours)
	if err != nil {
		t.Fatal(err)
	}
	// Filed Monday 10:00: routing due Thursday 10:00, reminder Thursday 08:00.
	c, err := db.File(ctx, rules, cfg.Prefix, flowstest.Report(), flowstest.At(t, "2026-11-30 10:00"))
	if err != nil {
		t.Fatal(err)
	}
	get := func() flows.Complaint {
		t.Helper()
		got, err := db.Complaint(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// A sweep as of a time still to come is only a preview.
	if r := cl.run("sweep", "--at", "2026-12-02 07:00"); r.code != 2 || !strings.Contains(r.stderr, "in the future") || r.stdout != "" {
		t.Errorf("sweep in the future: exit %d, stderr %q", r.code, r.stderr)
	}
	// Nothing is due on Wednesday (and no digest before 08:00).
	cl.clock.Set(flowstest.At(t, "2026-12-02 07:00"))
	if out := cl.ok("sweep", "--at", "2026-12-02 07:00"); out != "sweep as of 2026-12-02T07:00:00+07:00: 0 steps, 0 digests done\n" {
		t.Errorf("sweep on Wednesday printed %q", out)
	}

	line := regexp.MustCompile(`(?m)^` + c.Tracking + `\s+overdue\s+submitted → submitted\s+nasional\s+1 messages$`)
	at := []string{"sweep", "--at", "2026-12-03T10:00:00+07:00"}
	out := cl.ok(append(at, "--dry-run")...)
	if !strings.HasPrefix(out, "sweep as of 2026-12-03T10:00:00+07:00: 1 steps, 1 digests would be done (dry run)\n") ||
		!line.MatchString(out) || !regexp.MustCompile(`(?m)^digest\s+nasional\s+open 1, due today 0, overdue 1$`).MatchString(out) {
		t.Errorf("sweep --dry-run printed:\n%s", out)
	}
	if got := get(); got.Version != c.Version || got.Timers != c.Timers {
		t.Errorf("after a dry run: version %d, timers %+v; want %d, %+v", got.Version, got.Timers, c.Version, c.Timers)
	}
	if again := cl.ok(append(at, "--dry-run")...); again != out {
		t.Errorf("a second dry run printed something else:\n%s", again)
	}

	cl.clock.Set(flowstest.At(t, "2026-12-03 10:00"))
	out = cl.ok(at...)
	if !strings.HasPrefix(out, "sweep as of 2026-12-03T10:00:00+07:00: 1 steps, 1 digests done\n") || !line.MatchString(out) {
		t.Errorf("sweep printed:\n%s", out)
	}
	if got := get(); got.Version != c.Version || !got.Timers.Overdue {
		t.Errorf("after the sweep: version %d, timers %+v", got.Version, got.Timers)
	}
	if out := cl.ok(at...); out != "sweep as of 2026-12-03T10:00:00+07:00: 0 steps, 0 digests done\n" {
		t.Errorf("a second sweep at the same time printed %q", out)
	}

	// 60 days after filing, the sweep (at the clock's now) hands it to the Ombudsman.
	cl.clock.Set(flowstest.At(t, "2027-01-29 10:00"))
	out = cl.ok("sweep")
	if !regexp.MustCompile(`(?m)^` + c.Tracking + `\s+handover\s+submitted → ombudsman\s+nasional\s+4 messages$`).MatchString(out) {
		t.Errorf("sweep 60 days later printed:\n%s", out)
	}
	if got := get(); got.State != flows.AtOmbudsman {
		t.Errorf("60 days later: state %s", got.State)
	}
	if out := cl.ok("complaints", "show", c.Tracking); !regexp.MustCompile(`(?m)^2027-01-29T10:00:00\+07:00\s+handover\s+system\s+submitted → ombudsman`).MatchString(out) {
		t.Errorf("complaints show lacks the hand-over:\n%s", out)
	}
}

func mustDirectory(t *testing.T, units []flows.Unit) *flows.Directory {
	t.Helper()
	dir, err := flows.NewDirectory(units)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hasColumn reports whether a line of out has value in its column col (split on spaces).
func hasColumn(out string, col int, value string) bool {
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) > col && f[col] == value {
			return true
		}
	}
	return false
}

// TestSettingsAfterTheCommand: a setting may follow the command, as the README says.
func TestSettingsAfterTheCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--office-hours", "mon-fri 08:00-16:00", "calendar", "due", "--from", "2026-12-04 17:00", "--working-days", "1"},
		{"calendar", "due", "--from", "2026-12-04 17:00", "--office-hours", "mon-fri 08:00-16:00", "--working-days", "1"},
		{"calendar", "due", "--office-hours=mon-fri 08:00-16:00", "--from", "2026-12-04 17:00", "--working-days", "1"},
	} {
		if got := strings.TrimSpace(newCLI(t).ok(args...)); got != "2026-12-08T08:00:00+07:00" {
			t.Errorf("aduan %q = %q, want Tuesday 08:00", args, got)
		}
	}
}
