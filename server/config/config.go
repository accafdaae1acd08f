// Package config owns the settings of `ttx serve`: one typed struct whose
// defaults live in a single literal, filled from command-line flags and TTX_*
// environment variables (flags win), and validated once, reporting every
// problem together.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is everything `ttx serve` can be told.
type Config struct {
	// Addr is the listen address. The default is loopback on purpose: an
	// exercise server on plain HTTP carries session cookies and participant
	// tokens in clear, so exposing it to a network is a decision the operator
	// makes explicitly (":8080" for a classroom LAN, or behind a TLS proxy).
	Addr string
	// DB is the SQLite database file, or a PostgreSQL database's
	// postgres:// (postgresql://) URL.
	DB string
	// Scenarios is a directory of shipped scenarios; empty means the ones
	// embedded in the binary.
	Scenarios string
	// BaseURL is the public URL participants open (used in join links and
	// QR codes); empty means "derive from the request".
	BaseURL string
	// MetricsToken, when set, is the bearer token /metrics requires; when
	// empty, /metrics answers only connections from this machine. Secret.
	MetricsToken string
	// AllowedOrigins are extra browser origins (scheme://host[:port]) allowed
	// to send state-changing requests and open WebSockets, beyond the
	// server's own origin.
	AllowedOrigins []string
	// TrustedProxies are the proxy addresses or CIDRs whose X-Forwarded-For
	// and X-Forwarded-Proto headers are believed. None by default.
	TrustedProxies []string
	// SecureCookies is "auto" (Secure and __Host- when the request arrived
	// over TLS, directly or via a trusted proxy), "true" or "false".
	SecureCookies string
	LogLevel      slog.Level
	LogFormat     string // text | json

	SessionTTL time.Duration // facilitator sessions expire this long after login

	// MaxParticipants bounds each exercise's roster (participants present
	// at once).
	MaxParticipants int

	// EndedGrace is how long the WebSockets of an ended exercise stay
	// open (for the debrief) before they close with 4501.
	EndedGrace time.Duration

	// PprofAddr, when set, serves Go's profiler (net/http/pprof) on this
	// loopback address, apart from the main listener. Off by default.
	PprofAddr string

	// Cluster: several nodes on one PostgreSQL database. ClusterURL, this
	// node's address as the other nodes reach it (http://host:port), turns
	// it on; ClusterSecret authenticates requests between nodes; LeaseTTL
	// is how long an exercise's lease lasts unrenewed (takeover time).
	ClusterURL    string
	ClusterSecret string
	LeaseTTL      time.Duration

	HTTP HTTPTimeouts
}

// HTTPTimeouts are the four http.Server timeouts. WebSocket connections are
// not affected: the upgrade clears the deadlines and the hub sets its own.
type HTTPTimeouts struct {
	ReadHeader time.Duration
	Read       time.Duration
	Write      time.Duration
	Idle       time.Duration
	Shutdown   time.Duration // grace period for in-flight requests at shutdown
}

// Default returns the defaults. This literal is the reference for every
// default value.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DB:              "./ttx.db",
		Scenarios:       "",
		SecureCookies:   "auto",
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
		SessionTTL:      12 * time.Hour,
		MaxParticipants: 10000,
		EndedGrace:      time.Hour,
		LeaseTTL:        3 * time.Second,
		HTTP: HTTPTimeouts{
			ReadHeader: 5 * time.Second,
			Read:       15 * time.Second,
			Write:      30 * time.Second,
			Idle:       120 * time.Second,
			Shutdown:   10 * time.Second,
		},
	}
}

// Environment variable names. Every one shares the TTX_ prefix.
const (
	EnvAddr            = "TTX_ADDR"
	EnvDB              = "TTX_DB"
	EnvScenarios       = "TTX_SCENARIOS"
	EnvBaseURL         = "TTX_BASE_URL"
	EnvAllowedOrigins  = "TTX_ALLOWED_ORIGINS"
	EnvTrustedProxies  = "TTX_TRUSTED_PROXIES"
	EnvSecureCookies   = "TTX_SECURE_COOKIES"
	EnvLogLevel        = "TTX_LOG_LEVEL"
	EnvLogFormat       = "TTX_LOG_FORMAT"
	EnvSessionTTL      = "TTX_SESSION_TTL"
	EnvMetricsToken    = "TTX_METRICS_TOKEN"
	EnvMaxParticipants = "TTX_MAX_PARTICIPANTS"
	EnvPprofAddr       = "TTX_PPROF_ADDR"
	EnvEndedGrace      = "TTX_ENDED_GRACE"
	EnvClusterURL      = "TTX_CLUSTER_URL"
	EnvClusterSecret   = "TTX_CLUSTER_SECRET"
	EnvLeaseTTL        = "TTX_LEASE_TTL"
)

// option ties one flag to its environment variable.
type option struct {
	flag, env, usage string
	// set parses a raw value into the config; it returns a user-facing error.
	set func(c *Config, v string) error
	// show renders the current (default) value for the help text.
	show func(c *Config) string
}

func options() []option {
	str := func(p func(c *Config) *string) (func(*Config, string) error, func(*Config) string) {
		return func(c *Config, v string) error { *p(c) = v; return nil },
			func(c *Config) string { return *p(c) }
	}
	list := func(p func(c *Config) *[]string) (func(*Config, string) error, func(*Config) string) {
		return func(c *Config, v string) error { *p(c) = splitList(v); return nil },
			func(c *Config) string { return strings.Join(*p(c), ",") }
	}
	addrSet, addrShow := str(func(c *Config) *string { return &c.Addr })
	dbSet, _ := str(func(c *Config) *string { return &c.DB })
	dbShow := func(c *Config) string { return RedactDB(c.DB) }
	scSet, scShow := str(func(c *Config) *string { return &c.Scenarios })
	buSet, buShow := str(func(c *Config) *string { return &c.BaseURL })
	aoSet, aoShow := list(func(c *Config) *[]string { return &c.AllowedOrigins })
	tpSet, tpShow := list(func(c *Config) *[]string { return &c.TrustedProxies })
	scookSet, scookShow := str(func(c *Config) *string { return &c.SecureCookies })
	lfSet, lfShow := str(func(c *Config) *string { return &c.LogFormat })
	return []option{
		{"addr", EnvAddr, "`host:port` to listen on; loopback by default — use :8080 to let participants on the network join", addrSet, addrShow},
		{"db", EnvDB, "SQLite database `file`, or a postgres://user:password@host/db URL (created or migrated on start)", dbSet, dbShow},
		{"scenarios", EnvScenarios, "`directory` of scenario files to offer (default: the scenarios built into ttx)", scSet, scShow},
		{"base-url", EnvBaseURL, "public `URL` participants open, e.g. https://ttx.example.org (default: from the request)", buSet, buShow},
		{"allowed-origins", EnvAllowedOrigins, "comma-separated extra browser `origins` allowed to call the API and open WebSockets", aoSet, aoShow},
		{"trusted-proxies", EnvTrustedProxies, "comma-separated proxy `IPs/CIDRs` whose X-Forwarded-* headers are believed (default: none)", tpSet, tpShow},
		{"secure-cookies", EnvSecureCookies, "`auto|true|false`: mark the session cookie Secure (auto: when served over TLS)", scookSet, scookShow},
		{"log-level", EnvLogLevel, "`level`: debug, info, warn or error",
			func(c *Config, v string) error {
				var l slog.Level
				if err := l.UnmarshalText([]byte(v)); err != nil {
					return fmt.Errorf("want debug, info, warn or error, got %q", v)
				}
				c.LogLevel = l
				return nil
			},
			func(c *Config) string { return strings.ToLower(c.LogLevel.String()) }},
		{"log-format", EnvLogFormat, "`format`: text or json", lfSet, lfShow},
		{"session-ttl", EnvSessionTTL, "how long a facilitator stays logged in (a `duration` such as 8h)",
			func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil {
					return fmt.Errorf("want a duration such as 12h, got %q", v)
				}
				c.SessionTTL = d
				return nil
			},
			func(c *Config) string { return c.SessionTTL.String() }},
		{"max-participants", EnvMaxParticipants, "participants one exercise may have at once (`n`)",
			func(c *Config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return fmt.Errorf("want a whole number, got %q", v)
				}
				c.MaxParticipants = n
				return nil
			},
			func(c *Config) string { return strconv.Itoa(c.MaxParticipants) }},
		{"ended-grace", EnvEndedGrace, "how long live connections to an ended exercise stay open for the debrief (a `duration`)",
			func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil {
					return fmt.Errorf("want a duration such as 1h, got %q", v)
				}
				c.EndedGrace = d
				return nil
			},
			func(c *Config) string { return c.EndedGrace.String() }},
		{"pprof-addr", EnvPprofAddr, "serve Go's profiler on this loopback `address` (e.g. 127.0.0.1:6060; default: off)",
			func(c *Config, v string) error { c.PprofAddr = v; return nil },
			func(c *Config) string { return c.PprofAddr }},
		{"cluster-url", EnvClusterURL, "this node's `URL` as the other nodes reach it (http://host:port); turns on several nodes on one PostgreSQL database (default: off, one node)",
			func(c *Config, v string) error { c.ClusterURL = v; return nil },
			func(c *Config) string { return c.ClusterURL }},
		{"cluster-secret", EnvClusterSecret, "shared `secret` that authenticates requests between the nodes of a cluster (required with -cluster-url)",
			func(c *Config, v string) error { c.ClusterSecret = v; return nil },
			// A secret: never shown in help or in the startup dump.
			func(c *Config) string {
				if c.ClusterSecret != "" {
					return "(set)"
				}
				return ""
			}},
		{"lease-ttl", EnvLeaseTTL, "how long a node's hold on an exercise lasts unrenewed, in a cluster: another node takes the exercise about this long after its owner dies (a `duration`)",
			func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err != nil {
					return fmt.Errorf("want a duration such as 3s, got %q", v)
				}
				c.LeaseTTL = d
				return nil
			},
			func(c *Config) string { return c.LeaseTTL.String() }},
		{"metrics-token", EnvMetricsToken, "bearer `token` that /metrics requires (default: none, and /metrics answers only this machine)",
			func(c *Config, v string) error { c.MetricsToken = v; return nil },
			// A secret: never shown in help or in the startup dump.
			func(c *Config) string {
				if c.MetricsToken != "" {
					return "(set)"
				}
				return ""
			}},
	}
}

// Parse builds the config from defaults, then env (a list of KEY=VALUE as
// os.Environ returns), then args. Usage and flag errors go to out. Every
// invalid value is reported in one joined error. With -h it returns
// flag.ErrHelp after printing the usage.
func Parse(args, env []string, out io.Writer) (Config, error) {
	c := Default()
	opts := options()
	envMap := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "TTX_") {
			envMap[k] = v
		}
	}

	var problems []error
	for _, o := range opts {
		if v, ok := envMap[o.env]; ok {
			if err := o.set(&c, v); err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", o.env, err))
			}
		}
	}

	fs := flag.NewFlagSet("ttx serve", flag.ContinueOnError)
	fs.SetOutput(out)
	defaults := Default()
	for _, o := range opts {
		usage := fmt.Sprintf("%s\n(env %s)", o.usage, o.env)
		if d := o.show(&defaults); d != "" {
			usage = fmt.Sprintf("%s\n(env %s, default %s)", o.usage, o.env, d)
		}
		fs.Func(o.flag, usage, func(v string) error {
			if err := o.set(&c, v); err != nil {
				problems = append(problems, fmt.Errorf("-%s: %w", o.flag, err))
			}
			return nil
		})
	}
	fs.Usage = func() {
		fmt.Fprintln(out, "Usage: ttx serve [flags]")
		fmt.Fprintln(out)
		fmt.Fprintln(out, "Runs the live exercise server: the facilitator and participant web UI, the API")
		fmt.Fprintln(out, "and WebSockets, on one SQLite file. On first start it creates the facilitator")
		fmt.Fprintln(out, "account 'admin' and prints a one-time password. Every flag has an environment")
		fmt.Fprintln(out, "variable; a flag given on the command line wins.")
		fmt.Fprintln(out)
		fmt.Fprintln(out, "Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	problems = append(problems, c.validate()...)
	if len(problems) > 0 {
		return c, errors.Join(problems...)
	}
	return c, nil
}

// validate checks every field and cross-field rule, collecting all problems.
func (c *Config) validate() []error {
	var p []error
	add := func(format string, args ...any) { p = append(p, fmt.Errorf(format, args...)) }

	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		add("addr %q: want host:port or :port", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		add("addr %q: bad port", c.Addr)
	}
	if strings.TrimSpace(c.DB) == "" {
		add("db: must not be empty")
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("base-url %q: want an absolute http(s) URL", c.BaseURL)
		}
	}
	for _, o := range c.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			add("allowed-origins: %q is not an origin (want scheme://host[:port])", o)
		}
	}
	for _, tp := range c.TrustedProxies {
		if _, err := ParseProxy(tp); err != nil {
			add("trusted-proxies: %v", err)
		}
	}
	switch c.SecureCookies {
	case "auto", "true", "false":
	default:
		add("secure-cookies %q: want auto, true or false", c.SecureCookies)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		add("log-format %q: want text or json", c.LogFormat)
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 30*24*time.Hour {
		add("session-ttl %s: want between 1m and 720h", c.SessionTTL)
	}
	if c.MaxParticipants < 1 || c.MaxParticipants > 100000 {
		add("max-participants %d: want between 1 and 100000", c.MaxParticipants)
	}
	if c.EndedGrace < 0 || c.EndedGrace > 7*24*time.Hour {
		add("ended-grace %s: want between 0s and 168h", c.EndedGrace)
	}
	if c.PprofAddr != "" && !isLoopbackAddr(c.PprofAddr) {
		// Profiles expose memory contents and cost CPU: never off this machine.
		add("pprof-addr %q: want a loopback host:port such as 127.0.0.1:6060", c.PprofAddr)
	}
	if c.LeaseTTL < 300*time.Millisecond || c.LeaseTTL > time.Minute {
		add("lease-ttl %s: want between 300ms and 1m", c.LeaseTTL)
	}
	if c.ClusterURL != "" {
		if u, err := url.Parse(c.ClusterURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			add("cluster-url %q: want http://host:port", c.ClusterURL)
		}
		if len(c.ClusterSecret) < 16 {
			add("cluster-secret: want at least 16 characters with -cluster-url")
		}
		if !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
			add("cluster-url: several nodes need a postgres:// database")
		}
	}
	return p
}

// ParseProxy parses one trusted-proxy entry, an IP or a CIDR, as a prefix.
func ParseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP or CIDR", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP or CIDR", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// IsLoopback reports whether Addr only listens on a loopback interface.
func (c *Config) IsLoopback() bool { return isLoopbackAddr(c.Addr) }

func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// RedactDB is db as logs may show it: a URL's password masked.
func RedactDB(db string) string {
	u, err := url.Parse(db)
	if err != nil || u.User == nil {
		if strings.Contains(db, "://") {
			return "(unparsable database URL)"
		}
		return db
	}
	return u.Redacted()
}

// Dump renders the effective config as key=value lines for the startup log.
// Secrets (the metrics token) show only whether they are set.
func (c *Config) Dump() []slog.Attr {
	var attrs []slog.Attr
	for _, o := range options() {
		attrs = append(attrs, slog.String(o.flag, o.show(c)))
	}
	return attrs
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
