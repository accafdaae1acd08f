package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// scheduledJS lists the console's "Scheduled: …" lines.
const scheduledJS = `[...document.querySelectorAll('section[aria-labelledby="sched-h"] li .what')].map((e) => e.textContent.trim())`

// Scheduling an ad-hoc inject from the console (issue 16, item 18), in a
// real browser against the real binary: the facilitator schedules one at
// an exercise time and one a minute ahead; the console lists both with
// Cancel; the first is cancelled; the second stays out of the team's feed
// until the exercise clock reaches it, then arrives as an inject sent at
// once does and leaves the list.
func TestScheduleInjectFromTheConsole(t *testing.T) {
	h, bs := newHarness(t, "fac", "soc")
	fac, soc := bs[0], bs[1]
	h.loginFacilitator(fac, "schedule facilitator passphrase")
	id, code := h.createExercise(fac, "example-hijacked-account", "Schedule drill")
	h.joinAs(soc, code, "Sol", "soc")
	startExercise(fac)
	// Paused while the injects are scheduled and checked: "in a minute" is
	// a minute of exercise time, which the steps below (axe-core among
	// them) could spend on a busy machine before the check that it has
	// not arrived yet. A pause holds a scheduled inject.
	fac.click("pause", buttonXPath("Pause"))
	fac.waitJS("the paused console", `document.querySelector('section.clockbar.paused')`, actionTimeout)
	fac.waitJS("the ad-hoc form", `document.querySelector('#ah-body')`, actionTimeout)

	// At T+50:00, to everyone: cancelled below.
	fac.click("when: at", `//input[@name='ah-when'][@value='at']`)
	fac.typeInto("exercise time", "#ah-at", "T+50:00")
	fac.typeInto("body", "#ah-body", "This one is cancelled.")
	fac.click("schedule at T+50:00", buttonXPath("Schedule inject"))
	fac.waitJS("the first scheduled inject listed", scheduledJS+`.some((s) => s.startsWith('Scheduled: T+50:00 Sitrep'))`, actionTimeout)

	// In a minute of exercise time, to the SOC, from the CISO.
	fac.click("when: in", `//input[@name='ah-when'][@value='in']`)
	fac.typeInto("minutes", "#ah-in", "1")
	fac.selectOption("channel", "#ah-channel", "chat")
	fac.selectOption("from the CISO", "#ah-from", "ciso")
	fac.click("to the SOC", `//fieldset//label[contains(normalize-space(), 'Security Operations')]/input`)
	fac.typeInto("title", "#ah-title", "Scheduled call")
	fac.typeInto("body", "#ah-body", "Call me when you land.")
	fac.click("schedule in a minute", buttonXPath("Schedule inject"))
	fac.waitJS("both listed", scheduledJS+`.length === 2 && `+scheduledJS+`[0].includes('Chat from Sam Okafor: Scheduled call')`, actionTimeout)
	fac.screenshot("console-scheduled")
	// The form's When controls and the list pass axe-core, phone and desktop.
	newAxeChecker(h).checkBoth(fac, "console with scheduled injects")

	fac.click("cancel the T+50:00 inject", `//button[@aria-label='Cancel the inject scheduled for T+50:00']`)
	fac.waitJS("one left", scheduledJS+`.length === 1`, actionTimeout)
	for _, c := range cardsOf(soc) {
		if strings.Contains(c.Text, "Call me when you land") {
			h.fatalf("the SOC sees the scheduled inject before its time")
		}
	}

	// ×10: the minute passes in six seconds once the clock runs again.
	fac.selectOption("speed ×10", `section.clockbar select`, "10")
	fac.click("resume", buttonXPath("Resume"))
	soc.waitJS("the scheduled inject in the SOC's feed", `[...document.querySelectorAll('ol[aria-label="Feed"] article[data-channel="chat"]')].some((a) => a.innerText.includes('Call me when you land.'))`, 60*time.Second)
	fac.waitJS("the list empties", `!document.querySelector('section[aria-labelledby="sched-h"]')`, actionTimeout)
	fac.selectOption("speed ×1", `section.clockbar select`, "1")

	var kinds []string
	for _, ev := range h.facilitatorAPI(fac).events(t, id) {
		switch ev.Kind {
		case "inject_scheduled", "inject_schedule_cancelled", "facilitator_inject":
			kinds = append(kinds, ev.Kind)
		case "inject_delivered":
			var p injectPayload
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				t.Fatal(err)
			}
			if p.AdHoc {
				kinds = append(kinds, ev.Kind)
				if len(ev.Audience) != 1 || ev.Audience[0] != "soc" || p.PersonaName != "Sam Okafor" || p.Title != "Scheduled call" {
					h.fatalf("delivered %+v to %v", p, ev.Audience)
				}
			}
		}
	}
	want := []string{"inject_scheduled", "inject_scheduled", "inject_schedule_cancelled", "facilitator_inject", "inject_delivered"}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		h.fatalf("log: %v, want %v", kinds, want)
	}
}
