package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"aduan/bot/web"
	"aduan/config"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store"
	"aduan/store/storetest"
)

// accessLines returns `aduan audit access --json` of c's database.
func accessLines(t *testing.T, c *cli) []map[string]string {
	t.Helper()
	var lines []map[string]string
	if err := json.Unmarshal([]byte(c.ok("audit", "access", "--json")), &lines); err != nil {
		t.Fatal(err)
	}
	return lines
}

// A backup is an export of every citizen's data and a restore brings all of it into a
// desk: each is a line of the access log, by the operator at the command line (with
// --as beside the OS user), of no one complaint. The backup's line is in the live
// database (after the backup's snapshot); the restore's in the restored one.
func TestAccessLogBackupRestore(t *testing.T) {
	srcDB, srcURL := storetest.New(t)
	c := newCLI(t)
	c.env["DATABASE_URL"] = srcURL
	ctx := t.Context()
	now := c.clock.Now()
	if _, err := srcDB.ApplyUnits(ctx, mustDirectory(t, flowstest.Units()), now); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	rules, err := srcDB.Rules(ctx, cfg.Policy, cfg.Zone, cfg.Hours)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srcDB.File(ctx, rules, "ADU", flowstest.Report(), now); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "aduan.backup")
	c.ok("backup", file, "--as", "NIP-1987")
	lines := accessLines(t, c)
	if len(lines) != 1 || lines[0]["what"] != store.AccessBackup || !strings.HasPrefix(lines[0]["who"], "cli:") ||
		!strings.HasSuffix(lines[0]["who"], "/NIP-1987") || lines[0]["complaint"] != "" {
		t.Errorf("access log after a backup: %v; want one line: cli:<os user>/NIP-1987 backup", lines)
	}

	d := newCLI(t)
	d.env["DATABASE_URL"] = storetest.Empty(t)
	d.ok("restore", file)
	lines = accessLines(t, d)
	if len(lines) != 1 || lines[0]["what"] != store.AccessRestore || !strings.HasPrefix(lines[0]["who"], "cli:") ||
		strings.Contains(lines[0]["who"], "/") {
		t.Errorf("access log of the restored database: %v; want one line: cli:<os user> restore", lines)
	}
}

// In a unit's web group (here the practice desk's unit panes), opening a complaint's
// attachment or downloading its record is a line of the access log by "unit:<code>",
// with the complaint; the citizen opening their own file is not.
func TestAccessLogWebGroupDownloads(t *testing.T) {
	t.Parallel()
	d := newPageDesk(t, "2026-12-04 10:00")
	base := d.serve()
	ctx := t.Context()
	db, now := d.m.DB(), d.clock.Now()
	ref, err := db.SaveFile(ctx, web.Name, d.citizen, "up-1", "ktp.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0 foto KTP-el"), now)
	if err != nil {
		t.Fatal(err)
	}
	r := flowstest.Report()
	r.Contact.Channel, r.Contact.Chat = web.Name, d.citizen
	r.Attachment = []flows.Attachment{{Kind: "photo", Ref: ref, Name: "ktp.jpg", Size: 20}}
	k, err := db.File(ctx, d.m.Rules(), "ADU", r, now)
	if err != nil {
		t.Fatal(err)
	}
	ombudsman := ""
	for _, u := range d.Units() {
		if u.Kind == flows.Ombudsman {
			ombudsman = u.Code
		}
	}
	national := flowstest.Units()[0].Code
	files := flows.FileNotices(k)
	deliver := func(chat, unit string, n flows.Notice) string {
		t.Helper()
		rc, err := d.Channel().Deliver(ctx, flows.Envelope{Channel: web.Name, Chat: chat, Unit: unit, Lang: "id", Notice: n})
		if err != nil {
			t.Fatalf("deliver %s to %s: %v", n.Msg, chat, err)
		}
		return rc.Ref
	}
	deliver(web.GroupChat(national), national, files[0])
	deliver(d.citizen, "", files[0])
	line := deliver(web.GroupChat(ombudsman), ombudsman, flows.Notice{Msg: flows.MsgRecord, Complaint: k.ID, Tracking: k.Tracking, Report: k.Type, State: k.State})

	get := func(path string, q url.Values) {
		t.Helper()
		resp, err := http.Get(base + path + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("GET %s?%s: HTTP %d, %d bytes", path, q.Encode(), resp.StatusCode, len(body))
		}
	}
	get("/latihan/berkas", url.Values{"pane": {"warga"}, "ref": {ref}})
	if log, err := db.AccessLog(ctx, store.AccessFilter{}); err != nil || len(log) != 0 {
		t.Fatalf("the citizen opening their own file is logged: %+v (%v)", log, err)
	}
	get("/latihan/berkas", url.Values{"pane": {national}, "ref": {ref}})
	get("/latihan/dokumen", url.Values{"pane": {ombudsman}, "line": {line}})
	log, err := db.AccessLog(ctx, store.AccessFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Access{{Who: "unit:" + national, What: store.AccessWebFile, Tracking: k.Tracking},
		{Who: "unit:" + ombudsman, What: store.AccessWebDocument, Tracking: k.Tracking}}
	if len(log) != len(want) {
		t.Fatalf("access log: %+v; want %+v", log, want)
	}
	for i, a := range log {
		if a.Who != want[i].Who || a.What != want[i].What || a.Tracking != want[i].Tracking || a.Person == "" || !a.At.Equal(now) {
			t.Errorf("access %d: %+v; want %+v at %s, with the citizen's pseudonym", i, a, want[i], now)
		}
	}
}
