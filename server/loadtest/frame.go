package loadtest

import (
	"bytes"
	"strconv"
	"time"
)

// frame is what the tool reads from one server frame. Both ttx and the
// baseline send event frames whose top-level fields come in this order:
// type, seq, kind, at, wall_time, payload. The scanner takes the first
// occurrence of each key, which is the top-level one because the nested
// payload comes last; it allocates nothing for frames it does not need.
type frame struct {
	typ    []byte
	seq    int64
	kind   []byte
	at     time.Duration
	wall   int64 // unix nanoseconds; 0 when absent
	inject []byte
	// The tool's marker in an inject body: LTX:<run>:<index>:<sent unix ns>:
	run   []byte
	index int
	sent  int64
	mark  bool
}

var (
	keyType   = []byte(`"type":"`)
	keySeq    = []byte(`"seq":`)
	keyKind   = []byte(`"kind":"`)
	keyAt     = []byte(`"at":`)
	keyWall   = []byte(`"wall_time":"`)
	keyInject = []byte(`"inject":"`)
	keyID     = []byte(`"id":"`)
	markerPfx = []byte(`LTX:`)
)

// stringAfter returns the JSON string value following key, unescaped only
// in that it must hold no escapes (the fields read here never do).
func stringAfter(b, key []byte) []byte {
	i := bytes.Index(b, key)
	if i < 0 {
		return nil
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return rest[:j]
}

// intAfter returns the integer following key.
func intAfter(b, key []byte) (int64, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return 0, false
	}
	rest := b[i+len(key):]
	j := 0
	for j < len(rest) && (rest[j] == '-' || rest[j] >= '0' && rest[j] <= '9') {
		j++
	}
	n, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return n, err == nil
}

// scanFrame reads the fields of one frame.
func scanFrame(b []byte) frame {
	var f frame
	f.typ = stringAfter(b, keyType)
	if !bytes.Equal(f.typ, []byte("event")) {
		return f
	}
	f.seq, _ = intAfter(b, keySeq)
	f.kind = stringAfter(b, keyKind)
	if at, ok := intAfter(b, keyAt); ok {
		f.at = time.Duration(at)
	}
	if w := stringAfter(b, keyWall); w != nil {
		if t, err := time.Parse(time.RFC3339Nano, string(w)); err == nil {
			f.wall = t.UnixNano()
		}
	}
	f.inject = stringAfter(b, keyInject)
	if i := bytes.Index(b, markerPfx); i >= 0 {
		f.run, f.index, f.sent, f.mark = parseMarker(b[i+len(markerPfx):])
	}
	return f
}

// parseMarker reads "<run>:<index>:<sent>:" .
func parseMarker(b []byte) (run []byte, index int, sent int64, ok bool) {
	parts := bytes.SplitN(b, []byte(":"), 4)
	if len(parts) < 4 {
		return nil, 0, 0, false
	}
	idx, err1 := strconv.Atoi(string(parts[1]))
	s, err2 := strconv.ParseInt(string(parts[2]), 10, 64)
	if err1 != nil || err2 != nil || idx < 0 {
		return nil, 0, 0, false
	}
	return parts[0], idx, s, true
}

// markerBody builds an inject body of exactly size bytes (at least the
// marker) carrying the run id, the inject index and the send time.
func markerBody(run string, index int, sent time.Time, size int) string {
	var b []byte
	b = append(b, markerPfx...)
	b = append(b, run...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(index), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, sent.UnixNano(), 10)
	b = append(b, ':')
	for len(b) < size {
		b = append(b, 'x')
	}
	return string(b)
}
