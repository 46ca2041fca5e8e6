package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"aduan/store"
)

// auditAccessArgs and auditAccessHelp describe `aduan audit access`.
const (
	auditAccessArgs = "access [--complaint TRACKING] [--person PSEUDONYM|CHANNEL:CHAT] [--since DATE] [--limit N] [--json]"
	auditAccessHelp = "access: every view or export of personal data, oldest first: when, who (an operator\n" +
		"  at the command line \"cli:<os user>\", or \"cli:<os user>/<--as>\"; a unit's group\n" +
		"  \"unit:<code>\" that received a whole record or downloaded a document or file in\n" +
		"  the web chat; a citizen's own copy, by their pseudonym), what (complaints.show,\n" +
		"  backup, restore, record, web.document, web.file, data_copy), the complaint (none\n" +
		"  for backup and restore: every complaint) and the pseudonym of the citizen whose\n" +
		"  data it was. --person takes a pseudonym\n" +
		"  (complainant:…) or a conversation (telegram:555001, whatsapp:62…@s.whatsapp.net),\n" +
		"  whose pseudonym it looks for; --since a DATE (2026-12-01) or TIME."
)

// runAuditAccess lists the access log (`aduan audit access`).
func runAuditAccess(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "audit access", strings.TrimPrefix(auditAccessArgs, "access "), auditAccessHelp)
	tracking := fs.String("complaint", "", "only the accesses to this complaint (its tracking number)")
	person := fs.String("person", "", "only the accesses to this citizen's data: a pseudonym, or CHANNEL:CHAT")
	since := fs.String("since", "", "only the accesses at or after this DATE or TIME")
	limit := fs.Int("limit", 1000, "at most this many, the newest")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	var f store.AccessFilter
	f.Limit = *limit
	if *since != "" {
		t, err := parseDay(*since, e.cfg.Zone)
		if err != nil {
			return usageError(fs, "%v", err)
		}
		f.Since = t
	}
	db, err := openDB(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if *tracking != "" {
		c, err := db.ComplaintByTracking(ctx, *tracking)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no complaint has the tracking number %q", *tracking)
		}
		if err != nil {
			return err
		}
		f.Complaint = c.ID
	}
	if *person != "" {
		if f.Person, err = pseudonymOf(ctx, db, *person); err != nil {
			return usageError(fs, "%v", err)
		}
	}
	log, err := db.AccessLog(ctx, f)
	if err != nil {
		return err
	}
	type view struct {
		At        string `json:"at"`
		Who       string `json:"who"`
		What      string `json:"what"`
		Complaint string `json:"complaint,omitempty"`
		Person    string `json:"person,omitempty"`
	}
	views := make([]view, 0, len(log))
	for _, a := range log {
		views = append(views, view{At: fmtTime(a.At, e.cfg.Zone), Who: a.Who, What: a.What, Complaint: a.Tracking, Person: a.Person})
	}
	if *asJSON {
		return writeJSON(e, views)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "AT\tWHO\tWHAT\tCOMPLAINT\tPERSON")
	for _, v := range views {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", v.At, v.Who, v.What, dash(v.Complaint), dash(v.Person))
	}
	return w.Flush()
}

// pseudonymOf reads --person: a pseudonym as the logs hold it ("complainant:…",
// "member:…"), or a citizen's conversation as CHANNEL:CHAT, whose pseudonym it returns.
func pseudonymOf(ctx context.Context, db *store.DB, s string) (string, error) {
	prefix, rest, ok := strings.Cut(strings.TrimSpace(s), ":")
	switch {
	case !ok || rest == "":
		return "", fmt.Errorf("--person %q: want a pseudonym (complainant:…) or CHANNEL:CHAT (telegram:555001)", s)
	case prefix == "complainant" || prefix == "member":
		return s, nil
	}
	return db.ComplainantPseudonym(ctx, prefix, rest)
}

// parseDay reads a DATE (2026-12-01, the start of that day in loc) or a TIME.
func parseDay(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), loc); err == nil {
		return t, nil
	}
	return parseTime(s, loc)
}

// operator returns who the access log names for the person at the command line:
// "cli:<os user>", and with a name they give (--as, their staff ID say)
// "cli:<os user>/<name>". The OS user comes from the system (USER or LOGNAME when it
// cannot tell), "uid-<number>" when nothing names it.
func operator(e *env, as string) string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = e.getenv("USER")
	}
	if name == "" {
		name = e.getenv("LOGNAME")
	}
	if name == "" {
		name = "uid-" + strconv.Itoa(os.Getuid()) // a container's user without a name
	}
	who := "cli:" + name
	if as = strings.TrimSpace(as); as != "" {
		who += "/" + as
	}
	return who
}
