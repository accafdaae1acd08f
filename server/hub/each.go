package hub

// Each calls f for every open connection whose session matches, outside
// the hub's lock (f may Subscribe, Unsubscribe or Send), and returns how
// many matched. A connection that closes meanwhile may still be passed to
// f; what f does to it is then ignored.
func (h *Hub) Each(match func(Session) bool, f func(*Conn)) int {
	h.mu.RLock()
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.RUnlock()
	n := 0
	for _, c := range conns {
		if h.matches(match, c) {
			f(c)
			n++
		}
	}
	return n
}

// Switch moves a connection from one topic to another in one step: no
// broadcast finds it in both or in neither. A closed connection is ignored.
func (c *Conn) Switch(from, to string) {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	if c.gone {
		return
	}
	c.h.unsubscribeLocked(c, from)
	c.h.subscribeLocked(c, to)
}
