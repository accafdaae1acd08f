package sim

import (
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// storyJump moves the story clock on entering st: by its story_jump, or
// forward to its story_at (never back). It returns how far it moved.
func (m *Machine) storyJump(st *scenario.State) time.Duration {
	start := m.p.sc.StoryStart
	if st.StoryAt == nil || start.IsZero() {
		m.jump += st.StoryJump
		return st.StoryJump
	}
	now := start.Add(m.now + m.jump)
	if t := st.StoryAt.Target(start, now); t.After(now) {
		m.jump += t.Sub(now)
		return t.Sub(now)
	}
	return 0
}
