package hub

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config tunes the hub. A zero field takes the default named in its comment.
type Config struct {
	// AllowedOrigins lists browser origins ("https://ttx.example.org",
	// scheme://host[:port]) allowed besides the serving origin, which is always
	// allowed. "*" and malformed entries are ignored with a warning: there is
	// no allow-all. Behind a proxy that rewrites Host, list the public origin.
	AllowedOrigins []string

	// ReadLimit is the largest client message in bytes (default 16 KiB). A
	// larger one closes the connection with 1009 "message over N bytes"
	// (the rest of it is read and discarded, for up to WriteWait and
	// maxDrain bytes, so that the close frame arrives). Compression is never
	// negotiated, so the limit counts the bytes the client sends.
	ReadLimit int64

	// PongWait is how long the reader waits for any frame (a pong or a
	// message) before the peer is considered dead (default 60 s).
	PongWait time.Duration
	// PingPeriod is how often the writer pings (default 9/10 of PongWait; it
	// must be shorter than PongWait).
	PingPeriod time.Duration
	// WriteWait bounds every write, including the close frame (default 10 s).
	// A write may get up to a tenth less: the deadline is renewed only when
	// it moved by more than that.
	WriteWait time.Duration

	// SendQueue is the number of frames queued per connection (default
	// 256). Frames wait here only while the socket is full or a writer
	// goroutine is sending, which may not have run yet when broadcasts
	// come back to back. The queue takes memory only while frames wait.
	// A live connection whose queue overflows is closed with 4008.
	SendQueue int
	// ReplayBuffer is the number of live frames held while a connection
	// replays its backlog (default 1024). Overflow closes it with 4008.
	ReplayBuffer int

	// ReadBufferSize and WriteBufferSize size the per-connection I/O buffers
	// (default 1 KiB each); write buffers come from a pool shared by the hub.
	ReadBufferSize  int
	WriteBufferSize int

	// MaxLifetime closes a connection with 4001 after this long (0: never).
	MaxLifetime time.Duration
	// IdleTimeout closes a connection with 4002 when no message went either
	// way for this long (0: never). Pings and pongs do not count. Lifetimes,
	// idle timeouts and pings are checked by one sweep of all connections
	// every twentieth of the shortest of the three (at most every second),
	// so they fire up to that late.
	IdleTimeout time.Duration

	// MessageRate limits client messages per second per connection (0: no
	// limit), with bursts of MessageBurst (default 1). Over the rate, the
	// reader pauses before reading on, so a flooding client is slowed by TCP
	// backpressure and other connections are unaffected.
	MessageRate  float64
	MessageBurst int

	// Subprotocols offered during the handshake, in order of preference.
	Subprotocols []string

	// PortableWrites turns off the one-attempt writes made by the
	// broadcasting goroutine (a non-blocking write(2), Unix only): every
	// frame then waits for the connection's writer goroutine and its
	// blocking write, which is what Windows always does. The frames, their
	// order and the close codes are the same; it costs a goroutine hand-off
	// per write. For tests of that path on any system.
	PortableWrites bool
}

// Defaults.
const (
	DefaultReadLimit    = 16 << 10
	DefaultPongWait     = 60 * time.Second
	DefaultWriteWait    = 10 * time.Second
	DefaultSendQueue    = 256
	DefaultReplayBuffer = 1024
	DefaultBufferSize   = 1 << 10
)

// closeGrace bounds how long a closing connection waits for the peer's close
// reply before dropping the TCP connection.
const closeGrace = time.Second

// maxDrain bounds the bytes read and discarded while lingering on close
// (Config.WriteWait bounds the time). After a message over the read limit the
// client is usually still sending it, and it reads the 1009 only once it
// has: closing TCP under unread input would reset the connection instead.
// Discarding 64 MiB costs a few milliseconds.
const maxDrain = 64 << 20

// withDefaults fills zero fields and repairs inconsistent ones.
func (c Config) withDefaults(log *slog.Logger) Config {
	if c.ReadLimit <= 0 {
		c.ReadLimit = DefaultReadLimit
	}
	if c.PongWait <= 0 {
		c.PongWait = DefaultPongWait
	}
	if c.PingPeriod <= 0 {
		c.PingPeriod = c.PongWait * 9 / 10
	}
	if c.PingPeriod >= c.PongWait {
		log.Warn("hub: ping period not shorter than pong wait; using 9/10 of pong wait",
			"ping_period", c.PingPeriod, "pong_wait", c.PongWait)
		c.PingPeriod = c.PongWait * 9 / 10
	}
	if c.WriteWait <= 0 {
		c.WriteWait = DefaultWriteWait
	}
	if c.SendQueue <= 0 {
		c.SendQueue = DefaultSendQueue
	}
	if c.ReplayBuffer <= 0 {
		c.ReplayBuffer = DefaultReplayBuffer
	}
	if c.ReadBufferSize <= 0 {
		c.ReadBufferSize = DefaultBufferSize
	}
	if c.WriteBufferSize <= 0 {
		c.WriteBufferSize = DefaultBufferSize
	}
	return c
}

// originSet parses the allow-list into normalised "scheme://host[:port]" keys.
func originSet(list []string, log *slog.Logger) map[string]struct{} {
	set := make(map[string]struct{}, len(list))
	for _, o := range list {
		if strings.TrimSpace(o) == "*" {
			log.Warn("hub: ignoring allowed origin \"*\": allow-all is not supported", "origin", o)
			continue
		}
		key, ok := normalizeOrigin(o)
		if !ok {
			log.Warn("hub: ignoring allowed origin; want scheme://host[:port]", "origin", o)
			continue
		}
		set[key] = struct{}{}
	}
	return set
}

// normalizeOrigin lower-cases scheme and host and drops a default port, as
// browsers do when they send Origin.
func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		(u.Path != "" && u.Path != "/") {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	return scheme + "://" + stripDefaultPort(strings.ToLower(u.Host), scheme), true
}

func stripDefaultPort(hostport, scheme string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		if strings.Contains(host, ":") {
			return "[" + host + "]"
		}
		return host
	}
	return hostport
}

// OriginAllowed reports whether r may be upgraded as far as where it comes
// from goes: the rule of Origins, with Config.AllowedOrigins.
func (h *Hub) OriginAllowed(r *http.Request) bool {
	return h.origins.Allowed(r)
}
