// Package hub owns WebSocket connections: the origin check, the upgrade, one
// reader goroutine per connection, frames encoded once into their wire bytes
// and written by the broadcasting goroutine itself when the socket has room
// (spread over the CPUs for large topics), a writer goroutine only for what
// must wait, one sweep for pings and timeouts, bounded send queues, topic
// broadcast of frames encoded once, resumable streams (replay, then live,
// without gaps or duplicates) and close codes.
//
// The hub knows nothing of scenarios, exercises or users. It deals in
// connections, string topics, opaque payloads and an optional stream position
// (Frame.Seq). The caller authenticates the request, decides the topics and
// decodes client messages.
//
// # Serving a socket
//
// The caller authenticates before calling Hub.Serve and refuses with Reject
// (401/403) otherwise, so that no 101 is ever sent to an anonymous client:
//
//	func (a *api) ws(w http.ResponseWriter, r *http.Request) {
//		sess, err := a.authenticate(r) // cookie, token, ...
//		if err != nil {
//			hub.Reject(w, http.StatusUnauthorized, "unauthenticated", "log in first")
//			return
//		}
//		c, err := a.hub.Serve(w, r, sess) // 403 on a foreign Origin, 503 after Close
//		if err != nil {
//			return // the response has been written
//		}
//		c.Send(hello)                   // Seq 0: goes out at once
//		backlog := a.eventsAfter(after) // fetched AFTER Serve subscribed c
//		if c.Replay(backlog) == nil {
//			c.Live()
//		}
//	}
//
// # Origins
//
// A browser always sends Origin. A request is accepted when its Origin names
// the request's Host (the serving origin) or an entry of Config.AllowedOrigins.
// A request without any Origin header is accepted: it cannot come from a
// browser page, so cross-site hijacking is not possible, but it proves nothing
// about the client. The origin check is not authentication; the caller must
// authenticate every upgrade, including those without Origin.
//
// # Streams
//
// A connection starts in replay mode: Serve subscribes it to Session.Topics()
// before sending 101, and frames with Seq > 0 broadcast from then on are held
// in a bounded pending list (Config.ReplayBuffer). The caller then sends the
// backlog it read from its log with Conn.Replay and calls Conn.Live, which
// flushes the pending frames whose Seq is above the last one sent, in order.
// From then on a frame with 0 < Seq <= the last Seq sent is dropped, so a
// connection subscribed to several topics of one stream gets each frame once.
// One connection carries one stream: Seq values of different streams must not
// be mixed on it. Frames with Seq 0 (acks, errors, presence) bypass all of
// this and are queued at once, even during replay.
//
// # Close codes
//
// The code tells the client whether to reconnect (and resume from its last
// Seq) or to stop:
//
//	1000 CloseNormal          normal closure
//	1001 CloseGoingAway       server shutting down: reconnect
//	1006 CloseAbnormal        recorded when the peer vanished; never sent
//	1008 ClosePolicyViolation terminal
//	1009 CloseMessageTooBig   a client message exceeded Config.ReadLimit ("message over N bytes")
//	1011 CloseInternalError   server error (a panicking callback): reconnect
//	4000–4499                 reconnect and resume:
//	  4000 CloseReconnect       generic
//	  4001 CloseLifetime        Config.MaxLifetime reached
//	  4002 CloseIdle            Config.IdleTimeout reached
//	  4008 CloseSlowClient      send queue or replay buffer overflowed
//	4500–4999                 terminal, do not reconnect:
//	  4501 CloseStreamEnded     the stream ended for good (exercise ended)
//	  4502 CloseAccessRevoked   the client may no longer see this stream
//	  4503 CloseSessionEnded    the user's session ended (logout)
//
// IsTerminal classifies a code the same way. Conn.Close drops the frames
// still queued (a slow client gets its code at once); Conn.CloseWhenDrained
// sends them first, for a stream that ends after what was sent.
package hub
