package sim

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMilestones: milestones are evaluated when the exercise ends, by the
// scenario or by the facilitator, after the objective measures: met when
// 0 <= done <= due; a side that cannot be computed gives -1 and an error.
func TestMilestones(t *testing.T) {
	broken := MilestoneResult{Objective: "inform", Milestone: "broken", Done: 1, Due: -1}
	for _, tc := range []struct {
		name      string
		publishAt time.Duration // 0: never
		end       time.Duration // 0: the scenario's own outcome at 20m
		want      []MilestoneResult
	}{
		{"published at 4m", 4 * time.Minute, 0, []MilestoneResult{
			{Objective: "inform", Milestone: "quick", Met: true, Done: 4, Due: 12},
			{Objective: "inform", Milestone: "fixed", Met: true, Done: 4, Due: 5}, broken}},
		{"published at 8m", 8 * time.Minute, 0, []MilestoneResult{
			{Objective: "inform", Milestone: "quick", Met: true, Done: 8, Due: 12},
			{Objective: "inform", Milestone: "fixed", Done: 8, Due: 5}, broken}},
		{"never published", 0, 0, []MilestoneResult{
			{Objective: "inform", Milestone: "quick", Done: -1, Due: 12},
			{Objective: "inform", Milestone: "fixed", Done: -1, Due: 5}, broken}},
		{"ended by the facilitator before the post", 0, time.Minute, []MilestoneResult{
			{Objective: "inform", Milestone: "quick", Done: -1, Due: 9}, // delivered_at gives -1: the post never came
			{Objective: "inform", Milestone: "fixed", Done: -1, Due: 5}, broken}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMachine(t, "milestones.yaml", nil)
			evs := m.Start(0)
			if tc.publishAt > 0 {
				got, err := m.Send(tc.publishAt, Message{ID: "s1", Action: ActionPublish, Team: "comms", Participant: "ann", Outlet: "newsroom", Body: "We know."})
				if err != nil {
					t.Fatal(err)
				}
				evs = append(evs, got...)
			}
			if tc.end > 0 {
				evs = append(evs, m.End(tc.end, "stop")...)
			} else {
				evs = append(evs, m.Advance(30*time.Minute)...)
			}
			var got []MilestoneResult
			for _, e := range evs {
				if e.Kind != KindMilestone {
					continue
				}
				if e.Audience != nil || e.Done == nil || e.Due == nil {
					t.Fatalf("milestone event %+v: want staff only, done and due set", e)
				}
				got = append(got, MilestoneResult{Objective: e.Objective, Milestone: e.Milestone, Met: e.Met, Done: *e.Done, Due: *e.Due, Error: e.Error})
			}
			for i := range got {
				if got[i].Milestone == "broken" {
					if !strings.Contains(got[i].Error, "not a finite number") {
						t.Errorf("broken milestone error %q", got[i].Error)
					}
					got[i].Error = ""
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("milestones\n got %+v\nwant %+v", got, tc.want)
			}
			if snap := m.Snapshot().Milestones; len(snap) != len(tc.want) || snap[0] != got[0] {
				t.Errorf("snapshot milestones %+v", snap)
			}
			if last := evs[len(evs)-1]; last.Kind != KindMilestone {
				t.Errorf("last event %s: milestones come after the measures", last.Kind)
			}
		})
	}
}

// TestPlayPrintsMilestones: ttx play shows each milestone, met or missed.
func TestPlayPrintsMilestones(t *testing.T) {
	res, err := Play(loadTD(t, "milestones.yaml"), PlayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range res.Events {
		b.WriteString(Line(e) + "\n")
	}
	for _, want := range []string{"MILESTONE", "inform/quick", "missed", "(done -, due 12)", "inform/broken"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("play output lacks %q:\n%s", want, b.String())
		}
	}
}
