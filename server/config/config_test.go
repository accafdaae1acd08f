package config

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     []string
		check   func(t *testing.T, c Config)
		wantErr []string // substrings that must all appear in the error
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			d := Default()
			if c.Addr != "127.0.0.1:8080" || c.DB != "./ttx.db" || c.SecureCookies != "auto" || c.LogFormat != "text" ||
				c.LogLevel != slog.LevelInfo || len(c.TrustedProxies) != 0 || c.SessionTTL != d.SessionTTL {
				t.Errorf("defaults = %+v", c)
			}
			if !c.IsLoopback() {
				t.Error("default address should be loopback")
			}
		}},
		{name: "env", env: []string{"TTX_ADDR=:9000", "TTX_DB=/tmp/x.db", "TTX_TRUSTED_PROXIES=10.0.0.0/8, 192.168.1.1",
			"TTX_ALLOWED_ORIGINS=https://a.example", "TTX_LOG_LEVEL=debug", "TTX_LOG_FORMAT=json", "TTX_SECURE_COOKIES=true",
			"HOME=/root", "TTX_SESSION_TTL=1h"},
			check: func(t *testing.T, c Config) {
				if c.Addr != ":9000" || c.DB != "/tmp/x.db" || len(c.TrustedProxies) != 2 || c.TrustedProxies[1] != "192.168.1.1" ||
					c.AllowedOrigins[0] != "https://a.example" || c.LogLevel != slog.LevelDebug || c.LogFormat != "json" ||
					c.SecureCookies != "true" || c.SessionTTL != time.Hour {
					t.Errorf("got %+v", c)
				}
				if c.IsLoopback() {
					t.Error(":9000 is not loopback")
				}
			}},
		{name: "flag beats env", args: []string{"-addr", "127.0.0.1:1234", "--db=flag.db"}, env: []string{"TTX_ADDR=:9000", "TTX_DB=env.db"},
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:1234" || c.DB != "flag.db" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "every problem at once",
			env:     []string{"TTX_ADDR=nonsense", "TTX_LOG_LEVEL=loud", "TTX_LOG_FORMAT=xml", "TTX_SECURE_COOKIES=maybe", "TTX_TRUSTED_PROXIES=not-an-ip"},
			args:    []string{"-allowed-origins", "https://ok.example,ftp://x,https://a.example/path", "-base-url", "relative/path"},
			wantErr: []string{"addr", "TTX_LOG_LEVEL", "log-format", "secure-cookies", "not-an-ip", "ftp://x", "a.example/path", "base-url"}},
		{name: "stray argument", args: []string{"extra"}, wantErr: []string{"unexpected arguments: extra"}},
		{name: "bad ttl", env: []string{"TTX_SESSION_TTL=1s"}, wantErr: []string{"session-ttl"}},
		{name: "ended grace", env: []string{"TTX_ENDED_GRACE=20m"}, check: func(t *testing.T, c Config) {
			if c.EndedGrace != 20*time.Minute {
				t.Errorf("ended grace %v, want 20m", c.EndedGrace)
			}
		}},
		{name: "ended grace default", check: func(t *testing.T, c Config) {
			if c.EndedGrace != time.Hour {
				t.Errorf("ended grace %v, want 1h", c.EndedGrace)
			}
		}},
		{name: "bad ended grace", args: []string{"-ended-grace", "-1m"}, wantErr: []string{"ended-grace"}},
		{name: "ended grace not a duration", env: []string{"TTX_ENDED_GRACE=soon"}, wantErr: []string{"TTX_ENDED_GRACE"}},
		{name: "max participants", env: []string{"TTX_MAX_PARTICIPANTS=250"}, check: func(t *testing.T, c Config) {
			if c.MaxParticipants != 250 {
				t.Errorf("max participants %d, want 250", c.MaxParticipants)
			}
		}},
		{name: "bad max participants", args: []string{"-max-participants", "0"}, wantErr: []string{"max-participants 0"}},
		{name: "max participants not a number", env: []string{"TTX_MAX_PARTICIPANTS=lots"}, wantErr: []string{"TTX_MAX_PARTICIPANTS"}},
		{name: "pprof on loopback", args: []string{"-pprof-addr", "127.0.0.1:6060"}, check: func(t *testing.T, c Config) {
			if c.PprofAddr != "127.0.0.1:6060" {
				t.Errorf("pprof addr %q", c.PprofAddr)
			}
		}},
		{name: "pprof on every interface", env: []string{"TTX_PPROF_ADDR=:6060"}, wantErr: []string{"pprof-addr \":6060\""}},
		{name: "pprof on a public address", args: []string{"-pprof-addr", "10.0.0.1:6060"}, wantErr: []string{"pprof-addr"}},
		{name: "one node by default", check: func(t *testing.T, c Config) {
			if c.ClusterURL != "" || c.LeaseTTL != 3*time.Second {
				t.Errorf("cluster %q, lease TTL %s; want off, 3s", c.ClusterURL, c.LeaseTTL)
			}
		}},
		{name: "a node of a cluster", args: []string{"-db", "postgres://ttx@db/ttx", "-cluster-url", "http://10.0.0.11:8080", "-lease-ttl", "2s"},
			env: []string{"TTX_CLUSTER_SECRET=0123456789abcdef"}, check: func(t *testing.T, c Config) {
				if c.ClusterURL != "http://10.0.0.11:8080" || c.ClusterSecret != "0123456789abcdef" || c.LeaseTTL != 2*time.Second {
					t.Errorf("cluster %q, secret %q, lease TTL %s", c.ClusterURL, c.ClusterSecret, c.LeaseTTL)
				}
				for _, a := range c.Dump() {
					if strings.Contains(a.Value.String(), "0123456789abcdef") {
						t.Errorf("the dump shows the cluster secret: %s", a)
					}
				}
			}},
		{name: "a cluster on SQLite", args: []string{"-cluster-url", "http://10.0.0.11:8080", "-cluster-secret", "0123456789abcdef"}, wantErr: []string{"postgres://"}},
		{name: "a cluster without a secret", args: []string{"-db", "postgres://ttx@db/ttx", "-cluster-url", "http://10.0.0.11:8080"}, wantErr: []string{"cluster-secret"}},
		{name: "a cluster URL without a scheme", args: []string{"-db", "postgres://ttx@db/ttx", "-cluster-url", "10.0.0.11:8080", "-cluster-secret", "0123456789abcdef"}, wantErr: []string{"cluster-url"}},
		{name: "lease TTL too short", args: []string{"-lease-ttl", "100ms"}, wantErr: []string{"lease-ttl 100ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c, err := Parse(tt.args, tt.env, &out)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("want error, got config %+v", c)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := Parse([]string{"-h"}, nil, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, w := range []string{"Usage: ttx serve", "-addr", "TTX_ADDR", "127.0.0.1:8080", "TTX_TRUSTED_PROXIES", "TTX_LOG_FORMAT"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("help lacks %q:\n%s", w, out.String())
		}
	}
}

func TestParseProxy(t *testing.T) {
	for in, want := range map[string]string{"10.1.2.3/8": "10.0.0.0/8", "::1": "::1/128", "::ffff:1.2.3.4": "1.2.3.4/32"} {
		p, err := ParseProxy(in)
		if err != nil || p.String() != want {
			t.Errorf("ParseProxy(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	if _, err := ParseProxy("x/9"); err == nil {
		t.Error("want error")
	}
}

// TestDumpRedactsDatabasePassword: the startup log shows a PostgreSQL URL
// without its password; a file name as it is.
func TestDumpRedactsDatabasePassword(t *testing.T) {
	for db, want := range map[string]string{
		"postgres://ttx:s3cret@db.internal:5432/ttx?sslmode=require": "postgres://ttx:xxxxx@db.internal:5432/ttx?sslmode=require",
		"postgresql://ttx@db/ttx":                                    "postgresql://ttx@db/ttx",
		"./ttx.db":                                                   "./ttx.db",
		`C:\ttx\ttx.db`:                                              `C:\ttx\ttx.db`,
	} {
		c, err := Parse([]string{"-db", db}, nil, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		var shown string
		for _, a := range c.Dump() {
			if a.Key == "db" {
				shown = a.Value.String()
			}
		}
		if shown != want || strings.Contains(shown, "s3cret") {
			t.Errorf("db %q shown as %q, want %q", db, shown, want)
		}
	}
}
