package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"aduan/bot/telegram"
	"aduan/config"
	"aduan/flows"
	"aduan/store"
)

// openDB opens the configured database and, unless migrating, checks its schema.
func openDB(ctx context.Context, e *env, checkSchema bool) (*store.DB, error) {
	if err := e.cfg.RequireDatabase(); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, e.cfg.DatabaseURL, store.WithLog(e.log), store.WithFilesDir(e.cfg.FilesDir))
	if err != nil {
		return nil, err
	}
	if checkSchema {
		if err := db.CheckSchema(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

func rulesOf(ctx context.Context, e *env, db *store.DB) (*flows.Rules, error) {
	return db.Rules(ctx, e.cfg.Policy, e.cfg.Zone, e.cfg.Hours)
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "migrate", "", "Apply the database migrations, create or upgrade WhatsApp's tables (whatsmeow's,\nwhich hold the linked number's keys), and add the built-in holidays the database\nlacks. Replicas may run it at once: each step takes a lock.")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	db, err := openDB(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if err := migrateWhatsApp(ctx, e, db); err != nil {
		return err
	}
	added, err := db.SeedHolidays(ctx, flows.BuiltinHolidays(), e.clock.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "migrations applied: %d; built-in holidays added: %d\n", len(applied), added)
	return nil
}

func runSweep(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "sweep", "[--at TIME] [--dry-run]", "Run the scheduled checks once — reminders, overdue notices, closure warnings,\nauto-closure, hand-over to the Ombudsman, daily digests, reminders and removal of\nunfinished complaints, then the retention sweep (personal data of complaints closed\nlonger than --retention ago, deletion requests, anonim chats, and the traces older\nthan --keep-messages) — as of TIME. With --dry-run nothing is written: it previews\nwhat is coming for complaints (the first 500 due; unfinished ones and retention are\nnot previewed). A TIME in the future needs --dry-run.")
	at := fs.String("at", "", "the time to sweep as of (default now)")
	dry := fs.Bool("dry-run", false, "show what would happen; change nothing")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	now := e.clock.Now()
	if *at != "" {
		t, err := parseTime(*at, e.cfg.Zone)
		if err != nil {
			return usageError(fs, "%v", err)
		}
		if t.After(now.Add(time.Minute)) && !*dry {
			return usageError(fs, "%s is in the future: the checks would close and hand over complaints early; add --dry-run to preview", *at)
		}
		now = t
	}
	db, err := openDB(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	rules, err := rulesOf(ctx, e, db)
	if err != nil {
		return err
	}
	rep, err := db.Sweep(ctx, rules, now, store.SweepOptions{DryRun: *dry})
	if err != nil {
		return err
	}
	verb := "done"
	if *dry {
		verb = "would be done (dry run)"
	}
	fmt.Fprintf(e.stdout, "sweep as of %s: %d steps, %d digests %s\n", now.In(e.cfg.Zone).Format(time.RFC3339), len(rep.Changes), len(rep.Digests), verb)
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, ch := range rep.Changes {
		c := ch.Complaint
		fmt.Fprintf(w, "%s\t%s\t%s → %s\t%s\t%d messages\n", c.Tracking, ch.Audit.Kind, ch.Audit.FromState, ch.Audit.ToState, c.Unit, len(ch.Notices))
	}
	for _, d := range rep.Digests {
		fmt.Fprintf(w, "digest\t%s\topen %d, due today %d, overdue %d\n", d.Unit, d.Open, d.DueToday, d.Overdue)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// Unfinished complaints are reminded and dropped as serve's sweep does them.
	if *dry {
		return nil
	}
	n, err := db.SweepSessions(ctx, &e.cfg.Intake, now)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(e.stdout, "unfinished complaints reminded or dropped: %d\n", n)
	}
	return printRetention(ctx, e, db, now)
}

func runUnits(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "units", "apply FILE [--dry-run] | list",
		"apply FILE: make the routing tree equal to the YAML file (see config/units.example.yaml);\n"+
			"  units missing from it are retired, never deleted. With --dry-run it prints what\n"+
			"  would be added, updated, restored and retired, and changes nothing.\n"+
			"list: print the tree.")
	dry := fs.Bool("dry-run", false, "apply: show what would change; change nothing")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 2 && pos[0] == "apply":
		file, err := config.ReadUnits(pos[1], chatChecks())
		if err != nil {
			return err
		}
		dir := file.Dir
		db, err := openDB(ctx, e, true)
		if err != nil {
			return err
		}
		defer db.Close()
		changes, err := db.ApplyUnitsWith(ctx, dir, e.clock.Now(), store.UnitsOptions{DryRun: *dry, Example: file.Example})
		if errors.Is(err, store.ErrExampleUnits) {
			return fmt.Errorf("%s is an example (example: true, placeholder chat IDs) and is not applied over the units already stored: apply your own units file, without the example line: %w", pos[1], err)
		}
		if err != nil {
			return err
		}
		for _, c := range changes {
			fmt.Fprintf(e.stdout, "%s\t%s\n", c.Change, c.Code)
		}
		verb := "changed"
		if *dry {
			verb = "would change (dry run: nothing applied)"
		}
		fmt.Fprintf(e.stdout, "%d units, %d %s\n", len(dir.Units()), len(changes), verb)
		for _, u := range dir.Units() {
			if len(u.Chats) == 0 {
				fmt.Fprintf(e.stderr, "warning: unit %s has no group chat: it will not be told anything\n", u.Code)
			}
		}
		return nil
	case len(pos) == 1 && pos[0] == "list":
		db, err := openDB(ctx, e, true)
		if err != nil {
			return err
		}
		defer db.Close()
		dir, err := db.Units(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CODE\tKIND\tPARENT\tTELEGRAM\tWHATSAPP\tNAME")
		for _, u := range dir.Units() {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Code, u.Kind, dash(u.Parent),
				dash(strings.Join(u.ChatsOn(telegram.Name), ",")), dash(strings.Join(u.ChatsOn(store.WhatsApp), ",")), u.Name)
		}
		return w.Flush()
	}
	return usageError(fs, "want `apply FILE` or `list`")
}

func runHolidays(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "holidays", "list | add DATE KIND NAME | remove DATE | import FILE",
		"list: every day off (TSV: date, kind, name, provisional, source), removed ones marked.\n"+
			"add DATE KIND NAME: add or replace a day off; KIND is LN (national holiday),\n"+
			"  CB (cuti bersama) or closure (an office closure).\n"+
			"remove DATE: make a day a working day again.\n"+
			"import FILE: add or replace every day of a TSV file in the list format.\n"+
			"Open deadlines keep the dates they were given; new ones follow the change.")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError(fs, "want list, add, remove or import")
	}
	now := e.clock.Now()
	open := func() (*store.DB, error) { return openDB(ctx, e, true) }
	switch sub := pos[0]; {
	case sub == "list" && len(pos) == 1:
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		hs, err := db.Holidays(ctx)
		if err != nil {
			return err
		}
		var active, removed []flows.Holiday
		for _, h := range hs {
			if h.Removed {
				removed = append(removed, h.Holiday)
			} else {
				active = append(active, h.Holiday)
			}
		}
		if err := flows.WriteHolidays(e.stdout, active); err != nil {
			return err
		}
		for _, h := range removed {
			fmt.Fprintf(e.stdout, "# removed by an operator: %s\t%s\t%s\n", h.Date, h.Kind, h.Name)
		}
		return nil
	case sub == "add" && len(pos) == 4:
		day, err := flows.ParseDate(pos[1])
		if err != nil {
			return usageError(fs, "%v", err)
		}
		h := flows.Holiday{Date: day, Kind: flows.HolidayKind(pos[2]), Name: pos[3], Source: "operator"}
		// Round-trip through the file format so that the same checks apply.
		var b strings.Builder
		if err := flows.WriteHolidays(&b, []flows.Holiday{h}); err != nil {
			return usageError(fs, "%v", err)
		}
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.PutHolidays(ctx, []flows.Holiday{h}, now); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s %s %s\n", day, h.Kind, h.Name)
		return nil
	case sub == "remove" && len(pos) == 2:
		day, err := flows.ParseDate(pos[1])
		if err != nil {
			return usageError(fs, "%v", err)
		}
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.RemoveHoliday(ctx, day, now); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%s is not a day off", day)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s: it is a working day again (if a weekday)\n", day)
		return nil
	case sub == "import" && len(pos) == 2:
		f, err := os.Open(pos[1])
		if err != nil {
			return err
		}
		defer f.Close()
		hs, err := flows.ParseHolidays(pos[1], f)
		if err != nil {
			return err
		}
		db, err := open()
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.PutHolidays(ctx, hs, now); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "imported %d days off\n", len(hs))
		return nil
	}
	return usageError(fs, "unknown subcommand or wrong number of arguments: %q", strings.Join(pos, " "))
}

func runCalendar(ctx context.Context, e *env, args []string) error {
	const help = "due: print the instant N working days after TIME, in RFC 3339. It uses the\n" +
		"database's calendar (with operators' changes) when DATABASE_URL is set, and the\n" +
		"built-in calendar otherwise."
	fs := subcommand(e, "calendar", "due --from TIME --working-days N", help)
	from := fs.String("from", "", "the start TIME (required)")
	n := fs.Int("working-days", -1, "the number of working days N (required, 0 or more)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "due" {
		return usageError(fs, "want the subcommand due")
	}
	if *from == "" || *n < 0 {
		return usageError(fs, "want --from TIME and --working-days N (N ≥ 0)")
	}
	t, err := parseTime(*from, e.cfg.Zone)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	cal := flows.NewCalendar(e.cfg.Zone, e.cfg.Hours, flows.BuiltinHolidays())
	if e.cfg.DatabaseURL != "" {
		db, err := openDB(ctx, e, true)
		if err != nil {
			return err
		}
		defer db.Close()
		if cal, err = db.Calendar(ctx, e.cfg.Zone, e.cfg.Hours); err != nil {
			return err
		}
	}
	fmt.Fprintln(e.stdout, cal.AddWorkingDays(t, *n).Format(time.RFC3339))
	return nil
}

func runComplaints(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "complaints", "list [--state S] [--unit U] [--limit N] [--json] | show TRACKING [--as NAME] [--nik] [--json]",
		"list: tracking number, state, unit, deadline and times of the newest complaints.\n"+
			"show: one complaint with its audit trail. No personal data is printed but the NIK,\n"+
			"  masked (6112••••••••••01; whole with --nik); each show is recorded in the access log\n"+
			"  as cli:<os user> (with --as, cli:<os user>/NAME), a --nik one as such, see\n"+
			"  `aduan audit access`.")
	as := fs.String("as", "", "show: the name the access log records beside the OS user (a staff ID)")
	wholeNIK := fs.Bool("nik", false, "show: print the complainant's whole NIK, to trace the population record (recorded in the access log as complaints.show.nik)")
	state := fs.String("state", "", "only complaints in this state")
	unit := fs.String("unit", "", "only complaints with this unit")
	limit := fs.Int("limit", 100, "at most this many")
	asJSON := fs.Bool("json", false, "print JSON")
	// Flags may follow the arguments: `show TRACKING --json`.
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError(fs, "want list or show")
	}
	sub, rest := pos[0], pos[1:]
	if !(sub == "list" && len(rest) == 0) && !(sub == "show" && len(rest) == 1) {
		return usageError(fs, "want `list` or `show TRACKING`")
	}
	if *state != "" && !flows.State(*state).Valid() {
		return usageError(fs, "unknown state %q: want one of %s", *state, strings.Join(stateNames(), ", "))
	}
	db, err := openDB(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if *unit != "" {
		codes, err := db.UnitCodes(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(codes, *unit) {
			return usageError(fs, "unknown unit %q: want one of %s", *unit, strings.Join(codes, ", "))
		}
	}
	switch sub {
	case "list":
		cs, err := db.List(ctx, store.Filter{State: flows.State(*state), Unit: *unit, Limit: *limit})
		if err != nil {
			return err
		}
		views := make([]complaintView, len(cs))
		for i, c := range cs {
			views[i] = viewOf(c, e.cfg.Zone)
		}
		if *asJSON {
			return writeJSON(e, views)
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "TRACKING\tSTATE\tUNIT\tDUE\tFILED\tUPDATED")
		for _, v := range views {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", v.Tracking, v.State, v.Unit, dash(v.Due), v.Filed, v.Updated)
		}
		return w.Flush()
	case "show":
		c, err := db.ComplaintByTracking(ctx, rest[0])
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no complaint has the tracking number %q", rest[0])
		}
		if err != nil {
			return err
		}
		audit, err := db.Audit(ctx, c.ID)
		if err != nil {
			return err
		}
		what := store.AccessComplaintShow
		if *wholeNIK {
			what = store.AccessComplaintNIK
		}
		if err := db.LogAccess(ctx, operator(e, *as), what, c.ID, e.clock.Now()); err != nil {
			return err
		}
		v := viewOf(c, e.cfg.Zone)
		switch {
		case c.Contact.NIK == "":
		case *wholeNIK:
			v.NIK = string(c.Contact.NIK)
		default:
			v.NIK = c.Contact.NIK.Masked()
		}
		for _, a := range audit {
			ref := a.Actor.Ref
			if a.Actor.Kind == flows.ByComplainant {
				ref = "" // the complainant's conversation: a WhatsApp one is their phone number
			}
			v.Audit = append(v.Audit, auditView{
				At: fmtTime(a.At, e.cfg.Zone), Event: string(a.Kind), ActorKind: string(a.Actor.Kind), ActorUnit: a.Actor.Unit,
				ActorRef: ref, From: string(a.FromState), To: string(a.ToState), UnitBefore: a.UnitBefore,
				UnitAfter: a.UnitAfter, TextChars: len([]rune(a.Text)),
			})
		}
		if *asJSON {
			return writeJSON(e, v)
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "tracking\t%s\nstate\t%s\nunit\t%s\nteam\t%s\ntype\t%s\nprivacy\t%s\ncategory\t%s\n", v.Tracking, v.State, v.Unit, dash(v.Team), v.Type, v.Privacy, dash(v.Category))
		fmt.Fprintf(w, "NIK\t%s\n", dash(v.NIK))
		fmt.Fprintf(w, "due\t%s %s\nfiled\t%s\nupdated\t%s\nclosed\t%s\nLAPOR! ID\t%s\nrating\t%s\n", dash(v.Due), v.DueKind, v.Filed, v.Updated, dash(v.Closed), dash(v.LaporID), dash(strconv.Itoa(v.Rating)))
		fmt.Fprintln(w, "\nAUDIT TRAIL\tEVENT\tBY\tSTATE\tUNIT\tTEXT")
		for _, a := range v.Audit {
			by := a.ActorKind
			if a.ActorUnit != "" {
				by += ":" + a.ActorUnit
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s → %s\t%s → %s\t%d chars\n", a.At, a.Event, by, dash(a.From), a.To, dash(a.UnitBefore), a.UnitAfter, a.TextChars)
		}
		return w.Flush()
	}
	return nil
}

// complaintView is what the CLI prints of a complaint: no personal data, no bodies;
// show gives the NIK, masked unless asked for whole.
type complaintView struct {
	Tracking string      `json:"tracking"`
	State    string      `json:"state"`
	Unit     string      `json:"unit"`
	Team     string      `json:"team,omitempty"`
	Type     string      `json:"type"`
	Privacy  string      `json:"privacy"`
	Category string      `json:"category,omitempty"`
	Due      string      `json:"due,omitempty"`
	DueKind  string      `json:"due_kind,omitempty"`
	Filed    string      `json:"filed"`
	Updated  string      `json:"updated"`
	Closed   string      `json:"closed,omitempty"`
	LaporID  string      `json:"lapor_id,omitempty"`
	Rating   int         `json:"rating,omitempty"`
	NIK      string      `json:"nik,omitempty"`
	Audit    []auditView `json:"audit,omitempty"`
}

type auditView struct {
	At         string `json:"at"`
	Event      string `json:"event"`
	ActorKind  string `json:"actor_kind"`
	ActorUnit  string `json:"actor_unit,omitempty"`
	ActorRef   string `json:"actor_ref,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to"`
	UnitBefore string `json:"unit_before,omitempty"`
	UnitAfter  string `json:"unit_after"`
	TextChars  int    `json:"text_chars"`
}

func viewOf(c flows.Complaint, loc *time.Location) complaintView {
	return complaintView{
		Tracking: c.Tracking, State: string(c.State), Unit: c.Unit, Team: c.Team, Type: string(c.Type),
		Privacy: string(c.Privacy), Category: c.Category, Due: fmtTime(c.Due, loc), DueKind: string(c.DueKind),
		Filed: fmtTime(c.FiledAt, loc), Updated: fmtTime(c.Updated, loc), Closed: fmtTime(c.ClosedAt, loc),
		LaporID: c.LaporID, Rating: c.Rating,
	}
}

func fmtTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func dash(s string) string {
	if s == "" || s == "0" {
		return "–"
	}
	return s
}

// stateNames lists every state's canonical name, in the lifecycle's order.
func stateNames() []string {
	var names []string
	for _, s := range flows.States {
		names = append(names, string(s))
	}
	return names
}

func runConfig(ctx context.Context, e *env, args []string) error {
	fs := subcommand(e, "config", "", "Print every setting — flag, environment variable, default, meaning — as the\nMarkdown table of the README.")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	config.WriteTable(e.stdout)
	return nil
}
