package api

import (
	"strconv"
	"sync"
)

// sockets tracks the WebSocket connections opened under each credential, so
// that ending the credential (logout, password change, revoked token) closes
// them at once instead of letting them live until they next speak.
type sockets struct {
	mu    sync.Mutex
	byKey map[string]map[*socketEntry]struct{}
}

type socketEntry struct {
	keys  []string
	close func()
}

func newSockets() *sockets {
	return &sockets{byKey: make(map[string]map[*socketEntry]struct{})}
}

func sessionKey(hash string) string { return "session:" + hash }
func accountKey(id int64) string    { return "account:" + strconv.FormatInt(id, 10) }
func subjectKey(id string) string   { return "subject:" + id }
func exerciseKey(id string) string  { return "exercise:" + id }

// add registers a connection under keys; the returned func unregisters it
// and must be called when the connection ends.
func (s *sockets) add(keys []string, closeFn func()) (remove func()) {
	e := &socketEntry{keys: keys, close: closeFn}
	s.mu.Lock()
	for _, k := range keys {
		m := s.byKey[k]
		if m == nil {
			m = make(map[*socketEntry]struct{})
			s.byKey[k] = m
		}
		m[e] = struct{}{}
	}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, k := range e.keys {
			if m := s.byKey[k]; m != nil {
				delete(m, e)
				if len(m) == 0 {
					delete(s.byKey, k)
				}
			}
		}
	}
}

// close closes every connection registered under key. The close funcs run
// outside the lock: they may call the remove func.
func (s *sockets) close(key string) {
	s.mu.Lock()
	var fns []func()
	for e := range s.byKey[key] {
		fns = append(fns, e.close)
	}
	s.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// count reports how many connections are registered under key.
func (s *sockets) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byKey[key])
}

// closeAll closes every registered connection.
func (s *sockets) closeAll() {
	s.mu.Lock()
	seen := map[*socketEntry]bool{}
	var fns []func()
	for _, m := range s.byKey {
		for e := range m {
			if !seen[e] {
				seen[e] = true
				fns = append(fns, e.close)
			}
		}
	}
	s.mu.Unlock()
	for _, f := range fns {
		f()
	}
}
