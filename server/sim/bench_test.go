package sim

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ttxsim/ttx/server/scenario"
)

// largestScenario is the biggest file under scenarios/ (the seeds), or the
// biggest test scenario when the seeds are absent.
func largestScenario(b *testing.B) *scenario.Scenario {
	b.Helper()
	best, size := "", int64(-1)
	for _, pattern := range []string{"../../scenarios/*.yaml", "testdata/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.Size() > size {
				best, size = f, st.Size()
			}
		}
		if best != "" {
			break
		}
	}
	sc, err := scenario.Load(best)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("scenario %s (%d bytes)", best, size)
	return sc
}

func BenchmarkExplore(b *testing.B) {
	sc := largestScenario(b)
	var r *Report
	for b.Loop() {
		var err error
		r, err = Explore(sc, ExploreOptions{MaxPaths: 10_000_000})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Situations), "situations")
	b.ReportMetric(float64(r.Branches), "branches")
	if r.Limit != "" {
		b.Fatal(r.Limit)
	}
}

// BenchmarkMachineStep measures one input through the full (not lean)
// machine: an answer, then advancing to the next due item.
func BenchmarkMachineStep(b *testing.B) {
	sc := largestScenario(b)
	base, err := New(sc, nil)
	if err != nil {
		b.Fatal(err)
	}
	base.Start(0)
	steps := 0
	for b.Loop() {
		m := base.Clone()
		for !m.Done() && m.Now() < 2*time.Hour {
			answered := false
			for _, d := range m.p.stateDecs[m.cur] {
				if st := m.dec(d); st.open && len(st.answers) == 0 {
					dc := m.p.decs[d]
					a := Answer{Decision: dc.ID, Team: dc.Team, Participant: "p", Lead: true, Text: "t"}
					if len(dc.Options) > 0 {
						a.Option = dc.Options[len(dc.Options)-1].ID
					}
					if _, err := m.Answer(m.Now(), a); err != nil {
						b.Fatal(err)
					}
					steps++
					answered = true
					break
				}
			}
			if answered {
				continue
			}
			next, ok := m.NextDue()
			if !ok {
				break
			}
			m.Advance(next)
			steps++
		}
	}
	b.ReportMetric(float64(steps)/float64(b.N), "steps/op")
}

// BenchmarkSend is one team message to a persona (a follow-up in its
// thread) and the settle that follows, on the world test scenario.
func BenchmarkSend(b *testing.B) {
	sc, err := scenario.Load("testdata/world.yaml")
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(sc, nil)
	if err != nil {
		b.Fatal(err)
	}
	m.ReuseEvents()
	m.Start(0)
	if _, err := m.Send(time.Second, Message{ID: "t", Action: ActionCompose, Team: "soc", Persona: "support", Body: "Help"}); err != nil {
		b.Fatal(err)
	}
	msg := Message{ID: "f", Action: ActionCompose, Team: "soc", Persona: "support", Thread: "t", Body: "Any news?"}
	for b.Loop() {
		if _, err := m.Send(time.Second, msg); err != nil {
			b.Fatal(err)
		}
	}
}
