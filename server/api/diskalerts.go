package api

import (
	"sync"
	"time"

	"github.com/ttxsim/ttx/server/hub"
	"github.com/ttxsim/ttx/server/store"
)

// topicFacilitators reaches every facilitator socket, whatever its
// exercise: what concerns the whole server (its disk) rather than one
// exercise.
const topicFacilitators = "facilitators"

// Disk states in a status frame.
const (
	diskFull = "full"
	diskOK   = "ok"
)

// statusFrame tells facilitators about the server itself: while the
// database's disk is full nothing new can be saved, whether a command or a
// timer (a clock tick with nothing behind it) tried to write.
type statusFrame struct {
	Type    string `json:"type"` // "status"
	Disk    string `json:"disk"` // "full" | "ok"
	Since   string `json:"since,omitempty"`
	Message string `json:"message"`
}

// DiskAlerts tells facilitators when the database's disk fills up and
// when writes succeed again: a status frame to every facilitator socket at
// each change (give Changed to the store as Options.OnDisk), and to each
// facilitator socket that connects while the disk is full. Make it before
// the store opens and pass it to New as Deps.Disk, which gives it the hub;
// a change before that is kept, not sent.
type DiskAlerts struct {
	mu    sync.Mutex
	state store.DiskState
	hub   topicBroadcaster // nil until New
}

// topicBroadcaster is the part of the hub DiskAlerts needs.
type topicBroadcaster interface {
	Broadcast(topic string, f *hub.Frame) int
}

// NewDiskAlerts returns alerts for a disk that is not full.
func NewDiskAlerts() *DiskAlerts { return &DiskAlerts{} }

// Changed records a change of the disk's state and tells every
// facilitator socket. It never blocks on a socket.
func (a *DiskAlerts) Changed(d store.DiskState) {
	a.mu.Lock()
	defer a.mu.Unlock() // held while broadcasting: two changes go out in order
	a.state = d
	if a.hub != nil {
		a.hub.Broadcast(topicFacilitators, diskFrame(d))
	}
}

func (a *DiskAlerts) attach(h topicBroadcaster) {
	a.mu.Lock()
	a.hub = h
	a.mu.Unlock()
}

// fullFrame is the frame for a socket that connects while the disk is
// full, or nil.
func (a *DiskAlerts) fullFrame() *hub.Frame {
	a.mu.Lock()
	d := a.state
	a.mu.Unlock()
	if !d.Full {
		return nil
	}
	return diskFrame(d)
}

func diskFrame(d store.DiskState) *hub.Frame {
	f := statusFrame{Type: "status", Disk: diskOK, Message: "the server's disk has room again: changes are saved"}
	if d.Full {
		f.Disk, f.Message = diskFull, "the server's disk is full: nothing new can be saved (answers, injects, the clock's events) until space is freed on the server; nothing saved before is lost"
		if !d.Since.IsZero() {
			f.Since = d.Since.UTC().Format(time.RFC3339Nano)
		}
	}
	return hub.NewFrame(0, mustFrame(f))
}
