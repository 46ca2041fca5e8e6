package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"aduan/store/storetest"
)

// pgScript runs scripts/pg.sh with DATABASE_URL set to url; it never touches a local
// cluster then.
func pgScript(t *testing.T, url string) (code int, stdout, stderr string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("scripts/pg.sh needs bash")
	}
	cmd := exec.CommandContext(t.Context(), "bash", filepath.Join("..", "..", "scripts", "pg.sh"))
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "ADUAN_PG_STATE="+t.TempDir(), "ADUAN_PG_PORT=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, out.String(), errb.String()
}

// TestPgScriptKeepsTheOperatorsDatabase: a set DATABASE_URL is checked with the desk's
// own code, pgx settings and all, and is never replaced by another database.
func TestPgScriptKeepsTheOperatorsDatabase(t *testing.T) {
	t.Parallel()
	_, url := storetest.New(t)
	withPool := url + "&pool_max_conns=3&pool_max_conn_lifetime=1h"
	if !strings.Contains(url, "?") {
		withPool = url + "?pool_max_conns=3&pool_max_conn_lifetime=1h"
	}
	code, stdout, stderr := pgScript(t, withPool)
	if code != 0 || stdout != withPool+"\n" {
		t.Errorf("pg.sh with a DATABASE_URL carrying pgx settings: exit %d, stdout %q\nstderr: %s", code, stdout, stderr)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	code, stdout, stderr = pgScript(t, "postgres://aduan@"+addr+"/aduan?sslmode=disable")
	if code == 0 || stdout != "" || !strings.Contains(stderr, "does not answer") || !strings.Contains(stderr, "connection refused") {
		t.Errorf("pg.sh with a DATABASE_URL that does not answer: exit %d, stdout %q\nstderr: %s", code, stdout, stderr)
	}
}
