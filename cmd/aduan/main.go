// Command aduan is the complaint desk: `aduan serve` runs it, the other commands
// operate it (migrate, sweep, units, holidays, calendar, complaints, whatsapp). Run
// `aduan --help` for the list and the settings.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"aduan/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv, systemClock{}))
}

// systemClock is the desk's only real clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// env is everything a command gets from its surroundings, so tests can run commands
// in-process with their own output and clock.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	clock          interface{ Now() time.Time }
	cfg            config.Config
	log            *slog.Logger
}

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(ctx context.Context, e *env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"migrate", "", "apply the database migrations and add the built-in holidays", runMigrate},
		{"serve", "", "run the desk: scheduled checks, message delivery, /healthz, /readyz, /metrics, the web chat /lapor, /status, the practice desk /latihan", runServe},
		{"sweep", "[--at TIME] [--dry-run]", "run the scheduled checks once, as of TIME (default now)", runSweep},
		{"units", "apply FILE [--dry-run] | list", "update the routing tree from a YAML file (or show what would change), or print it", runUnits},
		{"holidays", "list | add DATE KIND NAME | remove DATE | import FILE", "show or change the days off of the working-day calendar", runHolidays},
		{"calendar", "due --from TIME --working-days N", "print the deadline N working days after TIME (RFC 3339)", runCalendar},
		{"complaints", "list [--state S] [--unit U] [--limit N] [--json] | show TRACKING [--as NAME] [--json]", "show complaints, their deadlines and audit trails", runComplaints},
		{"audit", auditArgs, "check the hash-chained audit trails (verify); list every view or export of personal data (access)", runAudit},
		{"requests", requestsArgs, "list citizens' requests about their personal data (copies, deletions)", runRequests},
		{"whatsapp", "link [--phone 62…] | status | unlink | resume", whatsAppHelp, runWhatsApp},
		{"backup", "FILE [--with-whatsapp] [--as NAME]", "write the database and the attachments to one file (WhatsApp's keys only with --with-whatsapp)", runBackup},
		{"restore", "FILE [--as NAME]", "restore a backup into an empty database, then check it", runRestore},
		{"config", "", "print the settings as a Markdown table", runConfig},
		{"version", "", "print the version, commit, build time and Go version (also --version)", runVersion},
		{"healthcheck", "[--url URL] [--database]", "exit 0 when the desk (or with --database, the database) answers", runHealthcheck},
	}
}

// errUsage is returned after a usage message was printed.
var errUsage = errors.New("usage")

// run executes the command line args and returns the exit code: 0 on success, 2 for a
// usage error, 1 for any other failure (printed on stderr).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, clock interface{ Now() time.Time }) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv, clock: clock}
	fs := flag.NewFlagSet("aduan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := config.Register(fs)
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {}
	if err := fs.Parse(hoistSettings(args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stderr, fs)
			return 0
		}
		fmt.Fprintln(stderr, "Run 'aduan --help' for usage.")
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, currentVersion())
		return 0
	}
	if fs.NArg() == 0 {
		usage(stderr, fs)
		return 2
	}
	cfg, err := config.Parse(fs, vals, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "aduan:", err)
		return 2
	}
	e.cfg = cfg
	e.log = newLogger(stderr, cfg)
	name, rest := fs.Arg(0), fs.Args()[1:]
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, rest)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.Is(err, flag.ErrHelp):
			return 0
		}
		if name == "serve" && cfg.LogFormat == "json" {
			// serve's stderr is its log: the reason it stopped is a log line too.
			e.log.Error("desk failed", "err", err)
			return 1
		}
		fmt.Fprintf(stderr, "aduan %s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stderr, "aduan: unknown command %q\nRun 'aduan --help' for usage.\n", name)
	return 2
}

// hoistSettings moves the settings' flags found after the command to the front, so
// that `aduan serve --listen :9090` means what `aduan --listen :9090 serve` does.
func hoistSettings(args []string) []string {
	isSetting := map[string]bool{}
	for _, s := range config.Settings {
		isSetting[s.Flag] = true
	}
	var settings, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || !isSetting[name] {
			rest = append(rest, a)
			continue
		}
		settings = append(settings, a)
		if !hasValue && i+1 < len(args) {
			settings = append(settings, args[i+1])
			i++
		}
	}
	return append(settings, rest...)
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Aduan — the SP4N LAPOR! complaint desk.\n\nUsage: aduan [settings] COMMAND [arguments]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %s %s\n        %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintf(w, "\nSettings (flags, or the environment variables named):\n")
	fs.PrintDefaults()
	fmt.Fprintf(w, "\nTIME is RFC 3339 (2026-11-30T10:00:00+07:00) or \"2006-01-02 15:04\" in the desk's zone.\n")
}

// flagSet is a subcommand's flags with its full usage, printed for --help; a mistake
// prints one line and a hint instead.
type flagSet struct {
	*flag.FlagSet
	usage func()
}

// subcommand returns a flag set for a command whose --help prints its own usage.
func subcommand(e *env, name, args, help string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("aduan "+name, flag.ContinueOnError)}
	fs.SetOutput(e.stderr)
	fs.usage = func() {
		fmt.Fprintf(e.stderr, "Usage: aduan [settings] %s %s\n\n%s\n", name, args, help)
		if hasFlags(fs.FlagSet) {
			fmt.Fprintf(e.stderr, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	fs.Usage = fs.usage
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// hint prints where the usage is.
func (fs *flagSet) hint() {
	fmt.Fprintf(fs.Output(), "Run '%s --help' for usage.\n", fs.Name())
}

// parseFlags parses args: -h or --help prints the usage and returns flag.ErrHelp; a flag
// error prints one line and a hint and returns errUsage.
func parseFlags(fs *flagSet, args []string) error {
	// The flag package's own message is the one line of a mistake; the hint follows.
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = fs.usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.usage()
			return err
		}
		fs.hint()
		return errUsage
	}
	return nil
}

// parseInterspersed parses args whose flags may come before, between or after the
// positional arguments, which it returns in order; everything after "--" is
// positional. -h or --help anywhere prints the usage and returns flag.ErrHelp; flag
// errors become errUsage.
func parseInterspersed(fs *flagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseArgs is parseInterspersed that also wants at least least and at most most
// positional arguments (most < 0: any number).
func parseArgs(fs *flagSet, args []string, least, most int) ([]string, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	switch {
	case len(pos) < least:
		return nil, usageError(fs, "missing arguments")
	case most == 0 && len(pos) > 0:
		return nil, usageError(fs, "no arguments expected, got %q", strings.Join(pos, " "))
	case most > 0 && len(pos) > most:
		return nil, usageError(fs, "too many arguments: %q", strings.Join(pos, " "))
	}
	return pos, nil
}

// usageError prints msg on one line and a hint where the usage is, and returns errUsage.
func usageError(fs *flagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.hint()
	return errUsage
}

func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parseTime reads TIME: RFC 3339, or "2006-01-02 15:04" (or with seconds) in loc.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2026-11-30T10:00:00+07:00) or \"2026-11-30 10:00\"", s)
}
