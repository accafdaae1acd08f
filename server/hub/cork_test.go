package hub

import (
	"net"
	"sync"
	"testing"
	"time"
)

// deadlineConn records the write deadlines set on it and what is written.
type deadlineConn struct {
	net.Conn
	set    []time.Time
	writes [][]byte
}

func (d *deadlineConn) SetWriteDeadline(t time.Time) error {
	d.set = append(d.set, t)
	return nil
}

func (d *deadlineConn) Write(p []byte) (int, error) {
	d.writes = append(d.writes, append([]byte(nil), p...))
	return len(p), nil
}

func TestCorkConnDeadlines(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	const slack = time.Second
	tests := []struct {
		name  string
		calls []time.Time // deadlines asked for, uncorked, in order
		want  []time.Time // deadlines that reach the socket
	}{
		{"first is always set", []time.Time{t0}, []time.Time{t0}},
		{"within slack is skipped", []time.Time{t0, t0.Add(500 * time.Millisecond), t0.Add(slack)}, []time.Time{t0}},
		{"beyond slack is renewed", []time.Time{t0, t0.Add(slack + time.Nanosecond)}, []time.Time{t0, t0.Add(slack + time.Nanosecond)}},
		{"earlier is always set", []time.Time{t0, t0.Add(-time.Millisecond)}, []time.Time{t0, t0.Add(-time.Millisecond)}},
		{"clearing is always set", []time.Time{t0, {}, t0}, []time.Time{t0, {}, t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &deadlineConn{}
			cc := &corkConn{Conn: d, pool: &sync.Pool{}, slack: slack}
			for _, c := range tt.calls {
				if err := cc.SetWriteDeadline(c); err != nil {
					t.Fatal(err)
				}
			}
			if !equalTimes(d.set, tt.want) {
				t.Fatalf("set %v, want %v", d.set, tt.want)
			}
		})
	}
}

// While corked, deadlines and writes wait for uncork: one deadline (the
// last asked for) and one write reach the socket.
func TestCorkConnBatch(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	d := &deadlineConn{}
	cc := &corkConn{Conn: d, pool: &sync.Pool{}, slack: time.Second}
	cc.cork()
	for i := range 3 {
		_ = cc.SetWriteDeadline(t0.Add(time.Duration(i) * 5 * time.Second))
		_, _ = cc.Write([]byte{byte('a' + i)})
	}
	if len(d.set) != 0 || len(d.writes) != 0 {
		t.Fatalf("corked but the socket saw deadlines %v, writes %q", d.set, d.writes)
	}
	if err := cc.uncork(); err != nil {
		t.Fatal(err)
	}
	if !equalTimes(d.set, []time.Time{t0.Add(10 * time.Second)}) {
		t.Fatalf("deadlines %v, want the last one only", d.set)
	}
	if len(d.writes) != 1 || string(d.writes[0]) != "abc" {
		t.Fatalf("writes %q, want one \"abc\"", d.writes)
	}
	// Uncorked again: writes go straight through.
	_, _ = cc.Write([]byte("d"))
	if len(d.writes) != 2 || string(d.writes[1]) != "d" {
		t.Fatalf("writes %q after uncork", d.writes)
	}
}

func equalTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}
