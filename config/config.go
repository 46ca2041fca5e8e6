// Package config reads the desk's settings — from flags, then environment variables,
// then defaults — into a Config value passed down to every component, and loads the
// routing tree from its YAML file. One table (Settings) defines every setting, so that
// --help, `aduan config` and the README's table cannot disagree.
package config

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"aduan/flows"
)

// Config is every setting of the desk.
type Config struct {
	DatabaseURL string
	Prefix      string // tracking-number prefix
	Zone        *time.Location
	Hours       flows.WeekHours
	Office      Office
	Policy      flows.Policy
	Listen      string // HTTP address for health checks (and webhooks)
	LogFormat   string // "json" or "text"
	LogLevel    string
	SweepEvery  time.Duration
	FilesDir    string // directory keeping attachments' bytes; empty: PostgreSQL
	Intake      flows.Intake
	Telegram    Telegram
	WhatsApp    WhatsApp
	Web         Web
	Practice    Practice
	Retention   Retention
}

// Web is whether serve offers the citizens' pages: the web chat (/lapor) and the
// status page (/status), and where citizens reach them.
type Web struct {
	Enabled bool
	// Chats, Messages and Codes limit, per address, the new web chats, the messages
	// and the access-code attempts (the web chat's and the status page's together).
	Chats, Messages, Codes Rate
	// PublicURL is the desk's address as citizens reach it (https://…, no trailing
	// slash), for links in messages; empty: messages give no link.
	PublicURL string
}

// Rate is a limit per address: Burst at once, then one more every Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// Practice is whether serve runs the practice desk (/latihan): "auto" runs it when no
// chat channel is configured, "on" beside real channels too, "off" never.
type Practice struct {
	Mode string
	// DatabaseURL is the practice desk's own database; empty: the real database's
	// server, its name with "_latihan" appended.
	DatabaseURL string
}

// Retention is how long the desk keeps personal data and the traces of conversations.
type Retention struct {
	After time.Duration // personal data of a complaint closed or archived this long ago is removed
	Keep  time.Duration // delivered messages, handled inbound, pending actions, idle sessions, dropped drafts' files
}

// Office is who runs the desk, as citizens are told.
type Office struct {
	Name    string // "Disdukcapil Kabupaten Kubu Raya"
	Contact string // a phone number, an e-mail or an address; may be empty
}

// Telegram is how to reach the Telegram Bot API; an empty Token disables the channel.
type Telegram struct {
	Token         string
	APIURL        string
	WebhookURL    string
	WebhookSecret string
}

// WhatsApp is whether serve runs the WhatsApp channel and how it paces its sends
// (WhatsApp bans numbers that write like bulk senders).
type WhatsApp struct {
	Enabled bool
	Gap     time.Duration // least time between any two sends
	Jitter  time.Duration // a random extra of up to this much on each Gap
	PerChat time.Duration // least time between two sends to one chat
	Daily   int           // most sends in any 24 hours
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
	{"office-hours", "ADUAN_OFFICE_HOURS", "mon-fri 07:30-16:00", "office hours per weekday; days not named are closed (citizens are told them too)", setHours},
	{"office-name", "ADUAN_OFFICE_NAME", "Disdukcapil Kabupaten Kubu Raya", "the office citizens are told runs the desk: the welcome, the help, the privacy notice (as the personal data controller)", setText(func(c *Config) *string { return &c.Office.Name }, 1, 100)},
	{"office-contact", "ADUAN_OFFICE_CONTACT", "", "how citizens reach the office (phone, e-mail, address), in the help and the privacy notice; empty: not shown", setText(func(c *Config) *string { return &c.Office.Contact }, 0, 200)},
	{"limit-route", "ADUAN_LIMIT_ROUTE", "3wd", "national admin's limit to route (wd working days, d days, wh working hours, h hours)", limit(func(p *flows.Policy) *flows.Span { return &p.Route })},
	{"limit-distribute", "ADUAN_LIMIT_DISTRIBUTE", "1wd", "regency admin's limit to distribute", limit(func(p *flows.Policy) *flows.Span { return &p.Distribute })},
	{"limit-answer", "ADUAN_LIMIT_ANSWER", "1wd", "agency's limit to answer, restarted by each complainant reply", limit(func(p *flows.Policy) *flows.Span { return &p.Answer })},
	{"limit-close", "ADUAN_LIMIT_CLOSE", "10d", "complainant's silence after an answer before the complaint closes", limit(func(p *flows.Policy) *flows.Span { return &p.CloseAfter })},
	{"limit-ombudsman", "ADUAN_LIMIT_OMBUDSMAN", "60d", "time on the government side without an answer before the Ombudsman takes over", limit(func(p *flows.Policy) *flows.Span { return &p.OmbudsmanAfter })},
	{"remind-before", "ADUAN_REMIND_BEFORE", "2wh", "how long before a deadline the responsible group is reminded", span(func(p *flows.Policy) *flows.Span { return &p.RemindBefore })},
	{"warn-before-close", "ADUAN_WARN_BEFORE_CLOSE", "2d", "how long before auto-closure the complainant is warned", span(func(p *flows.Policy) *flows.Span { return &p.WarnBefore })},
	{"digest-at", "ADUAN_DIGEST_AT", "08:00", "time of the daily digest to each group, on working days", setDigest},
	{"sweep-every", "ADUAN_SWEEP_EVERY", "1m", "how often serve runs the scheduled checks", func(c *Config, v string) error { return setDuration(&c.SweepEvery, v) }},
	{"categories", "ADUAN_CATEGORIES", strings.Join(flows.DefaultCategories, ","), "categories offered to citizens, comma-separated codes (labels: locales category.CODE)", setCategories},
	{"nik-categories", "ADUAN_NIK_CATEGORIES", strings.Join(flows.DefaultNIKCategories, ","), "categories whose complaints ask for the citizen's NIK (optional for them, never for anonim), comma-separated codes among --categories; none (or an empty flag): never asked. The default: the services done on the citizen's own population record (e-KTP, family card, moving, digital ID, data change); the desk collects the minimum (UU 27/2022)", setNIKCategories},
	{"max-attachment-mb", "ADUAN_MAX_ATTACHMENT_MB", "10", "largest photo or document kept from a citizen on any channel, in MB; a larger one is refused (at most 20, the most Telegram hands bots)", setMaxAttachment},
	{"files-dir", "ADUAN_FILES_DIR", "", "directory keeping the bytes of new attachments, one file per SHA-256 (every replica must see the same directory; back it up with aduan backup); empty: in PostgreSQL", func(c *Config, v string) error { c.FilesDir = v; return nil }},
	{"draft-remind-after", "ADUAN_DRAFT_REMIND_AFTER", "24h", "silence after which a citizen is reminded of an unfinished complaint", func(c *Config, v string) error { return setDuration(&c.Intake.RemindAfter, v) }},
	{"draft-expire-after", "ADUAN_DRAFT_EXPIRE_AFTER", "72h", "silence after which an unfinished complaint is dropped", func(c *Config, v string) error { return setDuration(&c.Intake.ExpireAfter, v) }},
	{"retention", "ADUAN_RETENTION", "730d", "how long after closure or archiving a complaint keeps its personal data, in days (Nd); then the sweep anonymises it", setDays(func(c *Config) *time.Duration { return &c.Retention.After })},
	{"keep-messages", "ADUAN_KEEP_MESSAGES", "30d", "how long delivered messages, handled incoming ones, pending actions and idle conversations are kept, in days (Nd)", setDays(func(c *Config) *time.Duration { return &c.Retention.Keep })},
	{"telegram-token", "TELEGRAM_BOT_TOKEN", "", "Telegram bot token from @BotFather; empty: no Telegram (never printed)", setToken},
	{"telegram-api-url", "TELEGRAM_API_URL", telegramAPI, "Telegram Bot API base URL (a self-hosted Bot API server, or a test server)", setURL(func(c *Config) *string { return &c.Telegram.APIURL })},
	{"telegram-webhook-url", "TELEGRAM_WEBHOOK_URL", "", "public HTTPS URL Telegram posts updates to (webhook mode); empty: long polling", setWebhookURL},
	{"telegram-webhook-secret", "TELEGRAM_WEBHOOK_SECRET", "", "secret Telegram sends with each webhook call (1–256 of A–Z a–z 0–9 _ -); required with a webhook URL", setSecret},
	{"whatsapp", "ADUAN_WHATSAPP", "off", "run WhatsApp in serve: on or off (1/0, true/false); link the number first with aduan whatsapp link", setWhatsApp},
	{"whatsapp-gap", "ADUAN_WHATSAPP_GAP", "3s", "least time between any two WhatsApp sends", func(c *Config, v string) error { return setDuration(&c.WhatsApp.Gap, v) }},
	{"whatsapp-jitter", "ADUAN_WHATSAPP_JITTER", "2s", "random extra of up to this much on each gap between WhatsApp sends (0s: none)", setJitter},
	{"whatsapp-chat-gap", "ADUAN_WHATSAPP_CHAT_GAP", "2s", "least time between two WhatsApp sends to one chat", func(c *Config, v string) error { return setDuration(&c.WhatsApp.PerChat, v) }},
	{"whatsapp-daily-cap", "ADUAN_WHATSAPP_DAILY_CAP", "1000", "most WhatsApp sends in any 24 hours; past it messages wait", setDailyCap},
	{"web", "ADUAN_WEB", "on", "serve the citizens' web chat (/lapor) and status page (/status): on or off", setWeb},
	{"public-url", "ADUAN_PUBLIC_URL", "", "the desk's address as citizens reach it (https://…), for links to the status page in messages; empty: no link", setURL(func(c *Config) *string { return &c.Web.PublicURL })},
	{"limit-web-chats", "ADUAN_LIMIT_WEB_CHATS", "5/10m", "new web chats per address: N at once, then one every DURATION (many phones of one mobile network may share an address)", rate(func(c *Config) *Rate { return &c.Web.Chats })},
	{"limit-web-messages", "ADUAN_LIMIT_WEB_MESSAGES", "30/2s", "web chat messages per address: N at once, then one every DURATION", rate(func(c *Config) *Rate { return &c.Web.Messages })},
	{"limit-access-codes", "ADUAN_LIMIT_ACCESS_CODES", "10/1m", "access-code attempts per address, on the status page and the web chat together: N at once, then one every DURATION", rate(func(c *Config) *Rate { return &c.Web.Codes })},
	{"practice", "ADUAN_PRACTICE", "auto", "the practice desk at /latihan: auto (on when no chat channel is configured), on (beside real channels too) or off", setPractice},
	{"practice-database-url", "ADUAN_PRACTICE_DATABASE_URL", "", "the practice desk's own PostgreSQL database, created and reset by the desk; empty: the real database's server, its name with _latihan appended (never printed)", func(c *Config, v string) error { c.Practice.DatabaseURL = v; return nil }},
	{"listen", "ADUAN_LISTEN", ":8080", "HTTP address of serve (GET /healthz, /readyz, /metrics, the webhook, the web chat, the status page and the practice desk)", func(c *Config, v string) error { c.Listen = v; return nil }},
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
	c := Config{Policy: flows.DefaultPolicy(), Intake: flows.DefaultIntake()}
	for _, s := range Settings {
		v := *vals[s.Flag]
		if e := env(s.Env); !given[s.Flag] && e != "" {
			v = e
		}
		v = strings.TrimSpace(v)
		if err := s.set(&c, v); err != nil {
			shown := v
			if s.Flag == "telegram-token" || s.Flag == "telegram-webhook-secret" || s.Flag == "database-url" || s.Flag == "practice-database-url" {
				shown = "…"
			}
			return Config{}, fmt.Errorf("--%s (%s) = %q: %w", s.Flag, s.Env, shown, err)
		}
	}
	switch {
	case c.Telegram.WebhookURL != "" && c.Telegram.WebhookSecret == "":
		return Config{}, fmt.Errorf("--telegram-webhook-url (TELEGRAM_WEBHOOK_URL) needs --telegram-webhook-secret (TELEGRAM_WEBHOOK_SECRET)")
	case c.Telegram.WebhookURL != "" && c.Telegram.Token == "":
		return Config{}, fmt.Errorf("--telegram-webhook-url (TELEGRAM_WEBHOOK_URL) needs --telegram-token (TELEGRAM_BOT_TOKEN)")
	case c.Intake.ExpireAfter <= c.Intake.RemindAfter:
		return Config{}, fmt.Errorf("--draft-expire-after (ADUAN_DRAFT_EXPIRE_AFTER) must be longer than --draft-remind-after (ADUAN_DRAFT_REMIND_AFTER)")
	case c.Retention.Keep <= c.Intake.ExpireAfter:
		return Config{}, fmt.Errorf("--keep-messages (ADUAN_KEEP_MESSAGES) must be longer than --draft-expire-after (ADUAN_DRAFT_EXPIRE_AFTER)")
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

// setText stores a single line of text of min to max characters.
func setText(field func(*Config) *string, min, max int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n := utf8.RuneCountInString(v)
		switch {
		case !utf8.ValidString(v) || strings.ContainsAny(v, "\r\n<>"):
			return fmt.Errorf("want one line of text without < or >")
		case n < min || n > max:
			return fmt.Errorf("want %d to %d characters", min, max)
		}
		*field(c) = v
		return nil
	}
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

// limit is span for a time limit, which must be longer than nothing: a limit of 0 would
// make every complaint due the moment it arrives.
func limit(field func(*flows.Policy) *flows.Span) func(*Config, string) error {
	set := span(field)
	return func(c *Config, v string) error {
		if err := set(c, v); err != nil {
			return err
		}
		if field(&c.Policy).N <= 0 {
			return fmt.Errorf("a limit of 0 would make every complaint overdue the moment it arrives: want at least 1, such as \"1wd\"")
		}
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

// setDays reads a number of days, "730d": at least 2 (a day's messages count against
// WhatsApp's daily cap), at most 36500.
func setDays(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		if err != nil || !strings.HasSuffix(v, "d") || n < 2 || n > 36500 {
			return fmt.Errorf("want a number of days from 2 to 36500, such as \"730d\"")
		}
		*field(c) = time.Duration(n) * 24 * time.Hour
		return nil
	}
}

func setWhatsApp(c *Config, v string) error {
	on, err := onOff(v)
	c.WhatsApp.Enabled = on
	return err
}

// onOff reads on or off (1/0, true/false, yes/no).
func onOff(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "1", "true", "yes":
		return true, nil
	case "off", "0", "false", "no", "":
		return false, nil
	}
	return false, fmt.Errorf("want on or off")
}

// rate reads a Rate written N/DURATION ("5/10m").
func rate(field func(*Config) *Rate) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, d, ok := strings.Cut(v, "/")
		burst, err := strconv.Atoi(n)
		every, err2 := time.ParseDuration(d)
		if !ok || err != nil || err2 != nil || burst < 1 || burst > 100000 || every < time.Millisecond {
			return fmt.Errorf("want N/DURATION: N (1 to 100000) at once, then one every DURATION, such as 5/10m")
		}
		*field(c) = Rate{Burst: burst, Every: every}
		return nil
	}
}

func setWeb(c *Config, v string) error {
	on, err := onOff(v)
	c.Web.Enabled = on
	return err
}

func setPractice(c *Config, v string) error {
	switch m := strings.ToLower(v); m {
	case "auto", "":
		c.Practice.Mode = "auto"
	case "on", "off":
		c.Practice.Mode = m
	default:
		on, err := onOff(m)
		if err != nil {
			return fmt.Errorf("want auto, on or off")
		}
		c.Practice.Mode = map[bool]string{true: "on", false: "off"}[on]
	}
	return nil
}

func setJitter(c *Config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration such as 2s, or 0s for none")
	}
	c.WhatsApp.Jitter = d
	return nil
}

func setDailyCap(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100000 {
		return fmt.Errorf("want a whole number of messages from 1 to 100000")
	}
	c.WhatsApp.Daily = n
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

var categoryCode = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,29}$`)

func setCategories(c *Config, v string) error {
	var cats []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if !categoryCode.MatchString(f) {
			return fmt.Errorf("%q is not a category code (lower-case letters, digits and '-', at most 30)", f)
		}
		if slices.Contains(cats, f) {
			return fmt.Errorf("category %q is listed twice", f)
		}
		cats = append(cats, f)
	}
	if len(cats) > 20 {
		return fmt.Errorf("at most 20 categories fit on a phone's screen")
	}
	c.Intake.Categories = cats
	return nil
}

// setNIKCategories reads the categories that ask for the NIK: each one of the
// categories offered (the setting before it), none twice; "none" or empty: none.
func setNIKCategories(c *Config, v string) error {
	var cats []string
	if v == "" || v == "none" {
		c.Intake.NIKCategories = nil
		return nil
	}
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		switch {
		case !categoryCode.MatchString(f):
			return fmt.Errorf("%q is not a category code (lower-case letters, digits and '-', at most 30)", f)
		case !slices.Contains(c.Intake.Categories, f):
			return fmt.Errorf("category %q is not offered: want codes of --categories (%s)", f, strings.Join(c.Intake.Categories, ","))
		case slices.Contains(cats, f):
			return fmt.Errorf("category %q is listed twice", f)
		}
		cats = append(cats, f)
	}
	c.Intake.NIKCategories = cats
	return nil
}

func setMaxAttachment(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 20 {
		return fmt.Errorf("want a whole number of megabytes from 1 to 20 (Telegram hands bots files of up to 20 MB)")
	}
	c.Intake.MaxFileBytes = int64(n) << 20
	return nil
}

var (
	tokenID     = regexp.MustCompile(`^[0-9]{3,20}$`)
	tokenSecret = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)
)

// setToken checks the token's shape as @BotFather gives it: the bot's number, a colon,
// and a secret of 20 to 80 letters, digits, _ and - (35 today). The error says what is
// wrong without showing any of the token.
func setToken(c *Config, v string) error {
	if v != "" {
		id, secret, ok := strings.Cut(v, ":")
		n := len([]rune(secret))
		switch {
		case !ok:
			return fmt.Errorf("not a bot token: it has no colon (a token is the bot's number, a colon and a secret, as @BotFather gives it)")
		case !tokenID.MatchString(id):
			return fmt.Errorf("not a bot token: the part before the colon must be the bot's number (3 to 20 digits)")
		case !tokenSecret.MatchString(secret):
			return fmt.Errorf("not a bot token: the part after the colon may hold only letters, digits, _ and - (a space or a quote pasted with it?)")
		case n < 20 || n > 80:
			return fmt.Errorf("not a bot token: the part after the colon has %d characters, a token's has 20 to 80 (35 as @BotFather gives it): copy the whole token", n)
		}
	}
	c.Telegram.Token = v
	return nil
}

func setURL(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			*field(c) = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("want an http(s) URL")
		}
		*field(c) = strings.TrimRight(v, "/")
		return nil
	}
}

// telegramAPI is the Bot API Telegram runs; any other TELEGRAM_API_URL is a self-hosted
// Bot API server (or a test server).
const telegramAPI = "https://api.telegram.org"

// setWebhookURL wants a URL with a host. Telegram's own Bot API posts only over https
// to port 443, 80, 88 or 8443; a self-hosted Bot API server (TELEGRAM_API_URL) also
// posts over http and to any port. The setting after the API URL in Settings, it
// sees that one already parsed.
func setWebhookURL(c *Config, v string) error {
	if v == "" {
		c.Telegram.WebhookURL = ""
		return nil
	}
	u, err := url.Parse(v)
	own := c.Telegram.APIURL == telegramAPI
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("want an https:// URL such as https://pengaduan.example.go.id/telegram")
	case own && u.Scheme != "https":
		return fmt.Errorf("Telegram posts webhooks only over HTTPS: want an https:// URL (put the desk behind a TLS proxy), not %s:// (only a self-hosted Bot API server, set in TELEGRAM_API_URL, posts over http)", u.Scheme)
	case own && u.Port() != "" && !slices.Contains([]string{"443", "80", "88", "8443"}, u.Port()):
		return fmt.Errorf("Telegram posts webhooks only to ports 443, 80, 88 and 8443, not %s", u.Port())
	}
	c.Telegram.WebhookURL = strings.TrimRight(v, "/")
	return nil
}

var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func setSecret(c *Config, v string) error {
	if v != "" && !secretPattern.MatchString(v) {
		return fmt.Errorf("want 1 to 256 of A–Z, a–z, 0–9, _ and -")
	}
	c.Telegram.WebhookSecret = v
	return nil
}
