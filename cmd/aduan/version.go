package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// Stamped at build time with -ldflags "-X main.version=… -X main.commit=… -X main.buildTime=…"
// (the Dockerfile and scripts/run.sh do); empty ones come from the build information Go
// records (module version, VCS revision).
var version, commit, buildTime string

// buildVersion is what `aduan version` prints and the desk logs at start.
type buildVersion struct {
	Version, Commit, Built, Go string
	Modified                   bool // built from a work tree with uncommitted changes
}

// currentVersion returns the program's version: the stamped values where set, the
// build information otherwise, "unknown" where neither says.
func currentVersion() buildVersion {
	v := buildVersion{Version: version, Commit: commit, Built: buildTime}
	if info, ok := debug.ReadBuildInfo(); ok {
		v.Go = info.GoVersion
		if v.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if v.Commit == "" {
					v.Commit = s.Value
				}
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if v.Version == "" {
		v.Version = "devel"
	}
	if v.Commit == "" {
		v.Commit = "unknown"
	} else if v.Modified && !strings.HasSuffix(v.Commit, "-dirty") {
		v.Commit += "-dirty"
	}
	if v.Built == "" {
		v.Built = "unknown"
	}
	return v
}

// String is the one-line form: "aduan v1.2.0 (commit 1a2b3c, built 2026-12-01T10:00:00Z, go1.26.8)".
func (v buildVersion) String() string {
	return fmt.Sprintf("aduan %s (commit %s, built %s, %s)", v.Version, v.Commit, v.Built, v.Go)
}

// short is the value of /healthz's Aduan-Version header: "v1.2.0 1a2b3c".
func (v buildVersion) short() string { return v.Version + " " + v.Commit }

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "version", "", "Print the program's version, the commit it was built from, when it was built and\nthe Go version (also: aduan --version).")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, currentVersion())
	return nil
}

func runHealthcheck(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "healthcheck", "[--url URL] [--database] [--timeout D]",
		"Exit 0 when the desk answers GET /healthz (at --listen, on 127.0.0.1 when it names\n"+
			"no address; or at --url),\n"+
			"1 otherwise: a container health check that needs no shell or curl. With\n"+
			"--database it checks instead that DATABASE_URL answers.")
	target := fs.String("url", "", "the health URL (default http://HOST:PORT/healthz from --listen, HOST 127.0.0.1 when it names none)")
	database := fs.Bool("database", false, "check the database at DATABASE_URL instead of the desk")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if *database {
		db, err := openDB(ctx, e, false)
		if err != nil {
			return err
		}
		db.Close()
		fmt.Fprintln(e.stdout, "database answers")
		return nil
	}
	u := *target
	if u == "" {
		host, port, err := net.SplitHostPort(e.cfg.Listen)
		if err != nil {
			return fmt.Errorf("--listen %q has no port: %w", e.cfg.Listen, err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1" // serve listens on every address: ask the loopback one
		}
		u = "http://" + net.JoinHostPort(host, port) + "/healthz"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(e.stdout, "ok %s\n", strings.TrimSpace(resp.Header.Get(versionHeader)))
	return nil
}

// versionHeader is the response header of /healthz that names the running version.
const versionHeader = "Aduan-Version"
