// Package config reads the desk's settings — from flags, then environment variables,
// then defaults — into a Config value passed down to every component, and loads the
// routing tree from its YAML file. One table (Settings) defines every setting, so that
// --help, `aduan config` and the README's table cannot disagree.
package config

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"aduan/flows"
)

// Config is every setting of the desk.
type Config struct {
	DatabaseURL string
	Prefix      string // tracking-number prefix
	Zone        *time.Location
	Hours       flows.WeekHours
	Policy      flows.Policy
	Listen      string // HTTP address for health checks (and webhooks)
	LogFormat   string // "json" or "text"
	LogLevel    string
	SweepEvery  time.Duration
}

// Setting is one configurable value: its flag, its environment variable, its default
// and how it is stored into a Config.
type Setting struct {
	Flag    string
	Env     string
	Default string
	Help    string
	set     func(*Config, string) error
}

// Settings lists every setting in the order --help and the README show them.
var Settings = []Setting{
	{"database-url", "DATABASE_URL", "", "PostgreSQL URL; every command but config needs it (calendar due uses the built-in calendar without it)", func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{"tracking-prefix", "ADUAN_TRACKING_PREFIX", "ADU", "prefix of tracking numbers PREFIX-YYMMDD-XXXX (2–6 capital letters)", setPrefix},
	{"time-zone", "ADUAN_TIME_ZONE", "Asia/Pontianak", "zone of working days, deadlines and messages", setZone},
	{"office-hours", "ADUAN_OFFICE_HOURS", "mon-fri 07:30-16:00", "office hours per weekday; days not named are closed", setHours},
	{"limit-route", "ADUAN_LIMIT_ROUTE", "3wd", "national admin's limit to route (wd working days, d days, wh working hours, h hours)", span(func(p *flows.Policy) *flows.Span { return &p.Route })},
	{"limit-distribute", "ADUAN_LIMIT_DISTRIBUTE", "1wd", "regency admin's limit to distribute", span(func(p *flows.Policy) *flows.Span { return &p.Distribute })},
	{"limit-answer", "ADUAN_LIMIT_ANSWER", "1wd", "agency's limit to answer, restarted by each complainant reply", span(func(p *flows.Policy) *flows.Span { return &p.Answer })},
	{"limit-close", "ADUAN_LIMIT_CLOSE", "10d", "complainant's silence after an answer before the complaint closes", span(func(p *flows.Policy) *flows.Span { return &p.CloseAfter })},
	{"limit-ombudsman", "ADUAN_LIMIT_OMBUDSMAN", "60d", "time on the government side without an answer before the Ombudsman takes over", span(func(p *flows.Policy) *flows.Span { return &p.OmbudsmanAfter })},
	{"remind-before", "ADUAN_REMIND_BEFORE", "2wh", "how long before a deadline the responsible group is reminded", span(func(p *flows.Policy) *flows.Span { return &p.RemindBefore })},
	{"warn-before-close", "ADUAN_WARN_BEFORE_CLOSE", "2d", "how long before auto-closure the complainant is warned", span(func(p *flows.Policy) *flows.Span { return &p.WarnBefore })},
	{"digest-at", "ADUAN_DIGEST_AT", "08:00", "time of the daily digest to each group, on working days", setDigest},
	{"sweep-every", "ADUAN_SWEEP_EVERY", "1m", "how often serve runs the scheduled checks", func(c *Config, v string) error { return setDuration(&c.SweepEvery, v) }},
	{"listen", "ADUAN_LISTEN", ":8080", "HTTP address of serve (GET /healthz)", func(c *Config, v string) error { c.Listen = v; return nil }},
	{"log-format", "ADUAN_LOG_FORMAT", "text", "log format: text or json", setLogFormat},
	{"log-level", "ADUAN_LOG_LEVEL", "info", "log level: debug, info, warn or error", setLogLevel},
}

// Register adds every setting to fs as a string flag with the setting's default. Call
// Parse after fs.Parse.
func Register(fs *flag.FlagSet) map[string]*string {
	vals := make(map[string]*string, len(Settings))
	for _, s := range Settings {
		vals[s.Flag] = fs.String(s.Flag, s.Default, fmt.Sprintf("%s (env %s)", s.Help, s.Env))
	}
	return vals
}

// Parse turns the settings into a Config: a flag given on the command line wins, then
// the environment variable when set (read with env), then the default. It returns an
// error naming the flag, its environment variable and what is wrong.
func Parse(fs *flag.FlagSet, vals map[string]*string, env func(string) string) (Config, error) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	c := Config{Policy: flows.DefaultPolicy()}
	for _, s := range Settings {
		v := *vals[s.Flag]
		if e := env(s.Env); !given[s.Flag] && e != "" {
			v = e
		}
		v = strings.TrimSpace(v)
		if err := s.set(&c, v); err != nil {
			return Config{}, fmt.Errorf("--%s (%s) = %q: %w", s.Flag, s.Env, v, err)
		}
	}
	return c, nil
}

// Defaults returns the configuration with every default and no environment.
func Defaults() Config {
	fs := flag.NewFlagSet("defaults", flag.ContinueOnError)
	c, err := Parse(fs, Register(fs), func(string) string { return "" })
	if err != nil {
		panic(err) // the defaults are constants; a test parses them
	}
	return c
}

// WriteTable writes the settings as the Markdown table the README carries.
func WriteTable(w io.Writer) {
	fmt.Fprintln(w, "| flag | environment | default | meaning |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, s := range Settings {
		def := "`" + s.Default + "`"
		if s.Default == "" {
			def = "–"
		}
		fmt.Fprintf(w, "| `--%s` | `%s` | %s | %s |\n", s.Flag, s.Env, def, s.Help)
	}
}

// RequireDatabase returns an error when no database URL is configured.
func (c Config) RequireDatabase() error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("no database: set DATABASE_URL or --database-url (scripts/run.sh starts a local PostgreSQL)")
	}
	return nil
}

func setPrefix(c *Config, v string) error {
	if len(v) < 2 || len(v) > 6 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return fmt.Errorf("want 2 to 6 capital letters A–Z")
	}
	c.Prefix = v
	return nil
}

func setZone(c *Config, v string) error {
	loc, err := time.LoadLocation(v)
	if err != nil {
		return fmt.Errorf("unknown time zone (want an IANA name such as Asia/Pontianak)")
	}
	c.Zone = loc
	return nil
}

func setHours(c *Config, v string) error {
	h, err := flows.ParseWeekHours(v)
	if err != nil {
		return err
	}
	c.Hours = h
	return nil
}

func span(field func(*flows.Policy) *flows.Span) func(*Config, string) error {
	return func(c *Config, v string) error {
		s, err := flows.ParseSpan(v)
		if err != nil {
			return err
		}
		*field(&c.Policy) = s
		return nil
	}
}

func setDigest(c *Config, v string) error {
	t, err := time.Parse("15:04", v)
	if err != nil {
		return fmt.Errorf("want a time of day HH:MM")
	}
	c.Policy.DigestAt = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	return nil
}

func setDuration(d *time.Duration, v string) error {
	p, err := time.ParseDuration(v)
	if err != nil || p < time.Second {
		return fmt.Errorf("want a duration of at least 1s, such as 30s or 1m")
	}
	*d = p
	return nil
}

func setLogFormat(c *Config, v string) error {
	if v != "text" && v != "json" {
		return fmt.Errorf("want text or json")
	}
	c.LogFormat = v
	return nil
}

func setLogLevel(c *Config, v string) error {
	switch v {
	case "debug", "info", "warn", "error":
		c.LogLevel = v
		return nil
	}
	return fmt.Errorf("want debug, info, warn or error")
}
