package e2e

import "fmt"

// closeDecision presses a decision's "Close now" on the console, then the
// "Close it" of the question it asks in place.
func closeDecision(fac *browser, id string) {
	fac.h.t.Helper()
	fac.click("close "+id, closeDecisionXPath(id))
	fac.click("confirm closing "+id, fmt.Sprintf(`//li[contains(concat(' ', normalize-space(@class), ' '), ' dec ')][.//code[normalize-space()=%s]]//div[contains(@class,'confirm')]//button[normalize-space()='Close it']`, xpathLiteral(id)))
}
