package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"aduan/flows"
	"aduan/store"
)

// requestsLimit is how long the law (UU 27/2022) gives to answer a data request.
const requestsLimit = 3 * 24 * time.Hour

// requestsArgs describes `aduan requests`.
const requestsArgs = "list [--since DATE] [--kind access|erasure] [--open] [--limit N] [--json] | deletions [--open] [--limit N]"

// runRequests is the `requests` command: list (every data request, here) and deletions
// (the deletion requests with the complaints they wait for, deletions.go).
func runRequests(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "deletions" {
		return runDeletionRequests(ctx, e, args)
	}
	fs := subcommand(e, "requests", "list [--since DATE] [--kind access|erasure] [--open] [--limit N] [--json]",
		"list: citizens' requests about their personal data, oldest first: when asked, when\n"+
			"answered, the kind (access: a copy, /datasaya; erasure: a deletion), the channel,\n"+
			"the citizen's pseudonym and what was done. An open request older than 3×24 hours,\n"+
			"the law's limit, is marked OVERDUE. No personal data is printed.")
	since := fs.String("since", "", "only requests made at or after this DATE or TIME")
	kind := fs.String("kind", "", "only requests of this kind: access or erasure")
	open := fs.Bool("open", false, "only requests not answered yet")
	limit := fs.Int("limit", 1000, "at most this many, the newest")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "list" {
		return usageError(fs, "want the subcommand list or deletions")
	}
	f := store.RequestFilter{Kind: flows.RequestKind(*kind), Open: *open, Limit: *limit}
	if f.Kind != flows.RequestNone && f.Kind != flows.RequestAccess && f.Kind != flows.RequestErasure {
		return usageError(fs, "unknown kind %q: want access or erasure", *kind)
	}
	if *since != "" {
		if f.Since, err = parseDay(*since, e.cfg.Zone); err != nil {
			return usageError(fs, "%v", err)
		}
	}
	db, err := openDB(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	rs, err := db.DataRequests(ctx, f)
	if err != nil {
		return err
	}
	now := e.clock.Now()
	type view struct {
		ID        int64  `json:"id"`
		Requested string `json:"requested"`
		Completed string `json:"completed,omitempty"`
		Overdue   bool   `json:"overdue,omitempty"`
		Kind      string `json:"kind"`
		Channel   string `json:"channel"`
		Person    string `json:"person"`
		Detail    string `json:"detail,omitempty"`
	}
	views := make([]view, 0, len(rs))
	for _, r := range rs {
		views = append(views, view{ID: r.ID, Requested: fmtTime(r.Requested, e.cfg.Zone), Completed: fmtTime(r.Completed, e.cfg.Zone),
			Overdue: r.Completed.IsZero() && now.Sub(r.Requested) > requestsLimit, Kind: string(r.Kind), Channel: r.Channel,
			Person: r.Person, Detail: r.Detail})
	}
	if *asJSON {
		return writeJSON(e, views)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tREQUESTED\tCOMPLETED\tKIND\tCHANNEL\tPERSON\tDETAIL")
	for _, v := range views {
		done := dash(v.Completed)
		if v.Overdue {
			done = "OVERDUE"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, v.Requested, done, v.Kind, v.Channel, v.Person, dash(v.Detail))
	}
	return w.Flush()
}
